// One workshop's board in memory: its Yjs document, the connections to it, and their awareness.
// Incoming document updates are queued, then once per event-loop turn applied, appended to the log in
// one transaction, and only then sent on as one merged update; awareness is coalesced the same way.
// The store is asynchronous (SQLite through the transaction guard, or PostgreSQL): one store operation per room
// is in flight at a time, and what arrives meanwhile is applied and saved after it, in order (see #startSave).
import * as decoding from 'lib0/decoding';
import type { WebSocket } from 'ws';
import * as Y from 'yjs';
import {
	closeCodes,
	encodeAwareness,
	encodeLive,
	encodePermissionDenied,
	encodeRefused,
	encodeSyncStep1,
	encodeSyncStep2,
	encodeUpdate,
	messageAwareness,
	messageQueryAwareness,
	messageSync,
	syncStep1,
	syncStep2,
	syncUpdate
} from './protocol';
import { liveStateAt, parseRoomName, phasePermissions, type LiveSnapshot } from './live-state';
import { judgeUpdate } from './board-limits';
import { withCommentAuthor } from './comment-authors';
import { writesNotesAsOthers } from './identity';
import { addsNotes } from './note-additions';
import { writesOthersReactions } from './reactions';
import type { BoardStore, StoredBoard } from './store';
import type { RelayFrame } from './relay';

import { forgeryRefusal, type RefusalReason, type WireRefusal } from '../../live-protocol';

export type { RefusalReason };

export type BoardRole = 'facilitator' | 'participant' | 'observer';

export type ConnectionIdentity = {
	participantId: string | null;
	userId: string | null;
	displayName: string;
	role: BoardRole;
};

/** The author notes, comments and reactions carry: the participant, or `user:` and the user id for a facilitator who has not joined as one; the name the server knows. */
const authorOf = (identity: ConnectionIdentity) => ({ id: identity.participantId ?? `user:${identity.userId}`, name: identity.displayName });

export type RoomSettings = {
	/** compact once this many updates were logged since the last compaction… */
	compactEveryUpdates: number;
	/** …or this long after the first update that is not in the snapshot */
	compactAfterMs: number;
	/** how long an empty room stays in memory… */
	unloadAfterMs: number;
	/** …unless more rooms than this are empty: then the longest-empty ones are unloaded at once */
	maxIdleRooms: number;
	/** at most one awareness broadcast per room in this interval */
	awarenessIntervalMs: number;
	/** a connection sending more messages than this in a second is closed (1008) */
	maxMessagesPerSecond: number;
	/** a connection sending more document updates than this in a second is closed (1008) */
	maxUpdatesPerSecond: number;
	/** updates arriving within this long of the last broadcast are merged into the next one (longer in large rooms) */
	updateIntervalMs: number;
	/** a connection whose send buffer grows over this is dropped (it reconnects and resyncs) */
	maxBufferedBytes: number;
	/** awareness client ids one connection may speak for */
	maxAwarenessClientsPerConnection: number;
	/** awareness states not renewed for this long are removed (y-protocols' outdatedTimeout) */
	awarenessTimeoutMs: number;
	/** notes on one board (shared or private); an update adding more is refused ('full') */
	maxNotes: number;
	/** a board's encoded size: an update that adds content beyond it is refused ('full'); deleting is always allowed */
	maxBoardBytes: number;
	/** one document update's size: a larger one is refused unread ('tooLong'); decoding a megabyte takes 60–200 ms */
	maxUpdateBytes: number;
	/** sync step 1 requests a connection may send per second (each is answered with what it lacks of the board) */
	maxSyncRequestsPerSecond: number;
};

type Logger = Pick<Console, 'error' | 'warn'>;

/**
 * How long after a broadcast further updates wait to be merged into the next one: the base interval up to 150
 * connections, growing with the room up to 8× (a room of 300: 8 ms, 600: 16 ms, 1,000: 27 ms, 1,200 or more: 32 ms).
 * Every broadcast is one send per connection, and each send is a system call (B13, 1,000 editors: half the server's
 * time in writev), so a large busy room is served with fewer, larger sends; the wait stays far below what a person
 * notices.
 */
export function mergeWindowMs(baseMs: number, connections: number) {
	return baseMs * Math.min(8, Math.max(1, connections / 150));
}

class MalformedMessage extends Error {}

function samePerson(a: Connection, b: Connection) {
	const x = a.identity;
	const y = b.identity;
	return (x.participantId ?? x.userId) === (y.participantId ?? y.userId);
}

const WS_OPEN = 1;

/** One WebSocket of one person to one board. */
const scratchGuid = 'verstas-scratch';

const emptyStateVector = Y.encodeStateVector(new Y.Doc());
const syncKey = (stateVector: Uint8Array) => Buffer.from(stateVector).toString('base64');

/** Counts events in one-second windows. */
class RateWindow {
	#start = 0;
	#count = 0;

	/** Counts one event; false when the window is over the limit. */
	admit(now: number, limit: number) {
		if (now - this.#start >= 1000) {
			this.#start = now;
			this.#count = 0;
		}
		return ++this.#count <= limit;
	}
}

export class Connection {
	closed = false;
	alive = true;
	/** every message, and document updates on their own (a tighter budget: each is stored and sent to everyone) */
	readonly messages = new RateWindow();
	readonly updates = new RateWindow();
	readonly syncRequests = new RateWindow();
	#toldReadOnly = false;
	#lastRefusal = 0;
	/** awareness client ids this connection speaks for */
	readonly awarenessIds = new Set<number>();
	/** votes sent on this socket, answered one after another in the order they came (server.ts) */
	votes: Promise<void> = Promise.resolve();

	constructor(
		readonly ws: WebSocket,
		public identity: ConnectionIdentity,
		/** the handshake's Cookie header: open connections are authorised again periodically */
		readonly cookieHeader?: string,
		/** every send is bounded by this (sync replies included) */
		readonly maxBufferedBytes = Infinity
	) {}

