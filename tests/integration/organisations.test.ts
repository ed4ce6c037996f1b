import { count } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { db } from '../../src/lib/server/db';
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
		const helsinki = createOrganisation({ name: 'Helsingin kaupunki', kind: 'city', municipality: 'Helsinki' });
		const vantaa = createOrganisation({ name: 'Vantaan kaupunki', kind: 'city', municipality: 'Vantaa' });
		expect(() => createOrganisation({ name: 'helsingin KAUPUNKI', kind: 'ngo', municipality: 'Espoo' })).toThrow(
			OrganisationNameTakenError
		);
		expect(() => updateOrganisation(vantaa.id, { name: 'Helsingin kaupunki', kind: 'city', municipality: 'Vantaa' })).toThrow(
			OrganisationNameTakenError
		);
		updateOrganisation(helsinki.id, { name: 'Helsingin kaupunki', kind: 'city', municipality: 'Helsinki (Helsingfors)' });

		const { id: userId } = await createUser({ name: 'Aino', email: 'aino@example.fi', password: 'salasana-123' });
		addMember(helsinki.id, userId, 'member');
		const list = listOrganisations();
		expect(list.map((o) => [o.name, o.memberCount])).toEqual([
			['Helsingin kaupunki', 1],
			['Vantaan kaupunki', 0]
		]);
		expect(list[0]!.municipality).toBe('Helsinki (Helsingfors)');
	});

	it('adds a member once, changes the role, removes, and deleting the organisation removes memberships', async () => {
		const org = createOrganisation({ name: 'Suomen Kuntaliitto', kind: 'agency', municipality: 'Helsinki' });
		const { id: userId } = await createUser({ name: 'Leena', email: 'leena@example.fi', password: 'salasana-123' });

		addMember(org.id, userId, 'member');
		addMember(org.id, userId, 'facilitator');
		expect(listMembers(org.id).map((m) => m.role)).toEqual(['facilitator']);
		expect(setMemberRole(org.id, userId, 'programme_lead')).toBe(true);
		expect(listMembershipsOfUser(userId)).toEqual([
			{ organisationId: org.id, name: 'Suomen Kuntaliitto', role: 'programme_lead' }
		]);
		expect(removeMember(org.id, userId)).toBe(true);
		expect(removeMember(org.id, userId)).toBe(false);

		addMember(org.id, userId, 'member');
		const before = db.select({ n: count() }).from(memberships).get()!.n;
		expect(deleteOrganisation(org.id)).toBe(true);
		expect(db.select({ n: count() }).from(memberships).get()!.n).toBe(before - 1);
		expect(deleteOrganisation(org.id)).toBe(false);
	});
});
