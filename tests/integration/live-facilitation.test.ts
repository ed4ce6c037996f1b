// Facilitation that peers have, on the wire: real WebsocketProvider clients against the collab module in-process
// (HTTP on 127.0.0.1:0, the app's authorisation, store and live state). The timer's length and end, the
// "valmis / klar / done" signal (type 105 to everyone, type 106 roster to facilitators only), private-note counts
// during private writing (facilitators only, never content), and quick +1 reactions in the board document.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as decoding from 'lib0/decoding';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { addNote, deleteNote, reactionKey, reactionsOf, readBoard, toggleReaction, viewBoard } from '../../src/lib/board/model';
import type { DoneLive, Roster } from '../../src/lib/live-protocol';
import { createCollabServer, openBoardStore, privateRoomName, type CollabServer } from '../../src/lib/server/collab';
import { readRosterBase } from '../../src/lib/server/collab/live-state';
import {
	addTimerMinute,
	getDoneState,
	revealPrivateNotes,
	setDone,
	setLocked,
	setPhase,
	setPrivateWriting,
	setTimerLength,
	startTimer
} from '../../src/lib/server/live';
import { createWorkshop, getWorkshopDetails, resolveBoardAccess, setParticipantRole } from '../../src/lib/server/workshops';
import {
	connectLive,
	newGuest,
	newMember,
	newUser,
	sleep,
	storedBoard,
	synced,
	waitFor,
	workshopInput,
	type BoardClient
} from '../helpers/collab';

let collab: CollabServer;
let server: http.Server;
let url: string;
const clients: BoardClient[] = [];
const servers: { collab: CollabServer; server: http.Server }[] = [];

async function startServer() {
	const instance = createCollabServer({
		authorise: resolveBoardAccess,
		store: openBoardStore(),
		unloadAfterMs: 150,
		awarenessIntervalMs: 20,
		rosterIntervalMs: 20,
		log: { error: () => {}, warn: () => {} }
	});
	const http1 = http.createServer((_req, res) => res.writeHead(404).end());
	http1.on('upgrade', (req, socket, head) => instance.handleUpgrade(req, socket, head));
	await new Promise<void>((resolve) => http1.listen(0, '127.0.0.1', resolve));
	servers.push({ collab: instance, server: http1 });
	return { collab: instance, url: `http://127.0.0.1:${(http1.address() as AddressInfo).port}` };
}

beforeAll(async () => {
	// y-websocket adds a process 'exit' listener per provider.
	process.setMaxListeners(100);
	({ collab, url } = await startServer());
});

afterEach(() => {
	vi.useRealTimers();
});

afterAll(async () => {
	for (const c of clients) c.destroy();
	for (const { collab: instance, server: http1 } of servers) {
		await instance.shutdown(500);
		await new Promise((resolve) => http1.close(resolve));
	}
});

type Person = { cookie: string; name: string };
type Watched = ReturnType<typeof connectLive> & { done: DoneLive[]; rosters: Roster[]; types: number[] };

/** A client that records the server's done counts (105) and rosters (106), and every message type it receives. */
function join(room: string, person: Person, at = url): Watched {
	const c = connectLive(at, room, { cookie: person.cookie, name: person.name });
	const watched = Object.assign(c, { done: [] as DoneLive[], rosters: [] as Roster[], types: [] as number[] });
	c.provider.messageHandlers[105] = (_encoder, decoder) => watched.done.push(JSON.parse(decoding.readVarString(decoder)));
	c.provider.messageHandlers[106] = (_encoder, decoder) => watched.rosters.push(JSON.parse(decoding.readVarString(decoder)));
	// Every message's type, seen before its handler runs (the socket is opened in the next turn).
	c.provider.on('status', ({ status }: { status: string }) => {
		if (status !== 'connected') return;
		c.provider.ws?.addEventListener('message', (event) => {
			const data = new Uint8Array(event.data as ArrayBuffer);
			watched.types.push(decoding.readVarUint(decoding.createDecoder(data)));
		});
	});
	clients.push(c);
	return watched;
}

