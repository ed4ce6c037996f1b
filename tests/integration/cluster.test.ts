// Several nodes: two production app nodes on one database with a Redis relay (redis-server from Debian, started here
// in a temp dir), HAProxy in front (also Debian's), real y-websocket clients. The README's "Running on several nodes"
// uses the same settings.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '@redis/client';
import * as Y from 'yjs';
import { addNote, readBoard } from '../../src/lib/board/model';
import type { Roster, VoteLive } from '../../src/lib/live-protocol';
import { m } from '../../src/lib/paraglide/messages';
import { demoAccounts, seedDemo } from '../../src/lib/server/demo';
import { privateRoomName } from '../../src/lib/server/collab/live-state';
import { createRedisRelay } from '../../src/lib/server/collab/relay';
import { openBoardStore } from '../../src/lib/server/collab/store';
import { rawGet } from '../../src/lib/server/db';
import { createSession } from '../../src/lib/server/session';
import { openRound } from '../../src/lib/server/voting';
import {
	authorOf,
	connectBoard,
	connectLive,
	newGuest,
	newUser,
	newWorkshop,
	presenceOf,
	rawBoardSocket,
	startCollabHarness,
	storedBoard,
	synced,
	waitFor,
	type BoardClient
} from '../helpers/collab';
import { startHaproxy, startRedis, type Engine } from '../helpers/engines';
import { postAction, startProductionServer, type RunningServer } from '../helpers/server';

let redis: Engine;
let haproxy: Engine;
const nodes: RunningServer[] = [];
const clients: BoardClient[] = [];
const [nodeA, nodeB] = [() => nodes[0]!, () => nodes[1]!];

function startNode() {
	return startProductionServer({
		env: {
			DATABASE_PATH: process.env.DATABASE_PATH!,
			VERSTAS_REDIS_URL: redis.url,
			// Compactions while both nodes write the log: each merges the stored snapshot and log into its own.
			VERSTAS_COLLAB_COMPACT_EVERY_UPDATES: '15',
			VERSTAS_COLLAB_COMPACT_AFTER_MS: '200'
		}
	});
}

beforeAll(async () => {
	process.setMaxListeners(100);
	redis = await startRedis();
	nodes.push(...(await Promise.all([startNode(), startNode()])));
	haproxy = await startHaproxy(nodes.map((node, index) => ({ name: `node${index}`, port: Number(new URL(node.url).port) })));
}, 60_000);

afterAll(async () => {
	for (const client of clients) client.destroy();
	await Promise.all([...nodes.map((node) => node.stop()), haproxy?.stop(), redis?.stop()]);
});

function track<T extends BoardClient>(client: T) {
	clients.push(client);
	return client;
}

const noteTexts = (doc: Y.Doc) => readBoard(doc).notes.map((note) => note.text).sort();

