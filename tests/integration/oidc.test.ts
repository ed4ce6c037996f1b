import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, listenOidcProvider, type OidcTestProvider } from '../helpers/oidc';
import { startProductionServer, type RunningServer } from '../helpers/server';

// Sign-in with an organisation's account through the real production server and a real OpenID provider
// (oidc-provider) on 127.0.0.1: the authorisation code flow end to end, accounts, linking, organisations, refusals.
const dir = mkdtempSync(join(tmpdir(), 'verstas-oidc-'));
let server: RunningServer;
let op: OidcTestProvider;
const password = 'kahvia-ja-pullaa-42';
const admin = new CookieJar();

/** A port nothing listens on: the provider that is down. */
async function closedPort() {
	const probe = createServer();
	await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
	const { port } = probe.address() as { port: number };
	await new Promise<void>((resolve) => probe.close(() => resolve()));
	return port;
}

beforeAll(async () => {
	op = await listenOidcProvider();
	server = await startProductionServer({
		env: {
			DATABASE_PATH: join(dir, 'app.db'),
			OIDC_PROVIDERS: 'kaupunki,down',
			OIDC_KAUPUNKI_ISSUER: op.issuer,
			OIDC_KAUPUNKI_CLIENT_ID: 'verstas',
			OIDC_KAUPUNKI_CLIENT_SECRET: 'verstas-secret-for-tests',
			OIDC_KAUPUNKI_LABEL: 'Testikaupunki',
			OIDC_DOWN_ISSUER: `http://127.0.0.1:${await closedPort()}`,
			OIDC_DOWN_CLIENT_ID: 'verstas',
			OIDC_DOWN_LABEL: 'Alhaalla',
			OIDC_ALLOW_INSECURE_HTTP: 'true'
		}
	});
	await op.start([
		{ client_id: 'verstas', client_secret: 'verstas-secret-for-tests', redirect_uris: [`${server.url}/sign-in/oidc/kaupunki`] }
	]);
	// The first account becomes the administrator.
	expect((await post('/sign-up', { name: 'Ylläpito', email: 'admin@example.fi', password })).status).toBe(303);
	admin.store(await post('/sign-in', { email: 'admin@example.fi', password }));
}, 60_000);

afterAll(async () => {
	await server?.stop();
	await op?.stop();
	rmSync(dir, { recursive: true, force: true });
});

function post(path: string, fields: Record<string, string>, jar?: CookieJar) {
	return fetch(server.url + path, {
		method: 'POST',
		redirect: 'manual',
		headers: {
			'content-type': 'application/x-www-form-urlencoded',
			accept: 'text/html',
			origin: server.url,
			...(jar ? { cookie: jar.header() } : {})
		},
		body: new URLSearchParams(fields).toString()
	});
}

const get = (path: string, jar?: CookieJar) =>
	fetch(server.url + path, { redirect: 'manual', headers: jar ? { cookie: jar.header() } : {} });

async function alertOf(response: Response) {
	return (await response.text()).match(/role="alert"[^>]*>\s*<p[^>]*>([^<]*)</)?.[1]?.trim();
}

/** Clicks the provider's button, signs in at the provider as `login`, and comes back (the callback's answer). */
async function ssoSignIn(login: string, changeCallback: (url: URL) => void = () => {}, start = '/sign-in/oidc/kaupunki') {
	const jar = new CookieJar();
	const started = await post(start, {}, jar);
	expect(started.status).toBe(303);
	jar.store(started);
	const callback = new URL(await op.signIn(started.headers.get('location')!, login));
	expect(callback.href.startsWith(`${server.url}/sign-in/oidc/kaupunki?`)).toBe(true);
	changeCallback(callback);
	const answer = await fetch(callback, { redirect: 'manual', headers: { cookie: jar.header() } });
	jar.store(answer);
	return { answer, jar, signedIn: jar.cookies.has('verstas_session') };
}

async function profileOf(jar: CookieJar) {
	const response = await get('/profile', jar);
	expect(response.status).toBe(200);
	return response.text();
}

async function organisationId(name: string) {
	const page = await (await get('/admin/organisations', admin)).text();
	return page.match(new RegExp(`href="/admin/organisations/([a-z0-9]+)"[^>]*>${name}<`))![1]!;
}