async function setup() {
	const owner = await newUser('Fasilitaattori');
	const workshop = await createWorkshop(
		{
			...workshopInput('Valmiina'),
			phases: [
				{ kind: 'ideas', title: 'Ideointi', durationMinutes: 15 },
				{ kind: 'grouping', title: 'Ryhmittely', durationMinutes: 10 }
			]
		},
		owner.id
	);
	const details = (await getWorkshopDetails(workshop.id))!;
	const anna = await newGuest(workshop.id, 'Anna');
	const bertil = await newMember(workshop.id, 'Bertil');
	const carl = await newGuest(workshop.id, 'Carl');
	expect(await setParticipantRole(workshop.id, carl.id, 'observer')).toBe(true);
	return { owner, workshop, lane: details.perspectives[0]!.id, phaseIds: details.phases.map((p) => p.id), anna, bertil, carl };
}

const last = <T>(list: T[]) => list.at(-1);

describe('the timer on the wire', () => {
	it('a set length reaches a late joiner consistent with serverNow; at the end the state says 0 left, still running', async () => {
		const { owner, workshop, phaseIds, anna } = await setup();
		const facilitator = join(workshop.id, owner);
		await synced(facilitator);
		await setPhase(workshop.id, phaseIds[0]!);
		await setTimerLength(workshop.id, 3);
		const started = await startTimer(workshop.id);
		expect(started.timer).toMatchObject({ running: true, durationMs: 180_000 });
		await waitFor(() => last(facilitator.channel.live)?.state.timer.running === true, 'the start to reach the facilitator');

		const late = join(workshop.id, anna);
		await waitFor(() => late.channel.live.length > 0, 'the late joiner’s live state');
		const { state, serverNow } = late.channel.live[0]!;
		expect(state.timer.endsAt).toBe(started.timer.endsAt);
		expect(state.timer.durationMs).toBe(180_000);
		expect(state.timer.remainingMs).toBe(state.timer.endsAt! - serverNow);

		// Three minutes later by the server's clock: every screen is told 0 left (the end), still "running".
		vi.useFakeTimers({ toFake: ['Date'] });
		vi.setSystemTime(started.timer.endsAt! + 1_000);
		await setLocked(workshop.id, false); // any change sends the state again
		await waitFor(() => last(late.channel.live)!.serverNow > started.timer.endsAt!, 'the state after the end');
		expect(last(late.channel.live)!.state.timer).toMatchObject({ running: true, remainingMs: 0, durationMs: 180_000 });
		// One more minute counts from now.
		await addTimerMinute(workshop.id);
		await waitFor(() => last(late.channel.live)!.state.timer.remainingMs === 60_000, 'the extra minute');
	});
});

