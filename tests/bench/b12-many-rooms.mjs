// B12 many rooms: workshops of 25 people, each person 1 edit/s plus presence (cursor; every 10th move the focused
// note) at 2 Hz, as in B3 but over many boards. The production server (server/index.js) on one node, or two nodes
// sharing one SQLite file (WAL; or one PostgreSQL database with BENCH_DATABASE=postgres) and a Redis relay (VERSTAS_REDIS_URL), each node pinned to its own core (taskset).
// Workshops are added `--step` at a time while the others keep editing; each count gets a warm-up and a measured
// window. Target: 40 workshops on one node at p99 ≤ 50 ms; capacity = the largest count measured at p99 ≤ 50 ms
// with every edit delivered (≥ 99 %), and two nodes' capacity ≥ 1.7× one node's.
//
//   flock /tmp/cpu.lock node tests/bench/b12-many-rooms.mjs --nodes 1 [--from 40 --step 10 --max 120]
//   flock /tmp/cpu.lock node tests/bench/b12-many-rooms.mjs --nodes 2 --placement affinity|split --baseline <one-node capacity>
//
// Placement on two nodes: `split` puts a workshop's people on both nodes alternately (every edit crosses through
// Redis to half the room), `affinity` puts each workshop's people all on one node (workshop k on node k mod 2, as a
// load balancer hashing on the workshop would). The client processes are not pinned (the OS spreads them over both
// cores); the per-core load of each window is printed, so the share the load generators took is on record.
import { parseArgs } from 'node:util';
import { sleep, target } from './lib/clients.mjs';
import { affinityOf, loadAverage, pin, startCoreMeter, startRedis } from './lib/cluster.mjs';
import { startRoomsFleet } from './lib/rooms.mjs';
import { createWorkshops, databaseCpuMs, databaseLabel, migratedDatabase, onDatabase, startVerstas, writeCalls } from './lib/server.mjs';
import { log, ms, pct, result, summary } from './lib/stats.mjs';

// server.mjs ends the bench quietly on a signal: say which, before it does.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.prependListener(signal, () => console.error(`B12: stopped by ${signal}`));

const { values: args } = parseArgs({
	options: {
		nodes: { type: 'string', default: '1' },
		placement: { type: 'string', default: 'affinity' },
		people: { type: 'string', default: '25' },
		from: { type: 'string', default: '40' },
		step: { type: 'string', default: '10' },
		max: { type: 'string', default: '120' },
		'warmup-s': { type: 'string', default: '4' },
		'measure-s': { type: 'string', default: '10' },
		processes: { type: 'string', default: '2' },
		// where the client processes run: `free` (not pinned: the OS puts them where the nodes leave room) or `with-nodes`
		// (client process j on node j mod nodes's core, holding the people connected to that node: each core carries one
		// node and the clients connected to it, as if each were a machine of its own) or, with
		// one node, `apart` (every client process on core 1, the node alone on core 0)
		clients: { type: 'string', default: 'free' },
		// keep adding workshops past a miss until this count has been measured (the 40-workshop target)
		'must-reach': { type: 'string', default: '0' },
		'budget-s': { type: 'string', default: '270' },
		baseline: { type: 'string' },
		'p99-ms': { type: 'string', default: '50' },
		'no-pin': { type: 'boolean', default: false }
	}
});
const nodes = Number(args.nodes);
const people = Number(args.people);
const placement = nodes === 1 ? 'one' : args.placement;
if (![1, 2].includes(nodes) || !['one', 'split', 'affinity'].includes(placement)) throw new Error('--nodes 1|2, --placement split|affinity');
const from = Number(args.from);
const step = Number(args.step);
const max = Math.max(from, Number(args.max));
const warmupMs = Number(args['warmup-s']) * 1000;
const measureMs = Number(args['measure-s']) * 1000;
const p99Target = Number(args['p99-ms']);
const budgetMs = Number(args['budget-s']) * 1000;
const benchStart = performance.now();
const clientsWhere = { free: 'client processes not pinned', apart: 'client processes on the other core', 'with-nodes': nodes === 1 ? 'client processes on the same core' : "each node's client processes on its core" }[args.clients];
const where = `${nodes === 1 ? 'one node (1 core)' : `two nodes (1 core each), ${placement}`}, ${clientsWhere}`;

log(`B12: ${nodes} node(s) on ${databaseLabel}, placement ${placement}, ${people} people per workshop, from ${from} workshops by ${step} up to ${max}; load average ${loadAverage()}`);

// One database for every node (a SQLite file in WAL mode, or with BENCH_DATABASE=postgres one PostgreSQL database):
// the workshops and their guests, written as the app does.
const database = await migratedDatabase();
const workshops = await createWorkshops(database, { workshops: max, guestsPerWorkshop: people });
await database.close();

