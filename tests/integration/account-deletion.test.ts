// Delete my account (issue 17) through the production server: confirmation refused changes nothing; confirmed,
// the account and everything only its own goes, board notes show "Poistettu käyttäjä" on a live board client,
// check-ins and pilots stay with no author; the last admin and a programme's last lead are refused.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNote, readBoard } from '../../src/lib/board/model';
import { m } from '../../src/lib/paraglide/messages.js';
import { db, first } from '../../src/lib/server/db';
import { auditEvents, checkIns, memberships, organisations, participants, pilots, programmes, sessions, users } from '../../src/lib/server/db/schema';
import { getWorkshopDetails } from '../../src/lib/server/workshops';
import { authorOf, connectBoard, newMember, newUser, newWorkshop, synced, waitFor, type BoardClient } from '../helpers/collab';
import { postAction, startProductionServer, type RunningServer } from '../helpers/server';

let server: RunningServer;
let admin: Awaited<ReturnType<typeof newUser>>;
const clients: BoardClient[] = [];
beforeAll(async () => {
	// The first account of a database is its admin: this one, so the others are not the last admin.
	admin = await newUser('Ylläpitäjä');
	server = await startProductionServer({ env: { DATABASE_PATH: process.env.DATABASE_PATH!, VERSTAS_MAIL_WORKER: 'off' } });
});
afterAll(async () => {
	for (const client of clients) client.destroy();
	await server?.stop();
});

const remove = (cookie: string, confirmation: string) => postAction(server.url, '/profile?/deleteAccount', cookie, { confirmation });
const userExists = async (id: string) => !!await first(db.select().from(users).where(eq(users.id, id)));

async function programmeOwnedBy(organisationId: string) {
	const id = `programme-${organisationId}`;
	await db.insert(programmes).values({ id, name: `Ohjelma ${organisationId}`, ownerOrganisationId: organisationId });
	return id;
}

