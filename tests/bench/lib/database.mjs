// The bench database: where a bench seeds its rows and what its server processes are pointed at.
// BENCH_DATABASE=sqlite (default): a SQLite file in a temporary folder, written with better-sqlite3.
// BENCH_DATABASE=postgres: a database in a PostgreSQL 15 cluster this bench process starts (tests/helpers/postgres.js,
// once per process, stopped and removed when the process ends, however it ends), written through one pg.Client.
//
// One asynchronous API for both, in SQLite's terms, so a seed is written once:
//   run/get/all(sql, ...params), prepare(sql) → { run, get, all }, transaction(async () => …), size(), close(),
//   label ('SQLite' / 'PostgreSQL'), serverEnv ({ DATABASE_PATH } / { DATABASE_URL }) for the servers.
// SQL is written with `?` placeholders and quoted aliases ("maxPoints": PostgreSQL folds unquoted ones to lower case).
// On PostgreSQL, `?` become `$n`, and values are converted to what the target column takes where SQLite's differ:
// integer milliseconds → Date for timestamp columns, 0/1 → boolean for boolean columns. The type each placeholder
// stands for is PostgreSQL's own reading of the statement (PREPARE, then pg_prepared_statements.parameter_types),
// looked up once per statement text, so a placeholder in a WHERE or SET is converted as one in VALUES. Rows come back
// as SQLite gives them: counts and sums as numbers, timestamps as milliseconds, booleans as 1/0.
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The tree whose production build is benchmarked (VERSTAS_ROOT): its better-sqlite3 reads the file its server writes. */
const root = process.env.VERSTAS_ROOT ?? projectRoot;
const require = createRequire(join(projectRoot, 'package.json'));

const chosen = (process.env.BENCH_DATABASE || 'sqlite').toLowerCase();
if (!['sqlite', 'postgres'].includes(chosen)) throw new Error(`BENCH_DATABASE=${process.env.BENCH_DATABASE}: use sqlite (default) or postgres`);
/** 'sqlite' or 'postgres' (BENCH_DATABASE). */
export const databaseKind = chosen;
export const databaseLabel = chosen === 'postgres' ? 'PostgreSQL' : 'SQLite';
/** Appended to a RESULT line's load text, so that rows of the two databases can be told apart: '' on SQLite. */
export const onDatabase = chosen === 'postgres' ? ' (PostgreSQL)' : '';

/**
 * An empty bench database (the servers create the schema when they start on it: migrateDb in server.mjs, or a
 * bench's first startVerstas). `dir`: the folder for the SQLite file (default: a temporary one, removed at exit).
 */
export async function createDatabase({ dir } = {}) {
	return chosen === 'postgres' ? createPostgres() : createSqlite(dir);
}

/** Runs `work` inside one transaction; nested calls join the open one, and transactions of one database queue. */
function transactions(begin, commit, rollback) {
	const inside = new AsyncLocalStorage();
	let queue = Promise.resolve();
	return async (work) => {
		if (inside.getStore()) return work();
		const previous = queue;
		let release;
		queue = new Promise((resolve) => (release = resolve));
		await previous;
		try {
			return await inside.run(true, async () => {
				await begin();
				try {
					const value = await work();
					await commit();
					return value;
				} catch (error) {
					await rollback();
					throw error;
				}
			});
		} finally {
			release();
		}
	};
}

// SQLite -----------------------------------------------------------------------------------------------------------

function openBetterSqlite(path) {
	let Database;
	try {
		Database = createRequire(join(root, 'package.json'))('better-sqlite3');
	} catch {
		Database = require('better-sqlite3');
	}
	const db = new Database(path);
	db.pragma('journal_mode = WAL');
	db.pragma('busy_timeout = 5000');
	db.pragma('foreign_keys = ON');
	return db;
}

