// The board's Yjs model with real Yjs documents: two replicas exchange updates with Y.applyUpdate, as two
// browsers do through the collab server.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	addComment,
	addNote,
	addToCluster,
	canvasFields,
	createCluster,
	createUndoManager,
	deleteCluster,
	deleteComment,
	deleteIdea,
	deleteNote,
	ideaText,
	ideasOf,
	moveCluster,
	moveNote,
	noteMaxLength,
	promoteToIdea,
	readBoard,
	removeFromCluster,
	renameCluster,
	updateNote,
	viewBoard
} from '../../src/lib/board/model';
import { editText } from '../../src/lib/board/model';
import { applyEdit, diffText, transformPosition, type TextDelta } from '../../src/lib/board/text-binding';

const remote = Symbol('remote');
const anna = { id: 'p-anna', name: 'Anna' };
const ben = { id: 'p-ben', name: 'Ben' };

/** Two replicas of one board, wired so every change on one reaches the other (like the server relay). */
function pair() {
	const a = new Y.Doc();
	const b = new Y.Doc();
	a.on('update', (update: Uint8Array, origin: unknown) => origin !== remote && Y.applyUpdate(b, update, remote));
	b.on('update', (update: Uint8Array, origin: unknown) => origin !== remote && Y.applyUpdate(a, update, remote));
	return { a, b };
}

/** Two replicas that are offline from each other until `sync()` exchanges what each is missing. */
function offlinePair() {
	const a = new Y.Doc();
	const b = new Y.Doc();
	const sync = () => {
		const toB = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b));
		const toA = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a));
		Y.applyUpdate(b, toB, remote);
		Y.applyUpdate(a, toA, remote);
	};
	return { a, b, sync };
}

describe('notes', () => {
	it('are added, edited and moved on one replica and seen on the other', () => {
		const { a, b } = pair();
		const id = addNote(a, { text: 'Kerhotilat iltaisin auki', lane: 'families', color: 'green', author: anna });
		expect(viewBoard(b).notes).toMatchObject([
			{ id, text: 'Kerhotilat iltaisin auki', lane: 'families', color: 'green', clusterId: null, authorId: 'p-anna', authorName: 'Anna' }
		]);

		updateNote(b, id, { text: 'Kerhotilat auki myös iltaisin' });
		moveNote(b, id, 'young-adults');
		expect(viewBoard(a).notes[0]).toMatchObject({ text: 'Kerhotilat auki myös iltaisin', lane: 'young-adults' });

		deleteNote(a, id);
		expect(viewBoard(b).notes).toEqual([]);
	});

	it('are cut to the maximum length and get a valid colour', () => {
		const doc = new Y.Doc();
		const id = addNote(doc, { text: 'x'.repeat(noteMaxLength + 50), lane: 'l', author: anna });
		expect(viewBoard(doc).notes[0]!.text).toHaveLength(noteMaxLength);
		// A colour written by a misbehaving client is shown as the default, never passed on as is.
		notesOfDoc(doc).get(id)!.set('color', 'url(javascript:alert(1))');
		expect(viewBoard(doc).notes[0]!.color).toBe('yellow');
	});

	it('moving a clustered note to another lane takes it out of its cluster', () => {
		const doc = new Y.Doc();
		const n1 = addNote(doc, { text: 'a', lane: 'l1', author: anna });
		const n2 = addNote(doc, { text: 'b', lane: 'l1', author: anna });
		const cluster = createCluster(doc, [n1, n2], 'Ryhmä', 'l1');
		moveNote(doc, n1, 'l2');
		const notes = viewBoard(doc).notes;
		expect(notes.find((n) => n.id === n1)).toMatchObject({ lane: 'l2', clusterId: null });
		expect(notes.find((n) => n.id === n2)).toMatchObject({ lane: 'l1', clusterId: cluster });
	});
});

function notesOfDoc(doc: Y.Doc) {
	return doc.getMap<Y.Map<unknown>>('notes');
}

