// B7: 500 boards opened and left — server RSS after idle eviction. Target ≤ 512 MB, idle rooms leave memory.
// Each board is seeded with a 200-note board; one short-lived client per board (25 at a time) connects,
// syncs, adds a note and leaves. Rooms are evicted VERSTAS_COLLAB_UNLOAD_AFTER_MS after their last client
// left: the default (10 s) is used. Two rounds over the same 500 boards: if idle rooms left memory, the RSS
// after the second eviction is no higher than after the first.
import * as Y from 'yjs';
import { connectClient, sleep, target, waitFor } from './lib/clients.mjs';
import { boardUpdate } from './lib/boards.mjs';
import { createWorkshops, migrateDb, openSqlite, rssMb, seedBoard, startVerstas, tempDir } from './lib/server.mjs';
import { log, mb, ms, result } from './lib/stats.mjs';

const boards = Number(process.env.BENCH_BOARDS ?? 500);
const notesPerBoard = 200;
const unloadAfterMs = 10_000;

const dir = tempDir();
const dbPath = `${dir}/bench.db`;
await migrateDb(dbPath);
const db = openSqlite(dbPath);
const workshops = createWorkshops(db, { workshops: boards, guestsPerWorkshop: 1 });
const board = boardUpdate(notesPerBoard, 20);
db.transaction(() => workshops.forEach((w) => seedBoard(db, w.id, board)))();
db.close();

const server = await startVerstas({ dbPath, env: { VERSTAS_COLLAB_UNLOAD_AFTER_MS: String(unloadAfterMs) } });
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server.pid))), 100);
const rounds = [];
try {
	await sleep(1000);
	const idle = rssMb(server.pid);
	for (let round = 1; round <= 2; round++) {
		peak = 0;
		const start = performance.now();
		for (let at = 0; at < boards; at += 25) {
			await Promise.all(
				workshops.slice(at, at + 25).map(async (w, k) => {
					const client = connectClient(target(server, { room: w.id, cookies: w.cookies }), at + k);
					await waitFor(() => client.provider.synced, `board ${at + k} to sync`, 30_000, 5);
					const notes = client.doc.getMap('notes');
					if (notes.size < notesPerBoard) throw new Error(`board ${at + k}: ${notes.size} notes`);
					const note = new Y.Map();
					note.set('text', `round ${round}`);
					note.set('lane', 'lane-1');
					notes.set(`bench-${round}`, note);
					await sleep(50);
					client.destroy();
				})
			);
		}
		const openMs = performance.now() - start;
		const peakOpen = peak;
		log(`round ${round}: ${boards} boards opened and left in ${ms(openMs)}; RSS peak ${mb(peakOpen)}`);
		await sleep(unloadAfterMs + 5000);
		const after = rssMb(server.pid);
		log(`round ${round}: RSS ${mb(after)} ${((unloadAfterMs + 5000) / 1000).toFixed(0)} s after the last board was left`);
		rounds.push({ peak: peakOpen, after, openMs });
	}
	const load = `${boards} boards of ${notesPerBoard} notes opened and left (one client each)`;
	result('B7', load, 'server RSS idle before', mb(idle));
	result('B7', load, 'server RSS peak while open (round 1 / round 2)', `${mb(rounds[0].peak)} / ${mb(rounds[1].peak)}`);
	result('B7', load, `server RSS after idle eviction (${unloadAfterMs / 1000} s + 5 s), round 1 / round 2`, `${mb(rounds[0].after)} / ${mb(rounds[1].after)}`, '≤ 512 MB', Math.max(rounds[0].after, rounds[1].after) <= 512);
	const stable = rounds[1].after <= rounds[0].after * 1.1 + 10;
	result('B7', load, 'idle rooms leave memory: RSS after round 2 ≤ after round 1 (+10 %)', stable ? 'yes' : 'no: grew', 'yes', stable);
} finally {
	clearInterval(sampler);
	await server.stop();
}
process.exit(0);
