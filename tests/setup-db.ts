// Every test file gets its own database, migrated like a real start-up: a SQLite file in a fresh temp dir, or with
// VERSTAS_TEST_DATABASE=postgres its own database in the run's PostgreSQL cluster (tests/postgres-global-setup.ts).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, inject } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'verstas-test-'));
process.env.DATABASE_PATH = join(dir, 'test.db');

let dropDatabase = async () => {};
if (process.env.VERSTAS_TEST_DATABASE === 'postgres') {
	const server = inject('postgresUrl');
	const name = `verstas_test_${randomUUID().replaceAll('-', '')}`;
	const admin = async (statement: string) => {
		const client = new pg.Client({ connectionString: server });
		await client.connect();
		await client.query(statement).finally(() => client.end());
	};
	await admin(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
	process.env.DATABASE_URL = server.replace(/\/postgres$/, `/${name}`);
	dropDatabase = () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

const { closeDb } = await import('../src/lib/server/db');
const { migrateCurrentDatabase } = await import('../src/lib/server/db/migrate');
const { shutdownCollab } = await import('../src/lib/server/collab');
await migrateCurrentDatabase();

// Files share a worker's modules (vite.config.ts: isolate false), so the process's collab server, which holds this
// file's database, goes with it.
afterAll(async () => {
	await shutdownCollab();
	await closeDb();
	await dropDatabase();
	rmSync(dir, { recursive: true, force: true });
});
