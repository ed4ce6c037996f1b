import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { m } from '../../src/lib/paraglide/messages.js';
import { db } from '../../src/lib/server/db';
import { queueMail } from '../../src/lib/server/mail/outbox';
import { startProductionServer, type RunningServer } from '../helpers/server';
import { startSmtpServer, type SmtpReply, type SmtpTestServer } from '../helpers/smtp';

// Mail through the real production server and a real SMTP server: the reset flow end to end, failures and
// retries on the admin page, a restart in the middle of a send, and two server processes on one database (the test
// file's own: its SQLite file, or its PostgreSQL database through DATABASE_URL).
const password = 'kahvia-ja-pullaa-42';
let smtp: SmtpTestServer;
let server: RunningServer;
const extra: RunningServer[] = [];
// Per recipient: how the SMTP server answers (default 250).
const answers = new Map<string, (attempt: number) => SmtpReply | Promise<SmtpReply>>();

const env = () => ({
	DATABASE_PATH: process.env.DATABASE_PATH!,
	SMTP_URL: smtp.url,
	MAIL_FROM: 'Verstas <noreply@verstas.test>',
	VERSTAS_MAIL_POLL_MS: '50',
	VERSTAS_MAIL_RETRY_BASE_MS: '100',
	VERSTAS_MAIL_MAX_ATTEMPTS: '3',
	VERSTAS_MAIL_LEASE_MS: '2000',
	ADDRESS_HEADER: 'x-forwarded-for',
	XFF_DEPTH: '1'
});

beforeAll(async () => {
	smtp = await startSmtpServer({ onMessage: (mail, attempt) => answers.get(mail.envelope.to[0] ?? '')?.(attempt) });
	server = await startProductionServer({ env: env() });
	// The first account is the administrator.
	for (const [name, email] of [['Admin', 'admin@example.fi'], ['Sanna', 'sanna@example.fi'], ['Hanna', 'hang@example.fi'], ['Failu', 'fail@example.fi']]) {
		expect((await post(server, '/sign-up', { name: name!, email: email!, password }, '10.0.0.1')).status).toBe(303);
	}
});

afterAll(async () => {
	await Promise.all([server, ...extra].map((s) => s?.stop()));
	await smtp?.close();
});

function post(target: RunningServer, path: string, fields: Record<string, string>, address = '127.0.0.1', cookie?: string) {
	return fetch(target.url + path, {
		method: 'POST',
		redirect: 'manual',
		headers: {
			'content-type': 'application/x-www-form-urlencoded',
			accept: 'text/html',
			origin: target.url,
			'x-forwarded-for': address,
			...(cookie ? { cookie } : {})
		},
		body: new URLSearchParams(fields).toString()
	});
}

const get = (target: RunningServer, path: string, cookie?: string) =>
	fetch(target.url + path, { redirect: 'manual', headers: cookie ? { cookie } : {} });

async function signIn(target: RunningServer, email: string, pass = password) {
	const response = await post(target, '/sign-in', { email, password: pass });
	expect(response.status, `sign-in ${email}`).toBe(303);
	return response.headers.getSetCookie().find((c) => c.startsWith('verstas_session='))!.split(';')[0]!;
}

const requestReset = (email: string, address = '127.0.0.1') => post(server, '/reset-password?/request', { email }, address);

