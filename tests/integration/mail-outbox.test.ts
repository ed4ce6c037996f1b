import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/lib/server/db';
import { mailOutbox } from '../../src/lib/server/db/schema';
import { claimNextMail, getMail, queueMail, retryMail } from '../../src/lib/server/mail/outbox';
import { renderMail } from '../../src/lib/server/mail/render';
import { backoffMs, sendDueMail, type WorkerOptions } from '../../src/lib/server/mail/worker';
import { startSmtpServer, type SmtpReply, type SmtpTestServer } from '../helpers/smtp';

// The outbox and its sender against a real SMTP server (smtp-server, in-process) and this file's own SQLite file.
let smtp: SmtpTestServer;
// Each test decides how the server answers: 250 by default.
let answer: (subject: string, attempt: number) => SmtpReply | Promise<SmtpReply> = () => undefined;

beforeAll(async () => {
	smtp = await startSmtpServer({ onMessage: (mail, attempt) => answer(mail.parsed.subject ?? '', attempt) });
});
afterAll(() => smtp?.close());

const settings = { retryBaseMs: 1000, maxAttempts: 3, leaseMs: 4000, pollMs: 1000 };
const worker = (overrides: Partial<WorkerOptions> = {}): WorkerOptions => ({
	owner: 'test-worker',
	smtp: { host: '127.0.0.1', port: smtp.port, secure: false },
	from: 'Verstas <noreply@verstas.test>',
	settings,
	...overrides
});

function queue(subject: string, extra: { dedupeKey?: string } = {}) {
	const content = renderMail({ locale: 'sv', subject, title: subject, blocks: [{ paragraph: 'Hej <b>"du"</b> & co' }, { link: { label: 'Öppna', url: 'http://127.0.0.1/x?a=1&b=2' } }] });
	return queueMail(db, { to: 'person@example.fi', kind: 'test', locale: 'sv', ...content, ...extra });
}

const received = (subject: string) => smtp.messages.filter((mail) => mail.parsed.subject === subject).length;

describe('queueMail', () => {
	it('writes only with the transaction that caused it, and a dedupeKey once', async () => {
		await expect(
			db.transaction(async (tx) => {
				await queueMail(tx, { to: 'a@example.fi', kind: 'test', locale: 'fi', subject: 'rolled back', text: 't', html: '<p>t</p>' });
				throw new Error('the event failed');
			})
		).rejects.toThrow('the event failed');
		expect(await db.select().from(mailOutbox).where(eq(mailOutbox.subject, 'rolled back'))).toHaveLength(0);

		const first = await queue('once', { dedupeKey: 'reminder:x:2026-01-01' });
		const second = await queue('once', { dedupeKey: 'reminder:x:2026-01-01' });
		expect(first).toBeTruthy();
		expect(second).toBeNull();
		expect(await db.select().from(mailOutbox).where(eq(mailOutbox.subject, 'once'))).toHaveLength(1);
		await db.delete(mailOutbox);
	});
});

