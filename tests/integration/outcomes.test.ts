// Following outcomes on a real SQLite file: the programme dashboard (counts, overdue check-ins, indicator progress,
// filters), the learning library (FTS5 in Finnish, Swedish and English; hostile input), the CSV exports and who may
// see them. The last block asks the production server for the three CSV addresses (needs `npm run build`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/lib/server/db';
import { areas, users } from '../../src/lib/server/db/schema';
import { eq } from 'drizzle-orm';
import { addMember, createOrganisation } from '../../src/lib/server/organisations';
import {
	checkInsCsv,
	dashboardPage,
	dataDictionaryCsv,
	ftsQuery,
	indicatorProgress,
	pilotsCsv,
	programmeDashboard,
	readLearningQuery,
	readOutcomeFilters,
	resolveOutcomeAccess,
	searchLearnings
} from '../../src/lib/server/outcomes';
import {
	addIndicator,
	correctCheckIn,
	listCheckIns,
	listCheckInsDue,
	proposePilot,
	recordCheckIn,
	transitionPilot,
	type PilotInput
} from '../../src/lib/server/pilots';
import { createProgramme, programmeRole } from '../../src/lib/server/programmes';
import { createSession } from '../../src/lib/server/session';
import { createUser } from '../../src/lib/server/users';
import { startProductionServer, type RunningServer } from '../helpers/server';
import { checkInInput, pilotInput } from '../helpers/pilots';

// A world: Helsinki owns the programme (lead), Vantaa takes part (member), Espoo does not (outsider).
let counter = 0;
async function person(name: string) {
	const user = await createUser({ name, email: `${name.toLowerCase()}-${++counter}@example.fi`, password: 'salasana-123' });
	return { id: user.id, isAdmin: user.isAdmin, name };
}

let world: Awaited<ReturnType<typeof buildWorld>>;

async function buildWorld() {
	await person('Ensimmäinen'); // the first account becomes admin: keep it out of the roles under test
	const [lead, member, outsider, team] = [await person('Liisa'), await person('Mikko'), await person('Ulla'), await person('Tiina')];
	const helsinki = await createOrganisation({ name: 'Helsingin kaupunki', kind: 'city', municipality: 'Helsinki' });
	const vantaa = await createOrganisation({ name: 'Vantaan kaupunki', kind: 'city', municipality: 'Vantaa' });
	const espoo = await createOrganisation({ name: 'Espoon kaupunki', kind: 'city', municipality: 'Espoo' });
	await addMember(helsinki.id, lead.id, 'programme_lead');
	await addMember(helsinki.id, team.id, 'member');
	await addMember(vantaa.id, member.id, 'member');
	await addMember(espoo.id, outsider.id, 'programme_lead');
	await db.insert(areas)
		.values([
			{ code: '00420', name: 'Kannelmäki', municipality: 'Helsinki' },
			{ code: '00700', name: 'Malmi', municipality: 'Helsinki' },
			{ code: '00940', name: 'Kontula', municipality: 'Helsinki' }
		])
		.onConflictDoNothing();
	const programme = await createProgramme(
		{
			name: 'Mukana-ohjelma',
			ownerOrganisationId: helsinki.id,
			startsOn: '2025-01-01',
			endsOn: '2027-12-31',
			description: '',
			goals: [
				{ title: 'Jokaisella on turvallinen aikuinen', description: '' },
				{ title: 'Koulutus peruskoulun jälkeen', description: '' }
			],
			organisationIds: [vantaa.id],
			areaCodes: ['00420', '00700']
		},
		lead.id
	);
	const { goals } = (await (await import('../../src/lib/server/programmes')).getProgrammeDetails(programme.id))!;
	const [g1, g2] = [goals[0]!.id, goals[1]!.id];

	const propose = async (input: Partial<PilotInput> & { title: string }) => (await proposePilot(programme.id, pilotInput(input), team.id)).id;
	const run = async (id: string) => {
		await transitionPilot(id, 'approve', lead);
		await transitionPilot(id, 'start', team);
	};
	const decide = (id: string, decision: 'scale' | 'adapt' | 'stop', reason: string) => transitionPilot(id, 'decide', lead, { decision, comment: reason });

	// A: running, two indicators, two check-ins, the first one corrected.
	const a = await propose({ title: 'Kerhot kouluille', goalId: g1, areaCodes: ['00420'], perspective: 'Lapsiperheet', ownerOrganisationId: helsinki.id, startsOn: '2025-01-01' });
	await run(a);
	const members = await addIndicator(a, { name: 'Harrastajat', unit: 'hlö', indicatorKey: null, areaCode: null, baseline: 10, target: 30, higherIsBetter: true });
	const absences = await addIndicator(a, { name: 'Poissaolot', unit: '%', indicatorKey: null, areaCode: null, baseline: 20, target: 10, higherIsBetter: false });
	await recordCheckIn(a, checkInInput({ reportedOn: '2025-01-29', readings: { [members.id]: 15, [absences.id]: 18 } }), team.id);
	await recordCheckIn(a, checkInInput({ reportedOn: '2025-02-26', status: 'at_risk', readings: { [members.id]: 14, [absences.id]: 16 } }), team.id);
	const first = (await listCheckIns(a)).find((c) => c.reportedOn === '2025-01-29')!;
	await correctCheckIn(a, first.seriesId, checkInInput({ reportedOn: '2025-01-29', learned: 'Korjattu luku', readings: { [members.id]: 12, [absences.id]: 19 } }), team.id);

	// B: running, no check-ins yet, every 2 weeks from 1 March.
	const b = await propose({ title: 'Nuorten kesätyöt', goalId: g2, areaCodes: ['00700'], perspective: 'Nuoret aikuiset', ownerOrganisationId: vantaa.id, startsOn: '2025-03-01', cadenceWeeks: 2 });
	await run(b);

	// C, D, E: decided, with learnings in Finnish, Swedish and English.
	const c = await propose({ title: 'Perhekahvila', goalId: g1, areaCodes: ['00420', '00940'], perspective: 'Lapsiperheet', ownerOrganisationId: helsinki.id, startsOn: '2025-01-01' });
	await run(c);
	await recordCheckIn(
		c,
		checkInInput({ reportedOn: '2025-02-01', learned: 'Vanhemmat tarvitsevat iltaisin matalan kynnyksen kohtaamispaikan.', happened: 'Olohuoneessa kävi noin 300 perhettä.', impactLocalActors: 'Asukasyhdistys tuli mukaan.' }),
		team.id
	);
	await decide(c, 'scale', 'Päätös: kävijämäärät kasvoivat joka kuukausi.');

	const d = await propose({ title: 'Läxhjälp på svenska', goalId: g2, areaCodes: ['00700'], perspective: 'Barnfamiljer', ownerOrganisationId: vantaa.id, startsOn: '2025-01-01' });
	await run(d);
	await recordCheckIn(d, checkInInput({ reportedOn: '2025-02-01', learned: 'Åtgärden fungerade bäst när föräldrarna deltog.' }), team.id);
	await decide(d, 'adapt', 'Fler frivilliga behövs.');

	const e = await propose({ title: 'Evening sports', goalId: g2, areaCodes: [], perspective: 'Young adults', ownerOrganisationId: helsinki.id, startsOn: '2025-01-01' });
	await run(e);
	await recordCheckIn(e, checkInInput({ reportedOn: '2025-02-01', learned: 'Young adults came when the coaches were their peers.', impactInstitutions: 'The sports office lent its volunteers.' }), team.id);
	await decide(e, 'stop', 'Too few participants in winter.');

	// F: a proposal whose title is a spreadsheet formula; G: declined (with words the library must not return).
	const f = await propose({ title: '=HYPERLINK("http://evil.example","klikkaa")', goalId: g1 });
	const g = await propose({ title: 'Hylätty kohtaamispaikka', summary: 'Kohtaamispaikan ehdotus', goalId: g1 });
	await transitionPilot(g, 'decline', lead, { comment: 'Ei resursseja' });

	return { lead, member, outsider, team, helsinki, vantaa, espoo, programme, g1, g2, pilots: { a, b, c, d, e, f, g }, indicators: { members, absences } };
}

