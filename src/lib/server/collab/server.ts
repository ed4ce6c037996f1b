// The boards' WebSocket endpoint: /collab/{workshopId}, authorised before the upgrade completes.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import * as Y from 'yjs';
import { notesOf } from '../../board/model';
import type { DoneLive, Roster } from '../../live-protocol';
import {
	liveSinks,
	parseRoomName,
	privateRoomName,
	readLiveSnapshot,
	readRosterBase,
	type LiveSink,
	type LiveSnapshot,
	type LiveState,
	type RosterBase
} from './live-state';
import type { PhaseKind } from '../db/schema';
import * as decoding from 'lib0/decoding';
import { closeCodes, encodeJson, encodeLive, encodeVote, encodeVoteAnswer, messageDone, messageRoster, messageVoteCast } from './protocol';
import { Connection, Room, type BoardRole, type RoomSettings } from './room';
import { readPrivateNotes, writeRevealedNotes, type PrivateNote } from './reveal';
import type { BoardStore } from './store';
import type { ClusterEvent, Relay } from './relay';
import { sessionCookieName } from '../session';

export type BoardAccess =
	/** `expiresAt` (ms): when this access ends by time alone (a session's or guest token's expiry); the connection is authorised again then */
	| { ok: true; participantId: string | null; userId: string | null; displayName: string; role: BoardRole; expiresAt?: number }
	| { ok: false; status: 401 | 403 | 404 };

export type AuthoriseBoard = (workshopId: string, cookieHeader: string | undefined) => Promise<BoardAccess>;

export type CollabOptions = Partial<RoomSettings> & {
	authorise: AuthoriseBoard;
	/** the store, or a function that opens it on first use (so importing this never opens a database) */
	store: BoardStore | (() => BoardStore);
	/** largest accepted frame; larger ones close the connection with 1009 */
	maxPayload?: number;
	maxConnectionsPerRoom?: number;
	/** open connections of one person (participant, or signed-in user) over all boards; more are refused with 429 */
	maxConnectionsPerPerson?: number;
	/** open connections from one address (a venue's NAT: 200 guests with a board and a private room each fit) */
	maxConnectionsPerAddress?: number;
	/** the header holding the client's address behind a reverse proxy (adapter-node's ADDRESS_HEADER; XFF_DEPTH too) */
	addressHeader?: string;
	heartbeatMs?: number;
	/** how often open connections are authorised again (a signed-out session, a removed guest) */
	reauthoriseMs?: number;
	/** the public origin; defaults to process.env.ORIGIN, read at each upgrade */
	origin?: string;
	log?: Pick<Console, 'error' | 'warn'>;
	/** the live cockpit's state per workshop; defaults to the app database's workshop_live (false: none) */
	live?: ((workshopId: string, now: number) => Promise<LiveSnapshot>) | false;
	/**
	 * Votes sent on a board's socket (type 103): given the handshake's cookies (to authorise the vote again) and the
	 * decoded JSON, resolves to the answer sent back to that connection (type 104; a connection's votes are cast and
	 * answered one after another, in the order sent). Without it, type 103 is malformed.
	 */
	castVote?: (workshopId: string, cookieHeader: string | undefined, body: unknown) => Promise<unknown>;
	/**
	 * The phase run and the participants who count, with their done marks (see live-state.ts); defaults to the app
	 * database, off with `live: false`. From it and the connections come the done counts (type 105) and the
	 * facilitators' roster (type 106).
	 */
	roster?: ((workshopId: string) => Promise<RosterBase>) | false;
	/** done counts and rosters are sent at most this often per workshop (changes in between are merged) */
	rosterIntervalMs?: number;
	/** several nodes: the other nodes' copies of each room are kept in step through it (relay.ts) */
	relay?: Relay;
	/** how often this node tells the others who is on its boards (they forget a silent node's people after 3×) */
	presenceEveryMs?: number;
};

export type CollabServer = ReturnType<typeof createCollabServer>;

// A workshop's board, or a participant's private notes: /collab/{workshopId}.private.{participantId}
const path = /^\/collab\/([A-Za-z0-9_-]{1,64}(?:\.private\.[A-Za-z0-9_-]{1,64})?)\/?$/;

function envNumber(name: string, fallback: number) {
	const value = Number(process.env[name]);
	return process.env[name] && Number.isFinite(value) && value >= 0 ? value : fallback;
}

/** Room settings from the environment (VERSTAS_COLLAB_*), for tests and operators. */
export function settingsFromEnv(): RoomSettings {
	return {
		compactEveryUpdates: envNumber('VERSTAS_COLLAB_COMPACT_EVERY_UPDATES', 500),
		compactAfterMs: envNumber('VERSTAS_COLLAB_COMPACT_AFTER_MS', 30_000),
		unloadAfterMs: envNumber('VERSTAS_COLLAB_UNLOAD_AFTER_MS', 10_000),
		maxIdleRooms: envNumber('VERSTAS_COLLAB_MAX_IDLE_ROOMS', 32),
		awarenessIntervalMs: envNumber('VERSTAS_COLLAB_AWARENESS_INTERVAL_MS', 100),
		maxMessagesPerSecond: envNumber('VERSTAS_COLLAB_MAX_MESSAGES_PER_SECOND', 200),
		maxUpdatesPerSecond: envNumber('VERSTAS_COLLAB_MAX_UPDATES_PER_SECOND', 50),
		updateIntervalMs: envNumber('VERSTAS_COLLAB_UPDATE_INTERVAL_MS', 4),
		maxBufferedBytes: envNumber('VERSTAS_COLLAB_MAX_BUFFERED_BYTES', 16 * 1024 * 1024),
		maxAwarenessClientsPerConnection: 4,
		awarenessTimeoutMs: 30_000,
		maxNotes: envNumber('VERSTAS_COLLAB_MAX_NOTES', 1000),
		maxBoardBytes: envNumber('VERSTAS_COLLAB_MAX_BOARD_BYTES', 2 * 1024 * 1024),
		maxUpdateBytes: envNumber('VERSTAS_COLLAB_MAX_UPDATE_BYTES', 256 * 1024),
		maxSyncRequestsPerSecond: envNumber('VERSTAS_COLLAB_MAX_SYNC_REQUESTS_PER_SECOND', 4)
	};
}

