// The personal iCalendar feed on a real SQLite file and through the production server (needs `npm run build`):
// every calendar is read back with ical.js, a full RFC 5545 parser, which also turns each TZID time into an instant
// through the calendar's own VTIMEZONE (so a wrong zone or wall-clock time shows as a wrong instant).
import ICAL from 'ical.js';
import { parse } from 'devalue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromDateTimeLocal } from '../../src/lib/format';
import { m } from '../../src/lib/paraglide/messages.js';
import { buildCalendar, buildPersonalCalendar, checkInEventUid, workshopEventUid } from '../../src/lib/server/calendar';
import { rawGet } from '../../src/lib/server/db';
import { addMember, createOrganisation } from '../../src/lib/server/organisations';
import { checkInSchema, pilotSchema, proposePilot, readPilotForm, recordCheckIn, transitionPilot } from '../../src/lib/server/pilots';
import { createProgramme, programmeSchema, readProgrammeForm } from '../../src/lib/server/programmes';
import { createWorkshop, getWorkshop, joinAsUser, removeParticipant, updateWorkshop, type WorkshopInput } from '../../src/lib/server/workshops';
import { newUser, workshopInput } from '../helpers/collab';
import { startProductionServer, type RunningServer } from '../helpers/server';

type ParsedEvent = {
	uid: string;
	summary: string;
	sequence: number;
	start: string;
	startZone: string | null;
	end: string;
	instant: string | null;
	location: string | null;
	url: string | null;
	description: string | null;
};

/** Parses a calendar (ical.js throws on malformed input) and lists its events as plain values. */
function readCalendar(text: string) {
	const calendar = new ICAL.Component(ICAL.parse(text));
	for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(zone);
	const events: ParsedEvent[] = calendar.getAllSubcomponents('vevent').map((component) => {
		const event = new ICAL.Event(component);
		const start = component.getFirstProperty('dtstart')!;
		return {
			uid: event.uid,
			summary: event.summary,
			sequence: event.sequence,
			start: String(start.getFirstValue()),
			startZone: (start.getParameter('tzid') as string | undefined) ?? null,
			end: String(component.getFirstPropertyValue('dtend')),
			instant: event.startDate.isDate ? null : event.startDate.toJSDate().toISOString(),
			location: (component.getFirstPropertyValue('location') as string | null) ?? null,
			url: (component.getFirstPropertyValue('url') as string | null) ?? null,
			description: (component.getFirstPropertyValue('description') as string | null) ?? null
		};
	});
	return {
		method: (calendar.getFirstPropertyValue('method') as string | null) ?? null,
		name: (calendar.getFirstPropertyValue('x-wr-calname') as string | null) ?? null,
		zones: calendar.getAllSubcomponents('vtimezone').map((zone) => zone.getFirstPropertyValue('tzid')),
		events
	};
}

const at = (wallClock: string) => fromDateTimeLocal(wallClock)!;
const input = (title: string, overrides: Partial<WorkshopInput> = {}): WorkshopInput => ({ ...workshopInput(title), ...overrides });

let counter = 0;

/** A running pilot (started 2026-01-05, every 4 weeks) proposed by `teamMember`, who is on its team. */
async function runningPilot(teamMember: { id: string }, title: string) {
	const n = ++counter;
	const city = await createOrganisation({ name: `Kalenterikaupunki ${n}-${Date.now()}`, kind: 'city', municipality: 'Helsinki' });
	const lead = await newUser('Vetäjä');
	await addMember(city.id, lead.id, 'programme_lead');
	await addMember(city.id, teamMember.id, 'member');
	const form = new FormData();
	for (const [key, value] of Object.entries({ name: `Ohjelma ${n}`, ownerOrganisationId: city.id, startsOn: '', endsOn: '', description: '' })) form.set(key, value);
	form.set('goals.0.title', 'Tavoite');
	const programme = await createProgramme(programmeSchema.parse(readProgrammeForm(form)), lead.id);
	const pilotForm = new FormData();
	for (const [key, value] of Object.entries({ title, summary: '', cadenceWeeks: '4', startsOn: '2026-01-05' })) pilotForm.set(key, value);
	const pilot = await proposePilot(programme.id, pilotSchema.parse(readPilotForm(pilotForm)), teamMember.id);
	await transitionPilot(pilot.id, 'approve', { id: lead.id, isAdmin: false });
	await transitionPilot(pilot.id, 'start', { id: teamMember.id, isAdmin: false });
	return { pilot, lead, programme };
}

