// Reading a Yjs update's own items without applying it: the per-update checks (shape and sizes, note additions,
// authors, reactions) look items and their origins up here rather than applying the update to a copy of the board.
import * as Y from 'yjs';

export type ItemId = { client: number; clock: number };

/** The update's items by client, each client's in clock order (as the update encodes them). */
export function itemsByClient(structs: readonly (Y.Item | Y.GC | Y.Skip)[]) {
	const items = new Map<number, Y.Item[]>();
	for (const struct of structs) {
		if (!(struct instanceof Y.Item)) continue;
		const list = items.get(struct.id.client) ?? [];
		list.push(struct);
		items.set(struct.id.client, list);
	}
	return items;
}

/** The item of the update holding this id, if the update has it (binary search in the client's items). */
export function findInUpdate(items: Map<number, Y.Item[]>, id: ItemId) {
	const list = items.get(id.client);
	if (!list) return undefined;
	let low = 0;
	let high = list.length - 1;
	while (low <= high) {
		const middle = (low + high) >> 1;
		const item = list[middle]!;
		if (id.clock < item.id.clock) high = middle - 1;
		else if (id.clock >= item.id.clock + item.length) low = middle + 1;
		else return item;
	}
	return undefined;
}
