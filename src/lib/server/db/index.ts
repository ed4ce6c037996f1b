import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as schema from './schema';

// Shared with the WebSocket upgrade path in server/: no $app or $env imports here.

export function databasePath() {
	return resolve(process.env.DATABASE_PATH || 'data/verstas.db');
}

export function openDatabase(path = databasePath()) {
	mkdirSync(dirname(path), { recursive: true });
	const sqlite = new Database(path);
	sqlite.pragma('journal_mode = WAL');
	sqlite.pragma('synchronous = NORMAL');
	sqlite.pragma('foreign_keys = ON');
	sqlite.pragma('busy_timeout = 5000');
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

export function closeDb() {
	instance?.$client.close();
	instance = undefined;
}

export const db: Db = new Proxy({} as Db, {
	get: (_, property) => Reflect.get(getDb(), property)
});