const redis = nodes > 1 ? await startRedis() : null;
if (redis) log(`redis-server at ${redis.url} (pid ${redis.pid}, not pinned)`);
// All bench clients come from 127.0.0.1: the per-address connection cap (1,000, for one guest's script) is lifted.
const env = { VERSTAS_COLLAB_MAX_CONNECTIONS_PER_ADDRESS: '1000000', ...(redis ? { VERSTAS_REDIS_URL: redis.url } : {}) };
const servers = [];
for (let k = 0; k < nodes; k++) {
	const server = await startVerstas({ database, env });
	if (!args['no-pin']) pin(server.pid, k);
	servers.push(server);
	log(`node ${k + 1}: ${server.url} (pid ${server.pid}, cores ${affinityOf(server.pid)})`);
}

/** Which node person g of workshop w connects to. */
const nodeFor = (w, g) => (placement === 'split' ? g % nodes : placement === 'affinity' ? w % nodes : 0);

const fleet = await startRoomsFleet({ processes: Number(args.processes), place: { nodes, people, rule: placement } });
if (args.clients === 'with-nodes') fleet.pids.forEach((pid, j) => pin(pid, j % nodes));
else if (args.clients === 'apart' && nodes === 1) fleet.pids.forEach((pid) => pin(pid, 1));
else if (args.clients !== 'free') throw new Error('--clients free|with-nodes|apart (apart: one node only)');
log(`client processes: ${fleet.pids.map((pid) => `${pid} (cores ${affinityOf(pid)})`).join(', ')}`);
const mustReach = Number(args['must-reach']);
let missed = false;
const steps = [];
let capacity = 0;
let have = 0;
let stopReason = `reached --max ${max}`;
try {
	for (let count = from; count <= max; count += step) {
		const elapsed = performance.now() - benchStart;
		const last = steps.at(-1);
		const estimate = last ? last.stepMs : 0;
		if (elapsed + estimate > budgetMs) {
			stopReason = `time budget (${budgetMs / 1000} s)`;
			break;
		}
		const stepStart = performance.now();
		const added = [];
		for (let w = have; w < count; w++) {
			const { id, cookies } = workshops[w];
			for (let g = 0; g < people; g++) {
				const node = nodeFor(w, g);
				added.push({ i: w * people + g, node, target: target(servers[node], { room: id, cookies }) });
			}
		}
		const connectMs = await fleet.add(added, { byNode: args.clients === 'with-nodes' });
		await fleet.start({ editHz: 1, presenceHz: 2 });
		have = count;
		log(`${count} workshops (${count * people} people): ${added.length} connected and synced in ${ms(connectMs)}; warm-up ${warmupMs / 1000} s`);
		await sleep(warmupMs);
		let measured = await measure(count);
		// Before calling it a miss: one more window (a single slow one may be a collection pause), and up to two more
		// while something else on the machine took more than 15 % of a core.
		for (let retry = 0; !measured.ok && !missed && (retry < 1 || (retry < 3 && measured.foreign > 15)); retry++) {
			log(`  over the limit: measuring again`);
			measured = await measure(count);
		}
		measured.stepMs = performance.now() - stepStart;
		steps.push(measured);
		if (!measured.ok && !missed) stopReason = `${count} workshops missed p99 ≤ ${p99Target} ms or delivery ≥ 99 %`;
		if (!measured.ok) missed = true;
		if (!missed) capacity = count;
		if (missed && count >= mustReach) break;
		// past a miss, straight on to the count that must be measured
		if (missed) count = Math.max(count, mustReach - step);
	}
} finally {
	await fleet.close();
	await sleep(300);
	for (const server of servers) await server.stop();
	await redis?.stop();
}

