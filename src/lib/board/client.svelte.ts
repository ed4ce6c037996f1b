// The browser side of a board: the Yjs document, its WebSocket provider, presence and undo, as reactive state.
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { createUndoManager, notesOf, readNote, viewBoard, type BoardView, type CanvasField, type IdeaView, type Note } from './model';

export type ConnectionStatus = 'connecting' | 'online' | 'offline' | 'refused';
export type Editing = { ideaId: string; field: CanvasField | 'title' } | null;
/** What each client publishes through awareness. */
export type PresenceState = { name: string; colour: string; editing: Editing };
export type Peer = PresenceState & { clientId: number; isMe: boolean };

/** Presence colours: each has at least 4.5:1 contrast against white and against the light note colours. */
export const presenceColours = ['#0b5394', '#8a1c4a', '#1e5e2a', '#6a2c91', '#8a4500', '#00566b', '#3d3d8f', '#7a1f1f'];

export function presenceColour(seed: string) {
	let hash = 0;
	for (const char of seed) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
	return presenceColours[hash % presenceColours.length]!;
}

function isPresence(value: unknown): value is PresenceState & Record<string, unknown> {
	if (!value || typeof value !== 'object') return false;
	const state = value as Partial<PresenceState>;
	return typeof state.name === 'string' && typeof state.colour === 'string';
}

/** A CSS colour from another client is used only when it is a plain #rrggbb from our palette. */
function safeColour(colour: string) {
	return presenceColours.includes(colour) ? colour : presenceColours[0]!;
}

/** The server's name for a connection (`identity`, stamped on every state by collab/room.ts), never the client's claim. */
function serverName(state: Record<string, unknown>) {
	const identity = state.identity;
	if (!identity || typeof identity !== 'object') return null;
	const name = (identity as { name?: unknown }).name;
	return typeof name === 'string' ? name : null;
}

/** Who is on the board, from the awareness states: named as the server knows them, me first, then by name. */
export function peersOf(states: Map<number, Record<string, unknown>>, myClientId: number): Peer[] {
	const peers: Peer[] = [];
	for (const [clientId, state] of states) {
		// My own state is not sent back to me stamped: its name is the page's, which the server gave.
		const isMe = clientId === myClientId;
		if (!isPresence(state)) continue;
		const name = serverName(state) ?? (isMe ? state.name : null);
		if (name === null) continue;
		peers.push({
			clientId,
			isMe,
			name: name.slice(0, 80),
			colour: safeColour(state.colour),
			editing: state.editing && typeof state.editing === 'object' ? state.editing : null
		});
	}
	peers.sort((a, b) => Number(b.isMe) - Number(a.isMe) || a.name.localeCompare(b.name));
	return peers;
}

