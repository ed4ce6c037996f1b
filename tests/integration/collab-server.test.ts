// Boards over the real production entry (server/ + build/) on 127.0.0.1, with real y-websocket clients.
// The server shares this file's SQLite database, so people and workshops are made with the app's functions.
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { addNote, createCluster, ideasOf, notesOf, promoteToIdea, readBoard, updateNote } from '../../src/lib/board/model';
import { setParticipantRole } from '../../src/lib/server/workshops';
import {
	connectBoard,
	hasSnapshot,
	loggedUpdates,
	newGuest,
	newMember,
	newUser,
	newWorkshop,
	notesById,
	rawBoardSocket,
	sameState,
	sleep,
	storedBoard,
	synced,
	tryUpgrade,
	waitFor,
	authorOf,
	type BoardClient
} from '../helpers/collab';
import { startProductionServer, type RunningServer } from '../helpers/server';

const env = () => ({
	DATABASE_PATH: process.env.DATABASE_PATH!,
	VERSTAS_COLLAB_UNLOAD_AFTER_MS: '200'
});

let server: RunningServer;
const clients: BoardClient[] = [];

/** `count` sync-update messages, each adding one note (what a runaway client would send). */
function noteUpdates(count: number, author: { id: string; name: string }) {
	const doc = new Y.Doc();
	const messages: Uint8Array[] = [];
	doc.on('update', (update: Uint8Array) => {
		const e = encoding.createEncoder();
		encoding.writeVarUint(e, 0);
		encoding.writeVarUint(e, 2);
		encoding.writeVarUint8Array(e, update);
		messages.push(encoding.toUint8Array(e));
	});
	for (let i = 0; i < count; i++) addNote(doc, { text: `roska ${i}`, lane: 'a', author, id: `flood-${i}` });
	return messages;
}

function client(workshopId: string, person: { cookie: string; name: string }) {
	const c = connectBoard(server.url, workshopId, { cookie: person.cookie, name: person.name });
	clients.push(c);
	return c;
}

beforeAll(async () => {
	server = await startProductionServer({ env: env() });
});

afterAll(async () => {
	for (const c of clients) c.destroy();
	await server?.stop();
});

