// Notes carry their author (authorId, authorName), written by the client that adds them (board/model.ts addNote).
// The server holds them to the connection's own identity: a new note must carry the writer's id and name as the
// server knows them, and no one rewrites a note's author fields afterwards. Read from the update's structs when it
// only adds fresh notes (the usual case, cheap); anything less plain is judged on a copy of the board (exact).
import * as Y from 'yjs';
import { findInUpdate, itemsByClient, type ItemId } from './update-items';
import { notesOf } from '../../board/model';

export type NoteAuthor = { id: string; name: string };

type ID = ItemId;
const authorKeys = new Set(['authorId', 'authorName']);
const sameId = (a: ID, b: ID) => a.client === b.client && a.clock === b.clock;


/** What an update's item writes: a notes entry, an author field of some map, something else, or cannot tell. */
type Place = 'entry' | 'author' | 'other' | 'unknown';

/**
 * Fresh notes (a new key of `notes`, holding a new map) with the author fields the update gives them, or null when the
 * update does more than add fresh notes and edit other things (then the exact check decides).
 */
function freshNotes(doc: Y.Doc, update: Uint8Array): Map<string, Record<string, unknown>> | null {
	const notes = notesOf(doc);
	const { structs } = Y.decodeUpdate(update);
	const items = itemsByClient(structs);
	const placeInDoc = (id: ID): Place => {
		if (Y.getState(doc.store, id.client) <= id.clock) return 'unknown';
		const item = Y.getItem(doc.store, id as Y.ID);
		if (!(item instanceof Y.Item)) return 'other';
		if (item.parent === notes) return 'entry';
		return item.parentSub !== null && authorKeys.has(item.parentSub) ? 'author' : 'other';
	};
	const placeOf = (item: Y.Item, depth: number): Place => {
		const parent = item.parent as unknown;
		if (typeof parent === 'string') return parent === 'notes' ? 'entry' : 'other';
		if (parent !== null) return item.parentSub !== null && authorKeys.has(item.parentSub) ? 'author' : 'other';
		const origin = item.origin ?? item.rightOrigin;
		if (!origin || depth > 1000) return 'unknown';
		const inUpdate = findInUpdate(items, origin);
		if (inUpdate && inUpdate !== item) return placeOf(inUpdate, depth + 1);
		return placeInDoc(origin);
	};

	const fresh = new Map<string, { id: ID; fields: Record<string, unknown> }>();
	const authorWrites: Y.Item[] = [];
	for (const list of items.values()) {
		for (const item of list) {
			const place = placeOf(item, 0);
			if (place === 'unknown') return null;
			if (place === 'entry') {
				// A plain new entry: named parent, no neighbours, a new map, a key the board never had.
				const key = item.parentSub;
				if ((item.parent as unknown) !== 'notes' || item.origin || item.rightOrigin || key === null) return null;
				if (notes._map.has(key) || fresh.has(key)) return null;
				if (!(item.content instanceof Y.ContentType) || !(item.content.type instanceof Y.Map)) return null;
				fresh.set(key, { id: item.id, fields: {} });
			} else if (place === 'author') authorWrites.push(item);
		}
	}
	// Author fields may only be the first values of fresh notes' maps.
	for (const item of authorWrites) {
		const parent = item.parent as unknown as ID | null;
		const owner = parent && typeof parent === 'object' ? [...fresh.values()].find((note) => sameId(note.id, parent)) : undefined;
		if (!owner || item.origin || !(item.content instanceof Y.ContentAny) || item.content.arr.length !== 1) return null;
		owner.fields[item.parentSub!] = item.content.arr[0];
	}
	return new Map([...fresh].map(([key, note]) => [key, note.fields]));
}

/**
 * The exact answer on a copy of the board: every notes entry the update sets anew must be a map carrying `author`,
 * and no existing note's author fields may change. `restore`: a key the board had before may come back with its
 * author (a facilitator undoing the deletion of someone else's note).
 */
function writesAsOthersOnCopy(doc: Y.Doc, update: Uint8Array, author: NoteAuthor, restore: boolean) {
	const copy = new Y.Doc({ gc: false });
	try {
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
		const notes = notesOf(copy);
		const entryId = (key: string) => {
			const item = notes._map.get(key);
			return item && !item.deleted ? `${item.id.client}:${item.id.clock}` : null;
		};
		const authorOf = (value: unknown) => (value instanceof Y.Map ? `${value.get('authorId')}\u0000${value.get('authorName')}` : null);
		const before = new Map<string, { entry: string | null; author: string | null }>();
		for (const key of notes._map.keys()) before.set(key, { entry: entryId(key), author: authorOf(notes.get(key)) });
		Y.applyUpdate(copy, update);
		for (const [key, value] of notes) {
			const was = before.get(key);
			if (was && was.entry === entryId(key)) {
				if (was.author !== authorOf(value)) return true;
				continue;
			}
			if (!(value instanceof Y.Map)) return true;
			if (value.get('authorId') === author.id && value.get('authorName') === author.name) continue;
			if (restore && was) continue;
			return true;
		}
		return false;
	} finally {
		copy.destroy();
	}
}

/**
 * Whether an update adds a note under another author than the writer (`author`: the connection's id and name), adds
 * something that is not a note, or changes a note's author. Facilitators (`mayRestore`) may bring back a deleted note
 * as it was.
 */
export function writesNotesAsOthers(doc: Y.Doc, update: Uint8Array, author: NoteAuthor, mayRestore = false) {
	const fresh = freshNotes(doc, update);
	if (fresh === null) return writesAsOthersOnCopy(doc, update, author, mayRestore);
	for (const fields of fresh.values()) if (fields.authorId !== author.id || fields.authorName !== author.name) return true;
	return false;
}