const statusText: Record<number, string> = {
	400: 'Bad Request',
	429: 'Too Many Requests',
	401: 'Unauthorized',
	403: 'Forbidden',
	404: 'Not Found',
	500: 'Internal Server Error',
	503: 'Service Unavailable'
};

/** Answers an upgrade request with a plain HTTP error and closes the socket: no WebSocket, no board data. */
export function refuseUpgrade(socket: Duplex, status: number) {
	if (socket.destroyed) return;
	const body = statusText[status] ?? 'Error';
	socket.once('finish', () => socket.destroy());
	socket.on('error', () => socket.destroy());
	socket.end(
		`HTTP/1.1 ${status} ${body}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
			`Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\n\r\n${body}`
	);
}

/**
 * Same-origin only: with ORIGIN set the Origin header must equal it; otherwise its host must be the
 * request's Host. Browsers always send Origin on WebSocket handshakes, so a missing one is refused.
 */
export function originAllowed(request: IncomingMessage, configured = process.env.ORIGIN) {
	const origin = request.headers.origin;
	if (!origin) return false;
	let given: URL;
	try {
		given = new URL(origin);
	} catch {
		return false;
	}
	if (configured) {
		try {
			return given.origin === new URL(configured).origin;
		} catch {
			return false;
		}
	}
	const host = request.headers.host;
	if (!host) return false;
	try {
		// Parsed with the Origin's scheme so default ports compare equal (example.fi:443 = example.fi).
		return given.host === new URL(`${given.protocol}//${host}`).host;
	} catch {
		return false;
	}
}

/**
 * The client's address: the socket's peer, or behind a reverse proxy the header it sets (as adapter-node reads it:
 * ADDRESS_HEADER, and for X-Forwarded-For the XFF_DEPTH-th address from the right, the one the proxy added).
 */
export function clientAddress(request: IncomingMessage, header = process.env.ADDRESS_HEADER, depth = Number(process.env.XFF_DEPTH) || 1) {
	if (header) {
		const value = request.headers[header.toLowerCase()];
		const text = Array.isArray(value) ? value.join(',') : value;
		if (text) {
			if (header.toLowerCase() !== 'x-forwarded-for') return text.trim();
			const addresses = text.split(',').map((part) => part.trim());
			const address = addresses[addresses.length - depth];
			if (address) return address;
		}
	}
	return request.socket.remoteAddress ?? 'unknown';
}

