// PostgresBoardStore against a real PostgreSQL (its own cluster, whatever database the rest of the run uses).
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { PostgresBoardStore } from '../../src/lib/server/collab/store-postgres';
import { startPostgres, type Postgres } from '../helpers/postgres';

let server: Postgres;
let nodeA: pg.Pool;
let nodeB: pg.Pool;

beforeAll(async () => {
	server = await startPostgres();
	const url = await server.createDatabase('boards');
	nodeA = new pg.Pool({ connectionString: url });
	nodeB = new pg.Pool({ connectionString: url });
	// The server's shutdown at the end ends idle connections: not an error of the test.
	for (const pool of [nodeA, nodeB]) pool.on('error', () => undefined);
	await migrate(drizzle(nodeA), { migrationsFolder: 'drizzle-pg' });
	await nodeA.query(`INSERT INTO workshops (id, title, theme, join_code) VALUES ('w1', 'Työpaja', 'Kohtaamispaikat', 'AAAA1111'), ('w2', 'Toinen', 'Arki', 'BBBB2222')`);
	await nodeA.query(`INSERT INTO participants (id, workshop_id, display_name) VALUES ('p1', 'w1', 'Aino'), ('p2', 'w1', 'Eero')`);
});

afterAll(async () => {
	await nodeA?.end();
	await nodeB?.end();
	await server?.stop();
});

/** A Yjs update that sets `key` in the document's map. */
function edit(doc: Y.Doc, key: string, value: string) {
	let update: Uint8Array | null = null;
	doc.once('update', (bytes: Uint8Array) => (update = bytes));
	doc.getMap('board').set(key, value);
	return update!;
}

function replay(updates: Uint8Array[]) {
	const doc = new Y.Doc();
	for (const update of updates) Y.applyUpdate(doc, update);
	return doc.getMap('board').toJSON();
}

