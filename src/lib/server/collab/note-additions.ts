// Does a Yjs update add a note to the board (a new key in the `notes` map)? Read from the update's own
// structs, without applying it: a new map entry carries its parent ('notes') and key; an entry written over
// an earlier one (an edit, or undoing a deletion) points at it through its origin, which is looked up in the
// update itself or in the room's document. Cheap (proportional to the update), unlike applying the update
// to a copy of the board.
import * as Y from 'yjs';
import { findInUpdate, itemsByClient, type ItemId } from './update-items';

type ID = ItemId;
/** a top-level entry of the notes map with this key; not one; or cannot tell (a dependency is missing) */
type Place = { key: string } | 'other' | 'unknown';


/** true or false, or null when the update depends on something neither it nor the document holds. */
export function addsNotes(doc: Y.Doc, update: Uint8Array, mapName = 'notes'): boolean | null {
	const notes = doc.getMap(mapName);
	const { structs } = Y.decodeUpdate(update);
	const items = itemsByClient(structs);

	const placeInDoc = (id: ID): Place => {
		if (Y.getState(doc.store, id.client) <= id.clock) return 'unknown';
		const item = Y.getItem(doc.store, id as Y.ID);
		if (!(item instanceof Y.Item)) return 'other';
		return item.parent === notes && item.parentSub !== null ? { key: item.parentSub } : 'other';
	};

	const placeOf = (item: Y.Item, depth: number): Place => {
		const parent = item.parent as unknown;
		if (typeof parent === 'string') return parent === mapName && item.parentSub !== null ? { key: item.parentSub } : 'other';
		if (parent !== null) return 'other'; // inside a nested type (a note's fields, an idea's texts)
		const origin = item.origin ?? item.rightOrigin;
		if (!origin || depth > 1000) return 'unknown';
		const inUpdate = findInUpdate(items, origin);
		if (inUpdate && inUpdate !== item) return placeOf(inUpdate, depth + 1);
		return placeInDoc(origin);
	};

	let unknown = false;
	for (const list of items.values()) {
		for (const item of list) {
			const place = placeOf(item, 0);
			if (place === 'unknown') unknown = true;
			else if (place !== 'other' && !notes.has(place.key)) return true;
		}
	}
	return unknown ? null : false;
}
