import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { formatDateTime, formatTime } from '../format';
import { m } from '../paraglide/messages.js';
import { buildCalendar, workshopEventUid } from './calendar';
import { db, type Executor, first } from './db';
import { mailOutbox, rateLimitEvents, users, workshopInvitations, workshops, type InvitationState, type Locale, type Workshop } from './db/schema';
import { publicOrigin } from './mail/links';
import { queueMail } from './mail/outbox';
import { renderMail, type MailBlock } from './mail/render';
import { generateSecureRandomString } from './session';

// Invitations by e-mail: each invitee gets the join link, the time in Helsinki and an .ics (RFC 5546 iTIP) of the
// workshop's one calendar event; a change of its title, time, length or place sends the same event again with a
// higher SEQUENCE, and losing its time or being deleted sends METHOD:CANCEL. Every message is queued in the outbox
// in the same transaction as the change that caused it.

/** At most this many addresses in one workshop, and this many in one submission. */
export const maxInvitationsPerWorkshop = 200;
export const maxInvitationsPerSubmission = 50;
/**
 * And one person sends at most this many an hour over all workshops (counted in rate_limit_events, so deleting a
 * workshop does not give them back): the form must not become a way to mail strangers in bulk.
 */
export const maxInvitationsPerHour = 200;
const hourMs = 60 * 60_000;


const addressSchema = z.email().max(254);

/** The form's textarea: addresses separated by commas, semicolons, spaces or lines; "Name <address>" is read too. */
export const invitationSchema = z
	.object({ emails: z.string().max(20_000, { error: () => m.error_too_long({ max: 20_000 }) }) })
	.transform(({ emails }, ctx) => {
		// An entry written as "Name <address>" counts as its address.
		const words = emails
			.split(/[,;\n]+/)
			.flatMap((entry) => {
				const bracketed = entry.match(/<([^<>]*)>/);
				return bracketed ? [bracketed[1]!] : entry.split(/\s+/);
			})
			.map((word) => word.trim().toLowerCase())
			.filter(Boolean);
		const addresses = [...new Set(words)];
		const invalid = addresses.filter((address) => !addressSchema.safeParse(address).success);
		if (addresses.length === 0) ctx.addIssue({ code: 'custom', path: ['emails'], message: m.invitation_error_empty() });
		else if (invalid.length) ctx.addIssue({ code: 'custom', path: ['emails'], message: m.invitation_error_invalid({ addresses: invalid.join(', ') }) });
		else if (addresses.length > maxInvitationsPerSubmission)
			ctx.addIssue({ code: 'custom', path: ['emails'], message: m.invitation_error_too_many_at_once({ max: maxInvitationsPerSubmission }) });
		return addresses;
	});

/** A translated reason nothing was written (no time, all already invited, over the limit). */
export class InvitationError extends Error {}

type Organizer = { name: string; email: string };
type Kind = 'invite' | 'update' | 'cancel';

