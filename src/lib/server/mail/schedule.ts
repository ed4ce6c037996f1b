import { and, asc, eq, gt, inArray, isNotNull } from 'drizzle-orm';
import { m } from '../../paraglide/messages.js';
import { db, first } from '../db';
import { mailOutbox, memberships, pilots, pilotStatusHistory, programmes, users, type Locale } from '../db/schema';
import { isoToday, listCheckInsDue } from '../pilots';
import { publicUrl } from './links';
import { pilotTeamMembers, queueNotification, statusLabel } from './notifications';
import { mailFrequency } from './preferences';
import type { MailBlock } from './render';

// Mail the worker's schedule queues: check-in reminders and digests. Each is queued with a dedupe key (the pilot,
// due date and person; the person and period), so running the schedule again, from any number of processes, never
// queues a second copy.

const day = 24 * 60 * 60_000;
/** A reminder goes this many days before a check-in falls due. */
export const reminderDaysAhead = 3;
/** Digests are queued from this hour (Helsinki time) on: daily every day, weekly on Mondays. */
export const digestHour = 7;

const addDays = (isoDate: string, days: number) => new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * day).toISOString().slice(0, 10);

const helsinkiParts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Helsinki', weekday: 'short', hour: '2-digit', hourCycle: 'h23' });
function helsinkiClock(now: Date) {
	const parts = Object.fromEntries(helsinkiParts.formatToParts(now).map((part) => [part.type, part.value]));
	return { weekday: parts.weekday!, hour: Number(parts.hour) };
}

// The schedule runs beside the requests and the boards' sockets: it lets them in between two pilots or two leads.
// On SQLite each step runs to its end without waiting, and a programme of 200 pilots held the event loop for ~100 ms
// once a minute (B8's board page: p99 4 → 66 ms while the schedule ran).
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** A reminder when a running pilot's check-in is due within three days, and once more when it is overdue. */
export async function queueCheckInReminders(now = new Date()) {
	const today = isoToday(now);
	let queued = 0;
	for (const pilot of await listCheckInsDue({}, today)) {
		await nextTurn();
		const soon = !pilot.overdue && pilot.due <= addDays(today, reminderDaysAhead);
		if (!soon && !pilot.overdue) continue;
		const which = pilot.overdue ? 'overdue' : 'due';
		const dedupeKey = (memberId: string) => `checkin-${which}:${pilot.id}:${pilot.due}:${memberId}`;
		// Every member reminded of this date already (the schedule asks every minute): no transaction, which on
		// PostgreSQL would wait for the cluster-wide write lock and make every node compute its cached pages again.
		const team = await pilotTeamMembers(db, pilot.id);
		const keys = team.map((member) => dedupeKey(member.id));
		const queuedBefore = keys.length ? await db.select({ key: mailOutbox.dedupeKey }).from(mailOutbox).where(inArray(mailOutbox.dedupeKey, keys)) : [];
		if (queuedBefore.length === keys.length) continue;
		await db.transaction(async (tx) => {
			for (const member of team) {
				const sent = await queueNotification(
					tx,
					member,
					'checkin_reminders',
					(locale) => {
						const subject = pilot.overdue
							? m.mail_checkin_overdue_subject({ title: pilot.title }, { locale })
							: m.mail_checkin_due_subject({ title: pilot.title, date: pilot.due }, { locale });
						const body = pilot.overdue
							? m.mail_checkin_overdue_body({ title: pilot.title, date: pilot.due }, { locale })
							: m.mail_checkin_due_body({ title: pilot.title, date: pilot.due }, { locale });
						return {
							subject,
							title: subject,
							blocks: [{ paragraph: body }, { link: { label: m.mail_checkin_action({}, { locale }), url: publicUrl(`/pilots/${pilot.id}#check-ins`) } }]
						};
					},
					{ about: `pilot:${pilot.id}`, dedupeKey: dedupeKey(member.id), now }
				);
				if (sent) queued++;
			}
		});
	}
	return queued;
}

/** The programmes a person leads (programme lead of the owner organisation). */
function ledProgrammes(userId: string) {
	return db
		.select({ id: programmes.id, name: programmes.name })
		.from(programmes)
		.innerJoin(memberships, and(eq(memberships.organisationId, programmes.ownerOrganisationId), eq(memberships.userId, userId)))
		.where(eq(memberships.role, 'programme_lead'))
		.orderBy(asc(programmes.name));
}

