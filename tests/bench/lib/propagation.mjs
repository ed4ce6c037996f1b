// The propagation benchmarks (B1–B3): N real clients on one board, each editing its note at a fixed rate
// (optionally with presence), against Verstas and the y-websocket reference server, one after the other.
import { sleep, target } from './clients.mjs';
import { startFleet } from './fleet.mjs';
import { createWorkshops, databaseCpuMeter, migratedDatabase, onDatabase, startProcessMeter, startReference, startVerstas } from './server.mjs';
import { log, mb, ms, pct, result, summary } from './stats.mjs';

/** A Verstas server with one workshop and `guests` guests, on a fresh bench database (SQLite or PostgreSQL). */
export async function verstasWithBoard(guests, env = {}) {
	const database = await migratedDatabase();
	const [workshop] = await createWorkshops(database, { workshops: 1, guestsPerWorkshop: guests });
	await database.close();
	const server = await startVerstas({ database, env });
	return { server, database, workshop };
}

/**
 * Runs the load against one server: the clients (in client processes) connect, edit at 1/s each (and send
 * presence at `presenceHz`), and after a warm-up everything is measured for `measureMs`.
 */
// How the receiving clients are built (see clients.mjs): `light` receivers skip applying others' edits, so the
// server is what is measured; `mixed` makes every 30th client a full Yjs board client and measures only those (real
// clients' latency while the server serves them all); `full` makes every client a full Yjs client, which on a 2-core
// machine shared with the server measures mostly the client processes (300 documents × 300 edits/s).
export const fleetModes = {
	light: { label: 'light receivers', light: true },
	mixed: { label: 'every 30th a full Yjs client (measured), the rest light', light: true, fullEvery: 30 },
	full: { label: 'full Yjs clients (load generator bound)', light: false }
};

export async function runLoad(server, t, { clients: count, presenceHz = 0, warmupMs = 5000, measureMs = 20_000, maxBackoffTime = 2500, fleetMode = 'light' }) {
	const { label: mode, light, fullEvery = 0 } = fleetModes[fleetMode];
	log(`${server.kind}: connecting ${count} clients (${mode})`);
	const fleet = await startFleet(t, count, { maxBackoffTime, light, fullEvery });
	try {
		log(`${server.kind}: ${count} clients in ${fleet.processes} client processes synced in ${ms(fleet.connectMs)}; warm-up ${warmupMs / 1000} s, then ${measureMs / 1000} s measured`);
		await fleet.startEdits(1);
		if (presenceHz) await fleet.startPresence(presenceHz);
		await sleep(warmupMs);
		await fleet.record();
		const serverMeter = startProcessMeter(server.pid);
		// On PostgreSQL, the database's own processes (null on SQLite and for the reference server)
		const databaseMeter = server.kind === 'verstas' ? databaseCpuMeter() : null;
		await sleep(measureMs);
		const serverUse = serverMeter.stop();
		const databaseUse = databaseMeter?.stop() ?? null;
		const run = await fleet.stop();
		// Every edit should reach every measured client but its sender.
		const measured = fullEvery ? Math.ceil(count / fullEvery) : count;
		const expected = (run.sent * measured * (count - 1)) / count;
		const out = {
			kind: server.kind,
			mode,
			clients: count,
			clientProcesses: fleet.processes,
			connectMs: fleet.connectMs,
			...summary(run.samples),
			delivered: expected ? run.samples.length / expected : NaN,
			editsPerSecond: run.sent / (measureMs / 1000),
			lateEdits: run.lateEdits,
			presencePerSecond: run.presence / (measureMs / 1000),
			serverCpu: serverUse.cpuPercent,
			databaseCpu: databaseUse?.percent ?? null,
			serverRssMax: serverUse.rssMaxMb,
			clientCpu: run.clientCpuPercent,
			clientLoopP99: run.clientLoopDelayP99Ms,
			reconnects: run.closes
		};
		log(
			`${server.kind} (${mode}): p50 ${ms(out.p50)} p99 ${ms(out.p99)} max ${ms(out.max)} (${out.count} samples, delivered ${(out.delivered * 100).toFixed(1)} %),` +
				` ${out.editsPerSecond.toFixed(0)} edits/s (${out.lateEdits} late by > 1 period)${presenceHz ? `, ${out.presencePerSecond.toFixed(0)} presence/s` : ''},` +
				` server CPU ${pct(out.serverCpu)}${out.databaseCpu === null ? '' : ` (+ PostgreSQL ${pct(out.databaseCpu)})`} RSS ${mb(out.serverRssMax)}, client processes CPU ${pct(out.clientCpu)}` +
				` (event-loop delay p99 ${ms(out.clientLoopP99)}), connection closes ${out.reconnects}`
		);
		return out;
	} finally {
		await fleet.close();
		// Let the sockets close before the server is stopped.
		await sleep(300);
	}
}