async function createOrganisation(name: string, sso: Record<string, string>) {
	expect((await post('/admin/organisations?/create', { name, kind: 'city', municipality: name }, admin)).status).toBe(200);
	const id = await organisationId(name);
	const saved = await post(`/admin/organisations/${id}?/sso`, { ssoDomain: '', ssoClaimName: '', ssoClaimValue: '', ...sso }, admin);
	expect(saved.status).toBe(200);
	return id;
}

describe('signing in with the organisation account', () => {
	it('shows one button per provider on the sign-in page', async () => {
		const page = await (await get('/sign-in')).text();
		expect(page).toContain('Kirjaudu: Testikaupunki');
		expect(page).toContain('Kirjaudu: Alhaalla');
		expect(page).toContain('action="/sign-in/oidc/kaupunki"');
	});

	it("lets the sign-in page's forms lead to the providers (CSP form-action), for browsers without JavaScript", async () => {
		const csp = (await get('/sign-in')).headers.get('content-security-policy')!;
		const formAction = csp.split(';').find((directive) => directive.trim().startsWith('form-action'))!;
		expect(formAction.trim().split(/\s+/)).toEqual(expect.arrayContaining(["'self'", op.issuer]));
		// Other pages keep form-action to the site itself.
		expect((await get('/sign-up')).headers.get('content-security-policy')).toMatch(/form-action 'self'(;|$)/);
	});

	it('creates the account from verified claims at the first sign-in and finds it again later', async () => {
		op.accounts.set('maija-1', { email: 'Maija.Meikalainen@hel.fi', email_verified: true, name: 'Maija Meikäläinen' });
		const first = await ssoSignIn('maija-1');
		expect(first.answer.status).toBe(303);
		expect(first.answer.headers.get('location')).toBe('/');
		expect(first.signedIn).toBe(true);
		const profile = await profileOf(first.jar);
		expect(profile).toContain('Maija Meikäläinen');
		expect(profile).toContain('maija.meikalainen@hel.fi');
		expect(profile).toContain('Kirjaudut organisaatiosi tilillä, joten tililläsi ei ole salasanaa.');
		const audit = await (await get('/admin/audit?action=sign_in', admin)).text();
		const row = /<tr[^>]*>((?:(?!<\/tr>)[\s\S])*)<\/tr>/g;
		const rows = [...audit.matchAll(row)].map((match) => match[1]!.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' '));
		expect(rows.some((cells) => cells.includes('maija.meikalainen@hel.fi') && cells.includes('method oidc') && cells.includes('provider kaupunki')), 'the sign-in is in the audit log').toBe(true);

		// The email changes at the provider: the same subject keeps the same account.
		op.accounts.set('maija-1', { email: 'maija.virtanen@hel.fi', email_verified: true, name: 'Maija Virtanen' });
		const again = await ssoSignIn('maija-1', undefined, `/sign-in/oidc/kaupunki?redirectTo=${encodeURIComponent('/profile?x=1')}`);
		expect(again.signedIn).toBe(true);
		expect(again.answer.headers.get('location')).toBe('/profile?x=1');
		expect(await profileOf(again.jar)).toContain('maija.meikalainen@hel.fi');
		expect(await (await get('/admin/users', admin)).text()).not.toContain('maija.virtanen');

		// No password belongs to the account: password sign-in fails like a wrong password.
		const byPassword = await post('/sign-in', { email: 'maija.meikalainen@hel.fi', password: 'mikä-tahansa' });
		expect(byPassword.status).toBe(400);
		expect(await alertOf(byPassword)).toBe('Sähköposti tai salasana on väärin.');
	});

	it('refuses an email the provider has not verified, and creates nothing', async () => {
		op.accounts.set('unverified-1', { email: 'ei.vahvistettu@hel.fi', email_verified: false, name: 'Ei Vahvistettu' });
		const { answer, signedIn } = await ssoSignIn('unverified-1');
		expect(signedIn).toBe(false);
		expect(answer.headers.get('location')).toBe('/sign-in?sso=unverified&provider=kaupunki');
		const page = await (await get(answer.headers.get('location')!)).text();
		expect(page).toContain('Organisaatiosi tili ei vahvistanut sähköpostiosoitettasi');
		expect(await (await get('/admin/users', admin)).text()).not.toContain('ei.vahvistettu@hel.fi');
	});
});