	get writable() {
		return this.identity.role !== 'observer';
	}

	send(message: Uint8Array, maxBufferedBytes = this.maxBufferedBytes) {
		if (this.closed || this.ws.readyState !== WS_OPEN) return;
		const buffered = this.ws.bufferedAmount;
		// (A message is always let into an empty buffer, so a board larger than the limit still reaches a phone.)
		if (buffered > 0 && buffered + message.byteLength > maxBufferedBytes) {
			// A reader this slow would hold the whole room's traffic (or the board, asked for again and again) in
			// memory: it is dropped before the message is queued; it reconnects and resyncs.
			this.closed = true;
			this.ws.terminate();
			return;
		}
		this.ws.send(message);
	}

	/**
	 * Several messages in one write to the socket: each send is a system call (B12, 40 rooms of 25: writev was a third
	 * of the server's time), and a board's change and its presence often go out at the same moment. ws corks its own
	 * frames the same way; the socket is its (internal, long-stable) `_socket`.
	 */
	sendTogether(messages: readonly Uint8Array[], maxBufferedBytes = this.maxBufferedBytes) {
		if (messages.length < 2) {
			if (messages.length) this.send(messages[0]!, maxBufferedBytes);
			return;
		}
		const socket = (this.ws as unknown as { _socket?: { cork?(): void; uncork?(): void } })._socket;
		socket?.cork?.();
		try {
			for (const message of messages) this.send(message, maxBufferedBytes);
		} finally {
			socket?.uncork?.();
		}
	}

