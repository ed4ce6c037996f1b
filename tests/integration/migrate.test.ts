import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type SyncDb as Db } from '../../src/lib/server/db';
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

describe('a migration that rebuilds a table', () => {
	it('keeps the rows that reference it (sessions, memberships of users)', () => {
		// The migrations up to the one that rebuilds `users` (drizzle-kit: new table, copy, DROP, rename).
		const folder = join(mkdtempSync(join(tmpdir(), 'verstas-migrations-')), 'drizzle');
		cpSync('drizzle', folder, { recursive: true });
		const journalPath = join(folder, 'meta', '_journal.json');
		const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
		const rebuild = journal.entries.findIndex((e) => readFileSync(join(folder, `${e.tag}.sql`), 'utf8').includes('DROP TABLE `users`'));
		expect(rebuild).toBeGreaterThan(0);
		writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, rebuild) }));

		const db = freshDatabase();
		process.env.MIGRATIONS_PATH = folder;
		try {
			migrateDatabase(db);
		} finally {
			delete process.env.MIGRATIONS_PATH;
		}
		const sqlite = db.$client;
		sqlite.prepare("INSERT INTO users (id, email, name, password_hash) VALUES ('u1', 'a@example.fi', 'A', 'x')").run();
		sqlite.prepare("INSERT INTO sessions (id, secret_hash, user_id, last_verified_at) VALUES ('s1', x'00', 'u1', 0)").run();
		sqlite.prepare("INSERT INTO organisations (id, name, kind, municipality) VALUES ('o1', 'Espoo', 'city', 'Espoo')").run();
		sqlite.prepare("INSERT INTO memberships (user_id, organisation_id) VALUES ('u1', 'o1')").run();

		migrateDatabase(db);
		expect(sqlite.prepare('SELECT count(*) AS n FROM sessions').get()).toEqual({ n: 1 });
		expect(sqlite.prepare('SELECT count(*) AS n FROM memberships').get()).toEqual({ n: 1 });
		expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
		rmSync(join(folder, '..'), { recursive: true, force: true });
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