describe('iCalendar output', () => {
	it('writes Finnish wall-clock times with TZID=Europe/Helsinki and its VTIMEZONE, in winter and in summer', () => {
		const now = new Date('2026-05-01T10:00:00Z');
		const text = buildCalendar({
			method: 'REQUEST',
			now,
			events: [
				{ uid: 'winter@verstas', sequence: 2, start: at('2026-11-22T18:30'), minutes: 180, summary: 'Talvi; "lainaus", pilkku', location: 'Kontula' },
				{ uid: 'summer@verstas', sequence: 0, start: at('2026-06-10T09:00'), minutes: 90, summary: 'Kesä' },
				{ uid: 'day@verstas', sequence: 0, day: '2026-03-02', summary: 'Eräpäivä' }
			]
		});
		expect(text.split('\r\n').slice(0, 5)).toEqual(['BEGIN:VCALENDAR', 'PRODID:-//Verstas//Verstas//FI', 'VERSION:2.0', 'CALSCALE:GREGORIAN', 'METHOD:REQUEST']);
		expect(text).toContain('\r\nDTSTART;TZID=Europe/Helsinki:20261122T183000\r\n');
		expect(text).toContain('\r\nDTEND;TZID=Europe/Helsinki:20261122T213000\r\n');
		expect(text).toContain('\r\nDTSTART;VALUE=DATE:20260302\r\nDTEND;VALUE=DATE:20260303\r\n');
		expect(text).toContain('\r\nDTSTAMP:20260501T100000Z\r\n');
		expect(text).toContain('\r\nSUMMARY:Talvi\\; "lainaus"\\, pilkku\r\n');
		const calendar = readCalendar(text);
		expect(calendar.method).toBe('REQUEST');
		expect(calendar.zones).toEqual(['Europe/Helsinki']);
		expect(calendar.events.map(({ uid, sequence, start, startZone, end, instant, summary }) => ({ uid, sequence, start, startZone, end, instant, summary }))).toEqual([
			// EET is UTC+2, EEST UTC+3: the parser's instants come from the VTIMEZONE's rules.
			{ uid: 'winter@verstas', sequence: 2, start: '2026-11-22T18:30:00', startZone: 'Europe/Helsinki', end: '2026-11-22T21:30:00', instant: '2026-11-22T16:30:00.000Z', summary: 'Talvi; "lainaus", pilkku' },
			{ uid: 'summer@verstas', sequence: 0, start: '2026-06-10T09:00:00', startZone: 'Europe/Helsinki', end: '2026-06-10T10:30:00', instant: '2026-06-10T06:00:00.000Z', summary: 'Kesä' },
			{ uid: 'day@verstas', sequence: 0, start: '2026-03-02', startZone: null, end: '2026-03-03', instant: null, summary: 'Eräpäivä' }
		]);
	});

	it('an event across the change to summer time ends at the right wall-clock time', () => {
		// 2026-03-29 03:00 EET becomes 04:00 EEST: three hours from 01:30 end at 05:30.
		const { events } = readCalendar(buildCalendar({ events: [{ uid: 'dst@verstas', sequence: 0, start: at('2026-03-29T01:30'), minutes: 180, summary: 'Yö' }] }));
		expect(events[0]).toMatchObject({ start: '2026-03-29T01:30:00', end: '2026-03-29T05:30:00', instant: '2026-03-28T23:30:00.000Z' });
	});
});