async function programmeDigest(programmeId: string, since: Date, today: string, locale: Locale) {
	const changes = await db
		.select({ pilotId: pilots.id, title: pilots.title, from: pilotStatusHistory.fromStatus, to: pilotStatusHistory.toStatus })
		.from(pilotStatusHistory)
		.innerJoin(pilots, eq(pilots.id, pilotStatusHistory.pilotId))
		.where(and(eq(pilots.programmeId, programmeId), gt(pilotStatusHistory.at, since)))
		.orderBy(asc(pilotStatusHistory.at));
	const proposals = changes.filter((change) => change.from === null).map((change) => change.title);
	const statusChanges = changes
		.filter((change) => change.from !== null)
		.map((change) => m.mail_digest_change_item({ title: change.title, status: statusLabel(change.to, locale) }, { locale }));
	const overdue = (await listCheckInsDue({ programmeIds: [programmeId] }, today))
		.filter((pilot) => pilot.overdue)
		.map((pilot) => m.mail_digest_overdue_item({ title: pilot.title, date: pilot.due }, { locale }));
	return { proposals, statusChanges, overdue };
}

/**
 * Each lead's digest of their programmes, daily or weekly (Monday) as they chose, from 07:00 Helsinki time; a
 * digest with nothing to say is not sent.
 */
export async function queueDigests(now = new Date()) {
	const clock = helsinkiClock(now);
	if (clock.hour < digestHour) return 0;
	const today = isoToday(now);
	const leads = await db
		.selectDistinct({ id: users.id, email: users.email, name: users.name, locale: users.locale })
		.from(users)
		.innerJoin(memberships, eq(memberships.userId, users.id))
		.where(and(eq(memberships.role, 'programme_lead'), isNotNull(memberships.organisationId)));
	let queued = 0;
	for (const lead of leads) {
		await nextTurn();
		const frequency = await mailFrequency(lead.id, 'digest');
		if (frequency !== 'daily' && !(frequency === 'weekly' && clock.weekday === 'Mon')) continue;
		const dedupeKey = `digest:${frequency}:${lead.id}:${today}`;
		// Already queued this period (the schedule runs every minute): not computed again.
		if (await first(db.select({ id: mailOutbox.id }).from(mailOutbox).where(eq(mailOutbox.dedupeKey, dedupeKey)))) continue;
		const since = new Date(now.getTime() - (frequency === 'daily' ? 1 : 7) * day);
		const led = await ledProgrammes(lead.id);
		if (!led.length) continue;
		const locale = lead.locale;
		const blocks: MailBlock[] = [];
		for (const programme of led) {
			const digest = await programmeDigest(programme.id, since, today, locale);
			if (!digest.proposals.length && !digest.overdue.length && !digest.statusChanges.length) continue;
			blocks.push({ heading: programme.name });
			if (digest.proposals.length) blocks.push({ paragraph: m.mail_digest_new_proposals({}, { locale }) }, { list: digest.proposals });
			if (digest.overdue.length) blocks.push({ paragraph: m.mail_digest_overdue({}, { locale }) }, { list: digest.overdue });
			if (digest.statusChanges.length) blocks.push({ paragraph: m.mail_digest_status_changes({}, { locale }) }, { list: digest.statusChanges });
			blocks.push({ link: { label: m.mail_digest_open_programme({ programme: programme.name }, { locale }), url: publicUrl(`/programmes/${programme.id}`) } });
		}
		if (!blocks.length) continue;
		const sent = await db.transaction((tx) =>
			queueNotification(
				tx,
				lead,
				'digest',
				(locale) => ({
					subject: m.mail_digest_subject({}, { locale }),
					title: m.mail_digest_title({ since: isoToday(since) }, { locale }),
					blocks
				}),
				{ dedupeKey, now }
			)
		);
		if (sent) queued++;
	}
	return queued;
}

let lastRun = 0;
/** The worker's scheduled tasks; at most once a minute per process whatever the worker's poll interval. */
export async function runMailSchedule(now = new Date(), everyMs = Number(process.env.VERSTAS_MAIL_SCHEDULE_MS) || 60_000) {
	if (now.getTime() - lastRun < everyMs) return;
	lastRun = now.getTime();
	await queueCheckInReminders(now);
	await queueDigests(now);
}

