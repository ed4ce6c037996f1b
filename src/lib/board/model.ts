// The board's shared Yjs document: one per workshop, the same shape on server and clients.
// Plain values are written whole; texts edited together (idea titles, canvas fields) are Y.Text.
import * as Y from 'yjs';

export const noteMaxLength = 500;
export const clusterNameMaxLength = 120;
export const commentMaxLength = 1000;
export const ideaTitleMaxLength = 200;
export const canvasFieldMaxLength = 2000;
export const noteColors = ['yellow', 'green', 'blue', 'pink', 'orange', 'purple'] as const;
export type NoteColor = (typeof noteColors)[number];

/** The experiment canvas of an idea card (DESIGN.md), in display order. */
export const canvasFields = [
	'problem',
	'hypothesis',
	'targetGroup',
	'targetAreas',
	'partners',
	'indicators',
	'resources',
	'duration',
	'firstStep'
] as const;
export type CanvasField = (typeof canvasFields)[number];

export type Author = { id: string; name: string };

export type Note = {
	id: string;
	text: string;
	lane: string;
	color: NoteColor;
	clusterId: string | null;
	authorId: string;
	authorName: string;
	createdAt: number;
	/** place in its list (a lane's loose notes or a cluster's notes): smaller first; a new note's is its createdAt */
	order: number;
};
export type Cluster = { id: string; name: string; lane: string; createdAt: number };
export type Comment = { id: string; authorId: string; authorName: string; text: string; at: number };
/** What an idea card was made from: a note, a cluster, or a pilot proposal brought into the workshop. */
export type IdeaSource = { kind: 'note' | 'cluster' | 'pilot'; id: string };
export type Idea = {
	id: string;
	lane: string;
	source: IdeaSource;
	title: Y.Text;
	canvas: Y.Map<Y.Text>;
	comments: Y.Array<Comment>;
	createdAt: number;
};

export const notesOf = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>('notes');
export const clustersOf = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>('clusters');
export const ideasOf = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>('ideas');

