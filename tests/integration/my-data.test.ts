// "My data" through the production server (needs `npm run build`): a person with rows in every table that holds
// them downloads a ZIP, unzipped here with the same library (fflate) and checked field by field against the database;
// a guest downloads only their own notes of their workshop, and nothing once their guest session has ended.
import { unzipSync, strFromU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addComment, addNote, promoteToIdea, readBoard } from '../../src/lib/board/model';
import { createCalendarFeed } from '../../src/lib/server/calendar';
import { eq } from 'drizzle-orm';
import { db, rawAll, rawGet } from '../../src/lib/server/db';
import { mailOutbox, participants, pilotComments, pilots, userIdentities, voteRoundItems, voteRounds, votes, workshopInvitations } from '../../src/lib/server/db/schema';
import { setMailPreferences } from '../../src/lib/server/mail/preferences';
import { addMember, createOrganisation } from '../../src/lib/server/organisations';
import { checkInSchema, pilotSchema, proposePilot, readPilotForm, recordCheckIn, transitionPilot } from '../../src/lib/server/pilots';
import { createProgramme, programmeSchema, readProgrammeForm } from '../../src/lib/server/programmes';
import { joinAsUser, removeParticipant } from '../../src/lib/server/workshops';
import { authorOf, connectBoard, newGuest, newUser, newWorkshop, storedBoard, synced, waitFor, type BoardClient } from '../helpers/collab';
import { startProductionServer, type RunningServer } from '../helpers/server';

let server: RunningServer;
const clients: BoardClient[] = [];

beforeAll(async () => {
	server = await startProductionServer({ env: { DATABASE_PATH: process.env.DATABASE_PATH! } });
});

afterAll(async () => {
	for (const client of clients) client.destroy();
	await server?.stop();
});

/** A stored time (SQLite's milliseconds, PostgreSQL's Date) as the export writes it; a misspelt column fails rather than passing as null. */
function iso(at: unknown) {
	if (at === undefined) throw new Error('no such column');
	return at === null ? null : new Date(at as number | Date).toISOString();
}
const row = async (source: string, ...params: unknown[]) => (await rawGet<Record<string, never>>(source, ...params))!;

