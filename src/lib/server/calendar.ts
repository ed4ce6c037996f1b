import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import { and, eq, inArray, isNotNull, isNull, or } from 'drizzle-orm';
import ICAL from 'ical.js';
import { toDateTimeLocal } from '../format';
import { m } from '../paraglide/messages.js';
import { changedRows, db, first } from './db';
import { calendarFeeds, participants, users, workshopFacilitators, workshops, type Locale } from './db/schema';
import { listCheckInsDue } from './pilots';
import { generateSecureRandomString, hashSecret, secretMatches, splitToken } from './session';

// iCalendar (RFC 5545) through ical.js, Mozilla's parser and writer (escaping, line folding, RFC 6868 parameters);
// the Europe/Helsinki VTIMEZONE from @touch4it/ical-timezones (tzdata-generated), so every time is Finnish wall-clock
// time with its TZID and calendar apps need no zone database of their own.

export const calendarTimeZone = 'Europe/Helsinki';
const productId = '-//Verstas//Verstas//FI';

export type TimedEvent = {
	uid: string;
	sequence: number;
	start: Date;
	minutes: number;
	summary: string;
	description?: string;
	location?: string;
	url?: string;
	organizer?: { name: string; email: string };
	attendees?: { email: string; name?: string }[];
	cancelled?: boolean;
};
/** A whole day (yyyy-mm-dd), such as a check-in's due date. */
export type AllDayEvent = { uid: string; sequence: number; day: string; summary: string; description?: string; url?: string };
export type CalendarEvent = TimedEvent | AllDayEvent;

let helsinki: ICAL.Component | undefined;
function helsinkiZone() {
	helsinki ??= new ICAL.Component(ICAL.parse(getVtimezoneComponent(calendarTimeZone)!));
	return new ICAL.Component(helsinki.toJSON());
}

/** Finnish wall-clock time of an instant with TZID=Europe/Helsinki (DTSTART;TZID=Europe/Helsinki:20261122T183000). */
function setWallClock(event: ICAL.Component, name: 'dtstart' | 'dtend', instant: number) {
	const property = event.updatePropertyWithValue(name, ICAL.Time.fromDateTimeString(`${toDateTimeLocal(instant)}:00`));
	property.setParameter('tzid', calendarTimeZone);
}

function setDay(event: ICAL.Component, name: 'dtstart' | 'dtend', day: string) {
	event.updatePropertyWithValue(name, ICAL.Time.fromDateString(day));
}

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * A whole calendar: METHOD:REQUEST and CANCEL for invitations (RFC 5546), none for a subscribed feed.
 * `now` is DTSTAMP (UTC), as RFC 5545 asks.
 */
export function buildCalendar(options: {
	events: CalendarEvent[];
	method?: 'REQUEST' | 'CANCEL';
	name?: string;
	now?: Date;
}) {
	const calendar = new ICAL.Component(['vcalendar', [], []]);
	calendar.updatePropertyWithValue('prodid', productId);
	calendar.updatePropertyWithValue('version', '2.0');
	calendar.updatePropertyWithValue('calscale', 'GREGORIAN');
	if (options.method) calendar.updatePropertyWithValue('method', options.method);
	if (options.name) {
		calendar.updatePropertyWithValue('name', options.name);
		calendar.updatePropertyWithValue('x-wr-calname', options.name);
		// Subscribed calendars are fetched again hourly (RFC 7986 and the older Outlook/Apple property).
		calendar.updatePropertyWithValue('refresh-interval', ICAL.Duration.fromString('PT1H')).setParameter('value', 'DURATION');
		calendar.updatePropertyWithValue('x-published-ttl', 'PT1H');
	}
	if (options.events.some((event) => 'start' in event)) calendar.addSubcomponent(helsinkiZone());
	const stamp = ICAL.Time.fromJSDate(options.now ?? new Date(), true);
	for (const data of options.events) {
		const event = new ICAL.Component('vevent');
		event.updatePropertyWithValue('uid', data.uid);
		event.updatePropertyWithValue('dtstamp', stamp);
		event.updatePropertyWithValue('sequence', data.sequence);
		if ('start' in data) {
			setWallClock(event, 'dtstart', data.start.getTime());
			setWallClock(event, 'dtend', data.start.getTime() + data.minutes * 60_000);
		} else {
			setDay(event, 'dtstart', data.day);
			setDay(event, 'dtend', nextDay(data.day));
			event.updatePropertyWithValue('transp', 'TRANSPARENT');
		}
		event.updatePropertyWithValue('summary', data.summary);
		if (data.description) event.updatePropertyWithValue('description', data.description);
		if ('start' in data) {
			if (data.location) event.updatePropertyWithValue('location', data.location);
			event.updatePropertyWithValue('status', data.cancelled ? 'CANCELLED' : 'CONFIRMED');
			if (data.organizer) {
				event.updatePropertyWithValue('organizer', `mailto:${data.organizer.email}`).setParameter('cn', data.organizer.name);
			}
			for (const attendee of data.attendees ?? []) {
				const property = new ICAL.Property('attendee');
				property.setValue(`mailto:${attendee.email}`);
				if (attendee.name) property.setParameter('cn', attendee.name);
				property.setParameter('role', 'REQ-PARTICIPANT');
				property.setParameter('partstat', 'NEEDS-ACTION');
				property.setParameter('rsvp', 'FALSE');
				event.addProperty(property);
			}
		}
		if (data.url) event.updatePropertyWithValue('url', data.url);
		calendar.addSubcomponent(event);
	}
	return calendar.toString() + '\r\n';
}

