// Helpers for the HTTP-side benchmarks (B4, B8, B9, B10): the production server in a child process (startVerstas and
// the other shared helpers re-exported from server.mjs), rows seeded exactly as the app writes them (into the bench
// database, lib/database.mjs: SQLite or, with BENCH_DATABASE=postgres, PostgreSQL), keep-alive HTTP with latency timing,
// closed- and open-loop load, percentiles, server CPU from /proc, CPU-profile summaries and the runner's RESULT lines.
// Plain ESM, no build step.
import { getRandomValues } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cpuMs, hashSecret, projectRoot, randomId, root } from './server.mjs';

export { createDatabase, databaseCpuMeter, databaseCpuMs, databaseLabel, onDatabase } from './database.mjs';
export { cpuMs, hashSecret, projectRoot, randomId, root, rssMb, startVerstas, tempDir } from './server.mjs';

const require = createRequire(join(projectRoot, 'package.json'));

export const now = () => performance.now();
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Arguments -------------------------------------------------------------------------------------------------

/** `--name value`, `--name=value` and bare `--flag` (true). */
export function args(argv = process.argv.slice(2)) {
	const out = {};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (!arg.startsWith('--')) continue;
		const [key, inline] = arg.slice(2).split('=', 2);
		if (inline !== undefined) out[key] = inline;
		else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) out[key] = argv[++i];
		else out[key] = true;
	}
	return out;
}

export const numberArg = (value, fallback) => (value === undefined || value === true ? fallback : Number(value));

// The server's process (/proc) ------------------------------------------------------------------------------

/** Minor page faults a process has taken so far, from /proc (Linux): field 10 of the stat line. */
export function minorFaults(pid) {
	try {
		return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[7]);
	} catch {
		return NaN;
	}
}

/**
 * Server CPU over a stretch of wall time: `const m = cpuMeter(pid); …; m.stop()` → { cpuMs, wallMs, share, faults }
 * (faults: minor page faults meanwhile; on a VM whose freed memory goes back to the host each one costs ~35 µs).
 */
export function cpuMeter(pid) {
	const cpu0 = cpuMs(pid);
	const faults0 = minorFaults(pid);
	const wall0 = now();
	return {
		stop() {
			const cpu = cpuMs(pid) - cpu0;
			const wall = now() - wall0;
			return { cpuMs: cpu, wallMs: wall, share: cpu / wall, faults: minorFaults(pid) - faults0 };
		}
	};
}

// The database, written as the app writes it (`db`: a bench database from createDatabase) -------------------------

/** A password hash exactly as password.ts makes it (Argon2id, 19 MiB, t=2, p=1, 32-byte output). */
export async function hashPassword(password) {
	const { hash } = require('@node-rs/argon2');
	return hash(password, { memoryCost: 19456, timeCost: 2, outputLen: 32, parallelism: 1 });
}

export async function insertUser(db, { email, name = email, passwordHash = 'x', isAdmin = false, locale = 'fi' }) {
	const id = randomId();
	await db.run(
		'INSERT INTO users (id, email, name, password_hash, locale, is_admin) VALUES (?, ?, ?, ?, ?, ?)',
		id,
		email.toLowerCase(),
		name,
		passwordHash,
		locale,
		isAdmin ? 1 : 0
	);
	return id;
}

/** A session as session.ts createSession writes it; returns the cookie header value. */
export async function insertSession(db, userId) {
	const id = randomId();
	const secret = randomId();
	const nowMs = Date.now();
	await db.run('INSERT INTO sessions (id, secret_hash, user_id, created_at, last_verified_at) VALUES (?, ?, ?, ?, ?)', id, hashSecret(secret), userId, nowMs, nowMs);
	return `verstas_session=${id}.${secret}`;
}

export async function insertOrganisation(db, { name, kind = 'city', municipality = 'Helsinki' }) {
	const id = randomId();
	await db.run('INSERT INTO organisations (id, name, kind, municipality) VALUES (?, ?, ?, ?)', id, name, kind, municipality);
	return id;
}

export async function insertMembership(db, userId, organisationId, role = 'member') {
	await db.run('INSERT INTO memberships (user_id, organisation_id, role) VALUES (?, ?, ?)', userId, organisationId, role);
}

const joinCodeAlphabet = 'ABCDEFGHJKLMNOPQRSTUVWXYZ23456789';

