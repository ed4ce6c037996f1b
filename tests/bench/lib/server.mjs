// Servers for the benchmarks: the Verstas production build and the y-websocket@2.1.0 reference server,
// each in its own process on 127.0.0.1, plus the bench database (lib/database.mjs: SQLite or, with
// BENCH_DATABASE=postgres, PostgreSQL; workshops and guests written as the app does).
import { spawn } from 'node:child_process';
import { createHash, getRandomValues } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase } from './database.mjs';

export { createDatabase, databaseCpuMeter, databaseCpuMs, databaseLabel, onDatabase } from './database.mjs';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The tree whose production build is run: VERSTAS_ROOT (e.g. a frozen copy), else this project. */
export const root = process.env.VERSTAS_ROOT ?? projectRoot;

// Every child started here is killed when the bench ends, however it ends.
const children = new Set();
function killAll() {
	for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
	process.on(signal, () => {
		killAll();
		process.exit(130);
	});
}
process.on('uncaughtException', (error) => {
	console.error(error);
	killAll();
	process.exit(1);
});
process.on('unhandledRejection', (error) => {
	console.error(error);
	killAll();
	process.exit(1);
});

/** A temporary folder for one bench's database; removed at exit. */
export function tempDir(prefix = 'verstas-bench-') {
	const dir = mkdtempSync(join(tmpdir(), prefix));
	process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
	return dir;
}