beforeAll(async () => {
	world = await buildWorld();
});

/** A minimal RFC 4180 reader, to check the files as a spreadsheet would read them. */
function parseCsv(text: string) {
	expect(text.startsWith('\uFEFF')).toBe(true);
	const rows: string[][] = [];
	let row: string[] = [];
	let cell = '';
	let quoted = false;
	const body = text.slice(1);
	for (let i = 0; i < body.length; i++) {
		const c = body[i]!;
		if (quoted) {
			if (c === '"' && body[i + 1] === '"') (cell += '"'), i++;
			else if (c === '"') quoted = false;
			else cell += c;
		} else if (c === '"') quoted = true;
		else if (c === ',') row.push(cell), (cell = '');
		else if (c === '\r' && body[i + 1] === '\n') {
			row.push(cell);
			rows.push(row);
			(row = []), (cell = ''), i++;
		} else if (c === '\n') throw new Error('bare LF outside quotes');
		else cell += c;
	}
	expect(cell).toBe('');
	return rows;
}

const records = (text: string) => {
	const [header, ...rows] = parseCsv(text);
	return rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i]!])));
};

describe('programme dashboard', () => {
	it('counts pilots by status, goal and area', async () => {
		const dashboard = (await programmeDashboard(world.programme.id, {}, '2025-03-10'))!;
		expect(dashboard.total).toBe(7);
		expect(Object.fromEntries(dashboard.byStatus.map((s) => [s.key, s.count]))).toEqual({
			proposed: 1,
			changes_requested: 0,
			declined: 1,
			approved: 0,
			running: 2,
			evaluating: 0,
			decided: 3
		});
		expect(dashboard.byGoal.map((g) => [g.key, g.count])).toEqual([
			[world.g1, 4],
			[world.g2, 3]
		]);
		// Target areas first listed with zeros too; Kontula is not a target area but has a pilot.
		expect(dashboard.byArea.map((a) => [a.code, a.count, a.target])).toEqual([
			['00420', 2, true],
			['00700', 2, true],
			['00940', 1, false]
		]);
	});

	it('flags running pilots whose next check-in is before today, most overdue first', async () => {
		expect((await programmeDashboard(world.programme.id, {}, '2025-03-10'))!.overdue).toEqual([]);
		// A: latest report 26 Feb, every 4 weeks → due 26 Mar; B: no reports, from 1 Mar every 2 weeks → 15 Mar.
		const overdue = (await programmeDashboard(world.programme.id, {}, '2025-04-02'))!.overdue;
		expect(overdue.map((o) => [o.pilot.id, o.due, o.daysOverdue])).toEqual([
			[world.pilots.b, '2025-03-15', 18],
			[world.pilots.a, '2025-03-26', 7]
		]);
		// Due today is not overdue yet.
		expect((await programmeDashboard(world.programme.id, {}, '2025-03-26'))!.overdue.map((o) => o.pilot.id)).toEqual([world.pilots.b]);
	});

	it('lists the next check-ins of the running pilots on a person’s team, of some programmes, or of all: soonest first', async () => {
		const due = (list: Awaited<ReturnType<typeof listCheckInsDue>>) => list.map((pilot) => [pilot.id, pilot.due, pilot.overdue]);
		const both = [
			[world.pilots.b, '2025-03-15', true],
			[world.pilots.a, '2025-03-26', false]
		];
		expect(due(await listCheckInsDue({ teamMemberId: world.team.id }, '2025-03-20'))).toEqual(both);
		expect(due(await listCheckInsDue({ programmeIds: [world.programme.id] }, '2025-03-20'))).toEqual(both);
		expect(due(await listCheckInsDue({}, '2025-03-20'))).toEqual(both);
		// The lead is on no pilot's team; no programmes, no pilots (not every pilot).
		expect(await listCheckInsDue({ teamMemberId: world.lead.id }, '2025-03-20')).toEqual([]);
		expect(await listCheckInsDue({ programmeIds: [] }, '2025-03-20')).toEqual([]);
	});

	it('shows each pilot with its latest check-in and indicator progress from the current versions', async () => {
		const a = (await programmeDashboard(world.programme.id, {}, '2025-03-10'))!.pilots.find((p) => p.id === world.pilots.a)!;
		expect(a.latestCheckIn).toEqual({ reportedOn: '2025-02-26', status: 'at_risk' });
		expect(a.checkInCount).toBe(2);
		expect(a.areas).toEqual([{ code: '00420', name: 'Kannelmäki' }]);
		const [members, absences] = a.indicators;
		// The corrected reading (12, not 15) is the one shown.
		expect(members).toMatchObject({ baseline: 10, target: 30, latest: 14, trend: 'toward', reached: false });
		expect(members!.readings).toEqual([
			{ reportedOn: '2025-01-29', value: 12 },
			{ reportedOn: '2025-02-26', value: 14 }
		]);
		expect(absences).toMatchObject({ baseline: 20, target: 10, latest: 16, trend: 'toward', reached: false });
		expect(absences!.readings.map((r) => r.value)).toEqual([19, 16]);
	});

	it('gives the page only what it shows: a page of pilots, readings as numbers, the most overdue check-ins', async () => {
		const dashboard = (await programmeDashboard(world.programme.id, {}, '2025-04-02'))!;
		const view = dashboardPage(dashboard);
		// The counts still cover every pilot.
		expect(view).toMatchObject({ total: 7, byStatus: dashboard.byStatus, byGoal: dashboard.byGoal, byArea: dashboard.byArea, page: 1, pages: 1 });
		expect(view.pilots).toHaveLength(7);
		expect(view.pilots.find((p) => p.id === world.pilots.a)).toEqual({
			id: world.pilots.a,
			title: 'Kerhot kouluille',
			status: 'running',
			decision: null,
			goalId: world.g1,
			ownerOrganisation: 'Helsingin kaupunki',
			areas: ['Kannelmäki'],
			latestCheckIn: { reportedOn: '2025-02-26', status: 'at_risk' },
			overdue: true,
			indicators: [
				{ id: world.indicators.members.id, name: 'Harrastajat', unit: 'hlö', baseline: 10, target: 30, readings: [12, 14], trend: 'toward' },
				{ id: world.indicators.absences.id, name: 'Poissaolot', unit: '%', baseline: 20, target: 10, readings: [19, 16], trend: 'toward' }
			]
		});
		expect(view.pilots.find((p) => p.id === world.pilots.f)).toMatchObject({ overdue: false, latestCheckIn: null, ownerOrganisation: null, areas: [] });
		expect(view.overdue.map((o) => o.pilot.id)).toEqual([world.pilots.b, world.pilots.a]);
		expect(view.overdueTotal).toBe(2);

		// Pages: out of range and nonsense page numbers land on the nearest page.
		const ids = (page: number) => dashboardPage(dashboard, { page, perPage: 3 }).pilots.map((p) => p.id);
		expect(ids(2)).toEqual(dashboard.pilots.slice(3, 6).map((p) => p.id));
		expect(dashboardPage(dashboard, { page: 2, perPage: 3 })).toMatchObject({ page: 2, pages: 3 });
		expect(dashboardPage(dashboard, { page: 99, perPage: 3 }).page).toBe(3);
		expect(dashboardPage(dashboard, { page: NaN, perPage: 3 }).page).toBe(1);
		expect(dashboardPage(dashboard, { page: -2, perPage: 3 }).page).toBe(1);

		// Many overdue: the most overdue `overdueLimit` (10), all of them on request; the total either way.
		const many = {
			...dashboard,
			overdue: Array.from({ length: 13 }, (_, i) => ({ ...dashboard.overdue[0]!, pilot: { id: `p${i}`, title: `P${i}` }, daysOverdue: 40 - i }))
		};
		const limited = dashboardPage(many);
		expect(limited.overdueLimit).toBe(10);
		expect(limited.overdue.map((o) => o.pilot.id)).toEqual(many.overdue.slice(0, 10).map((o) => o.pilot.id));
		expect(limited.overdueTotal).toBe(13);
		expect(dashboardPage(many, { allOverdue: true }).overdue).toHaveLength(13);
		expect(dashboardPage(many, { allOverdue: true }).overdueTotal).toBe(13);
	});

	it('judges the direction of the latest reading against the target', () => {
		const indicator = { id: 'i', name: 'n', unit: '', baseline: 10, target: 20, higherIsBetter: true };
		expect(indicatorProgress(indicator, []).trend).toBeNull();
		expect(indicatorProgress(indicator, [{ reportedOn: '2025-01-01', value: 12 }]).trend).toBe('toward');
		expect(indicatorProgress(indicator, [{ reportedOn: '2025-01-01', value: 12 }, { reportedOn: '2025-02-01', value: 11 }]).trend).toBe('away');
		expect(indicatorProgress(indicator, [{ reportedOn: '2025-01-01', value: 12 }, { reportedOn: '2025-02-01', value: 12 }]).trend).toBe('same');
		expect(indicatorProgress({ ...indicator, baseline: null }, [{ reportedOn: '2025-01-01', value: 12 }]).trend).toBeNull();
		// Lower is better, no target: falling is toward.
		expect(indicatorProgress({ ...indicator, target: null, higherIsBetter: false }, [{ reportedOn: '2025-01-01', value: 8 }]).trend).toBe('toward');
		expect(indicatorProgress(indicator, [{ reportedOn: '2025-01-01', value: 21 }]).reached).toBe(true);
	});

	it('applies the filters to the list and the counts', async () => {
		const ids = async (filters: Parameters<typeof programmeDashboard>[1]) =>
			(await programmeDashboard(world.programme.id, filters, '2025-04-02'))!.pilots.map((p) => p.id).sort();
		const { a, b, c, d, e } = world.pilots;
		expect(await ids({ status: 'running' })).toEqual([a, b].sort());
		expect(await ids({ goalId: world.g2 })).toEqual([b, d, e].sort());
		expect(await ids({ areaCode: '00420' })).toEqual([a, c].sort());
		expect(await ids({ organisationId: world.vantaa.id })).toEqual([b, d].sort());
		expect(await ids({ perspective: 'Lapsiperheet' })).toEqual([a, c].sort());
		expect(await ids({ perspective: 'Lapsiperheet', status: 'decided' })).toEqual([c]);
		const filtered = (await programmeDashboard(world.programme.id, { areaCode: '00420' }, '2025-04-02'))!;
		expect(filtered.total).toBe(2);
		expect(filtered.byStatus.find((s) => s.key === 'running')!.count).toBe(1);
		expect(filtered.overdue.map((o) => o.pilot.id)).toEqual([a]);
		expect(filtered.options.perspectives).toEqual(['Barnfamiljer', 'Lapsiperheet', 'Nuoret aikuiset', 'Young adults']);
	});

	it('reads filters from the URL, ignoring blanks and values that do not fit', () => {
		expect(readOutcomeFilters(new URLSearchParams('status=running&goalId=&areaCode=00420&perspective=%20Nuoret%20'))).toEqual({
			status: 'running',
			goalId: undefined,
			areaCode: '00420',
			organisationId: undefined,
			perspective: 'Nuoret'
		});
		expect(readOutcomeFilters(new URLSearchParams('status=bogus&areaCode=<script>'))).toMatchObject({ status: undefined, areaCode: undefined });
		expect(readLearningQuery(new URLSearchParams(`q=${'x'.repeat(500)}`)).q).toBeUndefined();
	});

	it('is undefined for an unknown programme and has empty lists for a programme without pilots', async () => {
		expect(await programmeDashboard('nope')).toBeUndefined();
		const empty = await createProgramme(
			{ name: 'Tyhjä', ownerOrganisationId: world.helsinki.id, startsOn: null, endsOn: null, description: '', goals: [{ title: 'T', description: '' }], organisationIds: [], areaCodes: [] },
			world.lead.id
		);
		const dashboard = (await programmeDashboard(empty.id))!;
		expect(dashboard.total).toBe(0);
		expect(dashboard.pilots).toEqual([]);
		expect(dashboard.overdue).toEqual([]);
		expect(dashboard.byArea).toEqual([]);
	});
});

