// Deleting one's own account (issue 17): the person's account and what is only theirs go in one transaction;
// what others rely on (check-ins, comments, pilots, board notes) stays with the author "Poistettu käyttäjä".
import { and, eq, ne } from 'drizzle-orm';
import { deletedAuthorId, replaceAuthors, type Author } from '../board/model';
import { m } from '../paraglide/messages.js';
import { changeBoard, closeSessionConnections, disconnectParticipant } from './collab';
import { db, first } from './db';
import { mailOutbox, memberships, organisations, participants, programmes, sessions, users, workshopFacilitators, workshops } from './db/schema';
import { verifyPassword } from './password';
import { invalidateUserSessions } from './session';
import { recordAudit, userActor } from './audit';

/** Why the account cannot go yet (the person must hand over first), or null when nothing would be orphaned. */
export async function accountDeletionBlocker(userId: string): Promise<string | null> {
	const user = await first(db.select({ isAdmin: users.isAdmin }).from(users).where(eq(users.id, userId)));
	if (!user) return null;
	if (user.isAdmin && !await first(db.select({ id: users.id }).from(users).where(and(eq(users.isAdmin, true), ne(users.id, userId))))) {
		return m.account_delete_last_admin();
	}
	// Programmes are led by the programme leads of their owner organisation: the last one leaves nobody in charge.
	const led = await db
		.select({ organisationId: memberships.organisationId, name: organisations.name })
		.from(memberships)
		.innerJoin(organisations, eq(organisations.id, memberships.organisationId))
		.where(and(eq(memberships.userId, userId), eq(memberships.role, 'programme_lead')));
	const orphaned = [];
	for (const lead of led) {
		const owns = await first(db.select({ id: programmes.id }).from(programmes).where(eq(programmes.ownerOrganisationId, lead.organisationId)));
		const another = await first(db
			.select({ userId: memberships.userId })
			.from(memberships)
			.where(and(eq(memberships.organisationId, lead.organisationId), eq(memberships.role, 'programme_lead'), ne(memberships.userId, userId))));
		if (owns && !another) orphaned.push(lead);
	}
	if (orphaned.length) return m.account_delete_last_lead({ organisations: orphaned.map((row) => row.name).join(', ') });
	return null;
}

export type DeletionResult = { ok: true } | { ok: false; field: 'confirmation' | null; message: string };

/**
 * Deletes the account after its owner confirmed: with the password, or for an account without one (OpenID only)
 * by typing its email. Sessions, identities, calendar feed, mail preferences and settings, memberships and
 * workshop participations go with the user row (foreign keys cascade); check-ins, comments and pilots keep their
 * rows with the author set null. Board notes and comments are renamed afterwards, in every board the person
 * took part in, facilitated or created.
 */
export async function deleteAccount(userId: string, confirmation: string): Promise<DeletionResult> {
	const user = await first(db.select().from(users).where(eq(users.id, userId)));
	if (!user) return { ok: false, field: null, message: m.error_not_found() };
	if (user.passwordHash) {
		if (!(await verifyPassword(user.passwordHash, confirmation))) return { ok: false, field: 'confirmation', message: m.account_delete_wrong_password() };
	} else if (confirmation.trim().toLowerCase() !== user.email.toLowerCase()) {
		return { ok: false, field: 'confirmation', message: m.account_delete_wrong_email() };
	}
	const blocker = await accountDeletionBlocker(userId);
	if (blocker) return { ok: false, field: null, message: blocker };

	const { sessionIds, joined, boards } = await db.transaction(async (tx) => {
		const sessionIds = (await tx.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId))).map((row) => row.id);
		const joined = await tx.select({ id: participants.id, workshopId: participants.workshopId }).from(participants).where(eq(participants.userId, userId));
		const facilitated = await tx.select({ workshopId: workshopFacilitators.workshopId }).from(workshopFacilitators).where(eq(workshopFacilitators.userId, userId));
		const created = await tx.select({ workshopId: workshops.id }).from(workshops).where(eq(workshops.createdBy, userId));
		// Mail to and about the person (addresses, texts) is theirs, sent or not.
		await tx.delete(mailOutbox).where(eq(mailOutbox.userId, userId));
		await invalidateUserSessions(userId, tx);
		// Recorded under the person's name, which the log keeps after the account is gone (its link is unset).
		await recordAudit(tx, { action: 'account_deleted', actor: await userActor(tx, userId), subject: { kind: 'user', id: userId } });
		await tx.delete(users).where(eq(users.id, userId));
		const boards = new Set([...joined, ...facilitated, ...created].map((row) => row.workshopId));
		return { sessionIds, joined, boards };
	});

	for (const id of sessionIds) closeSessionConnections(id);
	for (const participant of joined) disconnectParticipant(participant.workshopId, participant.id);
	const deleted: Author = { id: deletedAuthorId, name: m.deleted_user({}, { locale: 'fi' }) };
	const replacements = new Map([`user:${userId}`, ...joined.map((row) => row.id)].map((id) => [id, deleted]));
	for (const workshopId of boards) {
		if (!await first(db.select({ id: workshops.id }).from(workshops).where(eq(workshops.id, workshopId)))) continue;
		await changeBoard(workshopId, (doc) => replaceAuthors(doc, replacements));
	}
	return { ok: true };
}