describe('two nodes behind a load balancer', () => {
	it('clients on different nodes converge: notes and presence cross through Redis', async () => {
		const owner = await newUser('Fasilitaattori');
		const workshop = await newWorkshop(owner.id);
		const anna = await newGuest(workshop.id, 'Anna');
		const ben = await newGuest(workshop.id, 'Ben');
		const onA = track(connectBoard(nodeA().url, workshop.id, { cookie: anna.cookie, name: 'Anna on A' }));
		const onB = track(connectBoard(nodeB().url, workshop.id, { cookie: ben.cookie, name: 'Ben on B' }));
		await synced(onA, onB);

		addNote(onA.doc, { text: 'Kerhot kouluille', lane: 'l1', author: authorOf(anna) });
		addNote(onB.doc, { text: 'Perhekahvila', lane: 'l1', author: authorOf(ben) });
		await waitFor(() => noteTexts(onA.doc).length === 2 && noteTexts(onB.doc).length === 2, 'both notes on both nodes', 3000);
		expect(noteTexts(onA.doc)).toEqual(['Kerhot kouluille', 'Perhekahvila']);
		expect(noteTexts(onB.doc)).toEqual(noteTexts(onA.doc));

		// Presence: Ben's cursor, sent to node B, is seen by Anna on node A with the server's identity stamp.
		onB.provider.awareness.setLocalStateField('cursor', { x: 10, y: 20 });
		const seenByAnna = () => presenceOf(onA, 'Ben');
		await waitFor(() => seenByAnna() !== undefined, "Ben's presence on node A", 2000);
		expect(seenByAnna()).toMatchObject({ cursor: { x: 10, y: 20 }, identity: { name: 'Ben', role: 'participant' } });

		// Saved once, by the node that took the change: the stored board is the same.
		await waitFor(async () => noteTexts(await storedBoard(workshop.id)).length === 2, 'both notes stored');
	});

	it('live state, votes and a removal made through node A reach node B at once', async () => {
		const owner = await newUser('Fasilitaattori');
		const workshop = await newWorkshop(owner.id);
		const anna = await newGuest(workshop.id, 'Anna');
		const ben = await newGuest(workshop.id, 'Ben');
		// Ben watches on node B; the facilitator acts through node A.
		const watcher = track(connectLive(nodeB().url, workshop.id, { cookie: ben.cookie, name: 'Ben on B' }));
		const announced: VoteLive[] = [];
		watcher.provider.messageHandlers[102] = (_encoder, decoder) => announced.push(JSON.parse(decoding.readVarString(decoder)));
		watcher.provider.connect();
		await synced(watcher);
		await waitFor(() => watcher.channel.live.length > 0, 'the first live state');

		const locked = await postAction(nodeA().url, `/workshops/${workshop.id}/board?/setLocked`, owner.cookie, { locked: 'true' });
		expect(locked).toMatchObject({ type: 'success' });
		const lockedAt = Date.now();
		await waitFor(() => watcher.channel.live.at(-1)!.state.locked, 'the lock on node B', 1000);
		expect(Date.now() - lockedAt).toBeLessThan(1000);

		// A vote cast on node A's socket: node B's board hears the turnout, and who is present counts both nodes.
		const round = await openRound(workshop.id, { method: 'dot', items: [{ id: 'a', kind: 'note', text: 'Kerhot' }], budget: 3, cap: 3 }, owner.id);
		const voter = await rawBoardSocket(nodeA().url, workshop.id, { cookie: anna.cookie });
		try {
			const encoder = encoding.createEncoder();
			encoding.writeVarUint(encoder, 103);
			encoding.writeVarString(encoder, JSON.stringify({ method: 'dot', roundId: round.id, itemId: 'a', delta: 1, requestId: 'r1' }));
			const castAt = Date.now();
			voter.ws.send(encoding.toUint8Array(encoder));
			await waitFor(() => announced.some((vote) => vote.roundId === round.id && vote.turnout === 1), 'the vote on node B', 1000);
			expect(Date.now() - castAt).toBeLessThan(1000);
			expect(announced.at(-1)!.present).toBe(2);
		} finally {
			voter.ws.close();
		}

		// Ben is removed through node A: his socket on node B closes with 4403 within a second.
		const removedAt = Date.now();
		const removal = await postAction(nodeA().url, `/workshops/${workshop.id}?/removeParticipant`, owner.cookie, { participantId: ben.id });
		expect(removal).toMatchObject({ type: 'success' });
		await waitFor(() => watcher.closes.includes(4403), "Ben's connection closed on node B", 1000);
		expect(Date.now() - removedAt).toBeLessThan(1000);
	});

	it('private writing on node B: the facilitator on node A sees the count, and the reveal reaches node B', async () => {
		const owner = await newUser('Fasilitaattori');
		const workshop = await newWorkshop(owner.id);
		const anna = await newGuest(workshop.id, 'Anna');
		const privateOn = await postAction(nodeA().url, `/workshops/${workshop.id}/board?/setPrivateWriting`, owner.cookie, { on: 'true' });
		expect(privateOn).toMatchObject({ type: 'success' });
		const facilitator = track(connectLive(nodeA().url, workshop.id, { cookie: owner.cookie, name: 'facilitator on A' }));
		const rosters: Roster[] = [];
		facilitator.provider.messageHandlers[106] = (_encoder, decoder) => rosters.push(JSON.parse(decoding.readVarString(decoder)));
		facilitator.provider.connect();
		const board = track(connectBoard(nodeB().url, workshop.id, { cookie: anna.cookie, name: 'Anna on B' }));
		const own = track(connectBoard(nodeB().url, privateRoomName(workshop.id, anna.id), { cookie: anna.cookie, name: 'Anna private' }));
		await synced(facilitator, board, own);
		addNote(own.doc, { text: 'Oma ajatus', lane: 'l1', author: authorOf(anna) });
		await waitFor(() => rosters.at(-1)?.people.some((person) => person.id === anna.id && person.present && person.privateNotes === 1) ?? false, 'the private count on node A', 2000);
		expect(noteTexts(board.doc)).toEqual([]);

		const revealed = await postAction(nodeA().url, `/workshops/${workshop.id}/board?/reveal`, owner.cookie, {});
		expect(revealed).toMatchObject({ type: 'success' });
		await waitFor(() => noteTexts(board.doc).length === 1 && noteTexts(own.doc).length === 0, 'the reveal on node B', 1000);
		expect(noteTexts(board.doc)).toEqual(['Oma ajatus']);
	});

	it('signing out through node A closes that session’s board on node B within a second', async () => {
		const owner = await newUser('Fasilitaattori');
		const workshop = await newWorkshop(owner.id);
		const board = track(connectBoard(nodeB().url, workshop.id, { cookie: owner.cookie, name: 'facilitator on B' }));
		await synced(board);
		const signedOutAt = Date.now();
		expect(await postAction(nodeA().url, '/sign-out', owner.cookie, {})).toMatchObject({ type: 'redirect' });
		await waitFor(() => board.closes.includes(4403), 'the signed-out board closed on node B', 1000);
		expect(Date.now() - signedOutAt).toBeLessThan(1000);
	});

	it('failed sign-ins through either node count together: the next wait holds on both', async () => {
		const person = await newUser('Arvaaja');
		const signIn = (node: RunningServer, password: string) => postAction(node.url, '/sign-in', '', { email: person.email, password });
		// signInPerAccount: 5 failures are free, then each attempt waits 1 s doubled per failure beyond them. Split
		// between the nodes, a node counting only its own would never make anyone wait.
		for (const node of [nodeA(), nodeB(), nodeA(), nodeB(), nodeA()]) expect(await signIn(node, 'väärä')).toMatchObject({ status: 400 });
		expect(await signIn(nodeB(), 'salasana-123')).toMatchObject({ status: 429 });
		await new Promise((resolve) => setTimeout(resolve, 1100));
		expect(await signIn(nodeB(), 'väärä')).toMatchObject({ status: 400 });
		// The sixth failure (counted on node B) makes node A ask for 2 s, the right password or not.
		const refused = await signIn(nodeA(), 'salasana-123');
		expect(refused).toMatchObject({ status: 429 });
		expect(String(refused.data?.message)).toBe(m.sign_in_rate_limited_seconds({ seconds: 2 }, { locale: 'fi' }));
	});

	it('a pilot decision made on node A is on node B’s dashboard at once', async () => {
		await seedDemo();
		const lead = (await rawGet<{ id: string }>('SELECT id FROM users WHERE email = ?', demoAccounts.find((account) => account.email.startsWith('lead@'))!.email))!;
		const pilot = (await rawGet<{ id: string; programmeId: string }>(`SELECT id, programme_id AS "programmeId" FROM pilots WHERE status = 'running' ORDER BY title LIMIT 1`))!;
		const cookie = `verstas_session=${(await createSession(lead.id)).token}`;
		const dashboardRow = async () => {
			const html = await (await fetch(`${nodeB().url}/programmes/${pilot.programmeId}`, { headers: { cookie } })).text();
			const start = html.indexOf(`href="/pilots/${pilot.id}"`);
			return html.slice(start, html.indexOf('</tr>', start));
		};
		const scaled = m.outcomes_decision_scale({}, { locale: 'fi' });
		expect(await dashboardRow()).not.toContain(scaled);

		const decided = await postAction(nodeA().url, `/pilots/${pilot.id}?/transition`, cookie, {
			action: 'decide',
			decision: 'scale',
			comment: 'Tulokset hyviä'
		});
		expect(decided).toMatchObject({ type: 'success' });
		expect(await dashboardRow()).toContain(scaled);
	});

	it('kill -9 of a node during edits: its clients reconnect by themselves and nothing any client saw is lost', async () => {
		const owner = await newUser('Fasilitaattori');
		const workshop = await newWorkshop(owner.id);
		const people = await Promise.all(Array.from({ length: 6 }, (_, index) => newGuest(workshop.id, `Osallistuja ${index + 1}`)));
		// Through HAProxy, which places a workshop's people on one node: the one its answers name.
		const placed = (await fetch(`${haproxy.url}/workshops/${workshop.id}/board`, { redirect: 'manual' })).headers.get('x-verstas-node');
		expect(placed).toMatch(/^node[01]$/);
		const victimIndex = Number(placed!.slice(-1));
		const editors = people.map((person) => track(connectBoard(haproxy.url, workshop.id, { cookie: person.cookie, name: person.name })));
		await synced(...editors);
		const seen = new Set<string>();
		for (const editor of editors) editor.doc.on('update', () => readBoard(editor.doc).notes.forEach((note) => seen.add(note.text)));

		let written = 0;
		const write = () => {
			for (const [index, editor] of editors.entries()) {
				if (editor.provider.wsconnected) addNote(editor.doc, { text: `muistiinpano ${++written}`, lane: 'l1', author: authorOf(people[index]!) });
			}
		};
		for (let round = 0; round < 5; round++) {
			write();
			await new Promise((resolve) => setTimeout(resolve, 40));
		}
		const victim = nodes[victimIndex]!;
		victim.process.kill('SIGKILL');
		write();
		await waitFor(() => victim.process.signalCode === 'SIGKILL', 'the node killed');
		// Every client was on the killed node: each lost its socket and comes back through HAProxy to the other node.
		await waitFor(() => editors.every((editor) => editor.closes.length > 0), 'the clients of the killed node disconnected', 5000);
		await waitFor(() => editors.every((editor) => editor.provider.wsconnected && editor.provider.synced), 'every client reconnected', 10_000);
		for (let round = 0; round < 3; round++) {
			write();
			await new Promise((resolve) => setTimeout(resolve, 40));
		}

		// Every client converges on everything anyone wrote or saw, and it is stored.
		await waitFor(() => editors.every((editor) => noteTexts(editor.doc).length === seen.size), 'every client holds every note', 10_000);
		expect(seen.size).toBe(written);
		await waitFor(async () => noteTexts(await storedBoard(workshop.id)).length === written, 'every note stored', 5000);
		expect(noteTexts(await storedBoard(workshop.id))).toEqual([...seen].sort());

		// The killed node starts again on the same data and serves the whole board.
		nodes[victimIndex] = await startNode();
		const late = track(connectBoard(nodes[victimIndex]!.url, workshop.id, { cookie: owner.cookie, name: 'late' }));
		await synced(late);
		expect(noteTexts(late.doc)).toEqual([...seen].sort());
	});
});

