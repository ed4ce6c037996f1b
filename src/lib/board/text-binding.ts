// A textarea (or text input) bound to a Y.Text, so several people can type in the same field at once.
//
// Local typing is turned into the smallest edit that explains it (one delete + one insert at one place) and
// applied to the Y.Text; only those characters travel, so a concurrent edit elsewhere in the field survives.
// Remote edits rewrite the field's value and move the local caret and selection through the remote change,
// so the person typing keeps their place.
import type * as Y from 'yjs';
import { editText } from './model';

export type TextEdit = { index: number; remove: number; insert: string };
/** A Y.Text delta (what `YTextEvent.delta` gives). */
export type TextDelta = { insert?: unknown; delete?: number; retain?: number }[];

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/**
 * The minimal edit that turns `before` into `after`: everything outside one changed span is kept.
 *
 * `caret` (where the caret is after the change) settles ambiguous cases: typing "a" into "a|a" gives "aaa",
 * which a plain prefix match would read as an insertion at the end; with the caret the insertion is placed
 * where the person typed, so a concurrent edit just after it lands on the right side. Surrogate pairs
 * (emoji and other characters outside the BMP) are never split. Returns null when nothing changed.
 */
export function diffText(before: string, after: string, caret: number = after.length): TextEdit | null {
	if (before === after) return null;
	const grown = Math.max(0, after.length - before.length);
	// The changed span ends at the caret, so the unchanged prefix cannot reach past caret - (inserted length).
	const prefixLimit = Math.max(0, Math.min(before.length, after.length, caret - grown));
	let prefix = 0;
	while (prefix < prefixLimit && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
	if (prefix > 0 && isHighSurrogate(after.charCodeAt(prefix - 1))) prefix--;

	let suffix = 0;
	const suffixLimit = Math.min(before.length, after.length) - prefix;
	while (
		suffix < suffixLimit &&
		before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)
	) {
		suffix++;
	}
	if (suffix > 0 && isLowSurrogate(after.charCodeAt(after.length - suffix))) suffix--;

	return { index: prefix, remove: before.length - prefix - suffix, insert: after.slice(prefix, after.length - suffix) };
}

/** Applies an edit to a plain string (the inverse check of `diffText`). */
export function applyEdit(text: string, edit: TextEdit) {
	return text.slice(0, edit.index) + edit.insert + text.slice(edit.index + edit.remove);
}

/**
 * Where a position in the old text ends up after a (remote) change. Text inserted exactly at the position
 * goes after it when `stickToEnd` is false (the caret stays in front of someone else's typing) and
 * before it when true (used for the end of a selection, so a selection grows rather than shrinks).
 */
export function transformPosition(position: number, delta: TextDelta, stickToEnd = false) {
	let oldIndex = 0; // where we are in the old text
	let shift = 0;
	for (const op of delta) {
		if (oldIndex > position || (oldIndex === position && !stickToEnd && op.insert !== undefined)) break;
		if (op.retain !== undefined) {
			oldIndex += op.retain;
		} else if (op.insert !== undefined) {
			shift += typeof op.insert === 'string' ? op.insert.length : 1;
		} else if (op.delete !== undefined) {
			const removedBefore = Math.min(op.delete, position - oldIndex);
			shift -= removedBefore;
			oldIndex += op.delete;
		}
	}
	return Math.max(0, position + shift);
}

type TextField = HTMLTextAreaElement | HTMLInputElement;

/**
 * Keeps `field` and `text` the same both ways. Returns the function that unbinds them.
 * With `readOnly` the field shows the text and follows remote edits, but local typing is not sent.
 */
export function bindText(field: TextField, text: Y.Text, options: { readOnly?: boolean } = {}) {
	field.value = text.toString();

	const onInput = () => {
		if (options.readOnly) {
			field.value = text.toString();
			return;
		}
		const edit = diffText(text.toString(), field.value, field.selectionEnd ?? field.value.length);
		if (edit) editText(text, edit);
		// A maxlength or a concurrent change could leave the field and the text apart: the text wins.
		if (field.value !== text.toString()) field.value = text.toString();
	};

	const onChange = (event: Y.YTextEvent) => {
		const value = text.toString();
		if (field.value === value) return; // our own typing, already in the field
		const focused = field.ownerDocument.activeElement === field;
		const start = field.selectionStart ?? 0;
		const end = field.selectionEnd ?? 0;
		const direction = field.selectionDirection ?? 'none';
		const delta = event.delta as TextDelta;
		const scrollTop = field.scrollTop;
		field.value = value;
		field.scrollTop = scrollTop;
		if (focused) {
			const newStart = transformPosition(start, delta, false);
			const newEnd = start === end ? newStart : transformPosition(end, delta, true);
			field.setSelectionRange(newStart, Math.max(newStart, newEnd), direction);
		}
	};

	field.addEventListener('input', onInput);
	text.observe(onChange);
	return () => {
		field.removeEventListener('input', onInput);
		text.unobserve(onChange);
	};
}