export function freePort() {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

function spawnServer(args, { env, cwd, ready, name, timeoutMs = 30_000 }) {
	const child = spawn(process.execPath, args, {
		cwd,
		env: { ...process.env, ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	children.add(child);
	child.once('exit', () => children.delete(child));
	let output = '';
	const keep = (chunk) => (output = (output + chunk).slice(-20_000));
	child.stdout.on('data', keep);
	child.stderr.on('data', keep);
	const started = performance.now();
	const ready$ = new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
		const check = () => {
			const value = ready(output);
			if (value) {
				clearTimeout(timer);
				child.stdout.off('data', check);
				resolve(value);
			}
		};
		child.stdout.on('data', check);
		child.once('exit', (code, signal) => {
			clearTimeout(timer);
			reject(new Error(`${name} exited (${code ?? signal}) before it listened:\n${output}`));
		});
	});
	return { child, ready: ready$, started, output: () => output };
}

function handle(child, url, startMs, output) {
	const exited = new Promise((resolve) => {
		if (child.exitCode !== null || child.signalCode !== null) resolve();
		else child.once('exit', () => resolve());
	});
	return {
		url,
		port: Number(new URL(url).port),
		pid: child.pid,
		child,
		startMs,
		output,
		exited,
		/** SIGTERM (graceful: boards saved, sockets closed with 1012), SIGKILL after 8 s. */
		async stop() {
			if (child.exitCode === null && child.signalCode === null) {
				const force = setTimeout(() => child.kill('SIGKILL'), 8000);
				child.kill('SIGTERM');
				await exited;
				clearTimeout(force);
			}
		},
		async kill(signal = 'SIGKILL') {
			if (child.exitCode === null && child.signalCode === null) child.kill(signal);
			await exited;
		}
	};
}

/**
 * The Verstas production server (`node <root>/server/index.js`) on 127.0.0.1, on the bench database `database`
 * (database.mjs: its `serverEnv` points the server at the SQLite file or the PostgreSQL database; a new one gets the
 * app's schema at this start). `port` 0: a free one. `nodeArgs` go before the script (e.g. `--cpu-prof`). Resolves
 * when it prints "running at http://…"; `startMs` is how long that took.
 */
export async function startVerstas({ database, port = 0, env = {}, nodeArgs = [], timeoutMs = 30_000 } = {}) {
	if (!existsSync(join(root, 'build', 'handler.js'))) throw new Error(`No production build in ${root}/build (run \`npm run build\` first).`);
	if (!database?.serverEnv) throw new Error('startVerstas: no bench database (createDatabase in lib/database.mjs)');
	// BENCH_SERVER_PROFILE=<dir>: a V8 CPU profile of the server, written when it stops (a caller's own
	// --cpu-prof-dir in nodeArgs comes later and wins)
	const profile = process.env.BENCH_SERVER_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_SERVER_PROFILE}`] : [];
	const { child, ready, started, output } = spawnServer([...profile, ...nodeArgs, join(root, 'server', 'index.js')], {
		cwd: root,
		env: {
			PORT: String(port),
			HOST: '127.0.0.1',
			...database.serverEnv,
			...env
		},
		ready: (text) => text.match(/running at (http:\/\/\S+)/)?.[1],
		name: 'Verstas',
		timeoutMs
	});
	const url = await ready;
	return { ...handle(child, url, performance.now() - started, output), kind: 'verstas' };
}

function referenceServerPath() {
	for (const base of [root, projectRoot]) {
		const path = join(base, 'node_modules', 'y-websocket-reference', 'bin', 'server.cjs');
		if (existsSync(path)) return path;
	}
	throw new Error('y-websocket-reference is not installed (devDependency "y-websocket-reference": "npm:y-websocket@^2.1.0").');
}

/** The y-websocket@2.1.0 package's own server: in memory, no auth, no persistence. */
export async function startReference({ port } = {}) {
	port ??= await freePort();
	const path = referenceServerPath();
	const { child, ready, started, output } = spawnServer([path], {
		cwd: dirname(path),
		env: { HOST: '127.0.0.1', PORT: String(port) },
		ready: (text) => /running at/.test(text),
		name: 'y-websocket reference server'
	});
	await ready;
	return { ...handle(child, `http://127.0.0.1:${port}`, performance.now() - started, output), kind: 'reference' };
}

// The bench database -----------------------------------------------------------------------------------

const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
/** session.ts generateSecureRandomString: 24 characters of a 32-letter alphabet. */
export function randomId(length = 24) {
	let out = '';
	for (const byte of getRandomValues(new Uint8Array(length))) out += alphabet[byte >> 3];
	return out;
}
/** The sha-256 the app stores of a session or guest secret. */
export const hashSecret = (secret) => createHash('sha256').update(secret).digest();

/**
 * A fresh bench database (lib/database.mjs: SQLite, or PostgreSQL with BENCH_DATABASE=postgres) with the app's
 * schema: starts the server on it once (it applies the migrations) and stops it.
 */
export async function migratedDatabase() {
	const database = await createDatabase();
	await migrateDb(database);
	return database;
}

/** Creates the app's schema in `database`: starts the server once (it applies the migrations) and stops it. */
export async function migrateDb(database) {
	const server = await startVerstas({ database });
	await server.stop();
}

/**
 * Workshops with guests, as workshops.ts writes them (createWorkshop without parts; joinAsGuest: a participants
 * row with the sha-256 of the guest secret). Returns per workshop its id and the guests' Cookie headers.
 */
export async function createWorkshops(database, { workshops = 1, guestsPerWorkshop = 1 }) {
	const insertWorkshop = database.prepare(
		'INSERT INTO workshops (id, title, theme, description, join_code) VALUES (?, ?, ?, ?, ?)'
	);
	const insertGuest = database.prepare(
		'INSERT INTO participants (id, workshop_id, display_name, organisation_name, guest_secret_hash) VALUES (?, ?, ?, ?, ?)'
	);
	const result = [];
	await database.transaction(async () => {
		for (let w = 0; w < workshops; w++) {
			const id = randomId(12);
			await insertWorkshop.run(id, `Bench workshop ${w + 1}`, 'Load test', '', `B${String(w).padStart(5, '0')}`);
			const cookies = [];
			for (let g = 0; g < guestsPerWorkshop; g++) {
				const participantId = randomId();
				const secret = randomId();
				await insertGuest.run(participantId, id, `Guest ${g + 1}`, 'Bench', hashSecret(secret));
				cookies.push(`verstas_guest_${id}=${participantId}.${secret}`);
			}
			result.push({ id, cookies });
		}
	});
	return result;
}

/** Stores a board as one logged Yjs update (as if one client had sent it). */
export async function seedBoard(database, workshopId, update) {
	await database.run('INSERT INTO board_updates (workshop_id, "update") VALUES (?, ?)', workshopId, Buffer.from(update));
}

// Process measurements (/proc) ---------------------------------------------------------------------------

const ticksPerSecond = 100; // CLK_TCK on Linux

// Both give NaN once the process is gone, so a meter read after it ended does not throw.

/** utime + stime of a process in ms. */
export function cpuMs(pid) {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		// fields[0] is field 3 (state): utime is field 14, stime field 15
		return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
	} catch {
		return NaN;
	}
}

/** Resident set size in MB. */
export function rssMb(pid) {
	try {
		const kb = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1];
		return kb === undefined ? NaN : Number(kb) / 1024;
	} catch {
		return NaN;
	}
}

/** Server CPU (% of one core) and RSS over a window; RSS sampled every 250 ms (mean and max). */
export function startProcessMeter(pid) {
	const cpu0 = cpuMs(pid);
	const t0 = performance.now();
	const rss = [];
	const sample = () => {
		const mb = rssMb(pid);
		if (Number.isFinite(mb)) rss.push(mb);
	};
	sample();
	const timer = setInterval(sample, 250);
	return {
		stop() {
			clearInterval(timer);
			sample();
			const elapsed = performance.now() - t0;
			const cpu = ((cpuMs(pid) - cpu0) / elapsed) * 100;
			return { cpuPercent: cpu, rssMaxMb: Math.max(...rss), rssLastMb: rss[rss.length - 1], elapsedMs: elapsed };
		}
	};
}

/** The write system calls a process has made (/proc/<pid>/io: each WebSocket send is one writev). */
export function writeCalls(pid) {
	try {
		return Number(readFileSync(`/proc/${pid}/io`, 'utf8').match(/syscw:\s+(\d+)/)[1]);
	} catch {
		return NaN;
	}
}
