// A real PostgreSQL 15 (Debian's postgresql-15) for the tests and the benchmarks: initdb and the server in a
// temporary folder, on 127.0.0.1 and a free port, trust authentication, stopped and removed on close. PostgreSQL
// refuses to run as root: as root, the folder is given to the `postgres` user and the programs run as it.
// Plain JS with JSDoc types: Vitest's TypeScript tests and the plain-ESM benches (tests/bench) both import it.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * @typedef {object} Postgres
 * @property {string} url the server's address with the `postgres` database: postgres://postgres@127.0.0.1:PORT/postgres
 * @property {number} port
 * @property {number | undefined} pid the postmaster's process id (its backends are its children)
 * @property {(name: string) => Promise<string>} createDatabase Creates an empty database (template0, C collation:
 *   the same text order as SQLite's) and returns its address.
 * @property {(name: string) => Promise<void>} dropDatabase
 * @property {() => Promise<void>} stop
 * @property {() => void} stopNow Stops the server at once and waits for it, synchronously (`pg_ctl stop -m
 *   immediate`), and removes the folder: for a process 'exit' handler, where nothing asynchronous runs any more.
 * @property {() => void} unref Lets this process end while the server runs (the bench's exit handler stops it).
 */

/** @param {string} program */
export function postgresBin(program) {
	const dir = process.env.VERSTAS_PG_BIN || '/usr/lib/postgresql/15/bin';
	const path = join(dir, program);
	if (!existsSync(path)) throw new Error(`${path} is missing: install PostgreSQL 15 from Debian (apt-get install postgresql-15), or set VERSTAS_PG_BIN`);
	return path;
}

/**
 * uid/gid of `postgres` when this process is root (PostgreSQL refuses root), else none.
 * @returns {{ uid?: number, gid?: number }}
 */
function runAs() {
	if (process.getuid?.() !== 0) return {};
	const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
	const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
	return { uid, gid };
}

/**
 * A port the kernel just gave out on 127.0.0.1 (free unless taken in the next moment).
 * @returns {Promise<number>}
 */
function freePort() {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

/** @returns {Promise<Postgres>} */
export async function startPostgres() {
	const user = runAs();
	const dir = mkdtempSync(join(tmpdir(), 'verstas-pg-'));
	if (user.uid !== undefined && user.gid !== undefined) chownSync(dir, user.uid, user.gid);
	chmodSync(dir, 0o700);
	const data = join(dir, 'data');
	execFileSync(postgresBin('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'], { ...user, stdio: 'pipe' });
	const port = await freePort();
	// fsync off: a test cluster is thrown away, and the disk is shared with everyone's work.
	const server = spawn(
		postgresBin('postgres'),
		['-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
		{ ...user, stdio: ['ignore', 'pipe', 'pipe'] }
	);
	// piped above: sockets, never null
	const stdout = /** @type {import('node:net').Socket} */ (server.stdout);
	const stderr = /** @type {import('node:net').Socket} */ (server.stderr);
	const killOnExit = () => server.kill('SIGKILL');
	process.once('exit', killOnExit);
	let output = '';
	stdout.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
	stderr.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
	await /** @type {Promise<void>} */ (
		new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`postgres did not start within 20 s:\n${output}`)), 20_000);
			const check = () => /ready to accept connections/.test(output) && (clearTimeout(timer), resolve());
			stdout.on('data', check);
			stderr.on('data', check);
			server.once('exit', (code) => (clearTimeout(timer), reject(new Error(`postgres exited with ${code}:\n${output}`))));
		})
	);
	const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
	/**
	 * @template T
	 * @param {(client: pg.Client) => Promise<T>} work
	 */
	const admin = async (work) => {
		const client = new pg.Client({ connectionString: url });
		await client.connect();
		try {
			return await work(client);
		} finally {
			await client.end();
		}
	};
	const exited = () => server.exitCode !== null || server.signalCode !== null;
	return {
		url,
		port,
		pid: server.pid,
		async createDatabase(name) {
			await admin((client) => client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`));
			return `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(name)}`;
		},
		async dropDatabase(name) {
			await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`));
		},
		stop: () =>
			new Promise((resolve) => {
				const done = () => {
					process.removeListener('exit', killOnExit);
					rmSync(dir, { recursive: true, force: true });
					resolve();
				};
				if (exited()) return done();
				const force = setTimeout(() => server.kill('SIGKILL'), 10_000);
				server.once('exit', () => (clearTimeout(force), done()));
				// SIGINT: fast shutdown (ends the sessions, no waiting for clients).
				server.kill('SIGINT');
			}),
		stopNow() {
			process.removeListener('exit', killOnExit);
			if (!exited() && existsSync(join(data, 'postmaster.pid'))) {
				try {
					// immediate: the backends go at once; -w waits until the postmaster has gone (a few ms)
					execFileSync(postgresBin('pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '10'], { ...user, stdio: 'ignore' });
				} catch {
					server.kill('SIGKILL');
				}
			}
			rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
		},
		unref() {
			server.unref();
			stdout.unref();
			stderr.unref();
		}
	};
}