describe('an existing password account', () => {
	it('is linked only after its password is given, then signs in directly', async () => {
		expect((await post('/sign-up', { name: 'Liisa Salasana', email: 'liisa@example.fi', password })).status).toBe(303);
		op.accounts.set('liisa-1', { email: 'liisa@example.fi', email_verified: true, name: 'Liisa Organisaatio' });

		const { answer, jar, signedIn } = await ssoSignIn('liisa-1');
		expect(signedIn).toBe(false);
		expect(answer.headers.get('location')).toBe('/sign-in/link');
		const page = await (await get('/sign-in/link', jar)).text();
		expect(page).toContain('Osoitteella liisa@example.fi on jo Verstas-tili.');

		const wrong = await post('/sign-in/link?/link', { password: 'vaara-salasana-1' }, jar);
		expect(wrong.status).toBe(400);
		expect(await alertOf(wrong)).toBe('Salasana on väärin. Tilejä ei yhdistetty.');
		expect(wrong.headers.getSetCookie().some((c) => c.startsWith('verstas_session='))).toBe(false);
		// Another browser (no link cookie) has nothing to link.
		expect((await post('/sign-in/link?/link', { password })).headers.get('location')).toBe('/sign-in?sso=link-expired');

		const right = await post('/sign-in/link?/link', { password }, jar);
		expect(right.status).toBe(303);
		jar.store(right);
		expect(jar.cookies.has('verstas_session')).toBe(true);
		expect(await profileOf(jar)).toContain('Liisa Salasana');

		const next = await ssoSignIn('liisa-1');
		expect(next.answer.headers.get('location')).toBe('/');
		expect(await profileOf(next.jar)).toContain('liisa@example.fi');
		// The password keeps working too.
		expect((await post('/sign-in', { email: 'liisa@example.fi', password })).status).toBe(303);
	});

	it('counts wrong link passwords like failed sign-ins', async () => {
		expect((await post('/sign-up', { name: 'Kalle', email: 'kalle@example.fi', password })).status).toBe(303);
		op.accounts.set('kalle-1', { email: 'kalle@example.fi', email_verified: true, name: 'Kalle' });
		const { jar } = await ssoSignIn('kalle-1');
		const statuses = [];
		for (let i = 0; i < 6; i++) statuses.push((await post('/sign-in/link?/link', { password: `arvaus-${i}` }, jar)).status);
		expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
	});
});

describe('organisations bound to a domain or a claim', () => {
	it('make their people members at sign-in; a required domain refuses password sign-in and sign-up', async () => {
		const espoo = await createOrganisation('Espoon kaupunki', { ssoDomain: 'espoo.fi', ssoRequired: 'on' });
		const vantaa = await createOrganisation('Vantaan kaupunki', { ssoClaimName: 'groups', ssoClaimValue: 'verstas-vantaa' });
		await createOrganisation('Turun kaupunki', { ssoClaimName: 'tid', ssoClaimValue: 'turku-tenant' });

		op.accounts.set('eero-1', { email: 'eero@espoo.fi', email_verified: true, name: 'Eero Espoo', groups: ['muut', 'verstas-vantaa'], tid: 'other' });
		const { jar, signedIn } = await ssoSignIn('eero-1');
		expect(signedIn).toBe(true);
		const profile = await profileOf(jar);
		expect(profile).toContain('Espoon kaupunki');
		expect(profile).toContain('Vantaan kaupunki');
		expect(profile).not.toContain('Turun kaupunki');
		for (const id of [espoo, vantaa]) expect(await (await get(`/admin/organisations/${id}`, admin)).text()).toContain('eero@espoo.fi');

		const signIn = await post('/sign-in', { email: 'Joku@Espoo.fi', password });
		expect(signIn.status).toBe(403);
		expect(await alertOf(signIn)).toBe(
			'Tämän sähköpostiosoitteen organisaatio edellyttää kirjautumista organisaation tilillä: valitse yllä oleva painike "Kirjaudu: …".'
		);
		const signUp = await post('/sign-up', { name: 'Joku', email: 'joku@espoo.fi', password });
		expect(signUp.status).toBe(403);
		expect(await alertOf(signUp)).toContain('edellyttää kirjautumista organisaation tilillä');
		expect(await (await get('/admin/users', admin)).text()).not.toContain('joku@espoo.fi');
	});

	it('refuses bad settings with a clear message and changes nothing', async () => {
		const id = await createOrganisation('Lahden kaupunki', { ssoDomain: 'lahti.fi' });
		const cases: [Record<string, string>, string][] = [
			[{ ssoDomain: 'ei verkkotunnus' }, 'Anna verkkotunnus muodossa kaupunki.fi.'],
			[{ ssoDomain: 'espoo.fi' }, 'Verkkotunnus on jo toisen organisaation.'],
			[{ ssoDomain: '', ssoRequired: 'on' }, 'Kirjautumisen voi vaatia vain verkkotunnukselle: anna verkkotunnus.'],
			[{ ssoDomain: 'lahti.fi', ssoClaimName: 'groups' }, 'Anna sekä tiedon nimi että arvo, tai jätä molemmat tyhjiksi.'],
			[{ ssoDomain: 'lahti.fi', ssoClaimName: 'groups<x>', ssoClaimValue: 'a' }, 'Tiedon nimessä voi olla vain kirjaimia a–z, numeroita ja merkit _ . : / -']
		];
		for (const [fields, message] of cases) {
			const response = await post(`/admin/organisations/${id}?/sso`, { ssoDomain: '', ssoClaimName: '', ssoClaimValue: '', ...fields }, admin);
			expect(response.status, message).toBeGreaterThanOrEqual(400);
			expect(response.status, message).toBeLessThan(500);
			expect(await response.text(), message).toContain(message);
		}
		expect(await (await get(`/admin/organisations/${id}`, admin)).text()).toContain('value="lahti.fi"');
		// Only an admin changes them.
		const member = await ssoSignIn('eero-1');
		expect((await post(`/admin/organisations/${id}?/sso`, { ssoDomain: 'hel.fi' }, member.jar)).status).toBe(403);
	});
});