export function boardSocketUrl(location: Pick<Location, 'protocol' | 'host'>) {
	return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/collab`;
}

const sameFields = <T extends object>(a: T, b: T) => (Object.keys(b) as (keyof T)[]).every((key) => a[key] === b[key]);
const sameIdea = (a: IdeaView, b: IdeaView) => JSON.stringify(a) === JSON.stringify(b);

/** `next` with the objects of `previous` wherever they are unchanged; `previous` itself when nothing changed. */
function keep<T extends { id: string }>(previous: T[], next: T[], same: (a: T, b: T) => boolean): T[] {
	const before = new Map(previous.map((item) => [item.id, item]));
	let changed = previous.length !== next.length;
	const list = next.map((item, index) => {
		const old = before.get(item.id);
		const kept = old && same(old, item) ? old : item;
		if (kept !== previous[index]) changed = true;
		return kept;
	});
	return changed ? list : previous;
}

/**
 * Every change makes a new view of the whole board; the notes, clusters and ideas that did not change keep their
 * objects, so only the parts of the page that show a changed one update (a drop on a 300-note board touched every note).
 */
export function keepUnchanged(previous: BoardView, next: BoardView): BoardView {
	const notes = keep(previous.notes, next.notes, sameFields);
	const clusters = keep(previous.clusters, next.clusters, sameFields);
	const ideas = keep(previous.ideas, next.ideas, sameIdea);
	const reactions = sameReactions(previous.reactions, next.reactions) ? previous.reactions : next.reactions;
	const unchanged = notes === previous.notes && clusters === previous.clusters && ideas === previous.ideas && reactions === previous.reactions;
	return unchanged ? previous : { notes, clusters, ideas, reactions };
}

function sameReactions(a: BoardView['reactions'], b: BoardView['reactions']) {
	if (!a || !b) return a === b;
	const keys = Object.keys(b);
	return keys.length === Object.keys(a).length && keys.every((key) => a[key] && sameFields(a[key], b[key]!));
}

export class BoardClient {
	// The server renders only the board's frame (the notes arrive over the socket), so the Yjs document is made
	// on first use in the browser: a Y.Doc and its undo manager were a sixth of a board page's server render.
	#yjs: { doc: Y.Doc; undoManager: Y.UndoManager } | null = null;
	provider: WebsocketProvider | null = null;

	status = $state<ConnectionStatus>('connecting');
	/** True once the first full state has arrived from the server. */
	loaded = $state(false);
	board = $state.raw<BoardView>({ notes: [], clusters: [], ideas: [] });
	peers = $state.raw<Peer[]>([]);
	canUndo = $state(false);
	canRedo = $state(false);

	#me: { name: string; colour: string };
	#viewerId: string | undefined;
	#onRemoteNote: (note: Note) => void;
	#onReconnect: () => void;
	#onProvider: (provider: WebsocketProvider) => void;
	#cleanups: (() => void)[] = [];

	constructor(options: {
		me: { name: string; colour: string };
		/** whose +1 reactions the view marks as `mine` */
		viewerId?: string;
		/** a note someone else added while we were in sync */
		onRemoteNote?: (note: Note) => void;
		/** in sync again after a lost connection, or refused for good: what we may do might have changed */
		onReconnect?: () => void;
		/** called with the provider as soon as it exists, e.g. to register handlers for the server's own messages */
		onProvider?: (provider: WebsocketProvider) => void;
	}) {
		this.#me = options.me;
		this.#viewerId = options.viewerId;
		this.#onRemoteNote = options.onRemoteNote ?? (() => {});
		this.#onReconnect = options.onReconnect ?? (() => {});
		this.#onProvider = options.onProvider ?? (() => {});
	}

	get doc() {
		return this.#open().doc;
	}

	get undoManager() {
		return this.#open().undoManager;
	}

	#open() {
		if (this.#yjs) return this.#yjs;
		// A fixed guid: only subdocuments use it, and a random one would cost a crypto call.
		const doc = new Y.Doc({ guid: 'board' });
		const undoManager = createUndoManager(doc);
		this.#yjs = { doc, undoManager };

		const refresh = () => (this.board = keepUnchanged(this.board, viewBoard(doc, this.#viewerId)));
		doc.on('update', refresh);

		const stacks = () => {
			this.canUndo = undoManager.canUndo();
			this.canRedo = undoManager.canRedo();
		};
		for (const event of ['stack-item-added', 'stack-item-popped', 'stack-cleared'] as const) undoManager.on(event, stacks);

		// Notes others add while we are in sync are announced; the initial load and catching up after a
		// reconnection are not (that would read out the whole board).
		const notes = notesOf(doc);
		const onNotes = (event: Y.YMapEvent<Y.Map<unknown>>) => {
			if (event.transaction.local || !this.provider?.synced) return;
			for (const [key, change] of event.changes.keys) {
				if (change.action !== 'add') continue;
				const note = notes.get(key);
				if (note instanceof Y.Map) this.#onRemoteNote(readNote(key, note));
			}
		};
		notes.observe(onNotes);
		return this.#yjs;
	}

	connect(workshopId: string, location: Pick<Location, 'protocol' | 'host'>) {
		const provider = new WebsocketProvider(boardSocketUrl(location), workshopId, this.doc, { disableBc: true });
		this.provider = provider;
		this.#onProvider(provider);

		const onStatus = ({ status }: { status: 'connected' | 'disconnected' | 'connecting' }) => {
			if (this.status === 'refused') return;
			if (status === 'connected') this.status = provider.synced ? 'online' : 'connecting';
			else if (status === 'disconnected') this.status = 'offline';
			else if (this.status !== 'offline') this.status = 'connecting';
		};
		const onSync = (synced: boolean) => {
			if (!synced) return;
			const again = this.loaded;
			this.loaded = true;
			this.status = 'online';
			if (again) this.#onReconnect();
		};
		// A close code in 4400–4499 means the server will not let us in (no access, removed): no retries.
		const onClosed = () => {
			this.status = 'refused';
			this.#onReconnect();
		};
		const onAwareness = () => (this.peers = peersOf(provider.awareness.getStates(), this.doc.clientID));

		// A phone that loses its network may keep a dead socket for a long while: follow the browser's own
		// online/offline events, so the status shows at once and reconnection starts as soon as the network is back.
		const onOffline = () => {
			provider.disconnect();
			if (this.status !== 'refused') this.status = 'offline';
		};
		const onOnline = () => {
			if (this.status !== 'refused') provider.connect();
		};
		window.addEventListener('offline', onOffline);
		window.addEventListener('online', onOnline);

		provider.on('status', onStatus);
		provider.on('sync', onSync);
		provider.on('closed', onClosed);
		provider.awareness.on('change', onAwareness);
		provider.awareness.setLocalState({ name: this.#me.name, colour: this.#me.colour, editing: null } satisfies PresenceState);
		this.#cleanups.push(() => {
			window.removeEventListener('offline', onOffline);
			window.removeEventListener('online', onOnline);
			provider.off('status', onStatus);
			provider.off('sync', onSync);
			provider.off('closed', onClosed);
			provider.awareness.off('change', onAwareness);
			provider.destroy();
		});
	}

	/** Tells the others which field of which idea card we are typing in (null when we leave it). */
	setEditing(editing: Editing) {
		this.provider?.awareness.setLocalStateField('editing', editing);
	}

	/** Ends the current undo step, so the next change is undone separately (called after each action). */
	endStep() {
		this.undoManager.stopCapturing();
	}

	undo() {
		this.undoManager.stopCapturing();
		this.undoManager.undo();
	}

	redo() {
		this.undoManager.redo();
	}

	destroy() {
		for (const cleanup of this.#cleanups.splice(0).reverse()) cleanup();
		// Destroying the document and the undo manager also drops the listeners put on them in #open.
		this.#yjs?.undoManager.destroy();
		this.#yjs?.doc.destroy();
	}
}