describe('boards on the production server', () => {
	it('converges when four people edit the same board at once', async () => {
		const owner = await newUser('Fasilitaattori');
		const workshop = await newWorkshop(owner.id);
		const people = [owner, await newGuest(workshop.id, 'Vieras A'), await newGuest(workshop.id, 'Vieras B'), await newMember(workshop.id, 'Jäsen')];
		const board = people.map((person) => client(workshop.id, person));
		await synced(...board);

		await Promise.all(
			board.map(async (c, i) => {
				for (let n = 0; n < 25; n++) {
					addNote(c.doc, { text: `${c.name} ${n}`, lane: `lane-${n % 3}`, author: authorOf(people[i]!), id: `${i}-${n}` });
					// Edit someone else's note as soon as it has arrived.
					const other = `${(i + 1) % board.length}-${n}`;
					if (notesOf(c.doc).has(other)) updateNote(c.doc, other, { color: 'green' });
					await sleep(n % 5);
				}
			})
		);
		await waitFor(() => board.every((c) => notesOf(c.doc).size === 100) && sameState(board), 'the four boards to converge');

		createCluster(board[0]!.doc, ['0-0', '1-0'], 'Ryhmä', 'lane-0');
		promoteToIdea(board[0]!.doc, { kind: 'note', id: '2-0' }, '', 'lane-0');
		await waitFor(() => board.every((c) => ideasOf(c.doc).size === 1), 'the idea everywhere');
		board.forEach((c, i) => (readBoard(c.doc).ideas[0]!.title as Y.Text).insert(0, `[${i}]`));
		await waitFor(() => sameState(board), 'the concurrent title edits to converge');

		const [first, ...rest] = board.map((c) => ({ ...readBoard(c.doc), notes: notesById(c.doc) }));
		for (const other of rest) {
			expect(other.notes).toEqual(first!.notes);
			expect(other.clusters).toEqual(first!.clusters);
			expect(other.ideas[0]!.title.toString()).toBe(first!.ideas[0]!.title.toString());
		}
		for (let i = 0; i < 4; i++) expect(first!.ideas[0]!.title.toString()).toContain(`[${i}]`);
		expect(first!.notes.filter((note) => note.clusterId)).toHaveLength(2);
		// Everything the clients agree on is in the database.
		await waitFor(async () => Buffer.from(Y.encodeStateVector(await storedBoard(workshop.id))).equals(Buffer.from(Y.encodeStateVector(board[0]!.doc))), 'the stored board');
	});

	it('refuses unauthorised handshakes with a plain HTTP status and sends no board data', async () => {
		const owner = await newUser('Omistaja');
		const stranger = await newUser('Ulkopuolinen');
		const a = await newWorkshop(owner.id, 'A');
		const b = await newWorkshop(owner.id, 'B');
		const guestOfA = await newGuest(a.id, 'Vieras A:sta');
		const origin = server.url;

		const cases: [string, string, Record<string, string>, number][] = [
			['no cookie', b.id, { origin }, 401],
			['signed in but not a member', b.id, { origin, cookie: stranger.cookie }, 403],
			['a guest of another workshop', b.id, { origin, cookie: guestOfA.cookie.replace(a.id, b.id) }, 401],
			['a guest cookie of another workshop', b.id, { origin, cookie: guestOfA.cookie }, 401],
			['a cross-site origin', b.id, { origin: 'http://evil.example', cookie: owner.cookie }, 403],
			['no origin', b.id, { cookie: owner.cookie }, 403],
			['no such workshop', 'nosuchworkshop', { origin, cookie: owner.cookie }, 404]
		];
		for (const [what, workshopId, headers, status] of cases) {
			const outcome = await tryUpgrade(server.url, workshopId, headers);
			expect({ what, status: outcome.status, opened: outcome.opened, messages: outcome.messages }).toEqual({ what, status, opened: false, messages: 0 });
		}
		const allowed = await tryUpgrade(server.url, a.id, { origin, cookie: guestOfA.cookie });
		expect(allowed.opened).toBe(true);
		expect(allowed.messages).toBeGreaterThan(0);
	});

	it('lets an observer watch the board; its own edits are neither stored nor seen by others', async () => {
		const owner = await newUser('Vetäjä');
		const workshop = await newWorkshop(owner.id);
		const observer = await newGuest(workshop.id, 'Tarkkailija');
		await setParticipantRole(workshop.id, observer.participantId, 'observer');
		const writer = client(workshop.id, owner);
		await synced(writer);
		addNote(writer.doc, { text: 'ennen', lane: 'a', author: authorOf(owner), id: 'before' });
		await waitFor(async () => await loggedUpdates(workshop.id) >= 1, 'the first note to be saved');

		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
		const watching = client(workshop.id, observer);
		try {
			await synced(watching);
			expect(notesOf(watching.doc).has('before')).toBe(true);
			addNote(watching.doc, { text: 'tarkkailijan', lane: 'a', author: authorOf(observer), id: 'observer' });
			addNote(writer.doc, { text: 'jälkeen', lane: 'a', author: authorOf(owner), id: 'after' });
			await waitFor(() => notesOf(watching.doc).has('after'), 'the observer to receive later edits');
			// The server told the client it is read-only (y-websocket logs the permission-denied message).
			await waitFor(() => warn.mock.calls.some((call) => String(call[0]).startsWith('Permission denied')), 'the read-only notice');
		} finally {
			warn.mockRestore();
		}
		await sleep(100);
		expect(notesOf(writer.doc).has('observer')).toBe(false);
		expect(notesOf(await storedBoard(workshop.id)).has('observer')).toBe(false);
		expect([...notesOf(await storedBoard(workshop.id)).keys()].sort()).toEqual(['after', 'before']);
		expect(watching.provider.wsconnected).toBe(true);
	});

	it('closes only the connection that sends malformed, oversized or too many messages', async () => {
		const owner = await newUser('Kohde');
		const workshop = await newWorkshop(owner.id);
		const guest = await newGuest(workshop.id, 'Häirikkö');
		const a = client(workshop.id, owner);
		const decent = await newGuest(workshop.id, 'Kunnollinen');
		const b = client(workshop.id, decent);
		await synced(a, b);
		addNote(a.doc, { text: 'ensimmäinen', lane: 'a', author: authorOf(owner), id: 'first' });
		await waitFor(() => notesOf(b.doc).has('first'), 'the first note at b');
		const stateBefore = Buffer.from(Y.encodeStateAsUpdate(a.doc));

		const attacks: [string, (ws: import('ws').WebSocket) => void, number][] = [
			['a truncated update', (ws) => ws.send(Uint8Array.from([0, 2, 4, 5, 200, 1, 2])), 1007],
			['a sync message without its payload', (ws) => ws.send(Uint8Array.from([0, 2])), 1007],
			['an unknown message type', (ws) => ws.send(Uint8Array.from([7, 0])), 1007],
			['awareness that is not JSON', (ws) => ws.send(Uint8Array.from([1, 6, 1, 9, 1, 2, 0x7b, 0x5d])), 1007],
			['a text frame', (ws) => ws.send('hello'), 1003],
			['a 2 MiB message', (ws) => ws.send(new Uint8Array(2 * 1024 * 1024)), 1009],
			['300 messages in a burst', (ws) => { for (let i = 0; i < 300; i++) ws.send(Uint8Array.from([0, 1, 2, 0, 0])); }, 1008]
		];
		for (const [what, attack, code] of attacks) {
			const raw = await rawBoardSocket(server.url, workshop.id, { cookie: guest.cookie });
			attack(raw.ws);
			await once(raw.ws, 'close');
			expect({ what, code: raw.closeCode() }).toEqual({ what, code });
		}

		expect(Buffer.from(Y.encodeStateAsUpdate(b.doc)).equals(stateBefore)).toBe(true);
		addNote(b.doc, { text: 'yhä toimii', lane: 'a', author: authorOf(decent), id: 'still' });
		await waitFor(() => notesOf(a.doc).has('still'), 'b’s note at a');
		expect(a.closes).toEqual([]);
		expect(b.closes).toEqual([]);
		expect([...notesOf(await storedBoard(workshop.id)).keys()].sort()).toEqual(['first', 'still']);

		// More than 50 document updates a second: the first 50 are ordinary edits, then the connection closes.
		const runaway = await rawBoardSocket(server.url, workshop.id, { cookie: guest.cookie });
		for (const message of noteUpdates(60, authorOf(guest))) runaway.ws.send(message);
		await once(runaway.ws, 'close');
		expect(runaway.closeCode()).toBe(1008);
		// The accepted edits are saved in order; the last append may still be under way when the close arrives.
		const floodedNotes = async () => [...notesOf(await storedBoard(workshop.id)).keys()].filter((id) => id.startsWith('flood-'));
		await waitFor(async () => (await floodedNotes()).length >= 50, 'the accepted edits stored');
		expect((await floodedNotes()).length).toBe(50);
		await waitFor(() => notesOf(b.doc).size === 52, 'the accepted edits at b');
		expect(a.closes).toEqual([]);
		expect(b.closes).toEqual([]);
	});

	it('keeps every update anyone saw through a SIGKILL of 20 streaming clients; they reconnect by themselves, offline edits merge', async () => {
		const owner = await newUser('Kestävä');
		const workshop = await newWorkshop(owner.id);
		const people = [owner, ...(await Promise.all(Array.from({ length: 19 }, (_, i) => newGuest(workshop.id, `Kirjoittaja ${i}`))))];
		const writers = people.map((person) => client(workshop.id, person));
		const witness = client(workshop.id, await newGuest(workshop.id, 'Todistaja'));
		await synced(...writers, witness);

		let streaming = true;
		const created = writers.map(() => [] as string[]);
		const streams = writers.map(async (c, i) => {
			// 20 edits a second each (400 a second in all), under the 50-a-second limit per connection.
			for (let n = 0; streaming && n < 200; n++) {
				const id = `${i}-${n}`;
				addNote(c.doc, { text: `${c.name} ${n}`, lane: 'a', author: authorOf(people[i]!), id });
				created[i]!.push(id);
				await sleep(50);
			}
		});
		await waitFor(() => notesOf(witness.doc).size >= 60, 'edits to stream through the server');

		// What each client has received from the server (the witness: everything; writers: others' notes).
		const seen = new Set<string>(notesOf(witness.doc).keys());
		writers.forEach((c, i) => {
			for (const id of notesOf(c.doc).keys()) if (!id.startsWith(`${i}-`)) seen.add(id);
		});
		const port = new URL(server.url).port;
		const killed = once(server.process, 'exit');
		server.process.kill('SIGKILL');
		await killed;
		streaming = false;
		await Promise.all(streams);

		// Durable before it was sent: the database already holds everything any client had received.
		const stored = notesOf(await storedBoard(workshop.id));
		expect([...seen].filter((id) => !stored.has(id))).toEqual([]);
		expect(seen.size).toBeGreaterThanOrEqual(60);

		// Offline edits on every writer, then the server comes back on the same port and database.
		writers.forEach((c, i) => {
			addNote(c.doc, { text: 'offline', lane: 'b', author: authorOf(people[i]!), id: `offline-${i}` });
			created[i]!.push(`offline-${i}`);
		});
		server = await startProductionServer({ env: { ...env(), PORT: port } });

		const all = created.flat();
		const everyone = [...writers, witness];
		await waitFor(
			() => everyone.every((c) => c.provider.synced && notesOf(c.doc).size === all.length) && sameState(everyone),
			'the reconnected clients to converge',
			15_000
		);
		for (const c of everyone) expect([...notesOf(c.doc).keys()].sort()).toEqual([...all].sort());
		await waitFor(async () => notesOf(await storedBoard(workshop.id)).size === all.length, 'the merged board to be stored');

		// Compaction: once the room empties the log is folded into the snapshot, which loads the same board.
		const expected = notesById(witness.doc);
		for (const c of everyone) c.destroy();
		await waitFor(async () => await loggedUpdates(workshop.id) === 0 && await hasSnapshot(workshop.id), 'the log to be compacted');
		expect(notesById(await storedBoard(workshop.id))).toEqual(expected);
		await sleep(300); // past VERSTAS_COLLAB_UNLOAD_AFTER_MS: the next client loads the room from the snapshot
		const later = client(workshop.id, owner);
		await synced(later);
		expect(notesById(later.doc)).toEqual(expected);
	});

	it('saves, compacts and closes boards (1012) on SIGTERM', async () => {
		const owner = await newUser('Sammuttaja');
		const workshop = await newWorkshop(owner.id);
		const a = client(workshop.id, owner);
		await synced(a);
		for (let n = 0; n < 10; n++) addNote(a.doc, { text: `${n}`, lane: 'a', author: authorOf(owner) });
		await waitFor(async () => await loggedUpdates(workshop.id) >= 1, 'the notes to be logged');
		await waitFor(async () => notesOf(await storedBoard(workshop.id)).size === 10, 'all ten notes to be logged');
		await server.stop();
		expect(server.process.exitCode).toBe(0);
		expect(a.closes).toContain(1012);
		expect(await loggedUpdates(workshop.id)).toBe(0);
		expect(notesOf(await storedBoard(workshop.id)).size).toBe(10);
	});
});
