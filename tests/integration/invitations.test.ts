// Invitations by e-mail end to end: the facilitator's form on the production server (needs `npm run build`), the
// outbox and its worker in that server, and a real SMTP server in this process (smtp-server, tests/helpers/smtp.ts)
// that receives and parses every message. Each .ics is read back with ical.js, which turns TZID times into instants
// through the attached VTIMEZONE.
import { parse } from 'devalue';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDateTime, formatTime, fromDateTimeLocal } from '../../src/lib/format';
import { m } from '../../src/lib/paraglide/messages.js';
import { workshopEventUid } from '../../src/lib/server/calendar';
import { and, asc, count, eq } from 'drizzle-orm';
import { db } from '../../src/lib/server/db';
import { mailOutbox, rateLimitEvents, users, workshopInvitations } from '../../src/lib/server/db/schema';
import { inviteToWorkshop, maxInvitationsPerHour, maxInvitationsPerWorkshop } from '../../src/lib/server/invitations';
import { createWorkshop, getWorkshop, getWorkshopDetails, UnknownFacilitatorError, updateWorkshop } from '../../src/lib/server/workshops';
import { newUser, waitFor, workshopInput } from '../helpers/collab';
import { startProductionServer, type RunningServer } from '../helpers/server';
import { startSmtpServer, type ReceivedMail, type SmtpTestServer } from '../helpers/smtp';

let smtp: SmtpTestServer;
let server: RunningServer;

beforeAll(async () => {
	// One address is refused for good, to show a failed delivery to the facilitator.
	smtp = await startSmtpServer({ onMessage: (mail) => (mail.envelope.to.includes('nobody@example.fi') ? { code: 550, message: 'No such user' } : undefined) });
	server = await startProductionServer({
		env: { DATABASE_PATH: process.env.DATABASE_PATH!, SMTP_URL: smtp.url, MAIL_FROM: 'Verstas <noreply@verstas.test>', VERSTAS_MAIL_POLL_MS: '100' }
	});
});

afterAll(async () => {
	await server?.stop();
	await smtp?.close();
});

type ActionResult = { type: string; status: number; data?: Record<string, unknown>; location?: string };

/** Posts a form action as `use:enhance` does and decodes its answer. */
async function action(path: string, cookie: string, fields: Record<string, string>) {
	const response = await fetch(`${server.url}${path}`, {
		method: 'POST',
		headers: { cookie, origin: server.url, 'x-sveltekit-action': 'true' },
		body: new URLSearchParams(fields)
	});
	const json = (await response.json()) as ActionResult & { data?: string };
	return { ...json, status: json.status ?? response.status, data: json.data ? (parse(json.data) as Record<string, unknown>) : undefined } as ActionResult;
}

const formOf = (result: ActionResult) => result.data!.invitations as { saved?: string; errors?: Record<string, string> };

function readIcs(mail: ReceivedMail) {
	const attachment = mail.parsed.attachments.find((file) => file.contentType === 'text/calendar');
	expect(attachment, 'an .ics attachment').toBeTruthy();
	const calendar = new ICAL.Component(ICAL.parse(attachment!.content.toString('utf8')));
	for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(zone);
	const component = calendar.getFirstSubcomponent('vevent')!;
	const event = new ICAL.Event(component);
	const start = component.getFirstProperty('dtstart')!;
	return {
		method: calendar.getFirstPropertyValue('method'),
		contentType: attachment!.headers.get('content-type'),
		uid: event.uid,
		sequence: event.sequence,
		summary: event.summary,
		status: component.getFirstPropertyValue('status'),
		start: String(start.getFirstValue()),
		startZone: start.getParameter('tzid'),
		end: String(component.getFirstPropertyValue('dtend')),
		instant: event.startDate.toJSDate().toISOString(),
		location: component.getFirstPropertyValue('location'),
		organizer: component.getFirstPropertyValue('organizer'),
		attendees: component.getAllProperties('attendee').map((property) => property.getFirstValue())
	};
}

const outboxCount = async (workshopId: string) => (await db.select({ n: count() }).from(mailOutbox).where(eq(mailOutbox.about, `workshop:${workshopId}`)))[0]!.n;
const invitationCount = async (workshopId: string) =>
	(await db.select({ n: count() }).from(workshopInvitations).where(eq(workshopInvitations.workshopId, workshopId)))[0]!.n;
const mailsTo = (address: string, subject: string) => smtp.messages.filter((mail) => mail.envelope.to.includes(address) && mail.parsed.subject === subject);