describe('PostgresBoardStore', () => {
	it('logs updates, loads the snapshot then the later updates, and compacts', async () => {
		const store = new PostgresBoardStore(nodeA);
		const doc = new Y.Doc();
		expect(await store.load('w1')).toEqual({ updates: [], lastUpdateId: 0, snapshotUpdateId: 0 });
		const first = await store.append('w1', [edit(doc, 'a', 'Kirjasto'), edit(doc, 'b', 'Nuorisotila')]);
		const second = await store.append('w1', [edit(doc, 'c', 'Puisto')]);
		expect(second).toBeGreaterThan(first);
		let board = await store.load('w1');
		expect(board).toMatchObject({ lastUpdateId: second, snapshotUpdateId: 0 });
		expect(board.updates).toHaveLength(3);
		expect(replay(board.updates)).toEqual({ a: 'Kirjasto', b: 'Nuorisotila', c: 'Puisto' });

		await store.compact('w1', Y.encodeStateAsUpdate(doc), second);
		const third = await store.append('w1', [edit(doc, 'd', 'Kahvila')]);
		board = await store.load('w1');
		expect(board).toMatchObject({ lastUpdateId: third, snapshotUpdateId: second });
		expect(board.updates).toHaveLength(2); // the snapshot, then the update after it
		expect(replay(board.updates)).toEqual({ a: 'Kirjasto', b: 'Nuorisotila', c: 'Puisto', d: 'Kahvila' });
		expect((await nodeA.query("SELECT count(*)::int AS n FROM board_updates WHERE workshop_id = 'w1'")).rows[0].n).toBe(1);
		// Another workshop's board is its own.
		expect(await store.load('w2')).toEqual({ updates: [], lastUpdateId: 0, snapshotUpdateId: 0 });
	});

	it('keeps private documents per participant and lists their rooms', async () => {
		const store = new PostgresBoardStore(nodeA);
		const aino = new Y.Doc();
		const eero = new Y.Doc();
		await store.append('w1.private.p1', [edit(aino, 'idea', 'Lukupiiri')]);
		const last = await store.append('w1.private.p2', [edit(eero, 'idea', 'Pyöräkorjaamo')]);
		expect(replay((await store.load('w1.private.p1')).updates)).toEqual({ idea: 'Lukupiiri' });
		expect(replay((await store.load('w1.private.p2')).updates)).toEqual({ idea: 'Pyöräkorjaamo' });
		await store.compact('w1.private.p2', Y.encodeStateAsUpdate(eero), last);
		expect(await store.load('w1.private.p2')).toMatchObject({ snapshotUpdateId: last, lastUpdateId: last });
		expect((await store.privateRooms('w1')).sort()).toEqual(['w1.private.p1', 'w1.private.p2']);
		expect(await store.privateRooms('w2')).toEqual([]);
	});

	it('merges what another node logged into the snapshot when asked (mergeStored)', async () => {
		const a = new PostgresBoardStore(nodeA);
		const b = new PostgresBoardStore(nodeB);
		const docA = new Y.Doc();
		const docB = new Y.Doc();
		await a.append('w2', [edit(docA, 'a', 'Tori')]);
		const fromB = await b.append('w2', [edit(docB, 'b', 'Laituri')]);
		// Node A compacts its own state only, up to B's id: B's update must survive in the snapshot.
		await a.compact('w2', Y.encodeStateAsUpdate(docA), fromB, true);
		const board = await a.load('w2');
		expect(board.snapshotUpdateId).toBe(fromB);
		expect(replay(board.updates)).toEqual({ a: 'Tori', b: 'Laituri' });
	});

	it('gives an update committed later a larger id than any already read (appends on two nodes)', async () => {
		const b = new PostgresBoardStore(nodeB);
		const doc = new Y.Doc();
		// Node A's append is under way: its transaction holds the workshop's lock and has drawn its id.
		const slow = await nodeA.connect();
		await slow.query('BEGIN');
		await slow.query("SELECT pg_advisory_xact_lock($1, hashtext('w1'))", [0x426f617264 & 0x7fffffff]);
		const slowId = Number((await slow.query(`INSERT INTO board_updates (workshop_id, "update") VALUES ('w1', $1) RETURNING id`, [Buffer.from(edit(doc, 'slow', 'A'))])).rows[0].id);
		// Node B appends meanwhile: it waits for A's commit instead of committing a larger id first.
		const appended = b.append('w1', [edit(doc, 'fast', 'B')]);
		for (;;) {
			const waiting = await nodeB.query("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
			if (waiting.rows[0].n > 0) break;
			// Without the lock B has already committed: a reader would now read past A's smaller id and never see it.
			const committed = await nodeB.query("SELECT count(*)::int AS n FROM board_updates WHERE workshop_id = 'w1' AND id > $1", [slowId]);
			expect(committed.rows[0].n).toBe(0);
		}
		const readBefore = await b.load('w1');
		expect(readBefore.lastUpdateId).toBeLessThan(slowId);
		await slow.query('COMMIT');
		slow.release();
		const fastId = await appended;
		expect(fastId).toBeGreaterThan(slowId);
		// Catch-up from what was read before sees both.
		const after = await nodeB.query("SELECT id FROM board_updates WHERE workshop_id = 'w1' AND id > $1 ORDER BY id", [readBefore.lastUpdateId]);
		expect(after.rows.map((row) => Number(row.id))).toEqual([slowId, fastId]);
	});

	it('loads a board in one read while another node compacts it: never an old snapshot with a newer log', async () => {
		const [a, b] = [new PostgresBoardStore(nodeA), new PostgresBoardStore(nodeB)];
		await nodeA.query(`INSERT INTO workshops (id, title, theme, join_code) VALUES ('w3', 'Kolmas', 'Arki', 'CCCC3333')`);
		const update = Y.encodeStateAsUpdate(new Y.Doc());
		// Node B appends one update after another and compacts after every third (only it writes: the ids follow
		// each other from its first snapshot on); node A loads meanwhile. Bounded: B stops after its rounds.
		await b.compact('w3', update, await b.append('w3', [update]));
		let done = false;
		const writing = (async () => {
			for (let round = 1; round <= 600; round++) {
				const last = await b.append('w3', [update]);
				if (round % 3 === 0) await b.compact('w3', update, last);
			}
		})().finally(() => (done = true));
		let loads = 0;
		const torn: string[] = [];
		while (!done) {
			const board = await a.load('w3');
			const logged = board.updates.length - (board.snapshotUpdateId > 0 ? 1 : 0);
			if (logged !== board.lastUpdateId - board.snapshotUpdateId) torn.push(`snapshot ${board.snapshotUpdateId}, ${logged} logged, last ${board.lastUpdateId}`);
			loads++;
		}
		await writing;
		expect(loads).toBeGreaterThan(100);
		expect(torn.slice(0, 5)).toEqual([]);
	});
});