describe('"valmis / klar / done"', () => {
	it('counts participants only, goes to everyone as 105 with their own mark, and starts from nobody in a new run', async () => {
		const { owner, workshop, phaseIds, anna, bertil, carl } = await setup();
		const facilitator = join(workshop.id, owner);
		const a = join(workshop.id, anna);
		const b = join(workshop.id, bertil);
		const observer = join(workshop.id, carl);
		await synced(facilitator, a, b, observer);

		// Before a phase: nothing to count; who may mark is said per connection.
		await waitFor(() => [facilitator, a, b, observer].every((c) => c.done.length > 0), 'everyone’s first 105');
		expect(last(a.done)).toEqual({ run: 0, phaseId: null, done: 0, total: 0, counted: true, mine: false });
		expect(last(observer.done)?.counted).toBe(false);
		expect(last(facilitator.done)?.counted).toBe(false);

		const run = (await setPhase(workshop.id, phaseIds[0]!)).phaseRun;
		const everyone = [facilitator, a, b, observer];
		await waitFor(() => everyone.every((c) => last(c.done)?.run === run && last(c.done)?.total === 2), 'the new run, 0/2');
		expect(last(b.done)).toEqual({ run, phaseId: phaseIds[0], done: 0, total: 2, counted: true, mine: false });

		await setDone(workshop.id, anna.id, run, true);
		await waitFor(() => everyone.every((c) => last(c.done)?.done === 1), 'everyone to see 1/2');
		expect(last(a.done)).toMatchObject({ done: 1, total: 2, counted: true, mine: true });
		expect(last(b.done)).toMatchObject({ done: 1, total: 2, counted: true, mine: false });
		expect(last(observer.done)).toMatchObject({ done: 1, total: 2, counted: false, mine: false });
		expect(last(facilitator.done)).toMatchObject({ done: 1, total: 2, counted: false, mine: false });

		// The facilitator sees who: the people on the board (not the facilitator, not the observer).
		await waitFor(() => last(facilitator.rosters)?.done === 1, 'the facilitator’s roster');
		expect(last(facilitator.rosters)).toEqual({
			run,
			phaseId: phaseIds[0],
			privateWriting: false,
			done: 1,
			total: 2,
			privateTotal: null,
			people: [
				{ id: anna.id, name: 'Anna', present: true, done: true, privateNotes: null },
				{ id: bertil.participantId, name: 'Bertil', present: true, done: false, privateNotes: null }
			]
		});
		// A page load says the same before its socket does.
		expect(await getDoneState(workshop.id, anna.id, true)).toEqual({ run, phaseId: phaseIds[0], done: 1, total: 2, counted: true, mine: true });
		expect(await getDoneState(workshop.id, null, false)).toMatchObject({ done: 1, total: 2, counted: false, mine: false });

		// Someone done who leaves still counts; someone not done who leaves does not.
		b.destroy();
		a.destroy();
		await waitFor(() => last(facilitator.rosters)?.total === 1, 'the roster after two left');
		expect(last(facilitator.rosters)?.people).toEqual([{ id: anna.id, name: 'Anna', present: false, done: true, privateNotes: null }]);

		// Re-opening the phase is a new run: nobody is done.
		const again = join(workshop.id, anna);
		await synced(again);
		const run2 = (await setPhase(workshop.id, phaseIds[0]!)).phaseRun;
		expect(run2).toBe(run + 1);
		await waitFor(() => last(again.done)?.run === run2, 'the re-opened phase');
		expect(last(again.done)).toMatchObject({ done: 0, total: 1, counted: true, mine: false });
		await waitFor(() => last(facilitator.rosters)?.run === run2, 'the roster of the new run');
		expect(last(facilitator.rosters)?.people).toEqual([{ id: anna.id, name: 'Anna', present: true, done: false, privateNotes: null }]);

		// Nobody but facilitators ever received a roster.
		for (const c of [a, b, observer, again]) {
			expect(c.rosters).toEqual([]);
			expect(c.types).not.toContain(106);
		}
		expect(facilitator.types).toContain(106);
	});

	it('a page load before a phase opens says 0 of 0 without reading the roster (a query over every participant)', async () => {
		const { workshop, phaseIds, anna } = await setup();
		// The newest collab server answers for a workshop no server has in memory; its roster reader is the real one, counted.
		const reads: string[] = [];
		const counting = createCollabServer({
			authorise: resolveBoardAccess,
			store: openBoardStore(),
			roster: (workshopId) => {
				reads.push(workshopId);
				return readRosterBase(workshopId);
			},
			log: { error: () => {}, warn: () => {} }
		});
		try {
			expect(await getDoneState(workshop.id, anna.id, true)).toEqual({ run: 0, phaseId: null, done: 0, total: 0, counted: true, mine: false });
			expect(reads).toEqual([]);
			const run = (await setPhase(workshop.id, phaseIds[0]!)).phaseRun;
			await setDone(workshop.id, anna.id, run, true);
			reads.length = 0;
			// Nobody is connected: Anna (done, and the one loading the page) counts, Bertil does not yet.
			expect(await getDoneState(workshop.id, anna.id, true)).toEqual({ run, phaseId: phaseIds[0], done: 1, total: 1, counted: true, mine: true });
			expect(reads).toEqual([workshop.id]);
		} finally {
			await counting.shutdown(500);
		}
	});
});