/** One invitee's message: its text and HTML parts and the .ics with only their own address as ATTENDEE. */
function invitationMail(workshop: Workshop, to: string, kind: Kind, locale: Locale, organizer: Organizer, sequence: number) {
	const origin = publicOrigin();
	const joinUrl = `${origin}/w/${workshop.joinCode}`;
	const start = workshop.startsAt!;
	const end = new Date(start.getTime() + workshop.durationMinutes * 60_000);
	const time = m.invitation_time({ start: formatDateTime(start, locale), end: formatTime(end, locale) }, { locale });
	const title = workshop.title;
	const subject =
		kind === 'invite'
			? m.invitation_subject({ title }, { locale })
			: kind === 'update'
				? m.invitation_update_subject({ title }, { locale })
				: m.invitation_cancel_subject({ title }, { locale });
	const blocks: MailBlock[] =
		kind === 'cancel'
			? [{ paragraph: m.invitation_cancel_intro({ title, name: organizer.name }, { locale }) }, { paragraph: m.invitation_was_time({ time }, { locale }) }]
			: [
					{
						paragraph:
							kind === 'invite'
								? m.invitation_intro({ name: organizer.name, title }, { locale })
								: m.invitation_update_intro({ title }, { locale })
					},
					{ paragraph: workshop.theme },
					{ list: [time, ...(workshop.location ? [m.invitation_place({ place: workshop.location }, { locale })] : [])] },
					{ link: { label: m.invitation_join({}, { locale }), url: joinUrl } },
					{ paragraph: m.invitation_code({ code: workshop.joinCode }, { locale }) },
					{ paragraph: m.invitation_calendar_hint({}, { locale }) }
				];
	const content = renderMail({
		locale,
		subject,
		title: subject,
		blocks,
		footer: [{ paragraph: m.invitation_footer({ name: organizer.name, email: to }, { locale }) }]
	});
	const method = kind === 'cancel' ? 'CANCEL' : 'REQUEST';
	const ics = buildCalendar({
		method,
		events: [
			{
				uid: workshopEventUid(workshop.id),
				sequence,
				start,
				minutes: workshop.durationMinutes,
				summary: title,
				description: [workshop.theme, m.calendar_join_link({ url: joinUrl }, { locale })].join('\n\n'),
				location: workshop.location,
				url: joinUrl,
				organizer,
				attendees: [{ email: to }],
				cancelled: kind === 'cancel'
			}
		]
	});
	return {
		...content,
		headers: { 'Reply-To': organizer.email },
		attachments: [{ filename: kind === 'cancel' ? 'cancel.ics' : 'invite.ics', contentType: `text/calendar; method=${method}; charset=utf-8`, content: ics }]
	};
}

async function queueInvitationMail(tx: Executor, workshop: Workshop, invitation: { id: string; email: string; locale: Locale }, kind: Kind, organizer: Organizer, sequence: number) {
	const mailId = await queueMail(tx, {
		to: invitation.email,
		userId: (await first(tx.select({ id: users.id }).from(users).where(eq(users.email, invitation.email))))?.id ?? null,
		kind: 'invitation',
		locale: invitation.locale,
		about: `workshop:${workshop.id}`,
		...invitationMail(workshop, invitation.email, kind, invitation.locale, organizer, sequence)
	});
	await tx.update(workshopInvitations).set({ lastMailId: mailId }).where(eq(workshopInvitations.id, invitation.id));
}

/** The organizer of every message about an invitation: whoever sent it (their current name and address). */
function invitationsWithOrganizer(tx: Executor, workshopId: string, states: InvitationState[]) {
	return tx
		.select({
			id: workshopInvitations.id,
			email: workshopInvitations.email,
			locale: workshopInvitations.locale,
			organizerName: users.name,
			organizerEmail: users.email
		})
		.from(workshopInvitations)
		.leftJoin(users, eq(users.id, workshopInvitations.invitedBy))
		.where(and(eq(workshopInvitations.workshopId, workshopId), inArray(workshopInvitations.state, states)))
		.orderBy(asc(workshopInvitations.invitedAt), asc(workshopInvitations.email));
}

/**
 * Invites the addresses (already validated by invitationSchema) in the inviter's language. Addresses already invited
 * are skipped and returned; nothing is written when the workshop has no time or the limit would be passed.
 */
export function inviteToWorkshop(workshopId: string, addresses: string[], inviter: { id: string; name: string; email: string }, locale: Locale) {
	return db.transaction(
		async (tx) => {
			const workshop = await first(tx.select().from(workshops).where(eq(workshops.id, workshopId)));
			if (!workshop) throw new InvitationError(m.workshop_not_found());
			if (!workshop.startsAt) throw new InvitationError(m.invitation_error_no_time());
			const existing = new Set(
				(await tx.select({ email: workshopInvitations.email }).from(workshopInvitations).where(eq(workshopInvitations.workshopId, workshopId))).map((row) => row.email)
			);
			const added = addresses.filter((address) => !existing.has(address));
			const skipped = addresses.filter((address) => existing.has(address));
			if (added.length === 0) throw new InvitationError(m.invitation_error_all_invited());
			if (existing.size + added.length > maxInvitationsPerWorkshop)
				throw new InvitationError(m.invitation_error_limit({ max: maxInvitationsPerWorkshop, left: Math.max(0, maxInvitationsPerWorkshop - existing.size) }));
			const now = new Date();
			const key = `invitations:user:${inviter.id}`;
			const sentThisHour = (await first(tx
				.select({ n: sql<number>`count(*)` })
				.from(rateLimitEvents)
				.where(and(eq(rateLimitEvents.key, key), gt(rateLimitEvents.at, new Date(now.getTime() - hourMs))))))!.n;
			if (sentThisHour + added.length > maxInvitationsPerHour)
				throw new InvitationError(m.invitation_error_hourly({ max: maxInvitationsPerHour, left: Math.max(0, maxInvitationsPerHour - sentThisHour) }));
			for (const _ of added) await tx.insert(rateLimitEvents).values({ key, at: now });
			for (const email of added) {
				const invitation = { id: generateSecureRandomString(12), email, locale };
				await tx.insert(workshopInvitations).values({ ...invitation, workshopId, invitedBy: inviter.id, invitedAt: now });
				await queueInvitationMail(tx, workshop, invitation, 'invite', { name: inviter.name, email: inviter.email }, workshop.calendarSequence);
			}
			return { added, skipped };
		},
		{ behavior: 'immediate' }
	);
}

