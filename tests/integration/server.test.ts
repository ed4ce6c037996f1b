import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProductionServer, type RunningServer } from '../helpers/server';
import { rawRun, usesPostgres } from '../../src/lib/server/db';

// The real production entry (server/ + build/) on a free port, against its own SQLite file.
const dir = mkdtempSync(join(tmpdir(), 'verstas-server-'));
let server: RunningServer;

beforeAll(async () => {
	server = await startProductionServer({ env: { DATABASE_PATH: join(dir, 'app.db') } });
});

afterAll(async () => {
	await server?.stop();
	rmSync(dir, { recursive: true, force: true });
});

function formBody(fields: Record<string, string>) {
	return new URLSearchParams(fields).toString();
}

function post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
	return fetch(server.url + path, {
		method: 'POST',
		redirect: 'manual',
		headers: {
			'content-type': 'application/x-www-form-urlencoded',
			origin: server.url,
			'x-sveltekit-action': 'true',
			...headers
		},
		body: formBody(fields)
	});
}

describe('production server', () => {
	it('answers /healthz and sends security headers on pages', async () => {
		const health = await fetch(server.url + '/healthz');
		expect(health.status).toBe(200);
		expect(await health.json()).toEqual({ status: 'ok' });

		const page = await fetch(server.url + '/');
		expect(page.status).toBe(200);
		expect(page.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
		expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self' 'nonce-/);
		expect(page.headers.get('x-content-type-options')).toBe('nosniff');
		expect(page.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
		expect(await page.text()).toMatch(/<html lang="fi">/);
	});

	it('signs up the first account as admin; signing in sets a Secure, HttpOnly, SameSite=Lax session cookie', async () => {
		const signUp = await post('/sign-up', { name: 'Eka Ylläpitäjä', email: 'eka@example.fi', password: 'salasana-123' });
		expect(signUp.status).toBe(200);
		expect(await signUp.json()).toMatchObject({ type: 'redirect', location: '/sign-in?signedUp=1' });
		const response = await post('/sign-in', { email: 'eka@example.fi', password: 'salasana-123' });
		expect(await response.json()).toMatchObject({ type: 'redirect', location: '/' });
		const cookie = response.headers.getSetCookie().find((c) => c.startsWith('verstas_session='))!;
		expect(cookie).toMatch(/HttpOnly/i);
		expect(cookie).toMatch(/SameSite=Lax/i);
		expect(cookie).toMatch(/Secure/i);
		expect(cookie).toMatch(/Path=\//i);

		const admin = await fetch(server.url + '/admin/users', { headers: { cookie: cookie.split(';')[0]! } });
		expect(admin.status).toBe(200);
		expect(await admin.text()).toContain('eka@example.fi');
	});

	it('refuses a cross-site form post before it reaches the action', async () => {
		const response = await post(
			'/sign-up',
			{ name: 'Hyökkääjä', email: 'evil@example.fi', password: 'salasana-123' },
			{ origin: 'http://evil.example' }
		);
		expect(response.status).toBe(403);
		const signIn = await post('/sign-in', { email: 'evil@example.fi', password: 'salasana-123' });
		expect(await signIn.json()).toMatchObject({ type: 'failure', status: 400 });
	});

	it('answers a non-admin with 403 on admin pages and actions, and a visitor with a sign-in redirect', async () => {
		await post('/sign-up', { name: 'Toka', email: 'toka@example.fi', password: 'salasana-123' });
		const signIn = await post('/sign-in', { email: 'toka@example.fi', password: 'salasana-123' });
		const cookie = signIn.headers.getSetCookie().find((c) => c.startsWith('verstas_session='))!.split(';')[0]!;

		const page = await fetch(server.url + '/admin/organisations', { headers: { cookie } });
		expect(page.status).toBe(403);
		const action = await post('/admin/organisations?/create', { name: 'Luvaton', kind: 'city', municipality: 'Lahti' }, { cookie });
		expect(action.status).toBe(403);
		expect(await action.json()).toMatchObject({ type: 'error', error: { message: expect.stringMatching(/oikeutta/) } });
		const adminSession = await post('/sign-in', { email: 'eka@example.fi', password: 'salasana-123' });
		const adminCookie = adminSession.headers.getSetCookie().find((c) => c.startsWith('verstas_session='))!.split(';')[0]!;
		const list = await fetch(server.url + '/admin/organisations', { headers: { cookie: adminCookie } });
		expect(await list.text()).not.toContain('Luvaton');

		const visitor = await fetch(server.url + '/admin/organisations', { redirect: 'manual' });
		expect(visitor.status).toBe(303);
		expect(visitor.headers.get('location')).toBe('/sign-in?redirectTo=%2Fadmin%2Forganisations');
	});

	it('stops a database from a newer version with a clear message', async () => {
		// A migration this version does not know, recorded in the database's migration table.
		const future = ['future', Date.now() + 1e10] as const;
		let env: Record<string, string>;
		let forget = async () => {};
		if (usesPostgres()) {
			env = {};
			await rawRun('INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES (?, ?)', ...future);
			forget = async () => void (await rawRun('DELETE FROM drizzle.__drizzle_migrations WHERE hash = ?', future[0]));
		} else {
			env = { DATABASE_PATH: join(dir, 'newer.db') };
			const first = await startProductionServer({ env });
			await first.stop();
			const sqlite = new Database(env.DATABASE_PATH);
			sqlite.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run(...future);
			sqlite.close();
		}

		const failure = await startProductionServer({ env })
			.then(
				() => null,
				(error: { exitCode: number; output: string }) => error
			)
			.finally(forget);
		expect(failure?.exitCode).toBe(1);
		expect(failure?.output).toMatch(/newer version of Verstas/);
	});
});
