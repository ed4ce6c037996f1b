// Quick +1 reactions live in the board's top-level `reactions` map, keyed `${targetId}|${authorId}` (board/model.ts).
// Each person may write only their own keys: the room refuses an update that sets or deletes a key ending in another
// author id. Read from the update's own structs and delete set, without applying it (like note-additions.ts); only
// an update that depends on something the board lacks is tried on a copy of the board.
import * as Y from 'yjs';
import { findInUpdate, itemsByClient, type ItemId } from './update-items';
import { parseReactionKey, reactionsOf } from '../../board/model';

type ID = ItemId;
type Decoded = ReturnType<typeof Y.decodeUpdate>;

const mapName = 'reactions';
const nameBytes = new TextEncoder().encode(mapName);


function contains(haystack: Uint8Array, needle: Uint8Array) {
	return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(needle) >= 0;
}

/**
 * The keys of the reactions map an update sets or deletes, or null when it cannot tell (it depends on structs neither
 * it nor the document holds).
 */
export function reactionKeysWritten(doc: Y.Doc, update: Uint8Array): Set<string> | null {
	const reactions = reactionsOf(doc);
	// A board nobody ever reacted on: a first reaction names the map in the update. Every other update passes unread.
	if (reactions._map.size === 0 && !contains(update, nameBytes)) return new Set();
	const decoded: Decoded = Y.decodeUpdate(update);
	const items = itemsByClient(decoded.structs);

	const keys = new Set<string>();
	let unknown = false;

	// Set: a new entry names the map and its key; an entry written over an earlier value points at it (its origin).
	const placeInDoc = (id: ID): string | 'other' | 'unknown' => {
		if (Y.getState(doc.store, id.client) <= id.clock) return 'unknown';
		const item = Y.getItem(doc.store, id as Y.ID);
		return item instanceof Y.Item && item.parent === reactions && item.parentSub !== null ? item.parentSub : 'other';
	};
	const placeOf = (item: Y.Item, depth: number): string | 'other' | 'unknown' => {
		const parent = item.parent as unknown;
		if (typeof parent === 'string') return parent === mapName && item.parentSub !== null ? item.parentSub : 'other';
		if (parent !== null) return 'other'; // inside a nested type
		const origin = item.origin ?? item.rightOrigin;
		if (!origin || depth > 1000) return 'unknown';
		const inUpdate = findInUpdate(items, origin);
		if (inUpdate && inUpdate !== item) return placeOf(inUpdate, depth + 1);
		return placeInDoc(origin);
	};
	for (const list of items.values()) {
		for (const item of list) {
			const place = placeOf(item, 0);
			if (place === 'unknown') unknown = true;
			else if (place !== 'other') keys.add(place);
		}
	}

	// Delete: a range of the delete set covers the current value of a key.
	if (decoded.ds.clients.size > 0 && reactions._map.size > 0) {
		const ranges = new Map<number, { clock: number; len: number }[]>();
		for (const [client, deletes] of decoded.ds.clients) ranges.set(client, [...deletes].sort((a, b) => a.clock - b.clock));
		for (const [key, item] of reactions._map) {
			if (item.deleted) continue;
			const list = ranges.get(item.id.client);
			if (list && covers(list, item.id.clock)) keys.add(key);
		}
	}
	return unknown ? null : keys;
}

/** Binary search over ranges sorted by clock. */
function covers(ranges: { clock: number; len: number }[], clock: number) {
	let low = 0;
	let high = ranges.length - 1;
	while (low <= high) {
		const middle = (low + high) >> 1;
		const range = ranges[middle]!;
		if (clock < range.clock) high = middle - 1;
		else if (clock >= range.clock + range.len) low = middle + 1;
		else return true;
	}
	return false;
}

/** The exact answer, on a copy of the board: which keys' values the update changes. For the rare unknown case. */
function reactionKeysChangedOnCopy(doc: Y.Doc, update: Uint8Array) {
	const copy = new Y.Doc({ gc: false });
	Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
	const snapshot = () =>
		new Map([...reactionsOf(copy)._map].filter(([, item]) => !item.deleted).map(([key, item]) => [key, `${item.id.client}:${item.id.clock}`]));
	const before = snapshot();
	Y.applyUpdate(copy, update);
	const after = snapshot();
	copy.destroy();
	const keys = new Set<string>();
	for (const [key, id] of after) if (before.get(key) !== id) keys.add(key);
	for (const key of before.keys()) if (!after.has(key)) keys.add(key);
	return keys;
}

/** Whether the update writes a reaction for anyone but `authorId` (including malformed keys, which belong to no one). */
export function writesOthersReactions(doc: Y.Doc, update: Uint8Array, authorId: string) {
	const keys = reactionKeysWritten(doc, update) ?? reactionKeysChangedOnCopy(doc, update);
	for (const key of keys) if (parseReactionKey(key)?.authorId !== authorId) return true;
	return false;
}