	/** Observers' document updates are dropped; the client is told once (y-websocket logs it). */
	tellReadOnly() {
		if (this.#toldReadOnly) return;
		this.#toldReadOnly = true;
		this.send(encodePermissionDenied('read-only: observers cannot change the board'));
	}

	/** Type 101 with the reason, at most once a second. */
	tellRefused(reason: WireRefusal, now = Date.now()) {
		if (now - this.#lastRefusal < 1000) return;
		this.#lastRefusal = now;
		this.send(encodeRefused(reason));
	}

	resetReadOnlyNotice() {
		this.#toldReadOnly = false;
	}

	close(code: number, reason: string) {
		if (this.closed) return;
		this.closed = true;
		this.ws.close(code, reason);
		// A peer that does not answer the closing handshake is cut off. The timer goes with the socket: it holds this
		// connection and, through the socket's listeners, its room (a whole board) for as long as it waits (B7: a
		// stream of refused clients kept their boards 2 s each, 400 MB of heap).
		if (this.ws.readyState === this.ws.CLOSED) return;
		const cutOff = setTimeout(() => this.ws.terminate(), 2000).unref();
		this.ws.once('close', () => clearTimeout(cutOff));
	}
}

type AwarenessEntry = {
	clock: number;
	/** the state as JSON ("null" once removed; the clock is kept so stale messages are refused) */
	json: string;
	lastUpdated: number;
	owner: Connection | null;
};

export class Room {
	readonly doc = new Y.Doc();
	readonly connections = new Set<Connection>();
	closed = false;
	/** the workshop, and the participant whose private document this is (null: the shared board) */
	readonly key: { workshopId: string; privateOf: string | null };

	/** resolves once the stored board is loaded (rejects when it could not be: the room is then closed) */
	readonly ready: Promise<void>;
	#loaded = false;
	/** what arrived while the board was loading (connections' greetings, messages, other nodes' updates), in order */
	#beforeLoad: (() => void)[] = [];
	/** the live state participants' updates are judged by: read on load, then set by every change (setLive) */
	#live: LiveSnapshot | undefined;
	#liveVersion = 0;

	#pending: { connection: Connection; update: Uint8Array }[] = [];
	/** applied to the document, not yet handed to the store; and the store operation in flight (one at a time) */
	#unsaved: Uint8Array[] = [];
	#unsavedSenders = new Set<Connection>();
	#unsavedFromServer = false;
	#saving: Promise<void> | null = null;
	/** an append is in flight: the document holds changes the log does not have yet */
	#appending = false;
	#saveError: unknown = null;
	#flushAfterSave = false;
	#compactAfterSave = false;
	/** sync step 1 requests waiting until the document holds only what is stored (a client never gets unsaved changes) */
	#waitingSync: { connection: Connection; stateVector: Uint8Array }[] = [];
	#idleWaiters: (() => void)[] = [];
	/** connections whose messages wait for a catch-up from the store (several nodes), in order */
	#parked = new Map<Connection, Uint8Array[]>();
	/** shutting down: the last saves are under way and nothing more is accepted */
	#closing = false;
	/** server-side changes under way: like a connection, each keeps an empty room from unloading under it */
	#serverChanges = 0;
	/** bytes and new notes of the queued updates, counted against the board's limits before they are applied */
	#pendingBytes = 0;
	#pendingNewNotes = 0;
	/** the board's encoded size, an upper bound: the snapshot's, plus every change logged since */
	#encodedBytes = 0;
	#flushScheduled = false;
	#lastFlush = 0;
	/** effective updates produced by the apply in progress (the doc's 'update' event) */
	#capture: Uint8Array[] | null = null;
	/** sync step 2 answers by the state vector asked with, until the board next changes */
	#syncReplies = new Map<string, Uint8Array>();

	#lastUpdateId = 0;
	#snapshotUpdateId = 0;
	#updatesSinceCompaction = 0;
	#compactTimer: NodeJS.Timeout | null = null;
	#unloadTimer: NodeJS.Timeout | null = null;

	#awareness = new Map<number, AwarenessEntry>();
	#awarenessDirty = new Set<number>();
	#awarenessTimer: NodeJS.Timeout | NodeJS.Immediate | null = null;
	#lastAwarenessFlush = 0;
	#awarenessSweep: NodeJS.Timeout;

	constructor(
		readonly workshopId: string,
		private readonly store: BoardStore,
		private readonly settings: RoomSettings,
		private readonly onUnload: (room: Room) => void,
		private readonly log: Logger = console,
		/** the workshop's live state (lock, phase, private writing): participants' updates are judged by it */
		private readonly live?: (workshopId: string, now: number) => Promise<LiveSnapshot>,
		/** several nodes: saved changes and local people's awareness go to the other nodes' copies of this room */
		private readonly relay?: { publish(frame: RelayFrame): void }
	) {
		this.key = parseRoomName(workshopId);
		this.#awarenessSweep = setInterval(() => this.#sweepAwareness(), Math.max(1000, settings.awarenessTimeoutMs / 3));
		this.#awarenessSweep.unref();
		this.ready = this.#load();
		// (A failed load is logged and closes the room; awaiting callers see the rejection.)
		this.ready.catch(() => {});
		// Updates left in the log by a crash are folded into the snapshot when the room next empties.
	}

	get loaded() {
		return this.#loaded;
	}

	async #load() {
		const liveVersion = this.#liveVersion;
		let stored: StoredBoard;
		let live: LiveSnapshot | undefined;
		try {
			[stored, live] = await Promise.all([this.store.load(this.workshopId), this.live?.(this.key.workshopId, Date.now())]);
		} catch (error) {
			this.log.error(`collab: could not load board ${this.workshopId}`, error);
			this.close(closeCodes.serverError, 'could not load');
			throw error;
		}
		if (this.closed) return;
		// A change the cockpit made while the board was loading is newer than what the load read.
		if (this.#liveVersion === liveVersion) this.#live = live;
		let unreadable = false;
		this.doc.transact(() => {
			for (const update of stored.updates) {
				try {
					Y.applyUpdate(this.doc, update);
				} catch (error) {
					unreadable = true;
					this.log.error(`collab: skipped an unreadable stored update of board ${this.workshopId}`, error);
				}
			}
		});
		// A board loaded from one stored update (its snapshot) is that update: a device with nothing yet gets it as
		// it is, without encoding the whole board again (B5: a new phone's first sync).
		if (stored.updates.length === 1 && !unreadable) this.#syncReplies.set(syncKey(emptyStateVector), encodeSyncStep2(stored.updates[0]!));
		for (const update of stored.updates) this.#encodedBytes += update.byteLength;
		this.#lastUpdateId = stored.lastUpdateId;
		this.#snapshotUpdateId = stored.snapshotUpdateId;
		this.doc.on('update', (update: Uint8Array) => {
			this.#capture?.push(update);
			this.#syncReplies.clear();
		});
		this.#loaded = true;
		for (const run of this.#beforeLoad.splice(0)) run();
	}

	get pendingUpdates() {
		return this.#pending.length + this.#unsaved.length;
	}

	// Connections -------------------------------------------------------------------------------------

	add(connection: Connection) {
		if (this.#unloadTimer) {
			clearTimeout(this.#unloadTimer);
			this.#unloadTimer = null;
		}
		this.connections.add(connection);
		if (this.#loaded) this.#greet(connection);
		else this.#beforeLoad.push(() => this.#greet(connection));
	}

	#greet(connection: Connection) {
		if (connection.closed || !this.connections.has(connection)) return;
		// The server's half of the handshake: its state vector, so the client sends what the server lacks.
		connection.send(encodeSyncStep1(Y.encodeStateVector(this.doc)));
		if (this.#live) {
			const now = Date.now();
			connection.send(encodeLive(liveStateAt(this.#live.state, now), now));
		}
		const awareness = this.#awarenessEntries();
		if (awareness.length) connection.send(encodeAwareness(awareness));
	}

	remove(connection: Connection) {
		if (!this.connections.delete(connection)) return;
		connection.closed = true;
		for (const clientId of connection.awarenessIds) {
			const entry = this.#awareness.get(clientId);
			if (entry?.owner === connection && entry.json !== 'null') this.#removeAwareness(clientId, entry);
		}
		if (this.connections.size === 0 && !this.closed) {
			// Updates still queued from the last connection are saved before the room is compacted.
			this.flush();
			this.compact();
			this.#unloadTimer = setTimeout(() => this.unload(), this.settings.unloadAfterMs);
			this.#unloadTimer.unref();
		}
	}

	/** A role changed while connected: writes are allowed or dropped from the next message on. */
	setRole(connection: Connection, role: BoardRole) {
		const wasWritable = connection.writable;
		connection.identity = { ...connection.identity, role };
		connection.resetReadOnlyNotice();
		// Ask the client for anything it holds that the server lacks, so it is consistent again.
		if (!wasWritable && connection.writable) connection.send(encodeSyncStep1(Y.encodeStateVector(this.doc)));
		// The awareness `identity` shows the new role from the client's next awareness message (at the latest
		// its 15-second renewal): bumping the clock here would overwrite the client's own local state.
	}

	// Messages ----------------------------------------------------------------------------------------

	receive(connection: Connection, data: Uint8Array) {
		if (connection.closed || this.#closing) return;
		connection.alive = true;
		if (!this.#loaded) {
			this.#beforeLoad.push(() => this.receive(connection, data));
			return;
		}
		const parked = this.#parked.get(connection);
		if (parked) {
			parked.push(data);
			return;
		}
		if (!connection.messages.admit(Date.now(), this.settings.maxMessagesPerSecond)) {
			connection.close(closeCodes.flood, 'too many messages');
			return;
		}
		try {
			const decoder = decoding.createDecoder(data);
			const type = decoding.readVarUint(decoder);
			if (type === messageSync) {
				const step = decoding.readVarUint(decoder);
				if (step === syncStep1) {
					// Each answer is the board minus what the client has: asking again and again costs a board's
					// encoding and send buffer each time, so a connection asks a few times a second at most.
					if (!connection.syncRequests.admit(Date.now(), this.settings.maxSyncRequestsPerSecond)) {
						connection.close(closeCodes.flood, 'too many sync requests');
						return;
					}
					const stateVector = decoding.readVarUint8Array(decoder);
					// While changes are applied but not yet stored, the answer waits for the save (#settle).
					if (this.#appending || this.#unsaved.length > 0) this.#waitingSync.push({ connection, stateVector });
					else connection.send(this.#syncReply(stateVector));
				} else if (step === syncStep2 || step === syncUpdate) {
					this.#receiveUpdate(connection, decoding.readVarUint8Array(decoder));
				} else {
					throw new MalformedMessage(`sync message type ${step}`);
				}
			} else if (type === messageAwareness) {
				this.#receiveAwareness(connection, decoding.readVarUint8Array(decoder));
			} else if (type === messageQueryAwareness) {
				connection.send(encodeAwareness(this.#awarenessEntries()));
			} else {
				throw new MalformedMessage(`message type ${type}`);
			}
		} catch {
			connection.close(closeCodes.malformed, 'malformed message');
		}
	}

	/**
	 * What a client lacks, given its state vector. After a restart every client of a board comes back with the same
	 * state vector at once (B6: 300 of them): the answer is computed once per board state, not once per client.
	 */
	#syncReply(stateVector: Uint8Array) {
		const key = syncKey(stateVector);
		let reply = this.#syncReplies.get(key);
		if (!reply) {
			if (this.#syncReplies.size >= 16) this.#syncReplies.clear();
			this.#syncReplies.set(key, (reply = encodeSyncStep2(Y.encodeStateAsUpdate(this.doc, stateVector))));
		}
		return reply;
	}

	/** A document update, judged again after a catch-up from the store (several nodes: `caughtUp`). */
	#receiveUpdate(connection: Connection, update: Uint8Array, caughtUp = false) {
		// An empty update (no structs, no deletions) is what an up-to-date client answers to sync step 1:
		// nothing to store, and nothing to refuse an observer for.
		if (update.length === 2 && update[0] === 0 && update[1] === 0) return;
		// No person types 50 changes a second; a client that does is broken or hostile, and every update costs a
		// write and a message to everyone. It is disconnected (it reconnects and resyncs after a backoff).
		if (!connection.updates.admit(Date.now(), this.settings.maxUpdatesPerSecond)) {
			connection.close(closeCodes.flood, 'too many updates');
			return;
		}
		if (!connection.writable) {
			connection.tellReadOnly();
			connection.tellRefused('observer');
			return;
		}
		// A person's change is a few kilobytes (a note is at most 500 characters); even a phone's notes written offline
		// fit. A larger update is refused before it is decoded: reading it alone would stall every room for 0.1 s.
		if (update.byteLength > this.settings.maxUpdateBytes) {
			connection.tellRefused('tooLong');
			connection.close(closeCodes.refused, 'refused: tooLong');
			return;
		}
		// The board's shape and sizes (board-limits.ts), judged from the update's structs against the board. An update
		// that builds on queued ones is judged after they are applied; one that still lacks its dependencies would
		// sit in Yjs's pending structs, in memory, forever: it is refused.
		let judged = judgeUpdate(this.doc, update, this.#limits(), this.#pendingNewNotes);
		if (judged.verdict === 'missing' && this.#pending.length > 0) {
			// Applied now (saved after the save in flight, if any): the update may build on them.
			this.#applyPending();
			this.#startSave();
			if (this.closed || connection.closed) return;
			judged = judgeUpdate(this.doc, update, this.#limits(), 0);
		}
		// Several nodes: a client coming over from a node that died may build on what that node saved but never
		// published. The stored log has it: the update is judged again once it is read.
		if (judged.verdict === 'missing' && !caughtUp && this.#catchUpOnRefusal(connection, update)) return;
		if (judged.verdict === 'missing' || judged.verdict === 'invalid') {
			// No honest board sends these; nothing is stored or sent on.
			connection.close(closeCodes.malformed, `refused: ${judged.verdict}`);
			return;
		}
		if (judged.verdict) {
			connection.tellRefused(judged.verdict);
			connection.close(closeCodes.refused, `refused: ${judged.verdict}`);
			return;
		}
		const judgeWriter = () => (connection.identity.role === 'participant' ? this.#refusal(update, connection) : this.#forgery(connection, update));
		const refusal = judgeWriter();
		// …and such a client sends others' notes this node lacks: with the log read, they are no longer new.
		if (refusal === forgeryRefusal && !caughtUp && this.#catchUpOnRefusal(connection, update)) return;
		// Comments are stored and sent under the writer's own identity, whatever the client wrote (comment-authors.ts).
		if (!refusal) update = withCommentAuthor(update, judged.comments, authorOf(connection.identity));
		// Then on a scratch document: a message that cannot be applied must not reach the board. (After the checks
		// above, which only decode it: a refused update costs no integration. A fixed guid: generating a random one
		// for every update was a tenth of the server's time under load.)
		if (!refusal) Y.applyUpdate(new Y.Doc({ gc: false, guid: scratchGuid }), update);
		if (refusal) {
			// Neither stored nor sent on. The sender's document now holds something the board does not: it is
			// told why, and the connection closes (4101) so the client starts again from the board's state.
			connection.tellRefused(refusal);
			connection.close(closeCodes.refused, `refused: ${refusal}`);
			return;
		}
		this.#pending.push({ connection, update });
		this.#pendingBytes += update.byteLength;
		this.#pendingNewNotes += judged.newNotes;
		if (!this.#flushScheduled) {
			this.#flushScheduled = true;
			// Alone, an update goes out at the end of this turn; in a busy room the ones arriving within the merge
			// window of the last flush are merged into one message to everyone (fewer sends).
			const wait = this.#lastFlush + mergeWindowMs(this.settings.updateIntervalMs, this.connections.size) - Date.now();
			if (wait > 0) setTimeout(() => this.flush(), wait);
			else setImmediate(() => this.flush());
		}
	}

	/**
	 * Judges a participant's (valid) update by the live state: the lock, the phase, private writing. Returns
	 * why it is refused, or null. New notes are looked for only while adding them is restricted.
	 */
	#refusal(update: Uint8Array, connection: Connection): WireRefusal | null {
		const live = this.#live;
		if (!live) return this.#forgery(connection, update);
		const { state, phaseKind } = live;
		const allowed = phasePermissions(phaseKind);
		const isPrivate = this.key.privateOf !== null;
		if (state.locked) return 'locked';
		if (!allowed.edit) return 'phase';
		if (isPrivate && !state.privateWriting) return 'private';
		const forged = this.#forgery(connection, update);
		if (forged) return forged;
		if (allowed.addNotes && (isPrivate || !state.privateWriting)) return null;
		// Adding notes is not allowed: the update's structs say cheaply that it adds none (the usual case, e.g.
		// typing on a canvas). Otherwise (it may add one, or depends on something the board lacks) it is applied
		// to a copy of the board and the notes' keys compared: exact, and rare while the UI hides "add".
		// Its dependencies are on the board (judgeUpdate), so this reading is exact: no copy of the board is needed
		// (null cannot happen; it would be refused rather than judged on a copy).
		const adds = addsNotes(this.doc, update);
		return adds !== false ? (allowed.addNotes ? 'private' : 'phase') : null;
	}

	/**
	 * A note or a reaction written under another author than the writer's own (the id notes carry: the participant,
	 * or `user:` and the user id for a facilitator who has not joined as one; the name the server knows), on the board
	 * or in a private room (its notes are revealed with their author). Facilitators included (identity.ts).
	 */
	#forgery(connection: Connection, update: Uint8Array): WireRefusal | null {
		const author = authorOf(connection.identity);
		if (writesNotesAsOthers(this.doc, update, author, connection.identity.role === 'facilitator')) return forgeryRefusal;
		if (this.key.privateOf !== null) return null;
		return writesOthersReactions(this.doc, update, author.id) ? forgeryRefusal : null;
	}

	#limits() {
		return { maxNotes: this.settings.maxNotes, maxBoardBytes: this.settings.maxBoardBytes, encodedBytes: this.#encodedBytes + this.#pendingBytes };
	}

	/** Sends a server message (live state, vote) to every connection (while loading: after their greetings). */
	broadcastLive(message: Uint8Array) {
		if (!this.#loaded) {
			this.#beforeLoad.push(() => this.broadcastLive(message));
			return;
		}
		for (const connection of this.connections) connection.send(message, this.settings.maxBufferedBytes);
	}

	/** The cockpit changed the live state: participants' updates are judged by it from now on, and everyone is told. */
	setLive(snapshot: LiveSnapshot, message: Uint8Array) {
		this.judgeBy(snapshot);
		this.broadcastLive(message);
	}

	/** Participants' updates are judged by this state from now on (nobody is told yet). */
	judgeBy(snapshot: LiveSnapshot) {
		this.#liveVersion++;
		this.#live = snapshot;
	}

	/** Reads the live state again (after a gap in the relay: a change may have been missed). */
	async #refreshLive() {
		if (!this.live) return;
		const version = this.#liveVersion;
		try {
			const live = await this.live(this.key.workshopId, Date.now());
			if (this.#liveVersion === version) this.#live = live;
		} catch (error) {
			this.log.error(`collab: could not read the live state of ${this.workshopId}`, error);
		}
	}

	/**
	 * Applies a change made on the server (the reveal) like a client's: appended to the log first (after anything
	 * queued before it), then sent to every connection. Rejects when it cannot be saved (the room is then closed and
	 * reloads from the log).
	 */
	async applyServerChange(change: (doc: Y.Doc) => void) {
		this.#serverChanges++;
		try {
			await this.#applyServerChange(change);
		} finally {
			this.#serverChanges--;
		}
	}

	async #applyServerChange(change: (doc: Y.Doc) => void) {
		await this.ready;
		while (this.#saving && !this.closed) await this.#whenIdle();
		if (this.closed) throw new Error(`collab: room ${this.workshopId} is closed`);
		// What clients sent before it goes first, in the same append.
		this.#applyPending();
		const changes: Uint8Array[] = [];
		this.#capture = changes;
		try {
			this.doc.transact(() => change(this.doc), 'server');
		} finally {
			this.#capture = null;
		}
		if (changes.length > 0) {
			for (const change of changes) this.#encodedBytes += change.byteLength;
			this.#unsaved.push(...changes);
			this.#unsavedFromServer = true;
		}
		const saved = this.#startSave();
		if (!saved) return;
		await saved;
		if (this.closed) throw this.#saveError ?? new Error(`collab: room ${this.workshopId} is closed`);
	}

	/**
	 * Applies the queued updates and appends what they changed to the log in one transaction; only once it is
	 * stored is it sent on, merged, to every connection. Runs once per merge window (and before compaction); while
	 * the previous append is in flight it waits for it, and then takes everything queued meanwhile.
	 */
	flush() {
		this.#flushScheduled = false;
		if (this.closed || !this.#loaded || this.#pending.length === 0) return;
		if (this.#saving) {
			this.#flushAfterSave = true;
			return;
		}
		this.#applyPending();
		this.#startSave();
	}

	/** Applies the queued updates to the document; what they changed waits in #unsaved for the next append. */
	#applyPending() {
		if (this.closed || this.#pending.length === 0) return;
		this.#lastFlush = Date.now();
		const pending = this.#pending;
		this.#pending = [];
		this.#pendingBytes = 0;
		this.#pendingNewNotes = 0;
		const changes: Uint8Array[] = [];
		const senders = new Set<Connection>();
		this.#capture = changes;
		try {
			// One transaction for the whole batch: Yjs reads the board's state vector at each transaction's start and
			// end, a walk over every client that ever edited (B13: 1,000 editors, ~10 % of the server's time when each
			// update was its own transaction). Its one 'update' event holds everything the batch changed.
			this.doc.transact(() => {
				for (const { connection, update } of pending) {
					try {
						Y.applyUpdate(this.doc, update, connection);
						senders.add(connection);
					} catch {
						// Passed the scratch check but failed here: whatever Yjs did apply is in `changes` and is
						// saved and sent like any change, so memory, log and clients stay the same.
						connection.close(closeCodes.malformed, 'malformed update');
					}
				}
			}, 'flush');
		} finally {
			this.#capture = null;
		}
		// Every update was judged to have its dependencies on the board; should anything still be left pending, it is
		// dropped rather than kept in memory (it was never stored or sent).
		if (this.doc.store.pendingStructs || this.doc.store.pendingDs) {
			this.log.warn(`collab: dropped pending structs of board ${this.workshopId}`);
			this.doc.store.pendingStructs = null;
			this.doc.store.pendingDs = null;
		}
		if (changes.length === 0) return;
		for (const change of changes) this.#encodedBytes += change.byteLength;
		this.#unsaved.push(...changes);
		for (const sender of senders) this.#unsavedSenders.add(sender);
	}

	/**
	 * Appends the applied changes (unless an append or compaction is in flight: then #settle starts it after), and
	 * once stored publishes them to the other nodes and sends them to this node's connections. Resolves when done.
	 */
	#startSave(): Promise<void> | undefined {
		if (this.#saving || this.closed || this.#unsaved.length === 0) return undefined;
		const changes = this.#unsaved;
		const senders = this.#unsavedSenders;
		const fromServer = this.#unsavedFromServer;
		this.#unsaved = [];
		this.#unsavedSenders = new Set();
		this.#unsavedFromServer = false;
		this.#appending = true;
		const saved = this.#store(() => this.store.append(this.workshopId, changes)).then(
			(lastId) => {
				this.#appending = false;
				if (this.closed) return;
				this.#lastUpdateId = lastId;
				// A lone sender already has its change; with several senders (or the server's change) each gets the merged whole.
				this.#broadcast(this.#sendOn(changes), !fromServer && senders.size === 1 ? senders.values().next().value : undefined);
				this.#updatesSinceCompaction += changes.length;
				if (this.#updatesSinceCompaction >= this.settings.compactEveryUpdates || (fromServer && this.connections.size === 0))
					this.#compactAfterSave = true;
				else if (!this.#compactTimer) {
					this.#compactTimer = setTimeout(() => this.compact(), this.settings.compactAfterMs);
					this.#compactTimer.unref();
				}
			},
			(error: unknown) => {
				this.#appending = false;
				// Nothing was sent; drop the in-memory state so it is reloaded from the log. The clients still
				// hold their changes and send them again when they reconnect.
				this.#saveError = error;
				this.log.error(`collab: could not save board ${this.workshopId}`, error);
				this.close(closeCodes.serverError, 'could not save');
			}
		);
		this.#saving = saved.then(() => this.#settle());
		return saved;
	}

	/** Runs a store operation; a synchronous throw becomes a rejection. */
	async #store<T>(operation: () => Promise<T>) {
		return operation();
	}

	/** A store operation ended: the next one (changes applied meanwhile, a due compaction, a waiting flush) starts. */
	#settle() {
		this.#saving = null;
		if (!this.closed) {
			if (this.#unsaved.length === 0) {
				// The document holds exactly what is stored: sync requests that waited are answered now.
				for (const { connection, stateVector } of this.#waitingSync.splice(0)) connection.send(this.#syncReply(stateVector));
				if (this.#compactAfterSave) this.compact();
			}
			// Everything that arrived meanwhile goes in the next append, together (applied early or still queued).
			if (!this.#saving && (this.#flushAfterSave || this.#unsaved.length > 0)) {
				this.#flushAfterSave = false;
				this.#applyPending();
				this.#startSave();
			}
		}
		if (!this.#saving) for (const wake of this.#idleWaiters.splice(0)) wake();
	}

	/** Resolves when no store operation is in flight (or the room closed). */
	#whenIdle() {
		if (!this.#saving || this.closed) return Promise.resolve();
		return new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
	}

	/** Saved changes as one update: published to the other nodes first, returned as the message for this node's connections. */
	#sendOn(changes: Uint8Array[]) {
		const update = changes.length === 1 ? changes[0]! : Y.mergeUpdates(changes);
		this.relay?.publish({ kind: 'update', room: this.workshopId, update });
		return encodeUpdate(update);
	}

	// Other nodes ---------------------------------------------------------------------------------------

	/** A change another node saved and published: applied and sent to this node's connections (not saved again). */
	applyRemoteUpdate(update: Uint8Array) {
		if (this.closed) return;
		if (!this.#loaded) {
			this.#beforeLoad.push(() => this.applyRemoteUpdate(update));
			return;
		}
		const changes = this.#applyCaptured(update);
		// Built on something this node missed (a gap in pub/sub): the stored log has it.
		if (this.doc.store.pendingStructs || this.doc.store.pendingDs) void this.catchUp();
		else this.#sendRemote(changes);
	}

	/**
	 * Applies everything stored for this room (after a gap in the relay); idempotent, sends on only what was new.
	 * The live state is read again too (a change to it may have been missed).
	 */
	async catchUp() {
		try {
			await this.ready;
		} catch {
			return;
		}
		if (this.closed) return;
		let stored: StoredBoard;
		try {
			[stored] = await Promise.all([this.store.load(this.workshopId), this.#refreshLive()]);
		} catch (error) {
			this.log.error(`collab: could not read board ${this.workshopId} to catch up`, error);
			return;
		}
		if (this.closed) return;
		const changes: Uint8Array[] = [];
		for (const update of stored.updates) changes.push(...this.#applyCaptured(update));
		this.doc.store.pendingStructs = null;
		this.doc.store.pendingDs = null;
		this.#lastUpdateId = Math.max(this.#lastUpdateId, stored.lastUpdateId);
		this.#sendRemote(changes);
	}

	#lastRefusalCatchUp = 0;
	/**
	 * A catch-up before refusing an update (several nodes only): at most once a second, or a hostile client could make
	 * every node read the log. The connection's messages wait meanwhile; then the update is judged again, and what the
	 * connection sent after it follows in order. False when no catch-up is made (the update is judged as it is).
	 */
	#catchUpOnRefusal(connection: Connection, update: Uint8Array) {
		if (!this.relay || Date.now() - this.#lastRefusalCatchUp < 1000) return false;
		this.#lastRefusalCatchUp = Date.now();
		const parked: Uint8Array[] = [];
		this.#parked.set(connection, parked);
		void this.catchUp().finally(() => {
			this.#parked.delete(connection);
			if (this.closed || connection.closed) return;
			try {
				this.#receiveUpdate(connection, update, true);
			} catch {
				connection.close(closeCodes.malformed, 'malformed message');
			}
			for (const data of parked) this.receive(connection, data);
		});
		return true;
	}

	#applyCaptured(update: Uint8Array) {
		const changes: Uint8Array[] = [];
		this.#capture = changes;
		try {
			Y.applyUpdate(this.doc, update, 'remote');
		} catch (error) {
			this.log.warn(`collab: skipped an unreadable update of board ${this.workshopId} from another node`, error);
		} finally {
			this.#capture = null;
		}
		return changes;
	}

	#sendRemote(changes: Uint8Array[]) {
		if (changes.length === 0) return;
		for (const change of changes) this.#encodedBytes += change.byteLength;
		this.#broadcast(encodeUpdate(changes.length === 1 ? changes[0]! : Y.mergeUpdates(changes)));
	}

	/**
	 * A board change to every connection (but `skip`), with the presence waiting for its interval in the same write:
	 * one system call a connection, not two. Presence goes along once half its interval has passed, so a busy board
	 * does not turn it into many small messages (each one is work for every phone).
	 */
	#broadcast(message: Uint8Array, skip?: Connection) {
		const presence = this.#takeAwareness(this.settings.awarenessIntervalMs / 2);
		const toSender = presence ? [presence] : [];
		const toOthers = presence ? [message, presence] : [message];
		for (const connection of this.connections) connection.sendTogether(connection === skip ? toSender : toOthers, this.settings.maxBufferedBytes);
	}

	/** Another node's awareness message: its people's presence, shown here too (and never published back). */
	applyRemoteAwareness(message: Uint8Array) {
		if (this.closed) return;
		if (!this.#loaded) {
			this.#beforeLoad.push(() => this.applyRemoteAwareness(message));
			return;
		}
		const outer = decoding.createDecoder(message);
		if (decoding.readVarUint(outer) !== messageAwareness) return;
		const decoder = decoding.createDecoder(decoding.readVarUint8Array(outer));
		const count = decoding.readVarUint(decoder);
		const now = Date.now();
		for (let i = 0; i < count; i++) {
			const clientId = decoding.readVarUint(decoder);
			const clock = decoding.readVarUint(decoder);
			const json = decoding.readVarString(decoder);
			const entry = this.#awareness.get(clientId);
			if (entry && entry.clock >= clock) continue;
			this.#awareness.set(clientId, { clock, json, lastUpdated: now, owner: null });
			this.#awarenessDirty.add(clientId);
		}
		this.#scheduleAwarenessFlush();
	}

	// Persistence ---------------------------------------------------------------------------------------

	/**
	 * Folds the log into the snapshot. Starts only when the document holds exactly what the log holds up to
	 * #lastUpdateId (no append in flight, nothing applied and unsaved); otherwise right after the save in flight.
	 * Appends wait for it, so the snapshot never covers an update logged after it was taken.
	 */
	compact() {
		if (this.#compactTimer) {
			clearTimeout(this.#compactTimer);
			this.#compactTimer = null;
		}
		if (this.closed || !this.#loaded || this.#lastUpdateId <= this.#snapshotUpdateId) return;
		if (this.#saving || this.#unsaved.length > 0) {
			this.#compactAfterSave = true;
			return;
		}
		this.#compactAfterSave = false;
		const snapshot = Y.encodeStateAsUpdate(this.doc);
		const upToId = this.#lastUpdateId;
		const bytesBefore = this.#encodedBytes;
		// With other nodes writing the same log, the stored snapshot and log are merged in, not replaced.
		this.#saving = this.#store(() => this.store.compact(this.workshopId, snapshot, upToId, this.relay !== undefined))
			.then(
				() => {
					// (Other nodes' changes may have arrived meanwhile: they stay counted.)
					this.#encodedBytes = snapshot.byteLength + (this.#encodedBytes - bytesBefore);
					this.#snapshotUpdateId = Math.max(this.#snapshotUpdateId, upToId);
					this.#updatesSinceCompaction = 0;
				},
				// The log is intact; the next compaction tries again.
				(error: unknown) => this.log.error(`collab: could not compact board ${this.workshopId}`, error)
			)
			.then(() => this.#settle());
	}

	/** Saves what is queued, compacts, and forgets the room, unless someone connected meanwhile. */
	async unload() {
		const inUse = () => this.connections.size > 0 || this.#serverChanges > 0 || this.closed;
		if (inUse()) return;
		try {
			await this.ready;
		} catch {
			return;
		}
		this.flush();
		await this.#whenIdle();
		if (inUse()) return;
		this.compact();
		await this.#whenIdle();
		if (inUse()) return;
		this.#dispose();
	}

	/** Closes every connection and forgets the room, without saving (deletion, or a failed save). */
	close(code: number, reason: string) {
		if (this.closed) return;
		this.#pending = [];
		this.#pendingBytes = 0;
		this.#pendingNewNotes = 0;
		this.#unsaved = [];
		this.#waitingSync = [];
		this.#beforeLoad = [];
		this.#parked.clear();
		this.#dispose();
		for (const connection of this.connections) connection.close(code, reason);
		this.connections.clear();
		for (const wake of this.#idleWaiters.splice(0)) wake();
	}

	/**
	 * Graceful shutdown: nothing more is accepted, everything queued is saved and compacted, then the connections
	 * close (1012; clients reconnect to the next server and send anything the server did not store).
	 */
	async shutdown() {
		this.#closing = true;
		try {
			await this.ready;
		} catch {
			return;
		}
		this.flush();
		await this.#whenIdle();
		this.compact();
		await this.#whenIdle();
		this.close(closeCodes.restart, 'server restarting');
	}

	#dispose() {
		this.closed = true;
		for (const timer of [this.#compactTimer, this.#unloadTimer]) if (timer) clearTimeout(timer);
		if (this.#awarenessTimer) {
			clearTimeout(this.#awarenessTimer as NodeJS.Timeout);
			clearImmediate(this.#awarenessTimer as NodeJS.Immediate);
		}
		clearInterval(this.#awarenessSweep);
		this.doc.destroy();
		this.onUnload(this);
	}

	// Awareness -----------------------------------------------------------------------------------------

	/**
	 * Applies a y-protocols awareness update with the rules of `applyAwarenessUpdate`, except that a
	 * connection speaks only for its own client ids, and every state carries the server's `identity`
	 * ({ name, role }) so the board can show who is present without trusting the client's claim.
	 */
	#receiveAwareness(connection: Connection, update: Uint8Array) {
		const decoder = decoding.createDecoder(update);
		const count = decoding.readVarUint(decoder);
		const now = Date.now();
		for (let i = 0; i < count; i++) {
			const clientId = decoding.readVarUint(decoder);
			const clock = decoding.readVarUint(decoder);
			const state: unknown = JSON.parse(decoding.readVarString(decoder));
			const entry = this.#awareness.get(clientId);
			// Another person's client id is not this connection's to speak for; the same person may take
			// it over (a reconnection while the server has not yet noticed the old socket is gone).
			if (entry?.owner && entry.owner !== connection && !entry.owner.closed && !samePerson(entry.owner, connection)) continue;
			if (!connection.awarenessIds.has(clientId)) {
				if (connection.awarenessIds.size >= this.settings.maxAwarenessClientsPerConnection) continue;
			}
			const current = entry?.clock ?? 0;
			const removal = state === null;
			if (!(current < clock || (current === clock && removal && entry !== undefined && entry.json !== 'null'))) continue;
			if (!removal && (typeof state !== 'object' || Array.isArray(state))) throw new MalformedMessage('awareness state');
			connection.awarenessIds.add(clientId);
			this.#awareness.set(clientId, {
				clock,
				json: removal ? 'null' : JSON.stringify(this.#stamp(state as Record<string, unknown>, connection)),
				lastUpdated: now,
				owner: connection
			});
			this.#awarenessDirty.add(clientId);
		}
		this.#scheduleAwarenessFlush();
	}

	/** No participant or user id: presence goes to every guest, and a stable id would tie people to what they write. */
	#stamp(state: Record<string, unknown>, connection: Connection) {
		const { displayName, role } = connection.identity;
		return { ...state, identity: { name: displayName, role } };
	}

	#removeAwareness(clientId: number, entry: AwarenessEntry) {
		entry.clock++;
		entry.json = 'null';
		entry.lastUpdated = Date.now();
		this.#awarenessDirty.add(clientId);
		this.#scheduleAwarenessFlush();
	}

	#awarenessEntries(ids?: Iterable<number>) {
		const entries: { clientId: number; clock: number; json: string }[] = [];
		for (const clientId of ids ?? this.#awareness.keys()) {
			const entry = this.#awareness.get(clientId);
			if (!entry || (!ids && entry.json === 'null')) continue;
			entries.push({ clientId, clock: entry.clock, json: entry.json });
		}
		return entries;
	}

	#scheduleAwarenessFlush() {
		if (this.#awarenessTimer || this.#awarenessDirty.size === 0 || this.closed) return;
		const wait = this.#lastAwarenessFlush + this.settings.awarenessIntervalMs - Date.now();
		const run = () => {
			this.#awarenessTimer = null;
			// A board change's broadcast took the presence meanwhile (#takeAwareness): what came since waits its interval.
			if (this.#lastAwarenessFlush + this.settings.awarenessIntervalMs > Date.now()) this.#scheduleAwarenessFlush();
			else this.#flushAwareness();
		};
		this.#awarenessTimer = wait > 0 ? setTimeout(run, wait) : setImmediate(run);
	}

	/** One message with every awareness change since the last one, to everyone (the sender too: it keeps
	 * y-websocket's 30-second "no message received" watchdog quiet). */
	#flushAwareness() {
		const message = this.#takeAwareness();
		if (message) for (const connection of this.connections) connection.send(message, this.settings.maxBufferedBytes);
	}

	/** The awareness changes since the last message, as the message for this node's connections (published to the
	 * other nodes here), or null when there are none or the last message is younger than `minAgeMs`. */
	#takeAwareness(minAgeMs = 0) {
		const now = Date.now();
		if (this.closed || this.#awarenessDirty.size === 0 || now - this.#lastAwarenessFlush < minAgeMs) return null;
		this.#lastAwarenessFlush = now;
		const message = encodeAwareness(this.#awarenessEntries(this.#awarenessDirty));
		if (this.relay) {
			// Only this node's people: entries from other nodes (owner null) are theirs to send.
			const ours = [...this.#awarenessDirty].filter((clientId) => this.#awareness.get(clientId)?.owner);
			if (ours.length) this.relay.publish({ kind: 'awareness', room: this.workshopId, update: encodeAwareness(this.#awarenessEntries(ours)) });
		}
		this.#awarenessDirty.clear();
		return message;
	}

	#sweepAwareness() {
		const now = Date.now();
		for (const [clientId, entry] of this.#awareness) {
			const age = now - entry.lastUpdated;
			if (entry.json === 'null') {
				if (age > 2 * this.settings.awarenessTimeoutMs) this.#awareness.delete(clientId);
			} else if (age > this.settings.awarenessTimeoutMs) {
				this.#removeAwareness(clientId, entry);
			}
		}
	}
}
