// Reusing a workshop's plan against a real database: duplicating a workshop, and templates kept per organisation
// for its facilitators.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote } from '../../src/lib/board/model';
import { openBoardStore } from '../../src/lib/server/collab';
import { db, rawGet } from '../../src/lib/server/db';
import { users } from '../../src/lib/server/db/schema';
import { addMember, createOrganisation } from '../../src/lib/server/organisations';
import { createUser } from '../../src/lib/server/users';
import { getWorkshopTemplate, listWorkshopTemplates, saveWorkshopTemplate, templateOrganisations } from '../../src/lib/server/workshop-templates';
import {
	createWorkshop,
	duplicateWorkshop,
	emptyWorkshopPlan,
	getWorkshopDetails,
	joinAsGuest,
	listParticipants,
	type WorkshopInput
} from '../../src/lib/server/workshops';

let counter = 0;
async function person(name: string, isAdmin = false) {
	const email = `${name.toLowerCase()}-${++counter}@example.fi`;
	const user = await createUser({ name, email, password: 'salasana-123' });
	if (isAdmin) await db.update(users).set({ isAdmin: true }).where(eq(users.id, user.id));
	return { id: user.id, name, email, isAdmin };
}
const organisation = (name: string) => createOrganisation({ name: `${name} ${++counter}`, kind: 'city', municipality: 'Helsinki' });

const plan = (overrides: Partial<WorkshopInput> = {}): WorkshopInput => ({
	title: 'Jalostamo Kontulassa',
	theme: 'Perheiden arki',
	description: 'Kevään työpaja',
	startsAt: new Date('2030-05-14T06:30:00Z'),
	organisationIds: [],
	coFacilitatorEmails: [],
	perspectives: [
		{ title: 'Lapsiperheet', description: 'Arki ja palvelut' },
		{ title: 'Nuoret aikuiset', description: '' }
	],
	phases: [
		{ kind: 'ideas', title: 'Ideointi', durationMinutes: 20 },
		{ kind: 'voting', title: 'Äänestys', durationMinutes: 10 }
	],
	...overrides
});

describe('duplicating a workshop', () => {
	it('copies the plan with a new code and a suffixed title, and none of the board, participants or votes', async () => {
		const owner = await person('Fanni');
		const co = await person('Kalle');
		const copier = await person('Sanna');
		const city = await organisation('Helsingin kaupunki');
		const original = await createWorkshop(plan({ organisationIds: [city.id], coFacilitatorEmails: [co.email] }), owner.id);
		await joinAsGuest(original.id, { displayName: 'Vieras' });
		const doc = new Y.Doc();
		addNote(doc, { text: 'Lappu', lane: (await getWorkshopDetails(original.id))!.perspectives[0]!.id, author: { id: 'a', name: 'A' }, createdAt: 1 });
		await openBoardStore().append(original.id, [Y.encodeStateAsUpdate(doc)]);

		const copy = (await duplicateWorkshop(original.id, copier.id, (title) => `${title} (kopio)`))!;
		const before = (await getWorkshopDetails(original.id))!;
		const after = (await getWorkshopDetails(copy.id))!;
		expect(after.workshop).toMatchObject({ title: 'Jalostamo Kontulassa (kopio)', theme: 'Perheiden arki', description: 'Kevään työpaja', startsAt: null });
		expect(after.workshop.joinCode).not.toBe(before.workshop.joinCode);
		expect(after.perspectives.map(({ title, description }) => [title, description])).toEqual([
			['Lapsiperheet', 'Arki ja palvelut'],
			['Nuoret aikuiset', '']
		]);
		// New rows, not shared ones: editing the copy leaves the original alone.
		expect(after.perspectives.some((p) => before.perspectives.some((q) => q.id === p.id))).toBe(false);
		expect(after.phases.map(({ kind, title, durationMinutes }) => [kind, title, durationMinutes])).toEqual([
			['ideas', 'Ideointi', 20],
			['voting', 'Äänestys', 10]
		]);
		expect(after.organisations.map((o) => o.id)).toEqual([city.id]);
		expect(before.facilitators.map((f) => f.id).sort()).toEqual([owner.id, co.id].sort());
		expect(after.facilitators.map((f) => f.id).sort()).toEqual([owner.id, co.id, copier.id].sort());
		expect(await listParticipants(copy.id)).toEqual([]);
		expect((await openBoardStore().load(copy.id)).updates).toEqual([]);
		expect(Number((await rawGet<{ n: number | string }>('SELECT count(*) AS n FROM vote_rounds WHERE workshop_id = ?', copy.id))?.n)).toBe(0);

		// A title at the limit stays within it; a workshop that does not exist copies to nothing.
		const long = await createWorkshop(plan({ title: 'x'.repeat(120) }), owner.id);
		expect((await duplicateWorkshop(long.id, owner.id, (title) => `${title} (kopio)`))!.title).toHaveLength(120);
		expect(await duplicateWorkshop('no-such-workshop', owner.id, (title) => title)).toBeUndefined();
	});

	it('an empty plan has one lane to name and no agenda', () => {
		expect(emptyWorkshopPlan()).toEqual({ perspectives: [{ title: '', description: '' }], phases: [] });
	});
});

