// Guest retention (issue 17) with a clock: 90 days after a workshop ends its guests become "Vieras N" in the
// database and on the board, their tokens and private writing go, once; the workshop's content stays.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote, readBoard } from '../../src/lib/board/model';
import { changeBoard, readBoardDoc } from '../../src/lib/server/collab';
import { db, first } from '../../src/lib/server/db';
import { auditEvents, participants, privateBoardUpdates, workshops } from '../../src/lib/server/db/schema';
import { anonymiseEndedWorkshops, startRetentionSchedule } from '../../src/lib/server/retention';
import { createWorkshop, getWorkshopDetails, validateGuestToken } from '../../src/lib/server/workshops';
import { authorOf, newGuest, newUser, workshopInput } from '../helpers/collab';

const day = 86_400_000;
const now = new Date();

async function endedWorkshop(title: string, endedDaysAgo: number | null) {
	const owner = await newUser(`Vetäjä ${title}`);
	// A scheduled workshop ends at its start plus its duration; an unscheduled one at its creation (or last activity).
	const startsAt = endedDaysAgo === null ? null : new Date(now.getTime() - endedDaysAgo * day - 180 * 60_000);
	const workshop = await createWorkshop({ ...workshopInput(title), startsAt, durationMinutes: 180 }, owner.id);
	const lane = (await getWorkshopDetails(workshop.id))!.perspectives[0]!.id;
	const guests = [await newGuest(workshop.id, 'Aino Asukas'), await newGuest(workshop.id, 'Bertil Boende')];
	const token = guests[0]!.cookie.split('=')[1]!;
	await changeBoard(workshop.id, (doc) => {
		addNote(doc, { text: 'Pyöräkorjaamo', lane, author: authorOf(guests[0]!), id: `${workshop.id}-n1` });
		addNote(doc, { text: 'Lähikirjasto', lane, author: authorOf(guests[1]!), id: `${workshop.id}-n2` });
		addNote(doc, { text: 'Vetäjän lappu', lane, author: authorOf(owner), id: `${workshop.id}-n3` });
	});
	await db.insert(privateBoardUpdates).values({ workshopId: workshop.id, participantId: guests[0]!.id, update: Buffer.from(Y.encodeStateAsUpdate(new Y.Doc())) });
	return { workshop, guests, token, owner };
}

const names = async (workshopId: string) =>
	(await db.select({ name: participants.displayName }).from(participants).where(eq(participants.workshopId, workshopId))).map((row) => row.name).sort();
const notes = async (workshopId: string) => readBoard(await readBoardDoc(workshopId)).notes.map((note) => `${note.text}: ${note.authorName}`).sort();

describe('guest retention', () => {
	it('keeps names 89 days after the end, anonymises at 91, once, and keeps the content', async () => {
		const recent = await endedWorkshop('Tuore', 89);
		const old = await endedWorkshop('Vanha', 91);

		expect(await anonymiseEndedWorkshops(now)).toEqual([old.workshop.id]);
		expect(await names(recent.workshop.id)).toEqual(['Aino Asukas', 'Bertil Boende']);
		expect(await validateGuestToken(recent.workshop.id, recent.token)).not.toBeNull();

		expect(await names(old.workshop.id)).toEqual(['Vieras 1', 'Vieras 2']);
		expect(await notes(old.workshop.id)).toEqual(['Lähikirjasto: Vieras 2', 'Pyöräkorjaamo: Vieras 1', 'Vetäjän lappu: Vetäjä Vanha']);
		expect(await validateGuestToken(old.workshop.id, old.token)).toBeNull();
		expect(await db.select().from(privateBoardUpdates).where(eq(privateBoardUpdates.workshopId, old.workshop.id))).toEqual([]);
		expect(await db.select().from(privateBoardUpdates).where(eq(privateBoardUpdates.workshopId, recent.workshop.id))).toHaveLength(1);
		const anonymisedAt = (await first(db.select().from(workshops).where(eq(workshops.id, old.workshop.id))))!.guestsAnonymisedAt;
		expect(anonymisedAt?.getTime()).toBe(now.getTime());
		// The audit log says so, without the guests' names.
		const logged = await db.select().from(auditEvents).where(eq(auditEvents.subjectId, old.workshop.id));
		expect(logged).toMatchObject([{ action: 'guests_anonymised', actorLabel: 'system', details: { guests: 2 } }]);
		expect(JSON.stringify(logged)).not.toMatch(/Aino|Bertil/);

		// Running again (even later) changes nothing more: no rows, no board update. (The board's state vector, not the
		// log's row count: the room may fold its log into a snapshot meanwhile, which on PostgreSQL once made 1 → 0.)
		const boardState = async () => Buffer.from(Y.encodeStateVector(await readBoardDoc(old.workshop.id))).toString('base64');
		const before = await boardState();
		expect(await anonymiseEndedWorkshops(new Date(now.getTime() + 1000))).toEqual([]);
		expect(await boardState()).toBe(before);
		expect((await first(db.select().from(workshops).where(eq(workshops.id, old.workshop.id))))!.guestsAnonymisedAt?.getTime()).toBe(now.getTime());

		// Two days on, the recent one's turn comes.
		expect(await anonymiseEndedWorkshops(new Date(now.getTime() + 2 * day))).toEqual([recent.workshop.id]);
		expect(await names(recent.workshop.id)).toEqual(['Vieras 1', 'Vieras 2']);
	});

	it('counts an unscheduled workshop from its creation, and runs by itself from the schedule', async () => {
		const unscheduled = await endedWorkshop('Aikatauluton', null);
		expect(await anonymiseEndedWorkshops(new Date(now.getTime() + 89 * day))).toEqual([]);
		expect(await anonymiseEndedWorkshops(new Date(now.getTime() + 91 * day))).toEqual([unscheduled.workshop.id]);

		const due = await endedWorkshop('Ajastettu', 120);
		const stop = await startRetentionSchedule(3_600_000);
		stop();
		expect(await names(due.workshop.id)).toEqual(['Vieras 1', 'Vieras 2']);
		expect(await notes(due.workshop.id)).toContain('Pyöräkorjaamo: Vieras 1');
	});
});
