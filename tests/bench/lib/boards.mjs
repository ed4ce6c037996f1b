// Realistic boards for seeding: notes (board/model.ts addNote's shape) written by many participants, each
// note in its own transaction, a third of them edited once and a sixth moved to another lane, so the
// document carries many client ids and deletions like a board after a real workshop.
import * as Y from 'yjs';

const lanes = ['lane-1', 'lane-2', 'lane-3', 'lane-4', 'lane-5'];
const colors = ['yellow', 'blue', 'green', 'pink'];
const words = 'kirjasto nuoret liikunta palvelu kokeilu asukas puisto koulu digituki kulttuuri yhteisö ikäihmiset lähiö kävely pyöräily ruoka energia kierrätys'.split(' ');

function sentence(seed) {
	const length = 6 + (seed % 10);
	return Array.from({ length }, (_, k) => words[(seed * 7 + k * 13) % words.length]).join(' ');
}

/** One Yjs update holding a board of `noteCount` notes by `authors` participants. */
export function boardUpdate(noteCount, authors = Math.min(100, Math.max(1, Math.ceil(noteCount / 20)))) {
	const updates = [];
	for (let a = 0; a < authors; a++) {
		const doc = new Y.Doc();
		const notes = doc.getMap('notes');
		for (let n = a; n < noteCount; n += authors) {
			doc.transact(() => {
				const map = new Y.Map();
				for (const [key, value] of Object.entries({
					text: sentence(n),
					lane: lanes[n % lanes.length],
					color: colors[n % colors.length],
					clusterId: null,
					authorId: `author-${a}`,
					authorName: `Osallistuja ${a + 1}`,
					createdAt: 1_760_000_000_000 + n * 1000
				}))
					map.set(key, value);
				notes.set(`note-${n}`, map);
			});
		}
		for (let n = a; n < noteCount; n += authors) {
			if (n % 3 === 0) doc.transact(() => notes.get(`note-${n}`).set('text', `${sentence(n)} (muokattu)`));
			if (n % 6 === 1) doc.transact(() => notes.get(`note-${n}`).set('lane', lanes[(n + 1) % lanes.length]));
		}
		updates.push(Y.encodeStateAsUpdate(doc));
		doc.destroy();
	}
	return Y.mergeUpdates(updates);
}