describe('learning library', () => {
	const search = async (q: string, more: Parameters<typeof searchLearnings>[0] = {}) =>
		(await searchLearnings({ programmeId: world.programme.id, q, ...more })).results.map((r) => r.id);

	it('lists decided pilots with decision and reason; proposals, running and declined pilots stay out', async () => {
		const { results, searched } = await searchLearnings({ programmeId: world.programme.id });
		expect(searched).toBe(false);
		expect(results.map((r) => r.id).sort()).toEqual([world.pilots.c, world.pilots.d, world.pilots.e].sort());
		const c = results.find((r) => r.id === world.pilots.c)!;
		expect(c.decision).toBe('scale');
		expect(c.decisionReason).toBe('Päätös: kävijämäärät kasvoivat joka kuukausi.');
		expect(c.areas.map((a) => a.code)).toEqual(['00420', '00940']);
		expect(c.learningParts.map((p) => p.text).join('')).toContain('matalan kynnyksen');
	});

	it('finds Finnish text in any form of its words, with or without diacritics, and marks the match', async () => {
		expect(await search('päätös')).toEqual([world.pilots.c]);
		expect(await search('paatos')).toEqual([world.pilots.c]);
		expect(await search('KOHTAAMISPAIKAN')).toEqual([world.pilots.c]); // the declined proposal says it too
		// Other forms of the same word: inessive for genitive, and the plural partitive whose stem changes (paikka →
		// paikko); a compound's part finds it too.
		expect(await search('kohtaamispaikassa')).toEqual([world.pilots.c]);
		expect(await search('kohtaamispaikkoja')).toEqual([world.pilots.c]);
		expect(await search('paikoissa')).toEqual([world.pilots.c]);
		const [inflected] = (await searchLearnings({ programmeId: world.programme.id, q: 'kohtaamispaikoissa' })).results;
		expect(inflected!.learningParts.filter((p) => p.mark).map((p) => p.text)).toEqual(['kohtaamispaikan']);
		// A word cut short still finds its beginning ("kynnyks" is no word: matched as typed, as a prefix).
		const [hit] = (await searchLearnings({ programmeId: world.programme.id, q: 'kynnyks' })).results;
		expect(hit!.learningParts.filter((p) => p.mark).map((p) => p.text)).toEqual(['kynnyksen']);
		const [reason] = (await searchLearnings({ programmeId: world.programme.id, q: 'paatos' })).results;
		expect(reason!.reasonParts.filter((p) => p.mark).map((p) => p.text)).toEqual(['Päätös']);
		// What happened and the impact seen are searched too, not only what was learned.
		expect(await search('olohuoneissa')).toEqual([world.pilots.c]);
		expect(await search('asukasyhdistyksille')).toEqual([world.pilots.c]);
		expect(await search('volunteer')).toEqual([world.pilots.e]);
	});

	it('finds Swedish and English text, the last word as a prefix', async () => {
		expect(await search('atgarden')).toEqual([world.pilots.d]);
		expect(await search('åtgärd')).toEqual([world.pilots.d]);
		expect(await search('föräldrar')).toEqual([world.pilots.d]);
		expect(await search('coach')).toEqual([world.pilots.e]);
		expect(await search('young peers')).toEqual([world.pilots.e]);
		expect(await search('young kynnyksen')).toEqual([]); // every word must match
	});

	it('combines the text with the filters', async () => {
		expect(await search('kynnyksen', { goalId: world.g2 })).toEqual([]);
		expect((await search('', { goalId: world.g2 })).sort()).toEqual([world.pilots.d, world.pilots.e].sort());
		expect(await search('', { areaCode: '00940' })).toEqual([world.pilots.c]);
		expect(await search('', { organisationId: world.vantaa.id })).toEqual([world.pilots.d]);
		expect(await search('', { perspective: 'Young adults' })).toEqual([world.pilots.e]);
		expect((await searchLearnings({ programmeId: 'other', q: 'paatos' })).results).toEqual([]);
	});

	it('treats hostile input as text and never throws', async () => {
		for (const q of ['"', '*', 'NEAR(', 'OR', 'AND', 'NOT', '"päätös', 'päätös"*', 'a OR b', ') (', 'title:päätös', '^päätös', '-', '+', '\uE000', "'; DROP TABLE pilots; --", 'NEAR(päätös kävijämäärät, 5)', '{title}: päätös', 'päätös NOT kävijämäärät']) {
			await expect(searchLearnings({ programmeId: world.programme.id, q }), q).resolves.toBeDefined();
		}
		expect(await search('"päätös')).toEqual([world.pilots.c]);
		expect(await search('title:päätös')).toEqual([]); // a column filter is not honoured: "title" is a word to find
		// As an operator NOT would leave c out; as text it is the English small word "not", which asks for nothing.
		expect(await search('päätös NOT kävijämäärät')).toEqual([world.pilots.c]);
		expect(await search('NEAR(päätös kävijämäärät, 5)')).toEqual([]); // "near" is a word to find, not FTS5's NEAR()
		expect(await search('*')).toEqual([]);
		// Every user term is a quoted string; only the column filters and the operators between them are the query's.
		const query = ftsQuery('a "b" NEAR(c {title} OR d*')!;
		const outsideQuotes = query.replace(/"(?:[^"]|"")*"/g, '""');
		expect(outsideQuotes.replace(/\{(?:title|summary|learnings|decision_reason)(?:_terms)?(?: (?:title|summary|learnings|decision_reason|reason)(?:_terms)?)*\}/g, '{}')).toMatch(/^[(){}:" ]*(?:(?:OR|AND)[(){}:" ]*)*\*?[)]*$/);
		expect(query).toContain('"near"');
		expect(ftsQuery(' " * ')).toBeNull();
		expect(ftsQuery('ja och the')).toBeNull(); // only small words: nothing to search for
	});
});

