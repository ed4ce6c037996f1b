// Board test helpers: real y-websocket clients in Node (ws with cookie + Origin headers), raw sockets for
// hostile input, people and workshops made through the app's own functions, bounded waits.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, type ClientOptions } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { readBoard } from '../../src/lib/board/model';
import { serverMessageTypes } from '../../src/lib/live-protocol';
import { rawGet } from '../../src/lib/server/db';
import { createCollabServer, type CollabOptions } from '../../src/lib/server/collab/server';
import { openBoardStore } from '../../src/lib/server/collab/store';
import { createSession } from '../../src/lib/server/session';
import { createUser } from '../../src/lib/server/users';
import { createWorkshop, guestCookieName, joinAsGuest, joinAsUser, resolveBoardAccess, type WorkshopInput } from '../../src/lib/server/workshops';

/**
 * The collab module on its own HTTP server on 127.0.0.1:0, with the app's real authorisation and the database's store
 * (unloading rooms 150 ms after they empty, logging nothing unless `options.log` says); `close` shuts both down.
 */
export async function startCollabHarness(options: Partial<CollabOptions> = {}) {
	const collab = createCollabServer({
		authorise: resolveBoardAccess,
		store: openBoardStore(),
		unloadAfterMs: 150,
		log: { error: () => {}, warn: () => {} },
		...options
	});
	const server = http.createServer((_req, res) => res.writeHead(404).end());
	server.on('upgrade', (req, socket, head) => collab.handleUpgrade(req, socket, head));
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		collab,
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		close: async () => {
			await collab.shutdown(500);
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		}
	};
}

export type CollabHarness = Awaited<ReturnType<typeof startCollabHarness>>;

export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 8000, intervalMs = 10) {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(intervalMs);
	}
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** http://127.0.0.1:1234 → ws://127.0.0.1:1234/collab (what the browser's provider is given). */
export function collabUrl(httpUrl: string) {
	return httpUrl.replace(/^http/, 'ws') + '/collab';
}

/** A `ws` WebSocket class that sends the headers a browser would (cookie, Origin). */
export function headerWebSocket(headers: Record<string, string>) {
	return class extends WebSocket {
		constructor(url: string | URL, protocols?: string | string[], options?: ClientOptions) {
			super(url, protocols ?? [], { ...options, headers: { ...options?.headers, ...headers } });
		}
	};
}

export type BoardClient = {
	name: string;
	doc: Y.Doc;
	provider: WebsocketProvider;
	/** close codes of every connection this client had */
	closes: number[];
	/** document updates received from the server (origin = the provider) */
	received: () => number;
	destroy: () => void;
};

/** A real WebsocketProvider client, as the board page creates it, with a browser's headers. */
export function connectBoard(
	httpUrl: string,
	workshopId: string,
	options: { cookie?: string; origin?: string | null; name?: string; doc?: Y.Doc } = {}
): BoardClient {
	const doc = options.doc ?? new Y.Doc();
	const headers: Record<string, string> = {};
	if (options.cookie) headers.cookie = options.cookie;
	if (options.origin !== null) headers.origin = options.origin ?? httpUrl;
	const provider = new WebsocketProvider(collabUrl(httpUrl), workshopId, doc, {
		WebSocketPolyfill: headerWebSocket(headers) as unknown as typeof globalThis.WebSocket,
		// BroadcastChannel exists in Node: without this, clients in one process would sync past the server.
		disableBc: true,
		maxBackoffTime: 300
	});
	// The server's own messages (live state, refusals, votes, done counts, rosters) are the board page's business;
	// tests that need them set their own.
	for (const type of serverMessageTypes) provider.messageHandlers[type] ??= () => {};
	const closes: number[] = [];
	provider.on('connection-close', (event) => {
		if (event) closes.push(event.code);
	});
	let received = 0;
	let destroyed = false;
	doc.on('update', (_update: Uint8Array, origin: unknown) => {
		if (origin === provider) received++;
	});
	return {
		name: options.name ?? 'client',
		doc,
		provider,
		closes,
		received: () => received,
		destroy: () => {
			if (destroyed) return;
			destroyed = true;
			provider.destroy();
			doc.destroy();
		}
	};
}

