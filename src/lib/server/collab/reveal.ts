// The reveal of private writing: every participant's private notes onto the shared board at once. For an anonymous
// reveal nothing may tie a note to its author: the notes go on in one update (one message, one logged row) in a
// random order, with the reveal's time as their creation time, so neither the order of messages or structs nor
// the writing times (which facilitators can match with the live per-person counts) point to anyone.
import * as Y from 'yjs';
import { noteColors, notesOf, noteMaxLength, type NoteColor } from '../../board/model';

export type PrivateNote = { id: string; text: string; lane: string; color: NoteColor; authorName: string; createdAt: number };

/**
 * The notes of one private document that are notes (a map with a text and a lane); anything else a client left in
 * it is skipped, so one broken document cannot stop everyone else's reveal.
 */
export function readPrivateNotes(doc: Y.Doc): PrivateNote[] {
	const notes: PrivateNote[] = [];
	for (const [id, value] of notesOf(doc)) {
		if (!(value instanceof Y.Map)) continue;
		const text = value.get('text');
		const lane = value.get('lane');
		if (typeof text !== 'string' || typeof lane !== 'string' || !lane) continue;
		const color = value.get('color');
		const authorName = value.get('authorName');
		const createdAt = value.get('createdAt');
		notes.push({
			id,
			text: text.slice(0, noteMaxLength),
			lane,
			color: noteColors.includes(color as NoteColor) ? (color as NoteColor) : 'yellow',
			authorName: typeof authorName === 'string' ? authorName : '',
			createdAt: typeof createdAt === 'number' && Number.isFinite(createdAt) ? createdAt : 0
		});
	}
	return notes.sort((a, b) => a.createdAt - b.createdAt);
}

/** Fisher–Yates with crypto randomness: the order must not be guessable from anything. */
export function shuffle<T>(items: T[]): T[] {
	const out = [...items];
	const random = new Uint32Array(1);
	for (let i = out.length - 1; i > 0; i--) {
		crypto.getRandomValues(random);
		const j = random[0]! % (i + 1);
		[out[i], out[j]] = [out[j]!, out[i]!];
	}
	return out;
}

/**
 * Writes the revealed notes into the board (call inside one server change). Named reveals keep the writing times and
 * carry the private room's owner as author; anonymous ones carry no author and all share the reveal's time, their
 * board order being the random one.
 */
export function writeRevealedNotes(
	board: Y.Doc,
	people: { participantId: string; notes: PrivateNote[] }[],
	anonymous: boolean,
	now = Date.now()
) {
	const all = people.flatMap(({ participantId, notes }) => notes.map((note) => ({ participantId, note })));
	const ordered = anonymous ? shuffle(all) : all.sort((a, b) => a.note.createdAt - b.note.createdAt);
	const shared = notesOf(board);
	ordered.forEach(({ participantId, note }, index) => {
		const createdAt = anonymous ? now : note.createdAt;
		const copy = new Y.Map<unknown>();
		for (const [key, value] of Object.entries({
			text: note.text,
			lane: note.lane,
			color: note.color,
			clusterId: null,
			authorId: anonymous ? '' : participantId,
			authorName: anonymous ? '' : note.authorName,
			createdAt,
			order: anonymous ? now + index : createdAt
		}))
			copy.set(key, value);
		shared.set(crypto.randomUUID(), copy);
	});
	return ordered.length;
}