async function measure(count) {
	await fleet.record();
	const pids = Object.fromEntries(servers.map((s, k) => [`node${k + 1}`, s.pid]));
	if (redis) pids.redis = redis.pid;
	// PostgreSQL's processes (not pinned): counted as this bench's, not as a neighbour's
	if (databaseCpuMs() !== null) pids.postgres = databaseCpuMs;
	const meter = startCoreMeter(pids);
	const writesBefore = servers.map((server) => writeCalls(server.pid));
	await sleep(measureMs);
	const use = meter.stop();
	// each WebSocket send is a write system call: what the nodes' batching saves shows here first
	const writesPerSecond = servers.reduce((sum, server, k) => sum + (writeCalls(server.pid) - writesBefore[k]), 0) / (measureMs / 1000);
	const run = await fleet.collect();
	const all = new Float64Array(run.same.length + run.cross.length);
	all.set(run.same);
	all.set(run.cross, run.same.length);
	const expected = run.sent * (people - 1);
	const out = {
		workshops: count,
		people: count * people,
		...summary(all),
		same: summary(run.same),
		cross: summary(run.cross),
		delivered: expected ? all.length / expected : NaN,
		editsPerSecond: run.sent / (measureMs / 1000),
		presencePerSecond: run.presence / (measureMs / 1000),
		lateEdits: run.lateEdits,
		writesPerSecond,
		closes: run.closes,
		synced: `${run.synced}/${run.clients}`,
		clientCpu: run.clientCpuPercent,
		clientLoopP99: run.clientLoopDelayP99Ms,
		cores: use.cores,
		steal: use.steal,
		processes: use.processes,
		loadAverage: loadAverage()
	};
	// CPU of the machine not used by this bench (nodes, Redis, client processes): a neighbour's share, if any
	out.foreign = out.cores.reduce((a, b) => a + b, 0) - out.steal.reduce((a, b) => a + b, 0) - Object.values(use.processes).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0) - out.clientCpu;
	out.ok = out.p99 <= p99Target && out.delivered >= 0.99;
	const nodeCpu = Object.entries(use.processes)
		.map(([name, value]) => `${name} ${pct(value)}`)
		.join(', ');
	log(
		`  ${count} workshops: p50 ${ms(out.p50)} p99 ${ms(out.p99)} max ${ms(out.max)} (${out.count} samples, delivered ${(out.delivered * 100).toFixed(1)} %)` +
			(nodes > 1 ? `; same node p99 ${ms(out.same.p99)} (${out.same.count}), across nodes p99 ${ms(out.cross.p99)} (${out.cross.count})` : '') +
			`; ${out.editsPerSecond.toFixed(0)} edits/s, ${out.presencePerSecond.toFixed(0)} presence/s, ${out.lateEdits} late; CPU ${nodeCpu}, ${Math.round(out.writesPerSecond)} node writes/s, client processes ${pct(out.clientCpu)}` +
			` (loop delay p99 ${ms(out.clientLoopP99)}); cores ${out.cores.map((c) => pct(c)).join(' / ')} (not this bench ${pct(out.foreign)}, steal ${pct(out.steal.reduce((a, b) => a + b, 0))}); closes ${out.closes}, synced ${out.synced} → ${out.ok ? 'ok' : 'over'}`
	);
	return out;
}

const load = `${people}-person workshops × (1 edit/s + presence 2 Hz), ${where}${onDatabase}`;
const first = steps.find((s) => s.workshops === 40);
const describe = (s) =>
	`${ms(s.p50)} / ${ms(s.p99)} (${s.editsPerSecond.toFixed(0)} edits/s, ${Math.round(s.presencePerSecond)} presence/s, delivered ${(s.delivered * 100).toFixed(1)} %` +
	(nodes > 1 && s.cross.count ? `; across nodes p99 ${ms(s.cross.p99)}` : '') +
	`; CPU ${Object.entries(s.processes)
		.map(([name, value]) => `${name} ${pct(value)}`)
		.join(', ')}, ${Math.round(s.writesPerSecond)} node writes/s, clients ${pct(s.clientCpu)}; cores ${s.cores.map((c) => pct(c)).join(' / ')})`;
// The 40-workshop target is judged where the node has its core and the load generators the rest of the machine.
const judged = (s) => nodes === 1 && args.clients !== 'with-nodes' && s.workshops === 40;
for (const s of steps) result('B12', `${s.workshops} × ${load}`, 'p50 / p99 delivery', describe(s), judged(s) ? `p99 ≤ ${p99Target} ms` : '–', judged(s) ? s.ok : null);
if (nodes === 1 && !first && mustReach >= 40) result('B12', `40 × ${load}`, 'p50 / p99 delivery', 'not measured (time budget)', `p99 ≤ ${p99Target} ms`, false);
const capacityText = `${capacity} workshops (${capacity * people} people; stopped: ${stopReason})`;
if (nodes === 1) result('B12', load, `capacity at p99 ≤ ${p99Target} ms`, capacityText);
else {
	const baseline = Number(args.baseline);
	const ratio = baseline ? capacity / baseline : NaN;
	result(
		'B12',
		load,
		`capacity at p99 ≤ ${p99Target} ms${baseline ? `, ratio to one node's ${baseline}` : ''}`,
		`${capacityText}${baseline ? ` = ${ratio.toFixed(2)}×` : ''}`,
		baseline ? '≥ 1.7×' : '–',
		baseline ? ratio >= 1.7 : null
	);
}
log(`B12 done in ${ms(performance.now() - benchStart)}; load average ${loadAverage()}`);
process.exit(0);