describe('workshop calendar fields', () => {
	it('a change of title, time, length or place is a new version (SEQUENCE + 1); other edits are not', async () => {
		const owner = await newUser('Fasilitaattori');
		const workshop = await createWorkshop(input('Ideapaja', { startsAt: at('2026-11-22T18:30'), durationMinutes: 120, location: 'Kontula' }), owner.id);
		expect(workshop).toMatchObject({ durationMinutes: 120, location: 'Kontula', calendarSequence: 0 });
		expect(await createWorkshop(input('Oletus'), owner.id)).toMatchObject({ durationMinutes: 180, location: '' });
		const same = { startsAt: at('2026-11-22T18:30'), durationMinutes: 120, location: 'Kontula' };
		expect((await updateWorkshop(workshop.id, input('Ideapaja', { ...same, theme: 'Uusi teema' }))).after.calendarSequence).toBe(0);
		expect((await updateWorkshop(workshop.id, input('Ideapaja', { ...same, startsAt: at('2026-11-22T19:00') }))).after.calendarSequence).toBe(1);
		expect((await updateWorkshop(workshop.id, input('Ideapaja', { ...same, startsAt: at('2026-11-22T19:00'), location: 'Itäkeskus' }))).after.calendarSequence).toBe(2);
		expect((await updateWorkshop(workshop.id, input('Ideapaja 2', { ...same, startsAt: at('2026-11-22T19:00'), location: 'Itäkeskus' }))).after.calendarSequence).toBe(3);
		expect(await getWorkshop(workshop.id)).toMatchObject({ title: 'Ideapaja 2', calendarSequence: 3, location: 'Itäkeskus' });
	});
});

describe('the personal calendar', () => {
	it("holds exactly the person's timed workshops and their team's next check-in days, in their language", async () => {
		const me = await newUser('Minä');
		const other = await newUser('Muu');
		const facilitated = await createWorkshop(input('Vedän tämän', { startsAt: at('2026-11-22T18:30'), durationMinutes: 120, location: 'Kontula' }), me.id);
		const joined = await createWorkshop(input('Osallistun tähän', { startsAt: at('2026-06-10T09:00') }), other.id);
		await joinAsUser(joined.id, me);
		const removedFrom = await createWorkshop(input('Minut poistettiin', { startsAt: at('2026-06-11T09:00') }), other.id);
		await removeParticipant(removedFrom.id, (await joinAsUser(removedFrom.id, me))!.id);
		await createWorkshop(input('Ei ajankohtaa'), me.id);
		await createWorkshop(input('Jonkun muun', { startsAt: at('2026-06-12T09:00') }), other.id);
		const { pilot } = await runningPilot(me, 'Läksykerho');
		const { pilot: reported } = await runningPilot(me, 'Olohuone');
		await recordCheckIn(reported.id, checkInSchema.parse({ reportedOn: '2026-02-03', status: 'on_track', happened: 'Alkoi', learned: '', nextSteps: '', impactResidents: '', impactLocalActors: '', impactInstitutions: '' }), me.id);
		await runningPilot(other, 'Toisen tiimin kokeilu');

		const feed = readCalendar(await buildPersonalCalendar({ userId: me.id, locale: 'fi' }, 'https://verstas.example.fi'));
		expect(feed.method).toBeNull();
		expect(feed.name).toBe('Verstas');
		expect(feed.events).toEqual([
			{
				uid: workshopEventUid(joined.id),
				summary: 'Osallistun tähän',
				sequence: 0,
				start: '2026-06-10T09:00:00',
				startZone: 'Europe/Helsinki',
				end: '2026-06-10T12:00:00',
				instant: '2026-06-10T06:00:00.000Z',
				location: null,
				url: `https://verstas.example.fi/workshops/${joined.id}/board`,
				description: `Nuorten osallisuus\n\nAvaa Verstaassa: https://verstas.example.fi/workshops/${joined.id}/board`
			},
			{
				uid: workshopEventUid(facilitated.id),
				summary: 'Vedän tämän',
				sequence: 0,
				start: '2026-11-22T18:30:00',
				startZone: 'Europe/Helsinki',
				end: '2026-11-22T20:30:00',
				instant: '2026-11-22T16:30:00.000Z',
				location: 'Kontula',
				url: `https://verstas.example.fi/workshops/${facilitated.id}`,
				description: `Nuorten osallisuus\n\nAvaa Verstaassa: https://verstas.example.fi/workshops/${facilitated.id}`
			},
			// Four weeks from the start, and four weeks from the latest report: the soonest first.
			...[
				{ pilot, title: 'Läksykerho', start: '2026-02-02', end: '2026-02-03' },
				{ pilot: reported, title: 'Olohuone', start: '2026-03-03', end: '2026-03-04' }
			].map(({ pilot, title, start, end }) => ({
				uid: checkInEventUid(pilot.id),
				summary: `Seurantaraportti erääntyy: ${title}`,
				sequence: 0,
				start,
				startZone: null,
				end,
				instant: null,
				location: null,
				url: `https://verstas.example.fi/pilots/${pilot.id}`,
				description: `Kokeilun ${title} seuraava seurantaraportti erääntyy tänään.\n\nAvaa Verstaassa: https://verstas.example.fi/pilots/${pilot.id}`
			}))
		]);

		const english = readCalendar(await buildPersonalCalendar({ userId: me.id, locale: 'en' }, 'https://verstas.example.fi'));
		expect(english.events.find((event) => event.uid === checkInEventUid(pilot.id))?.summary).toBe('Check-in due: Läksykerho');
		// The other person's calendar has none of mine.
		const theirs = readCalendar(await buildPersonalCalendar({ userId: other.id, locale: 'fi' }, 'https://verstas.example.fi'));
		expect(theirs.events.map((event) => event.summary).sort()).toEqual(
			['Jonkun muun', 'Minut poistettiin', 'Osallistun tähän', 'Seurantaraportti erääntyy: Toisen tiimin kokeilu'].sort()
		);
	});
});

