// The collab module in-process, on its own HTTP server on 127.0.0.1:0, against this file's SQLite database,
// with the app's real authorisation (resolveBoardAccess): the calls the workshop actions make
// (disconnectParticipant, setConnectionRole, closeRoom), awareness, compaction and unloading.
import Database from 'better-sqlite3';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote, notesOf, readBoard } from '../../src/lib/board/model';
import { changeBoard, closeCodes as closeCodesOf, mergeWindowMs, openBoardStore, originAllowed, type CollabOptions, type CollabServer } from '../../src/lib/server/collab';
import type { IncomingMessage } from 'node:http';
import { Connection } from '../../src/lib/server/collab/room';
import { getDb, rawRun, usesPostgres } from '../../src/lib/server/db';
import { deleteWorkshop, removeParticipant, setParticipantRole } from '../../src/lib/server/workshops';
import {
	connectBoard,
	hasSnapshot,
	loggedUpdates,
	newGuest,
	newMember,
	newUser,
	newWorkshop,
	notesById,
	presenceOf,
	sleep,
	startCollabHarness,
	storedBoard,
	synced,
	tryUpgrade,
	waitFor,
	authorOf,
	type BoardClient,
	type CollabHarness
} from '../helpers/collab';

const logged: string[] = [];
const clients: BoardClient[] = [];
const harnesses: CollabHarness[] = [];

/** The collab module on its own HTTP server (startCollabHarness), compacting often, its log kept for the tests. */
async function startHarness(options: Partial<CollabOptions> = {}): Promise<CollabHarness> {
	const harness = await startCollabHarness({
		compactEveryUpdates: 20,
		awarenessIntervalMs: 20,
		log: { error: (message: string) => logged.push(message), warn: (message: string) => logged.push(message) },
		...options
	});
	harnesses.push(harness);
	return harness;
}

let collab: CollabServer;
let url: string;

function client(workshopId: string, person: { cookie: string; name: string }, at = url) {
	const c = connectBoard(at, workshopId, { cookie: person.cookie, name: person.name });
	clients.push(c);
	return c;
}

beforeAll(async () => {
	({ collab, url } = await startHarness());
});

afterAll(async () => {
	for (const c of clients) c.destroy();
	for (const harness of harnesses) await harness.close();
});