/** A workshop as createWorkshop writes it: perspectives, phases (kind + minutes) and the owner as facilitator. */
export async function insertWorkshop(db, ownerId, { title = 'Työpaja', perspectives = ['Lapsiperheet', 'Nuoret'], phases = [['ideas', 'Ideointi', 20], ['voting', 'Äänestys', 10]] } = {}) {
	const id = randomId(12);
	const code = [...getRandomValues(new Uint8Array(6))].map((byte) => joinCodeAlphabet[byte % joinCodeAlphabet.length]).join('');
	await db.transaction(async () => {
		await db.run('INSERT INTO workshops (id, title, theme, description, join_code, created_by) VALUES (?, ?, ?, ?, ?, ?)', id, title, 'Nuorten osallisuus', '', code, ownerId);
		for (const [position, perspective] of perspectives.entries())
			await db.run('INSERT INTO workshop_perspectives (id, workshop_id, position, title, description) VALUES (?, ?, ?, ?, ?)', randomId(12), id, position, perspective, '');
		for (const [position, [kind, phaseTitle, minutes]] of phases.entries())
			await db.run('INSERT INTO workshop_phases (id, workshop_id, position, kind, title, duration_minutes) VALUES (?, ?, ?, ?, ?, ?)', randomId(12), id, position, kind, phaseTitle, minutes);
		await db.run('INSERT INTO workshop_facilitators (workshop_id, user_id) VALUES (?, ?)', id, ownerId);
	});
	return id;
}

/** Guests as joinAsGuest writes them; each with its cookie `verstas_guest_<workshopId>=<participantId>.<secret>`. */
export async function insertGuests(db, workshopId, count, { namePrefix = 'Osallistuja', role = 'participant' } = {}) {
	const insert = db.prepare('INSERT INTO participants (id, workshop_id, display_name, organisation_name, role, guest_secret_hash) VALUES (?, ?, ?, ?, ?, ?)');
	const guests = [];
	await db.transaction(async () => {
		for (let i = 0; i < count; i++) {
			const id = randomId();
			const secret = randomId();
			await insert.run(id, workshopId, `${namePrefix} ${i + 1}`, '', role, hashSecret(secret));
			guests.push({ id, cookie: `verstas_guest_${workshopId}=${id}.${secret}` });
		}
	});
	return guests;
}

/** A dot round as voting.ts openRound writes it (an open round of the workshop is closed first). */
export async function insertDotRound(db, workshopId, openedBy, items, { budget = 5, cap = 3, resultsHidden = false, anonymous = false, allowChanges = true } = {}) {
	const id = randomId(12);
	await db.transaction(async () => {
		await db.run("UPDATE vote_rounds SET status = 'closed', closed_at = ? WHERE workshop_id = ? AND status = 'open'", Date.now(), workshopId);
		await db.run(
			"INSERT INTO vote_rounds (id, workshop_id, method, status, anonymous, results_hidden, allow_changes, budget, cap, ranking_size, opened_by, opened_at) VALUES (?, ?, 'dot', 'open', ?, ?, ?, ?, ?, NULL, ?, ?)",
			id,
			workshopId,
			anonymous ? 1 : 0,
			resultsHidden ? 1 : 0,
			allowChanges ? 1 : 0,
			budget,
			cap,
			openedBy,
			Date.now()
		);
		const item = db.prepare('INSERT INTO vote_round_items (round_id, item_id, kind, text, position) VALUES (?, ?, ?, ?, ?)');
		for (const [position, { id: itemId, kind = 'idea', text }] of items.entries()) await item.run(id, itemId, kind, text, position);
	});
	return id;
}

// HTTP --------------------------------------------------------------------------------------------------------

