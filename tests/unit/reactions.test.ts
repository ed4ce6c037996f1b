// Quick +1 reactions with real Yjs documents: two replicas exchange updates as two browsers do through the collab
// server, and the server's reading of which reaction keys an update writes (collab/reactions.ts) is checked
// against updates made by the model's own functions.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote, createUndoManager, parseReactionKey, reactionKey, reactionsOf, toggleReaction, viewBoard } from '../../src/lib/board/model';
import { reactionKeysWritten, writesOthersReactions } from '../../src/lib/server/collab/reactions';

function sync(from: Y.Doc, to: Y.Doc) {
	Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));
}

/** The update a change on `doc` produces, as its provider would send it. */
function updateOf(doc: Y.Doc, change: () => void) {
	const updates: Uint8Array[] = [];
	const record = (update: Uint8Array) => updates.push(update);
	doc.on('update', record);
	change();
	doc.off('update', record);
	return Y.mergeUpdates(updates);
}

describe('reactions in the board document', () => {
	it('toggles one person’s +1 and counts everyone’s per target, with the viewer’s own', () => {
		const doc = new Y.Doc();
		const note = addNote(doc, { text: 'Kahvila', lane: 'l', author: { id: 'anna', name: 'Anna' } });
		expect(viewBoard(doc).reactions).toEqual({});
		expect(toggleReaction(doc, note, { id: 'anna' })).toBe(true);
		expect(toggleReaction(doc, note, { id: 'bertil' })).toBe(true);
		expect(toggleReaction(doc, 'idea-1', { id: 'anna' })).toBe(true);
		expect(viewBoard(doc, 'anna').reactions).toEqual({ [note]: { count: 2, mine: true }, 'idea-1': { count: 1, mine: true } });
		expect(viewBoard(doc, 'bertil').reactions?.['idea-1']).toEqual({ count: 1, mine: false });
		expect(viewBoard(doc).reactions?.[note]).toEqual({ count: 2, mine: false });
		expect(toggleReaction(doc, note, { id: 'anna' })).toBe(false);
		expect(viewBoard(doc, 'anna').reactions?.[note]).toEqual({ count: 1, mine: false });
	});

	it('keeps both +1s when two people react at once on two replicas', () => {
		const left = new Y.Doc();
		const right = new Y.Doc();
		const note = addNote(left, { text: 'Kahvila', lane: 'l', author: { id: 'anna', name: 'Anna' } });
		sync(left, right);
		toggleReaction(left, note, { id: 'anna' });
		toggleReaction(right, note, { id: 'bertil' });
		sync(left, right);
		sync(right, left);
		for (const doc of [left, right]) expect(viewBoard(doc).reactions?.[note]?.count).toBe(2);
	});

	it('is not undone by the board’s undo (a +1 is its own toggle) and tolerates keys a misbehaving client wrote', () => {
		const doc = new Y.Doc();
		const undo = createUndoManager(doc);
		const note = addNote(doc, { text: 'Kahvila', lane: 'l', author: { id: 'anna', name: 'Anna' } });
		undo.stopCapturing();
		toggleReaction(doc, note, { id: 'anna' });
		undo.undo();
		expect(viewBoard(doc).notes).toEqual([]);
		expect(viewBoard(doc).reactions?.[note]?.count).toBe(1);

		reactionsOf(doc).set('__proto__|anna', true);
		reactionsOf(doc).set('no-author', true);
		const view = viewBoard(doc).reactions!;
		expect(view['__proto__']).toEqual({ count: 1, mine: false });
		expect(({} as Record<string, unknown>).count).toBeUndefined();
		expect(Object.keys(view).sort()).toEqual(['__proto__', note].sort());
		expect(parseReactionKey('no-author')).toBeNull();
		expect(parseReactionKey(reactionKey('n', 'user:1'))).toEqual({ targetId: 'n', authorId: 'user:1' });
	});
});

describe('which reaction keys an update writes (the server’s check)', () => {
	it('finds new keys, keys written over and deleted keys; nothing in other updates', () => {
		const server = new Y.Doc();
		const client = new Y.Doc();
		const note = addNote(client, { text: 'Kahvila', lane: 'l', author: { id: 'anna', name: 'Anna' } });
		sync(client, server);

		// An edit that has nothing to do with reactions, on a board nobody reacted on yet.
		const edit = updateOf(client, () => addNote(client, { text: 'Toinen', lane: 'l', author: { id: 'anna', name: 'Anna' } }));
		expect(reactionKeysWritten(server, edit)).toEqual(new Set());
		Y.applyUpdate(server, edit);

		const first = updateOf(client, () => toggleReaction(client, note, { id: 'anna' }));
		expect(reactionKeysWritten(server, first)).toEqual(new Set([reactionKey(note, 'anna')]));
		expect(writesOthersReactions(server, first, 'anna')).toBe(false);
		expect(writesOthersReactions(server, first, 'bertil')).toBe(true);
		Y.applyUpdate(server, first);

		const over = updateOf(client, () => reactionsOf(client).set(reactionKey(note, 'anna'), 'again'));
		expect(reactionKeysWritten(server, over)).toEqual(new Set([reactionKey(note, 'anna')]));
		Y.applyUpdate(server, over);

		const removal = updateOf(client, () => toggleReaction(client, note, { id: 'anna' }));
		expect(reactionKeysWritten(server, removal)).toEqual(new Set([reactionKey(note, 'anna')]));
		expect(writesOthersReactions(server, removal, 'bertil')).toBe(true);
		Y.applyUpdate(server, removal);

		// Once reactions exist, other updates are read too, and found to write none.
		const later = updateOf(client, () => addNote(client, { text: 'Kolmas', lane: 'l', author: { id: 'anna', name: 'Anna' } }));
		expect(reactionKeysWritten(server, later)).toEqual(new Set());
	});

	it('says it cannot tell when the update depends on what the board lacks; the exact check decides then', () => {
		const server = new Y.Doc();
		const client = new Y.Doc();
		const note = addNote(client, { text: 'Kahvila', lane: 'l', author: { id: 'anna', name: 'Anna' } });
		toggleReaction(client, note, { id: 'anna' });
		sync(client, server);
		// The server never got Bertil's first +1, then receives an update that writes over it.
		const missing = updateOf(client, () => reactionsOf(client).set(reactionKey(note, 'bertil'), true));
		const over = updateOf(client, () => reactionsOf(client).set(reactionKey(note, 'bertil'), 'forged'));
		expect(missing.length).toBeGreaterThan(0);
		expect(reactionKeysWritten(server, over)).toBeNull();
		// Applied to a copy, the update integrates nothing (Yjs keeps it pending): it writes no key the board has. When
		// what it depends on arrives, that update is judged in its turn.
		expect(writesOthersReactions(server, over, 'anna')).toBe(false);
		Y.applyUpdate(server, missing);
		expect(writesOthersReactions(server, over, 'anna')).toBe(true);
	});
});
