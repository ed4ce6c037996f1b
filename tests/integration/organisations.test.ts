import { count } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { db, first } from '../../src/lib/server/db';
import { memberships } from '../../src/lib/server/db/schema';
import {
	addMember,
	createOrganisation,
	deleteOrganisation,
	listMembers,
	listMembershipsOfUser,
	listOrganisations,
	OrganisationNameTakenError,
	removeMember,
	setMemberRole,
	updateOrganisation
} from '../../src/lib/server/organisations';
import { createUser } from '../../src/lib/server/users';

describe('organisations and memberships', () => {
	it('creates, lists with member counts, renames and refuses a duplicate name in any case', async () => {
		const helsinki = await createOrganisation({ name: 'Helsingin kaupunki', kind: 'city', municipality: 'Helsinki' });
		const vantaa = await createOrganisation({ name: 'Vantaan kaupunki', kind: 'city', municipality: 'Vantaa' });
		await expect(createOrganisation({ name: 'helsingin KAUPUNKI', kind: 'ngo', municipality: 'Espoo' })).rejects.toThrow(
			OrganisationNameTakenError
		);
		await expect(updateOrganisation(vantaa.id, { name: 'Helsingin kaupunki', kind: 'city', municipality: 'Vantaa' })).rejects.toThrow(
			OrganisationNameTakenError
		);
		await updateOrganisation(helsinki.id, { name: 'Helsingin kaupunki', kind: 'city', municipality: 'Helsinki (Helsingfors)' });

		const { id: userId } = await createUser({ name: 'Aino', email: 'aino@example.fi', password: 'salasana-123' });
		await addMember(helsinki.id, userId, 'member');
		const list = await listOrganisations();
		expect(list.map((o) => [o.name, o.memberCount])).toEqual([
			['Helsingin kaupunki', 1],
			['Vantaan kaupunki', 0]
		]);
		expect(list[0]!.municipality).toBe('Helsinki (Helsingfors)');
	});

	it('adds a member once, changes the role, removes, and deleting the organisation removes memberships', async () => {
		const org = await createOrganisation({ name: 'Suomen Kuntaliitto', kind: 'agency', municipality: 'Helsinki' });
		const { id: userId } = await createUser({ name: 'Leena', email: 'leena@example.fi', password: 'salasana-123' });

		await addMember(org.id, userId, 'member');
		await addMember(org.id, userId, 'facilitator');
		expect((await listMembers(org.id)).map((m) => m.role)).toEqual(['facilitator']);
		expect(await setMemberRole(org.id, userId, 'programme_lead')).toBe(true);
		expect(await listMembershipsOfUser(userId)).toEqual([
			{ organisationId: org.id, name: 'Suomen Kuntaliitto', role: 'programme_lead' }
		]);
		expect(await removeMember(org.id, userId)).toBe(true);
		expect(await removeMember(org.id, userId)).toBe(false);

		await addMember(org.id, userId, 'member');
		const before = (await first(db.select({ n: count() }).from(memberships)))!.n;
		expect(await deleteOrganisation(org.id)).toBe(true);
		expect((await first(db.select({ n: count() }).from(memberships)))!.n).toBe(before - 1);
		expect(await deleteOrganisation(org.id)).toBe(false);
	});
});