describe('workshop templates', () => {
	it('are kept per organisation for its facilitators, and only they see and use them', async () => {
		const helsinki = await organisation('Helsingin kaupunki');
		const vantaa = await organisation('Vantaan kaupunki');
		const facilitator = await person('Aino');
		const colleague = await person('Eero');
		const member = await person('Matti');
		const other = await person('Vilja');
		const admin = await person('Ylläpito', true);
		await addMember(helsinki.id, facilitator.id, 'facilitator');
		await addMember(helsinki.id, colleague.id, 'facilitator');
		await addMember(helsinki.id, member.id, 'member');
		await addMember(vantaa.id, other.id, 'facilitator');
		const workshop = await createWorkshop(plan(), facilitator.id);

		expect((await templateOrganisations(facilitator)).map((o) => o.id)).toEqual([helsinki.id]);
		expect(await templateOrganisations(member)).toEqual([]);
		// Not for an organisation one does not facilitate in.
		expect(await saveWorkshopTemplate(workshop.id, { name: 'Jalostamo Kontula', organisationId: vantaa.id }, facilitator)).toBeUndefined();
		expect(await saveWorkshopTemplate(workshop.id, { name: 'Jalostamo Kontula', organisationId: helsinki.id }, member)).toBeUndefined();

		const saved = (await saveWorkshopTemplate(workshop.id, { name: 'Jalostamo Kontula', organisationId: helsinki.id }, facilitator))!;
		expect(saved.organisation.id).toBe(helsinki.id);
		expect(saved.template).toMatchObject({
			name: 'Jalostamo Kontula',
			theme: 'Perheiden arki',
			description: 'Kevään työpaja',
			perspectives: [
				{ title: 'Lapsiperheet', description: 'Arki ja palvelut' },
				{ title: 'Nuoret aikuiset', description: '' }
			],
			phases: [
				{ kind: 'ideas', title: 'Ideointi', durationMinutes: 20 },
				{ kind: 'voting', title: 'Äänestys', durationMinutes: 10 }
			]
		});

		const listed = { id: saved.template.id, name: 'Jalostamo Kontula', organisationId: helsinki.id, perspectiveCount: 2, phaseCount: 2 };
		expect(await listWorkshopTemplates(colleague)).toMatchObject([listed]);
		expect(await listWorkshopTemplates(facilitator)).toMatchObject([listed]);
		expect(await listWorkshopTemplates(member)).toEqual([]);
		expect(await listWorkshopTemplates(other)).toEqual([]);
		expect((await listWorkshopTemplates(admin)).map((t) => t.id)).toContain(saved.template.id);
		expect((await getWorkshopTemplate(saved.template.id, colleague))?.theme).toBe('Perheiden arki');
		expect(await getWorkshopTemplate(saved.template.id, other)).toBeUndefined();
		expect(await getWorkshopTemplate(saved.template.id, member)).toBeUndefined();
		expect(await getWorkshopTemplate('no-such-template', facilitator)).toBeUndefined();
	});
});