describe('CSV exports', () => {
	it('pilots.csv: one row per pilot, BOM, CRLF, stable columns, formulas defused', async () => {
		const text = (await pilotsCsv(world.programme.id, '2025-04-02'))!;
		expect(text.split('\r\n')[0]).toBe(
			'\uFEFFpilot_id,title,status,decision,decision_reason,goal_id,goal,owner_organisation,perspective,target_group,area_codes,starts_on,ends_on,cadence_weeks,budget_euros,summary,hypothesis,latest_check_in_on,latest_check_in_status,next_check_in_due,indicators,source_workshop_id,created_at,updated_at'
		);
		const rows = records(text);
		expect(rows).toHaveLength(7);
		const a = rows.find((r) => r.pilot_id === world.pilots.a)!;
		expect(a).toMatchObject({
			title: 'Kerhot kouluille',
			status: 'running',
			goal: 'Jokaisella on turvallinen aikuinen',
			owner_organisation: 'Helsingin kaupunki',
			area_codes: '00420',
			latest_check_in_on: '2025-02-26',
			latest_check_in_status: 'at_risk',
			next_check_in_due: '2025-03-26',
			cadence_weeks: '4'
		});
		expect(JSON.parse(a.indicators!).map((i: { name: string; baseline: number; target: number }) => [i.name, i.baseline, i.target])).toEqual([
			['Harrastajat', 10, 30],
			['Poissaolot', 20, 10]
		]);
		const c = rows.find((r) => r.pilot_id === world.pilots.c)!;
		expect(c).toMatchObject({ status: 'decided', decision: 'scale', area_codes: '00420;00940', next_check_in_due: '' });
		expect(rows.find((r) => r.pilot_id === world.pilots.f)!.title).toBe(`'=HYPERLINK("http://evil.example","klikkaa")`);
		expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""klikkaa"")"`);
	});

	it('checkins.csv: every version with series, version and current flag; readings as JSON', async () => {
		const rows = records(await checkInsCsv(world.programme.id));
		expect(rows).toHaveLength(6); // A: 2 series, one corrected (3 rows); C, D, E: 1 each
		const a = rows.filter((r) => r.pilot_id === world.pilots.a);
		expect(a.map((r) => [r.reported_on, r.version, r.is_current])).toEqual([
			['2025-01-29', '1', 'false'],
			['2025-01-29', '2', 'true'],
			['2025-02-26', '1', 'true']
		]);
		expect(a[0]!.series_id).toBe(a[1]!.series_id);
		expect(JSON.parse(a[0]!.readings!)).toEqual([
			{ indicator_id: world.indicators.members.id, indicator: 'Harrastajat', unit: 'hlö', value: 15 },
			{ indicator_id: world.indicators.absences.id, indicator: 'Poissaolot', unit: '%', value: 18 }
		]);
		expect(JSON.parse(a[1]!.readings!).map((r: { value: number }) => r.value)).toEqual([12, 19]);
		expect(a[1]!.learned).toBe('Korjattu luku');
		expect(rows.find((r) => r.pilot_id === world.pilots.d)!.learned).toBe('Åtgärden fungerade bäst när föräldrarna deltog.');
	});

	it('the data dictionary describes every column of both files', async () => {
		const dictionary = records(dataDictionaryCsv());
		const columnsOf = (text: string) => parseCsv(text)[0]!;
		expect(dictionary.filter((r) => r.file === 'pilots.csv').map((r) => r.column)).toEqual(columnsOf((await pilotsCsv(world.programme.id))!));
		expect(dictionary.filter((r) => r.file === 'checkins.csv').map((r) => r.column)).toEqual(columnsOf(await checkInsCsv(world.programme.id)));
		for (const row of dictionary) expect(row.description, row.column).not.toBe('');
		expect(dictionary.find((r) => r.column === 'decision')!.allowed_values).toBe('scale (Laajennetaan); adapt (Muokataan); stop (Lopetetaan)');
	});
});