describe('private writing, counted for facilitators only', () => {
	it('sends each person’s count and the total to facilitators as they write, never to participants, never the content', async () => {
		const { owner, workshop, lane, phaseIds, anna, bertil } = await setup();
		await setPhase(workshop.id, phaseIds[0]!);
		await setPrivateWriting(workshop.id, true, false);
		const annaRoom = privateRoomName(workshop.id, anna.id);
		const facilitator = join(workshop.id, owner);
		const a = join(workshop.id, anna);
		const aPrivate = join(annaRoom, anna);
		const b = join(workshop.id, bertil);
		await synced(facilitator, a, aPrivate, b);
		await waitFor(() => last(facilitator.rosters)?.people.length === 2, 'both participants in the roster');
		expect(last(facilitator.rosters)).toMatchObject({ privateWriting: true, privateTotal: 0 });

		const ids = ['Salainen yksi', 'Salainen kaksi', 'Salainen kolme'].map((text) =>
			addNote(aPrivate.doc, { text, lane, author: { id: anna.id, name: anna.name } })
		);
		await waitFor(() => last(facilitator.rosters)?.privateTotal === 3, 'the facilitator to see 3 private notes');
		expect(last(facilitator.rosters)?.people).toEqual([
			{ id: anna.id, name: 'Anna', present: true, done: false, privateNotes: 3 },
			{ id: bertil.participantId, name: 'Bertil', present: true, done: false, privateNotes: 0 }
		]);
		deleteNote(aPrivate.doc, ids[0]!);
		await waitFor(() => last(facilitator.rosters)?.privateTotal === 2, 'the count after a deletion');

		// Counts, never the notes; and to no participant's connection (nor to the private rooms).
		expect(JSON.stringify(facilitator.rosters)).not.toContain('Salainen');
		for (const c of [a, aPrivate, b]) {
			expect(c.rosters).toEqual([]);
			expect(c.types).not.toContain(106);
		}
		for (const c of [a, b]) expect(JSON.stringify(c.done)).not.toMatch(/private|Salainen/);

		// Anna leaves: her private room unloads, her count stays; a collab server started later (a restart) counts the
		// stored private documents too.
		aPrivate.destroy();
		a.destroy();
		await sleep(300);
		await waitFor(() => last(facilitator.rosters)?.people[0]?.present === false, 'Anna gone');
		expect(last(facilitator.rosters)).toMatchObject({ privateTotal: 2, people: [{ id: anna.id, present: false, privateNotes: 2 }, {}] });
		const restarted = await startServer();
		const fresh = join(workshop.id, owner, restarted.url);
		await waitFor(() => last(fresh.rosters)?.privateTotal === 2, 'the restarted server’s count');
		expect(last(fresh.rosters)?.people.find((person) => person.id === anna.id)?.privateNotes).toBe(2);
		fresh.destroy();
		await restarted.collab.shutdown(500);

		// The reveal ends private writing: no counts any more.
		await revealPrivateNotes(workshop.id);
		await waitFor(() => last(facilitator.rosters)?.privateWriting === false, 'the roster after the reveal');
		expect(last(facilitator.rosters)).toMatchObject({ privateTotal: null, people: [{ privateNotes: null }] });
	});
});

