// Fault and abuse tests on the production server (server/ + build/): fuzzed frames, a venue's NAT, and a database
// that is locked by another process or full. (Killing the server mid-stream: collab-server.test.ts.)
import Database from 'better-sqlite3';
import { parse } from 'devalue';
import { once } from 'node:events';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote, notesOf } from '../../src/lib/board/model';
import { m } from '../../src/lib/paraglide/messages.js';
import { openRound } from '../../src/lib/server/voting';
import {
	authorOf,
	connectBoard,
	newGuest,
	newUser,
	newWorkshop,
	rawBoardSocket,
	sleep,
	storedBoard,
	synced,
	waitFor,
	type BoardClient
} from '../helpers/collab';
import { startProductionServer, type RunningServer } from '../helpers/server';

const databasePath = process.env.DATABASE_PATH!;
const maxMegabytes = 48;
let server: RunningServer;
const clients: BoardClient[] = [];

beforeAll(async () => {
	process.setMaxListeners(300);
	server = await startProductionServer({
		env: { DATABASE_PATH: databasePath, VERSTAS_DB_BUSY_TIMEOUT_MS: '200', VERSTAS_DB_MAX_MB: String(maxMegabytes) }
	});
});

afterAll(async () => {
	for (const c of clients) c.destroy();
	await server?.stop();
});

function client(workshopId: string, person: { cookie: string; name: string }) {
	const c = connectBoard(server.url, workshopId, { cookie: person.cookie, name: person.name });
	clients.push(c);
	return c;
}

/** Latency of a cheap request every 20 ms while `work` runs: a stalled event loop shows as a slow answer. */
async function worstLatencyDuring(work: () => Promise<void>) {
	let worst = 0;
	let running = true;
	const probe = (async () => {
		while (running) {
			const started = performance.now();
			await fetch(`${server.url}/healthz`);
			worst = Math.max(worst, performance.now() - started);
			await sleep(20);
		}
	})();
	try {
		await work();
	} finally {
		running = false;
		await probe;
	}
	return worst;
}

/** A seeded generator, so a failing run can be replayed. */
function random(seed: number) {
	return () => {
		seed = (seed * 1664525 + 1013904223) >>> 0;
		return seed / 2 ** 32;
	};
}

const syncMessage = (step: number, payload: Uint8Array) => {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, 0);
	encoding.writeVarUint(e, step);
	encoding.writeVarUint8Array(e, payload);
	return encoding.toUint8Array(e);
};

/** Frames a broken or hostile client might send: noise, cut-off Yjs messages, lies about lengths, huge frames, other rooms' updates. */
function fuzzFrames(count: number, seed: number) {
	const next = random(seed);
	const bytes = (length: number) => Uint8Array.from({ length }, () => Math.floor(next() * 256));
	// A real update from another room that depends on one this room never saw: Yjs keeps it pending, invisible.
	const elsewhere = new Y.Doc();
	const updates: Uint8Array[] = [];
	elsewhere.on('update', (update: Uint8Array) => updates.push(update));
	addNote(elsewhere, { text: 'toisesta huoneesta', lane: 'a', author: { id: 'x', name: 'x' }, id: 'other-1' });
	addNote(elsewhere, { text: 'toisesta huoneesta 2', lane: 'a', author: { id: 'x', name: 'x' }, id: 'other-2' });
	const dependent = syncMessage(2, updates[1]!);
	const valid = syncMessage(2, updates[0]!);
	const kinds = [
		() => bytes(1 + Math.floor(next() * 200)),
		() => Uint8Array.from([0, 2, ...bytes(Math.floor(next() * 60))]),
		() => valid.slice(0, 1 + Math.floor(next() * (valid.length - 1))),
		() => Uint8Array.from([0, 2, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]),
		() => Uint8Array.from([1, ...bytes(Math.floor(next() * 80))]),
		() => Uint8Array.from([0, 0, ...bytes(Math.floor(next() * 40))]),
		() => dependent
	];
	return Array.from({ length: count }, (_, index) =>
		index % 2000 === 1999 ? new Uint8Array(1.5 * 1024 * 1024) : kinds[Math.floor(next() * kinds.length)]!()
	);
}

type ActionResult = { type: string; status: number; error?: { message: string }; data?: Record<string, unknown> };