describe('collab module (in-process)', () => {
	it('disconnects a removed participant at once with 4403; they stay out, the others stay on', async () => {
		const owner = await newUser('Fasilitaattori');
		const workshop = await newWorkshop(owner.id);
		const guest = await newGuest(workshop.id, 'Vieras');
		const member = await newMember(workshop.id, 'Jäsen');
		const facilitator = client(workshop.id, owner);
		const removedGuest = client(workshop.id, guest);
		const removedMember = client(workshop.id, member);
		await synced(facilitator, removedGuest, removedMember);

		// What the facilitator's remove action does: the row first, then the live connections.
		expect(await removeParticipant(workshop.id, guest.participantId)).toEqual([guest.participantId]);
		expect(collab.disconnectParticipant(workshop.id, guest.participantId)).toBe(1);
		expect(await removeParticipant(workshop.id, member.participantId)).toEqual([member.participantId]);
		expect(collab.disconnectParticipant(workshop.id, member.participantId)).toBe(1);
		await waitFor(() => removedGuest.closes.includes(4403) && removedMember.closes.includes(4403), 'the 4403 closes');

		// 44xx is permanent for y-websocket: no reconnection attempts, and a new handshake is refused.
		await sleep(400);
		expect(removedGuest.provider.shouldConnect).toBe(false);
		expect(removedGuest.provider.wsconnected).toBe(false);
		expect((await tryUpgrade(url, workshop.id, { cookie: guest.cookie, origin: url })).status).toBe(401);
		expect((await tryUpgrade(url, workshop.id, { cookie: member.cookie, origin: url })).status).toBe(403);

		addNote(facilitator.doc, { text: 'Vielä täällä', lane: 'a', author: authorOf(owner) });
		expect(collab.stats().rooms.find((r) => r.workshopId === workshop.id)?.connections).toBe(1);
		expect(facilitator.provider.wsconnected).toBe(true);
		expect(readBoard(removedGuest.doc).notes).toHaveLength(0);
	});

	it('switches observer ↔ participant live on an open connection', async () => {
		const owner = await newUser('Vetäjä');
		const workshop = await newWorkshop(owner.id);
		const guest = await newGuest(workshop.id, 'Tarkkailija');
		const facilitator = client(workshop.id, owner);
		const switching = client(workshop.id, guest);
		await synced(facilitator, switching);
		const closeCodes: number[] = [];
		switching.provider.on('connection-close', (event: CloseEvent | null) => closeCodes.push(event?.code ?? 0));

		await setParticipantRole(workshop.id, guest.participantId, 'observer');
		expect(collab.setConnectionRole(workshop.id, guest.participantId, 'observer')).toBe(1);
		// A retryable close: the client reconnects (and the board page reloads itself in the new role).
		await waitFor(() => closeCodes.includes(closeCodesOf.roleChanged), 'the role-change close');
		await waitFor(() => switching.provider.wsconnected && switching.provider.synced, 'the reconnect');
		addNote(switching.doc, { text: 'ei pitäisi näkyä', lane: 'a', author: authorOf(guest), id: 'dropped' });
		addNote(facilitator.doc, { text: 'fasilitaattorin', lane: 'a', author: authorOf(owner), id: 'seen' });
		await waitFor(() => notesOf(switching.doc).has('seen'), 'the observer to receive the board');
		await sleep(100);
		expect(notesOf(facilitator.doc).has('dropped')).toBe(false);
		expect(notesOf(await storedBoard(workshop.id)).has('dropped')).toBe(false);

		await setParticipantRole(workshop.id, guest.participantId, 'participant');
		expect(collab.setConnectionRole(workshop.id, guest.participantId, 'participant')).toBe(1);
		addNote(switching.doc, { text: 'nyt saa kirjoittaa', lane: 'a', author: authorOf(guest), id: 'allowed' });
		await waitFor(() => notesOf(facilitator.doc).has('allowed'), 'the promoted participant’s note');
		expect(switching.provider.wsconnected).toBe(true);
	});

	it('stamps awareness with the server-known identity and keeps connections to their own client ids', async () => {
		const owner = await newUser('Oikea Nimi');
		const workshop = await newWorkshop(owner.id);
		const guest = await newGuest(workshop.id, 'Vieras Ville');
		const a = client(workshop.id, owner);
		const b = client(workshop.id, guest);
		await synced(a, b);
		b.provider.awareness.setLocalStateField('user', { name: 'Esittää fasilitaattoria' });
		await waitFor(() => a.provider.awareness.getStates().has(b.doc.clientID), 'b’s awareness at a');
		await waitFor(
			() => (a.provider.awareness.getStates().get(b.doc.clientID)?.user as { name?: string })?.name === 'Esittää fasilitaattoria',
			'b’s latest awareness at a'
		);
		expect(a.provider.awareness.getStates().get(b.doc.clientID)?.identity).toEqual({
			name: 'Vieras Ville',
			role: 'participant'
		});

		b.destroy();
		await waitFor(() => !a.provider.awareness.getStates().has(b.doc.clientID), 'b’s awareness to be removed');
	});

	it('compacts the log into the snapshot when the room empties, unloads it, and loads the same board', async () => {
		const owner = await newUser('Tiivistäjä');
		const workshop = await newWorkshop(owner.id);
		const a = client(workshop.id, owner);
		const writer = await newGuest(workshop.id, 'Kirjoittaja');
		const b = client(workshop.id, writer);
		await synced(a, b);
		for (let i = 0; i < 45; i++) addNote(i % 2 ? a.doc : b.doc, { text: `lappu ${i}`, lane: 'a', author: authorOf(i % 2 ? owner : writer) });
		await waitFor(() => notesOf(a.doc).size === 45 && notesOf(b.doc).size === 45, 'both to hold 45 notes');
		// Compacted every 20 updates while live: the log never holds the whole history.
		// (the compaction's write may still be under way when the last note arrives)
		await waitFor(async () => (await loggedUpdates(workshop.id)) < 20 && (await hasSnapshot(workshop.id)), 'a compaction while live');

		const expected = notesById(a.doc);
		expect(notesById(await collab.readDoc(workshop.id))).toEqual(expected);
		a.destroy();
		b.destroy();
		await waitFor(async () => await loggedUpdates(workshop.id) === 0, 'the log to be folded into the snapshot');
		await waitFor(() => !collab.stats().rooms.some((r) => r.workshopId === workshop.id), 'the room to unload');
		expect(notesById(await storedBoard(workshop.id))).toEqual(expected);
		expect(notesById(await collab.readDoc(workshop.id))).toEqual(expected);

		const again = client(workshop.id, owner);
		await synced(again);
		expect(notesById(again.doc)).toEqual(expected);
	});

	it('lands every server-side change to a board nobody has open, however close together (none falls into its unloading)', async () => {
		const owner = await newUser('Palvelin');
		const workshop = await newWorkshop(owner.id);
		// Each change leaves the room empty, so it starts unloading; the next one arrives while it does.
		for (let i = 0; i < 30; i++) await changeBoard(workshop.id, (doc) => addNote(doc, { text: `lappu ${i}`, lane: 'a', author: authorOf(owner) }));
		await Promise.all([0, 1, 2].map((i) => changeBoard(workshop.id, (doc) => addNote(doc, { text: `yhtä aikaa ${i}`, lane: 'a', author: authorOf(owner) }))));
		expect(notesOf(await storedBoard(workshop.id)).size).toBe(33);
	});

	it('keeps only the most recently left empty rooms in memory; an unloaded board comes back whole', async () => {
		const { collab, url } = await startHarness({ unloadAfterMs: 60_000, maxIdleRooms: 1 });
		const owner = await newUser('Muistinsäästäjä');
		const workshops = [await newWorkshop(owner.id), await newWorkshop(owner.id), await newWorkshop(owner.id)];
		const loaded = () => collab.stats().rooms.map((room) => room.workshopId);
		for (const [index, workshop] of workshops.entries()) {
			const visitor = connectBoard(url, workshop.id, { cookie: owner.cookie, name: owner.name });
			clients.push(visitor);
			await synced(visitor);
			addNote(visitor.doc, { text: `lappu ${index}`, lane: 'a', author: authorOf(owner) });
			await waitFor(async () => await loggedUpdates(workshop.id) + (await hasSnapshot(workshop.id) ? 1 : 0) > 0, 'the note saved');
			visitor.destroy();
			// Without the cap every room would stay for a minute; with it only the one left last does.
			await waitFor(() => loaded().length === 1 && loaded()[0] === workshop.id, `only board ${index} left in memory`);
		}
		const back = connectBoard(url, workshops[0]!.id, { cookie: owner.cookie, name: owner.name });
		clients.push(back);
		await synced(back);
		expect([...notesOf(back.doc).values()].map((note) => note.get('text'))).toEqual(['lappu 0']);
		expect(loaded().sort()).toEqual([workshops[0]!.id, workshops[2]!.id].sort());
	});

	it('answers clients that come back with the same state vector from one computation, and a change made meanwhile reaches the next', async () => {
		const owner = await newUser('Palaaja');
		const workshop = await newWorkshop(owner.id);
		const first = client(workshop.id, owner);
		await synced(first);
		for (let i = 0; i < 5; i++) addNote(first.doc, { text: `vanha ${i}`, lane: 'a', author: authorOf(owner) });
		await waitFor(async () => notesOf(await collab.readDoc(workshop.id)).size === 5, 'the notes saved');
		// Two devices that held the same board before (as after a restart): the same state vector.
		const held = Y.encodeStateAsUpdate(first.doc);
		const holding = () => {
			const doc = new Y.Doc();
			Y.applyUpdate(doc, held);
			return doc;
		};
		const a = connectBoard(url, workshop.id, { cookie: owner.cookie, name: 'a', doc: holding() });
		clients.push(a);
		await synced(a);
		addNote(first.doc, { text: 'uusi', lane: 'a', author: authorOf(owner), id: 'meanwhile' });
		await waitFor(() => notesOf(a.doc).has('meanwhile'), 'the new note on the first device');
		const b = connectBoard(url, workshop.id, { cookie: owner.cookie, name: 'b', doc: holding() });
		clients.push(b);
		await synced(b);
		await waitFor(() => notesOf(b.doc).has('meanwhile'), 'the note made meanwhile on the second device');
		expect(notesById(b.doc)).toEqual(notesById(first.doc));
	});

	it('authorises open connections again: a removal or role change takes effect even without the action’s call', async () => {
		const own = await startHarness({ reauthoriseMs: 100 });
		const owner = await newUser('Valvoja');
		const workshop = await newWorkshop(owner.id);
		const leaving = await newGuest(workshop.id, 'Lähtijä');
		const watcher = await newGuest(workshop.id, 'Katsoja');
		const facilitator = client(workshop.id, owner, own.url);
		const removed = client(workshop.id, leaving, own.url);
		const demoted = client(workshop.id, watcher, own.url);
		await synced(facilitator, removed, demoted);

		await removeParticipant(workshop.id, leaving.participantId);
		await setParticipantRole(workshop.id, watcher.participantId, 'observer');
		await waitFor(() => removed.closes.includes(4403), 'the removed guest to be closed');
		// The role in the awareness identity follows from the client's next awareness message.
		const role = () => (facilitator.provider.awareness.getStates().get(demoted.doc.clientID)?.identity as { role?: string } | undefined)?.role;
		let tick = 0;
		await waitFor(() => {
			demoted.provider.awareness.setLocalStateField('tick', tick++);
			return role() === 'observer';
		}, 'the demoted guest’s identity to say observer', 8000, 50);
		addNote(demoted.doc, { text: 'pudotetaan', lane: 'a', author: authorOf(watcher), id: 'dropped' });
		addNote(facilitator.doc, { text: 'näkyy', lane: 'a', author: authorOf(owner), id: 'kept' });
		await waitFor(() => notesOf(demoted.doc).has('kept'), 'the observer to keep receiving');
		await sleep(100);
		expect(notesOf(facilitator.doc).has('dropped')).toBe(false);
		expect(facilitator.closes).toEqual([]);
	});

	it('closes a deleted workshop’s board with 4404; the clients do not come back', async () => {
		const owner = await newUser('Poistaja');
		const workshop = await newWorkshop(owner.id);
		const a = client(workshop.id, owner);
		await synced(a);
		addNote(a.doc, { text: 'katoaa', lane: 'a', author: authorOf(owner) });
		await waitFor(async () => await loggedUpdates(workshop.id) === 1, 'the note to be logged');

		expect(await deleteWorkshop(workshop.id)).toBe(true);
		collab.closeRoom(workshop.id);
		await waitFor(() => a.closes.includes(4404), 'the 4404 close');
		expect(collab.stats().rooms.some((r) => r.workshopId === workshop.id)).toBe(false);
		expect(await loggedUpdates(workshop.id)).toBe(0);
		expect((await tryUpgrade(url, workshop.id, { cookie: owner.cookie, origin: url })).status).toBe(404);
	});

	it('never sends what it could not save: a failed append closes the room (1011) and the clients resync', async () => {
		const owner = await newUser('Levytön');
		const workshop = await newWorkshop(owner.id);
		const a = client(workshop.id, owner);
		const b = client(workshop.id, await newGuest(workshop.id, 'Toinen'));
		await synced(a, b);
		// A real write failure: on SQLite the table is locked by another connection's write transaction; on PostgreSQL
		// (where a lock would only make the write wait) a constraint refuses every new row of the log.
		const release = await refuseBoardWrites();
		try {
			addNote(a.doc, { text: 'ei tallennu vielä', lane: 'a', author: authorOf(owner), id: 'unsaved' });
			await waitFor(() => a.closes.includes(1011) && b.closes.includes(1011), 'the 1011 closes');
			expect(notesOf(b.doc).has('unsaved')).toBe(false);
			expect(logged).toContain(`collab: could not save board ${workshop.id}`);
		} finally {
			await release();
		}
		// a still holds its note and sends it again on reconnection; now it is saved and reaches b.
		await waitFor(() => notesOf(b.doc).has('unsaved'), 'the note after the resync');
		expect(notesOf(await storedBoard(workshop.id)).has('unsaved')).toBe(true);
	});
});