async function download(path: string, cookie = '') {
	const response = await fetch(`${server.url}${path}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
	return response;
}

async function unzip(response: Response) {
	const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
	const text = (name: string) => {
		expect(files[name], name).toBeDefined();
		return strFromU8(files[name]!);
	};
	return { names: Object.keys(files).sort(), text, json: (name: string) => JSON.parse(text(`${name}.json`)) as Record<string, unknown>[] };
}

/** Writes on a workshop's board through a real client and waits until the server has stored it. */
async function onBoard(workshopId: string, cookie: string, write: (doc: BoardClient['doc']) => void, stored: (board: ReturnType<typeof readBoard>) => boolean) {
	const client = connectBoard(server.url, workshopId, { cookie });
	clients.push(client);
	await synced(client);
	write(client.doc);
	await waitFor(async () => stored(readBoard(await storedBoard(workshopId))), 'the board change to be stored');
	client.destroy();
}

describe('my data', () => {
	let me: Awaited<ReturnType<typeof newUser>>;
	let other: Awaited<ReturnType<typeof newUser>>;
	let ownWorkshopId: string;
	let otherWorkshopId: string;
	let myParticipantId: string;
	let guest: Awaited<ReturnType<typeof newGuest>>;

	beforeAll(async () => {
		me = await newUser('Maija Minä');
		other = await newUser('Olli Muu');
		const city = await createOrganisation({ name: `Omakaupunki ${Date.now()}`, kind: 'city', municipality: 'Helsinki' });
		await addMember(city.id, me.id, 'programme_lead');
		await addMember(city.id, other.id, 'facilitator');
		await setMailPreferences(me.id, { pilot_updates: 'off' });
		await setMailPreferences(other.id, { pilot_updates: 'off' });
		await createCalendarFeed(me.id);
		const now = new Date();
		await db.insert(userIdentities).values([
			{ provider: 'entra', subject: 'sub-maija', userId: me.id },
			{ provider: 'entra', subject: 'sub-olli', userId: other.id }
		]);
		for (const [id, user, subject] of [['mail-me', me.id, 'Sinulle'], ['mail-other', other.id, 'Muulle']] as const) {
			await db
				.insert(mailOutbox)
				.values({ id, kind: 'pilot_updates', to: 'x@example.fi', userId: user, locale: 'fi', subject, text: 't', html: 'h', messageId: `<${id}@verstas>`, nextAttemptAt: now });
		}

		ownWorkshopId = (await newWorkshop(me.id, 'Oma työpaja')).id;
		otherWorkshopId = (await newWorkshop(other.id, 'Muiden työpaja')).id;
		for (const [workshopId, by, email] of [[ownWorkshopId, me.id, 'kutsuttu@example.fi'], [otherWorkshopId, other.id, 'toinen@example.fi']] as const) {
			await db.insert(workshopInvitations).values({ id: `inv-${email}`, workshopId, email, locale: 'fi', invitedBy: by, invitedAt: now });
		}
		myParticipantId = (await joinAsUser(otherWorkshopId, me))!.id;
		guest = await newGuest(otherWorkshopId, 'Vieras Ville');

		// My own board: a note as `user:{id}` (a facilitator without a participant row), an idea from it, a comment.
		await onBoard(
			ownWorkshopId,
			me.cookie,
			(doc) => {
				const noteId = addNote(doc, { text: 'Oma lappu', lane: 'Lapsiperheet', author: authorOf(me) });
				const ideaId = promoteToIdea(doc, { kind: 'note', id: noteId }, 'Oma idea', 'Lapsiperheet');
				addComment(doc, ideaId, authorOf(me), 'Oma kommentti');
			},
			(board) => board.ideas.some((idea) => idea.comments.length === 1)
		);
		// The other workshop: their note and idea, then my note and comment as a participant, then the guest's.
		await onBoard(
			otherWorkshopId,
			other.cookie,
			(doc) => {
				const noteId = addNote(doc, { text: 'Muun lappu', lane: 'Lapsiperheet', author: authorOf(other) });
				const ideaId = promoteToIdea(doc, { kind: 'note', id: noteId }, 'Muun idea', 'Lapsiperheet');
				addComment(doc, ideaId, authorOf(other), 'Muun kommentti');
			},
			(board) => board.ideas.length === 1 && board.ideas[0]!.comments.length === 1
		);
		const id = readBoard(await storedBoard(otherWorkshopId)).ideas[0]!.id;
		await onBoard(
			otherWorkshopId,
			me.cookie,
			(doc) => {
				addNote(doc, { text: 'Lappuni osallistujana', lane: 'Lapsiperheet', author: authorOf({ ...me, participantId: myParticipantId }) });
				addComment(doc, id, authorOf({ ...me, participantId: myParticipantId }), 'Kommenttini osallistujana');
			},
			(board) => board.ideas[0]!.comments.length === 2
		);
		await onBoard(
			otherWorkshopId,
			guest.cookie,
			(doc) => {
				addNote(doc, { text: 'Vieraan lappu', lane: 'Lapsiperheet', author: authorOf(guest) });
				addComment(doc, id, authorOf(guest), 'Vieraan kommentti');
			},
			(board) => board.ideas[0]!.comments.length === 3
		);

		// Votes: mine and the guest's in an open round; an anonymous round's votes are unlinked when it closed.
		await db.insert(voteRounds).values({ id: 'round-1', workshopId: otherWorkshopId, method: 'dot', openedBy: other.id, openedAt: now });
		await db.insert(voteRoundItems).values({ roundId: 'round-1', itemId: id, kind: 'idea', text: 'Muun idea', position: 0 });
		for (const [voter, points] of [[myParticipantId, 2], [guest.participantId, 3], [`user:${other.id}`, 1], ['anonymous:abc', 4]] as const) {
			await db.insert(votes).values({ roundId: 'round-1', voterId: voter, itemId: id, points, updatedAt: now });
		}

		// Pilots: one I proposed (and am in the team of), one the other proposed with me responsible; check-ins, comments.
		const form = new FormData();
		for (const [key, value] of Object.entries({ name: 'Ohjelma', ownerOrganisationId: city.id, startsOn: '', endsOn: '', description: '' })) form.set(key, value);
		form.set('goals.0.title', 'Tavoite');
		const programme = await createProgramme(programmeSchema.parse(readProgrammeForm(form)), me.id);
		const pilotForm = (title: string) => {
			const data = new FormData();
			for (const [key, value] of Object.entries({ title, summary: 'Tiivistelmä', cadenceWeeks: '4', startsOn: '2026-01-05' })) data.set(key, value);
			return pilotSchema.parse(readPilotForm(data));
		};
		const mine = await proposePilot(programme.id, pilotForm('Oma kokeilu'), me.id);
		const theirs = await proposePilot(programme.id, pilotForm('Muun kokeilu'), other.id);
		const unrelated = await proposePilot(programme.id, pilotForm('Vieras kokeilu'), other.id);
		await db.update(pilots).set({ responsibleUserId: me.id }).where(eq(pilots.id, theirs.id));
		await transitionPilot(mine.id, 'approve', { id: me.id, isAdmin: false });
		await transitionPilot(unrelated.id, 'approve', { id: me.id, isAdmin: false });
		await transitionPilot(unrelated.id, 'start', { id: me.id, isAdmin: true });
		const checkIn = (happened: string) =>
			checkInSchema.parse({ reportedOn: '2026-02-03', status: 'on_track', happened, learned: 'Opittu', nextSteps: '', impactResidents: '', impactLocalActors: '', impactInstitutions: '' });
		await recordCheckIn(unrelated.id, checkIn('Minun katsaukseni'), me.id);
		await recordCheckIn(unrelated.id, checkIn('Muun katsaus'), other.id);
		for (const [cid, author, text] of [['pc-me', me.id, 'Kommenttini kokeiluun'], ['pc-other', other.id, 'Muun kommentti kokeiluun']] as const) {
			await db.insert(pilotComments).values({ id: cid, pilotId: unrelated.id, authorId: author, text, at: now });
		}
	}, 60_000);

	it('gives the signed-in person a ZIP of everything about them, checked field by field against the database', async () => {
		const response = await download('/profile/my-data.zip', me.cookie);
		expect(response.status).toBe(200);
		const logged = await rawAll<{ action: string }>('SELECT action FROM audit_events WHERE subject_id = ?', me.id);
		expect(logged.map((event) => event.action)).toContain('data_exported');
		expect(response.headers.get('content-type')).toBe('application/zip');
		expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.zip"$/);
		expect(response.headers.get('cache-control')).toBe('no-store');
		const zip = await unzip(response);
		const names = [
			'profile', 'memberships', 'sessions', 'openid_identities', 'mail_preferences', 'mail_sent_to_me', 'calendar_feed', 'invitations_sent',
			'workshops', 'participations', 'board_notes', 'idea_comments', 'votes', 'pilots', 'pilot_status_changes', 'check_ins', 'pilot_comments'
		];
		expect(zip.names).toEqual([...names.flatMap((name) => [`${name}.csv`, `${name}.json`]), 'LUEMINUT.txt'].sort());
		const readme = zip.text('LUEMINUT.txt');
		for (const name of names) expect(readme).toContain(`${name}.json`);
		expect(readme).toContain('Nimettömän äänestyksen äänet irrotetaan');

		const user = await row('SELECT * FROM users WHERE id = ?', me.id);
		expect(zip.json('profile')).toEqual([{ id: me.id, email: user.email, name: 'Maija Minä', locale: 'fi', isAdmin: Boolean(user.is_admin), createdAt: iso(user.created_at) }]);
		const membership = await row('SELECT m.*, o.name FROM memberships m JOIN organisations o ON o.id = m.organisation_id WHERE user_id = ?', me.id);
		expect(zip.json('memberships')).toEqual([{ organisationId: membership.organisation_id, organisationName: membership.name, role: 'programme_lead', createdAt: iso(membership.created_at) }]);
		const session = await row('SELECT * FROM sessions WHERE user_id = ?', me.id);
		const [sessionRow] = zip.json('sessions');
		expect(sessionRow).toEqual({ createdAt: iso(session.created_at), lastUsedAt: expect.any(String), expiresAt: expect.any(String) });
		expect(Date.parse(sessionRow!.expiresAt as string)).toBeGreaterThan(Date.now());
		expect(zip.json('openid_identities')).toEqual([{ provider: 'entra', subject: 'sub-maija', createdAt: expect.any(String) }]);
		expect(zip.json('mail_preferences')).toEqual([{ kind: 'pilot_updates', frequency: 'off' }]);
		const mails = await rawAll<Record<string, never>>('SELECT * FROM mail_outbox WHERE user_id = ? ORDER BY id', me.id);
		expect(mails.map((mail) => mail.subject)).toContain('Sinulle');
		expect(zip.json('mail_sent_to_me').sort((a, b) => String(a.subject).localeCompare(String(b.subject)))).toEqual(
			mails
				.map((mail) => ({ kind: mail.kind, to: mail.to, subject: mail.subject, status: mail.status, createdAt: iso(mail.created_at), sentAt: iso(mail.sent_at) }))
				.sort((a, b) => String(a.subject).localeCompare(String(b.subject)))
		);
		const feed = await row('SELECT created_at FROM calendar_feeds WHERE user_id = ?', me.id);
		expect(zip.json('calendar_feed')).toEqual([{ exists: true, createdAt: iso(feed.created_at) }]);
		expect(zip.json('invitations_sent')).toEqual([{ workshopId: ownWorkshopId, workshopTitle: 'Oma työpaja', email: 'kutsuttu@example.fi', state: 'invited', invitedAt: expect.any(String) }]);
		expect(zip.json('workshops').map((w) => [w.id, w.title, w.createdByMe, w.facilitator])).toEqual([[ownWorkshopId, 'Oma työpaja', true, true]]);
		const participation = await row('SELECT * FROM participants WHERE user_id = ?', me.id);
		expect(zip.json('participations')).toEqual([
			{ id: myParticipantId, workshopId: otherWorkshopId, workshopTitle: 'Muiden työpaja', displayName: 'Maija Minä', organisationName: participation.organisation_name, role: 'participant', removedAt: null, joinedAt: iso(participation.created_at) }
		]);
		expect(zip.json('board_notes').map((n) => [n.workshopId, n.text, n.authorName]).sort()).toEqual(
			[
				[ownWorkshopId, 'Oma lappu', 'Maija Minä'],
				[otherWorkshopId, 'Lappuni osallistujana', 'Maija Minä']
			].sort()
		);
		expect(zip.json('idea_comments').map((c) => [c.workshopId, c.ideaTitle, c.text]).sort()).toEqual(
			[
				[ownWorkshopId, 'Oma idea', 'Oma kommentti'],
				[otherWorkshopId, 'Muun idea', 'Kommenttini osallistujana']
			].sort()
		);
		expect(zip.json('votes').map((v) => [v.roundId, v.itemText, v.points, v.anonymous])).toEqual([['round-1', 'Muun idea', 2, false]]);
		expect(zip.json('pilots').map((p) => [p.title, p.programmeName, p.proposedByMe, p.responsible, p.inTeam]).sort()).toEqual(
			[
				['Oma kokeilu', 'Ohjelma', true, false, true],
				['Muun kokeilu', 'Ohjelma', false, true, false]
			].sort()
		);
		const changes = await rawAll<Record<string, never>>('SELECT * FROM pilot_status_history WHERE by_user_id = ? ORDER BY at', me.id);
		expect(changes.length).toBeGreaterThanOrEqual(3);
		expect(zip.json('pilot_status_changes').map((c) => [c.pilotId, c.toStatus, c.at]).sort()).toEqual(changes.map((c) => [c.pilot_id, c.to_status, iso(c.at)]).sort());
		const checkIn = await row('SELECT * FROM check_ins WHERE written_by = ?', me.id);
		expect(zip.json('check_ins')).toEqual([
			{
				id: checkIn.id,
				pilotId: checkIn.pilot_id,
				seriesId: checkIn.series_id,
				version: 1,
				reportedOn: '2026-02-03',
				status: 'on_track',
				happened: 'Minun katsaukseni',
				learned: 'Opittu',
				nextSteps: '',
				impactResidents: '',
				impactLocalActors: '',
				impactInstitutions: '',
				writtenAt: iso(checkIn.written_at)
			}
		]);
		expect(zip.json('pilot_comments').map((c) => [c.id, c.text])).toEqual([['pc-me', 'Kommenttini kokeiluun']]);

		// The CSV holds the same rows; nothing of the other person, and no secret, is anywhere in the archive.
		expect(zip.text('check_ins.csv').split('\r\n')[1]).toContain('Minun katsaukseni');
		const everything = zip.names.map((name) => (name.endsWith('.txt') ? '' : zip.text(name))).join('\n');
		for (const foreign of ['Olli Muu', 'Muun lappu', 'Muun kommentti', 'Vieraan', 'sub-olli', 'Muulle', 'toinen@example.fi', 'Muun katsaus', other.id, guest.participantId]) {
			expect(everything).not.toContain(foreign);
		}
		expect(everything).not.toMatch(/secret|password|hash/i);
	});

	it('refuses anyone not signed in', async () => {
		const response = await download('/profile/my-data.zip');
		expect(response.status).toBe(303);
		expect(response.headers.get('location')).toBe(`/sign-in?redirectTo=${encodeURIComponent('/profile/my-data.zip')}`);
	});

	it('gives a guest exactly their own notes, comments and votes of their workshop, and nothing once removed', async () => {
		const response = await download(`/workshops/${otherWorkshopId}/my-data.zip`, guest.cookie);
		expect(response.status).toBe(200);
		expect(response.headers.get('cache-control')).toBe('no-store');
		const zip = await unzip(response);
		expect(zip.names).toEqual(['LUEMINUT.txt', 'board_notes.csv', 'board_notes.json', 'idea_comments.csv', 'idea_comments.json', 'participation.csv', 'participation.json', 'votes.csv', 'votes.json']);
		expect(zip.json('participation').map((p) => [p.id, p.displayName])).toEqual([[guest.participantId, 'Vieras Ville']]);
		expect(zip.json('board_notes').map((n) => n.text)).toEqual(['Vieraan lappu']);
		expect(zip.json('idea_comments').map((c) => c.text)).toEqual(['Vieraan kommentti']);
		expect(zip.json('votes').map((v) => v.points)).toEqual([3]);

		// The guest cookie is for one workshop only; a stranger and a removed guest get a translated refusal.
		expect((await download(`/workshops/${ownWorkshopId}/my-data.zip`, guest.cookie)).status).toBe(401);
		const stranger = await download(`/workshops/${otherWorkshopId}/my-data.zip`);
		expect(stranger.status).toBe(401);
		expect(await stranger.text()).toContain('Vierasistuntosi tähän työpajaan on päättynyt');
		await removeParticipant(otherWorkshopId, guest.participantId);
		expect((await download(`/workshops/${otherWorkshopId}/my-data.zip`, guest.cookie)).status).toBe(401);
	});

	it('gives a guest whose session has expired nothing', async () => {
		const late = await newGuest(otherWorkshopId, 'Myöhäinen');
		expect((await download(`/workshops/${otherWorkshopId}/my-data.zip`, late.cookie)).status).toBe(200);
		await db.update(participants).set({ joinedAt: new Date(Date.now() - 31 * 24 * 60 * 60 * 1000) }).where(eq(participants.id, late.participantId));
		expect((await download(`/workshops/${otherWorkshopId}/my-data.zip`, late.cookie)).status).toBe(401);
	});
});
