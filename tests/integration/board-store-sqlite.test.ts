// The SQLite board store when another node writes the same file: a worker thread with its own connection stands in
// for it (a second process would do the same, only slower to start).
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { newUser, newWorkshop } from '../helpers/collab';
import { SqliteBoardStore } from '../../src/lib/server/collab/store';

// The other node appends one update after another and compacts after every third, as a node does: the snapshot
// moves up to the last id and the log up to there is deleted. Only this node writes, so the ids follow each other.
const otherNode = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require('better-sqlite3');
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const insert = db.prepare('INSERT INTO board_updates (workshop_id, "update") VALUES (?, ?)');
const upsert = db.prepare('INSERT INTO board_snapshots (workshop_id, state, last_update_id, updated_at) VALUES (?, ?, ?, 0) ON CONFLICT (workshop_id) DO UPDATE SET state = excluded.state, last_update_id = excluded.last_update_id');
const prune = db.prepare('DELETE FROM board_updates WHERE workshop_id = ? AND id <= ?');
const compact = db.transaction((id, upTo) => {
	upsert.run(id, workerData.update, upTo);
	prune.run(id, upTo);
});
for (let round = 1; round <= workerData.rounds; round++) {
	const last = Number(insert.run(workerData.workshopId, workerData.update).lastInsertRowid);
	if (round % 3 === 0) compact(workerData.workshopId, last);
}
parentPort.postMessage('done');
`;

describe('the SQLite board store', () => {
	it('loads a board in one read while another node compacts it: never an old snapshot with a newer log', async () => {
		const owner = await newUser('Fasilitaattori');
		const workshop = await newWorkshop(owner.id);
		const store = new SqliteBoardStore();
		const update = Y.encodeStateAsUpdate(new Y.Doc());
		const worker = new Worker(otherNode, { eval: true, workerData: { path: process.env.DATABASE_PATH, workshopId: workshop.id, update, rounds: 30_000 } });
		let done = false;
		const finished = new Promise<void>((resolve, reject) => {
			worker.once('message', () => resolve());
			worker.once('error', reject);
		}).finally(() => (done = true));

		// A load holds the snapshot and every logged update after it: as many as their ids count. A snapshot read
		// before a compaction and a log read after it would lack the ones the compaction deleted. (Bounded: the other
		// node stops after its rounds.)
		let loads = 0;
		const torn: string[] = [];
		while (!done) {
			const board = await store.load(workshop.id);
			const logged = board.updates.length - (board.snapshotUpdateId > 0 ? 1 : 0);
			if (logged !== board.lastUpdateId - board.snapshotUpdateId) torn.push(`snapshot ${board.snapshotUpdateId}, ${logged} logged, last ${board.lastUpdateId}`);
			loads++;
			if (loads % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
		}
		await finished;
		await worker.terminate();
		expect(loads).toBeGreaterThan(1000);
		expect(torn.slice(0, 5)).toEqual([]);
	});
});
