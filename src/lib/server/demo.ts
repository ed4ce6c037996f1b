import { eq } from 'drizzle-orm';
import * as Y from 'yjs';
import { addNote, type NoteColor } from '../board/model';
import { fromDateTimeLocal, toDateTimeLocal } from '../format';
import { SqliteBoardStore } from './collab/store';
import { db, getDb } from './db';
import { users, type MembershipRole, type OrganisationKind } from './db/schema';
import { addMember, createOrganisation } from './organisations';
import { createUser } from './users';
import { createWorkshop, jalostamoTemplate, joinAsUser, listPerspectives } from './workshops';

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

export const demoJoinCode = 'JALO24';

// Experiment ideas in the words of Kuntaliitto's Jalostamo on socially sustainable cities, one list per perspective.
const demoNotes: [perspective: number, text: string, color: NoteColor][] = [
	[0, 'Maahanmuuttajaäidit harjoittelevat suomea lukemalla satuja päiväkodissa', 'yellow'],
	[0, 'Kielen opiskelu osana oman lapsen kieliopetusta', 'yellow'],
	[0, 'Perheille yksi yhteinen yhteyshenkilö palveluviidakkoon', 'green'],
	[1, 'Nuorten aikuisten palveluille yhteinen budjetti ja yhteisjohtaminen', 'blue'],
	[1, 'Selkeä reitti järjestelmäviidakon läpi: yksi ovi nuorelle', 'blue'],
	[2, 'Asukkaiden tieto ja toiveet säännöllisesti johtoryhmien asialistoille', 'pink'],
	[2, 'Osallisuus asenteena: kuntalaisten aktiivisuus riemuna, ei riesana', 'orange']
];

/** Seeds an empty database with the demo organisations, accounts and the Jalostamo workshop. */
export async function seedDemo() {
	const organisationIds = new Map(demoOrganisations.map((o) => [o.name, createOrganisation(o).id]));
	const accountIds = new Map<string, string>();
	for (const account of demoAccounts) {
		const { id } = await createUser({ name: account.name, email: account.email, password: demoPassword });
		accountIds.set(account.email, id);
		db.update(users).set({ isAdmin: account.admin ?? false }).where(eq(users.id, id)).run();
		for (const [organisation, role] of account.memberships) addMember(organisationIds.get(organisation)!, id, role);
	}

	const template = jalostamoTemplate();
	const workshop = createWorkshop(
		{
			title: 'Sosiaalisesti kestävät kaupungit',
			theme: 'Sosiaalinen kestävyys eli urbaani hyvinvointi kaupungeissa',
			description:
				'Kuntaliiton kokeilujalostamo: kuusi kaupunkia lähestyy sosiaalista kestävyyttä kolmesta näkökulmasta ja jalostaa ideoista kokeiluja.',
			startsAt: fromDateTimeLocal(toDateTimeLocal(Date.now() + 7 * 24 * 3600_000).slice(0, 10) + 'T09:00'),
			organisationIds: demoOrganisations.filter((o) => o.municipality !== 'Helsinki' || o.kind === 'agency').map((o) => organisationIds.get(o.name)!),
			coFacilitatorEmails: [],
			perspectives: template.perspectives,
			phases: template.phases
		},
		accountIds.get('facilitator@demo.verstas.fi')!,
		demoJoinCode
	);
	const team = demoAccounts.find((a) => a.email === 'team@demo.verstas.fi')!;
	const participant = joinAsUser(workshop.id, { id: accountIds.get(team.email)!, name: team.name })!;

	const lanes = listPerspectives(workshop.id);
	const doc = new Y.Doc();
	demoNotes.forEach(([lane, text, color], index) =>
		addNote(doc, { text, color, lane: lanes[lane]!.id, author: { id: participant.id, name: team.name }, createdAt: Date.now() + index })
	);
	new SqliteBoardStore(getDb().$client).append(workshop.id, [Y.encodeStateAsUpdate(doc)]);
}