function createSqlite(dir) {
	if (!dir) {
		dir = mkdtempSync(join(tmpdir(), 'verstas-bench-'));
		const folder = dir;
		process.on('exit', () => rmSync(folder, { recursive: true, force: true }));
	}
	const path = join(dir, 'bench.db');
	let db = null;
	const statements = new Map();
	// Opened on first use: the server may be the one that creates the file.
	const open = () => (db ??= openBetterSqlite(path));
	const statement = (sql) => {
		let prepared = statements.get(sql);
		if (!prepared) statements.set(sql, (prepared = open().prepare(sql)));
		return prepared;
	};
	const run = async (sql, ...params) => {
		const { changes } = statement(sql).run(...params);
		return { changes };
	};
	const get = async (sql, ...params) => statement(sql).get(...params);
	const all = async (sql, ...params) => statement(sql).all(...params);
	return {
		kind: 'sqlite',
		label: 'SQLite',
		path,
		serverEnv: { DATABASE_PATH: path, DATABASE_URL: '' },
		run,
		get,
		all,
		prepare: (sql) => ({ run: (...params) => run(sql, ...params), get: (...params) => get(sql, ...params), all: (...params) => all(sql, ...params) }),
		transaction: transactions(
			async () => open().exec('BEGIN'),
			async () => open().exec('COMMIT'),
			async () => open().exec('ROLLBACK')
		),
		/** The learning library's index row of a pilot, written into SQLite's FTS5 table. */
		async indexPilot({ pilotId, title, summary, learnings, decisionReason }) {
			await run('INSERT INTO pilot_search (pilot_id, title, summary, learnings, decision_reason) VALUES (?, ?, ?, ?, ?)', pilotId, title, summary, learnings, decisionReason);
		},
		/** Folds the WAL into the file (a size that does not depend on when SQLite last checkpointed). */
		async checkpoint() {
			open().pragma('wal_checkpoint(TRUNCATE)');
		},
		/** Bytes on disk: the file with its WAL. */
		async size() {
			let total = 0;
			for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) total += statSync(path + suffix).size;
			return total;
		},
		async close() {
			statements.clear();
			db?.close();
			db = null;
		}
	};
}

// PostgreSQL -------------------------------------------------------------------------------------------------------

let cluster = null;
let clusterPid = null;
let databases = 0;

/** The fields after "pid (comm) " of /proc/<pid>/stat: [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime. */
function procStat(pid) {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	} catch {
		return null;
	}
}

/**
 * CPU time (ms, user + system) this process's PostgreSQL cluster has used so far: the postmaster, its running
 * processes (backends, checkpointer, …) and those it has reaped. null on SQLite or before the cluster runs. The
 * servers' CPU figures leave it out: on PostgreSQL part of the work moves into these processes.
 */
export function databaseCpuMs() {
	if (!clusterPid) return null;
	const own = procStat(clusterPid);
	if (!own) return null;
	const ticks = (fields, from, to) => fields.slice(from, to + 1).reduce((sum, value) => sum + Number(value), 0);
	let total = ticks(own, 11, 14);
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const fields = procStat(entry);
		if (fields && Number(fields[1]) === clusterPid) total += ticks(fields, 11, 12);
	}
	return (total * 1000) / 100; // USER_HZ is 100 on Linux
}

/** `const m = databaseCpuMeter(); …; m.stop()` → the cluster's CPU in between as % of one core, or null on SQLite. */
export function databaseCpuMeter() {
	const cpu0 = databaseCpuMs();
	const t0 = performance.now();
	return {
		stop() {
			const cpu = databaseCpuMs();
			return cpu0 === null || cpu === null ? null : { cpuMs: cpu - cpu0, percent: ((cpu - cpu0) / (performance.now() - t0)) * 100 };
		}
	};
}

/** This process's cluster, started on first use; stopped (synchronously) and removed when the process ends. */
function startCluster() {
	if (cluster) return cluster;
	let started = null;
	// Registered before the cluster is: it runs before the helper's own exit hook (a SIGKILL), and stops it cleanly.
	process.on('exit', () => started?.stopNow());
	// A signal would end the process without 'exit' where nothing else (server.mjs, http.mjs) catches it.
	for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]]) process.once(signal, () => process.exit(128 + number));
	cluster = import('../../helpers/postgres.js').then(async ({ startPostgres }) => {
		const t0 = performance.now();
		started = await startPostgres();
		clusterPid = started.pid ?? null;
		// The bench may end by itself while the cluster runs: the exit hook above stops it.
		started.unref();
		console.log(`[bench] PostgreSQL 15 cluster at ${started.url} (started in ${Math.round(performance.now() - t0)} ms)`);
		return started;
	});
	return cluster;
}

/** `?` → `$1, $2 …`, outside string literals, quoted identifiers and comments. */
export function numberPlaceholders(sql) {
	let out = '';
	let n = 0;
	for (let i = 0; i < sql.length; i++) {
		const c = sql[i];
		if (c === "'" || c === '"') {
			const end = sql.indexOf(c, i + 1);
			const stop = end < 0 ? sql.length : end;
			out += sql.slice(i, stop + 1);
			i = stop;
		} else if (c === '-' && sql[i + 1] === '-') {
			const end = sql.indexOf('\n', i);
			const stop = end < 0 ? sql.length : end;
			out += sql.slice(i, stop);
			i = stop - 1;
		} else if (c === '?') out += `$${++n}`;
		else out += c;
	}
	return { text: out, count: n };
}

const timestampTypes = new Set(['timestamp with time zone', 'timestamp without time zone']);