export function createCollabServer(options: CollabOptions) {
	const settings: RoomSettings = { ...settingsFromEnv(), ...definedOnly(options) };
	const log = options.log ?? console;
	const maxConnectionsPerRoom = options.maxConnectionsPerRoom ?? 2000;
	const maxConnectionsPerPerson = options.maxConnectionsPerPerson ?? envNumber('VERSTAS_COLLAB_MAX_CONNECTIONS_PER_PERSON', 16);
	const maxConnectionsPerAddress = options.maxConnectionsPerAddress ?? envNumber('VERSTAS_COLLAB_MAX_CONNECTIONS_PER_ADDRESS', 1000);
	/** open connections by person and by address: one guest's script must not take the server's sockets and memory */
	const perPerson = new Map<string, number>();
	const perAddress = new Map<string, number>();
	const count = (map: Map<string, number>, key: string, by: number) => {
		const next = (map.get(key) ?? 0) + by;
		if (next > 0) map.set(key, next);
		else map.delete(key);
	};
	const rooms = new Map<string, Room>();
	/** rooms nobody is connected to, longest empty first */
	const idleRooms = new Set<Room>();
	const sockets = new Set<WebSocket>();
	let store: BoardStore | undefined;
	let shuttingDown = false;
	let heartbeat: NodeJS.Timeout | undefined;
	let reauthorisation: NodeJS.Timeout | undefined;

	const wss = new WebSocketServer({
		noServer: true,
		clientTracking: false,
		perMessageDeflate: false,
		// Twice the largest update accepted: a larger frame is refused from its header (1009), before it is received.
		maxPayload: options.maxPayload ?? 2 * settings.maxUpdateBytes
	});

	function getStore() {
		return (store ??= typeof options.store === 'function' ? options.store() : options.store);
	}

	const relay = options.relay;
	const live = options.live === false ? undefined : (options.live ?? ((workshopId: string, now: number) => readLiveSnapshot(workshopId, now)));
	const rosterBase = options.roster === false || options.live === false ? undefined : (options.roster ?? readRosterBase);
	const rosterIntervalMs = options.rosterIntervalMs ?? 250;

	/**
	 * The board's authorisation, and for a private room (`{workshopId}.private.{participantId}`): only that
	 * participant; anyone else 403, facilitators included. Participants are told their notes are hidden until the
	 * reveal: facilitators see how many each person wrote (the roster), never the content, and the reveal is done
	 * by the server without them opening the room.
	 */
	async function authoriseRoom(roomName: string, cookieHeader: string | undefined): Promise<BoardAccess> {
		const { workshopId, privateOf } = parseRoomName(roomName);
		const access = await options.authorise(workshopId, cookieHeader);
		if (!access.ok || privateOf === null) return access;
		if (access.participantId === privateOf) return access;
		return { ok: false, status: 403 };
	}

	/** The loaded rooms of a workshop: its board and its participants' private documents. */
	function roomsOf(workshopId: string) {
		return [...rooms.values()].filter((room) => room.key.workshopId === workshopId);
	}

	/** The room, loaded (or loading: it queues what arrives until its board is read, see room.ts). */
	function loadRoom(workshopId: string) {
		let room = rooms.get(workshopId);
		if (!room) {
			room = new Room(workshopId, getStore(), settings, (gone) => {
				idleRooms.delete(gone);
				if (rooms.get(gone.workshopId) === gone) rooms.delete(gone.workshopId);
				if (gone.key.privateOf === null) lastRosterAt.delete(gone.workshopId);
			}, log, live, relay);
			rooms.set(workshopId, room);
			if (room.key.privateOf !== null) {
				const loading = room;
				loading.ready.then(() => watchPrivateNotes(loading), () => {});
			}
		}
		return room;
	}

	// Other nodes (several nodes behind a load balancer) ----------------------------------------------------

	/** Participants on the workshop's board at this node (facilitators and observers never count). */
	function localParticipants(workshopId: string) {
		const ids = new Set<string>();
		for (const { identity } of rooms.get(workshopId)?.connections ?? [])
			if (identity.role === 'participant' && identity.participantId) ids.add(identity.participantId);
		return ids;
	}

	const presenceEveryMs = options.presenceEveryMs ?? 5000;
	type NodePresence = { participants: string[]; privateNotes: Record<string, number>; at: number };
	/** the other nodes' participants and loaded private documents per workshop, by node, with when they last said so */
	const remotePresence = new Map<string, Map<string, NodePresence>>();
	const freshPresence = (workshopId: string) => {
		const now = Date.now();
		return [...(remotePresence.get(workshopId)?.values() ?? [])].filter(({ at }) => now - at <= 3 * presenceEveryMs);
	};

	/** Participants on the workshop's board at any node. */
	function presentParticipants(workshopId: string) {
		const ids = localParticipants(workshopId);
		for (const { participants } of freshPresence(workshopId)) for (const id of participants) ids.add(id);
		return ids;
	}

	/** A participant's private note count: from the node that has their private document loaded, else as stored. */
	function privateNoteCount(workshopId: string, participantId: string) {
		const name = privateRoomName(workshopId, participantId);
		if (!rooms.has(name)) for (const { privateNotes } of freshPresence(workshopId)) if (participantId in privateNotes) return privateNotes[participantId]!;
		return privateCounts.get(name) ?? 0;
	}

	const presenceDue = new Set<string>();
	/** Tells the other nodes who is on this node's board of the workshop, once per turn however many joined. */
	function sharePresence(workshopId: string) {
		if (!relay || presenceDue.has(workshopId)) return;
		presenceDue.add(workshopId);
		setImmediate(() => {
			presenceDue.delete(workshopId);
			const privateNotes: Record<string, number> = {};
			for (const room of roomsOf(workshopId))
				if (room.key.privateOf !== null) privateNotes[room.key.privateOf] = privateCounts.get(room.workshopId) ?? 0;
			relay.publish({ kind: 'event', event: { type: 'presence', workshopId, participants: [...localParticipants(workshopId)], privateNotes } });
		});
	}

	function shareAllPresence() {
		for (const room of rooms.values()) if (room.connections.size > 0) sharePresence(room.key.workshopId);
	}

	/** What another node tells every node; the local effect of the same call made on this node. */
	function handleEvent(event: ClusterEvent, from: string) {
		switch (event.type) {
			case 'live':
				return sink.broadcastLive(event.workshopId, event.state, event.serverNow, event.phaseKind);
			case 'vote':
				return sink.broadcastVote(event.workshopId, event.vote);
			case 'roster':
				return scheduleRoster(event.workshopId);
			case 'presence': {
				let byNode = remotePresence.get(event.workshopId);
				if (!byNode) remotePresence.set(event.workshopId, (byNode = new Map()));
				if (event.participants.length || Object.keys(event.privateNotes).length) byNode.set(from, { ...event, at: Date.now() });
				else byNode.delete(from);
				if (byNode.size === 0) remotePresence.delete(event.workshopId);
				return scheduleRoster(event.workshopId);
			}
			case 'hello':
				return shareAllPresence();
			case 'disconnectParticipant':
				return void server.disconnectParticipant(event.workshopId, event.participantId);
			case 'setRole':
				return void server.setConnectionRole(event.workshopId, event.participantId, event.role);
			case 'closeRoom':
				return server.closeRoom(event.workshopId);
			case 'closeSession':
				return void server.closeSession(event.sessionId);
			case 'closeUser':
				return void server.closeUserSessions(event.userId);
		}
	}

	let presenceTimer: NodeJS.Timeout | undefined;
	if (relay) {
		relay.subscribe((frame, from) => {
			if (shuttingDown) return;
			if (frame.kind === 'update') rooms.get(frame.room)?.applyRemoteUpdate(frame.update);
			else if (frame.kind === 'awareness') rooms.get(frame.room)?.applyRemoteAwareness(frame.update);
			else handleEvent(frame.event, from);
		});
		// Changes may have been missed (subscribed again; a node gone): they are read from the store, and the others say who is where.
		relay.onGap(() => {
			for (const room of rooms.values()) void room.catchUp();
			relay.publish({ kind: 'event', event: { type: 'hello' } });
			shareAllPresence();
		});
		presenceTimer = setInterval(shareAllPresence, presenceEveryMs);
		presenceTimer.unref();
	}

	// Done counts and the facilitators' roster --------------------------------------------------------------

	/** How many notes each private document holds, by room name; kept after the room unloads (it does not change then). */
	const privateCounts = new Map<string, number>();
	/** workshops whose stored private documents not loaded since start-up were counted */
	const privateCounted = new Set<string>();
	const rosterTimers = new Map<string, { timer: NodeJS.Timeout | NodeJS.Immediate; immediate: boolean }>();
	const lastRosterAt = new Map<string, number>();
	const rosterSending = new Set<string>();
	const rosterAgain = new Set<string>();
	/** what each connection was last sent, so only changes go out (a join changes the count, not everyone's "mine") */
	const sentDone = new WeakMap<Connection, string>();
	const sentRoster = new WeakMap<Connection, string>();

	const countNotes = (doc: Y.Doc) => {
		let count = 0;
		for (const note of notesOf(doc).values()) if (note instanceof Y.Map) count += 1;
		return count;
	};

	/** A private document's note count follows every change to it; facilitators hear of it (never of the content). */
	function watchPrivateNotes(room: Room) {
		if (room.closed) return;
		const before = privateCounts.get(room.workshopId);
		privateCounts.set(room.workshopId, countNotes(room.doc));
		// Counted now that it is loaded: facilitators see the count (and other nodes hear of it) if it changed.
		if (before !== privateCounts.get(room.workshopId)) {
			scheduleRoster(room.key.workshopId);
			sharePresence(room.key.workshopId);
		}
		room.doc.on('update', () => {
			const count = countNotes(room.doc);
			if (privateCounts.get(room.workshopId) === count) return;
			privateCounts.set(room.workshopId, count);
			scheduleRoster(room.key.workshopId);
			sharePresence(room.key.workshopId);
		});
	}

	/** Private documents saved before this process started (e.g. a restart during private writing) are counted once. */
	async function countStoredPrivateNotes(workshopId: string) {
		if (privateCounted.has(workshopId)) return;
		privateCounted.add(workshopId);
		const store = getStore();
		try {
			for (const name of (await store.privateRooms?.(workshopId)) ?? []) {
				if (privateCounts.has(name) || rooms.has(name)) continue;
				const { updates } = await store.load(name);
				if (privateCounts.has(name) || rooms.has(name)) continue;
				const doc = new Y.Doc();
				try {
					for (const update of updates) Y.applyUpdate(doc, update);
					privateCounts.set(name, countNotes(doc));
				} finally {
					doc.destroy();
				}
			}
		} catch (error) {
			// Counted again next time.
			privateCounted.delete(workshopId);
			throw error;
		}
	}

	/** The roster as the facilitators see it; `alsoPresent`: a participant about to connect (a page being loaded). */
	async function computeRoster(workshopId: string, alsoPresent: string | null = null): Promise<Roster & { counted: Set<string>; doneIds: Set<string> }> {
		const base = await rosterBase!(workshopId);
		if (base.privateWriting) await countStoredPrivateNotes(workshopId);
		// Who is present is taken after the reads: as it is when the roster is sent.
		const present = presentParticipants(workshopId);
		if (alsoPresent) present.add(alsoPresent);
		const people = [];
		let done = 0;
		let privateTotal = 0;
		for (const person of base.participants) {
			const here = present.has(person.id);
			const privateNotes = base.privateWriting ? privateNoteCount(workshopId, person.id) : null;
			if (person.done) done += 1;
			privateTotal += privateNotes ?? 0;
			if (here || person.done || privateNotes) people.push({ id: person.id, name: person.name, present: here, done: person.done, privateNotes });
		}
		return {
			run: base.run,
			phaseId: base.phaseId,
			privateWriting: base.privateWriting,
			done,
			total: people.filter((person) => person.present || person.done).length,
			privateTotal: base.privateWriting ? privateTotal : null,
			people,
			counted: new Set(base.participants.map((person) => person.id)),
			doneIds: new Set(base.participants.filter((person) => person.done).map((person) => person.id))
		};
	}

	/** Sends each connection of the shared board its done count (105), and facilitators the roster (106), if changed. */
	async function sendRoster(workshopId: string) {
		const loading = rooms.get(workshopId);
		if (!rosterBase || !loading?.connections.size) return;
		// A board still loading: its connections get the roster once they have their greeting.
		if (!loading.loaded && !(await loading.ready.then(() => true, () => false))) return;
		const { counted, doneIds, ...roster } = await computeRoster(workshopId);
		const board = rooms.get(workshopId);
		if (!board || board.closed || !board.loaded || board.connections.size === 0) return;
		let rosterJson: string | undefined;
		// Three messages cover everyone (not counted; counted and done; counted and not done): each is serialised once.
		const doneJson = (counted: boolean, mine: boolean) => {
			const done: DoneLive =
				roster.phaseId === null
					? // Before a phase opens there is nothing to be done with: joiners do not change every phone's message.
						{ run: roster.run, phaseId: null, done: 0, total: 0, counted, mine: false }
					: { run: roster.run, phaseId: roster.phaseId, done: roster.done, total: roster.total, counted, mine };
			const json = JSON.stringify(done);
			return { json, bytes: encodeJson(messageDone, json) };
		};
		const messages = [doneJson(false, false), doneJson(true, false), doneJson(true, true)];
		for (const connection of board.connections) {
			const { participantId, role } = connection.identity;
			const isCounted = role === 'participant' && participantId !== null && counted.has(participantId);
			const message = messages[isCounted ? (doneIds.has(participantId!) ? 2 : 1) : 0]!;
			if (sentDone.get(connection) !== message.json) {
				sentDone.set(connection, message.json);
				connection.send(message.bytes, settings.maxBufferedBytes);
			}
			if (role !== 'facilitator') continue;
			rosterJson ??= JSON.stringify(roster);
			if (sentRoster.get(connection) !== rosterJson) {
				sentRoster.set(connection, rosterJson);
				connection.send(encodeJson(messageRoster, rosterJson), settings.maxBufferedBytes);
			}
		}
	}

	/**
	 * At once when quiet; in a busy room (a join rush, many marking done) at most once per interval. One send per
	 * workshop at a time (its reads are awaited): a change meanwhile is sent by the next one, never overtaken by it.
	 */
	function scheduleRoster(workshopId: string) {
		if (!rosterBase || shuttingDown || rosterTimers.has(workshopId)) return;
		if (rosterSending.has(workshopId)) {
			rosterAgain.add(workshopId);
			return;
		}
		const wait = (lastRosterAt.get(workshopId) ?? 0) + rosterIntervalMs - Date.now();
		const run = () => {
			rosterTimers.delete(workshopId);
			lastRosterAt.set(workshopId, Date.now());
			rosterSending.add(workshopId);
			sendRoster(workshopId)
				.catch((error: unknown) => log.error(`collab: could not send the roster of ${workshopId}`, error))
				.finally(() => {
					rosterSending.delete(workshopId);
					if (rosterAgain.delete(workshopId)) scheduleRoster(workshopId);
				});
		};
		if (wait > 0) {
			const timer = setTimeout(run, wait);
			timer.unref();
			rosterTimers.set(workshopId, { timer, immediate: false });
		} else rosterTimers.set(workshopId, { timer: setImmediate(run), immediate: true });
	}

	/**
	 * A connection leaves its room. An empty room stays loaded for `unloadAfterMs` (a phone waking up finds its
	 * board warm), but only the `maxIdleRooms` most recently left do: a 200-note board is ~0.8 MB of Yjs structures
	 * in memory, so 500 boards left at once would otherwise hold 400 MB until their timers ran out (B7).
	 */
	function leave(room: Room, connection: Connection) {
		const wasHere = room.connections.has(connection);
		room.remove(connection);
		if (wasHere && room.key.privateOf === null) {
			scheduleRoster(room.key.workshopId);
			sharePresence(room.key.workshopId);
		}
		if (room.closed || room.connections.size > 0) return;
		idleRooms.delete(room);
		idleRooms.add(room);
		for (const oldest of idleRooms) {
			if (idleRooms.size <= settings.maxIdleRooms) break;
			idleRooms.delete(oldest);
			void oldest.unload();
		}
	}

	function startHeartbeat() {
		if (heartbeat) return;
		// Dead TCP connections (a phone that went to sleep) are found and their rooms freed.
		heartbeat = setInterval(() => {
			for (const room of rooms.values()) {
				for (const connection of room.connections) {
					if (!connection.alive) connection.ws.terminate();
					else {
						connection.alive = false;
						connection.ws.ping();
					}
				}
			}
		}, options.heartbeatMs ?? 30_000);
		heartbeat.unref();
		reauthorisation = setInterval(() => void reauthoriseAll(), options.reauthoriseMs ?? 60_000);
		reauthorisation.unref();
	}

	/**
	 * A connection is authorised again the moment its session or guest token expires (then it closes, 4403), not at
	 * the next periodic check. Timers cap at ~24 days (setTimeout's limit): a later expiry is checked then, and again.
	 */
	const expiries = new WeakMap<Connection, ReturnType<typeof setTimeout>>();
	function expireAt(connection: Connection, at: number | undefined) {
		clearTimeout(expiries.get(connection));
		if (at === undefined || connection.closed) return;
		const timer = setTimeout(() => void reauthoriseAll((other) => other === connection), Math.min(Math.max(0, at - Date.now()), 2 ** 31 - 1));
		timer.unref();
		expiries.set(connection, timer);
	}

	/**
	 * Long-lived sockets are authorised again with their handshake's cookies, so a signed-out or expired
	 * session, a removed participant or a changed role takes effect even when no action told us.
	 */
	async function reauthoriseAll(which: (connection: Connection) => boolean = () => true) {
		let turnStarted = performance.now();
		for (const room of [...rooms.values()]) {
			for (const connection of [...room.connections]) {
				if (connection.closed || !which(connection)) continue;
				// On SQLite each authorisation resolves within the same event-loop turn: 1,000 connections would hold the
				// room's traffic for a whole loop. Other work gets the loop every few milliseconds.
				if (performance.now() - turnStarted > 4) {
					await new Promise((resolve) => setImmediate(resolve));
					turnStarted = performance.now();
				}
				let access: BoardAccess;
				try {
					access = await authoriseRoom(room.workshopId, connection.cookieHeader);
				} catch (error) {
					log.error('collab: re-authorisation failed', error);
					return;
				}
				// It may have left (or been closed) while its access was read.
				if (connection.closed || !room.connections.has(connection)) continue;
				if (!access.ok) {
					const code = access.status === 404 ? closeCodes.deleted : closeCodes.removed;
					connection.close(code, 'access ended');
					leave(room, connection);
					continue;
				}
				if (access.role !== connection.identity.role) room.setRole(connection, access.role);
				expireAt(connection, access.expiresAt);
			}
		}
	}

	function attach(
		ws: WebSocket,
		workshopId: string,
		access: Extract<BoardAccess, { ok: true }>,
		cookieHeader: string | undefined,
		counted: { person: string | null; address: string }
	) {
		sockets.add(ws);
		ws.on('close', () => {
			sockets.delete(ws);
			if (counted.person) count(perPerson, counted.person, -1);
			count(perAddress, counted.address, -1);
		});
		// `ws` closes the connection itself on protocol errors and oversized frames (1009); nothing to add.
		ws.on('error', () => {});
		// While the board loads, the room queues this connection's greeting and messages (a failed load closes it, 1011).
		const room = loadRoom(workshopId);
		const { participantId, userId, displayName, role } = access;
		const connection = new Connection(ws, { participantId, userId, displayName, role }, cookieHeader, settings.maxBufferedBytes);
		ws.on('message', (data: RawData, isBinary: boolean) => {
			if (!isBinary) return connection.close(closeCodes.unsupportedData, 'binary messages only');
			const bytes = toBytes(data);
			if (bytes[0] === messageVoteCast && options.castVote) receiveVote(room, connection, bytes, options.castVote);
			else room.receive(connection, bytes);
		});
		ws.on('pong', () => (connection.alive = true));
		ws.on('close', () => {
			clearTimeout(expiries.get(connection));
			leave(room, connection);
		});
		expireAt(connection, access.expiresAt);
		idleRooms.delete(room);
		room.add(connection);
		if (room.key.privateOf === null) {
			scheduleRoster(room.key.workshopId);
			sharePresence(room.key.workshopId);
		}
		startHeartbeat();
	}

	/**
	 * A vote on the board's socket: a phone already connected to the board votes without an HTTP request of its
	 * own (B4: a room of 1,000 voting at once). Counted like a document update (each is a write); only on the
	 * shared board, not a private room.
	 */
	function receiveVote(room: Room, connection: Connection, bytes: Uint8Array, castVote: NonNullable<CollabOptions['castVote']>) {
		if (connection.closed) return;
		const now = Date.now();
		if (!connection.messages.admit(now, settings.maxMessagesPerSecond) || !connection.updates.admit(now, settings.maxUpdatesPerSecond))
			return connection.close(closeCodes.flood, 'too many votes');
		let body: unknown;
		try {
			const decoder = decoding.createDecoder(bytes);
			decoding.readVarUint(decoder);
			body = JSON.parse(decoding.readVarString(decoder));
		} catch {
			return connection.close(closeCodes.malformed, 'malformed message');
		}
		if (room.key.privateOf !== null) return connection.close(closeCodes.malformed, 'votes go to the board');
		// One after another per connection: the answers come back in the order the votes were sent. (Cast even if the
		// socket closes meanwhile: the person tapped; a resend with the same request id counts once.)
		connection.votes = connection.votes.then(async () => {
			let answer: unknown;
			try {
				answer = await castVote(room.key.workshopId, connection.cookieHeader, body);
			} catch (error) {
				log.error('collab: vote failed', error);
				return connection.close(closeCodes.serverError, 'vote failed');
			}
			connection.send(encodeVoteAnswer(answer));
		});
	}

	/** A participant's connections to the workshop's board and private rooms. */
	function connectionsOf(workshopId: string, participantId: string) {
		// Facilitators keep their access whatever happens to a participant row of theirs (as page loads do).
		return roomsOf(workshopId).flatMap((room) =>
			[...room.connections]
				.filter((c) => c.identity.participantId === participantId && c.identity.role !== 'facilitator')
				.map((connection) => ({ room, connection }))
		);
	}

	/**
	 * Moves every private document's notes onto the board in one change (logged before anyone sees it, one message),
	 * in a random order when anonymous (reveal.ts), then empties the private documents. What is not a note is skipped.
	 */
	async function revealPrivateNotes(workshopId: string, anonymous: boolean) {
		const store = getStore();
		const names = new Set((await store.privateRooms?.(workshopId)) ?? []);
		for (const room of roomsOf(workshopId)) if (room.key.privateOf !== null) names.add(room.workshopId);
		const board = loadRoom(workshopId);
		const opened: Room[] = [];
		try {
			await board.ready;
			const people: { room: Room; participantId: string; notes: PrivateNote[] }[] = [];
			for (const name of names) {
				const room = loadRoom(name);
				opened.push(room);
				await room.ready;
			}
			// Read once every document is loaded; each room applies its change after what it has queued.
			for (const room of opened) {
				const notes = readPrivateNotes(room.doc);
				if (notes.length > 0) people.push({ room, participantId: room.key.privateOf!, notes });
			}
			if (people.length === 0) return 0;
			let revealed = 0;
			await board.applyServerChange((doc) => (revealed = writeRevealedNotes(doc, people, anonymous)));
			for (const { room, notes } of people) {
				await room.applyServerChange((doc) => {
					const own = doc.getMap('notes');
					for (const note of notes) own.delete(note.id);
				});
			}
			return revealed;
		} finally {
			for (const room of opened) if (room.connections.size === 0) void room.unload();
			if (board.connections.size === 0) void board.unload();
		}
	}

	const sink: LiveSink = {
		broadcastLive(workshopId: string, state: LiveState, serverNow: number, phaseKind: PhaseKind | null) {
			const message = encodeLive(state, serverNow);
			for (const room of roomsOf(workshopId)) room.setLive({ state, phaseKind }, message);
		},
		judgeBy(workshopId: string, state: LiveState, phaseKind: PhaseKind | null) {
			for (const room of roomsOf(workshopId)) room.judgeBy({ state, phaseKind });
		},
		revealPrivateNotes,
		hasRoom: (workshopId: string) => rooms.has(workshopId),
		broadcastVote(workshopId: string, vote: unknown) {
			rooms.get(workshopId)?.broadcastLive(encodeVote(vote));
		},
		presentVoters(workshopId: string) {
			// Only participants vote (facilitators run the round, observers watch). One person may have several tabs
			// open: counted once, by the id they vote with.
			return presentParticipants(workshopId).size;
		},
		async changeBoard(workshopId: string, change: (doc: Y.Doc) => void) {
			const board = loadRoom(workshopId);
			try {
				await board.applyServerChange(change);
			} finally {
				if (board.connections.size === 0) void board.unload();
			}
		},
		rosterChanged: scheduleRoster,
		async doneCounts(workshopId: string, alsoPresent: string | null) {
			if (!rosterBase) return { done: 0, total: 0 };
			const { phaseId, done, total } = await computeRoster(workshopId, alsoPresent);
			return phaseId === null ? { done: 0, total: 0 } : { done, total };
		}
	};
	liveSinks.add(sink);

	/** Authorises (awaiting the database), then hands the socket to the room, or refuses it. */
	async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
		socket.on('error', () => socket.destroy());
		const match = path.exec(new URL(request.url ?? '/', 'http://localhost').pathname);
		if (!match) return refuseUpgrade(socket, 404);
		if (shuttingDown) return refuseUpgrade(socket, 503);
		if (!originAllowed(request, options.origin ?? process.env.ORIGIN)) return refuseUpgrade(socket, 403);
		const workshopId = match[1]!;
		const address = clientAddress(request, options.addressHeader ?? process.env.ADDRESS_HEADER);
		if ((perAddress.get(address) ?? 0) >= maxConnectionsPerAddress) return refuseUpgrade(socket, 429);
		// Counted from here, before the authorisation is awaited: a burst of upgrades from one address cannot pass the
		// cap (nor keep more authorisations than that in flight).
		count(perAddress, address, 1);
		let person: string | null = null;
		let attached = false;
		socket.once('close', () => {
			if (attached) return;
			if (person) count(perPerson, person, -1);
			count(perAddress, address, -1);
		});
		let access: BoardAccess;
		try {
			access = await authoriseRoom(workshopId, request.headers.cookie);
		} catch (error) {
			log.error('collab: authorisation failed', error);
			return refuseUpgrade(socket, 500);
		}
		if (socket.destroyed) return;
		if (shuttingDown) return refuseUpgrade(socket, 503);
		if (!access.ok) return refuseUpgrade(socket, access.status);
		if ((rooms.get(workshopId)?.connections.size ?? 0) >= maxConnectionsPerRoom) return refuseUpgrade(socket, 503);
		const who = access.participantId ?? (access.userId ? `user:${access.userId}` : null);
		if (who && (perPerson.get(who) ?? 0) >= maxConnectionsPerPerson) return refuseUpgrade(socket, 429);
		// Checked and counted in one step after the await: a burst of one person's upgrades cannot pass the cap either.
		if (who) count(perPerson, (person = who), 1);
		const cookieHeader = request.headers.cookie;
		const counted = { person, address };
		const granted = access;
		wss.handleUpgrade(request, socket, head, (ws) => {
			attached = true;
			attach(ws, workshopId, granted, cookieHeader, counted);
		});
	}

	const server = {
		/** For `server.on('upgrade')`: authorises, then hands the socket to the room (or refuses it). */
		handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
			void upgrade(request, socket, head).catch((error: unknown) => {
				log.error('collab: upgrade failed', error);
				refuseUpgrade(socket, 500);
			});
		},

		/** A removed participant's open connections close at once with 4403 (the client does not retry). */
		disconnectParticipant(workshopId: string, participantId: string) {
			const matching = connectionsOf(workshopId, participantId);
			for (const { room, connection } of matching) {
				connection.close(closeCodes.removed, 'removed from the workshop');
				leave(room, connection);
			}
			return matching.length;
		},

		/**
		 * A session ended (sign-out): the connections opened with it are authorised again at once, instead of at the next
		 * periodic check (up to a minute later); those it alone let in close (4403).
		 */
		closeSession(sessionId: string) {
			const signedWith = (connection: Connection) => sessionIdOf(connection.cookieHeader) === sessionId;
			return reauthoriseAll(signedWith);
		},

		/** All of a user's sessions ended: their connections are authorised again at once; those a session alone let in close (4403). */
		closeUserSessions(userId: string) {
			return reauthoriseAll((connection) => connection.identity.userId === userId);
		},

		/**
		 * observer ↔ participant on open connections: writes are judged by the new role from the next message, and
		 * the connection closes with a retryable code so the client reconnects and reloads in its new role.
		 */
		setConnectionRole(workshopId: string, participantId: string, role: 'participant' | 'observer') {
			const matching = connectionsOf(workshopId, participantId);
			for (const { room, connection } of matching) {
				room.setRole(connection, role);
				connection.close(closeCodes.roleChanged, 'role changed');
			}
			return matching.length;
		},

		/** The workshop was deleted: close its connections (4404) and forget the room without saving. */
		closeRoom(workshopId: string) {
			for (const room of roomsOf(workshopId)) room.close(closeCodes.deleted, 'workshop deleted');
		},

		/** Saves and compacts every room, closes every connection (1012), and resolves when they are gone. */
		async shutdown(timeoutMs = 2000) {
			shuttingDown = true;
			liveSinks.delete(sink);
			clearInterval(heartbeat);
			clearInterval(presenceTimer);
			clearInterval(reauthorisation);
			for (const { timer, immediate } of rosterTimers.values()) {
				if (immediate) clearImmediate(timer as NodeJS.Immediate);
				else clearTimeout(timer as NodeJS.Timeout);
			}
			rosterTimers.clear();
			// Every room's last saves, then its connections close.
			await Promise.all([...rooms.values()].map((room) => room.shutdown()));
			if (sockets.size === 0) return;
			await new Promise<void>((resolve) => {
				const timer = setTimeout(() => {
					for (const ws of sockets) ws.terminate();
					resolve();
				}, timeoutMs);
				const check = () => {
					if (sockets.size === 0) {
						clearTimeout(timer);
						resolve();
					}
				};
				for (const ws of sockets) ws.once('close', check);
			});
		},

		/** Sends the live state (type 100) to every connection of the workshop's board and private rooms. */
		broadcastLive: sink.broadcastLive,

		/** Moves every private document's notes onto the board; returns how many. */
		revealPrivateNotes,

		/** For tests and monitoring. */
		stats() {
			return {
				rooms: [...rooms.values()].map((room) => ({
					workshopId: room.workshopId,
					connections: room.connections.size,
					pendingUpdates: room.pendingUpdates,
					/** structs and deletions Yjs holds back for missing dependencies (never anything: they are refused) */
					pendingStructs: room.doc.store.pendingStructs !== null || room.doc.store.pendingDs !== null
				})),
				sockets: sockets.size
			};
		},

		/**
		 * A copy of the board as saved (the live room's document when loaded, else snapshot + log), for
		 * server-side reads such as exports. Changing the copy changes nothing.
		 */
		async readDoc(workshopId: string) {
			const doc = new Y.Doc();
			const room = rooms.get(workshopId);
			if (room && !room.closed) {
				await room.ready.catch(() => {});
				if (!room.closed) {
					Y.applyUpdate(doc, Y.encodeStateAsUpdate(room.doc));
					return doc;
				}
			}
			for (const update of (await getStore().load(workshopId)).updates) Y.applyUpdate(doc, update);
			return doc;
		}
	};
	return server;
}