describe('quick +1 reactions', () => {
	it('converge when people react at once, are taken back by their author only, and are refused for another author id', async () => {
		const { owner, workshop, lane, anna, bertil } = await setup();
		const facilitator = join(workshop.id, owner);
		const a = join(workshop.id, anna);
		const b = join(workshop.id, bertil);
		await synced(facilitator, a, b);
		const noteId = addNote(a.doc, { text: 'Kahvila nuorille', lane, author: { id: anna.id, name: anna.name } });
		await waitFor(() => [facilitator, b].every((c) => readBoard(c.doc).notes.length === 1), 'the note everywhere');

		// Three people react in the same moment: none of the +1s is lost.
		const ownerId = `user:${owner.id}`;
		toggleReaction(a.doc, noteId, { id: anna.id });
		toggleReaction(b.doc, noteId, { id: bertil.participantId });
		toggleReaction(facilitator.doc, noteId, { id: ownerId });
		const counts = () => [facilitator, a, b].map((c) => viewBoard(c.doc).reactions?.[noteId]?.count ?? 0);
		await waitFor(() => counts().every((count) => count === 3), 'three +1s everywhere');
		expect(viewBoard(a.doc, anna.id).reactions?.[noteId]).toEqual({ count: 3, mine: true });
		expect(viewBoard(await storedBoard(workshop.id)).reactions?.[noteId]?.count).toBe(3);

		// Taken back by its author.
		expect(toggleReaction(a.doc, noteId, { id: anna.id })).toBe(false);
		await waitFor(() => counts().every((count) => count === 2), 'two +1s everywhere');
		expect(viewBoard(b.doc, anna.id).reactions?.[noteId]).toEqual({ count: 2, mine: false });

		// Writing someone else's key: a new one, over an existing one, or deleting one. Each is refused (101 author,
		// then 4101), neither stored nor seen by anyone.
		const attempts: [string, (doc: Y.Doc) => void][] = [
			['a new key for Bertil', (doc) => reactionsOf(doc).set(reactionKey('another-note', bertil.participantId), true)],
			['over Bertil’s key', (doc) => reactionsOf(doc).set(reactionKey(noteId, bertil.participantId), 'forged')],
			['deleting Bertil’s key', (doc) => reactionsOf(doc).delete(reactionKey(noteId, bertil.participantId))],
			['a key of nobody', (doc) => reactionsOf(doc).set(noteId, true)]
		];
		for (const [what, forge] of attempts) {
			const forger = join(workshop.id, anna);
			await synced(forger);
			forger.doc.transact(() => forge(forger.doc));
			await waitFor(() => forger.channel.refused.includes('author'), `the refusal of ${what}`);
			await waitFor(() => forger.closes.includes(4101), `the 4101 after ${what}`);
			forger.destroy();
		}
		// A facilitator cannot write a participant's reaction either.
		facilitator.doc.transact(() => reactionsOf(facilitator.doc).set(reactionKey(noteId, anna.id), true));
		await waitFor(() => facilitator.channel.refused.includes('author'), 'the facilitator’s refusal');
		await sleep(100);
		expect([...reactionsOf(b.doc).keys()].sort()).toEqual([reactionKey(noteId, ownerId), reactionKey(noteId, bertil.participantId)].sort());
		expect([...reactionsOf(await storedBoard(workshop.id)).keys()].sort()).toEqual(
			[reactionKey(noteId, ownerId), reactionKey(noteId, bertil.participantId)].sort()
		);
		expect(viewBoard(await storedBoard(workshop.id)).reactions?.[noteId]?.count).toBe(2);

		// The board's other rules apply to reactions like to any edit: a lock refuses a participant's +1.
		await setLocked(workshop.id, true);
		const locked = join(workshop.id, anna);
		await synced(locked);
		await waitFor(() => last(locked.channel.live)?.state.locked === true, 'the lock');
		toggleReaction(locked.doc, noteId, { id: anna.id });
		await waitFor(() => locked.channel.refused.includes('locked'), 'the 101 locked for a reaction');
		await sleep(100);
		expect(viewBoard(await storedBoard(workshop.id)).reactions?.[noteId]?.count).toBe(2);
	});
});
