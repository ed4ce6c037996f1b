// The board client's view keeps the objects of what did not change: a drop or a new note on a 300-note board then
// updates the one card that changed, not every card on the page (B11: a phone's drop and the other phone's update).
import { describe, expect, it } from 'vitest';
import { BoardClient } from '../../src/lib/board/client.svelte';
import { addNote, createCluster, moveNote, promoteToIdea, toggleReaction, updateNote } from '../../src/lib/board/model';

const author = { id: 'p-anna', name: 'Anna' };

function boardWith(count: number) {
	const client = new BoardClient({ me: { name: 'Anna', colour: '#0b5394' } });
	const ids = Array.from({ length: count }, (_, i) =>
		addNote(client.doc, { text: `Lappu ${i + 1}`, lane: i % 2 ? 'nuoret' : 'perheet', author, createdAt: 1_000 + i })
	);
	return { client, ids };
}

describe('BoardClient view', () => {
	it('keeps every unchanged note, cluster and idea as the same object across changes', () => {
		const { client, ids } = boardWith(6);
		const clusterId = createCluster(client.doc, [ids[0]!, ids[2]!], 'Kerhot', 'perheet');
		promoteToIdea(client.doc, { kind: 'note', id: ids[1]! }, 'Lappu 2', 'nuoret');
		const before = client.board;

		moveNote(client.doc, ids[4]!, 'nuoret');
		const after = client.board;

		expect(after).not.toBe(before);
		const moved = after.notes.find((note) => note.id === ids[4])!;
		expect(moved).toMatchObject({ lane: 'nuoret' });
		expect(moved).not.toBe(before.notes.find((note) => note.id === ids[4]));
		for (const note of after.notes.filter((note) => note.id !== ids[4]))
			expect(note, note.text).toBe(before.notes.find((old) => old.id === note.id));
		expect(after.clusters).toBe(before.clusters);
		expect(after.clusters[0]!.id).toBe(clusterId);
		expect(after.ideas).toBe(before.ideas);
		client.destroy();
	});

	it('gives a changed note or a renamed text a new object, and a new note its own', () => {
		const { client, ids } = boardWith(3);
		const before = client.board;
		updateNote(client.doc, ids[1]!, { text: 'Uusi teksti' });
		const edited = client.board;
		expect(edited.notes.find((note) => note.id === ids[1])).toMatchObject({ text: 'Uusi teksti' });
		expect(edited.notes.find((note) => note.id === ids[1])).not.toBe(before.notes.find((note) => note.id === ids[1]));
		expect(edited.notes.find((note) => note.id === ids[0])).toBe(before.notes.find((note) => note.id === ids[0]));

		const added = addNote(client.doc, { text: 'Neljäs', lane: 'perheet', author, createdAt: 5_000 });
		expect(client.board.notes.map((note) => note.id)).toEqual([...ids, added]);
		expect(client.board.notes.slice(0, 3)).toEqual(edited.notes);
		client.destroy();
	});

	it('carries the +1 reactions along, the same object while they do not change', () => {
		const { client, ids } = boardWith(3);
		toggleReaction(client.doc, ids[0]!, author);
		toggleReaction(client.doc, ids[0]!, { id: 'p-bo' });
		const reacted = client.board;
		expect(reacted.reactions?.[ids[0]!]?.count).toBe(2);

		moveNote(client.doc, ids[1]!, 'nuoret');
		expect(client.board.reactions).toBe(reacted.reactions);

		toggleReaction(client.doc, ids[0]!, { id: 'p-bo' });
		expect(client.board.reactions?.[ids[0]!]?.count).toBe(1);
		toggleReaction(client.doc, ids[0]!, author);
		expect(client.board.reactions?.[ids[0]!]).toBeUndefined();
		client.destroy();
	});
});