// The feed's address and the profile's actions on the production entry, sharing this file's database.
describe('feed address on the production server', () => {
	let server: RunningServer;

	beforeAll(async () => {
		server = await startProductionServer({ env: { DATABASE_PATH: process.env.DATABASE_PATH! } });
	});

	afterAll(async () => {
		await server?.stop();
	});

	type ActionResult = { type: string; status: number; data?: Record<string, unknown>; location?: string };

	/** Posts a form action as `use:enhance` does and decodes its answer. */
	async function action(path: string, cookie: string, fields: Record<string, string> = {}) {
		const response = await fetch(`${server.url}${path}`, {
			method: 'POST',
			headers: { cookie, origin: server.url, 'x-sveltekit-action': 'true' },
			body: new URLSearchParams(fields)
		});
		const json = (await response.json()) as ActionResult & { data?: string };
		return { ...json, status: json.status ?? response.status, data: json.data ? (parse(json.data) as Record<string, unknown>) : undefined } as ActionResult;
	}

	const feedUrl = async (cookie: string) => {
		const result = await action('/profile?/createCalendarFeed', cookie);
		expect(result.type).toBe('success');
		const url = (result.data!.calendar as { url: string }).url;
		expect(url).toMatch(new RegExp(`^${server.url}/calendar/[a-z0-9]{24}\\.[a-z0-9]{24}\\.ics$`));
		return url;
	};

	it('serves the feed to whoever has the address; a new address or turning it off makes the old one 404', async () => {
		const me = await newUser('Tilaaja');
		const other = await newUser('Toinen');
		const mine = await createWorkshop(input('Oma työpaja', { startsAt: at('2026-11-22T18:30') }), me.id);
		await createWorkshop(input('Toisen työpaja', { startsAt: at('2026-11-23T18:30') }), other.id);

		const profile = await fetch(`${server.url}/profile`, { headers: { cookie: me.cookie } });
		expect(await profile.text()).toContain(m.calendar_feed_none());

		const first = await feedUrl(me.cookie);
		const response = await fetch(first);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
		expect(response.headers.get('cache-control')).toBe('private, no-store');
		const feed = readCalendar(await response.text());
		expect(feed.events.map(({ uid, summary, url }) => ({ uid, summary, url }))).toEqual([
			{ uid: workshopEventUid(mine.id), summary: 'Oma työpaja', url: `${server.url}/workshops/${mine.id}` }
		]);
		// Only a hash is stored: the address is not in the database, and the profile no longer shows it.
		const row = (await rawGet<Record<string, unknown>>('SELECT * FROM calendar_feeds WHERE user_id = ?', me.id))!;
		const [id, secret] = new URL(first).pathname.slice('/calendar/'.length).split('.') as [string, string];
		expect(row.id).toBe(id);
		expect(JSON.stringify(row)).not.toContain(secret);
		const after = await (await fetch(`${server.url}/profile`, { headers: { cookie: me.cookie } })).text();
		expect(after).not.toContain(first);
		expect(after).toContain(m.calendar_feed_revoke());

		// A wrong secret for a real id, a made-up token and a malformed one: 404 with a translated message.
		for (const path of [`/calendar/${id}.aaaaaaaaaaaaaaaaaaaaaaaa.ics`, '/calendar/nothing.here.ics', '/calendar/x.ics']) {
			const refused = await fetch(server.url + path);
			expect(refused.status, path).toBe(404);
			expect(await refused.text()).toBe(m.calendar_feed_not_found());
		}

		const second = await feedUrl(me.cookie);
		expect(second).not.toBe(first);
		expect((await fetch(first)).status).toBe(404);
		expect((await fetch(second)).status).toBe(200);

		expect((await action('/profile?/revokeCalendarFeed', me.cookie)).type).toBe('success');
		expect((await fetch(second)).status).toBe(404);
		expect(Number((await rawGet<{ n: number }>('SELECT count(*) AS n FROM calendar_feeds WHERE user_id = ?', me.id))!.n)).toBe(0);
	});

	it('someone signed out cannot make an address; the workshop form keeps a length and place, and refuses a bad length', async () => {
		const signedOut = await fetch(`${server.url}/profile?/createCalendarFeed`, {
			method: 'POST',
			headers: { origin: server.url, 'x-sveltekit-action': 'true' },
			body: new URLSearchParams()
		});
		expect(((await signedOut.json()) as ActionResult).type).toBe('redirect');

		const owner = await newUser('Muokkaaja');
		const workshop = await createWorkshop(input('Lomake', { startsAt: at('2026-11-22T18:30') }), owner.id);
		const fields = {
			title: 'Lomake',
			theme: 'Teema',
			description: '',
			startsAt: '2026-11-22T18:30',
			durationMinutes: '5',
			location: 'Teams: https://teams.example/meet/1',
			coFacilitators: '',
			'perspectives.0.title': 'Lapsiperheet',
			'perspectives.0.description': ''
		};
		const refused = await action(`/workshops/${workshop.id}/edit`, owner.cookie, fields);
		expect(refused.status).toBe(400);
		expect((refused.data!.errors as Record<string, string>).durationMinutes).toBe(m.error_workshop_duration({ max: 1440 }));
		expect(await getWorkshop(workshop.id)).toMatchObject({ durationMinutes: 180, location: '', calendarSequence: 0 });

		const saved = await action(`/workshops/${workshop.id}/edit`, owner.cookie, { ...fields, durationMinutes: '150' });
		expect(saved.type).toBe('redirect');
		expect(await getWorkshop(workshop.id)).toMatchObject({ durationMinutes: 150, location: 'Teams: https://teams.example/meet/1', calendarSequence: 1 });
	});
});
