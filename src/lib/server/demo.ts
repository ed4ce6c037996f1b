import { eq } from 'drizzle-orm';
import * as Y from 'yjs';
import { addNote, type NoteColor } from '../board/model';
import { fromDateTimeLocal, toDateTimeLocal } from '../format';
import { openBoardStore } from './collab/store';
import { db, first } from './db';
import { users, type MembershipRole, type OrganisationKind } from './db/schema';
import { importDemoAreas } from './areas';
import { addMember, createOrganisation } from './organisations';
import { addIndicator, checkInSchema, isoDay, pilotSchema, proposePilot, recordCheckIn, transitionPilot } from './pilots';
import { createProgramme, getProgrammeDetails } from './programmes';
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
	[0, 'Lasten ja nuorten turvallisuuskävelyt koulun ja huoltajien kanssa', 'green'],
	[1, 'Nuorten aikuisten palveluille yhteinen budjetti ja yhteisjohtaminen', 'blue'],
	[1, 'Selkeä reitti järjestelmäviidakon läpi: yksi ovi nuorelle', 'blue'],
	[1, 'Matalan kynnyksen olohuone nuorille aikuisille ostoskeskukseen', 'purple'],
	[1, 'Kanneltalon edusta viihtyisämmäksi nuorten toiveiden pohjalta', 'yellow'],
	[2, 'Asukkaiden tieto ja toiveet säännöllisesti johtoryhmien asialistoille', 'pink'],
	[2, 'Osallisuus asenteena: kuntalaisten aktiivisuus riemuna, ei riesana', 'orange'],
	[2, 'Paikallisten toimijoiden laadullinen tieto aluejohtamisen tueksi', 'pink']
];

/**
 * Seeds the demo organisations, accounts and the Jalostamo workshop, once: a database that already has the demo's
 * accounts is left as it is (on PostgreSQL the demo's database is not reset at a start: nothing is dropped).
 */
export async function seedDemo() {
	if (await first(db.select({ id: users.id }).from(users).where(eq(users.email, demoAccounts[0]!.email)))) return;
	const organisationIds = new Map<string, string>();
	for (const o of demoOrganisations) organisationIds.set(o.name, (await createOrganisation(o)).id);
	const accountIds = new Map<string, string>();
	for (const account of demoAccounts) {
		const { id } = await createUser({ name: account.name, email: account.email, password: demoPassword });
		accountIds.set(account.email, id);
		await db.update(users).set({ isAdmin: account.admin ?? false }).where(eq(users.id, id));
		for (const [organisation, role] of account.memberships) await addMember(organisationIds.get(organisation)!, id, role);
	}

	const template = jalostamoTemplate();
	const workshop = await createWorkshop(
		{
			title: 'Sosiaalisesti kestävät kaupungit',
			theme: 'Sosiaalinen kestävyys eli urbaani hyvinvointi kaupungeissa',
			description:
				'Kuntaliiton kokeilujalostamo: kuusi kaupunkia lähestyy sosiaalista kestävyyttä kolmesta näkökulmasta ja jalostaa ideoista kokeiluja.',
			startsAt: fromDateTimeLocal(toDateTimeLocal(Date.now() + 7 * 24 * 3600_000).slice(0, 10) + 'T09:00'),
			durationMinutes: 240,
			location: 'Kuntatalo, Toinen linja 14, Helsinki',
			organisationIds: demoOrganisations.filter((o) => o.municipality !== 'Helsinki' || o.kind === 'agency').map((o) => organisationIds.get(o.name)!),
			coFacilitatorEmails: [],
			perspectives: template.perspectives,
			phases: template.phases
		},
		accountIds.get('facilitator@demo.verstas.fi')!,
		demoJoinCode
	);
	const team = demoAccounts.find((a) => a.email === 'team@demo.verstas.fi')!;
	const participant = (await joinAsUser(workshop.id, { id: accountIds.get(team.email)!, name: team.name }))!;

	const lanes = await listPerspectives(workshop.id);
	const doc = new Y.Doc();
	demoNotes.forEach(([lane, text, color], index) =>
		addNote(doc, { text, color, lane: lanes[lane]!.id, author: { id: participant.id, name: team.name }, createdAt: Date.now() + index })
	);
	await openBoardStore().append(workshop.id, [Y.encodeStateAsUpdate(doc)]);
	await seedDemoProgramme(organisationIds, accountIds);
}

// The Mukana programme (Helsinki, against youth exclusion) in its own words: four goals, six target areas.
const mukanaGoals = [
	'Jokaisella lapsella ja nuorella on sosiaalisia suhteita ja tunne kuulumisesta',
	'Jokaisella lapsella ja nuorella on vähintään yksi turvallinen aikuinen',
	'Jokaiselle nuorelle turvataan peruskoulun jälkeinen koulutus',
	'Lapsuuden köyhyys ei määritä liiaksi tulevaisuutta ja mahdollisuuksia'
];
const mukanaAreas = ['00420', '00410', '00700', '00940', '00970', '00980'];