/** The presence a client sees of someone, found by the name the server stamped on it (undefined until it arrives). */
export function presenceOf(client: BoardClient, name: string) {
	type Presence = { identity?: { name?: string; role?: string }; cursor?: { x?: number; y?: number } };
	return [...client.provider.awareness.getStates().values()].find((state) => (state as Presence).identity?.name === name) as Presence | undefined;
}

export async function synced(...clients: BoardClient[]) {
	await waitFor(() => clients.every((c) => c.provider.synced), `${clients.map((c) => c.name).join(', ')} to sync`);
}

/** Every client holds exactly the same document. */
export function sameState(clients: BoardClient[]) {
	const [first, ...rest] = clients.map((c) => Buffer.from(Y.encodeStateVector(c.doc)).toString('base64'));
	return rest.every((sv) => sv === first);
}

export type UpgradeOutcome = { status: number | null; opened: boolean; messages: number; closeCode: number | null };

/** One raw WebSocket handshake: the HTTP status of a refusal, or whether it opened and what it received. */
export async function tryUpgrade(httpUrl: string, workshopId: string, headers: Record<string, string>, lingerMs = 150) {
	const ws = new WebSocket(`${collabUrl(httpUrl)}/${workshopId}`, { headers });
	const outcome: UpgradeOutcome = { status: null, opened: false, messages: 0, closeCode: null };
	await new Promise<void>((resolve) => {
		ws.on('unexpected-response', (request, response) => {
			outcome.status = response.statusCode ?? null;
			response.resume();
			response.on('end', () => {
				request.destroy();
				resolve();
			});
		});
		ws.on('message', () => outcome.messages++);
		ws.on('open', () => {
			outcome.opened = true;
			resolve();
		});
		ws.on('error', () => resolve());
		ws.on('close', (code) => {
			outcome.closeCode = code;
			resolve();
		});
	});
	// Anything the server would send after accepting arrives in this window.
	await sleep(lingerMs);
	if (ws.readyState === WebSocket.OPEN) ws.terminate();
	return outcome;
}

/** An open raw socket to a board, for sending hand-made frames. */
export async function rawBoardSocket(httpUrl: string, workshopId: string, headers: Record<string, string>) {
	const ws = new WebSocket(`${collabUrl(httpUrl)}/${workshopId}`, { headers: { origin: httpUrl, ...headers } });
	const messages: Buffer[] = [];
	let closeCode: number | null = null;
	ws.on('message', (data) => messages.push(data as Buffer));
	ws.on('error', () => {});
	ws.on('close', (code) => (closeCode = code));
	await once(ws, 'open');
	return { ws, messages, closeCode: () => closeCode };
}

// People and workshops, through the app's own functions ------------------------------------------------

let counter = 0;

export async function newUser(name: string) {
	const email = `${name.toLowerCase().replace(/\W+/g, '-')}-${++counter}-${Date.now()}@example.fi`;
	const user = await createUser({ name, email, password: 'salasana-123' });
	const { token } = await createSession(user.id);
	return { id: user.id, name, email, cookie: `verstas_session=${token}` };
}

export function workshopInput(title: string): WorkshopInput {
	return {
		title,
		theme: 'Nuorten osallisuus',
		description: '',
		startsAt: null,
		organisationIds: [],
		coFacilitatorEmails: [],
		perspectives: [{ title: 'Lapsiperheet', description: '' }],
		phases: []
	};
}

export function newWorkshop(ownerId: string, title = 'Työpaja') {
	return createWorkshop(workshopInput(title), ownerId);
}

export async function newGuest(workshopId: string, displayName: string) {
	const { participantId, token } = await joinAsGuest(workshopId, { displayName });
	return { id: participantId, participantId, name: displayName, cookie: `${guestCookieName(workshopId)}=${token}` };
}