describe('who may follow the outcomes', () => {
	it('the lead and members of participating organisations; others get 403, unknown programmes 404', async () => {
		expect(await programmeRole(world.programme.id, world.lead)).toBe('lead');
		expect(await programmeRole(world.programme.id, world.member)).toBe('member');
		expect(await programmeRole(world.programme.id, world.outsider)).toBeNull();
		expect(await resolveOutcomeAccess(world.programme.id, world.lead)).toMatchObject({ ok: true, role: 'lead' });
		expect(await resolveOutcomeAccess(world.programme.id, world.member)).toMatchObject({ ok: true, role: 'member' });
		expect(await resolveOutcomeAccess(world.programme.id, world.outsider)).toEqual({ ok: false, status: 403 });
		expect(await resolveOutcomeAccess(world.programme.id, null)).toEqual({ ok: false, status: 403 });
		expect(await resolveOutcomeAccess('unknown', world.lead)).toEqual({ ok: false, status: 404 });
	});
});

describe('who may follow the outcomes, after a change', () => {
	it('reuses the answer only until the next write', async () => {
		const late = await person('Myöhäinen');
		expect(await resolveOutcomeAccess(world.programme.id, late)).toEqual({ ok: false, status: 403 });
		expect(await resolveOutcomeAccess(world.programme.id, late)).toBe(await resolveOutcomeAccess(world.programme.id, late));
		await addMember(world.vantaa.id, late.id, 'member');
		expect(await resolveOutcomeAccess(world.programme.id, late)).toMatchObject({ ok: true, role: 'member' });
		// The same person as an admin is a lead: the answer is per user and admin flag.
		expect(await resolveOutcomeAccess(world.programme.id, { ...late, isAdmin: true })).toMatchObject({ ok: true, role: 'lead' });
	});
});