/** The day `weeks` weeks before today (demo dates stay recent whenever the demo starts). */
const weeksAgo = (weeks: number) => isoDay(new Date(Date.now() - weeks * 7 * 24 * 3600_000));

/** Seeds the real Helsinki areas, the Mukana programme and two pilots: one running, one decided. */
export async function seedDemoProgramme(organisationIds: Map<string, string>, accountIds: Map<string, string>) {
	await importDemoAreas();
	const lead = { id: accountIds.get('lead@demo.verstas.fi')!, isAdmin: false };
	const team = { id: accountIds.get('team@demo.verstas.fi')!, isAdmin: false };
	const programme = await createProgramme(
		{
			name: 'Mukana – nuorten syrjäytymisen ehkäisy',
			ownerOrganisationId: organisationIds.get('Helsingin kaupunki')!,
			startsOn: '2024-01-01',
			endsOn: '2027-12-31',
			description:
				'Kaupunkistrategiahanke, jolla tavoitellaan systeemistä muutosta: lasten ja nuorten syrjäytyminen, ylisukupolvinen syrjäytyminen ja alueellinen eriytyminen vähenevät.',
			goals: mukanaGoals.map((title) => ({ title, description: '' })),
			organisationIds: [organisationIds.get('Vantaan kaupunki')!],
			areaCodes: mukanaAreas
		},
		lead.id
	);
	const goals = (await getProgrammeDetails(programme.id))!.goals;
	const base = { summary: '', hypothesis: '', ownerOrganisationId: organisationIds.get('Helsingin kaupunki')!, responsibleUserId: team.id, teamEmails: [], targetGroup: '', perspective: '', endsOn: '', budgetEuros: '', canvas: {} };

	const homework = await proposePilot(
		programme.id,
		pilotSchema.parse({
			...base,
			title: 'Läksykerho ja turvallinen aikuinen Kannelmäessä',
			summary: 'Koulun jälkeinen kerho, jossa nuorisotyöntekijä ja vapaaehtoiset ovat läsnä joka arkipäivä.',
			hypothesis: 'Jos jokaisella yläkoululaisella on iltapäivisin tuttu aikuinen, niin turvattomuuden kokemus ja poissaolot vähenevät.',
			goalId: goals[1]!.id,
			areaCodes: ['00420'],
			targetGroup: '7.–9.-luokkalaiset',
			perspective: 'Lapsiperheet',
			startsOn: weeksAgo(10),
			cadenceWeeks: 4
		}),
		team.id
	);
	// Measured where the club can move it: its own pupils' absences, not the area's unemployment rate.
	const absences = await addIndicator(homework.id, {
		name: 'Kerholaisten luvattomat poissaolot',
		unit: 'tuntia / oppilas / jakso',
		indicatorKey: null,
		areaCode: null,
		baseline: 9,
		target: 5,
		higherIsBetter: false
	});
	const regulars = await addIndicator(homework.id, { name: 'Säännöllisesti käyvät nuoret', unit: 'nuorta', indicatorKey: null, areaCode: null, baseline: 0, target: 40, higherIsBetter: true });
	await transitionPilot(homework.id, 'approve', lead);
	await transitionPilot(homework.id, 'start', team);
	const checkIn = (reportedOn: string, status: 'on_track' | 'at_risk', readings: string, happened: string, learned: string, absent = '') =>
		checkInSchema.parse({
			reportedOn,
			status,
			happened,
			learned,
			nextSteps: '',
			impactResidents: '',
			impactLocalActors: '',
			impactInstitutions: '',
			readings: { [regulars.id]: readings, [absences.id]: absent }
		});
	await recordCheckIn(homework.id, checkIn(weeksAgo(6), 'on_track', '18', 'Kerho aloitti kirjastossa; koulun kuraattori ohjasi ensimmäiset nuoret.', 'Nuoret tulivat kavereiden kanssa, eivät yksin.', '8'), team.id);
	await recordCheckIn(homework.id, checkIn(weeksAgo(2), 'at_risk', '22', 'Vapaaehtoisia oli liian vähän lomaviikolla.', 'Paikallisten yhdistysten kanssa tarvitaan vuorolista.', '7'), team.id);

	const family = await proposePilot(
		programme.id,
		pilotSchema.parse({
			...base,
			title: 'Perheiden olohuone Kontulan ostarilla',
			summary: 'Matalan kynnyksen kohtaamispaikka perheille. Paikalla on palveluohjaaja, jonka voi tavata ilman ajanvarausta.',
			goalId: goals[3]!.id,
			areaCodes: ['00940'],
			targetGroup: 'Lapsiperheet',
			startsOn: weeksAgo(60),
			cadenceWeeks: 6
		}),
		team.id
	);
	await transitionPilot(family.id, 'approve', lead);
	await transitionPilot(family.id, 'start', team);
	await recordCheckIn(
		family.id,
		checkIn(weeksAgo(40), 'on_track', '', 'Olohuoneessa kävi kevään aikana noin 300 perhettä.', 'Isät osallistuivat, kun toimintaa oli iltaisin; palveluohjaus kannattaa tuoda samaan tilaan.'),
		team.id
	);
	await transitionPilot(family.id, 'evaluate', team);
	await transitionPilot(family.id, 'decide', lead, {
		decision: 'scale',
		comment: 'Laajennetaan Malmille ja Mellunmäkeen: perheet löysivät palvelut ilman ajanvarausta, ja kumppanit sitoutuivat.'
	});
	await seedDemoLearnings(programme.id, goals, base, lead, team);
}