/**
 * The same load against Verstas and then the reference server, for each fleet mode (`fleetModes`).
 * Returns { light: { verstas, reference }, mixed: …, full: … }.
 */
export async function compare(options, { modes = Object.keys(fleetModes), referenceMeasureMs } = {}) {
	const only = process.env.BENCH_ONLY; // 'verstas' or 'reference', while developing
	if (process.env.BENCH_MODES) modes = process.env.BENCH_MODES.split(',');
	const out = {};
	for (const mode of modes) {
		out[mode] = { verstas: null, reference: null };
		if (only !== 'reference') {
			const { server, workshop } = await verstasWithBoard(options.clients);
			try {
				out[mode].verstas = await runLoad(server, target(server, { room: workshop.id, cookies: workshop.cookies }), { ...options, fleetMode: mode });
			} finally {
				await server.stop();
			}
		}
		if (only !== 'verstas') {
			const reference = await startReference();
			try {
				out[mode].reference = await runLoad(reference, target(reference, { room: 'bench-board' }), {
					...options,
					fleetMode: mode,
					measureMs: referenceMeasureMs ?? options.measureMs
				});
			} finally {
				await reference.stop();
			}
		}
	}
	return out;
}

export function describe(r) {
	return `${r.clients} clients, ${r.editsPerSecond.toFixed(0)} edits/s${r.presencePerSecond ? `, ${Math.round(r.presencePerSecond)} presence/s` : ''}`;
}

/**
 * The RESULT rows of a propagation bench. The latency target is judged on the light and mixed runs (the server's
 * latency, and real clients' latency while the server serves the whole room), the CPU ratio on the light run; the
 * all-full run is reported for what it shows about the load generator.
 */
export function report(id, load, out, { p99Target, cpuRatioTarget = null }) {
	load += onDatabase;
	const rows = [];
	const lat = (r) => (r ? `${ms(r.p50)} / ${ms(r.p99)}` : '–');
	const extra = (r) => (r ? ` (${r.editsPerSecond.toFixed(0)} edits/s${r.presencePerSecond ? `, ${Math.round(r.presencePerSecond)} presence/s` : ''}, delivered ${(r.delivered * 100).toFixed(1)} %)` : '');
	for (const mode of Object.keys(out)) {
		const { verstas: v, reference: r } = out[mode];
		const label = fleetModes[mode].label;
		const judged = mode !== 'full';
		if (v) result(id, load, `Verstas p50 / p99, ${label}`, lat(v) + extra(v), judged ? `p99 ≤ ${p99Target} ms` : '–', judged ? v.p99 <= p99Target : null);
		if (r) result(id, load, `reference p50 / p99, ${label}`, lat(r) + extra(r));
		if (v && r) {
			const ratio = v.serverCpu / r.serverCpu;
			result(
				id,
				load,
				`server CPU Verstas / reference, ${label}`,
				`${pct(v.serverCpu)} / ${pct(r.serverCpu)} = ${ratio.toFixed(2)}×`,
				cpuRatioTarget && mode === 'light' ? `≤ ${cpuRatioTarget}×` : '–',
				cpuRatioTarget && mode === 'light' ? ratio <= cpuRatioTarget : null
			);
		} else if (v) result(id, load, `server CPU Verstas, ${label}`, pct(v.serverCpu));
		if (v && v.databaseCpu !== null) result(id, load, `PostgreSQL CPU during the Verstas run (not in the server's), ${label}`, pct(v.databaseCpu));
		if (v || r) result(id, load, `server RSS Verstas / reference, ${label}`, `${mb(v?.serverRssMax)} / ${mb(r?.serverRssMax)}`);
		if (v || r)
			result(id, load, `client processes CPU (Verstas run / reference run), ${label}`, `${pct(v?.clientCpu)} / ${pct(r?.clientCpu)}`);
	}
	return rows;
}
