import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/lib/server/db';
import { DatabaseTooNewError, migrateDatabase } from '../../src/lib/server/db/migrate';

const opened: { db: Db; dir: string }[] = [];
function freshDatabase() {
	const dir = mkdtempSync(join(tmpdir(), 'verstas-migrate-'));
	const db = openDatabase(join(dir, 'fresh.db'));
	opened.push({ db, dir });
	return db;
}

afterEach(() => {
	for (const { db, dir } of opened.splice(0)) {
		db.$client.close();
		rmSync(dir, { recursive: true, force: true });
	}
});

const tables = (db: Db) =>
	(db.$client.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
		(t) => t.name
	);

describe('migrations at start-up', () => {
	it('creates the schema on an empty file, in WAL mode, and is idempotent', () => {
		const db = freshDatabase();
		migrateDatabase(db);
		migrateDatabase(db);
		expect(tables(db)).toEqual(expect.arrayContaining(['users', 'sessions', 'organisations', 'memberships', 'rate_limit_events']));
		expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
		expect(db.$client.pragma('foreign_keys', { simple: true })).toBe(1);
	});

	it('refuses a database written by a newer version, with a clear message and no change', () => {
		const db = freshDatabase();
		migrateDatabase(db);
		db.$client
			.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)')
			.run('from-the-future', Date.now() + 365 * 24 * 3600_000);
		const before = tables(db);
		expect(() => migrateDatabase(db)).toThrow(DatabaseTooNewError);
		expect(() => migrateDatabase(db)).toThrow(/newer version of Verstas/);
		expect(tables(db)).toEqual(before);
	});
});

describe('prepared statements reused per SQL text', () => {
	it('hands out the same statement again, back in the default row mode, and a fresh one while it iterates', () => {
		const db = freshDatabase();
		migrateDatabase(db);
		const sqlite = db.$client;
		sqlite.prepare("INSERT INTO organisations (id, name, kind, municipality) VALUES ('o1', 'Espoo', 'city', 'Espoo'), ('o2', 'Vantaa', 'city', 'Vantaa')").run();
		const source = 'SELECT id, name FROM organisations ORDER BY id';
		const first = sqlite.prepare(source);
		expect(first.raw().all()).toEqual([['o1', 'Espoo'], ['o2', 'Vantaa']]);
		const again = sqlite.prepare(source);
		expect(again).toBe(first);
		expect(again.all()).toEqual([{ id: 'o1', name: 'Espoo' }, { id: 'o2', name: 'Vantaa' }]);

		const iterating = sqlite.prepare(source).iterate();
		iterating.next();
		const meanwhile = sqlite.prepare(source);
		expect(meanwhile).not.toBe(first);
		expect(meanwhile.all()).toHaveLength(2);
		iterating.return?.();

		// Drizzle's own queries go through the same statements and keep their shapes.
		expect(db.all<{ id: string }>('SELECT id FROM organisations ORDER BY id')).toEqual([{ id: 'o1' }, { id: 'o2' }]);
	});
});
