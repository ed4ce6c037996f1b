// B13's load: N editors on one board, each sending 1 edit/s, spread over client processes (editor-worker.mjs), in
// the server's own protocol. Measures each edit's delivery to every other recording editor (p50/p99) and the
// edits not delivered `drainMs` after the edits stop.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startWorker } from './worker-process.mjs';
import { monoMs, sleep } from './clients.mjs';
import { startProcessMeter, writeCalls } from './server.mjs';
import { log, mb, ms, pct, summary } from './stats.mjs';

const workerPath = join(dirname(fileURLToPath(import.meta.url)), 'editor-worker.mjs');

/** Busy and total jiffies of the whole machine (/proc/stat): what else ran during a window. */
function machineTicks() {
	const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
	const idle = fields[3] + fields[4];
	const total = fields.reduce((a, b) => a + b, 0);
	return { busy: total - idle, total };
}

/**
 * Runs the load against `server` (a handle from server.mjs or b13's Hocuspocus start) through target `t`:
 * connect, edits at 1/s, `warmupMs`, then `measureMs` measured, the edits stop, `drainMs` for late deliveries.
 */
export async function runEditors(server, t, { editors, processes = 2, recordEvery = 1, warmupMs = 5000, measureMs = 15_000, drainMs = 3000, batch = 25 }) {
	const groups = Array.from({ length: Math.min(processes, editors) }, () => []);
	for (let i = 0; i < editors; i++) groups[i % groups.length].push(i);
	const members = groups.map(() => startWorker(workerPath));
	const all = (command, args) => Promise.all(members.map((m) => m.call(command, args)));
	try {
		await Promise.all(members.map((m) => m.ready));
		log(`${server.kind}: connecting ${editors} editors in ${members.length} client processes (every ${recordEvery === 1 ? '' : `${recordEvery}th `}editor records)`);
		const started = performance.now();
		await Promise.all(members.map((m, w) => m.call('connect', { target: t, indices: groups[w], batch, recordEvery })));
		const connectMs = performance.now() - started;
		await all('startEdits', { t0: monoMs() + 200, period: 1000, total: editors });
		await sleep(warmupMs);
		// the window opens 300 ms from now, when every client process knows it
		await all('record', { from: monoMs() + 300 });
		await sleep(300);
		const serverMeter = startProcessMeter(server.pid);
		const machine0 = machineTicks();
		const writes0 = writeCalls(server.pid);
		await sleep(measureMs);
		const serverUse = serverMeter.stop();
		const machine1 = machineTicks();
		const serverWritesPerSecond = ((writeCalls(server.pid) - writes0) * 1000) / serverUse.elapsedMs;
		// of both cores: 200 % is a full 2-core machine
		const machineCpu = ((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * 100 * availableParallelism();
		await all('stopEdits', { at: monoMs() });
		await sleep(drainMs);
		const parts = await all('collect');
		let length = 0;
		for (const p of parts) length += p.samples.length;
		const samples = new Float64Array(length);
		let at = 0;
		for (const p of parts) {
			samples.set(p.samples, at);
			at += p.samples.length;
		}
		const sum = (key) => parts.reduce((n, p) => n + (p[key] ?? 0), 0);
		const recorders = sum('recorders');
		const sent = sum('sent');
		// every edit of the window should reach every recording editor but its sender
		const expected = sent * recorders - sum('sentByRecorders');
		// editors whose edits did not all arrive: each should reach every recording editor but itself
		const sentBy = {};
		const receivedFrom = {};
		for (const p of parts) {
			for (const [k, n] of Object.entries(p.sentBy)) sentBy[k] = (sentBy[k] ?? 0) + n;
			for (const [k, n] of Object.entries(p.receivedFrom)) receivedFrom[k] = (receivedFrom[k] ?? 0) + n;
		}
		const shortBy = Object.entries(sentBy)
			.map(([k, n]) => [Number(k), n * (recorders - (Number(k) % recordEvery === 0 ? 1 : 0)) - (receivedFrom[k] ?? 0)])
			.filter(([, short]) => short > 0)
			.sort((a, b) => b[1] - a[1]);
		const out = {
			kind: server.kind,
			shortBy,
			editors,
			clientProcesses: members.length,
			recorders,
			connectMs,
			...summary(samples),
			sent,
			expected,
			undelivered: Math.max(0, expected - samples.length),
			undeliveredShare: expected ? Math.max(0, expected - samples.length) / expected : NaN,
			editsPerSecond: sent / (measureMs / 1000),
			lateEdits: sum('lateEdits'),
			serverCpu: serverUse.cpuPercent,
			serverRssMax: serverUse.rssMaxMb,
			serverWritesPerSecond,
			machineCpu,
			clientCpu: sum('cpuPercent'),
			clientLoopP99: Math.max(...parts.map((p) => p.loopDelayP99Ms ?? 0)),
			closes: sum('closes')
		};
		log(
			`${server.kind} ${editors} editors: p50 ${ms(out.p50)} p99 ${ms(out.p99)} max ${ms(out.max)} (${out.count} deliveries of ${out.expected},` +
				` undelivered ${drainMs / 1000} s after the end ${out.undelivered} = ${(out.undeliveredShare * 100).toFixed(1)} %), ${out.editsPerSecond.toFixed(0)} edits/s` +
				` (${out.lateEdits} late by > 1 s), server CPU ${pct(out.serverCpu)} RSS ${mb(out.serverRssMax)} writes ${Math.round(serverWritesPerSecond)}/s, whole machine ${pct(machineCpu)} of 200 %, client processes CPU ${pct(out.clientCpu)}` +
				` (event-loop delay p99 ${ms(out.clientLoopP99)}), connection closes ${out.closes}, connected in ${ms(connectMs)}`
		);
		if (shortBy.length) {
			log(`${server.kind}: ${shortBy.length} editors' edits not all delivered; most: ${shortBy.slice(0, 8).map(([k, n]) => `editor ${k} −${n}`).join(', ')}`);
			const said = server.output?.().split('\n').filter((line) => line.trim()).slice(-10).join('\n');
			if (said) log(`${server.kind} said (last lines):\n${said}`);
		}
		return out;
	} finally {
		await all('close').catch(() => {});
		for (const m of members) {
			if (m.child.connected) m.child.disconnect();
		}
		await sleep(300);
	}
}