// Stable ids: calendar apps replace an event with the same UID (and a higher SEQUENCE) instead of adding another.
export const workshopEventUid = (workshopId: string) => `workshop-${workshopId}@verstas`;
export const checkInEventUid = (pilotId: string) => `pilot-${pilotId}-check-in@verstas`;

// The personal feed ---------------------------------------------------------------------------------------------

/** A new feed address for the person (any earlier one stops working). The token is shown once; only its hash is kept. */
export async function createCalendarFeed(userId: string) {
	const id = generateSecureRandomString();
	const secret = generateSecureRandomString();
	await db.transaction(async (tx) => {
		await tx.delete(calendarFeeds).where(eq(calendarFeeds.userId, userId));
		await tx.insert(calendarFeeds).values({ id, userId, secretHash: hashSecret(secret) });
	});
	return `${id}.${secret}`;
}

export async function revokeCalendarFeed(userId: string) {
	return changedRows((await db.delete(calendarFeeds).where(eq(calendarFeeds.userId, userId)))) > 0;
}

/** Whether the person has a feed, and since when (the address itself cannot be shown again). */
export async function getCalendarFeed(userId: string) {
	return await first(db.select({ createdAt: calendarFeeds.createdAt }).from(calendarFeeds).where(eq(calendarFeeds.userId, userId))) ?? null;
}

export const calendarFeedPath = (token: string) => `/calendar/${token}.ics`;

/** The feed's owner for a token from the address, or null (unknown, revoked or a wrong secret: constant-time). */
export async function findCalendarFeedOwner(token: string) {
	const parts = splitToken(token);
	if (!parts) return null;
	const row = await first(db
		.select({ secretHash: calendarFeeds.secretHash, userId: users.id, locale: users.locale })
		.from(calendarFeeds)
		.innerJoin(users, eq(users.id, calendarFeeds.userId))
		.where(eq(calendarFeeds.id, parts.id)));
	return row && secretMatches(parts.secret, row.secretHash) ? { userId: row.userId, locale: row.locale } : null;
}

/**
 * The person's calendar: workshops with a time that they facilitate or joined with their account (not removed),
 * and the next check-in due day of each running pilot whose team they are in. In their own language.
 */
export async function buildPersonalCalendar(owner: { userId: string; locale: Locale }, origin: string, now = new Date()) {
	const { userId, locale } = owner;
	const facilitated = db.select({ id: workshopFacilitators.workshopId }).from(workshopFacilitators).where(eq(workshopFacilitators.userId, userId));
	const joined = db
		.select({ id: participants.workshopId })
		.from(participants)
		.where(and(eq(participants.userId, userId), isNull(participants.removedAt)));
	const facilitating = new Set((await facilitated).map((row) => row.id));
	const workshopRows = await db
		.select()
		.from(workshops)
		.where(and(isNotNull(workshops.startsAt), or(inArray(workshops.id, facilitated), inArray(workshops.id, joined))))
		.orderBy(workshops.startsAt, workshops.id);
	const events: CalendarEvent[] = workshopRows.map((workshop) => {
		const url = `${origin}/workshops/${workshop.id}${facilitating.has(workshop.id) ? '' : '/board'}`;
		return {
			uid: workshopEventUid(workshop.id),
			sequence: workshop.calendarSequence,
			start: workshop.startsAt!,
			minutes: workshop.durationMinutes,
			summary: workshop.title,
			description: [workshop.theme, m.calendar_open_link({ url }, { locale })].join('\n\n'),
			location: workshop.location,
			url
		};
	});

	for (const pilot of await listCheckInsDue({ teamMemberId: userId })) {
		const url = `${origin}/pilots/${pilot.id}`;
		events.push({
			uid: checkInEventUid(pilot.id),
			sequence: 0,
			day: pilot.due,
			summary: m.calendar_check_in_due({ title: pilot.title }, { locale }),
			description: [m.calendar_check_in_due_description({ title: pilot.title }, { locale }), m.calendar_open_link({ url }, { locale })].join('\n\n'),
			url
		});
	}
	return buildCalendar({ events, name: m.calendar_feed_name({}, { locale }), now });
}
