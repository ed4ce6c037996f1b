// The audit log (issue 17) through the real server: a failed sign-in with its address, a role change, a vote round
// revealed and a pilot decision, each recorded with who, what and from where; the admin view's filters and 403;
// triggers that refuse UPDATE and DELETE; pruning after the retention period, with a clock.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit, pruneAudit, recordAudit, type AuditAction } from '../../src/lib/server/audit';
import { db, driverMessage, first, rawRun } from '../../src/lib/server/db';
import { auditEvents, users } from '../../src/lib/server/db/schema';
import { addMember, createOrganisation } from '../../src/lib/server/organisations';
import { pilotSchema, proposePilot, readPilotForm, transitionPilot } from '../../src/lib/server/pilots';
import { createProgramme, programmeSchema, readProgrammeForm } from '../../src/lib/server/programmes';
import { changePassword } from '../../src/lib/server/users';
import { closeRound, openRound } from '../../src/lib/server/voting';
import { importAreas } from '../../src/lib/server/areas';
import { removeParticipant, setParticipantRole } from '../../src/lib/server/workshops';
import { newGuest, newUser, newWorkshop } from '../helpers/collab';
import { postAction, startProductionServer, type RunningServer } from '../helpers/server';

let server: RunningServer;
beforeAll(async () => {
	server = await startProductionServer({ env: { DATABASE_PATH: process.env.DATABASE_PATH!, ADDRESS_HEADER: 'x-forwarded-for' } });
});
afterAll(() => server?.stop());

const from = (address: string) => ({ 'x-forwarded-for': address });
const eventsOf = (action: AuditAction) => db.select().from(auditEvents).where(eq(auditEvents.action, action));
/** The database's refusal of a statement (its message), or null when it ran. */
const refusal = (statement: string) => rawRun(statement).then(() => null, (error) => driverMessage(error));

async function admin(name: string) {
	const user = await newUser(name);
	await db.update(users).set({ isAdmin: true }).where(eq(users.id, user.id));
	return user;
}