/** Polls the admin page (bounded) until `test` holds for its HTML. */
async function adminPageUntil(target: RunningServer, cookie: string, path: string, test: (html: string) => boolean) {
	let html = '';
	for (let i = 0; i < 200; i++) {
		html = await (await get(target, path, cookie)).text();
		if (test(html)) return html;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	throw new Error(`admin page never matched:\n${html.slice(0, 2000)}`);
}

describe('password reset', () => {
	it('mails a working single-use link, ends every session, and answers the same for unknown emails', async () => {
		const oldSession = await signIn(server, 'sanna@example.fi');
		const known = await requestReset('sanna@example.fi');
		const unknown = await requestReset('nobody@example.fi');
		expect(known.status).toBe(200);
		expect(unknown.status).toBe(200);
		const answer = (html: string) => html.match(/class="notice success">([^<]*)</)?.[1];
		expect(answer(await known.text())).toBe(m.reset_sent({}, { locale: 'fi' }));
		expect(answer(await unknown.text())).toBe(m.reset_sent({}, { locale: 'fi' }));

		const mail = await smtp.messageTo('sanna@example.fi');
		expect(mail.parsed.subject).toBe('Verstas: salasanan vaihto');
		expect(mail.parsed.html).toContain('<html lang="fi">');
		expect(mail.parsed.from?.text).toContain('noreply@verstas.test');
		const link = mail.parsed.text!.match(/http:\/\/\S+\/reset-password\/\S+/)![0];
		expect(link.startsWith(server.url + '/reset-password/')).toBe(true);
		const path = link.slice(server.url.length);

		expect(await (await get(server, path)).text()).toContain('name="password"');
		// A guessable password is refused with the sign-up's message, and the link still works.
		const weak = await post(server, `${path}?/reset`, { password: 'salasana123' });
		expect(weak.status).toBe(400);
		expect(await weak.text()).toContain('role="alert"');
		const reset = await post(server, `${path}?/reset`, { password: 'uusi-kahvikuppi-77' });
		expect(reset.status).toBe(303);
		expect(reset.headers.get('location')).toBe('/sign-in?reset=1');

		// The session from before is gone; the old password no longer works, the new one does.
		expect((await get(server, '/profile', oldSession)).status).toBe(303);
		expect((await post(server, '/sign-in', { email: 'sanna@example.fi', password })).status).toBe(400);
		await signIn(server, 'sanna@example.fi', 'uusi-kahvikuppi-77');

		// Used once: a second use changes nothing.
		expect(await (await get(server, path)).text()).toContain('Linkki on vanhentunut tai jo käytetty');
		const again = await post(server, `${path}?/reset`, { password: 'kolmas-kahvikuppi-99' });
		expect(again.status).toBe(400);
		await signIn(server, 'sanna@example.fi', 'uusi-kahvikuppi-77');
		expect(smtp.messages.filter((m) => m.envelope.to.includes('nobody@example.fi'))).toHaveLength(0);
	});

	it('limits mails per email silently and requests per address with a clear message', async () => {
		for (let i = 0; i < 4; i++) expect((await requestReset('admin@example.fi', '10.1.0.1')).status).toBe(200);
		// Three mails an hour at most; the fourth request was answered the same but sent nothing.
		await smtp.until(() => smtp.messages.filter((m) => m.envelope.to.includes('admin@example.fi')).length >= 3);
		for (let i = 0; i < 6; i++) await requestReset(`someone${i}@example.fi`, '10.1.0.1');
		const limited = await requestReset('admin@example.fi', '10.1.0.1');
		expect(limited.status).toBe(429);
		expect(await limited.text()).toContain('Liian monta pyyntöä');
		// Another address may still ask.
		expect((await requestReset('nobody@example.fi', '10.1.0.2')).status).toBe(200);
		expect(smtp.messages.filter((m) => m.envelope.to.includes('admin@example.fi'))).toHaveLength(3);
	});
});

describe('outbox worker in the server', () => {
	it('retries a refused message with backoff, shows it failed to admins, and sends it on retry', async () => {
		answers.set('fail@example.fi', () => ({ code: 451, message: 'Mailbox busy' }));
		const admin = await signIn(server, 'admin@example.fi');
		await requestReset('fail@example.fi', '10.2.0.1');
		const html = await adminPageUntil(server, admin, '/admin/mail?status=failed', (h) => h.includes('fail@example.fi'));
		expect(html).toContain('Mailbox busy');
		expect(smtp.attempts.filter((m) => m.envelope.to.includes('fail@example.fi'))).toHaveLength(3);
		// The text part is shown as text: the mail's own markup never reaches the page as HTML.
		expect(html).toContain('Salasanan vaihto');
		expect(html).not.toContain('<html lang="fi"><head><meta charset="utf-8">');

		answers.delete('fail@example.fi');
		const id = html.match(/data-mail-id="([^"]+)"/)![1]!;
		const retried = await post(server, '/admin/mail?/retry', { id }, '127.0.0.1', admin);
		expect(retried.status).toBe(200);
		await smtp.messageTo('fail@example.fi');
		// Retrying a sent message is refused with a message, and nothing is sent.
		const twice = await post(server, '/admin/mail?/retry', { id }, '127.0.0.1', admin);
		expect(twice.status).toBe(409);
		// Not for anyone else.
		const sanna = await signIn(server, 'sanna@example.fi', 'uusi-kahvikuppi-77');
		expect((await get(server, '/admin/mail', sanna)).status).toBe(403);
	});

	it('a restart in the middle of a send sends nothing twice: the message is marked uncertain', async () => {
		let release!: () => void;
		const held = new Promise<SmtpReply>((resolve) => (release = () => resolve()));
		answers.set('hang@example.fi', () => held);
		await requestReset('hang@example.fi', '10.3.0.1');
		await smtp.until(() => smtp.attempts.some((m) => m.envelope.to.includes('hang@example.fi')));
		// The server dies while the SMTP server has the message but has not answered.
		server.process.kill('SIGKILL');
		await new Promise((resolve) => server.process.once('exit', resolve));
		release();
		server = await startProductionServer({ env: env() });
		const admin = await signIn(server, 'admin@example.fi');
		const html = await adminPageUntil(server, admin, '/admin/mail?status=uncertain', (h) => h.includes('hang@example.fi'));
		expect(html).toContain(m.admin_mail_retry_uncertain({}, { locale: 'fi' }));
		// The new worker keeps sending other mail, but not that one.
		await requestReset('admin@example.fi', '10.3.0.2');
		await requestReset('sanna@example.fi', '10.3.0.2');
		await smtp.until(() => smtp.messages.filter((m) => m.envelope.to.includes('sanna@example.fi')).length >= 2);
		expect(smtp.attempts.filter((m) => m.envelope.to.includes('hang@example.fi'))).toHaveLength(1);
	});

	it('two server processes on one database send each message exactly once', async () => {
		const second = await startProductionServer({ env: env() });
		extra.push(second);
		const before = smtp.messages.length;
		await db.transaction(async (tx) => {
			for (let i = 0; i < 20; i++) {
				await queueMail(tx, { to: `many${i}@example.fi`, kind: 'test', locale: 'fi', subject: `Monta ${i}`, text: `viesti ${i}`, html: `<p>viesti ${i}</p>` });
			}
		});
		await smtp.until(() => smtp.messages.length >= before + 20);
		// Both workers had time for another round; still one of each.
		await requestReset('sanna@example.fi', '10.4.0.1');
		await smtp.until(() => smtp.messages.filter((m) => m.envelope.to.includes('sanna@example.fi')).length >= 3);
		for (let i = 0; i < 20; i++) expect(smtp.attempts.filter((m) => m.parsed.subject === `Monta ${i}`), `Monta ${i}`).toHaveLength(1);
	});
});