export function keepAliveAgent(maxSockets = 64) {
	return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

/**
 * One request with timing. Resolves { status, headers, body (string), bytes, ms } or { error, ms }; never rejects.
 * `startedAt` (performance.now()) lets open-loop callers measure from the scheduled time. The body is decoded when
 * read: a page with one character beyond Latin-1 decodes to a two-byte string, and from 64 k characters on (B8's
 * 94 kB dashboard) V8 gives each its own freshly mapped memory: 1.2 ms of page faults per answer on this VM, which
 * held the load generator to ~750 answers/s and measured itself instead of the server.
 */
export function request(url, { method = 'GET', headers = {}, body, agent, startedAt, timeoutMs = 30_000 } = {}) {
	const t0 = startedAt ?? now();
	return new Promise((resolve) => {
		const payload = body === undefined ? undefined : Buffer.from(body);
		const req = http.request(url, { method, agent, headers: payload ? { ...headers, 'content-length': payload.length } : headers }, (res) => {
			const chunks = [];
			res.on('data', (chunk) => chunks.push(chunk));
			res.on('end', () => {
				const buffer = Buffer.concat(chunks);
				let body;
				resolve({
					ok: res.statusCode < 400,
					status: res.statusCode,
					headers: res.headers,
					get body() {
						return (body ??= buffer.toString('utf8'));
					},
					bytes: buffer.length,
					ms: now() - t0
				});
			});
			res.on('error', (error) => resolve({ error, ms: now() - t0 }));
		});
		req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
		req.on('error', (error) => resolve({ error, ms: now() - t0 }));
		if (payload) req.write(payload);
		req.end();
	});
}

/** A form action posted as `use:enhance` does; the answer's `data` decoded with devalue. */
export async function formAction(baseUrl, path, cookie, fields, { agent, startedAt } = {}) {
	const body = new URLSearchParams();
	for (const [key, value] of Object.entries(fields)) for (const one of [value].flat()) body.append(key, one);
	const response = await request(`${baseUrl}${path}`, {
		method: 'POST',
		agent,
		startedAt,
		headers: { cookie, origin: baseUrl, 'x-sveltekit-action': 'true', 'content-type': 'application/x-www-form-urlencoded' },
		body: body.toString()
	});
	if (response.error) return { type: 'network-error', status: 0, error: response.error, ms: response.ms };
	let json;
	try {
		json = JSON.parse(response.body);
	} catch {
		return { type: 'bad-response', status: response.status, ms: response.ms, body: response.body.slice(0, 200) };
	}
	const { parse } = await import('devalue');
	return { ...json, status: json.status ?? response.status, data: json.data ? parse(json.data) : undefined, ms: response.ms };
}

// Load --------------------------------------------------------------------------------------------------------

/** `concurrency` workers each sending one request after another for `durationMs`. */
export async function closedLoop(send, { concurrency, durationMs }) {
	const latencies = [];
	let errors = 0;
	const statuses = {};
	const t0 = now();
	const end = t0 + durationMs;
	const worker = async () => {
		while (now() < end) {
			const result = await send(now());
			statuses[result.status ?? 'error'] = (statuses[result.status ?? 'error'] ?? 0) + 1;
			if (result.error || !result.ok) errors++;
			else latencies.push(result.ms);
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	const wallMs = now() - t0;
	return { latencies, errors, statuses, wallMs, rate: (latencies.length + errors) / (wallMs / 1000) };
}

/**
 * Requests started at a fixed rate whatever the answers do (no coordinated omission): latency counts from each
 * request's scheduled start. Bounded: at most `maxInFlight` outstanding (beyond that, counted as dropped).
 */
export async function openLoop(send, { rate, durationMs, maxInFlight = 2000 }) {
	const latencies = [];
	let errors = 0;
	let dropped = 0;
	let inFlight = 0;
	const statuses = {};
	const total = Math.round((rate * durationMs) / 1000);
	const interval = 1000 / rate;
	const t0 = now();
	const pending = [];
	for (let i = 0; i < total; i++) {
		const scheduled = t0 + i * interval;
		const wait = scheduled - now();
		if (wait > 1) await sleep(wait);
		if (inFlight >= maxInFlight) {
			dropped++;
			continue;
		}
		inFlight++;
		pending.push(
			send(scheduled).then((result) => {
				inFlight--;
				statuses[result.status ?? 'error'] = (statuses[result.status ?? 'error'] ?? 0) + 1;
				if (result.error || !result.ok) errors++;
				else latencies.push(result.ms);
			})
		);
	}
	const sentMs = now() - t0;
	await Promise.all(pending);
	return { latencies, errors, dropped, statuses, sentMs, wallMs: now() - t0, offeredRate: total / (sentMs / 1000) };
}

// Statistics and output ---------------------------------------------------------------------------------------

export function percentile(values, p) {
	if (!values.length) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.ceil((p / 100) * sorted.length) - 1;
	return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

export function summary(values) {
	return {
		n: values.length,
		p50: percentile(values, 50),
		p90: percentile(values, 90),
		p99: percentile(values, 99),
		max: values.length ? Math.max(...values) : NaN,
		mean: values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN
	};
}

export const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : String(value));

/** The runner's line: RESULT|<id>|<load>|<measure>|<value>|<target>|<pass|miss|n/a>. */
export function result(id, load, measure, value, target, verdict) {
	const clean = (text) => String(text).replaceAll('|', '/').replaceAll('\n', ' ');
	console.log(`RESULT|${clean(id)}|${clean(load)}|${clean(measure)}|${clean(value)}|${clean(target)}|${verdict}`);
}

export const verdict = (ok) => (ok === null || ok === undefined ? 'n/a' : ok ? 'pass' : 'miss');

// CPU profiles --------------------------------------------------------------------------------------------------

/** The newest .cpuprofile in `dir`, summarised: top functions by self time and by "where" (file) share. */
export function summariseCpuProfile(dir, top = 25) {
	const files = existsSync(dir) ? readdirSync(dir).filter((file) => file.endsWith('.cpuprofile')) : [];
	if (!files.length) return null;
	const file = join(dir, files.sort().at(-1));
	const profile = JSON.parse(readFileSync(file, 'utf8'));
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const self = new Map();
	const deltas = profile.timeDeltas ?? [];
	profile.samples.forEach((id, index) => self.set(id, (self.get(id) ?? 0) + (deltas[index] ?? 0)));
	const total = [...self.values()].reduce((a, b) => a + b, 0);
	// Inclusive time: each sample counts once for every distinct function on its stack.
	const parent = new Map();
	for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
	const keyOf = (node) => {
		const { callFrame } = node;
		const where = callFrame.url ? callFrame.url.replace(/^file:\/\//, '').replace(root, '<root>') : `(${callFrame.functionName || 'native'})`;
		return `${callFrame.functionName || '(anonymous)'}  ${where}:${callFrame.lineNumber + 1}`;
	};
	const inclusive = new Map();
	for (const [id, us] of self) {
		const seen = new Set();
		for (let at = id; at !== undefined; at = parent.get(at)) {
			const key = keyOf(byId.get(at));
			if (seen.has(key)) continue;
			seen.add(key);
			inclusive.set(key, (inclusive.get(key) ?? 0) + us);
		}
	}
	const byFunction = new Map();
	const byFile = new Map();
	for (const [id, us] of self) {
		const { callFrame } = byId.get(id);
		const where = callFrame.url ? callFrame.url.replace(/^file:\/\//, '').replace(root, '<root>') : `(${callFrame.functionName || 'native'})`;
		const key = `${callFrame.functionName || '(anonymous)'}  ${where}:${callFrame.lineNumber + 1}`;
		byFunction.set(key, (byFunction.get(key) ?? 0) + us);
		const fileKey = where.replace(/<root>\/node_modules\/((@[^/]+\/)?[^/]+).*/, 'node_modules/$1').replace(/<root>\/build\/server\/chunks\/.*/, 'build/server/chunks (app code)');
		byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + us);
	}
	const rank = (map) =>
		[...map.entries()]
			.sort((a, b) => b[1] - a[1])
			.slice(0, top)
			.map(([name, us]) => ({ name, ms: us / 1000, share: us / total }));
	return {
		file,
		totalMs: total / 1000,
		functions: rank(byFunction),
		files: rank(byFile),
		// the app's own functions (bundled in build/server) by inclusive time: where a request's time goes
		appInclusive: rank(
			new Map(
				[...inclusive].filter(
					([key]) => key.includes('<root>/build/server') && !/chunks\/(index\.js|chunks\/(server|internal2?|utils|shared|exports)\.js)-/.test(key) && !/^(Root|_layout|child|component)\s/.test(key)
				)
			)
		)
	};
}

/** Summarises the server's profile from `dir`, prints it and keeps a copy in /tmp/verstas-bench-profiles/. */
export function reportCpuProfile(dir, name, top = 15) {
	const summaryOfProfile = summariseCpuProfile(dir);
	if (summaryOfProfile) {
		const keepDir = join(tmpdir(), 'verstas-bench-profiles');
		mkdirSync(keepDir, { recursive: true });
		const kept = join(keepDir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
		copyFileSync(summaryOfProfile.file, kept);
		summaryOfProfile.file = kept;
	}
	printCpuProfile(summaryOfProfile, top);
	return summaryOfProfile;
}

export function printCpuProfile(summaryOfProfile, top = 15) {
	if (!summaryOfProfile) return console.log('  (no CPU profile written)');
	console.log(`  CPU profile ${summaryOfProfile.file} (${fmt(summaryOfProfile.totalMs, 0)} ms sampled)`);
	console.log('  by module:');
	for (const row of summaryOfProfile.files.slice(0, 10)) console.log(`    ${fmt(row.share * 100).padStart(5)} %  ${fmt(row.ms, 0).padStart(6)} ms  ${row.name}`);
	console.log('  by function (self time):');
	for (const row of summaryOfProfile.functions.slice(0, top)) console.log(`    ${fmt(row.share * 100).padStart(5)} %  ${fmt(row.ms, 0).padStart(6)} ms  ${row.name}`);
	console.log('  app functions (inclusive time, build/server):');
	for (const row of summaryOfProfile.appInclusive.slice(0, top)) console.log(`    ${fmt(row.share * 100).padStart(5)} %  ${fmt(row.ms, 0).padStart(6)} ms  ${row.name}`);
}

export function machine() {
	const cpus = require('node:os').cpus();
	return `${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, Node ${process.version}`;
}