describe('audit log', () => {
	it('records a failed sign-in with the typed email and the address, then the sign-in', async () => {
		const user = await newUser('Kirjautuja');
		const email = (await first(db.select({ email: users.email }).from(users).where(eq(users.id, user.id))))!.email;
		const failed = await postAction(server.url, '/sign-in', '', { email, password: 'väärä-salasana' }, from('203.0.113.7'));
		expect(failed.status).toBe(400);
		expect((await eventsOf('sign_in_failed')).find((event) => event.actorLabel === email)).toMatchObject({
			actorId: null,
			address: '203.0.113.7',
			details: { email, method: 'password' }
		});
		const signedIn = await postAction(server.url, '/sign-in', '', { email, password: 'salasana-123' }, from('203.0.113.8'));
		expect(signedIn.type).toBe('redirect');
		expect((await eventsOf('sign_in')).find((event) => event.actorId === user.id)).toMatchObject({ address: '203.0.113.8', actorLabel: 'Kirjautuja' });
	});

	it('records a role change by an admin, who did it and from where', async () => {
		const boss = await admin('Ylläpitäjä');
		const member = await newUser('Jäsen');
		const city = await createOrganisation({ name: `Auditkaupunki ${Date.now()}`, kind: 'city', municipality: 'Helsinki' });
		await addMember(city.id, member.id, 'member');
		const answer = await postAction(server.url, `/admin/organisations/${city.id}?/setRole`, boss.cookie, { userId: member.id, role: 'facilitator' }, from('203.0.113.9'));
		expect(answer.type).toBe('success');
		expect((await eventsOf('membership_role_changed')).find((event) => event.subjectId === member.id)).toMatchObject({
			actorId: boss.id,
			actorLabel: 'Ylläpitäjä',
			subjectKind: 'user',
			address: '203.0.113.9',
			details: { organisationId: city.id, from: 'member', to: 'facilitator' }
		});
	});

	it('records a vote round revealed by its facilitator', async () => {
		const owner = await newUser('Fasilitaattori');
		const workshop = await newWorkshop(owner.id);
		const round = await openRound(workshop.id, { method: 'dot', items: [{ id: 'idea', kind: 'idea', text: 'Idea' }] }, owner.id);
		await closeRound(round.id);
		expect((await eventsOf('vote_round_opened')).some((event) => event.subjectId === round.id)).toBe(true);
		expect((await eventsOf('vote_round_closed')).some((event) => event.subjectId === round.id)).toBe(true);
		const answer = await postAction(server.url, `/workshops/${workshop.id}/votes?/reveal`, owner.cookie, { roundId: round.id }, from('203.0.113.10'));
		expect(answer.type).toBe('success');
		expect((await eventsOf('vote_round_revealed')).find((event) => event.subjectId === round.id)).toMatchObject({
			actorId: owner.id,
			address: '203.0.113.10',
			details: { workshopId: workshop.id }
		});
	});

	it('records a pilot decision with its status change and decision', async () => {
		const lead = await newUser('Ohjelmaliidi');
		const city = await createOrganisation({ name: `Pilottikaupunki ${Date.now()}`, kind: 'city', municipality: 'Helsinki' });
		await addMember(city.id, lead.id, 'programme_lead');
		const programmeForm = new FormData();
		for (const [key, value] of Object.entries({ name: 'Ohjelma', ownerOrganisationId: city.id, startsOn: '2024-01-01', endsOn: '2027-12-31', description: '' }))
			programmeForm.set(key, value);
		programmeForm.set('goals.0.title', 'Tavoite');
		const programme = await createProgramme(programmeSchema.parse(readProgrammeForm(programmeForm)), lead.id);
		const pilotForm = new FormData();
		for (const [key, value] of Object.entries({ title: 'Läksykerho', summary: '', cadenceWeeks: '4', startsOn: '2025-01-06' })) pilotForm.set(key, value);
		const pilot = await proposePilot(programme.id, pilotSchema.parse(readPilotForm(pilotForm)), lead.id);
		const asLead = { id: lead.id, isAdmin: false };
		await transitionPilot(pilot.id, 'approve', asLead);
		await transitionPilot(pilot.id, 'start', asLead);
		const answer = await postAction(server.url, `/pilots/${pilot.id}?/transition`, lead.cookie, { action: 'decide', decision: 'scale', comment: 'Tulokset hyvät' }, from('203.0.113.11'));
		expect(answer.type).not.toBe('failure');
		const events = (await eventsOf('pilot_transition')).filter((event) => event.subjectId === pilot.id);
		expect(events.map((event) => event.details.action)).toEqual(['approve', 'start', 'decide']);
		expect(events[2]).toMatchObject({ actorId: lead.id, actorLabel: 'Ohjelmaliidi', address: '203.0.113.11', details: { from: 'running', to: 'decided', decision: 'scale' } });
	});

	it('records a participant’s role change and removal (without the guest’s name) and an area import by its importer', async () => {
		const owner = await newUser('Työpajan omistaja');
		const workshop = await newWorkshop(owner.id);
		const guest = await newGuest(workshop.id, 'Vieras Virtanen');
		expect(await setParticipantRole(workshop.id, guest.id, 'observer')).toBe(true);
		expect(await removeParticipant(workshop.id, guest.id)).toEqual([guest.id]);
		const forGuest = await db.select().from(auditEvents).where(eq(auditEvents.subjectId, guest.id));
		expect(forGuest.map((event) => event.action).sort()).toEqual(['participant_removed', 'participant_role_changed']);
		expect(JSON.stringify(forGuest), 'a guest’s name is anonymised later; the log must not keep it').not.toContain('Virtanen');

		const importer = await admin('Aluetietojen tuoja');
		const parsed = { ok: true as const, areas: [{ code: '00990', name: 'Auditala', municipality: 'Helsinki' }], indicators: [], rows: [] };
		const { id } = await importAreas(parsed, { filename: 'alueet.csv', format: 'plain', importedBy: importer.id });
		expect((await eventsOf('areas_imported')).find((event) => event.subjectId === id)).toMatchObject({
			actorId: importer.id,
			actorLabel: 'Aluetietojen tuoja',
			details: { filename: 'alueet.csv', format: 'plain', areas: 1, values: 0 }
		});
	});

	it('records a password change in the same transaction', async () => {
		const user = await newUser('Salasanan vaihtaja');
		expect(await changePassword(user.id, 'väärä', 'uusi-salasana-123')).toBe(false);
		expect(await changePassword(user.id, 'salasana-123', 'uusi-salasana-123')).toBe(true);
		expect((await eventsOf('password_changed')).filter((event) => event.subjectId === user.id)).toMatchObject([{ actorId: user.id, actorLabel: 'Salasanan vaihtaja' }]);
	});

	it('filters by action, actor e-mail and dates for admins, pages, and is 403 for others', async () => {
		const boss = await admin('Lokinlukija');
		const other = await newUser('Utelias');
		const email = (await first(db.select({ email: users.email }).from(users).where(eq(users.id, boss.id))))!.email;
		for (let i = 0; i < 55; i++) await recordAudit(db, { action: 'membership_added', actor: { id: boss.id, label: 'Lokinlukija' }, at: new Date(Date.UTC(2026, 0, 10, 12, i)) });
		await recordAudit(db, { action: 'membership_removed', actor: { id: boss.id, label: 'Lokinlukija' }, subject: { kind: 'user', id: other.id }, at: new Date(Date.UTC(2026, 0, 12)) });

		const byActor = await listAudit({ actor: email.toUpperCase(), page: 1 });
		expect(byActor).toMatchObject({ total: 56, pages: 2 });
		expect(byActor.events[0]).toMatchObject({ action: 'membership_removed', subjectName: other.email }); // the subject by its email, not an id
		expect((await listAudit({ actor: email, page: 2 })).events).toHaveLength(6);
		expect((await listAudit({ actor: email, action: 'membership_removed', page: 1 })).total).toBe(1);
		expect((await listAudit({ actor: email, from: '2026-01-11', to: '2026-01-12', page: 1 })).total).toBe(1);
		expect((await listAudit({ actor: email, from: '2026-01-10', to: '2026-01-10', page: 1 })).total).toBe(55);

		expect((await fetch(`${server.url}/admin/audit`, { headers: { cookie: other.cookie } })).status).toBe(403);
		const page = await fetch(`${server.url}/admin/audit?action=membership_removed&actor=${encodeURIComponent(email)}&from=2026-01-01&to=nonsense`, {
			headers: { cookie: boss.cookie }
		});
		expect(page.status).toBe(200);
		const html = await page.text();
		expect(html.match(/data-audit-id=/g)).toHaveLength(1);
		expect(html).toContain(email);
		expect(html).toContain(other.email);
	});

	it('refuses UPDATE and DELETE on the table; pruning removes only what is older than the retention period', async () => {
		const day = 86_400_000;
		const now = Date.UTC(2027, 5, 1);
		await recordAudit(db, { action: 'sign_in', actor: { id: null, label: 'vanha' }, at: new Date(now - 366 * day) });
		await recordAudit(db, { action: 'sign_in', actor: { id: null, label: 'tuore' }, at: new Date(now - 364 * day) });
		expect(await refusal("UPDATE audit_events SET actor_label = 'muutettu'")).toMatch(/append-only/);
		expect(await refusal("DELETE FROM audit_events WHERE actor_label = 'vanha'")).toMatch(/append-only/);
		const labels = async () => (await db.select({ label: auditEvents.actorLabel }).from(auditEvents)).map((row) => row.label);
		expect(await labels()).toEqual(expect.arrayContaining(['vanha', 'tuore']));

		expect(await pruneAudit(now, 365)).toBeGreaterThanOrEqual(1);
		expect(await labels()).not.toContain('vanha');
		expect(await labels()).toContain('tuore');
		expect(await refusal("DELETE FROM audit_events WHERE actor_label = 'tuore'"), 'the gate closes again').toMatch(/append-only/);
		expect(await pruneAudit(now + 2 * day, 365)).toBe(1);
		expect(await labels()).not.toContain('tuore');
	});

	it('lets an account go: its events stay with their label, unlinked from it', async () => {
		const leaving = await newUser('Lähtijä');
		await recordAudit(db, { action: 'sign_in', actor: { id: leaving.id, label: 'Lähtijä' }, subject: { kind: 'user', id: leaving.id } });
		await db.delete(users).where(eq(users.id, leaving.id));
		expect(await first(db.select().from(auditEvents).where(eq(auditEvents.subjectId, leaving.id)))).toMatchObject({ actorId: null, actorLabel: 'Lähtijä' });
	});
});
