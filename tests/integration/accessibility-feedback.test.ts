// The accessibility statement's feedback channel (issue 17): anyone sends feedback without an account, in the
// statement's language; bad input changes nothing; admins see its age, overdue after 14 days, and mark it answered.
import { eq } from 'drizzle-orm';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFeedback, markFeedbackAnswered } from '../../src/lib/server/accessibility';
import { db } from '../../src/lib/server/db';
import { accessibilityFeedback, users } from '../../src/lib/server/db/schema';
import { t } from '../e2e/messages';
import { newUser } from '../helpers/collab';
import { postAction, startProductionServer, type RunningServer } from '../helpers/server';

let server: RunningServer;
beforeAll(async () => {
	server = await startProductionServer({ env: { DATABASE_PATH: process.env.DATABASE_PATH!, ADDRESS_HEADER: 'x-forwarded-for' } });
});
afterAll(() => server?.stop());

const stored = () => db.select().from(accessibilityFeedback);
const sv = JSON.parse(readFileSync('messages/sv.json', 'utf8')) as Record<string, string>;
/** The server reads the client's address from X-Forwarded-For here (ADDRESS_HEADER), so each test has its own. */
const from = (address: string) => ({ 'x-forwarded-for': address });

describe('accessibility feedback', () => {
	it('is sent without an account from the statement in each language, stored with that language', async () => {
		for (const [path, locale] of [['/saavutettavuus', 'fi'], ['/tillganglighet', 'sv'], ['/accessibility', 'en']] as const) {
			const page = await fetch(`${server.url}${path}`, { headers: from('203.0.113.1') });
			expect(page.status, path).toBe(200);
			expect(await page.text()).toContain(`lang="${locale}"`);
			const answer = await postAction(server.url, `${path}?/feedback`, '', {
				message: `Kontrasti on liian heikko (${locale}) <script>alert(1)</script>`,
				concerns: '/workshops',
				contact: ''
			}, from('203.0.113.1'));
			expect(answer.type, path).toBe('success');
		}
		const rows = await stored();
		expect(rows.map((row) => row.locale).sort()).toEqual(['en', 'fi', 'sv']);
		expect(rows.every((row) => row.message.includes('<script>') && row.concerns === '/workshops' && row.answeredAt === null)).toBe(true);
	});

	it('refuses what it cannot take with a message in the statement’s language, storing nothing', async () => {
		const before = (await stored()).length;
		const empty = await postAction(server.url, '/tillganglighet?/feedback', '', { message: '   ', contact: 'ei-osoite' }, from('203.0.113.2'));
		expect(empty.status).toBe(400);
		expect(empty.data?.errors).toEqual({ message: sv.error_required, contact: sv.error_email_invalid });
		const long = await postAction(server.url, '/accessibility?/feedback', '', { message: 'x'.repeat(4001) }, from('203.0.113.2'));
		expect(long.status).toBe(400);
		expect(long.data?.errors).toEqual({ message: t('en', 'error_too_long', { max: 4000 }) });
		expect(await stored()).toHaveLength(before);
	});

	it('takes ten from one address an hour, then asks it to wait', async () => {
		const send = (i: number) =>
			fetch(`${server.url}/saavutettavuus?/feedback`, {
				method: 'POST',
				headers: { origin: server.url, 'x-sveltekit-action': 'true', 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '203.0.113.9' },
				body: new URLSearchParams({ message: `palaute ${i}` })
			}).then((response) => response.json() as Promise<{ type: string; status?: number }>);
		for (let i = 0; i < 10; i++) expect((await send(i)).type).toBe('success');
		const refused = await send(10);
		expect(refused).toMatchObject({ type: 'failure', status: 429 });
		expect((await stored()).filter((row) => row.message.startsWith('palaute '))).toHaveLength(10);
	});

	it('admins see each one’s age, unanswered first, overdue from day 14, and mark them answered; others are refused', async () => {
		const admin = await newUser('Saavutettavuusvastaava');
		await db.update(users).set({ isAdmin: true }).where(eq(users.id, admin.id));
		const other = await newUser('Tavallinen');
		const day = 86_400_000;
		const now = Date.now();
		const [oldest] = (await stored()).sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
		await db.update(accessibilityFeedback).set({ receivedAt: new Date(now - 14 * day - 1000) }).where(eq(accessibilityFeedback.id, oldest!.id));

		const list = await listFeedback(now);
		expect(list[0]).toMatchObject({ id: oldest!.id, ageDays: 14, overdue: true });
		expect(list.filter((item) => item.overdue)).toHaveLength(1);
		expect((await listFeedback(now - 1000 - day)).find((item) => item.id === oldest!.id)?.overdue, 'on day 13').toBe(false);

		expect((await fetch(`${server.url}/admin/feedback`, { headers: { cookie: other.cookie, ...from('203.0.113.3') } })).status).toBe(403);
		const page = await fetch(`${server.url}/admin/feedback`, { headers: { cookie: admin.cookie, ...from('203.0.113.3') } });
		expect(page.status).toBe(200);
		const html = await page.text();
		expect(html).toContain('Myöhässä: 14 päivän vastausaika on kulunut');
		// User text is text: escaped, never markup.
		expect(html).toContain('&lt;script');
		expect(html).not.toContain('<script>alert(1)');

		const marked = await postAction(server.url, '/admin/feedback?/answered', admin.cookie, { id: oldest!.id }, from('203.0.113.3'));
		expect(marked.type).toBe('success');
		const answered = (await listFeedback(now)).find((item) => item.id === oldest!.id)!;
		expect(answered).toMatchObject({ overdue: false, answeredBy: admin.id });
		expect((await listFeedback(now)).at(-1)?.id, 'answered ones go last').toBe(oldest!.id);
		// The first answer stays.
		const firstAnswer = answered.answeredAt;
		expect(await markFeedbackAnswered(oldest!.id, other.id)).toBe(true);
		expect((await listFeedback(now)).find((item) => item.id === oldest!.id)).toMatchObject({ answeredBy: admin.id, answeredAt: firstAnswer });
		expect((await postAction(server.url, '/admin/feedback?/answered', other.cookie, { id: oldest!.id }, from('203.0.113.3'))).status).toBe(403);
		expect((await postAction(server.url, '/admin/feedback?/answered', admin.cookie, { id: 'ei-ole' }, from('203.0.113.3'))).status).toBe(404);
	});
});