export async function newMember(workshopId: string, name: string) {
	const user = await newUser(name);
	const participant = (await joinAsUser(workshopId, user))!;
	return { ...user, participantId: participant.id };
}

/** The author a person's notes must carry (the server refuses others): their participant id, else `user:` and their user id. */
export function authorOf(person: { id: string; name: string; participantId?: string }) {
	return { id: person.participantId ?? `user:${person.id}`, name: person.name };
}

// The database, read directly ---------------------------------------------------------------------------

export async function loggedUpdates(workshopId: string) {
	const row = await rawGet<{ n: number | string }>('SELECT count(*) AS n FROM board_updates WHERE workshop_id = ?', workshopId);
	return Number(row!.n);
}

export async function hasSnapshot(workshopId: string) {
	return !!(await rawGet('SELECT 1 FROM board_snapshots WHERE workshop_id = ?', workshopId));
}

/**
 * The board as stored (snapshot + log) for a room name, loaded as a node loads it: in one read of the database. Two
 * reads (snapshot, then log) could straddle another node's compaction and see neither (cluster.test, once in CI).
 */
export async function storedBoard(room: string) {
	const doc = new Y.Doc();
	for (const update of (await openBoardStore().load(room)).updates) Y.applyUpdate(doc, update);
	return doc;
}

/** The board's notes in a stable order (readBoard sorts by creation time, which ties under load). */
export function notesById(doc: Y.Doc) {
	return readBoard(doc).notes.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

// The live cockpit's messages (type 100 live state, type 101 refused) -------------------------------------

import * as decoding from 'lib0/decoding';

export type LiveMessage = { state: import('../../src/lib/server/live').LiveState; serverNow: number; receivedAt: number };

/** Records the server's type-100 and type-101 messages on a client (as the board page's handlers would). */
export function liveChannel(client: BoardClient) {
	const channel = { live: [] as LiveMessage[], refused: [] as string[] };
	client.provider.messageHandlers[100] = (_encoder, decoder) => {
		const { state, serverNow } = JSON.parse(decoding.readVarString(decoder)) as Omit<LiveMessage, 'receivedAt'>;
		channel.live.push({ state, serverNow, receivedAt: Date.now() });
	};
	client.provider.messageHandlers[101] = (_encoder, decoder) => {
		channel.refused.push((JSON.parse(decoding.readVarString(decoder)) as { reason: string }).reason);
	};
	return channel;
}

/** A client whose handlers are in place before the socket opens (so the first type-100 message is seen). */
export function connectLive(
	httpUrl: string,
	room: string,
	options: { cookie?: string; name?: string } = {}
): BoardClient & { channel: ReturnType<typeof liveChannel> } {
	const doc = new Y.Doc();
	const headers: Record<string, string> = { origin: httpUrl };
	if (options.cookie) headers.cookie = options.cookie;
	const provider = new WebsocketProvider(collabUrl(httpUrl), room, doc, {
		WebSocketPolyfill: headerWebSocket(headers) as unknown as typeof globalThis.WebSocket,
		disableBc: true,
		maxBackoffTime: 300,
		connect: false
	});
	// The server's own messages (live state, refusals, votes, done counts, rosters) are the board page's business;
	// tests that need them set their own.
	for (const type of serverMessageTypes) provider.messageHandlers[type] ??= () => {};
	const closes: number[] = [];
	provider.on('connection-close', (event) => {
		if (event) closes.push(event.code);
	});
	let received = 0;
	doc.on('update', (_update: Uint8Array, origin: unknown) => {
		if (origin === provider) received++;
	});
	let destroyed = false;
	const client: BoardClient = {
		name: options.name ?? room,
		doc,
		provider,
		closes,
		received: () => received,
		destroy: () => {
			if (destroyed) return;
			destroyed = true;
			provider.destroy();
			doc.destroy();
		}
	};
	const channel = liveChannel(client);
	provider.connect();
	return { ...client, channel };
}