describe('what keeps several nodes from losing a change', () => {
	it('a compaction merges what other nodes logged and snapshotted instead of replacing it', async () => {
		const owner = await newUser('Fasilitaattori');
		const workshop = await newWorkshop(owner.id);
		const store = openBoardStore();
		const board = (text: string) => {
			const doc = new Y.Doc();
			addNote(doc, { text, lane: 'l1', author: { id: 'p1', name: 'Anna' } });
			return doc;
		};
		// Node A logged a note and compacted; node B logged one after it and, not having received A's note yet,
		// compacts with a state that lacks it.
		const fromA = board('A:n kortti');
		await store.append(workshop.id, [Y.encodeStateAsUpdate(fromA)]);
		await store.compact(workshop.id, Y.encodeStateAsUpdate(fromA), (await store.load(workshop.id)).lastUpdateId, true);
		const fromB = board('B:n kortti');
		const upToB = await store.append(workshop.id, [Y.encodeStateAsUpdate(fromB)]);
		await store.compact(workshop.id, Y.encodeStateAsUpdate(fromB), upToB, true);
		expect(noteTexts(await storedBoard(workshop.id))).toEqual(['A:n kortti', 'B:n kortti']);
		expect((await store.load(workshop.id)).updates).toHaveLength(1);
	});

	it('a node that went away before publishing a saved change: the others read it from the log within a second', async () => {
		const owner = await newUser('Fasilitaattori');
		const workshop = await newWorkshop(owner.id);
		const anna = await newGuest(workshop.id, 'Anna');
		const channel = 'verstas:gap-test';
		const relay = createRedisRelay(redis.url, { channel, watchEveryMs: 100, log: { error: () => {}, warn: () => {} } });
		const harness = await startCollabHarness({ relay });
		const gone = createRedisRelay(redis.url, { channel });
		const observer = createClient({ url: redis.url });
		await observer.connect();
		try {
			await waitFor(async () => Number(Object.values(await observer.pubSubNumSub(channel))[0]) === 2, 'both nodes subscribed');
			const client = track(connectBoard(harness.url, workshop.id, { cookie: anna.cookie, name: 'Anna' }));
			await synced(client);
			// Another node saves a change and is killed before it publishes it: only the log has it.
			const other = new Y.Doc();
			Y.applyUpdate(other, Y.encodeStateAsUpdate(client.doc));
			addNote(other, { text: 'Tallennettu, ei julkaistu', lane: 'l1', author: authorOf(anna) });
			const saved = Y.encodeStateAsUpdate(other, Y.encodeStateVector(client.doc));
			await openBoardStore().append(workshop.id, [saved]);
			// (the watch, every 100 ms, has counted both subscribers; nothing tells this node about the change)
			await new Promise((resolve) => setTimeout(resolve, 300));
			expect(noteTexts(client.doc)).toEqual([]);
			const goneAt = Date.now();
			await gone.close();
			await waitFor(() => noteTexts(client.doc).length === 1, 'the saved change read from the log', 1000);
			expect(Date.now() - goneAt).toBeLessThan(1000);
		} finally {
			await observer.close();
			await gone.close();
			await harness.close();
			await relay.close();
		}
	});
});
