import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { drizzle as drizzleAsync } from 'drizzle-orm/sqlite-proxy';
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as schema from './schema.sqlite';
import { boardChanges } from './board-changes';
import { isPostgresUrl } from './dialect';
import { isPostgresUnavailable, openPostgres } from './postgres';


// Decided once, at import, as schema.ts decides which tables to give (and cheap on every query).
const postgresDialect = isPostgresUrl();

/** Whether the process runs on PostgreSQL (DATABASE_URL=postgres://…) rather than SQLite. */
export function usesPostgres() {
	return postgresDialect;
}

// Shared with the WebSocket upgrade path in server/: no $app or $env imports here.

export function databasePath() {
	return resolve(process.env.DATABASE_PATH || 'data/verstas.db');
}

function envInteger(name: string, fallback: number) {
	const value = Number(process.env[name]);
	return Number.isInteger(value) && value >= 0 ? value : fallback;
}

/** The driver's own error under drizzle's wrapper ("Failed query: …", the driver's error as its cause). */
export function driverError(error: unknown): unknown {
	let current = error;
	while (current instanceof Error && current.cause !== undefined && !(current as { code?: unknown }).code) current = current.cause;
	return current;
}

/** The driver's message (for constraint checks: "UNIQUE constraint failed: users.email"). */
export function driverMessage(error: unknown) {
	const cause = driverError(error);
	return cause instanceof Error ? cause.message : String(cause);
}

/**
 * The database cannot take the write now: SQLite's file locked by another process, disk (or ceiling) full, I/O;
 * PostgreSQL's disk full, too many connections, shutting down, connection lost, read-only standby.
 */
export function isStorageUnavailable(error: unknown) {
	const code = (driverError(error) as { code?: unknown } | null)?.code;
	return typeof code === 'string' && (/^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY)/.test(code) || isPostgresUnavailable(code));
}

/** A unique constraint on `table.column` refused the write (SQLite: its message; PostgreSQL: 23505 on that table's constraint). */
export function isUniqueViolation(error: unknown, table: string, column: string) {
	const cause = driverError(error) as { code?: unknown; table?: unknown; constraint?: unknown; message?: unknown } | null;
	if (cause?.code === '23505') return cause.table === table && typeof cause.constraint === 'string' && cause.constraint.includes(column);
	return new RegExp(`UNIQUE constraint failed: ${table}\\.${column}\\b`).test(driverMessage(error));
}