/**
 * After a workshop's title, time, length or place changed (its calendarSequence grew), in the same transaction: the
 * invitees get the event again with the new SEQUENCE, or its cancellation when it no longer has a time.
 */
export async function queueInvitationChanges(tx: Executor, before: Workshop, after: Workshop) {
	if (!after.startsAt) {
		if (!before.startsAt) return;
		// The cancellation names the time the invitees' calendars hold.
		const cancelled = { ...after, startsAt: before.startsAt };
		for (const invitation of await invitationsWithOrganizer(tx, after.id, ['invited'])) {
			await queueInvitationMail(tx, cancelled, invitation, 'cancel', organizerOf(invitation), after.calendarSequence);
			await tx.update(workshopInvitations).set({ state: 'cancelled' }).where(eq(workshopInvitations.id, invitation.id));
		}
		return;
	}
	for (const invitation of await invitationsWithOrganizer(tx, after.id, ['invited', 'cancelled'])) {
		await queueInvitationMail(tx, after, invitation, 'update', organizerOf(invitation), after.calendarSequence);
		await tx.update(workshopInvitations).set({ state: 'invited' }).where(eq(workshopInvitations.id, invitation.id));
	}
}

/** Before a workshop is deleted, in the same transaction: its invitees' calendars drop the event (METHOD:CANCEL). */
export async function queueInvitationCancels(tx: Executor, workshop: Workshop) {
	if (!workshop.startsAt) return;
	for (const invitation of await invitationsWithOrganizer(tx, workshop.id, ['invited'])) {
		await queueInvitationMail(tx, workshop, invitation, 'cancel', organizerOf(invitation), workshop.calendarSequence + 1);
	}
}

function organizerOf(invitation: { organizerName: string | null; organizerEmail: string | null }) {
	// The inviter's account may be gone; the app's own address stands in (calendar apps need an ORGANIZER).
	return { name: invitation.organizerName ?? 'Verstas', email: invitation.organizerEmail ?? `noreply@${new URL(publicOrigin()).hostname}` };
}

/** The workshop page's list: each invitation with the delivery state of the latest message about it. */
export function listInvitations(workshopId: string) {
	return db
		.select({
			id: workshopInvitations.id,
			email: workshopInvitations.email,
			state: workshopInvitations.state,
			invitedAt: workshopInvitations.invitedAt,
			invitedBy: users.name,
			delivery: mailOutbox.status,
			deliveryError: mailOutbox.lastError,
			sentAt: mailOutbox.sentAt
		})
		.from(workshopInvitations)
		.leftJoin(users, eq(users.id, workshopInvitations.invitedBy))
		.leftJoin(mailOutbox, eq(mailOutbox.id, workshopInvitations.lastMailId))
		.where(eq(workshopInvitations.workshopId, workshopId))
		.orderBy(asc(workshopInvitations.invitedAt), asc(workshopInvitations.email));
}

export async function countInvitations(workshopId: string) {
	return (await first(db.select({ n: sql<number>`count(*)` }).from(workshopInvitations).where(eq(workshopInvitations.workshopId, workshopId))))!.n;
}