async function action(path: string, cookie: string, fields: Record<string, string>) {
	const response = await fetch(`${server.url}${path}`, {
		method: 'POST',
		headers: { cookie, origin: server.url, 'x-sveltekit-action': 'true', 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(fields)
	});
	const json = (await response.json()) as ActionResult & { data?: string };
	return { ...json, status: json.status ?? response.status, data: json.data ? parse(json.data) : undefined } as ActionResult;
}

describe('faults and abuse', () => {
	it('10,000 fuzzed frames: the server stays up and responsive, others are unaffected, the board unchanged', async () => {
		const owner = await newUser('Vakaa');
		const workshop = await newWorkshop(owner.id);
		const fuzzer = await newGuest(workshop.id, 'Sumea');
		const a = client(workshop.id, owner);
		const ordinary = await newGuest(workshop.id, 'Tavallinen');
		const b = client(workshop.id, ordinary);
		await synced(a, b);
		addNote(a.doc, { text: 'ennen', lane: 'a', author: authorOf(owner), id: 'before' });
		await waitFor(() => notesOf(b.doc).has('before'), 'the note at b');
		const notesBefore = JSON.stringify(notesOf(b.doc).toJSON());

		const frames = fuzzFrames(10_000, 20261123);
		let sent = 0;
		let connections = 0;
		const worst = await worstLatencyDuring(async () => {
			// The server drops a connection at its first bad frame; the fuzzer reconnects and goes on.
			while (sent < frames.length) {
				const raw = await rawBoardSocket(server.url, workshop.id, { cookie: fuzzer.cookie });
				connections++;
				for (let burst = 0; burst < 50 && sent < frames.length && raw.ws.readyState === raw.ws.OPEN; burst++) raw.ws.send(frames[sent++]!);
				await Promise.race([once(raw.ws, 'close'), sleep(200)]);
				raw.ws.terminate();
			}
		});
		expect(sent).toBe(10_000);
		expect(worst, `worst /healthz latency during the fuzz (${connections} connections)`).toBeLessThan(200);

		expect(JSON.stringify(notesOf(b.doc).toJSON())).toBe(notesBefore);
		expect(JSON.stringify(notesOf(await storedBoard(workshop.id)).toJSON())).toBe(notesBefore);
		addNote(b.doc, { text: 'jälkeen', lane: 'a', author: authorOf(ordinary), id: 'after' });
		await waitFor(() => notesOf(a.doc).has('after'), 'b’s note at a after the fuzz');
		expect(a.closes).toEqual([]);
		expect(b.closes).toEqual([]);
	});

	it('200 people behind one address (a venue’s NAT) all join and all get the board', async () => {
		const owner = await newUser('Sali');
		const workshop = await newWorkshop(owner.id);
		const cookies: string[] = [];
		for (let i = 0; i < 200; i++) {
			const response = await fetch(`${server.url}/w/${workshop.joinCode}`, {
				method: 'POST',
				headers: { origin: server.url, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ displayName: `Osallistuja ${i}`, organisationName: '' }),
				redirect: 'manual'
			});
			expect(response.status).toBe(303);
			// The guest cookie (the join also sets the browser's device cookie).
			cookies.push(response.headers.getSetCookie().find((cookie) => cookie.startsWith('verstas_guest_'))!.split(';')[0]!);
		}
		const host = client(workshop.id, owner);
		await synced(host);
		addNote(host.doc, { text: 'tervetuloa', lane: 'a', author: authorOf(owner), id: 'welcome' });
		const room = cookies.map((cookie, i) => client(workshop.id, { cookie, name: `Osallistuja ${i}` }));
		await waitFor(() => room.every((c) => c.provider.synced && notesOf(c.doc).has('welcome')), 'all 200 on the board', 20_000);
		expect(room.flatMap((c) => c.closes)).toEqual([]);
		for (const c of room) c.destroy();
	});

	it('a database locked by another process: a clear error, nothing half-written, and it works once the lock goes', async () => {
		const owner = await newUser('Lukko');
		const workshop = await newWorkshop(owner.id);
		const guest = await newGuest(workshop.id, 'Äänestäjä');
		const round = await openRound(workshop.id, { method: 'dot', items: [{ id: 'idea', kind: 'idea', text: 'Idea' }] }, owner.id);
		const board = client(workshop.id, guest);
		await synced(board);
		// A vote sent on the board socket (type 103) and its answer (type 104).
		const phone = await rawBoardSocket(server.url, workshop.id, { cookie: guest.cookie });
		const socketAnswer = async (requestId: string) => {
			const encoder = encoding.createEncoder();
			encoding.writeVarUint(encoder, 103);
			encoding.writeVarString(encoder, JSON.stringify({ method: 'dot', roundId: round.id, itemId: 'idea', delta: 1, requestId }));
			phone.ws.send(encoding.toUint8Array(encoder));
			const answerOf = () =>
				phone.messages
					.filter((message) => message[0] === 104)
					.map((message) => {
						const decoder = decoding.createDecoder(new Uint8Array(message));
						decoding.readVarUint(decoder);
						return JSON.parse(decoding.readVarString(decoder)) as { requestId: string; ok: boolean; reason?: string };
					})
					.find((answer) => answer.requestId === requestId);
			await waitFor(() => !!answerOf(), 'the answer on the socket');
			return answerOf()!;
		};

		const other = new Database(databasePath);
		other.pragma('busy_timeout = 0');
		other.exec('BEGIN IMMEDIATE');
		try {
			const refused = await action(`/workshops/${workshop.id}/board?/vote`, guest.cookie, { roundId: round.id, itemId: 'idea', delta: '1', requestId: 'r1' });
			expect(refused.type).toBe('error');
			expect(refused.error?.message).toBe(m.error_storage_unavailable({}, { locale: 'fi' }));
			// On the socket the vote is refused as "could not be saved now" and the connection stays.
			expect(await socketAnswer('s1')).toMatchObject({ requestId: 's1', ok: false, reason: 'unavailable' });
			expect(phone.closeCode()).toBeNull();
			// A board edit cannot be saved either: the room closes (1011) rather than send what is not stored.
			addNote(board.doc, { text: 'lukon aikana', lane: 'a', author: guest, id: 'during-lock' });
			await waitFor(() => board.closes.includes(1011), 'the room to close for the failed save');
		} finally {
			other.exec('ROLLBACK');
		}
		const counts = other.prepare('SELECT (SELECT count(*) FROM votes WHERE round_id = ?) AS votes, (SELECT count(*) FROM vote_requests WHERE round_id = ?) AS requests');
		expect(counts.get(round.id, round.id)).toEqual({ votes: 0, requests: 0 });

		expect(await action(`/workshops/${workshop.id}/board?/vote`, guest.cookie, { roundId: round.id, itemId: 'idea', delta: '1', requestId: 'r1' })).toMatchObject({ type: 'success' });
		expect(counts.get(round.id, round.id)).toEqual({ votes: 1, requests: 1 });
		// The client reconnects by itself and its edit, kept locally, is saved now.
		await waitFor(async () => notesOf(await storedBoard(workshop.id)).has('during-lock'), 'the edit saved after the lock', 15_000);
		other.close();
	});

	it('a full database (its size ceiling reached): a clear error, nothing half-written, and it works once space is freed', async () => {
		const owner = await newUser('Täysi');
		const workshop = await newWorkshop(owner.id);
		const guest = await newGuest(workshop.id, 'Äänestäjä');
		const round = await openRound(workshop.id, { method: 'dot', items: [{ id: 'idea', kind: 'idea', text: 'Idea' }], budget: 50, cap: 50 }, owner.id);

		// Another process fills the file up to the server's ceiling (its own connection has none).
		const other = new Database(databasePath);
		other.exec('CREATE TABLE IF NOT EXISTS test_filler (data BLOB)');
		const pageSize = Number(other.pragma('page_size', { simple: true }));
		const ceiling = Math.floor((maxMegabytes * 1024 * 1024) / pageSize);
		const fill = other.prepare('INSERT INTO test_filler VALUES (zeroblob(?))');
		while (Number(other.pragma('page_count', { simple: true })) < ceiling) fill.run(256 * 1024);
		other.pragma('wal_checkpoint(TRUNCATE)');
		const requests = other.prepare('SELECT count(*) AS n FROM vote_requests WHERE round_id = ?');

		// Votes keep coming (a point added, a point taken back) until the file has no room for the next one.
		const vote = (n: number) =>
			action(`/workshops/${workshop.id}/board?/vote`, guest.cookie, { roundId: round.id, itemId: 'idea', delta: n % 2 ? '-1' : '1', requestId: `full-${n}` });
		let accepted = 0;
		let refused: ActionResult | undefined;
		try {
			for (let n = 0; n < 3000 && !refused; n++) {
				const result = await vote(n);
				if (result.type === 'success') accepted++;
				else refused = result;
			}
			expect(refused, 'a vote refused once the file is full').toBeDefined();
			expect(refused!.type).toBe('error');
			expect(refused!.error?.message).toBe(m.error_storage_unavailable({}, { locale: 'fi' }));
			expect(requests.get(round.id)).toEqual({ n: accepted });
		} finally {
			// Space is freed inside the file: SQLite reuses the free pages.
			other.exec('DELETE FROM test_filler');
		}
		expect(await vote(accepted)).toMatchObject({ type: 'success' });
		expect(requests.get(round.id)).toEqual({ n: accepted + 1 });
		other.exec('DROP TABLE test_filler');
		other.close();
	});
});