describe('clusters', () => {
	it('are created from notes of any lane, renamed, extended, moved and ungrouped', () => {
		const { a, b } = pair();
		const n1 = addNote(a, { text: 'Nuorisotalo', lane: 'l1', author: anna });
		const n2 = addNote(b, { text: 'Harrastustakuu', lane: 'l2', author: ben });
		const n3 = addNote(b, { text: 'Kesätyöt', lane: 'l2', author: ben });

		const cluster = createCluster(a, [n1, n2], 'Vapaa-aika', 'l1');
		expect(viewBoard(b).clusters).toMatchObject([{ id: cluster, name: 'Vapaa-aika', lane: 'l1' }]);
		// Grouped notes join the cluster's lane.
		const grouped = viewBoard(b).notes.filter((n) => n.clusterId === cluster);
		expect(grouped.map((n) => n.id).sort()).toEqual([n1, n2].sort());
		expect(grouped.map((n) => n.lane)).toEqual(['l1', 'l1']);

		renameCluster(b, cluster, 'Vapaa-aika ja harrastukset');
		addToCluster(b, [n3], cluster);
		expect(viewBoard(a).clusters[0]!.name).toBe('Vapaa-aika ja harrastukset');
		expect(viewBoard(a).notes.find((n) => n.id === n3)).toMatchObject({ clusterId: cluster, lane: 'l1' });

		moveCluster(a, cluster, 'l3');
		expect(viewBoard(b).clusters[0]!.lane).toBe('l3');
		expect(viewBoard(b).notes.every((n) => n.lane === 'l3')).toBe(true);

		removeFromCluster(b, n3);
		expect(viewBoard(a).notes.find((n) => n.id === n3)!.clusterId).toBeNull();

		deleteCluster(a, cluster);
		const board = viewBoard(b);
		expect(board.clusters).toEqual([]);
		// Ungrouping keeps the notes.
		expect(board.notes).toHaveLength(3);
		expect(board.notes.every((n) => n.clusterId === null)).toBe(true);
	});
});