describe('inviting people to a workshop by e-mail', () => {
	it('refuses bad input with a translated message and writes nothing', async () => {
		const owner = await newUser('Kutsuja');
		const sv = `${owner.cookie}; PARAGLIDE_LOCALE=sv`;
		const untimed = await createWorkshop(workshopInput('Ilman aikaa'), owner.id);
		const noTime = await action(`/workshops/${untimed.id}?/invite`, sv, { emails: 'anna@example.fi' });
		expect(noTime.status).toBe(400);
		expect(formOf(noTime).errors!.emails).toBe(m.invitation_error_no_time({}, { locale: 'sv' }));

		const workshop = await createWorkshop({ ...workshopInput('Aikataulutettu'), startsAt: fromDateTimeLocal('2026-11-22T18:30') }, owner.id);
		const cases: [string, string][] = [
			['', m.invitation_error_empty({}, { locale: 'sv' })],
			['anna@example.fi, ei-osoite; @x.fi', m.invitation_error_invalid({ addresses: 'ei-osoite, @x.fi' }, { locale: 'sv' })],
			[Array.from({ length: 51 }, (_, i) => `p${i}@example.fi`).join('\n'), m.invitation_error_too_many_at_once({ max: 50 }, { locale: 'sv' })]
		];
		for (const [emails, message] of cases) {
			const refused = await action(`/workshops/${workshop.id}?/invite`, sv, { emails });
			expect(refused.status, emails).toBe(400);
			expect(formOf(refused).errors!.emails).toBe(message);
		}
		// The limit per workshop: filled up to one short, then two more are refused as a whole.
		await db.insert(workshopInvitations).values(
			Array.from({ length: maxInvitationsPerWorkshop - 1 }, (_, i) => ({ id: `fill-${workshop.id}-${i}`, workshopId: workshop.id, email: `fill${i}@example.fi`, locale: 'fi' as const, invitedAt: new Date(0) }))
		);
		const over = await action(`/workshops/${workshop.id}?/invite`, sv, { emails: 'x1@example.fi x2@example.fi' });
		expect(over.status).toBe(400);
		expect(formOf(over).errors!.emails).toBe(m.invitation_error_limit({ max: maxInvitationsPerWorkshop, left: 1 }, { locale: 'sv' }));
		// The limit per person and hour, over all workshops: two more than are left are refused as a whole.
		const other = await createWorkshop({ ...workshopInput('Toinen'), startsAt: fromDateTimeLocal('2026-11-22T18:30') }, owner.id);
		await db.insert(rateLimitEvents).values(Array.from({ length: maxInvitationsPerHour - 1 }, () => ({ key: `invitations:user:${owner.id}`, at: new Date(Date.now() - 1000) })));
		const hourly = await action(`/workshops/${other.id}?/invite`, sv, { emails: 'x1@example.fi x2@example.fi' });
		expect(hourly.status).toBe(400);
		expect(formOf(hourly).errors!.emails).toBe(m.invitation_error_hourly({ max: maxInvitationsPerHour, left: 1 }, { locale: 'sv' }));
		expect(await invitationCount(other.id)).toBe(0);
		expect(await invitationCount(untimed.id)).toBe(0);
		expect(await invitationCount(workshop.id)).toBe(maxInvitationsPerWorkshop - 1);
		expect((await outboxCount(untimed.id)) + (await outboxCount(workshop.id))).toBe(0);

		// Someone who does not facilitate it cannot invite.
		const stranger = await newUser('Ulkopuolinen');
		const forbidden = await fetch(`${server.url}/workshops/${workshop.id}?/invite`, {
			method: 'POST',
			headers: { cookie: stranger.cookie, origin: server.url, 'x-sveltekit-action': 'true' },
			body: new URLSearchParams({ emails: 'anna@example.fi' })
		});
		expect(forbidden.status).toBe(403);
		expect(await outboxCount(workshop.id)).toBe(0);
	});

	it('sends each invitee the join link, the time and an .ics; a change sends SEQUENCE+1, a deletion METHOD:CANCEL', async () => {
		const owner = await newUser('Fasilitaattori');
		const ownerEmail = (await db.select({ email: users.email }).from(users).where(eq(users.id, owner.id)))[0]!.email;
		const sv = `${owner.cookie}; PARAGLIDE_LOCALE=sv`;
		const startsAt = fromDateTimeLocal('2026-11-22T18:30')!;
		const workshop = await createWorkshop({ ...workshopInput('Jalostamo Kontula'), startsAt, durationMinutes: 120, location: 'Kontulan kirjasto' }, owner.id);

		const invited = await action(`/workshops/${workshop.id}?/invite`, sv, { emails: 'Anna Ahonen <Anna@Example.fi>,\nbertil@example.fi' });
		expect(invited.type).toBe('success');
		expect(formOf(invited).saved).toBe(m.invitations_sent({ count: 2 }, { locale: 'sv' }));
		const subject = m.invitation_subject({ title: 'Jalostamo Kontula' }, { locale: 'sv' });
		const [anna, bertil] = await Promise.all([smtp.messageTo('anna@example.fi'), smtp.messageTo('bertil@example.fi')]);
		const joinLink = `${server.url}/w/${workshop.joinCode}`;
		for (const [mail, address] of [[anna!, 'anna@example.fi'], [bertil!, 'bertil@example.fi']] as const) {
			expect(mail.parsed.subject).toBe(subject);
			expect(mail.parsed.replyTo?.text).toBe(ownerEmail);
			// In the inviter's language (Swedish here), text and HTML alike, with the time in Finnish wall-clock time.
			const time = m.invitation_time({ start: formatDateTime(startsAt, 'sv'), end: formatTime(startsAt.getTime() + 120 * 60_000, 'sv') }, { locale: 'sv' });
			expect(time).toMatch(/18[.:]30.*20[.:]30/);
			for (const part of [mail.parsed.text!, mail.parsed.html as string]) {
				expect(part).toContain(joinLink);
				expect(part).toContain(time);
				expect(part).toContain(m.invitation_intro({ name: 'Fasilitaattori', title: 'Jalostamo Kontula' }, { locale: 'sv' }));
				expect(part).toContain('Kontulan kirjasto');
			}
			expect(mail.parsed.html).toContain('<html lang="sv">');
			expect(readIcs(mail)).toEqual({
				method: 'REQUEST',
				contentType: expect.objectContaining({ value: 'text/calendar', params: expect.objectContaining({ method: 'REQUEST' }) }),
				uid: workshopEventUid(workshop.id),
				sequence: 0,
				summary: 'Jalostamo Kontula',
				status: 'CONFIRMED',
				start: '2026-11-22T18:30:00',
				startZone: 'Europe/Helsinki',
				end: '2026-11-22T20:30:00',
				instant: '2026-11-22T16:30:00.000Z',
				location: 'Kontulan kirjasto',
				organizer: `mailto:${ownerEmail}`,
				// Only the recipient: no invitee learns the others' addresses.
				attendees: [`mailto:${address}`]
			});
		}
		expect(anna!.raw.toString()).not.toContain('bertil@example.fi');
		// The link works: it opens the workshop's join page.
		const joinPage = await fetch(joinLink);
		expect(joinPage.status).toBe(200);
		expect(await joinPage.text()).toContain('Jalostamo Kontula');

		// Already invited addresses are skipped (and said so); a refused address shows as failed on the workshop page.
		const again = await action(`/workshops/${workshop.id}?/invite`, owner.cookie, { emails: 'bertil@example.fi nobody@example.fi' });
		expect(formOf(again).saved).toBe(`${m.invitations_sent({ count: 1 })} ${m.invitations_skipped({ addresses: 'bertil@example.fi' })}`);
		const delivery = async (address: string) =>
			(
				await db
					.select({ status: mailOutbox.status })
					.from(workshopInvitations)
					.innerJoin(mailOutbox, eq(mailOutbox.id, workshopInvitations.lastMailId))
					.where(and(eq(workshopInvitations.workshopId, workshop.id), eq(workshopInvitations.email, address)))
			)[0]?.status;
		await waitFor(async () => (await delivery('nobody@example.fi')) === 'failed' && (await delivery('anna@example.fi')) === 'sent', 'deliveries settled');
		const page = await (await fetch(`${server.url}/workshops/${workshop.id}`, { headers: { cookie: owner.cookie } })).text();
		const row = (address: string) => page.slice(page.indexOf(`<th scope="row">${address}</th>`)).split('</tr>')[0]!;
		expect(row('anna@example.fi')).toContain(`data-delivery="sent">${m.invitation_delivery_sent()}</td>`);
		expect(row('nobody@example.fi')).toContain(`data-delivery="failed">${m.invitation_delivery_failed()}</td>`);

		// The facilitator moves it half an hour later: every invitee gets the same event with SEQUENCE 1.
		const [lane] = (await getWorkshopDetails(workshop.id))!.perspectives;
		const edited = await action(`/workshops/${workshop.id}/edit`, owner.cookie, {
			title: 'Jalostamo Kontula',
			theme: 'Nuorten osallisuus',
			description: '',
			startsAt: '2026-11-22T19:00',
			durationMinutes: '120',
			location: 'Kontulan kirjasto',
			coFacilitators: '',
			'perspectives.0.id': lane!.id,
			'perspectives.0.title': lane!.title,
			'perspectives.0.description': ''
		});
		expect(edited.type).toBe('redirect');
		const updated = m.invitation_update_subject({ title: 'Jalostamo Kontula' }, { locale: 'sv' });
		await smtp.until(() => mailsTo('anna@example.fi', updated).length === 1 && mailsTo('bertil@example.fi', updated).length === 1);
		const update = readIcs(mailsTo('anna@example.fi', updated)[0]!);
		expect(update).toMatchObject({ method: 'REQUEST', uid: workshopEventUid(workshop.id), sequence: 1, start: '2026-11-22T19:00:00', instant: '2026-11-22T17:00:00.000Z' });
		expect(mailsTo('anna@example.fi', updated)[0]!.parsed.text).toContain(m.invitation_update_intro({ title: 'Jalostamo Kontula' }, { locale: 'sv' }));

		// Deleting it cancels the event in every invitee's calendar.
		const deleted = await action(`/workshops/${workshop.id}?/delete`, owner.cookie, {});
		expect(deleted.type).toBe('redirect');
		const cancelled = m.invitation_cancel_subject({ title: 'Jalostamo Kontula' }, { locale: 'sv' });
		await smtp.until(() => mailsTo('anna@example.fi', cancelled).length === 1 && mailsTo('bertil@example.fi', cancelled).length === 1);
		expect(readIcs(mailsTo('bertil@example.fi', cancelled)[0]!)).toMatchObject({
			method: 'CANCEL',
			contentType: expect.objectContaining({ params: expect.objectContaining({ method: 'CANCEL' }) }),
			uid: workshopEventUid(workshop.id),
			sequence: 2,
			status: 'CANCELLED',
			start: '2026-11-22T19:00:00'
		});
		expect(await invitationCount(workshop.id)).toBe(0);
		// Nothing was sent twice.
		expect(mailsTo('anna@example.fi', subject)).toHaveLength(1);
	});
});

