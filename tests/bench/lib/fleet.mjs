// Bench clients spread over several client processes (client-worker.mjs), so that on a small machine the
// clients can use every core the server does not; none of them runs inside the server's process.
import { availableParallelism } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWorker } from './worker-process.mjs';
import { monoMs } from './clients.mjs';

const workerPath = join(dirname(fileURLToPath(import.meta.url)), 'client-worker.mjs');

/** Default: one client process per core, at least 2. */
export const defaultProcesses = () => Number(process.env.BENCH_CLIENT_PROCESSES ?? Math.max(2, availableParallelism()));

export async function startFleet(target, total, { processes = defaultProcesses(), maxBackoffTime = 2500, batch = 25, light = false, fullEvery = 0, initialUpdate } = {}) {
	// Clients spread round-robin over the processes; in a mixed fleet the full clients (the measured ones) get a
	// process of their own, so the light receivers' work does not delay what they measure.
	const isFull = (i) => light && fullEvery > 0 && i % fullEvery === 0;
	const count = Math.min(processes, total);
	const groups = Array.from({ length: count }, () => []);
	const fullGroup = [];
	for (let i = 0, next = 0; i < total; i++) {
		if (isFull(i)) fullGroup.push(i);
		else groups[next++ % count].push(i);
	}
	if (fullGroup.length) groups.push(fullGroup);
	const members = groups.map(() => startWorker(workerPath));
	await Promise.all(members.map((m) => m.ready));
	const all = (command, args) => Promise.all(members.map((m) => m.call(command, args)));
	const started = performance.now();
	await Promise.all(members.map((m, w) => m.call('connect', { target, indices: groups[w], maxBackoffTime, batch, light, fullEvery, initialUpdate })));
	const connectMs = performance.now() - started;
	return {
		processes: members.length,
		connectMs,
		pids: members.map((m) => m.child.pid),
		/** Edits of every client at `ratePerSecond`, spread evenly, starting 200 ms from now. */
		startEdits: (ratePerSecond = 1) => all('startEdits', { t0: monoMs() + 200, period: 1000 / ratePerSecond, total }),
		startPresence: (hz) => all('startPresence', { t0: monoMs() + 200, hz, total }),
		record: () => all('record'),
		async stop() {
			const parts = await all('stop');
			let length = 0;
			for (const p of parts) length += p.samples.length;
			const samples = new Float64Array(length);
			let at = 0;
			for (const p of parts) {
				samples.set(p.samples, at);
				at += p.samples.length;
			}
			const sum = (key) => parts.reduce((n, p) => n + (p[key] ?? 0), 0);
			return {
				samples,
				sent: sum('sent'),
				presence: sum('presence'),
				lateEdits: sum('lateEdits'),
				closes: sum('closes'),
				clientCpuPercent: sum('cpuPercent'),
				clientLoopDelayP99Ms: Math.max(...parts.map((p) => p.loopDelayP99Ms ?? 0))
			};
		},
		async syncState() {
			const parts = await all('syncState');
			return {
				synced: parts.reduce((n, p) => n + p.synced, 0),
				total: parts.reduce((n, p) => n + p.total, 0),
				syncedAt: parts.flatMap((p) => p.syncedAt)
			};
		},
		noteCounts: async () => (await all('noteCounts')).flat(),
		async close() {
			await all('close').catch(() => {});
			for (const m of members) m.child.disconnect();
		}
	};
}
