// Starts the production server once for the whole run: `node server/demo.js` on a free port with a fresh demo
// database in a temporary directory. Tests find it through process.env.E2E_BASE_URL (workers inherit the env).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProductionServer } from '../helpers/server';

export default async function globalSetup() {
	const dir = mkdtempSync(join(tmpdir(), 'verstas-e2e-'));
	const server = await startProductionServer({
		entry: 'demo.js',
		// Addresses from X-Forwarded-For, as behind a proxy: rate-limit tests speak from their own address, so the
		// suite's deliberate failed sign-ins do not slow each other (playwright.config.ts sends 127.0.0.1 by default).
		env: { DATABASE_PATH: join(dir, 'e2e.db'), NODE_ENV: 'production', ADDRESS_HEADER: 'x-forwarded-for', XFF_DEPTH: '1' }
	}).catch((error: Error) => {
		rmSync(dir, { recursive: true, force: true });
		throw error;
	});
	server.process.stderr!.on('data', (chunk: Buffer) => process.stderr.write(`[server] ${chunk}`));
	process.env.E2E_BASE_URL = server.url;

	return async () => {
		await server.stop();
		rmSync(dir, { recursive: true, force: true });
	};
}
