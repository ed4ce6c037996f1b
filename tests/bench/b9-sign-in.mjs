#!/usr/bin/env node
// B9: 100 sign-ins within 1 s (Argon2id at OWASP parameters: 19 MiB, t=2, p=1).
//
// 100 accounts are inserted beforehand with one password hash computed here exactly as password.ts computes it
// (@node-rs/argon2, memoryCost 19456, timeCost 2, outputLen 32, parallelism 1) and reused for every row. Then 100
// different people post the sign-in form (as a browser does: urlencoded, Origin header) spread evenly over 1 s
// (open loop; `--burst` sends all at once). Latency counts from each request's scheduled start until the 303 with
// the session cookie. Event-loop stalls: GET /healthz every 10 ms during the run (one at a time, keep-alive);
// its max/p99 latency is the stall measure. Only failures count towards the sign-in rate limit; all these succeed.
// The load generator shares the machine's 2 cores with the server (and the server's Argon2 threads).
//
//   node tests/bench/b9-sign-in.mjs [--count 100] [--spread-ms 1000] [--burst] [--cpu-prof]
import { join } from 'node:path';
import { createRequire } from 'node:module';
import * as lib from './lib/http.mjs';

const { args, numberArg, fmt, summary, result, verdict } = lib;
const options = args();
const count = numberArg(options.count, 100);
const spreadMs = options.burst ? 0 : numberArg(options['spread-ms'], 1000);
const targetP99Ms = 1000;
const password = 'verstas-bench-salasana';

/** One Argon2id verification in this process, for scale (same library and parameters as the server). */
async function verifyCostMs(hash) {
	const { verify } = createRequire(join(lib.projectRoot, 'package.json'))('@node-rs/argon2');
	await verify(hash, password);
	const t0 = lib.now();
	for (let i = 0; i < 5; i++) await verify(hash, password);
	return (lib.now() - t0) / 5;
}

const dir = lib.tempDir();
const profileDir = join(dir, 'profile');
let server;
let db;
try {
	db = await lib.createDatabase({ dir });
	server = await lib.startVerstas({ database: db, nodeArgs: options['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [] });
	const passwordHash = await lib.hashPassword(password);
	const oneVerifyMs = await verifyCostMs(passwordHash);
	// The first account would become admin (createUser): an admin exists already, as on a real server.
	await lib.insertUser(db, { email: 'admin@bench.verstas.fi', name: 'Ylläpitäjä', passwordHash, isAdmin: true });
	const emails = Array.from({ length: count + 3 }, (_, i) => `osallistuja${i + 1}@bench.verstas.fi`);
	await db.transaction(async () => {
		for (const [i, email] of emails.entries()) await lib.insertUser(db, { email, name: `Osallistuja ${i + 1}`, passwordHash });
	});
	await db.close();

	const signInAgent = lib.keepAliveAgent(count);
	const signIn = (email, startedAt) =>
		lib
			.request(`${server.url}/sign-in`, {
				method: 'POST',
				agent: signInAgent,
				startedAt,
				headers: { origin: server.url, accept: 'text/html,application/xhtml+xml', 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ email, password }).toString()
			})
			.then((response) => ({
				...response,
				ok: response.status === 303 && String(response.headers?.['set-cookie'] ?? '').includes('verstas_session=')
			}));

	// Warm-up: three people sign in one after another (JIT, the first Argon2 allocation).
	for (const email of emails.slice(count)) {
		const warm = await signIn(email, lib.now());
		if (!warm.ok) throw new Error(`warm-up sign-in answered ${warm.status}: ${String(warm.body).slice(0, 300)}`);
	}

	// Event-loop probe: /healthz every 10 ms, one in flight at a time.
	const healthAgent = lib.keepAliveAgent(1);
	const health = [];
	let probing = true;
	const probe = (async () => {
		while (probing) {
			const tick = lib.now();
			const response = await lib.request(`${server.url}/healthz`, { agent: healthAgent });
			health.push(response.status === 200 ? response.ms : Infinity);
			const wait = 10 - (lib.now() - tick);
			if (wait > 0) await lib.sleep(wait);
		}
	})();
	await lib.sleep(300);
	const baseline = summary(health.slice());

	const meter = lib.cpuMeter(server.pid);
	const healthFrom = health.length;
	const t0 = lib.now();
	const pending = [];
	for (let i = 0; i < count; i++) {
		const scheduled = t0 + (spreadMs * i) / count;
		const wait = scheduled - lib.now();
		if (wait > 1) await lib.sleep(wait);
		pending.push(signIn(emails[i], scheduled));
	}
	const outcomes = await Promise.all(pending);
	const allDoneMs = lib.now() - t0;
	const cpu = meter.stop();
	const during = health.slice(healthFrom);
	await lib.sleep(100);
	probing = false;
	await probe;

	const ok = outcomes.filter((o) => o.ok);
	const failed = outcomes.length - ok.length;
	const statuses = {};
	for (const o of outcomes) statuses[o.status ?? 'error'] = (statuses[o.status ?? 'error'] ?? 0) + 1;
	const latency = summary(outcomes.map((o) => (o.ok ? o.ms : Infinity)));
	const stall = summary(during);

	console.log(`B9 — ${count} sign-ins ${spreadMs ? `spread over ${spreadMs} ms` : 'all at once'} (server ${server.url}, pid ${server.pid}, ${db.label})`);
	console.log(`  one Argon2id verification here: ${fmt(oneVerifyMs)} ms → ${count} need ≥ ${fmt((count * oneVerifyMs) / 2, 0)} ms of wall time on 2 cores`);
	console.log(`  answers: ${JSON.stringify(statuses)} (${ok.length} signed in with a session cookie, ${failed} not); all done after ${fmt(allDoneMs, 0)} ms`);
	console.log(`  latency p50 ${fmt(latency.p50, 0)} / p90 ${fmt(latency.p90, 0)} / p99 ${fmt(latency.p99, 0)} / max ${fmt(latency.max, 0)} ms`);
	console.log(
		`  /healthz every 10 ms: ${during.length} probes during the run, p50 ${fmt(stall.p50)} / p99 ${fmt(stall.p99)} / max ${fmt(stall.max)} ms ` +
			`(idle before: p50 ${fmt(baseline.p50)} / max ${fmt(baseline.max)} ms)`
	);
	console.log(`  server CPU: ${fmt(cpu.cpuMs, 0)} ms over ${fmt(cpu.wallMs, 0)} ms (${fmt(cpu.share * 100, 0)} % of one core, Argon2 threads included), RSS ${fmt(lib.rssMb(server.pid), 0)} MB`);

	const load = `${count} sign-ins ${spreadMs ? `within ${spreadMs / 1000} s` : 'at once'}${lib.onDatabase}`;
	result('B9', load, 'sign-in latency p99', Number.isFinite(latency.p99) ? `${fmt(latency.p99, 0)} ms (p50 ${fmt(latency.p50, 0)})` : `${failed} failed`, `<= ${targetP99Ms} ms`, verdict(failed === 0 && latency.p99 <= targetP99Ms));
	result('B9', load, 'event-loop stall (/healthz max, p99)', `${fmt(stall.max, 0)} ms, ${fmt(stall.p99, 0)} ms`, '-', 'n/a');
	healthAgent.destroy();
	signInAgent.destroy();
	await server.stop();
	if (options['cpu-prof']) lib.reportCpuProfile(profileDir, 'b9-server');
} catch (error) {
	console.error(error);
	if (server) console.error(server.output().slice(-3000));
	process.exitCode = 1;
} finally {
	await server?.stop();
	await db?.close();
}
