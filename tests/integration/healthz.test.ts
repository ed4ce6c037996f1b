import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeDb } from '../../src/lib/server/db';
import { GET } from '../../src/routes/healthz/+server';

const call = async () => (await GET({} as Parameters<typeof GET>[0])) as Response;

describe('GET /healthz', () => {
	it('answers 200 {status: ok} when the database answers', async () => {
		const response = await call();
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({ status: 'ok' });
	});

	it('answers 503 when the database cannot be opened', async () => {
		const original = process.env.DATABASE_PATH;
		const dir = mkdtempSync(join(tmpdir(), 'verstas-broken-'));
		closeDb();
		process.env.DATABASE_PATH = dir; // a directory is not a database
		try {
			const response = await call();
			expect(response.status).toBe(503);
			expect(await response.json()).toEqual({ status: 'unavailable' });
		} finally {
			process.env.DATABASE_PATH = original;
			closeDb();
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
