import { and, eq } from 'drizzle-orm';
import { m } from '../../paraglide/messages.js';
import { pilotDecisionLabels, pilotStatusLabels } from '../../pilot-labels';
import { type Executor, first } from '../db';
import { mailOutbox, memberships, pilots, pilotTeam, programmes, users, type Locale, type PilotDecision, type PilotStatus } from '../db/schema';
import { publicUrl } from './links';
import { queueMail } from './outbox';
import { kindLabel, mailFrequency, unsubscribeHeaders, unsubscribeUrl, type NotificationKind } from './preferences';
import { renderMail, type MailBlock } from './render';

// Pilot notifications, queued in the transaction of the event that causes them (pilots.ts), in each recipient's
// own language, to those who have not turned the kind off.

type Recipient = { id: string; email: string; name: string; locale: Locale };
type Content = { subject: string; title: string; blocks: MailBlock[] };

/** A stored enum's label in the given language (the label maps are typed for the request's language). */
function label(message: () => string, locale: Locale) {
	return (message as unknown as (inputs: object, options: { locale: Locale }) => string)({}, { locale });
}
export const statusLabel = (status: PilotStatus, locale: Locale) => label(pilotStatusLabels[status], locale);
const decisionLabel = (decision: PilotDecision, locale: Locale) => label(pilotDecisionLabels[decision], locale);

/** Queues one notification of `kind` to the person unless they turned it off; returns whether it was queued. */
export async function queueNotification(
	tx: Executor,
	recipient: Recipient,
	kind: NotificationKind,
	content: (locale: Locale) => Content,
	options: { about?: string; dedupeKey?: string; now?: Date } = {}
) {
	if (await mailFrequency(recipient.id, kind, tx) === 'off') return false;
	// Queued before (the schedule asks again every minute): not rendered again only to be refused by queueMail.
	if (options.dedupeKey && await first(tx.select({ id: mailOutbox.id }).from(mailOutbox).where(eq(mailOutbox.dedupeKey, options.dedupeKey)))) return false;
	const locale = recipient.locale;
	const { subject, title, blocks } = content(locale);
	const rendered = renderMail({
		locale,
		subject,
		title,
		blocks,
		footer: [
			{ paragraph: m.mail_footer_why({ kind: kindLabel(kind, locale) }, { locale }) },
			{ link: { label: m.mail_footer_unsubscribe({}, { locale }), url: await unsubscribeUrl(recipient.id, kind) } },
			{ link: { label: m.mail_footer_settings({}, { locale }), url: publicUrl('/profile#mail') } }
		]
	});
	return (
		await queueMail(
			tx,
			{
				to: recipient.email,
				userId: recipient.id,
				kind,
				locale,
				...rendered,
				headers: await unsubscribeHeaders(recipient.id, kind),
				about: options.about,
				dedupeKey: options.dedupeKey
			},
			options.now
		) !== null
	);
}

const recipientColumns = { id: users.id, email: users.email, name: users.name, locale: users.locale };

/** The programme's leads: programme leads of its owner organisation. */
export async function programmeLeads(tx: Executor, programmeId: string): Promise<Recipient[]> {
	const programme = await first(tx.select({ owner: programmes.ownerOrganisationId }).from(programmes).where(eq(programmes.id, programmeId)));
	if (!programme) return [];
	return await tx
		.select(recipientColumns)
		.from(memberships)
		.innerJoin(users, eq(users.id, memberships.userId))
		.where(and(eq(memberships.organisationId, programme.owner), eq(memberships.role, 'programme_lead')));
}

export async function pilotTeamMembers(tx: Executor, pilotId: string): Promise<Recipient[]> {
	return await tx.select(recipientColumns).from(pilotTeam).innerJoin(users, eq(users.id, pilotTeam.userId)).where(eq(pilotTeam.pilotId, pilotId));
}

function pilotAndProgramme(tx: Executor, pilotId: string) {
	return first(tx
		.select({ id: pilots.id, title: pilots.title, programmeId: pilots.programmeId, programme: programmes.name })
		.from(pilots)
		.innerJoin(programmes, eq(programmes.id, pilots.programmeId))
		.where(eq(pilots.id, pilotId)));
}

async function nameOf(tx: Executor, userId: string) {
	return (await first(tx.select({ name: users.name }).from(users).where(eq(users.id, userId))))?.name ?? '';
}

const pilotLink = (pilotId: string, locale: Locale): MailBlock => ({
	link: { label: m.mail_open_pilot({}, { locale }), url: publicUrl(`/pilots/${pilotId}`) }
});

/** A new (or resubmitted) proposal reaches the programme's leads, the proposer excepted. */
export async function notifyPilotProposed(tx: Executor, pilotId: string, byUserId: string) {
	const pilot = await pilotAndProgramme(tx, pilotId);
	if (!pilot) return;
	const name = await nameOf(tx, byUserId);
	for (const lead of await programmeLeads(tx, pilot.programmeId)) {
		if (lead.id === byUserId) continue;
		await queueNotification(
			tx,
			lead,
			'pilot_proposals',
			(locale) => ({
				subject: m.mail_proposal_subject({ title: pilot.title }, { locale }),
				title: m.mail_proposal_subject({ title: pilot.title }, { locale }),
				blocks: [{ paragraph: m.mail_proposal_body({ name, title: pilot.title, programme: pilot.programme }, { locale }) }, pilotLink(pilot.id, locale)]
			}),
			{ about: `pilot:${pilot.id}` }
		);
	}
}

/** A lead's review or decision reaches the pilot's team, the one who took it excepted. */
export async function notifyPilotStatus(tx: Executor, pilotId: string, status: PilotStatus, byUserId: string, comment: string, decision: PilotDecision | null) {
	const pilot = await pilotAndProgramme(tx, pilotId);
	if (!pilot) return;
	const name = await nameOf(tx, byUserId);
	for (const member of await pilotTeamMembers(tx, pilotId)) {
		if (member.id === byUserId) continue;
		await queueNotification(
			tx,
			member,
			'pilot_updates',
			(locale) => {
				const statusText = statusLabel(status, locale);
				const blocks: MailBlock[] = [{ paragraph: m.mail_status_body({ name, title: pilot.title, status: statusText }, { locale }) }];
				if (decision) blocks.push({ paragraph: m.mail_status_decision({ decision: decisionLabel(decision, locale) }, { locale }) });
				if (comment) blocks.push({ paragraph: `${m.mail_status_reason({}, { locale })}\n${comment}` });
				blocks.push(pilotLink(pilot.id, locale));
				const subject = m.mail_status_subject({ title: pilot.title, status: statusText }, { locale });
				return { subject, title: subject, blocks };
			},
			{ about: `pilot:${pilot.id}` }
		);
	}
}

/** A comment reaches the pilot's team, its author excepted. */
export async function notifyPilotComment(tx: Executor, pilotId: string, authorId: string, text: string) {
	const pilot = await pilotAndProgramme(tx, pilotId);
	if (!pilot) return;
	const name = await nameOf(tx, authorId);
	for (const member of await pilotTeamMembers(tx, pilotId)) {
		if (member.id === authorId) continue;
		await queueNotification(
			tx,
			member,
			'pilot_updates',
			(locale) => {
				const subject = m.mail_comment_subject({ title: pilot.title }, { locale });
				return {
					subject,
					title: subject,
					blocks: [{ paragraph: m.mail_comment_body({ name, title: pilot.title }, { locale }) }, { paragraph: text }, pilotLink(pilot.id, locale)]
				};
			},
			{ about: `pilot:${pilot.id}` }
		);
	}
}