/** The session id in a Cookie header's session token (`id.secret`), if any. */
function sessionIdOf(cookieHeader: string | undefined) {
	for (const part of (cookieHeader ?? '').split(';')) {
		const [name, ...value] = part.trim().split('=');
		if (name === sessionCookieName) return decodeURIComponent(value.join('=')).split('.')[0] ?? null;
	}
	return null;
}

function toBytes(data: RawData): Uint8Array {
	if (Array.isArray(data)) return Buffer.concat(data);
	if (data instanceof ArrayBuffer) return new Uint8Array(data);
	return data;
}

function definedOnly(options: Partial<RoomSettings>) {
	const keys: (keyof RoomSettings)[] = [
		'compactEveryUpdates',
		'compactAfterMs',
		'unloadAfterMs',
		'maxIdleRooms',
		'awarenessIntervalMs',
		'maxMessagesPerSecond',
		'maxUpdatesPerSecond',
		'updateIntervalMs',
		'maxBufferedBytes',
		'maxAwarenessClientsPerConnection',
		'awarenessTimeoutMs',
		'maxNotes',
		'maxBoardBytes',
		'maxUpdateBytes',
		'maxSyncRequestsPerSecond'
	];
	const out: Partial<RoomSettings> = {};
	for (const key of keys) if (options[key] !== undefined) out[key] = options[key];
	return out;
}
