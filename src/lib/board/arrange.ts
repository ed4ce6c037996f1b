// Arranging the board: where a dragged note or cluster lands, and the keyboard's "move up / down". Kept apart from
// model.ts so that its code loads when someone first drags or reorders, not with the board (B10).
import * as Y from 'yjs';
import { addToCluster, clustersOf, createCluster, firstWords, local, moveCluster, notesOf, readNote, updateNote } from './model';

/** Where a dragged note lands: a lane (at its end, out of any cluster), a cluster, onto a note, or beside one. */
export type NoteDrop =
	| { kind: 'lane'; lane: string }
	| { kind: 'cluster'; clusterId: string }
	| { kind: 'onto' | 'before' | 'after'; noteId: string };

/** What a drop did, for the announcement: null when it changed nothing. */
export type DropOutcome = { kind: 'lane' | 'cluster' | 'clustered' | 'placed'; lane: string; clusterName: string | null };

const orderOf = (note: Y.Map<unknown>) => readNote('', note).order;

/** The notes listed together with `note`: its cluster's, or its lane's loose ones; in their order. */
function siblingsOf(doc: Y.Doc, lane: string, clusterId: string | null) {
	return [...notesOf(doc)]
		.filter(([, note]) => note instanceof Y.Map && (clusterId ? note.get('clusterId') === clusterId : note.get('lane') === lane && !note.get('clusterId')))
		.sort(([idA, a], [idB, b]) => orderOf(a) - orderOf(b) || Number(a.get('createdAt')) - Number(b.get('createdAt')) || idA.localeCompare(idB));
}

/** Puts note `id` just before or after `anchorId` in the anchor's list (lane and cluster included). */
function placeBeside(doc: Y.Doc, id: string, anchorId: string, side: 'before' | 'after') {
	const anchor = notesOf(doc).get(anchorId);
	if (!anchor || id === anchorId) return;
	const lane = String(anchor.get('lane') ?? '');
	const clusterId = (anchor.get('clusterId') as string | null) ?? null;
	let list = siblingsOf(doc, lane, clusterId).filter(([noteId]) => noteId !== id);
	let at = list.findIndex(([noteId]) => noteId === anchorId) + (side === 'after' ? 1 : 0);
	let low = at > 0 ? orderOf(list[at - 1]![1]) : null;
	let high = at < list.length ? orderOf(list[at]![1]) : null;
	// Halving the gap again and again runs out of precision: then the list is numbered afresh.
	if (low !== null && high !== null && high - low < 1e-6) {
		list.forEach(([noteId], index) => updateNote(doc, noteId, { order: (index + 1) * 1024 }));
		list = siblingsOf(doc, lane, clusterId).filter(([noteId]) => noteId !== id);
		at = list.findIndex(([noteId]) => noteId === anchorId) + (side === 'after' ? 1 : 0);
		low = at > 0 ? orderOf(list[at - 1]![1]) : null;
		high = at < list.length ? orderOf(list[at]![1]) : null;
	}
	const order = low === null ? (high === null ? Date.now() : high - 1024) : high === null ? low + 1024 : (low + high) / 2;
	updateNote(doc, id, { lane, clusterId, order });
}

/** Moves a dragged note, as one change (one undo step). */
export function dropNote(doc: Y.Doc, id: string, drop: NoteDrop): DropOutcome | null {
	const note = notesOf(doc).get(id);
	if (!note) return null;
	const before = JSON.stringify([note.get('lane'), note.get('clusterId'), note.get('order')]);
	let outcome = null as DropOutcome | null;
	local(doc, () => {
		if (drop.kind === 'lane') {
			const last = siblingsOf(doc, drop.lane, null).filter(([noteId]) => noteId !== id).at(-1);
			const order = last ? orderOf(last[1]) + 1024 : orderOf(note);
			updateNote(doc, id, { lane: drop.lane, clusterId: null, order });
			outcome = { kind: 'lane', lane: drop.lane, clusterName: null };
		} else if (drop.kind === 'cluster') {
			const cluster = clustersOf(doc).get(drop.clusterId);
			if (!cluster) return;
			addToCluster(doc, [id], drop.clusterId);
			outcome = { kind: 'cluster', lane: String(cluster.get('lane') ?? ''), clusterName: String(cluster.get('name') ?? '') };
		} else {
			const target = notesOf(doc).get(drop.noteId);
			if (!target || drop.noteId === id) return;
			const lane = String(target.get('lane') ?? '');
			if (drop.kind !== 'onto') {
				placeBeside(doc, id, drop.noteId, drop.kind);
				outcome = { kind: 'placed', lane, clusterName: null };
				return;
			}
			const clusterId = target.get('clusterId') as string | null;
			const cluster = clusterId ? clustersOf(doc).get(clusterId) : undefined;
			if (clusterId && cluster) {
				addToCluster(doc, [id], clusterId);
				outcome = { kind: 'cluster', lane, clusterName: String(cluster.get('name') ?? '') };
			} else {
				// Two loose notes make a cluster, named after the note they were dropped on (renamed later if wanted).
				const name = firstWords(String(target.get('text') ?? ''), 40) || '…';
				createCluster(doc, [drop.noteId, id], name, lane);
				outcome = { kind: 'clustered', lane, clusterName: name };
			}
		}
	});
	const after = JSON.stringify([note.get('lane'), note.get('clusterId'), note.get('order')]);
	return before === after && outcome?.kind !== 'clustered' ? null : outcome;
}

/** Moves a dragged cluster (and its notes) to a lane; its name, or null when it was there already. */
export function dropCluster(doc: Y.Doc, clusterId: string, lane: string): string | null {
	const cluster = clustersOf(doc).get(clusterId);
	if (!cluster || cluster.get('lane') === lane) return null;
	moveCluster(doc, clusterId, lane);
	return String(cluster.get('name') ?? '');
}

/** The keyboard's reordering: one place up (-1) or down (+1) in the note's list; false at either end. */
export function moveNoteBy(doc: Y.Doc, id: string, step: -1 | 1): boolean {
	const note = notesOf(doc).get(id);
	if (!note) return false;
	const list = siblingsOf(doc, String(note.get('lane') ?? ''), (note.get('clusterId') as string | null) ?? null);
	const at = list.findIndex(([noteId]) => noteId === id);
	const neighbour = list[at + step];
	if (at < 0 || !neighbour) return false;
	local(doc, () => placeBeside(doc, id, neighbour[0], step < 0 ? 'before' : 'after'));
	return true;
}

