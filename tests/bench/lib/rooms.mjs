// Many workshops' people spread over client processes (rooms-worker.mjs): clients are added room by room while
// the others keep editing, and each measured window is collected from every process.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWorker } from './worker-process.mjs';
import { monoMs } from './clients.mjs';

const workerPath = join(dirname(fileURLToPath(import.meta.url)), 'rooms-worker.mjs');

function concat(arrays) {
	const out = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
	let at = 0;
	for (const a of arrays) {
		out.set(a, at);
		at += a.length;
	}
	return out;
}

/**
 * `processes` client processes. `place` tells the workers how people are placed on nodes (so samples are split
 * into same-node and cross-node deliveries): { nodes, people, rule: 'one' | 'split' | 'affinity' }.
 */
export async function startRoomsFleet({ processes = 2, place }) {
	const members = Array.from({ length: processes }, () => startWorker(workerPath));
	await Promise.all(members.map((m) => m.ready));
	const all = (command, args) => Promise.all(members.map((m) => m.call(command, args)));
	return {
		pids: members.map((m) => m.child.pid),
		/**
		 * people: [{ i, target, node }] — each person's global index, where it connects and that node's number; spread
		 * round-robin over the processes (or by node). Resolves when every new client has synced.
		 */
		async add(people, { batch = 25, byNode = false } = {}) {
			const started = performance.now();
			const perMember = members.map(() => new Map());
			// byNode: the people of node n go to the processes n, n + nodes, … (each pinned beside its node)
			const nodes = place?.nodes ?? 1;
			const perNode = Math.max(1, Math.floor(members.length / nodes));
			people.forEach(({ i, target, node = 0 }, k) => {
				const groups = perMember[byNode ? (node + nodes * (k % perNode)) % members.length : k % members.length];
				const key = `${target.serverUrl}|${target.room}`;
				if (!groups.has(key)) groups.set(key, { target, indices: [] });
				groups.get(key).indices.push(i);
			});
			await Promise.all(members.map((m, w) => m.call('connect', { groups: [...perMember[w].values()], batch, place })));
			return performance.now() - started;
		},
		/** Edits at `editHz` and presence at `presenceHz` for the clients not yet started, 200 ms from now. */
		start: ({ editHz = 1, presenceHz = 0 } = {}) => all('start', { t0: monoMs() + 200, editHz, presenceHz }),
		record: () => all('record'),
		async collect() {
			const parts = await all('collect');
			const sum = (key) => parts.reduce((n, p) => n + (p[key] ?? 0), 0);
			return {
				same: concat(parts.map((p) => p.same)),
				cross: concat(parts.map((p) => p.cross)),
				sent: sum('sent'),
				presence: sum('presence'),
				lateEdits: sum('lateEdits'),
				closes: sum('closes'),
				synced: sum('synced'),
				clients: sum('clients'),
				clientCpuPercent: sum('cpuPercent'),
				clientLoopDelayP99Ms: Math.max(...parts.map((p) => p.loopDelayP99Ms ?? 0))
			};
		},
		async close() {
			await all('close').catch(() => {});
			for (const m of members) m.child.disconnect();
		}
	};
}
