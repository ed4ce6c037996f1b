// The board's shape and sizes, enforced by the server for every incoming update (the browser's maxlength is a
// courtesy, not a limit). Read from the update's own structs and delete set against the room's document, without
// applying it and without copying the board: the work is proportional to the update (and, only for a text edit
// that would cross its limit, to that one text).
import * as Y from 'yjs';
import { findInUpdate, type ItemId } from './update-items';
import {
	canvasFieldMaxLength,
	clusterNameMaxLength,
	commentMaxLength,
	ideaTitleMaxLength,
	noteMaxLength
} from '../../board/model';

export type BoardLimits = {
	/** notes on one board (shared or private) */
	maxNotes: number;
	/** the board's encoded size in bytes (what a phone joining downloads) */
	maxBoardBytes: number;
};

/**
 * - `missing`: the update depends on structs or deletions the board lacks (Yjs would keep it pending in memory)
 * - `invalid`: a shape no honest board writes (an unknown top-level type, a subdocument, formatting, a huge key…)
 * - `tooLong`: a note, cluster name, idea title, comment or canvas field over its length
 * - `full`: more notes than the board allows
 */
export type LimitVerdict = 'missing' | 'invalid' | 'tooLong' | 'full' | null;

type ID = ItemId;

/** The board's top-level types (board/model.ts) and what their entries hold. */
const topLevel = new Set(['notes', 'clusters', 'ideas', 'reactions']);
/** ids, lanes, colours, author names: longer than any the app writes */
const otherStringMaxLength = 200;
const keyMaxLength = 200;
/** a reaction's value is `true` */
const reactionValueMaxLength = 16;

/** The longest string allowed under a map key (a note's text, a cluster's name) or in a comment object. */
function stringLimit(key: string | null, inComment: boolean) {
	if (key === 'text') return inComment ? commentMaxLength : noteMaxLength;
	if (key === 'name') return clusterNameMaxLength;
	return otherStringMaxLength;
}

/** A plain value's strings within their limits, nested at most two levels (an idea's source, a comment). */
function valueWithin(value: unknown, key: string | null, inComment: boolean, depth: number): 'ok' | 'tooLong' | 'invalid' {
	if (value === null || typeof value === 'number' || typeof value === 'boolean' || value === undefined) return 'ok';
	if (typeof value === 'string') return value.length <= stringLimit(key, inComment) ? 'ok' : 'tooLong';
	if (depth >= 2 || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) return 'invalid';
	const entries = Object.entries(value as Record<string, unknown>);
	if (entries.length > 16) return 'invalid';
	for (const [k, v] of entries) {
		const verdict = valueWithin(v, k, inComment, depth + 1);
		if (verdict !== 'ok') return verdict;
	}
	return 'ok';
}

/** Where an item lives: a top-level map with its key, or inside a nested type (the parent's ID or the type itself). */
type Place =
	| { top: string; key: string | null }
	| { parent: Y.AbstractType<unknown>; key: string | null }
	| { parentId: ID; key: string | null }
	| 'missing';


function inDoc(doc: Y.Doc, id: ID) {
	return id.clock < Y.getState(doc.store, id.client);
}

/**
 * Judges an update against the board it would be applied to. `limits.encodedBytes`: the board's encoded size with
 * the updates queued before this one (an upper bound); `queuedNotes`: notes those add. `verdict` null: it may be
 * applied, and adds `newNotes` notes.
 */
export function judgeUpdate(
	doc: Y.Doc,
	update: Uint8Array,
	limits: BoardLimits & { encodedBytes: number },
	queuedNotes: number
): { verdict: LimitVerdict; newNotes: number; comments: ItemId[] } {
	const comments: ItemId[] = [];
	const verdict = judge(doc, update, limits, queuedNotes, comments);
	return typeof verdict === 'number' ? { verdict: null, newNotes: verdict, comments } : { verdict, newNotes: 0, comments: [] };
}

