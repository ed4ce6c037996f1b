// Every test file gets its own SQLite file in a fresh temp dir, migrated like a real start-up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'verstas-test-'));
process.env.DATABASE_PATH = join(dir, 'test.db');

const { closeDb, getDb } = await import('../src/lib/server/db');
const { migrateDatabase } = await import('../src/lib/server/db/migrate');
migrateDatabase(getDb());

afterAll(() => {
	closeDb();
	rmSync(dir, { recursive: true, force: true });
});
