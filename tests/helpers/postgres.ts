// A real PostgreSQL 15 (Debian's postgresql-15) for the tests: initdb and the server in a temporary folder, on
// 127.0.0.1 and a free port, trust authentication, stopped and removed on close. PostgreSQL refuses to run as
// root: as root, the folder is given to the `postgres` user and the programs run as it.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './engines';

export type Postgres = {
	/** the server's address with the `postgres` database: postgres://postgres@127.0.0.1:PORT/postgres */
	url: string;
	port: number;
	/** Creates an empty database (template0, C collation: the same text order as SQLite's) and returns its address. */
	createDatabase(name: string): Promise<string>;
	dropDatabase(name: string): Promise<void>;
	stop(): Promise<void>;
};

export function postgresBin(program: string) {
	const dir = process.env.VERSTAS_PG_BIN || '/usr/lib/postgresql/15/bin';
	const path = join(dir, program);
	if (!existsSync(path)) throw new Error(`${path} is missing: install PostgreSQL 15 from Debian (apt-get install postgresql-15), or set VERSTAS_PG_BIN`);
	return path;
}

/** uid/gid of `postgres` when this process is root (PostgreSQL refuses root), else none. */
function runAs() {
	if (process.getuid?.() !== 0) return {};
	const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
	const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
	return { uid, gid };
}

export async function startPostgres(): Promise<Postgres> {
	const user = runAs();
	const dir = mkdtempSync(join(tmpdir(), 'verstas-pg-'));
	if (user.uid !== undefined) chownSync(dir, user.uid, user.gid!);
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
	const killOnExit = () => server.kill('SIGKILL');
	process.once('exit', killOnExit);
	let output = '';
	server.stdout!.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
	server.stderr!.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`postgres did not start within 20 s:\n${output}`)), 20_000);
		const check = () => /ready to accept connections/.test(output) && (clearTimeout(timer), resolve());
		server.stdout!.on('data', check);
		server.stderr!.on('data', check);
		server.once('exit', (code) => (clearTimeout(timer), reject(new Error(`postgres exited with ${code}:\n${output}`))));
	});
	const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
	const admin = async <T>(work: (client: pg.Client) => Promise<T>) => {
		const client = new pg.Client({ connectionString: url });
		await client.connect();
		try {
			return await work(client);
		} finally {
			await client.end();
		}
	};
	return {
		url,
		port,
		async createDatabase(name) {
			await admin((client) => client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`));
			return `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(name)}`;
		},
		async dropDatabase(name) {
			await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`));
		},
		stop: () =>
			new Promise<void>((resolve) => {
				const done = () => {
					process.removeListener('exit', killOnExit);
					rmSync(dir, { recursive: true, force: true });
					resolve();
				};
				if (server.exitCode !== null || server.signalCode !== null) return done();
				const force = setTimeout(() => server.kill('SIGKILL'), 10_000);
				server.once('exit', () => (clearTimeout(force), done()));
				// SIGINT: fast shutdown (ends the sessions, no waiting for clients).
				server.kill('SIGINT');
			})
	};
}
