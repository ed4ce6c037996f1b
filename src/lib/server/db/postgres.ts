// PostgreSQL (DATABASE_URL=postgres://…): the connection pool, the domain's drizzle database on it, and the write
// generation. Shared with the WebSocket upgrade path in server/: no $app or $env imports here.
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import * as schema from './schema.pg';

// Values as SQLite's driver gives them, so domain code reads the same types on both: counts and sums (bigint,
// numeric) as numbers, not strings. Every id and millisecond figure here fits a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));

/** Channel of the statement triggers (verstas_watch_writes in drizzle-pg): any commit that changed a watched table. */
const writesChannel = 'verstas_writes';

/**
 * The lock every transaction takes first (pg_advisory_xact_lock): the domain's transactions were written for
 * SQLite, where write transactions run one at a time (BEGIN IMMEDIATE), and read-then-write steps in them (a vote's
 * budget, a unique name) rely on it. Held until commit. A transaction that declares a scope (`transactionWithin`:
 * one voter's ballot) takes it shared plus its scope's own lock, so those of different scopes run side by side
 * while every other transaction still runs alone. The board store's appends take their own per-workshop lock.
 */
const transactionLock = 0x56657273; // "Vers"
/** First key of the scope locks (the second is the scope's hash; two-key locks never meet the one-key lock above). */
const scopeLockClass = 0x53636f70; // "Scop"

export function openPostgres(url: string) {
	const pool = new pg.Pool({ connectionString: url, max: Number(process.env.VERSTAS_PG_POOL_SIZE) || 10 });
	// An idle client's connection error (server restart) must not crash the process: the next query reconnects.
	pool.on('error', (error) => console.error('PostgreSQL pool:', error.message));
	const database = drizzle(pool, { schema });
	const context = new AsyncLocalStorage<Transaction>();
	// The pool's own connections: their commits are counted when they finish (below), so their notifications, which
	// arrive a moment later, must not count again and throw away what was computed after the write.
	const own = new Set<number>();
	pool.on('connect', (client) => own.add((client as unknown as { processID: number }).processID));
	pool.on('remove', (client) => own.delete((client as unknown as { processID: number }).processID));
	const generation = new WriteGeneration(url, own);

	// Writes outside transactions (one statement each) count as soon as they are done: the next request of this
	// process must not reuse a page computed before them.
	const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
	pool.query = (async (...args: unknown[]) => {
		try {
			return await query(...args);
		} finally {
			const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
			if (text && !/^\s*select\b/i.test(text)) generation.wrote();
		}
	}) as typeof pool.query;

	const begin = database.transaction.bind(database);
	// A transaction opened inside another is a savepoint, and queries through `db` inside a transaction run in it
	// (the current transaction, below).
	const transaction = async <T>(scopes: readonly string[] | null, work: (tx: Transaction) => Promise<T>): Promise<T> => {
		const open = context.getStore();
		if (open) return open.transaction(work);
		try {
			return await begin(async (tx) => {
				if (scopes === null) await tx.execute(`SELECT pg_advisory_xact_lock(${transactionLock})`);
				else {
					// The scopes' locks in the order of their keys, so that two transactions sharing scopes never wait
					// for each other in a circle. (Only scoped transactions take scope locks: no other order to keep.)
					const scopeList = sql.join(scopes.map((scope) => sql`${scope}`), sql`, `);
					await tx.execute(sql`SELECT pg_advisory_xact_lock_shared(${sql.raw(String(transactionLock))}),
						(SELECT count(pg_advisory_xact_lock(${sql.raw(String(scopeLockClass))}, key))
							FROM (SELECT DISTINCT hashtext(scope) AS key FROM unnest(ARRAY[${scopeList}]::text[]) AS scope ORDER BY key) AS keys)`);
					tx.transaction = refuseInScope(scopes.join(', '));
				}
				return context.run(tx, () => work(tx));
			});
		} finally {
			generation.wrote();
		}
	};
	database.transaction = ((work: (tx: Transaction) => Promise<unknown>) => transaction(null, work)) as typeof database.transaction;

	return {
		pool,
		db: database,
		generation,
		/** The open transaction of the caller's async context, if any: `db` and raw SQL run in it. */
		current: () => context.getStore() ?? null,
		/** A transaction that reads and writes only what belongs to its scopes (see transactionLock). */
		transactionWithin: transaction,
		async close() {
			await generation.close();
			await pool.end();
		}
	};
}

/** A scoped transaction's savepoints: work opened inside it may need to run alone, which others of other scopes beside it would break. */
const refuseInScope = (scope: string) =>
	(() => Promise.reject(new Error(`A transaction within the scope "${scope}" cannot open another (it may need to run alone).`))) as unknown as Transaction['transaction'];

type Database = ReturnType<typeof drizzle<typeof schema>>;
type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/**
 * Changes whenever anything is committed to the database, by this process or another node: this process's own
 * writes count when they finish (so its next request never reuses older data), other nodes' arrive as
 * notifications from the statement triggers (within milliseconds; those from this process's own connections are
 * skipped). Reading it costs nothing per request.
 * Board update logs have no triggers, as on SQLite (nothing reused until the next write is read from them).
 */
class WriteGeneration {
	#ours = 0;
	#theirs = 0;
	#listener: pg.Client | null = null;
	#closed = false;
	#url: string;
	#own: ReadonlySet<number>;

	constructor(url: string, own: ReadonlySet<number>) {
		this.#url = url;
		this.#own = own;
		this.#listen();
	}

	wrote() {
		this.#ours++;
	}

	value() {
		return `${this.#ours}:${this.#theirs}`;
	}

	#listen() {
		const client = new pg.Client({ connectionString: this.#url });
		this.#listener = client;
		client.on('notification', (message) => !this.#own.has(message.processId) && this.#theirs++);
		// Lost connection: notifications may have been missed, so everything counts as changed; listen again.
		client.on('error', () => undefined);
		client.on('end', () => {
			if (this.#closed) return;
			this.#theirs++;
			setTimeout(() => !this.#closed && this.#listen(), 500).unref();
		});
		client
			.connect()
			.then(() => client.query(`LISTEN ${writesChannel}`))
			.catch(() => client.end().catch(() => undefined));
	}

	async close() {
		this.#closed = true;
		await this.#listener?.end().catch(() => undefined);
	}
}

/** SQLSTATE classes and codes for "the database cannot take this now": full disk, too many connections, shutdown, lost connection. */
const unavailableCodes = /^(08...|53...|57P0[1-3]|25006|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE)$/;

export function isPostgresUnavailable(code: string) {
	return unavailableCodes.test(code);
}
