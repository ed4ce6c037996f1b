import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProductionServer, type RunningServer } from '../helpers/server';

// Sign-in, sign-up and joining through the real production server, against its own SQLite file.
const dir = mkdtempSync(join(tmpdir(), 'verstas-auth-'));
let server: RunningServer;
const password = 'kahvia-ja-pullaa-42';

beforeAll(async () => {
	server = await startProductionServer({ env: { DATABASE_PATH: join(dir, 'app.db') } });
	const first = await post('/sign-up', { name: 'Eka', email: 'eka@example.fi', password });
	expect(first.status).toBe(303);
});

afterAll(async () => {
	await server?.stop();
	rmSync(dir, { recursive: true, force: true });
});

/** A plain form post, as a browser without JavaScript sends it: redirects come back as 303 + Location. */
function post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
	return fetch(server.url + path, {
		method: 'POST',
		redirect: 'manual',
		headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: server.url, ...headers },
		body: new URLSearchParams(fields).toString()
	});
}

function sessionCookie(response: Response) {
	return response.headers.getSetCookie().find((c) => c.startsWith('verstas_session='))?.split(';')[0];
}

describe('redirect after sign-in', () => {
	const offSite = ['/%09/evil.example/x', '/%0d/evil.example', '/%0d%0aSet-Cookie:%20x=1', '/%5C/evil.example', '//evil.example'];

	it('stays on the site whatever redirectTo holds, and never answers 500', async () => {
		for (const target of offSite) {
			const response = await post(`/sign-in?redirectTo=${target}`, { email: 'eka@example.fi', password });
			expect(response.status, target).toBe(303);
			expect(response.headers.get('location'), target).toBe('/');
		}
		const kept = await post(`/sign-in?redirectTo=${encodeURIComponent('/profile?tab=1')}`, { email: 'eka@example.fi', password });
		expect(kept.headers.get('location')).toBe('/profile?tab=1');
	});

	it('does the same for someone already signed in who opens the sign-in page', async () => {
		const cookie = sessionCookie(await post('/sign-in', { email: 'eka@example.fi', password }))!;
		for (const target of offSite) {
			const response = await fetch(`${server.url}/sign-in?redirectTo=${target}`, { redirect: 'manual', headers: { cookie } });
			expect(response.status, target).toBe(303);
			expect(response.headers.get('location'), target).toBe('/');
		}
	});
});