/** A random id. Not crypto.randomUUID: browsers offer it only in secure contexts, and a demo on a LAN is plain http. */
export function newId() {
	return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * The origin of every change this client makes through the functions below (and the textarea binding).
 * `createUndoManager` tracks only this origin, so undo takes back one's own changes and never another
 * person's (their changes arrive through the provider with its own origin).
 */
export const localOrigin: unique symbol = Symbol('verstas-board-local');

/** Runs `fn` as one local transaction (nested calls join the outer one and keep its origin). */
export function local<T>(doc: Y.Doc, fn: () => T): T {
	let result!: T;
	doc.transact(() => {
		result = fn();
	}, localOrigin);
	return result;
}

/** Undo and redo of this client's own changes to notes, clusters and ideas (texts included). */
export function createUndoManager(doc: Y.Doc, options: { captureTimeout?: number } = {}) {
	return new Y.UndoManager([notesOf(doc), clustersOf(doc), ideasOf(doc)], {
		trackedOrigins: new Set([localOrigin]),
		captureTimeout: options.captureTimeout ?? 500
	});
}

function mapOf(entries: Record<string, unknown>) {
	const map = new Y.Map<unknown>();
	for (const [key, value] of Object.entries(entries)) map.set(key, value);
	return map;
}

export function addNote(
	doc: Y.Doc,
	note: { text: string; lane: string; color?: NoteColor; author: Author; id?: string; createdAt?: number }
) {
	const id = note.id ?? newId();
	local(doc, () =>
		notesOf(doc).set(
			id,
			mapOf({
				text: note.text.slice(0, noteMaxLength),
				lane: note.lane,
				color: note.color ?? 'yellow',
				clusterId: null,
				authorId: note.author.id,
				authorName: note.author.name,
				createdAt: note.createdAt ?? Date.now(),
				order: note.createdAt ?? Date.now()
			})
		)
	);
	return id;
}

export function updateNote(
	doc: Y.Doc,
	id: string,
	changes: Partial<Pick<Note, 'text' | 'lane' | 'color' | 'clusterId' | 'order'>>
) {
	const note = notesOf(doc).get(id);
	if (!note) return;
	local(doc, () => {
		for (const [key, given] of Object.entries(changes)) {
			const value = key === 'text' ? String(given).slice(0, noteMaxLength) : given;
			// Unchanged values are not rewritten: no needless update, and nothing for undo to record.
			if (note.get(key) !== value) note.set(key, value);
		}
	});
}

/** Moving a note to another lane takes it out of its cluster (clusters live in one lane). */
export function moveNote(doc: Y.Doc, id: string, lane: string) {
	if (notesOf(doc).get(id)?.get('lane') === lane) return;
	updateNote(doc, id, { lane, clusterId: null });
}

export function deleteNote(doc: Y.Doc, id: string) {
	local(doc, () => notesOf(doc).delete(id));
}

export function createCluster(doc: Y.Doc, noteIds: string[], name: string, lane: string) {
	const id = newId();
	local(doc, () => {
		clustersOf(doc).set(id, mapOf({ name: name.slice(0, clusterNameMaxLength), lane, createdAt: Date.now() }));
		for (const noteId of noteIds) updateNote(doc, noteId, { clusterId: id, lane });
	});
	return id;
}

export function renameCluster(doc: Y.Doc, id: string, name: string) {
	local(doc, () => clustersOf(doc).get(id)?.set('name', name.slice(0, clusterNameMaxLength)));
}

/** Puts notes into an existing cluster; they move to its lane. */
export function addToCluster(doc: Y.Doc, noteIds: string[], clusterId: string) {
	const cluster = clustersOf(doc).get(clusterId);
	if (!cluster) return;
	const lane = String(cluster.get('lane') ?? '');
	local(doc, () => {
		for (const noteId of noteIds) updateNote(doc, noteId, { clusterId, lane });
	});
}

export function removeFromCluster(doc: Y.Doc, noteId: string) {
	updateNote(doc, noteId, { clusterId: null });
}

/** Moves a cluster with all its notes to another lane. */
export function moveCluster(doc: Y.Doc, clusterId: string, lane: string) {
	const cluster = clustersOf(doc).get(clusterId);
	if (!cluster) return;
	local(doc, () => {
		if (cluster.get('lane') !== lane) cluster.set('lane', lane);
		for (const [noteId, note] of notesOf(doc)) if (note.get('clusterId') === clusterId) updateNote(doc, noteId, { lane });
	});
}

/** Dissolves a cluster; its notes stay on the board, ungrouped. */
export function deleteCluster(doc: Y.Doc, id: string) {
	local(doc, () => {
		for (const [noteId, note] of notesOf(doc)) if (note.get('clusterId') === id) updateNote(doc, noteId, { clusterId: null });
		clustersOf(doc).delete(id);
	});
}

/** The text's first words, at most `max` characters, with "…" when cut. */
export function firstWords(text: string, max: number) {
	const flat = text.replace(/\s+/g, ' ').trim();
	if (flat.length <= max) return flat;
	const cut = flat.slice(0, max - 1);
	const space = cut.lastIndexOf(' ');
	return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:–-]+$/, '')}…`;
}

export function promoteToIdea(doc: Y.Doc, source: IdeaSource, title: string, lane: string) {
	const existing = [...ideasOf(doc)].find(([, idea]) => {
		const from = idea.get('source') as IdeaSource;
		return from.kind === source.kind && from.id === source.id;
	});
	if (existing) return existing[0];
	const id = newId();
	const canvas = new Y.Map<Y.Text>();
	for (const field of canvasFields) canvas.set(field, new Y.Text());
	local(doc, () =>
		ideasOf(doc).set(
			id,
			mapOf({
				lane,
				source,
				title: new Y.Text(title.slice(0, ideaTitleMaxLength)),
				canvas,
				comments: new Y.Array<Comment>(),
				createdAt: Date.now()
			})
		)
	);
	return id;
}

export function deleteIdea(doc: Y.Doc, id: string) {
	local(doc, () => ideasOf(doc).delete(id));
}

export function addComment(doc: Y.Doc, ideaId: string, author: Author, text: string) {
	const comments = ideasOf(doc).get(ideaId)?.get('comments') as Y.Array<Comment> | undefined;
	if (!comments) return undefined;
	const id = newId();
	local(doc, () =>
		comments.push([{ id, authorId: author.id, authorName: author.name, text: text.slice(0, commentMaxLength), at: Date.now() }])
	);
	return id;
}

export function deleteComment(doc: Y.Doc, ideaId: string, commentId: string) {
	const comments = ideasOf(doc).get(ideaId)?.get('comments') as Y.Array<Comment> | undefined;
	if (!comments) return;
	const index = comments.toArray().findIndex((comment) => comment.id === commentId);
	if (index >= 0) local(doc, () => comments.delete(index, 1));
}

/** The shared text of an idea's title or one of its canvas fields. */
export function ideaText(doc: Y.Doc, ideaId: string, field: CanvasField | 'title'): Y.Text | undefined {
	const idea = ideasOf(doc).get(ideaId);
	if (!idea) return undefined;
	if (field === 'title') return idea.get('title') as Y.Text | undefined;
	return (idea.get('canvas') as Y.Map<Y.Text> | undefined)?.get(field);
}

/** Replaces `remove` characters at `index` with `insert` as one local change (what the textarea binding sends). */
export function editText(text: Y.Text, edit: { index: number; remove: number; insert: string }) {
	const doc = text.doc;
	const apply = () => {
		if (edit.remove > 0) text.delete(edit.index, edit.remove);
		if (edit.insert) text.insert(edit.index, edit.insert);
	};
	if (doc) doc.transact(apply, localOrigin);
	else apply();
}

export function readNote(id: string, note: Y.Map<unknown>): Note {
	const createdAt = Number(note.get('createdAt') ?? 0);
	const order = Number(note.get('order'));
	return {
		id,
		text: String(note.get('text') ?? ''),
		lane: String(note.get('lane') ?? ''),
		color: noteColors.includes(note.get('color') as NoteColor) ? (note.get('color') as NoteColor) : 'yellow',
		clusterId: (note.get('clusterId') as string | null) ?? null,
		authorId: String(note.get('authorId') ?? ''),
		authorName: String(note.get('authorName') ?? ''),
		createdAt,
		// Notes written before notes could be reordered have no order: they keep their place by age.
		order: Number.isFinite(order) ? order : createdAt
	};
}

/** A plain snapshot of the board for rendering (texts as strings; ideas keep their Y types for co-editing). */
export function readBoard(doc: Y.Doc) {
	const notes = [...notesOf(doc)].map(([id, note]) => readNote(id, note)).sort((a, b) => a.createdAt - b.createdAt);
	const clusters: Cluster[] = [...clustersOf(doc)]
		.map(([id, c]) => ({ id, name: String(c.get('name') ?? ''), lane: String(c.get('lane') ?? ''), createdAt: Number(c.get('createdAt') ?? 0) }))
		.sort((a, b) => a.createdAt - b.createdAt);
	const ideas: Idea[] = [...ideasOf(doc)]
		.map(([id, idea]) => ({
			id,
			lane: String(idea.get('lane') ?? ''),
			source: idea.get('source') as IdeaSource,
			title: idea.get('title') as Y.Text,
			canvas: idea.get('canvas') as Y.Map<Y.Text>,
			comments: idea.get('comments') as Y.Array<Comment>,
			createdAt: Number(idea.get('createdAt') ?? 0)
		}))
		.sort((a, b) => a.createdAt - b.createdAt);
	return { notes, clusters, ideas };
}

// Plain views for rendering ------------------------------------------------------------------------------

export type IdeaView = {
	id: string;
	lane: string;
	source: IdeaSource | null;
	title: string;
	comments: Comment[];
	createdAt: number;
};
/** A target's quick +1 reactions: how many, and whether the viewer is one of them. */
export type ReactionView = { count: number; mine: boolean };
export type BoardView = {
	notes: Note[];
	clusters: Cluster[];
	ideas: IdeaView[];
	/** by note or idea id; targets nobody reacted to are absent */
	reactions?: Record<string, ReactionView>;
};

function textOf(value: unknown) {
	return value instanceof Y.Text ? value.toString() : '';
}

function sourceOf(value: unknown): IdeaSource | null {
	if (!value || typeof value !== 'object') return null;
	const { kind, id } = value as Partial<IdeaSource>;
	return (kind === 'note' || kind === 'cluster' || kind === 'pilot') && typeof id === 'string' ? { kind, id } : null;
}

function commentsOf(value: unknown): Comment[] {
	if (!(value instanceof Y.Array)) return [];
	return (value.toArray() as unknown[])
		.filter((comment): comment is Comment => !!comment && typeof comment === 'object' && typeof (comment as Comment).id === 'string')
		.map((comment) => ({
			id: comment.id,
			authorId: String(comment.authorId ?? ''),
			authorName: String(comment.authorName ?? ''),
			text: String(comment.text ?? ''),
			at: Number(comment.at ?? 0)
		}));
}

/**
 * The whole board as plain values (strings, numbers, arrays), safe to hand to a UI framework: nothing in it
 * is a Y type, and malformed entries written by a misbehaving client are normalised rather than trusted.
 */
export function viewBoard(doc: Y.Doc, viewerId?: string): BoardView {
	const notes = [...notesOf(doc)]
		.filter(([, note]) => note instanceof Y.Map)
		.map(([id, note]) => readNote(id, note))
		.sort((a, b) => a.order - b.order || a.createdAt - b.createdAt || a.id.localeCompare(b.id));
	const clusters: Cluster[] = [...clustersOf(doc)]
		.filter(([, c]) => c instanceof Y.Map)
		.map(([id, c]) => ({ id, name: String(c.get('name') ?? ''), lane: String(c.get('lane') ?? ''), createdAt: Number(c.get('createdAt') ?? 0) }))
		.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
	const ideas: IdeaView[] = [...ideasOf(doc)]
		.filter(([, idea]) => idea instanceof Y.Map)
		.map(([id, idea]) => ({
			id,
			lane: String(idea.get('lane') ?? ''),
			source: sourceOf(idea.get('source')),
			title: textOf(idea.get('title')),
			comments: commentsOf(idea.get('comments')),
			createdAt: Number(idea.get('createdAt') ?? 0)
		}))
		.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
	return { notes, clusters, ideas, reactions: viewReactions(doc, viewerId) };
}

// Quick +1 reactions ---------------------------------------------------------------------------------------
// Not votes: never counted in vote rounds. A top-level map keyed `${targetId}|${authorId}`, so each person writes
// only their own keys and two people reacting at once never overwrite each other. The collab server refuses a key
// written for another author id (collab/reactions.ts).

export const reactionsOf = (doc: Y.Doc) => doc.getMap<unknown>('reactions');

/** The reactions map's key for one person's +1 on one note or idea card. */
export const reactionKey = (targetId: string, authorId: string) => `${targetId}|${authorId}`;

/** The target and the author of a reactions key (null for a key that is not one). */
export function parseReactionKey(key: string): { targetId: string; authorId: string } | null {
	const at = key.indexOf('|');
	if (at <= 0 || at === key.length - 1) return null;
	return { targetId: key.slice(0, at), authorId: key.slice(at + 1) };
}

/** Adds the author's +1 to a note or idea card, or takes it back; returns whether it is there now. */
export function toggleReaction(doc: Y.Doc, targetId: string, author: Pick<Author, 'id'>): boolean {
	const reactions = reactionsOf(doc);
	const key = reactionKey(targetId, author.id);
	const on = !reactions.has(key);
	local(doc, () => {
		if (on) reactions.set(key, true);
		else reactions.delete(key);
	});
	return on;
}

function viewReactions(doc: Y.Doc, viewerId?: string): Record<string, ReactionView> {
	// No prototype: a key written as "__proto__|…" must stay an ordinary entry.
	const view = Object.create(null) as Record<string, ReactionView>;
	for (const key of reactionsOf(doc).keys()) {
		const parsed = parseReactionKey(key);
		if (!parsed) continue;
		const entry = (view[parsed.targetId] ??= { count: 0, mine: false });
		entry.count += 1;
		if (viewerId !== undefined && parsed.authorId === viewerId) entry.mine = true;
	}
	return view;
}

// Authors replaced after the fact (account deletion, guest retention) ----------------------------------

/** The author id of notes and comments whose account was deleted: shown as "Poistettu käyttäjä" in each language. */
export const deletedAuthorId = 'deleted';

/**
 * Gives every note and comment written under one of the map's author ids the new author (id and name).
 * Returns how many were changed; an author already replaced changes nothing, so running it again is a no-op.
 */
export function replaceAuthors(doc: Y.Doc, replacements: Map<string, Author>) {
	let changed = 0;
	doc.transact(() => {
		for (const note of notesOf(doc).values()) {
			const next = replacements.get(String(note.get('authorId') ?? ''));
			if (!next || (note.get('authorId') === next.id && note.get('authorName') === next.name)) continue;
			note.set('authorId', next.id);
			note.set('authorName', next.name);
			changed++;
		}
		for (const idea of ideasOf(doc).values()) {
			const comments = idea.get('comments') as Y.Array<Comment> | undefined;
			if (!comments) continue;
			// Comments are plain values in an array: a changed one is put back in its place.
			comments.toArray().forEach((comment, index) => {
				const next = replacements.get(comment.authorId);
				if (!next || (comment.authorId === next.id && comment.authorName === next.name)) return;
				comments.delete(index, 1);
				comments.insert(index, [{ ...comment, authorId: next.id, authorName: next.name }]);
				changed++;
			});
		}
	});
	return changed;
}