describe('idea cards', () => {
	it('are promoted from a note or a cluster once, with an empty canvas, and can be deleted', () => {
		const { a, b } = pair();
		const note = addNote(a, { text: 'Lähiöiden kesäkahvilat', lane: 'l1', author: anna });
		const idea = promoteToIdea(a, { kind: 'note', id: note }, 'Lähiöiden kesäkahvilat', 'l1');
		// Promoting the same note again (e.g. both people pressed the button) finds the same card.
		expect(promoteToIdea(b, { kind: 'note', id: note }, 'toinen', 'l1')).toBe(idea);

		const cluster = createCluster(b, [note], 'Kohtaamispaikat', 'l1');
		const clusterIdea = promoteToIdea(b, { kind: 'cluster', id: cluster }, 'Kohtaamispaikat', 'l1');

		const view = viewBoard(a);
		expect(view.ideas.map((i) => [i.id, i.title, i.source]).sort()).toEqual(
			[
				[idea, 'Lähiöiden kesäkahvilat', { kind: 'note', id: note }],
				[clusterIdea, 'Kohtaamispaikat', { kind: 'cluster', id: cluster }]
			].sort()
		);
		for (const field of canvasFields) expect(ideaText(a, idea, field)?.toString()).toBe('');
		// readBoard (kept for its Y types) sees the same cards.
		expect(readBoard(a).ideas.map((i) => i.title.toString()).sort()).toEqual(['Kohtaamispaikat', 'Lähiöiden kesäkahvilat']);

		deleteIdea(b, idea);
		expect(viewBoard(a).ideas.map((i) => i.id)).toEqual([clusterIdea]);
	});

	it('take comments from both replicas, and one can delete a comment', () => {
		const { a, b } = pair();
		const idea = promoteToIdea(a, { kind: 'note', id: 'n' }, 'Idea', 'l1');
		const first = addComment(a, idea, anna, 'Kumppaniksi seurakunta?');
		addComment(b, idea, ben, 'Ja nuorisopalvelut.');
		expect(viewBoard(b).ideas[0]!.comments.map((c) => [c.authorName, c.text])).toEqual([
			['Anna', 'Kumppaniksi seurakunta?'],
			['Ben', 'Ja nuorisopalvelut.']
		]);
		deleteComment(b, idea, first!);
		expect(viewBoard(a).ideas[0]!.comments.map((c) => c.text)).toEqual(['Ja nuorisopalvelut.']);
	});

	it('concurrent edits of one canvas field merge character by character', () => {
		const { a, b, sync } = offlinePair();
		const idea = promoteToIdea(a, { kind: 'note', id: 'n' }, 'Idea', 'l1');
		sync();
		const onA = ideaText(a, idea, 'hypothesis')!;
		const onB = ideaText(b, idea, 'hypothesis')!;
		editText(onA, { index: 0, remove: 0, insert: 'Jos avaamme koulut iltaisin, ' });
		sync();

		// Both type at the same time without seeing each other: Anna in the middle, Ben at the end.
		editText(onA, diffText(onA.toString(), 'Jos avaamme koulujen salit iltaisin, ', 'Jos avaamme koulujen salit'.length)!);
		editText(onB, diffText(onB.toString(), 'Jos avaamme koulut iltaisin, niin nuoret liikkuvat.')!);
		// And both type into the title, one letter at a time.
		const titleA = ideaText(a, idea, 'title')!;
		const titleB = ideaText(b, idea, 'title')!;
		for (const char of ' A') editText(titleA, { index: titleA.length, remove: 0, insert: char });
		[...'B '].forEach((char, i) => editText(titleB, { index: i, remove: 0, insert: char }));
		sync();

		expect(onA.toString()).toBe('Jos avaamme koulujen salit iltaisin, niin nuoret liikkuvat.');
		expect(onB.toString()).toBe(onA.toString());
		expect(titleA.toString()).toBe('B Idea A');
		expect(titleB.toString()).toBe(titleA.toString());
	});
});