/**
 * Two more decided pilots for the learning library, in words people search in other forms (ikäihmisille,
 * lukiolaisille, vierailuista, kotikäynneillä).
 */
async function seedDemoLearnings(
	programmeId: string,
	goals: { id: string }[],
	base: Record<string, unknown>,
	lead: { id: string; isAdmin: boolean },
	team: { id: string; isAdmin: boolean }
) {
	const decided = async (
		fields: { title: string; summary: string; hypothesis: string; goal: number; areaCodes: string[]; targetGroup: string; weeks: number },
		report: { happened: string; learned: string; nextSteps: string; impactResidents: string },
		decision: 'scale' | 'adapt',
		reason: string
	) => {
		const pilot = await proposePilot(
			programmeId,
			pilotSchema.parse({ ...base, ...fields, goalId: goals[fields.goal]!.id, startsOn: weeksAgo(fields.weeks), cadenceWeeks: 8 }),
			team.id
		);
		await transitionPilot(pilot.id, 'approve', lead);
		await transitionPilot(pilot.id, 'start', team);
		await recordCheckIn(
			pilot.id,
			checkInSchema.parse({ reportedOn: weeksAgo(fields.weeks - 8), status: 'on_track', ...report, impactLocalActors: '', impactInstitutions: '', readings: {} }),
			team.id
		);
		await transitionPilot(pilot.id, 'evaluate', team);
		await transitionPilot(pilot.id, 'decide', lead, { decision, comment: reason });
	};
	await decided(
		{
			title: 'Lukiolaiset ikäihmisten digitukena Malmilla',
			summary: 'Lukiolaiset opastavat ikäihmisiä älypuhelimen ja verkkopalveluiden käytössä kirjastossa ja palvelutalon vierailuilla.',
			hypothesis: 'Jos nuori ja ikäihminen tapaavat säännöllisesti, niin yksinäisyys vähenee ja nuori saa vastuullisen roolin.',
			goal: 0,
			areaCodes: ['00700'],
			targetGroup: 'Lukiolaiset ja ikäihmiset',
			weeks: 30
		},
		{
			happened: 'Kahdeksan lukiolaista teki syksyn aikana 12 vierailua palvelutaloon.',
			learned: 'Ikäihmiset odottivat vierailuja; lukiolaisille vastuu opastajana oli tärkeä.',
			nextSteps: 'Lukion kanssa sovitaan opastuksesta valinnaisena kurssina.',
			impactResidents: 'Ikäihmiset uskaltavat hoitaa asioita verkossa.'
		},
		'scale',
		'Laajennetaan Kontulaan: lukio hyväksyi opastuksen valinnaiseksi kurssiksi.'
	);
	await decided(
		{
			title: 'Perhetyön kotikäynti ennen koulun alkua',
			summary: 'Perhetyöntekijä tekee kotikäynnin perheisiin, joiden lapsi aloittaa koulun syksyllä.',
			hypothesis: 'Jos huoltajat tapaavat koulun aikuisen kotona jo kesällä, niin yhteistyö koulun kanssa alkaa luottamuksesta.',
			goal: 1,
			areaCodes: ['00980'],
			targetGroup: 'Koulun aloittavien lasten perheet',
			weeks: 40
		},
		{
			happened: 'Kotikäyntejä tehtiin 40; tulkki oli mukana puolella käynneistä.',
			learned: 'Kotikäynnillä huoltajat kertoivat huolistaan avoimemmin kuin koulussa.',
			nextSteps: 'Käynnit ajoitetaan elokuulle.',
			impactResidents: 'Huoltajat tunsivat koulun aikuisen jo ennen ensimmäistä koulupäivää.'
		},
		'adapt',
		'Muokataan: tulkki varataan etukäteen, ja kotikäynnit tehdään pareittain.'
	);
}
