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
	// As behind a proxy: the client's address comes from X-Forwarded-For, so tests can speak from several addresses.
	// The demo entry: its workshop (join code JALO24, joining open) is there to join.
	server = await startProductionServer({
		entry: 'demo.js',
		env: { DATABASE_PATH: join(dir, 'app.db'), ADDRESS_HEADER: 'x-forwarded-for', XFF_DEPTH: '1' }
	});
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
		headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: server.url, 'x-forwarded-for': '127.0.0.1', ...headers },
		body: new URLSearchParams(fields).toString()
	});
}

const from = (address: string) => ({ 'x-forwarded-for': address });
const signIn = (email: string, pass: string, address: string) => post('/sign-in', { email, password: pass }, from(address));

async function alertOf(response: Response) {
	return (await response.text()).match(/role="alert"[^>]*>\s*<p[^>]*>([^<]*)</)?.[1]?.trim();
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

describe('sign-in limits per address and per account', () => {
	it('slows one address going through many emails; the owner elsewhere is not slowed', async () => {
		await post('/sign-up', { name: 'Omistaja', email: 'omistaja@example.fi', password }, from('198.51.100.20'));
		const attacker = '203.0.113.10';
		for (let i = 1; i <= 10; i++) {
			const response = await signIn(`arvaus-${i}@example.fi`, 'vaara-salasana', attacker);
			expect(response.status, `attempt ${i}`).toBe(400);
			expect(await alertOf(response)).toBe('Sähköposti tai salasana on väärin.');
		}
		for (let i = 11; i <= 15; i++) {
			const response = await signIn(`arvaus-${i}@example.fi`, 'vaara-salasana', attacker);
			expect(response.status, `attempt ${i}`).toBe(429);
			expect(await alertOf(response)).toMatch(/^Liian monta epäonnistunutta kirjautumista\. Yritä uudelleen \d+ sekunnin kuluttua\.$/);
		}
		// Not even the right password of a real account goes through from the slowed address …
		expect((await signIn('omistaja@example.fi', password, attacker)).status).toBe(429);
		// … while the owner, from their own address, signs in.
		const owner = await signIn('omistaja@example.fi', password, '198.51.100.20');
		expect(owner.status).toBe(303);
		expect(sessionCookie(owner)).toBeDefined();
	});

	it('slows guesses at one account from many addresses for seconds, not a lockout: the owner gets in after the wait', async () => {
		await post('/sign-up', { name: 'Kohde', email: 'kohde@example.fi', password }, from('198.51.100.30'));
		for (let i = 1; i <= 5; i++) expect((await signIn('kohde@example.fi', `vaara-${i}`, `192.0.2.${i}`)).status).toBe(400);
		const slowed = await signIn('kohde@example.fi', 'vaara-6', '192.0.2.6');
		expect(slowed.status).toBe(429);
		expect(await alertOf(slowed)).toBe('Liian monta epäonnistunutta kirjautumista. Yritä uudelleen 1 sekunnin kuluttua.');

		// The owner is held back for the same second at most: try until it passes, within a bounded number of tries.
		let response: Response | undefined;
		for (let attempt = 0; attempt < 40; attempt++) {
			response = await signIn('kohde@example.fi', password, '198.51.100.30');
			if (response.status !== 429) break;
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		expect(response!.status).toBe(303);
		expect(sessionCookie(response!)).toBeDefined();
	});
});

describe('joining limits per address and per workshop', () => {
	const joinPage = (code: string, address: string) =>
		fetch(`${server.url}/w/${code}`, { redirect: 'manual', headers: { accept: 'text/html', ...from(address) } });

	it('an address that tried 50 unknown codes is not shown any workshop until it waits; others are', async () => {
		const guesser = '203.0.113.50';
		for (let i = 0; i < 50; i++) {
			const response = await joinPage(`ZZZ${String(i).padStart(3, '2').replace(/[01]/g, '2')}`, guesser);
			expect(response.status).toBe(200);
			expect(await response.text()).toContain('Koodilla ei löytynyt työpajaa.');
		}
		const found = await joinPage('JALO24', guesser);
		const page = await found.text();
		expect(page).toMatch(/Tästä verkosta on kokeiltu liian monta tuntematonta koodia\. Yritä uudelleen \d+ minuutin kuluttua\./);
		expect(page).not.toContain('Sosiaalisesti kestävät kaupungit');
		// The join form's post from that address is refused the same way, and creates nobody.
		const post429 = await post('/w/JALO24', { displayName: 'Arvaaja' }, from(guesser));
		expect(post429.status).toBe(429);

		expect(await (await joinPage('JALO24', '198.51.100.50')).text()).toContain('Sosiaalisesti kestävät kaupungit');
	});

	it('creates at most 400 guests an hour from one address (a venue of 300 fits) and 600 in one workshop', async () => {
		const join = (name: string, address: string) => post('/w/JALO24', { displayName: name }, from(address));
		for (let i = 0; i < 400; i++) expect((await join(`Vieras ${i}`, '192.0.2.150')).status, `guest ${i}`).toBe(303);
		const refused = await join('Vieras 401', '192.0.2.150');
		expect(refused.status).toBe(429);
		expect(await alertOf(refused)).toMatch(/^Liian monta liittymistä lyhyessä ajassa\. Yritä uudelleen \d+ minuutin kuluttua/);
		expect(refused.headers.getSetCookie().some((c) => c.startsWith('verstas_guest_'))).toBe(false);

		// Other addresses fill the workshop up to its limit, then nobody new gets in for a while.
		for (let i = 400; i < 600; i++) expect((await join(`Vieras ${i}`, `198.51.100.${i % 200}`)).status, `guest ${i}`).toBe(303);
		expect((await join('Vieras 601', '198.51.100.250')).status).toBe(429);
	});
});

describe('sign-up', () => {
	it('answers an email that has an account exactly as a new one, signs nobody in and changes nothing', async () => {
		const answers = [];
		for (const email of ['eka@example.fi', 'uusi-tili@example.fi']) {
			const response = await post('/sign-up', { name: 'Kuka Tahansa', email, password: 'toinen-hyva-salasana' }, from('198.51.100.70'));
			answers.push({ status: response.status, location: response.headers.get('location'), cookies: response.headers.getSetCookie().filter((c) => !c.startsWith('verstas_device')) });
		}
		expect(answers[0]).toEqual(answers[1]);
		expect(answers[0]).toEqual({ status: 303, location: '/sign-in?signedUp=1', cookies: [] });
		// The existing account kept its password; the new one has the one just given.
		expect((await signIn('eka@example.fi', 'toinen-hyva-salasana', '198.51.100.71')).status).toBe(400);
		expect((await signIn('eka@example.fi', password, '198.51.100.71')).status).toBe(303);
		expect((await signIn('uusi-tili@example.fi', 'toinen-hyva-salasana', '198.51.100.71')).status).toBe(303);
		const page = await fetch(`${server.url}/sign-in?signedUp=1`);
		expect(await page.text()).toContain('Jos tällä sähköpostiosoitteella ei vielä ollut tiliä, se on nyt luotu');
	});

	it('creates at most 20 accounts an hour from one address, with a translated wait; other addresses go on', async () => {
		const signUp = (i: number, address: string) =>
			post('/sign-up', { name: `Tili ${i}`, email: `tili-${i}@example.fi`, password }, from(address));
		for (let i = 0; i < 20; i++) expect((await signUp(i, '203.0.113.20')).status, `sign-up ${i}`).toBe(303);
		const refused = await signUp(20, '203.0.113.20');
		expect(refused.status).toBe(429);
		expect(await alertOf(refused)).toMatch(/^Liian monta tiliä luotu tästä verkosta lyhyessä ajassa\. Yritä uudelleen \d+ minuutin kuluttua/);
		// Nothing was created for the refused one: it cannot sign in, and the next address signs up at once.
		expect((await signIn('tili-20@example.fi', password, '203.0.113.21')).status).toBe(400);
		expect((await signUp(21, '203.0.113.22')).status).toBe(303);
	});

	it('refuses a guessable password with a translated message and creates no account', async () => {
		const refused = await post('/sign-up', { name: 'Heikko', email: 'heikko@example.fi', password: 'aaaaaaaaaa' }, from('198.51.100.60'));
		expect(refused.status).toBe(400);
		expect(await refused.text()).toContain('Salasana on liian helppo arvata');
		expect(sessionCookie(refused)).toBeUndefined();
		// Nothing was created: the same email signs up with a better password.
		const created = await post('/sign-up', { name: 'Heikko', email: 'heikko@example.fi', password }, from('198.51.100.60'));
		expect(created.status).toBe(303);
	});
});

describe('HSTS', () => {
	it('is sent when the site is served over https (ORIGIN), and not over plain http', async () => {
		expect((await fetch(server.url + '/sign-in')).headers.get('strict-transport-security')).toBeNull();

		const behindTls = await startProductionServer({
			env: { DATABASE_PATH: join(dir, 'https.db'), ORIGIN: 'https://verstas.example.fi' }
		});
		try {
			for (const path of ['/', '/sign-in', '/no-such-page']) {
				const response = await fetch(behindTls.url + path, { redirect: 'manual' });
				expect(response.headers.get('strict-transport-security'), path).toBe('max-age=63072000');
			}
		} finally {
			await behindTls.stop();
		}
	});
});