describe('undo', () => {
	it('takes back only one’s own changes, one step at a time, and redoes them', () => {
		const { a, b } = pair();
		const undoA = createUndoManager(a);
		const undoB = createUndoManager(b);

		const mine = addNote(a, { text: 'Annan lappu', lane: 'l1', author: anna });
		undoA.stopCapturing();
		const theirs = addNote(b, { text: 'Benin lappu', lane: 'l1', author: ben });
		undoB.stopCapturing();
		moveNote(a, theirs, 'l2'); // Anna moves Ben's note: that move is hers to undo
		undoA.stopCapturing();

		expect(undoB.canUndo()).toBe(true);
		undoA.undo(); // the move
		expect(viewBoard(b).notes.find((n) => n.id === theirs)!.lane).toBe('l1');
		undoA.undo(); // her note
		expect(viewBoard(b).notes.map((n) => n.id)).toEqual([theirs]);
		expect(undoA.canUndo()).toBe(false);
		// Nothing of Ben's was touched, and his own undo still has his note.
		undoA.redo();
		expect(viewBoard(b).notes.map((n) => n.id).sort()).toEqual([mine, theirs].sort());
		undoB.undo();
		expect(viewBoard(a).notes.map((n) => n.id)).toEqual([mine]);
	});

	it('brings back a deleted note, cluster and idea card with its canvas', () => {
		const { a, b } = pair();
		const undoA = createUndoManager(a);
		const n1 = addNote(b, { text: 'yksi', lane: 'l1', author: ben });
		const n2 = addNote(b, { text: 'kaksi', lane: 'l1', author: ben });
		const cluster = createCluster(b, [n1, n2], 'Ryhmä', 'l1');
		const idea = promoteToIdea(b, { kind: 'cluster', id: cluster }, 'Ryhmä', 'l1');
		editText(ideaText(b, idea, 'problem')!, { index: 0, remove: 0, insert: 'Yksinäisyys' });

		deleteNote(a, n1);
		undoA.stopCapturing();
		deleteCluster(a, cluster);
		undoA.stopCapturing();
		deleteIdea(a, idea);
		undoA.stopCapturing();
		expect(viewBoard(b)).toMatchObject({ clusters: [], ideas: [] });
		expect(viewBoard(b).notes.map((n) => n.id)).toEqual([n2]);

		undoA.undo();
		expect(ideaText(b, idea, 'problem')!.toString()).toBe('Yksinäisyys');
		expect(viewBoard(b).ideas[0]).toMatchObject({ id: idea, title: 'Ryhmä', source: { kind: 'cluster', id: cluster } });
		undoA.undo();
		expect(viewBoard(b).clusters.map((c) => c.id)).toEqual([cluster]);
		expect(viewBoard(b).notes.find((n) => n.id === n2)!.clusterId).toBe(cluster);
		undoA.undo();
		expect(viewBoard(b).notes.find((n) => n.id === n1)).toMatchObject({ text: 'yksi', clusterId: cluster });
	});

	it('undoes one’s own typing in a shared field and keeps the other person’s', () => {
		const { a, b } = pair();
		// Keystrokes close together are one undo step (500 ms in the app); here all of them, however slow the machine.
		const undoA = createUndoManager(a, { captureTimeout: 60_000 });
		const idea = promoteToIdea(b, { kind: 'note', id: 'n' }, 'Idea', 'l1');
		const onA = ideaText(a, idea, 'firstStep')!;
		const onB = ideaText(b, idea, 'firstStep')!;
		editText(onB, { index: 0, remove: 0, insert: 'Sovitaan tapaaminen.' });
		for (const char of ' Kutsutaan nuoret.') editText(onA, { index: onA.length, remove: 0, insert: char });
		editText(onB, { index: 0, remove: 0, insert: 'Ensin: ' });
		expect(onA.toString()).toBe('Ensin: Sovitaan tapaaminen. Kutsutaan nuoret.');

		undoA.undo();
		expect(onB.toString()).toBe('Ensin: Sovitaan tapaaminen.');
		undoA.redo();
		expect(onB.toString()).toBe('Ensin: Sovitaan tapaaminen. Kutsutaan nuoret.');
	});
});

