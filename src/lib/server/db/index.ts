import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as schema from './schema';
import { boardChanges } from './board-changes';

// Shared with the WebSocket upgrade path in server/: no $app or $env imports here.

export function databasePath() {
	return resolve(process.env.DATABASE_PATH || 'data/verstas.db');
}

function envInteger(name: string, fallback: number) {
	const value = Number(process.env[name]);
	return Number.isInteger(value) && value >= 0 ? value : fallback;
}

/** SQLite's answers when the file cannot be written now: locked by another process, disk (or ceiling) full, I/O. */
export function isStorageUnavailable(error: unknown) {
	const code = (error as { code?: unknown } | null)?.code;
	return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY)/.test(code);
}

/**
 * Keeps each SQL text's prepared statement for reuse. Drizzle prepares every query it runs, and on the pages
 * read most (the board, a vote) SQLite's prepare cost more than the query itself (B8 profile: 8 % of the board
 * page). A statement is reused only when it is not in the middle of an iteration, and back in the default row
 * mode: drizzle switches `raw` on per call (so a statement kept for later must not rely on `raw`/`pluck`).
 */
function reuseStatements(sqlite: Database.Database, limit = 500) {
	const prepare = sqlite.prepare.bind(sqlite);
	const statements = new Map<string, Database.Statement>();
	sqlite.prepare = ((source: string) => {
		const kept = statements.get(source);
		if (kept && !kept.busy) {
			if (kept.reader) kept.raw(false).pluck(false).expand(false);
			return kept;
		}
		const statement = prepare(source);
		if (!kept) {
			// Dropping the oldest keeps SQL with a varying number of parameters (IN lists) from growing the map.
			if (statements.size >= limit) statements.delete(statements.keys().next().value!);
			statements.set(source, statement);
		}
		return statement;
	}) as typeof sqlite.prepare;
}

export function openDatabase(path = databasePath()) {
	mkdirSync(dirname(path), { recursive: true });
	const sqlite = new Database(path);
	reuseStatements(sqlite);
	sqlite.pragma('journal_mode = WAL');
	sqlite.pragma('synchronous = NORMAL');
	sqlite.pragma('foreign_keys = ON');
	// Deleted and overwritten content is zeroed, not left in free space: an anonymous round's unlinked voter ids
	// must not stay readable in the file (see eraseOldPageVersions for the WAL's copies).
	sqlite.pragma('secure_delete = ON');
	// How long a write waits for another process's lock before giving up (the user then gets a clear error).
	sqlite.pragma(`busy_timeout = ${envInteger('VERSTAS_DB_BUSY_TIMEOUT_MS', 5000)}`);
	// An optional ceiling on the database file for small servers: past it writes fail as on a full disk
	// (SQLITE_FULL), and work again once space is freed inside the file.
	const maxMegabytes = envInteger('VERSTAS_DB_MAX_MB', 0);
	if (maxMegabytes > 0) {
		const pageSize = Number(sqlite.pragma('page_size', { simple: true }));
		sqlite.pragma(`max_page_count = ${Math.floor((maxMegabytes * 1024 * 1024) / pageSize)}`);
	}
	return drizzle(sqlite, { schema });
}

export type Db = ReturnType<typeof openDatabase>;
export type Transaction = Parameters<Parameters<Db['transaction']>[0]>[0];
/** The database or an open transaction: lets a write join the caller's transaction. */
export type Executor = Db | Transaction;

let instance: Db | undefined;

/** The process's database, opened on first use (so `vite build`'s analysis never creates a file). */
export function getDb(): Db {
	return (instance ??= openDatabase());
}

/**
 * A query built and prepared once per database connection: on hot paths (every vote, every guest's request)
 * building and preparing the SQL costs more than running it. Use drizzle's `sql.placeholder` for its inputs.
 */
export function preparedOnce<Query>(build: (db: Db) => Query): () => Query {
	const prepared = new WeakMap<Db, Query>();
	return () => {
		const current = getDb();
		let query = prepared.get(current);
		if (!query) prepared.set(current, (query = build(current)));
		return query;
	};
}

const writeGeneration = preparedOnce((db) => ({
	ours: db.$client.prepare<[], { n: number }>('SELECT total_changes() AS n'),
	// data_version changes when another connection (another process) commits.
	theirs: db.$client.prepare<[], { data_version: number }>('PRAGMA data_version')
}));
const remembered = new Map<string, { generation: string; value: unknown }>();

/**
 * Changes whenever anything is written to the database, by this process or another; this process's writes to the
 * board logs excepted (see board-changes.ts).
 */
export function databaseGeneration() {
	const counters = writeGeneration();
	return `${counters.ours.get()!.n - boardChanges(getDb().$client)}:${counters.theirs.get()!.data_version}`;
}

/**
 * The value computed once and reused until anything is written to the database (by this process or another):
 * for expensive reads that are asked for far more often than the data changes (a programme's dashboard).
 */
export function unchangedSinceLastWrite<T>(key: string, compute: () => T): T {
	const generation = databaseGeneration();
	const hit = remembered.get(key);
	if (hit?.generation === generation) return hit.value as T;
	const value = compute();
	if (remembered.size >= 100) remembered.delete(remembered.keys().next().value!);
	remembered.set(key, { generation, value });
	return value;
}

/**
 * Copies the WAL into the database file and truncates the WAL to zero bytes, so earlier versions of pages (e.g. an
 * anonymous round's votes still linked to their voters) are no longer in any file. Never waits for another
 * connection's readers (that would block the event loop): when one is reading, it tries again a second later, up to
 * a minute. Returns whether it completed now.
 */
export function eraseOldPageVersions(attempt = 0): boolean {
	const sqlite = getDb().$client;
	const timeout = sqlite.pragma('busy_timeout', { simple: true });
	sqlite.pragma('busy_timeout = 0');
	let done = false;
	try {
		const [result] = sqlite.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
		done = result?.busy === 0;
	} catch (error) {
		if (!isStorageUnavailable(error)) throw error;
	} finally {
		sqlite.pragma(`busy_timeout = ${timeout}`);
	}
	if (!done && attempt < 60) setTimeout(() => eraseOldPageVersions(attempt + 1), 1000).unref();
	return done;
}

export function closeDb() {
	instance?.$client.close();
	instance = undefined;
}

export const db: Db = new Proxy({} as Db, {
	get: (_, property) => Reflect.get(getDb(), property)
});
