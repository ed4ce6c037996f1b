// Every test file gets its own SQLite file in a fresh temp dir, migrated like a real start-up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'verstas-test-'));
process.env.DATABASE_PATH = join(dir, 'test.db');

const { closeDb, getDb } = await import('../src/lib/server/db');
const { migrateDatabase } = await import('../src/lib/server/db/migrate');
const { shutdownCollab } = await import('../src/lib/server/collab');
migrateDatabase(getDb());

// Files share a worker's modules (vite.config.ts: isolate false), so the process's collab server, which holds this
// file's database, goes with it.
afterAll(async () => {
	await shutdownCollab();
	closeDb();
	rmSync(dir, { recursive: true, force: true });
});