describe('sendDueMail', () => {
	it('sends a queued message once, with text and HTML parts, escaped, in its language', async () => {
		const id = (await queue('Hei'))!;
		expect(await sendDueMail(worker())).toBe(1);
		const mail = await smtp.messageTo('person@example.fi');
		expect(mail.parsed.text).toContain('Hej <b>"du"</b> & co');
		expect(mail.parsed.html).toContain('<html lang="sv">');
		expect(mail.parsed.html).toContain('Hej &lt;b&gt;&quot;du&quot;&lt;/b&gt; &amp; co');
		expect(mail.parsed.html).toContain('<a href="http://127.0.0.1/x?a=1&amp;b=2"');
		expect(mail.parsed.html).not.toMatch(/<img|<script/i);
		expect(mail.parsed.messageId).toBe((await getMail(id))!.messageId);
		expect(await getMail(id)).toMatchObject({ status: 'sent', attempts: 1 });
		expect(await sendDueMail(worker())).toBe(0);
		expect(received('Hei')).toBe(1);
	});

	it('retries a refused message with exponential backoff and shows it failed when attempts run out', async () => {
		answer = (subject) => (subject === 'Busy' ? { code: 451, message: 'Try again later' } : undefined);
		const id = (await queue('Busy'))!;
		// The clock starts once the message is queued (due at once): PostgreSQL's round trips take a millisecond or more.
		let clock = Date.now();
		const now = () => new Date(clock);
		await sendDueMail(worker({ now }));
		expect(await getMail(id)).toMatchObject({ status: 'queued', attempts: 1 });
		expect((await getMail(id))!.nextAttemptAt.getTime()).toBe(clock + backoffMs(1, settings.retryBaseMs));
		expect((await getMail(id))!.lastError).toContain('Try again later');
		// Not before its time …
		clock += 999;
		expect(await sendDueMail(worker({ now }))).toBe(0);
		clock += 1;
		expect(await sendDueMail(worker({ now }))).toBe(1);
		expect((await getMail(id))!.nextAttemptAt.getTime()).toBe(clock + 2000);
		clock += 2000;
		await sendDueMail(worker({ now }));
		expect(await getMail(id)).toMatchObject({ status: 'failed', attempts: 3 });
		expect((await getMail(id))!.lastError).toContain('451');

		// An admin retries once the server works again: it goes out.
		answer = () => undefined;
		expect(await retryMail(id)).toBe(true);
		await sendDueMail(worker({ now }));
		expect(await getMail(id)).toMatchObject({ status: 'sent' });
		expect(received('Busy')).toBe(1);
		expect(smtp.attempts.filter((mail) => mail.parsed.subject === 'Busy')).toHaveLength(4);
	});

	it('does not retry a permanent refusal (5xx)', async () => {
		answer = (subject) => (subject === 'Nobody' ? { code: 550, message: 'No such user' } : undefined);
		const id = (await queue('Nobody'))!;
		await sendDueMail(worker());
		expect(await getMail(id)).toMatchObject({ status: 'failed', attempts: 1 });
		expect((await getMail(id))!.lastError).toContain('No such user');
		answer = () => undefined;
	});

	it('two workers at once send every message exactly once', async () => {
		for (let i = 0; i < 20; i++) await queue(`Batch ${i}`);
		const counts = await Promise.all([sendDueMail(worker({ owner: 'a' })), sendDueMail(worker({ owner: 'b' }))]);
		expect(counts[0]! + counts[1]!).toBe(20);
		for (let i = 0; i < 20; i++) expect(received(`Batch ${i}`), `Batch ${i}`).toBe(1);
	});

	it('marks a message whose answer never came uncertain, and does not send it again by itself', async () => {
		let release!: () => void;
		answer = (subject) => (subject === 'Hang' ? new Promise<SmtpReply>((resolve) => (release = () => resolve())) : undefined);
		const id = (await queue('Hang'))!;
		await sendDueMail(worker({ settings: { ...settings, leaseMs: 1000 } }));
		release();
		expect(await getMail(id)).toMatchObject({ status: 'uncertain' });
		expect((await getMail(id))!.lastError).toContain('no answer');
		await sendDueMail(worker());
		expect(smtp.attempts.filter((mail) => mail.parsed.subject === 'Hang')).toHaveLength(1);
		answer = () => undefined;
	});

	it('a claim whose sender died turns uncertain when its lease ends, never resent', async () => {
		const id = (await queue('Crashed'))!;
		let clock = Date.now();
		expect((await claimNextMail('dead-process', new Date(clock + 4000), new Date(clock)))?.id).toBe(id);
		// Within the lease: nobody touches it.
		await sendDueMail(worker({ now: () => new Date(clock) }));
		expect(await getMail(id)).toMatchObject({ status: 'sending' });
		clock += 4000;
		await sendDueMail(worker({ now: () => new Date(clock) }));
		expect(await getMail(id)).toMatchObject({ status: 'uncertain' });
		expect(received('Crashed')).toBe(0);
	});
});
