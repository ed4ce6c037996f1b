import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeDb, usesPostgres } from '../../src/lib/server/db';
import { GET } from '../../src/routes/healthz/+server';

const call = async () => (await GET({} as Parameters<typeof GET>[0])) as Response;

describe('GET /healthz', () => {
	it('answers 200 {status: ok} when the database answers', async () => {
		const response = await call();
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({ status: 'ok' });
	});

	it('answers 503 when the database cannot be opened', async () => {
		const original = { path: process.env.DATABASE_PATH, url: process.env.DATABASE_URL };
		const dir = mkdtempSync(join(tmpdir(), 'verstas-broken-'));
		await closeDb();
		// SQLite: a directory is not a database; PostgreSQL: nothing listens at the address.
		if (usesPostgres()) process.env.DATABASE_URL = 'postgres://postgres@127.0.0.1:9/verstas';
		else process.env.DATABASE_PATH = dir;
		try {
			const response = await call();
			expect(response.status).toBe(503);
			expect(await response.json()).toEqual({ status: 'unavailable' });
		} finally {
			for (const [name, value] of [['DATABASE_PATH', original.path], ['DATABASE_URL', original.url]] as const)
				if (value === undefined) delete process.env[name];
				else process.env[name] = value;
			await closeDb();
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
