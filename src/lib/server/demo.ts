import { eq } from 'drizzle-orm';
import { db } from './db';
import { users, type MembershipRole, type OrganisationKind } from './db/schema';
import { addMember, createOrganisation } from './organisations';
import { createUser } from './users';

export const demoPassword = 'verstas-demo';

const demoOrganisations: { name: string; kind: OrganisationKind; municipality: string }[] = [
	{ name: 'Helsingin kaupunki', kind: 'city', municipality: 'Helsinki' },
	{ name: 'Vantaan kaupunki', kind: 'city', municipality: 'Vantaa' },
	{ name: 'Espoon kaupunki', kind: 'city', municipality: 'Espoo' },
	{ name: 'Tampereen kaupunki', kind: 'city', municipality: 'Tampere' },
	{ name: 'Turun kaupunki', kind: 'city', municipality: 'Turku' },
	{ name: 'Oulun kaupunki', kind: 'city', municipality: 'Oulu' },
	{ name: 'Jyväskylän kaupunki', kind: 'city', municipality: 'Jyväskylä' },
	{ name: 'Suomen Kuntaliitto', kind: 'agency', municipality: 'Helsinki' }
];

export const demoAccounts: {
	email: string;
	name: string;
	admin?: boolean;
	memberships: [organisation: string, role: MembershipRole][];
}[] = [
	{ email: 'admin@demo.verstas.fi', name: 'Ylläpitäjä', admin: true, memberships: [['Suomen Kuntaliitto', 'member']] },
	{
		email: 'facilitator@demo.verstas.fi',
		name: 'Aino Fasilitaattori',
		memberships: [
			['Suomen Kuntaliitto', 'facilitator'],
			['Helsingin kaupunki', 'facilitator']
		]
	},
	{ email: 'lead@demo.verstas.fi', name: 'Leena Ohjelmajohtaja', memberships: [['Helsingin kaupunki', 'programme_lead']] },
	{
		email: 'team@demo.verstas.fi',
		name: 'Tuomas Tiimiläinen',
		memberships: [
			['Helsingin kaupunki', 'member'],
			['Vantaan kaupunki', 'member']
		]
	}
];

/** Seeds an empty database with the demo organisations and accounts. */
export async function seedDemo() {
	const organisationIds = new Map(demoOrganisations.map((o) => [o.name, createOrganisation(o).id]));
	for (const account of demoAccounts) {
		const { id } = await createUser({ name: account.name, email: account.email, password: demoPassword });
		db.update(users).set({ isAdmin: account.admin ?? false }).where(eq(users.id, id)).run();
		for (const [organisation, role] of account.memberships) addMember(organisationIds.get(organisation)!, id, role);
	}
}