describe('refused answers sign nobody in', () => {
	it('a tampered state', async () => {
		op.accounts.set('state-1', { email: 'tila@hel.fi', email_verified: true, name: 'Tila' });
		const { answer, signedIn } = await ssoSignIn('state-1', (url) => url.searchParams.set('state', 'tampered-' + url.searchParams.get('state')));
		expect(signedIn).toBe(false);
		expect(answer.headers.get('location')).toBe('/sign-in?sso=refused&provider=kaupunki');
		expect(await alertOf(await get('/sign-in?sso=refused&provider=kaupunki'))).toBe(
			'Kirjautuminen organisaation tilillä ei onnistunut, eikä ketään kirjattu sisään. Aloita kirjautuminen uudelleen.'
		);
	});

	it('an ID token for another audience, and an expired one, though signed with the provider key', async () => {
		op.accounts.set('token-1', { email: 'tunniste@hel.fi', email_verified: true, name: 'Tunniste' });
		const now = Math.floor(Date.now() / 1000);
		const rewrites = [
			(claims: Record<string, unknown>) => ({ ...claims, aud: 'another-client' }),
			(claims: Record<string, unknown>) => ({ ...claims, iat: now - 7200, exp: now - 3600 })
		];
		try {
			for (const rewrite of rewrites) {
				op.setIdTokenRewrite(rewrite);
				const { answer, signedIn } = await ssoSignIn('token-1');
				expect(signedIn).toBe(false);
				expect(answer.headers.get('location')).toBe('/sign-in?sso=refused&provider=kaupunki');
			}
			// The same sign-in with the token as issued goes through: the rewrite alone was refused.
			op.setIdTokenRewrite((claims) => claims);
			expect((await ssoSignIn('token-1')).signedIn).toBe(true);
		} finally {
			op.setIdTokenRewrite(undefined);
		}
	});

	it('a callback without the flow cookie of the browser that started it', async () => {
		const callback = await fetch(`${server.url}/sign-in/oidc/kaupunki?code=x&state=y`, { redirect: 'manual' });
		expect(callback.headers.get('location')).toBe('/sign-in?sso=flow-missing&provider=kaupunki');
	});

	it('a provider that is down gets a clear message, not a 500', async () => {
		const response = await post('/sign-in/oidc/down', {});
		expect(response.status).toBe(503);
		expect(await alertOf(response)).toBe('Kirjautumispalvelu Alhaalla ei juuri nyt vastaa. Yritä hetken kuluttua uudelleen.');
	});
});

describe('settings', () => {
	it('a provider without its issuer stops the start with the setting named', async () => {
		const failure = await startProductionServer({
			env: { DATABASE_PATH: join(dir, 'misconfigured.db'), OIDC_PROVIDERS: 'puuttuva', OIDC_PUUTTUVA_CLIENT_ID: 'verstas' }
		}).then(
			() => null,
			(error: { exitCode: number; output: string }) => error
		);
		expect(failure?.exitCode).toBe(1);
		expect(failure?.output).toMatch(/OIDC_PUUTTUVA_ISSUER must be the provider's issuer URL/);
	});
});
