// B7: 500 boards opened and left — server RSS after idle eviction. Target ≤ 512 MB, idle rooms leave memory.
// Each board is seeded with a 200-note board; one short-lived client per board (25 at a time) connects,
// syncs, adds a note and leaves. Rooms are evicted VERSTAS_COLLAB_UNLOAD_AFTER_MS after their last client
// left (the default 10 s), or at once beyond the 32 most recently left (VERSTAS_COLLAB_MAX_IDLE_ROOMS). Two rounds
// over the same 500 boards. RSS alone cannot tell garbage V8 has not collected yet from rooms still held, so after
// each eviction the bench also asks the server's V8 (its inspector on 127.0.0.1) for a full collection and reads
// the live heap: idle rooms have left memory when that heap is back near where it was before any board was opened.
import { connectClient, sleep, target, waitFor, writeBenchNote } from './lib/clients.mjs';
import { boardUpdate } from './lib/boards.mjs';
import { createWorkshops, migratedDatabase, onDatabase, rssMb, seedBoard, startVerstas } from './lib/server.mjs';
import { log, mb, ms, result } from './lib/stats.mjs';
import WebSocket from 'ws';

const boards = Number(process.env.BENCH_BOARDS ?? 500);
const notesPerBoard = 200;
const unloadAfterMs = 10_000;

const database = await migratedDatabase();
const workshops = await createWorkshops(database, { workshops: boards, guestsPerWorkshop: 1 });
const board = boardUpdate(notesPerBoard, 20);
await database.transaction(async () => {
	for (const w of workshops) await seedBoard(database, w.id, board);
});
await database.close();

const server = await startVerstas({ database, env: { VERSTAS_COLLAB_UNLOAD_AFTER_MS: String(unloadAfterMs) }, nodeArgs: ['--inspect=127.0.0.1:0'] });
const inspector = await openInspector(server.output());

/** The server's V8 inspector (Chrome DevTools protocol): a full garbage collection, then its memory figures. */
async function openInspector(output) {
	const address = output.match(/Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/)?.[1];
	if (!address) throw new Error(`no inspector address in the server's output:\n${output.slice(-2000)}`);
	const ws = new WebSocket(address);
	await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
	let nextId = 0;
	const call = (method, params = {}) =>
		new Promise((resolve) => {
			const id = ++nextId;
			const onMessage = (data) => {
				const message = JSON.parse(String(data));
				if (message.id !== id) return;
				ws.off('message', onMessage);
				resolve(message.result);
			};
			ws.on('message', onMessage);
			ws.send(JSON.stringify({ id, method, params }));
		});
	return {
		async collectedMemory() {
			await call('HeapProfiler.collectGarbage');
			const answer = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
			const usage = JSON.parse(answer.result.value);
			return { heapMb: usage.heapUsed / 1e6, rssMb: usage.rss / 1e6 };
		},
		close: () => ws.close()
	};
}
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server.pid))), 100);
const rounds = [];
try {
	await sleep(1000);
	const idle = rssMb(server.pid);
	const idleHeap = (await inspector.collectedMemory()).heapMb;
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
					// A note as the board page writes it (under the guest's own name: the server refuses any other).
					writeBenchNote(client, `round ${round}`);
					await sleep(50);
					if (client.closes.length) throw new Error(`board ${at + k}: the server closed the connection (${client.closes}), the note was refused`);
					client.destroy();
				})
			);
		}
		const openMs = performance.now() - start;
		const peakOpen = peak;
		log(`round ${round}: ${boards} boards opened and left in ${ms(openMs)}; RSS peak ${mb(peakOpen)}`);
		await sleep(unloadAfterMs + 5000);
		const after = rssMb(server.pid);
		const collected = await inspector.collectedMemory();
		log(`round ${round}: RSS ${mb(after)} ${((unloadAfterMs + 5000) / 1000).toFixed(0)} s after the last board was left; after a full GC: heap ${mb(collected.heapMb)}, RSS ${mb(collected.rssMb)}`);
		rounds.push({ peak: peakOpen, after, openMs, collected });
	}
	const load = `${boards} boards of ${notesPerBoard} notes opened and left (one client each)${onDatabase}`;
	result('B7', load, 'server RSS idle before', mb(idle));
	result('B7', load, 'server RSS peak while open (round 1 / round 2)', `${mb(rounds[0].peak)} / ${mb(rounds[1].peak)}`);
	result('B7', load, `server RSS after idle eviction (${unloadAfterMs / 1000} s + 5 s), round 1 / round 2`, `${mb(rounds[0].after)} / ${mb(rounds[1].after)}`, '≤ 512 MB', Math.max(rounds[0].after, rounds[1].after) <= 512);
	result('B7', load, 'after a full GC: live heap idle before / round 1 / round 2', `${mb(idleHeap)} / ${mb(rounds[0].collected.heapMb)} / ${mb(rounds[1].collected.heapMb)}`);
	result('B7', load, 'after a full GC: RSS round 1 / round 2', `${mb(rounds[0].collected.rssMb)} / ${mb(rounds[1].collected.rssMb)}`);
	// Left memory: the live heap after each round is back within 25 MB of the idle server's (no room's ~0.8 MB stays).
	const left = rounds.every((r) => r.collected.heapMb <= idleHeap + 25);
	result('B7', load, 'idle rooms leave memory: live heap after eviction ≤ idle + 25 MB, both rounds', left ? 'yes' : 'no: rooms retained', 'yes', left);
} finally {
	clearInterval(sampler);
	inspector.close();
	await server.stop();
}
process.exit(0);
