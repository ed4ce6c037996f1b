// Guests' names are kept only for a while (issue 17): VERSTAS_GUEST_RETENTION_DAYS (default 90) after a workshop
// ends, its guests become "Vieras 1", "Vieras 2" … in the database and on the board, their tokens stop working
// and their private writing is deleted. The workshop's content (notes, clusters, idea cards, votes) stays.
import { and, asc, eq, inArray, isNull, max, sql } from 'drizzle-orm';
import { replaceAuthors, type Author } from '../board/model';
import { m } from '../paraglide/messages.js';
import { changeBoard, disconnectParticipant } from './collab';
import { db, first, insertionOrder } from './db';
import { boardSnapshots, participants, privateBoardSnapshots, privateBoardUpdates, workshops } from './db/schema';
import { recordAudit } from './audit';

const dayMs = 86_400_000;

/** VERSTAS_GUEST_RETENTION_DAYS: a whole number of days, default 90 (the privacy notice states the same). */
export function guestRetentionDays(env: Record<string, string | undefined> = process.env) {
	const days = Number(env.VERSTAS_GUEST_RETENTION_DAYS?.trim());
	return Number.isInteger(days) && days > 0 ? days : 90;
}

/**
 * When a workshop ended: its start plus its duration when it was scheduled, else its last board activity (the
 * board's latest saved snapshot) or last guest joining, or its creation, whichever is latest.
 */
async function endedAt(workshop: { id: string; startsAt: Date | null; durationMinutes: number; createdAt: Date }) {
	if (workshop.startsAt) return workshop.startsAt.getTime() + workshop.durationMinutes * 60_000;
	const board = await first(db.select({ at: boardSnapshots.updatedAt }).from(boardSnapshots).where(eq(boardSnapshots.workshopId, workshop.id)));
	const joined = await first(db.select({ at: max(participants.joinedAt) }).from(participants).where(eq(participants.workshopId, workshop.id)));
	return Math.max(workshop.createdAt.getTime(), board?.at.getTime() ?? 0, joined?.at?.getTime() ?? 0);
}

/** Anonymises the guests of every workshop that ended `days` ago or earlier, once each; returns their ids. */
export async function anonymiseEndedWorkshops(now = new Date(), days = guestRetentionDays()) {
	const candidates = (await db
		.select({ id: workshops.id, startsAt: workshops.startsAt, durationMinutes: workshops.durationMinutes, createdAt: workshops.createdAt })
		.from(workshops)
		.where(isNull(workshops.guestsAnonymisedAt)));
	const due = [];
	for (const workshop of candidates) if ((await endedAt(workshop)) + days * dayMs <= now.getTime()) due.push(workshop);
	for (const workshop of due) await anonymiseWorkshopGuests(workshop.id, now);
	return due.map((workshop) => workshop.id);
}

async function anonymiseWorkshopGuests(workshopId: string, now: Date) {
	const renamed = await db.transaction(async (tx) => {
		const guests = await tx
			.select({ id: participants.id })
			.from(participants)
			.where(and(eq(participants.workshopId, workshopId), isNull(participants.userId)))
			.orderBy(asc(participants.joinedAt), insertionOrder(participants));
		// Numbered in joining order (the insertion order breaks ties within a millisecond).
		// The board is shared by speakers of every language: the label is written in Finnish, the default.
		const renamed = guests.map(({ id }, index): Author => ({ id, name: m.guest_anonymised_name({ number: index + 1 }, { locale: 'fi' }) }));
		for (const guest of renamed) {
			await tx.update(participants).set({ displayName: guest.name, organisationName: '', guestSecretHash: null, deviceId: null }).where(eq(participants.id, guest.id));
		}
		const ids = guests.map((guest) => guest.id);
		if (ids.length) {
			await tx.delete(privateBoardUpdates).where(and(eq(privateBoardUpdates.workshopId, workshopId), inArray(privateBoardUpdates.participantId, ids)));
			await tx.delete(privateBoardSnapshots).where(and(eq(privateBoardSnapshots.workshopId, workshopId), inArray(privateBoardSnapshots.participantId, ids)));
		}
		await tx.update(workshops).set({ guestsAnonymisedAt: now }).where(eq(workshops.id, workshopId));
		await recordAudit(tx, { action: 'guests_anonymised', actor: { id: null, label: 'system' }, subject: { kind: 'workshop', id: workshopId }, details: { guests: renamed.length }, address: null, at: now });
		return renamed;
	});
	if (!renamed.length) return;
	for (const guest of renamed) disconnectParticipant(workshopId, guest.id);
	await changeBoard(workshopId, (doc) => replaceAuthors(doc, new Map(renamed.map((guest) => [guest.id, guest]))));
}

/** Checks every VERSTAS_RETENTION_CHECK_MS (default hourly), and once at start; the timer never keeps the process up. */
export async function startRetentionSchedule(everyMs = Number(process.env.VERSTAS_RETENTION_CHECK_MS) || 3_600_000) {
	const run = async () => {
		try {
			await anonymiseEndedWorkshops();
		} catch (error) {
			console.error('guest retention failed', error);
		}
	};
	await run();
	const timer = setInterval(run, everyMs);
	timer.unref();
	return () => clearInterval(timer);
}