describe('dashboard reuse', () => {
	it('is computed once while nothing is written, and again after any write', async () => {
		const first = await programmeDashboard(world.programme.id);
		expect(await programmeDashboard(world.programme.id)).toBe(first);
		await proposePilot(world.programme.id, pilotInput({ title: 'Uusi ehdotus' }), world.lead.id);
		const after = await programmeDashboard(world.programme.id);
		expect(after).not.toBe(first);
		expect(after!.total).toBe(first!.total + 1);
	});
});

describe('the home page and the CSV addresses on the production server', () => {
	let server: RunningServer;
	beforeAll(async () => {
		server = await startProductionServer({ env: { DATABASE_PATH: process.env.DATABASE_PATH! } });
	});
	afterAll(async () => {
		await server?.stop();
	});

	const get = async (path: string, userId?: string) =>
		fetch(`${server.url}${path}`, { headers: userId ? { cookie: `verstas_session=${(await createSession(userId)).token}` } : {}, redirect: 'manual' });

	it('the home page shows a team member their pilots’ next check-ins and a lead the overdue ones of their programmes (also on the programmes list)', async () => {
		// Today both running pilots' check-ins (due in March 2025) are overdue.
		const lead = await (await get('/', world.lead.id)).text();
		expect(lead).toContain('Omat ohjelmat');
		expect(lead).toContain(`href="/programmes/${world.programme.id}#overdue-title">Myöhässä olevia seurantaraportteja: 2</a>`);
		// … by name, the most overdue first (b), each with its due day.
		const overdueList = lead.slice(lead.indexOf('class="overdue-pilots'));
		expect(overdueList.indexOf(`href="/pilots/${world.pilots.b}"`)).toBeGreaterThan(0);
		expect(overdueList.indexOf(`href="/pilots/${world.pilots.a}"`)).toBeGreaterThan(overdueList.indexOf(`href="/pilots/${world.pilots.b}"`));
		expect(overdueList).toContain('seurantaraportti myöhässä (erääntyi 15. maaliskuuta 2025)');
		// … and so does their list of programmes.
		expect(await (await get('/programmes', world.lead.id)).text()).toContain('Myöhässä olevia seurantaraportteja: 2');
		expect(await (await get('/programmes', world.member.id)).text()).not.toContain('Myöhässä olevia seurantaraportteja');
		const team = await (await get('/', world.team.id)).text();
		expect(team).toContain('Omat kokeilut');
		expect(team).toContain(`href="/pilots/${world.pilots.b}/check-ins/new"`);
		expect(team).toContain('seurantaraportti myöhässä (erääntyi');
		// A member of a taking-part organisation is not told about another organisation's overdue check-ins.
		const member = await (await get('/', world.member.id)).text();
		expect(member).not.toContain('Myöhässä olevia seurantaraportteja');
		expect(member).not.toContain('overdue-pilots');
		// Signed out: what Verstas is, and no one's lists.
		const anonymous = await (await get('/')).text();
		expect(anonymous).toContain('Ideasta kokeiluksi, kokeilusta tiedoksi');
		expect(anonymous).not.toContain('Omat työpajat');
	});

	for (const file of ['pilots.csv', 'checkins.csv', 'data-dictionary.csv']) {
		it(`${file}: member 200, outsider and anonymous 403, unknown programme 404`, async () => {
			const ok = await get(`/programmes/${world.programme.id}/${file}`, world.member.id);
			expect(ok.status).toBe(200);
			expect(ok.headers.get('content-type')).toBe('text/csv; charset=utf-8');
			expect(ok.headers.get('content-disposition')).toMatch(/^attachment; filename="Mukana-ohjelma-/);
			// fetch's text() drops a leading byte order mark, so the bytes are checked.
			const bytes = new Uint8Array(await ok.arrayBuffer());
			expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
			const body = new TextDecoder().decode(bytes);
			expect(body.endsWith('\r\n')).toBe(true);

			const outsider = await get(`/programmes/${world.programme.id}/${file}`, world.outsider.id);
			expect(outsider.status).toBe(403);
			expect(outsider.headers.get('content-type')).toBe('text/plain; charset=utf-8');
			expect(await outsider.text()).toBe('Sinulla ei ole pääsyä tämän ohjelman tietoihin.');
			expect((await get(`/programmes/${world.programme.id}/${file}`)).status).toBe(403);
			expect((await get(`/programmes/unknown/${file}`, world.member.id)).status).toBe(404);
		});
	}

	it('draws each indicator with its full text alternative, one dot for the latest reading (dashboard and report)', async () => {
		const label = 'aria-label="Harrastajat: lähtötaso 10 hlö, lukemat 12 hlö, 14 hlö, tavoite 30 hlö. Viimeisin lukema lähestyi tavoitetta."';
		for (const path of ['', '/report']) {
			const html = await (await get(`/programmes/${world.programme.id}${path}`, world.lead.id)).text();
			const start = html.indexOf(label);
			expect(start).toBeGreaterThan(0);
			const svg = html.slice(start, html.indexOf('</svg>', start));
			// Baseline, two readings; coordinates to one decimal; the target as a dashed line.
			expect(svg).toContain('<polyline points="4,28 60,25.6 116,23.2"');
			expect(svg.match(/<circle /g)).toHaveLength(1);
			expect(svg).toContain('<circle cx="116" cy="23.2" r="3.5"');
			if (!path) expect(html).toContain('10 hlö → 14 hlö (tavoite 30 hlö)');
		}
	});

	it('the dashboard lists the 10 most overdue check-ins and links to all of them', async () => {
		for (let i = 0; i < 11; i++) {
			const id = (await proposePilot(world.programme.id, pilotInput({ title: `Myöhästelevä kokeilu ${i}`, startsOn: '2025-01-01' }), world.team.id)).id;
			await transitionPilot(id, 'approve', world.lead);
			await transitionPilot(id, 'start', world.team);
		}
		const overdueRows = (html: string) => {
			const start = html.indexOf('id="overdue-title"');
			const table = html.slice(start, html.indexOf('</table>', start));
			return table.match(/<th scope="row"/g)?.length ?? 0;
		};
		const html = await (await get(`/programmes/${world.programme.id}?status=running`, world.lead.id)).text();
		const total = Number(html.match(/Myöhässä on (\d+) seurantaraporttia/)?.[1]);
		expect(total).toBeGreaterThan(10);
		expect(overdueRows(html)).toBe(10);
		expect(html).toContain(`href="?status=running&amp;overdue=all#overdue-title">Näytä kaikki myöhässä olevat (${total})</a>`);
		const all = await (await get(`/programmes/${world.programme.id}?status=running&overdue=all`, world.lead.id)).text();
		expect(overdueRows(all)).toBe(total);
		expect(all).not.toContain('Myöhässä on');
		expect(all).toContain('href="?status=running#overdue-title">Näytä vain 10 pisimpään myöhässä ollutta</a>');
	});

	it('answers a repeated dashboard view with the same page until anything is written, by any process', async () => {
		const signedIn = async (userId: string) => {
			const cookie = `verstas_session=${(await createSession(userId)).token}`;
			return (headers: Record<string, string> = {}) =>
				fetch(`${server.url}/programmes/${world.programme.id}`, { headers: { cookie, ...headers }, redirect: 'manual' });
		};
		const lead = await signedIn(world.lead.id);
		const nonceOf = (response: Response) => /'nonce-([^']+)'/.exec(response.headers.get('content-security-policy') ?? '')?.[1];
		const first = await lead();
		const page = await first.text();
		const again = await lead();
		const repeated = await again.text();
		// The same page, with a fresh CSP nonce in its header and its start-up script: a nonce is never sent twice.
		const [nonce, fresh] = [nonceOf(first)!, nonceOf(again)!];
		expect(nonce).toBeTruthy();
		expect(fresh).toBeTruthy();
		expect(fresh).not.toBe(nonce);
		expect(repeated).toContain(`nonce="${fresh}"`);
		expect(repeated).not.toContain(nonce);
		expect(repeated.replaceAll(fresh, nonce)).toBe(page);
		expect(again.headers.get('content-security-policy')!.replace(fresh, nonce)).toBe(first.headers.get('content-security-policy'));

		// This test process writes (another process, as far as the server is concerned): the next view shows it.
		const renamed = `Ohjelmavastaava ${counter++}`;
		await db.update(users).set({ name: renamed }).where(eq(users.id, world.lead.id));
		const afterWrite = await lead();
		expect(afterWrite.status).toBe(200);
		expect(await afterWrite.text()).toContain(renamed);

		// Another person gets their own answer, never the lead's page.
		const member = await (await signedIn(world.member.id))();
		expect(member.status).toBe(200);
		expect(await member.text()).toContain(world.member.name);
		expect((await (await signedIn(world.outsider.id))()).status).toBe(403);
	});

	it('the dashboard counts every pilot but lists them a page (25) at a time, keeping the filters', async () => {
		const before = (await (await get(`/programmes/${world.programme.id}`, world.lead.id)).text()).match(/\/pilots\/[a-z0-9]{12}"/g)?.length ?? 0;
		for (let i = 0; i < 30; i++) await proposePilot(world.programme.id, pilotInput({ title: `Sivutettu kokeilu ${i}` }), world.lead.id);
		const first = await (await get(`/programmes/${world.programme.id}?status=proposed`, world.lead.id)).text();
		expect(first).toMatch(/Sivu 1\/2/);
		expect(first).toContain('?status=proposed&amp;page=2');
		const second = await (await get(`/programmes/${world.programme.id}?status=proposed&page=2`, world.lead.id)).text();
		expect(second).toMatch(/Sivu 2\/2/);
		const links = (html: string) => new Set(html.match(/href="\/pilots\/([a-z0-9]{12})"/g));
		const shown = new Set([...links(first), ...links(second)]);
		expect(shown.size).toBeGreaterThanOrEqual(30);
		expect(before).toBeGreaterThan(0);
	});
});
