import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProductionServer, type RunningServer } from '../helpers/server';
import { startSmtpServer, type SmtpTestServer } from '../helpers/smtp';

// A pilot proposal's mail through the real server (demo data: the Mukana programme, its lead and team) and a real
// SMTP server: the lead's language, a link that works, and RFC 8058 one-click unsubscribe.
const dir = mkdtempSync(join(tmpdir(), 'verstas-mail-pilots-'));
let smtp: SmtpTestServer;
let server: RunningServer;

beforeAll(async () => {
	smtp = await startSmtpServer();
	server = await startProductionServer({
		entry: 'demo.js',
		env: { DATABASE_PATH: join(dir, 'demo.db'), SMTP_URL: smtp.url, VERSTAS_MAIL_POLL_MS: '50' }
	});
});

afterAll(async () => {
	await server?.stop();
	await smtp?.close();
	rmSync(dir, { recursive: true, force: true });
});

function post(path: string, fields: Record<string, string>, cookie?: string) {
	return fetch(server.url + path, {
		method: 'POST',
		redirect: 'manual',
		headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: server.url, ...(cookie ? { cookie } : {}) },
		body: new URLSearchParams(fields).toString()
	});
}
const get = (path: string, cookie?: string) => fetch(server.url + path, { redirect: 'manual', headers: cookie ? { cookie } : {} });

async function signIn(email: string) {
	const response = await post('/sign-in', { email, password: 'verstas-demo' });
	expect(response.status).toBe(303);
	return response.headers.getSetCookie().find((c) => c.startsWith('verstas_session='))!.split(';')[0]!;
}

async function propose(cookie: string, programmeId: string, title: string) {
	const response = await post(`/programmes/${programmeId}/pilots/new`, { title, summary: '', hypothesis: '', cadenceWeeks: '4' }, cookie);
	expect(response.status, await response.clone().text()).toBe(303);
	return response.headers.get('location')!;
}

describe('pilot proposal mail', () => {
	it('reaches the lead in the lead’s language with a working link, and one click stops that kind', async () => {
		const lead = await signIn('lead@demo.verstas.fi');
		expect((await post('/profile?/updateProfile', { name: 'Leena Ohjelmajohtaja', locale: 'sv' }, lead)).status).toBe(303);
		const team = await signIn('team@demo.verstas.fi');
		const programmeId = (await (await get('/programmes', team)).text()).match(/href="\/programmes\/([a-z0-9]+)"/)![1]!;
		const pilotPath = await propose(team, programmeId, 'Lukulähettiläät Kontulassa');

		await smtp.until(() => smtp.messages.some((m) => m.parsed.subject?.includes('Lukulähettiläät')));
		const mail = smtp.messages.find((m) => m.parsed.subject?.includes('Lukulähettiläät'))!;
		expect(mail.envelope.to).toEqual(['lead@demo.verstas.fi']);
		expect(mail.parsed.subject).toBe('Nytt förslag till försök: Lukulähettiläät Kontulassa');
		expect(mail.parsed.html).toContain('<html lang="sv">');
		expect(mail.parsed.html).not.toMatch(/<img|<script|https?:\/\/(?!127\.0\.0\.1)/);
		const link = mail.parsed.text!.match(/http:\/\/\S+\/pilots\/[a-z0-9]+/)![0];
		expect(link).toBe(server.url + pilotPath);
		const page = await get(link.slice(server.url.length), lead);
		expect(page.status).toBe(200);
		expect(await page.text()).toContain('Lukulähettiläät Kontulassa');

		// RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the header's address, without cookies or Origin.
		const header = (key: string) => mail.parsed.headerLines.find((line) => line.key === key)?.line.replace(/\r?\n\s+/g, ' ');
		expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
		const target = header('list-unsubscribe')!.match(/^List-Unsubscribe: <([^>]+)>$/)![1]!;
		expect(target.startsWith(`${server.url}/mail/unsubscribe?`)).toBe(true);
		const forged = await fetch(target.replace(/k=[a-z_]+/, 'k=digest'), {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
			body: 'List-Unsubscribe=One-Click'
		});
		expect(forged.status).toBe(400);
		expect(await forged.text()).toContain('Linkki ei ole kelvollinen');
		const oneClick = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
		expect(oneClick.status).toBe(200);

		// The next proposal reaches nobody (the lead was the only one), so the outbox has no row for it.
		await propose(team, programmeId, 'Toinen ehdotus');
		const admin = await signIn('admin@demo.verstas.fi');
		const outbox = await (await get('/admin/mail', admin)).text();
		expect(outbox).toContain('Nytt förslag till försök: Lukulähettiläät Kontulassa');
		expect(outbox).not.toContain('Toinen ehdotus');
		// The profile shows the choice the link made.
		expect(await (await get('/profile', lead)).text()).toMatch(/<option value="off" selected/);
	});
});