describe('invitations when the time goes and comes back', () => {
	/** The .ics of each message queued about the workshop, oldest first, as ical.js reads it. */
	async function queuedCalendars(workshopId: string) {
		const rows = await db
			.select({ to: mailOutbox.to, attachments: mailOutbox.attachments, createdAt: mailOutbox.createdAt })
			.from(mailOutbox)
			.where(eq(mailOutbox.about, `workshop:${workshopId}`))
			.orderBy(asc(mailOutbox.createdAt));
		const calendars = rows.map((row) => {
			const [attachment] = row.attachments;
			const calendar = new ICAL.Component(ICAL.parse(Buffer.from(attachment!.content, 'base64').toString('utf8')));
			const event = calendar.getFirstSubcomponent('vevent')!;
			return { at: row.createdAt.getTime(), to: row.to, method: calendar.getFirstPropertyValue('method'), sequence: Number(event.getFirstPropertyValue('sequence')), start: String(event.getFirstPropertyValue('dtstart')) };
		});
		// Messages queued in the same millisecond: the later change has the higher SEQUENCE (no insertion order on PostgreSQL).
		return calendars.sort((a, b) => a.at - b.at || a.sequence - b.sequence).map(({ at: _, ...calendar }) => calendar);
	}
	const stateOf = async (workshopId: string) => (await db.select({ state: workshopInvitations.state }).from(workshopInvitations).where(eq(workshopInvitations.workshopId, workshopId)))[0]?.state;

	it('a workshop that loses its time is cancelled for the invitees and sent again when it gets one; a failed save sends nothing', async () => {
		const owner = await newUser('Ajastaja');
		const base = { ...workshopInput('Aika muuttuu'), startsAt: fromDateTimeLocal('2026-12-01T10:00') };
		const workshop = await createWorkshop(base, owner.id);
		await inviteToWorkshop(workshop.id, ['dora@example.fi'], { id: owner.id, name: 'Ajastaja', email: 'ajastaja@example.fi' }, 'en');
		await updateWorkshop(workshop.id, { ...base, startsAt: null });
		expect(await stateOf(workshop.id)).toBe('cancelled');
		await updateWorkshop(workshop.id, { ...base, startsAt: fromDateTimeLocal('2026-12-02T10:00') });
		expect(await stateOf(workshop.id)).toBe('invited');
		// A save that fails (an unknown co-facilitator) changes nothing and sends nothing.
		await expect(updateWorkshop(workshop.id, { ...base, startsAt: fromDateTimeLocal('2026-12-03T10:00'), coFacilitatorEmails: ['ei-ole@example.fi'] })).rejects.toThrow(
			UnknownFacilitatorError
		);
		expect(await getWorkshop(workshop.id)).toMatchObject({ calendarSequence: 2, startsAt: fromDateTimeLocal('2026-12-02T10:00') });
		expect(await queuedCalendars(workshop.id)).toEqual([
			{ to: 'dora@example.fi', method: 'REQUEST', sequence: 0, start: '2026-12-01T10:00:00' },
			{ to: 'dora@example.fi', method: 'CANCEL', sequence: 1, start: '2026-12-01T10:00:00' },
			{ to: 'dora@example.fi', method: 'REQUEST', sequence: 2, start: '2026-12-02T10:00:00' }
		]);
	});
});
