import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getDb, postgres, usesPostgres, type SyncDb as Db } from './index';

export class DatabaseTooNewError extends Error {}

function migrationsFolder() {
	return resolve(process.env.MIGRATIONS_PATH || 'drizzle');
}

function postgresMigrationsFolder() {
	return resolve(process.env.MIGRATIONS_PG_PATH || 'drizzle-pg');
}

function latestKnownMigration(folder: string): number {
	const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as {
		entries: { when: number }[];
	};
	return Math.max(0, ...journal.entries.map((entry) => entry.when));
}

function latestAppliedMigration(db: Db): number {
	const table = db.$client
		.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")
		.get();
	if (!table) return 0;
	const row = db.$client.prepare('SELECT max(created_at) AS latest FROM __drizzle_migrations').get() as {
		latest: number | null;
	};
	return Number(row.latest ?? 0);
}

/** Applies pending migrations; refuses a database written by a newer Verstas rather than corrupt it. */
export function migrateDatabase(db: Db) {
	const folder = migrationsFolder();
	const known = latestKnownMigration(folder);
	const applied = latestAppliedMigration(db);
	if (applied > known) {
		throw new DatabaseTooNewError(
			`The database ${db.$client.name} was written by a newer version of Verstas ` +
				`(migration ${applied}, this version knows up to ${known}). ` +
				'Upgrade Verstas or point DATABASE_PATH at another database.'
		);
	}
	// drizzle-kit rebuilds a table to change a column (new table, copy, DROP, rename), and its own
	// `PRAGMA foreign_keys=OFF` does nothing inside the migrator's transaction: with keys on, the DROP would
	// cascade and delete every row that references the table. SQLite's documented procedure: keys off outside the
	// transaction, then check them before turning them back on.
	const client = db.$client;
	const foreignKeys = client.pragma('foreign_keys', { simple: true });
	client.pragma('foreign_keys = OFF');
	try {
		migrate(db, { migrationsFolder: folder });
		const broken = client.pragma('foreign_key_check') as unknown[];
		if (broken.length) throw new Error(`A migration left ${broken.length} rows with broken references in ${client.name}.`);
	} finally {
		client.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
	}
}

/** Held while one node migrates: nodes starting together migrate one after another (the later finds nothing to do). */
const migrationLock = 0x56657274;

/**
 * Migrates the process's database at start-up: SQLite's file (migrateDatabase), or PostgreSQL's with drizzle's
 * pg migrator (drizzle-pg/), under an advisory lock, after which every table gets its write-notifying trigger
 * (verstas_watch_writes: tables added by later migrations are watched without each migration having to say so).
 */
export async function migrateCurrentDatabase() {
	if (!usesPostgres()) return migrateDatabase(getDb());
	const folder = postgresMigrationsFolder();
	const known = latestKnownMigration(folder);
	const client = await postgres().pool.connect();
	try {
		await client.query('SELECT pg_advisory_lock($1)', [migrationLock]);
		const journal = await client.query<{ exists: boolean }>("SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS exists");
		const applied = journal.rows[0]?.exists ? await client.query<{ latest: string | null }>('SELECT max(created_at) AS latest FROM drizzle.__drizzle_migrations') : null;
		const latest = Number(applied?.rows[0]?.latest ?? 0);
		if (latest > known) {
			throw new DatabaseTooNewError(
				`The PostgreSQL database was written by a newer version of Verstas (migration ${latest}, this version knows up to ${known}). ` +
					'Upgrade Verstas or point DATABASE_URL at another database.'
			);
		}
		await migratePostgres(drizzlePostgres(client), { migrationsFolder: folder });
		await client.query('SELECT verstas_watch_writes()');
	} finally {
		await client.query('SELECT pg_advisory_unlock($1)', [migrationLock]).catch(() => undefined);
		client.release();
	}
}