/** A foreign key refused the write: the row it points at is gone (SQLite's message, PostgreSQL's 23503). */
export function isForeignKeyViolation(error: unknown) {
	const cause = driverError(error) as { code?: unknown } | null;
	return cause?.code === '23503' || /FOREIGN KEY constraint failed/.test(driverMessage(error));
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

/** The SQLite connection with its synchronous drizzle database and the domain's asynchronous one. */
export function openConnection(path = databasePath()) {
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
	const guard = new TransactionGuard();
	return { sqlite, guard, sync: drizzle(sqlite, { schema }), db: openAsync(sqlite, guard) };
}

/**
 * Keeps every other caller off the connection while a transaction is open on it. SQLite has one connection per
 * process here, and with asynchronous domain code two requests' steps interleave at every `await`: without this,
 * one request's query would run inside another's open transaction (seeing its uncommitted rows, and rolled back
 * with it). Transactions queue behind each other; queries outside them wait only while one is open. A transaction
 * runs only database steps (never network or file waits), so it holds the connection for microseconds and never
 * across the event loop's turns: the synchronous callers on the WebSocket path (board store, board access, votes
 * on the socket) never find one open.
 */
class TransactionGuard {
	readonly context = new AsyncLocalStorage<OpenTransaction>();
	#open: OpenTransaction | null = null;
	#waiting: (() => void)[] = [];

	/** Whether the caller must wait for its turn: a transaction is open and it is not the caller's. */
	blocked() {
		return this.#open !== null && this.context.getStore() !== this.#open;
	}

	/**
	 * Resolves when the open transaction ends. Callers loop `while (guard.blocked()) await guard.released();` and
	 * then use the connection in the same synchronous step: any await between the check and the use would let
	 * another transaction open in between.
	 */
	released() {
		return new Promise<void>((resolve) => this.#waiting.push(resolve));
	}

	/** The caller's own open transaction, if it is inside one. */
	current() {
		return this.#open && this.context.getStore() === this.#open ? this.#open : null;
	}

	async run<T>(work: (open: OpenTransaction) => Promise<T>): Promise<T> {
		while (this.blocked()) await this.released();
		const open: OpenTransaction = { tx: null };
		this.#open = open;
		// Still open at the event loop's next turn: it waited for something other than the database, and the
		// synchronous callers could have run inside it. A bug to fix where it is reported.
		setImmediate(() => {
			if (this.#open === open) console.error(new Error('A database transaction stayed open across an event-loop turn (it awaited something other than the database).'));
		});
		try {
			return await this.context.run(open, () => work(open));
		} finally {
			this.#open = null;
			const waiting = this.#waiting;
			this.#waiting = [];
			for (const wake of waiting) wake();
		}
	}
}
type OpenTransaction = { tx: Transaction | null };

/** What a write reports on SQLite (better-sqlite3's RunResult), in drizzle's result shape. */
type RunResult = { rows: never[]; changes: number; lastInsertRowid: number | bigint };

/**
 * The domain's asynchronous drizzle database over the process's better-sqlite3 connection (drizzle's sqlite-proxy
 * driver: every query comes through `execute`, where the transaction guard decides when it may run).
 */
function openAsync(sqlite: Database.Database, guard: TransactionGuard) {
	const execute = (source: string, params: unknown[], method: 'run' | 'all' | 'values' | 'get') => {
		const statement = sqlite.prepare(source);
		if (method === 'run' || !statement.reader) {
			const result = statement.run(...params);
			return { rows: [], changes: result.changes, lastInsertRowid: result.lastInsertRowid } satisfies RunResult;
		}
		// Rows as arrays: drizzle maps them onto the selected fields (as its better-sqlite3 driver does).
		statement.raw(true);
		return { rows: method === 'get' ? statement.get(...params) : statement.all(...params) } as { rows: unknown[] };
	};
	const database = drizzleAsync(
		async (source, params, method) => {
			while (guard.blocked()) await guard.released();
			return execute(source, params, method) as { rows: unknown[] };
		},
		{ schema }
	);
	const begin = database.transaction.bind(database);
	// One transaction at a time on the connection (IMMEDIATE: its write lock taken at BEGIN, so another process's
	// writer makes it wait at the start, never fail halfway); a transaction opened inside another is a savepoint.
	database.transaction = ((work: (tx: Transaction) => Promise<unknown>) => {
		const open = guard.current();
		if (open?.tx) return open.tx.transaction(work);
		// SQLite rolls a transaction back by itself on some errors (SQLITE_FULL, IOERR, BUSY): drizzle's ROLLBACK then
		// fails ("no transaction is active") and would hide the error that matters (a full disk gets its own message).
		let failure: { error: unknown } | undefined;
		return guard.run((opened) =>
			begin(
				async (tx) => {
					opened.tx = tx;
					try {
						return await work(tx);
					} catch (error) {
						failure = { error };
						throw error;
					}
				},
				{ behavior: 'immediate' }
			).catch((error: unknown) => {
				throw failure && !sqlite.inTransaction ? failure.error : error;
			})
		);
	}) as typeof database.transaction;
	return database;
}

type Connection = ReturnType<typeof openConnection>;

/** A synchronous drizzle database on its own connection (migrations, tools, tests). */
export function openDatabase(path = databasePath()) {
	return openConnection(path).sync;
}
export type Db = Connection['db'];
export type SyncDb = Connection['sync'];
export type Transaction = Parameters<Parameters<Db['transaction']>[0]>[0];
/** The database or an open transaction: lets a write join the caller's transaction. */
export type Executor = Db | Transaction;

let instance: Connection | undefined;
let postgresInstance: ReturnType<typeof openPostgres> | undefined;

function connection() {
	if (usesPostgres()) throw new Error('This path needs the synchronous SQLite database; DATABASE_URL points at PostgreSQL.');
	return (instance ??= openConnection());
}

/** The process's PostgreSQL pool and database (DATABASE_URL=postgres://…), opened on first use. */
export function postgres() {
	return (postgresInstance ??= openPostgres(process.env.DATABASE_URL!));
}

/**
 * The process's database for the synchronous callers that remain (the board store and the WebSocket path's board
 * access and socket votes, which the collab server calls without awaiting), opened on first use (so `vite build`'s
 * analysis never creates a file). Everything else uses `db`.
 */
export function getDb(): SyncDb {
	return connection().sync;
}

/**
 * The process's asynchronous database (the domain layer's). On PostgreSQL, inside a transaction: that transaction
 * (on SQLite every query of the one connection is in the open transaction; queries through `db` inside one must be
 * on PostgreSQL too). Typed as SQLite's: the domain code is written once, against its types.
 */
export function getAsyncDb(): Db {
	if (usesPostgres()) {
		const pg = postgres();
		return (pg.current() ?? pg.db) as unknown as Db;
	}
	return connection().db;
}

/**
 * A write transaction that reads and writes only what belongs to its scope or scopes (voters' ballots in one round):
 * on PostgreSQL those without a scope in common run side by side, and any other transaction still runs alone; on
 * SQLite every write transaction runs alone anyway. Inside it, open no transaction that needs to run alone.
 */
export function transactionWithin<T>(scope: string | readonly string[], work: (tx: Transaction) => Promise<T>): Promise<T> {
	if (usesPostgres()) return postgres().transactionWithin(typeof scope === 'string' ? [scope] : scope, work as never) as Promise<T>;
	return getAsyncDb().transaction(work);
}

/**
 * Runs synchronous work on the SQLite connection (raw statements, the synchronous callers' functions) when no other
 * request's transaction is open on it: from asynchronous code, never call them directly.
 */
export async function withSqlite<T>(work: (sqlite: Database.Database) => T): Promise<T> {
	const { guard, sqlite } = connection();
	while (guard.blocked()) await guard.released();
	return work(sqlite);
}

/**
 * Raw SQL for what drizzle cannot say (the full-text index, a few tuned queries), with `?` placeholders; waits for its
 * turn like every query. On PostgreSQL the same calls will number the placeholders.
 */
export async function rawAll<Row>(source: string, ...params: unknown[]): Promise<Row[]> {
	if (usesPostgres()) return (await executePostgres(source, params)).rows as Row[];
	return withSqlite((sqlite) => sqlite.prepare(source).all(...params) as Row[]);
}

export async function rawGet<Row>(source: string, ...params: unknown[]): Promise<Row | undefined> {
	if (usesPostgres()) return (await executePostgres(source, params)).rows[0] as Row | undefined;
	return withSqlite((sqlite) => sqlite.prepare(source).get(...params) as Row | undefined);
}

export async function rawRun(source: string, ...params: unknown[]): Promise<number> {
	if (usesPostgres()) return (await executePostgres(source, params)).rowCount ?? 0;
	return withSqlite((sqlite) => sqlite.prepare(source).run(...params).changes);
}

/** Raw SQL with `?` placeholders on PostgreSQL, in the caller's transaction when it is in one. */
function executePostgres(source: string, params: unknown[]) {
	const pg = postgres();
	return (pg.current() ?? pg.db).execute<Record<string, unknown>>(withParameters(source, params));
}

/** `?` placeholders (outside quoted strings and identifiers) bound to `params`, as drizzle SQL (numbered by the driver). */
function withParameters(source: string, params: unknown[]): SQL {
	const chunks: SQL[] = [];
	let from = 0;
	let n = 0;
	for (const match of source.matchAll(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\?/g)) {
		if (match[0] !== '?') continue;
		chunks.push(sql.raw(source.slice(from, match.index)), sql`${params[n++]}`);
		from = match.index + 1;
	}
	if (n !== params.length) throw new Error(`The SQL has ${n} placeholders for ${params.length} values.`);
	chunks.push(sql.raw(source.slice(from)));
	return sql.join(chunks);
}

/** Text compared and sorted without regard to case: SQLite's NOCASE (ASCII letters), PostgreSQL's lower(). */
export function caseless(value: SQLWrapper): SQL {
	return usesPostgres() ? sql`lower(${value})` : sql`${value} COLLATE NOCASE`;
}

/**
 * The order rows were inserted in, to break ties between equal times (two rounds opened in the same millisecond):
 * SQLite's rowid, PostgreSQL's `insertion_order` identity column (schema.pg.ts, on the tables that need it).
 */
export function insertionOrder(table: SQLiteTable): SQL {
	return usesPostgres() ? sql`${table}."insertion_order"` : sql`${table}.rowid`;
}

/** Rows changed by a write (`await db.update(…)`): SQLite's `changes`, PostgreSQL's `rowCount`. */
export function changedRows(result: unknown): number {
	const { changes, rowCount } = (result ?? {}) as { changes?: number; rowCount?: number | null };
	return changes ?? rowCount ?? 0;
}

/** The first row of a query's rows (drizzle's `.get()`, which PostgreSQL's builders do not have). */
export async function first<Row>(rows: PromiseLike<Row[]>): Promise<Row | undefined> {
	return (await rows)[0];
}

/** The row a write returns (`insert … returning`): one is expected, none is a bug. */
export async function one<Row>(rows: PromiseLike<Row[]>): Promise<Row> {
	const [row] = await rows;
	if (row === undefined) throw new Error('The query returned no row.');
	return row;
}

/**
 * A query built and prepared once per database connection: on hot paths (every vote, every guest's request)
 * building and preparing the SQL costs more than running it. Use drizzle's `sql.placeholder` for its inputs.
 * Only `execute` is offered: on PostgreSQL a prepared query's `all()` gives the driver's unmapped rows and `get()`
 * does not exist, so the SQLite-typed terminals must not be callable.
 */
export function preparedOnce<Query extends { execute: unknown }>(build: (db: Db) => Query): () => Pick<Query, 'execute'> {
	const prepared = new WeakMap<Db, Query>();
	const name = `verstas_${++preparedCount}`;
	return () => {
		const current = getAsyncDb();
		let query = prepared.get(current);
		if (!query) prepared.set(current, (query = namedOnPostgres(build(current), name)));
		return query;
	};
}
let preparedCount = 0;

/**
 * On PostgreSQL a query is prepared on the server only under a name (each connection parses and plans it once, then
 * reuses it: about half of PostgreSQL's CPU for a vote's statements). The domain's `.prepare()` is SQLite's, which
 * takes no name, so the name is given to drizzle's node-postgres query here (its two query configs).
 */
function namedOnPostgres<Query>(query: Query, name: string): Query {
	if (!usesPostgres()) return query;
	const configs = query as { rawQueryConfig?: { name?: string }; queryConfig?: { name?: string } };
	if (!configs.rawQueryConfig || !configs.queryConfig) throw new Error('drizzle changed: its prepared query has no query configs to name.');
	configs.rawQueryConfig.name = configs.queryConfig.name = name;
	return query;
}

/** As `preparedOnce`, on the synchronous database (for the synchronous callers). */
export function preparedOnceSync<Query>(build: (db: SyncDb) => Query): () => Query {
	const prepared = new WeakMap<SyncDb, Query>();
	return () => {
		const current = getDb();
		let query = prepared.get(current);
		if (!query) prepared.set(current, (query = build(current)));
		return query;
	};
}

const writeGeneration = preparedOnceSync((db) => ({
	ours: db.$client.prepare<[], { n: number }>('SELECT total_changes() AS n'),
	// data_version changes when another connection (another process) commits.
	theirs: db.$client.prepare<[], { data_version: number }>('PRAGMA data_version')
}));

/**
 * Changes whenever anything is written to the database, by this process or another; this process's writes to the
 * board logs excepted (see board-changes.ts).
 */
export function databaseGeneration() {
	if (usesPostgres()) return postgres().generation.value();
	const counters = writeGeneration();
	return `${counters.ours.get()!.n - boardChanges(getDb().$client)}:${counters.theirs.get()!.data_version}`;
}

/**
 * A cache of values each computed once and reused until anything is written to the database (by this process or
 * another): for reads asked for far more often than the data changes. Holds `limit` keys, the least recently used
 * going first; each kind of value has its own, so a room's many guests never push a dashboard out.
 */
export function cacheUntilWrite(limit: number) {
	const remembered = new Map<string, { generation: string; value: unknown }>();
	return async <T>(key: string, compute: () => Promise<T>): Promise<T> => {
		// Taken before computing: a write while it runs makes the next call compute again, never keeps an older value.
		const generation = databaseGeneration();
		const hit = remembered.get(key);
		remembered.delete(key);
		if (hit?.generation === generation) {
			remembered.set(key, hit);
			return hit.value as T;
		}
		const value = await compute();
		if (remembered.size >= limit) remembered.delete(remembered.keys().next().value!);
		remembered.set(key, { generation, value });
		return value;
	};
}

/** For expensive reads (a programme's dashboard, a board's frame): see `cacheUntilWrite`. */
export const unchangedSinceLastWrite = cacheUntilWrite(100);

/**
 * Copies the WAL into the database file and truncates the WAL to zero bytes, so earlier versions of pages (e.g. an
 * anonymous round's votes still linked to their voters) are no longer in any file. Never waits for another
 * connection's readers (that would block the event loop): when one is reading, it tries again a second later, up to
 * a minute. Returns whether it completed now.
 */
export function eraseOldPageVersions(attempt = 0): boolean {
	// PostgreSQL keeps no WAL copies in the database's files that a reader of them could use; VACUUM reclaims rows.
	if (usesPostgres()) return true;
	const { sqlite, guard } = connection();
	// Never inside another request's open transaction on this connection: try again in a moment.
	if (guard.blocked()) {
		if (attempt < 60) setTimeout(() => eraseOldPageVersions(attempt + 1), 1000).unref();
		return false;
	}
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

/** Closes the process's database (its pool on PostgreSQL: resolves when the connections are closed). */
export async function closeDb() {
	instance?.sqlite.close();
	instance = undefined;
	const closing = postgresInstance?.close();
	postgresInstance = undefined;
	await closing;
}

export const db: Db = new Proxy({} as Db, {
	get: (_, property) => Reflect.get(getAsyncDb(), property)
});