/** `comments` receives the items that insert comment objects (array elements), for comment-authors.ts. */
function judge(
	doc: Y.Doc,
	update: Uint8Array,
	limits: BoardLimits & { encodedBytes: number },
	queuedNotes: number,
	comments: ItemId[]
): Exclude<LimitVerdict, null> | number {
	const { structs, ds } = Y.decodeUpdate(update);

	// Dependencies: each client's structs continue from what the board holds; every origin, right origin, parent and
	// deletion refers to something in the board or in the update. Otherwise Yjs would keep the update pending.
	const items = new Map<number, Y.Item[]>();
	const next = new Map<number, number>();
	for (const struct of structs) {
		const client = struct.id.client;
		if (struct instanceof Y.Skip) continue;
		const expected = next.get(client) ?? Y.getState(doc.store, client);
		if (struct.id.clock > expected) return 'missing';
		next.set(client, Math.max(expected, struct.id.clock + struct.length));
		if (struct instanceof Y.Item) {
			const list = items.get(client) ?? [];
			list.push(struct);
			items.set(client, list);
		}
	}
	const known = (id: ID) => inDoc(doc, id) || findInUpdate(items, id) !== undefined;
	for (const list of items.values()) {
		for (const item of list) {
			if (item.origin && !known(item.origin)) return 'missing';
			if (item.rightOrigin && !known(item.rightOrigin)) return 'missing';
			const parent = item.parent as unknown;
			if (parent && typeof parent === 'object' && !(parent instanceof Y.AbstractType) && !known(parent as ID)) return 'missing';
		}
	}
	for (const [client, deletes] of ds.clients) {
		const end = Math.max(next.get(client) ?? 0, Y.getState(doc.store, client));
		for (const range of deletes) if (range.clock + range.len > end) return 'missing';
	}

	// Shape and sizes.
	const placeOf = (item: Y.Item, depth: number): Place => {
		const parent = item.parent as unknown;
		if (typeof parent === 'string') return { top: parent, key: item.parentSub };
		if (parent && typeof parent === 'object') {
			const parentItem = findInUpdate(items, parent as ID);
			if (parentItem) return { parentId: parentItem.id, key: item.parentSub };
			const docItem = Y.getItem(doc.store, parent as Y.ID);
			if (!(docItem instanceof Y.Item) || !(docItem.content instanceof Y.ContentType)) return 'missing';
			return { parent: docItem.content.type, key: item.parentSub };
		}
		// Written next to another item (an edit of a map key, an insert in a text): the same place as that one.
		const origin = item.origin ?? item.rightOrigin;
		if (!origin || depth > 1000) return 'missing';
		const inUpdate = findInUpdate(items, origin);
		if (inUpdate && inUpdate !== item) return placeOf(inUpdate, depth + 1);
		const docItem = Y.getItem(doc.store, origin as Y.ID);
		if (!(docItem instanceof Y.Item)) return 'missing';
		const docParent = docItem.parent as Y.AbstractType<unknown> | null;
		if (!docParent) return 'missing';
		if (docParent._item === null) {
			const name = [...doc.share].find(([, type]) => type === docParent)?.[0];
			return name === undefined ? 'missing' : { top: name, key: docItem.parentSub };
		}
		return { parent: docParent, key: docItem.parentSub };
	};

	const notes = doc.getMap('notes');
	const newNotes = new Set<string>();
	/** characters inserted into each text: by the text (already on the board) or by its item's ID (new in the update) */
	const inserted = new Map<Y.AbstractType<unknown> | string, { length: number; type: Y.AbstractType<unknown> | null }>();
	/** the map key each type new in the update sits under (a text's 'title' or canvas field) */
	const typeKeys = new Map<string, string | null>();
	let insertsContent = false;
	for (const list of items.values()) {
		for (const item of list) {
			const content = item.content;
			if (content instanceof Y.ContentDeleted) continue;
			insertsContent = true;
			const place = placeOf(item, 0);
			if (place === 'missing') return 'missing';
			if (place.key !== null && place.key.length > keyMaxLength) return 'invalid';
			if ('top' in place) {
				if (!topLevel.has(place.top) || place.key === null) return 'invalid';
				if (place.top === 'reactions') {
					if (!(content instanceof Y.ContentAny) || JSON.stringify(content.arr).length > reactionValueMaxLength + 2) return 'invalid';
				} else if (!(content instanceof Y.ContentType) || content.type.constructor !== Y.Map) return 'invalid';
				if (place.top === 'notes' && !notes.has(place.key)) newNotes.add(place.key);
				if (content instanceof Y.ContentType) typeKeys.set(`${item.id.client}:${item.id.clock}`, place.key);
				continue;
			}
			const parentType = 'parent' in place ? place.parent : null;
			const parentId = 'parentId' in place ? place.parentId : null;
			if (parentId) {
				const parentItem = findInUpdate(items, parentId);
				if (!parentItem || !(parentItem.content instanceof Y.ContentType)) return 'invalid';
			}
			if (content instanceof Y.ContentType) {
				const ctor = content.type.constructor;
				if (ctor !== Y.Map && ctor !== Y.Array && ctor !== Y.Text) return 'invalid';
				typeKeys.set(`${item.id.client}:${item.id.clock}`, place.key);
			} else if (content instanceof Y.ContentAny) {
				// Values under a map key (a note's text, a cluster's name), or comment objects in an idea's array.
				const inArray = place.key === null;
				for (const value of content.arr) {
					const verdict = valueWithin(value, place.key, inArray, inArray ? 0 : 1);
					if (verdict !== 'ok') return verdict;
				}
				if (inArray) comments.push(item.id);
			} else if (content instanceof Y.ContentString) {
				if (place.key !== null) return 'invalid';
				const target = parentType ?? `${parentId!.client}:${parentId!.clock}`;
				const entry = inserted.get(target) ?? { length: 0, type: parentType };
				entry.length += content.getLength();
				inserted.set(target, entry);
			} else {
				// Formatting, embeds, binary, subdocuments, JSON: nothing on the board writes them.
				return 'invalid';
			}
		}
	}

	// Texts (idea titles, canvas fields): what stays of the text plus what the update inserts.
	for (const [target, { length, type }] of inserted) {
		const key = type ? (type._item?.parentSub ?? null) : (typeKeys.get(target as string) ?? null);
		const limit = key === 'title' ? ideaTitleMaxLength : canvasFieldMaxLength;
		if (length > limit) return 'tooLong';
		if (!type) continue;
		const current = (type as Y.Text).length;
		if (current + length <= limit) continue;
		// Over at first sight: an edit that replaces a selection deletes what it overwrites; count what it keeps.
		if (current - deletedFrom(type, ds) + length > limit) return 'tooLong';
	}

	if (newNotes.size > 0 && notes.size + queuedNotes + newNotes.size > limits.maxNotes) return 'full';
	// Deleting is always allowed, so a full board can be tidied.
	if (insertsContent && limits.encodedBytes + update.byteLength > limits.maxBoardBytes) return 'full';
	return newNotes.size;
}

/** Characters of a text the delete set removes (walks that one text's items). */
function deletedFrom(type: Y.AbstractType<unknown>, ds: { clients: Map<number, { clock: number; len: number }[]> }) {
	let removed = 0;
	for (let item = type._start; item !== null; item = item.right) {
		if (item.deleted || !item.countable) continue;
		const ranges = ds.clients.get(item.id.client);
		if (!ranges) continue;
		for (const range of ranges) {
			const start = Math.max(range.clock, item.id.clock);
			const end = Math.min(range.clock + range.len, item.id.clock + item.length);
			if (end > start) removed += end - start;
		}
	}
	return removed;
}
