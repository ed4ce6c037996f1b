// B5: a 2,000-note and a 10,000-note board — load from the database (SQLite, or PostgreSQL with
// BENCH_DATABASE=postgres) + first sync to a new client, the client's apply time, and the database size.
// Targets (server side): ≤ 100 ms / ≤ 500 ms.
//
// Each size gets a fresh database with the board seeded as one logged update. The server runs with
// VERSTAS_COLLAB_UNLOAD_AFTER_MS=300 so an empty board leaves memory quickly and every "cold" sync loads it from
// SQLite again (the first from the seeded log, the later ones from the snapshot written when it emptied).
// Measured per cold sync: connect → provider `synced` (handshake + load from SQLite + sync + client apply),
// the server process's CPU time in that window (/proc), and the client's time inside the sync message
// handler (decode + apply). A warm sync (board already in memory) shows the load's share.
import * as Y from 'yjs';
import { connectClient, sleep, target, waitFor } from './lib/clients.mjs';
import { boardUpdate } from './lib/boards.mjs';
import { cpuMs, createWorkshops, databaseLabel, migratedDatabase, onDatabase, seedBoard, startVerstas } from './lib/server.mjs';
import { kb, log, ms, result } from './lib/stats.mjs';

const sizes = (process.env.BENCH_SIZES ?? '2000,10000').split(',').map(Number);
const targets = { 2000: 100, 10000: 500 };
const rounds = 5;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** One client's sync: wall time connect → synced, client time in the sync handler, server CPU in the window. */
async function syncOnce(server, t, i) {
	const client = connectClient(t, i, { connect: false });
	const handler = client.provider.messageHandlers[0];
	let applyMs = 0;
	client.provider.messageHandlers[0] = (...args) => {
		const start = performance.now();
		handler(...args);
		applyMs += performance.now() - start;
	};
	const cpu0 = cpuMs(server.pid);
	const start = performance.now();
	client.provider.connect();
	await waitFor(() => client.provider.synced, 'the client to sync', 30_000, 1);
	const totalMs = performance.now() - start;
	const serverCpuMs = cpuMs(server.pid) - cpu0;
	return { client, totalMs, applyMs, serverCpuMs, notes: client.doc.getMap('notes').size };
}

for (const size of sizes) {
	const database = await migratedDatabase();
	const [workshop] = await createWorkshops(database, { workshops: 1, guestsPerWorkshop: 2 });
	const generated = performance.now();
	const update = boardUpdate(size);
	log(`${size} notes: board update ${kb(update.length)} generated in ${ms(performance.now() - generated)}`);
	await seedBoard(database, workshop.id, update);
	await database.checkpoint();
	await database.close();
	const sizeSeeded = await database.size();

	// The same work as the server's store.load + Room constructor, in this process: SELECT and apply. The connection
	// is opened and the statement prepared beforehand (the server has both ready too).
	const loadSql = 'SELECT "update" FROM board_updates WHERE workshop_id = ? ORDER BY id';
	await database.all(loadSql, '');
	const replayStart = performance.now();
	const rows = await database.all(loadSql, workshop.id);
	const replay = new Y.Doc();
	replay.transact(() => rows.forEach((row) => Y.applyUpdate(replay, row.update)));
	const replayMs = performance.now() - replayStart;
	await database.close();

	const server = await startVerstas({ database, env: { VERSTAS_COLLAB_UNLOAD_AFTER_MS: '300' } });
	try {
		const t = target(server, { room: workshop.id, cookies: workshop.cookies });
		const cold = [];
		for (let r = 0; r < rounds; r++) {
			const run = await syncOnce(server, t, 0);
			if (run.notes !== size) throw new Error(`client got ${run.notes} notes, expected ${size}`);
			cold.push(run);
			run.client.destroy();
			await sleep(1200); // unloaded after 300 ms (and compacted when it emptied)
		}
		const first = await syncOnce(server, t, 0);
		const warm = [];
		for (let r = 0; r < rounds; r++) {
			const run = await syncOnce(server, t, 1);
			warm.push(run);
			run.client.destroy();
			await sleep(50);
		}
		first.client.destroy();
		await sleep(1200);
		const sizeAfter = await database.size();
		await database.close();

		const coldTotal = median(cold.map((r) => r.totalMs));
		const coldApply = median(cold.map((r) => r.applyMs));
		const coldServer = median(cold.map((r) => r.serverCpuMs));
		const warmTotal = median(warm.map((r) => r.totalMs));
		const serverSide = coldTotal - coldApply;
		log(
			`${size} notes: cold sync ${cold.map((r) => ms(r.totalMs)).join(', ')} (client apply ${cold.map((r) => ms(r.applyMs)).join(', ')};` +
				` server CPU ${cold.map((r) => `${r.serverCpuMs} ms`).join(', ')}), warm sync ${warm.map((r) => ms(r.totalMs)).join(', ')}, replayed load ${ms(replayMs)}`
		);
		const load = `board of ${size.toLocaleString('en')} notes${onDatabase}`;
		const limit = targets[size] ?? 500;
		result('B5', load, 'cold first sync: connect → synced, median of 5 (first, from the log)', `${ms(coldTotal)} (${ms(cold[0].totalMs)})`);
		result('B5', load, 'server side: cold sync − client apply (median)', ms(serverSide), `≤ ${limit} ms`, serverSide <= limit);
		result('B5', load, 'server CPU time per cold sync (/proc, 10 ms ticks, median)', `${coldServer} ms`, `≤ ${limit} ms`, coldServer <= limit);
		result('B5', load, `load from ${databaseLabel} replayed in the bench process (SELECT + apply)`, ms(replayMs));
		result('B5', load, 'warm sync (board in memory), median', ms(warmTotal));
		result('B5', load, 'client apply time (sync handler, median)', ms(coldApply));
		result('B5', load, 'board update / DB size seeded / after compaction', `${kb(update.length)} / ${kb(sizeSeeded)} / ${kb(sizeAfter)}`);
	} finally {
		await server.stop();
	}
}
process.exit(0);