describe('merging a busy room’s updates', () => {
	/** Guests A and B and a watcher C on one board of their own, on a harness with these settings, synced. */
	async function threeGuests(options: Partial<CollabOptions>) {
		const harness = await startHarness(options);
		const workshop = await newWorkshop((await newUser('Fasilitaattori')).id);
		const people = await Promise.all(['A', 'B', 'C'].map((name) => newGuest(workshop.id, name)));
		const [a, b, watcher] = people.map((person) => client(workshop.id, person, harness.url)) as [BoardClient, BoardClient, BoardClient];
		await synced(a, b, watcher);
		return { people, a, b, watcher };
	}

	it('sends updates arriving soon after a broadcast to everyone as one merged message', async () => {
		const { people, a, b, watcher } = await threeGuests({ updateIntervalMs: 300 });
		const before = watcher.received();
		// The first edit after a quiet spell goes out at once…
		addNote(a.doc, { text: 'Ensimmäinen', lane: 'a', author: authorOf(people[0]!) });
		await waitFor(() => watcher.received() === before + 1, 'the first edit');
		// …the next ones, within the window, are merged: two senders, one message.
		addNote(b.doc, { text: 'Toinen', lane: 'a', author: authorOf(people[1]!) });
		addNote(a.doc, { text: 'Kolmas', lane: 'a', author: authorOf(people[0]!) });
		await waitFor(() => readBoard(watcher.doc).notes.length === 3, 'all three notes');
		expect(watcher.received()).toBe(before + 2);
		expect(readBoard(a.doc).notes).toHaveLength(3);
		expect(readBoard(b.doc).notes).toHaveLength(3);
	});

	it('sends the presence waiting for its interval along with a board change, in the same write', async () => {
		const { people, a, b, watcher } = await threeGuests({ awarenessIntervalMs: 1000 });
		const cursorOfA = () => presenceOf(watcher, 'A')?.cursor;
		// A's first move goes out at once; the next one waits for the interval (1 s)…
		a.provider.awareness.setLocalStateField('cursor', { x: 1 });
		await waitFor(() => cursorOfA()?.x === 1, "A's first move");
		const firstSeen = Date.now();
		a.provider.awareness.setLocalStateField('cursor', { x: 2 });
		// …unless a board change goes out after half of it: the move goes with the change.
		await sleep(600);
		addNote(b.doc, { text: 'Muistiinpano', lane: 'a', author: authorOf(people[1]!) });
		await waitFor(() => readBoard(watcher.doc).notes.length === 1, "B's note");
		await waitFor(() => cursorOfA()?.x === 2, "A's second move", 100);
		expect(Date.now() - firstSeen).toBeLessThan(980);
	});

	/** A server-side Connection on a real socket of a ws server on 127.0.0.1, and the peer at its other end. */
	async function socketPair(server: WebSocketServer) {
		const peer = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
		const [socket] = (await once(server, 'connection')) as [WebSocket];
		await once(peer, 'open');
		return { peer, socket, connection: new Connection(socket, { participantId: 'p1', userId: null, displayName: 'A', role: 'participant' }) };
	}

	it('writes several messages to a connection in one system call', async () => {
		const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
		await once(server, 'listening');
		const { peer, connection } = await socketPair(server);
		let received = 0;
		peer.on('message', () => received++);
		const writeCalls = () => Number(/syscw:\s+(\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))![1]);
		const [update, presence] = [new Uint8Array(40).fill(1), new Uint8Array(60).fill(2)];
		// (Synchronous loops: nothing else of this process writes meanwhile.)
		let before = writeCalls();
		for (let i = 0; i < 100; i++) {
			connection.send(update);
			connection.send(presence);
		}
		const apart = writeCalls() - before;
		before = writeCalls();
		for (let i = 0; i < 100; i++) connection.sendTogether([update, presence]);
		const together = writeCalls() - before;
		await waitFor(() => received === 400, 'every message');
		peer.close();
		server.close();
		expect(apart).toBeGreaterThanOrEqual(200);
		expect(together).toBe(100);
	});

	it('a connection the server closed lets go of its socket, and the board behind its listeners, once the socket has closed', async () => {
		// The safety timer that cuts off a peer ignoring the closing handshake held the connection for 2 s after a
		// clean close, and through the socket's listeners its whole room (B7: refused clients, 400 MB of heap).
		v8.setFlagsFromString('--expose-gc');
		const collectGarbage = runInNewContext('gc') as () => void;
		const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
		await once(server, 'listening');
		const board = await (async () => {
			const { socket, connection } = await socketPair(server);
			const doc = new Y.Doc();
			socket.on('message', () => doc.getMap('notes'));
			connection.close(closeCodesOf.refused, 'refused');
			// The peer answers the closing handshake (ws does by itself): a clean close, well within the 2 s.
			await once(socket, 'close');
			return new WeakRef(doc);
		})();
		const closedAt = Date.now();
		await sleep(50);
		collectGarbage();
		server.close();
		expect(Date.now() - closedAt).toBeLessThan(1000);
		expect(board.deref()).toBeUndefined();
	});

	it('waits longer in larger rooms: one send per connection per broadcast', () => {
		expect([0, 1, 150, 300, 600, 900, 1200, 2000].map((connections) => mergeWindowMs(4, connections))).toEqual([4, 4, 4, 8, 16, 24, 32, 32]);
	});
});