describe('delete my account', () => {
	it('with a wrong password changes nothing; with the right one removes the account and leaves its writing to others', async () => {
		const workshop = await newWorkshop(admin.id, 'Poistotyöpaja');
		const lane = (await getWorkshopDetails(workshop.id))!.perspectives[0]!.id;
		const leaving = await newMember(workshop.id, 'Lähtevä Liisa');
		await db.insert(organisations).values({ id: 'org-a', name: 'Kaupunki A', kind: 'city', municipality: 'Helsinki' });
		await db.insert(memberships).values({ userId: leaving.id, organisationId: 'org-a', role: 'member' });
		const programmeId = await programmeOwnedBy('org-a');
		await db.insert(pilots).values({ id: 'pilot-a', programmeId, title: 'Kokeilu', proposedBy: leaving.id, responsibleUserId: leaving.id, updatedAt: new Date() });
		await db.insert(checkIns).values({ id: 'check-a', pilotId: 'pilot-a', seriesId: 's', reportedOn: '2026-11-01', status: 'on_track', happened: 'Tapahtui', writtenBy: leaving.id, writtenAt: new Date() });

		const mine = connectBoard(server.url, workshop.id, { cookie: leaving.cookie, name: 'leaving' });
		const watcher = connectBoard(server.url, workshop.id, { cookie: admin.cookie, name: 'watcher' });
		clients.push(mine, watcher);
		await synced(mine, watcher);
		const noteId = addNote(mine.doc, { text: 'Kerhotila iltaisin', lane, author: authorOf(leaving) });
		await waitFor(() => readBoard(watcher.doc).notes.some((note) => note.id === noteId), 'the note to reach the watcher');

		const wrong = await remove(leaving.cookie, 'väärä-salasana');
		expect(wrong.status).toBe(400);
		expect(wrong.data?.deletion).toMatchObject({ message: m.account_delete_wrong_password() });
		expect(await userExists(leaving.id)).toBe(true);
		expect(await db.select().from(sessions).where(eq(sessions.userId, leaving.id))).toHaveLength(1);
		expect(readBoard(watcher.doc).notes.find((note) => note.id === noteId)?.authorName).toBe('Lähtevä Liisa');

		const done = await remove(leaving.cookie, 'salasana-123');
		expect(done).toMatchObject({ type: 'redirect', location: '/sign-in?deleted' });
		expect(await userExists(leaving.id)).toBe(false);
		expect(await db.select().from(sessions).where(eq(sessions.userId, leaving.id))).toEqual([]);
		// The audit log keeps who left (the link to the account is gone with it).
		expect(await db.select().from(auditEvents).where(eq(auditEvents.subjectId, leaving.id))).toMatchObject([
			{ action: 'account_deleted', actorId: null, actorLabel: leaving.name }
		]);
		expect(await db.select().from(memberships).where(eq(memberships.userId, leaving.id))).toEqual([]);
		expect(await db.select().from(participants).where(eq(participants.id, leaving.participantId))).toEqual([]);
		expect(await first(db.select().from(checkIns).where(eq(checkIns.id, 'check-a')))).toMatchObject({ happened: 'Tapahtui', writtenBy: null });
		expect(await first(db.select().from(pilots).where(eq(pilots.id, 'pilot-a')))).toMatchObject({ proposedBy: null, responsibleUserId: null });

		// The board the person wrote on: the note stays, its author is replaced live; their own socket is closed.
		await waitFor(() => readBoard(watcher.doc).notes.find((note) => note.id === noteId)?.authorName === 'Poistettu käyttäjä', 'the author to be replaced');
		expect(readBoard(watcher.doc).notes.find((note) => note.id === noteId)).toMatchObject({ text: 'Kerhotila iltaisin', authorId: 'deleted' });
		await waitFor(() => mine.closes.length > 0, 'the deleted account’s board connection to close');

		// Signed out: the old cookie opens nothing, and the sign-in page says what happened.
		const profile = await fetch(`${server.url}/profile`, { headers: { cookie: leaving.cookie }, redirect: 'manual' });
		expect(profile.status).toBe(303);
		expect(await (await fetch(`${server.url}/sign-in?deleted`)).text()).toContain(m.account_deleted());
	});

	it('for an account without a password asks for its email', async () => {
		const sso = await newUser('Kertakirjautuja');
		await db.update(users).set({ passwordHash: null }).where(eq(users.id, sso.id));
		const email = (await first(db.select().from(users).where(eq(users.id, sso.id))))!.email;
		const wrong = await remove(sso.cookie, 'toinen@example.fi');
		expect(wrong.data?.deletion).toMatchObject({ message: m.account_delete_wrong_email() });
		expect(await userExists(sso.id)).toBe(true);
		expect(await remove(sso.cookie, email.toUpperCase())).toMatchObject({ type: 'redirect' });
		expect(await userExists(sso.id)).toBe(false);
	});

	it('refuses the last admin and a programme’s last lead until they hand over', async () => {
		const refused = await remove(admin.cookie, 'salasana-123');
		expect(refused.status).toBe(400);
		expect(refused.data?.deletion).toMatchObject({ message: m.account_delete_last_admin() });
		expect(await userExists(admin.id)).toBe(true);
		const profile = await (await fetch(`${server.url}/profile`, { headers: { cookie: admin.cookie } })).text();
		expect(profile).toContain(m.account_delete_last_admin());

		const lead = await newUser('Ainoa Johtaja');
		await db.insert(organisations).values({ id: 'org-b', name: 'Kaupunki B', kind: 'city', municipality: 'Espoo' });
		await db.insert(memberships).values({ userId: lead.id, organisationId: 'org-b', role: 'programme_lead' });
		await programmeOwnedBy('org-b');
		const alone = await remove(lead.cookie, 'salasana-123');
		expect(alone.status).toBe(400);
		expect(alone.data?.deletion).toMatchObject({ message: m.account_delete_last_lead({ organisations: 'Kaupunki B' }) });
		expect(await userExists(lead.id)).toBe(true);

		// Handed over: another lead in the organisation, and the first may go.
		const next = await newUser('Seuraava Johtaja');
		await db.insert(memberships).values({ userId: next.id, organisationId: 'org-b', role: 'programme_lead' });
		expect(await remove(lead.cookie, 'salasana-123')).toMatchObject({ type: 'redirect' });
		expect(await userExists(lead.id)).toBe(false);
	});
});