/** A value as the column (parameter) of type `type` takes it, from what SQLite is given. */
function toPostgres(type, value) {
	if (typeof value === 'number' && timestampTypes.has(type)) return new Date(value);
	if (typeof value === 'number' && type === 'boolean') return value !== 0;
	return value;
}

async function createPostgres() {
	const server = await startCluster();
	const name = `bench_${process.pid}_${++databases}`;
	const url = await server.createDatabase(name);
	const pg = require('pg');
	const { types } = pg;
	const timestamp = types.getTypeParser(1184);
	// Rows as SQLite gives them (see the top of the file).
	const parsers = {
		16: (text) => (text === 't' ? 1 : 0), // bool
		20: Number, // int8: count(*), sum(integer)
		1700: Number, // numeric: sum(bigint), avg
		1114: (text) => timestamp(`${text}Z`).getTime(), // timestamp (UTC)
		1184: (text) => timestamp(text).getTime() // timestamptz
	};
	const getTypeParser = (oid, format) => (format !== 'binary' && parsers[oid]) || types.getTypeParser(oid, format);
	let client = null;
	let connecting = null;
	// Connected on first use, and again on the first query after close().
	const connection = () =>
		(connecting ??= (async () => {
			const fresh = new pg.Client({ connectionString: url, types: { getTypeParser } });
			await fresh.connect();
			fresh.on('error', () => {}); // ended by close() or the cluster's stop: nothing to report
			client = fresh;
			return fresh;
		})());
	const statements = new Map();
	let prepared = 0;
	/** The statement's text with `$n` and the type of each parameter, PostgreSQL's reading of it, once per text. */
	const statement = (sql) => {
		let known = statements.get(sql);
		if (!known) {
			known = (async () => {
				const { text, count } = numberPlaceholders(sql);
				if (count === 0) return { text, types: [] };
				const db = await connection();
				const handle = `bench_types_${++prepared}`;
				await db.query(`PREPARE ${handle} AS ${text}`);
				try {
					const { rows } = await db.query('SELECT parameter_types::text[] AS types FROM pg_prepared_statements WHERE name = $1', [handle]);
					return { text, types: rows[0].types };
				} finally {
					await db.query(`DEALLOCATE ${handle}`);
				}
			})();
			statements.set(sql, known);
			known.catch(() => statements.delete(sql));
		}
		return known;
	};
	const query = async (sql, params) => {
		try {
			const { text, types: parameterTypes } = await statement(sql);
			const db = await connection();
			return await db.query(text, params.map((value, i) => toPostgres(parameterTypes[i], value)));
		} catch (error) {
			error.message = `${error.message}\n  in: ${sql.replace(/\s+/g, ' ').slice(0, 500)}`;
			throw error;
		}
	};
	const run = async (sql, ...params) => ({ changes: (await query(sql, params)).rowCount ?? 0 });
	const get = async (sql, ...params) => (await query(sql, params)).rows[0];
	const all = async (sql, ...params) => (await query(sql, params)).rows;
	const raw = async (sql) => (await connection()).query(sql);
	let searchMarkedStale = false;
	return {
		kind: 'postgres',
		label: 'PostgreSQL',
		url,
		serverEnv: { DATABASE_URL: url },
		run,
		get,
		all,
		prepare: (sql) => ({ run: (...params) => run(sql, ...params), get: (...params) => get(sql, ...params), all: (...params) => all(sql, ...params) }),
		transaction: transactions(
			() => raw('BEGIN'),
			() => raw('COMMIT'),
			() => raw('ROLLBACK')
		),
		/**
		 * PostgreSQL's pilot_search holds the analysed terms as tsvectors, which only the app computes: instead of the
		 * row, the index is marked as not built, and the server's next start rebuilds it from the pilots
		 * (ensureSearchIndex: no search_index_state row).
		 */
		async indexPilot() {
			if (searchMarkedStale) return;
			await run("DELETE FROM search_index_state WHERE name = 'pilot_search'");
			searchMarkedStale = true;
		},
		async checkpoint() {},
		/**
		 * pg_database_size: the database's files (tables, indexes, TOAST; the cluster's WAL is not counted). After
		 * close(), asked on a connection of its own that ends with the answer.
		 */
		async size() {
			const sql = 'SELECT pg_database_size(current_database()) AS bytes';
			if (connecting) return (await get(sql)).bytes;
			const once = new pg.Client({ connectionString: url, types: { getTypeParser } });
			await once.connect();
			try {
				return (await once.query(sql)).rows[0].bytes;
			} finally {
				await once.end();
			}
		},
		async close() {
			const open = connecting;
			connecting = null;
			statements.clear();
			if (!open) return;
			await open.catch(() => null);
			await client?.end().catch(() => {});
			client = null;
		}
	};
}