describe('textarea binding: diffText and transformPosition', () => {
	it('finds the one changed span', () => {
		expect(diffText('abc', 'abc')).toBeNull();
		expect(diffText('', 'moi')).toEqual({ index: 0, remove: 0, insert: 'moi' });
		expect(diffText('hello world', 'hello brave world', 'hello brave '.length)).toEqual({ index: 6, remove: 0, insert: 'brave ' });
		expect(diffText('hello world', 'hello', 5)).toEqual({ index: 5, remove: 6, insert: '' });
		expect(diffText('abcdef', 'abXYef', 4)).toEqual({ index: 2, remove: 2, insert: 'XY' });
	});

	it('uses the caret to place an edit inside a run of equal letters', () => {
		// "aa" → "aaa" by typing after the first letter (caret 2): an insertion at 1, not at the end.
		expect(diffText('aa', 'aaa', 2)).toEqual({ index: 1, remove: 0, insert: 'a' });
		expect(diffText('aa', 'aaa', 1)).toEqual({ index: 0, remove: 0, insert: 'a' });
		// Backspace of the second of three: the caret is at 1.
		expect(diffText('aaa', 'aa', 1)).toEqual({ index: 1, remove: 1, insert: '' });
	});

	it('never splits a surrogate pair', () => {
		const edit = diffText('a😀b', 'a😃b', 3)!;
		expect(edit).toEqual({ index: 1, remove: 2, insert: '😃' });
		expect(applyEdit('a😀b', edit)).toBe('a😃b');
	});

	it('round-trips random edits', () => {
		let seed = 7;
		const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
		const alphabet = 'aab c';
		for (let round = 0; round < 500; round++) {
			const before = Array.from({ length: random(12) }, () => alphabet[random(alphabet.length)]).join('');
			const start = random(before.length + 1);
			const end = start + random(before.length - start + 1);
			const insert = Array.from({ length: random(4) }, () => alphabet[random(alphabet.length)]).join('');
			const after = before.slice(0, start) + insert + before.slice(end);
			const edit = diffText(before, after, start + insert.length);
			expect(edit ? applyEdit(before, edit) : before).toBe(after);
		}
	});

	it('moves a caret through remote inserts and deletes', () => {
		const insertAt = (index: number, text: string): TextDelta => [{ retain: index }, { insert: text }];
		const deleteAt = (index: number, count: number): TextDelta => (index ? [{ retain: index }, { delete: count }] : [{ delete: count }]);
		expect(transformPosition(5, insertAt(2, 'xyz'))).toBe(8);
		expect(transformPosition(5, insertAt(7, 'xyz'))).toBe(5);
		// Someone typing exactly at our caret: the caret stays in front of their text (the selection end follows it).
		expect(transformPosition(5, insertAt(5, 'xyz'))).toBe(5);
		expect(transformPosition(5, insertAt(5, 'xyz'), true)).toBe(8);
		expect(transformPosition(5, [{ insert: 'ab' }])).toBe(7);
		expect(transformPosition(5, deleteAt(1, 2))).toBe(3);
		expect(transformPosition(5, deleteAt(3, 10))).toBe(3);
		expect(transformPosition(5, deleteAt(6, 1))).toBe(5);
		expect(transformPosition(5, [{ retain: 1 }, { delete: 1 }, { insert: 'XY' }])).toBe(6);
	});

	it('keeps both people’s typing when the field follows remote edits (the binding’s loop, without a DOM)', () => {
		// A stand-in for the textarea: its value and caret, updated the way bindText updates the real one.
		const { a, b } = pair();
		const idea = promoteToIdea(a, { kind: 'note', id: 'n' }, 'Idea', 'l1');
		const text = { a: ideaText(a, idea, 'problem')!, b: ideaText(b, idea, 'problem')! };
		const field = { a: { value: '', caret: 0 }, b: { value: '', caret: 0 } };
		for (const side of ['a', 'b'] as const) {
			text[side].observe((event) => {
				const value = text[side].toString();
				if (field[side].value === value) return;
				field[side].caret = transformPosition(field[side].caret, event.delta as TextDelta);
				field[side].value = value;
			});
		}
		const type = (side: 'a' | 'b', chars: string) => {
			for (const char of chars) {
				const f = field[side];
				f.value = f.value.slice(0, f.caret) + char + f.value.slice(f.caret);
				f.caret += 1;
				editText(text[side], diffText(text[side].toString(), f.value, f.caret)!);
			}
		};
		type('a', 'Nuoret ');
		field.b.caret = field.b.value.length;
		type('b', 'kokevat');
		field.a.caret = 0;
		// Interleaved keystrokes: Anna at the start, Ben at the end.
		for (let i = 0; i < 6; i++) {
			type('a', 'Moni '[i] ?? '');
			type('b', ' yksinäisyyttä.'.slice(i * 3, i * 3 + 3));
		}
		expect(field.a.value).toBe('Moni Nuoret kokevat yksinäisyyttä.');
		expect(field.b.value).toBe(field.a.value);
		expect(field.a.caret).toBe('Moni '.length);
		expect(field.b.caret).toBe(field.b.value.length);
	});
});

describe('malformed documents', () => {
	it('are shown without crashing and without trusting odd values', () => {
		const doc = new Y.Doc();
		ideasOf(doc).set('bad', new Y.Map());
		doc.getMap('notes').set('weird', 'not a map' as never);
		const view = viewBoard(doc);
		expect(view.notes).toEqual([]);
		expect(view.ideas).toEqual([{ id: 'bad', lane: '', source: null, title: '', comments: [], createdAt: 0 }]);
	});
});