describe('a raw Y.Doc round trip through the store', () => {
	it('loads snapshot + later updates in order', async () => {
		const store = openBoardStore();
		const doc = new Y.Doc();
		const updates: Uint8Array[] = [];
		doc.on('update', (u: Uint8Array) => updates.push(u));
		const owner = await newUser('Varasto');
		const { id } = await newWorkshop(owner.id);
		addNote(doc, { text: 'yksi', lane: 'a', author: authorOf(owner), id: 'one' });
		const first = await store.append(id, updates.splice(0));
		await store.compact(id, Y.encodeStateAsUpdate(doc), first);
		addNote(doc, { text: 'kaksi', lane: 'a', author: authorOf(owner), id: 'two' });
		await store.append(id, updates.splice(0));
		const loaded = await store.load(id);
		expect(loaded.updates).toHaveLength(2);
		expect(loaded.snapshotUpdateId).toBe(first);
		expect([...notesOf(await storedBoard(id)).keys()].sort()).toEqual(['one', 'two']);
	});
});

describe('the Origin rule of the upgrade', () => {
	const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

	it('with ORIGIN set, accepts exactly that origin', () => {
		const configured = 'https://verstas.example.fi';
		expect(originAllowed(request({ origin: 'https://verstas.example.fi', host: 'internal:3000' }), configured)).toBe(true);
		expect(originAllowed(request({ origin: 'https://verstas.example.fi:443', host: 'x' }), configured)).toBe(true);
		expect(originAllowed(request({ origin: 'http://verstas.example.fi', host: 'verstas.example.fi' }), configured)).toBe(false);
		expect(originAllowed(request({ origin: 'https://evil.example', host: 'verstas.example.fi' }), configured)).toBe(false);
	});

	it('without ORIGIN, the Origin host must be the Host header; a missing or garbled Origin is refused', () => {
		expect(originAllowed(request({ origin: 'http://127.0.0.1:5173', host: '127.0.0.1:5173' }), '')).toBe(true);
		expect(originAllowed(request({ origin: 'https://verstas.fi', host: 'verstas.fi:443' }), '')).toBe(true);
		expect(originAllowed(request({ origin: 'http://127.0.0.1:5174', host: '127.0.0.1:5173' }), '')).toBe(false);
		expect(originAllowed(request({ host: '127.0.0.1:5173' }), '')).toBe(false);
		expect(originAllowed(request({ origin: 'null', host: '127.0.0.1:5173' }), '')).toBe(false);
		expect(originAllowed(request({ origin: 'http://a.example' }), '')).toBe(false);
	});
});

/** Makes every append to the board log fail until the returned function is called. */
async function refuseBoardWrites() {
	if (usesPostgres()) {
		await rawRun('ALTER TABLE board_updates ADD CONSTRAINT test_refuse_writes CHECK (false) NOT VALID');
		return async () => void (await rawRun('ALTER TABLE board_updates DROP CONSTRAINT test_refuse_writes'));
	}
	const blocker = new Database(getDb().$client.name, { timeout: 0 });
	blocker.pragma('busy_timeout = 0');
	getDb().$client.pragma('busy_timeout = 0');
	blocker.exec('BEGIN IMMEDIATE');
	return async () => {
		blocker.exec('ROLLBACK');
		blocker.close();
		getDb().$client.pragma('busy_timeout = 5000');
	};
}
