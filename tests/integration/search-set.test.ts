// The learning library's search on its test set (tests/data/search-set.json): decided pilots in Finnish, Swedish
// and English on a real SQLite file, found through the app's own search (FTS5 over the analysed terms). Recall:
// the share of the pilots each query must find that it found; extra results: the share of what was found that it
// should not have. Asserted for the analyser at work (Voikko for Finnish, Snowball for the rest); the stemmers
// alone (no Voikko) are measured too and printed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createOrganisation } from '../../src/lib/server/organisations';
import { searchLearnings } from '../../src/lib/server/outcomes';
import { proposePilot, rebuildSearchIndex, recordCheckIn, transitionPilot, type CheckInInput } from '../../src/lib/server/pilots';
import { checkInInput, pilotInput } from '../helpers/pilots';
import { createProgramme } from '../../src/lib/server/programmes';
import { describeAnalyser, resetTextAnalysis } from '../../src/lib/server/text-analysis';
import { createUser } from '../../src/lib/server/users';

type SearchSet = {
	pilots: { key: string; title: string; summary: string; hypothesis: string; decisionReason: string; checkIn: Partial<CheckInInput> }[];
	queries: { q: string; find: string[]; why: string }[];
};
const set = JSON.parse(readFileSync(join(import.meta.dirname, '../data/search-set.json'), 'utf8')) as SearchSet;

let programmeId = '';
const keyOf = new Map<string, string>();

beforeAll(async () => {
	const admin = await createUser({ name: 'Ylläpitäjä', email: 'search-admin@example.fi', password: 'salasana-123' });
	const lead = await createUser({ name: 'Liisa', email: 'search-lead@example.fi', password: 'salasana-123' });
	const team = await createUser({ name: 'Tiina', email: 'search-team@example.fi', password: 'salasana-123' });
	void admin;
	const city = await createOrganisation({ name: 'Helsingin kaupunki', kind: 'city', municipality: 'Helsinki' });
	await addMember(city.id, lead.id, 'programme_lead');
	await addMember(city.id, team.id, 'member');
	const programme = await createProgramme(
		{ name: 'Mukana-ohjelma', ownerOrganisationId: city.id, startsOn: '2025-01-01', endsOn: '2027-12-31', description: '', goals: [], organisationIds: [], areaCodes: [] },
		lead.id
	);
	programmeId = programme.id;
	const leadUser = { id: lead.id, isAdmin: false };
	const teamUser = { id: team.id, isAdmin: false };
	for (const pilot of set.pilots) {
		const input = { title: pilot.title, summary: pilot.summary, hypothesis: pilot.hypothesis, ownerOrganisationId: city.id, startsOn: '2025-01-01' };
		const { id } = await proposePilot(programme.id, pilotInput(input), team.id);
		keyOf.set(id, pilot.key);
		await transitionPilot(id, 'approve', leadUser);
		await transitionPilot(id, 'start', teamUser);
		await recordCheckIn(id, checkInInput({ reportedOn: '2025-03-01', ...pilot.checkIn }), team.id);
		await transitionPilot(id, 'decide', leadUser, { decision: 'scale', comment: pilot.decisionReason });
	}
});

afterAll(() => {
	delete process.env.VERSTAS_VOIKKO;
	resetTextAnalysis();
});

/** Runs every query through the library's search and counts. */
async function measure() {
	let relevant = 0;
	let foundRelevant = 0;
	let found = 0;
	const misses: string[] = [];
	const extras: string[] = [];
	for (const query of set.queries) {
		const keys = (await searchLearnings({ programmeId, q: query.q })).results.map((result) => keyOf.get(result.id)!);
		relevant += query.find.length;
		found += keys.length;
		foundRelevant += keys.filter((key) => query.find.includes(key)).length;
		const missed = query.find.filter((key) => !keys.includes(key));
		const extra = keys.filter((key) => !query.find.includes(key));
		if (missed.length) misses.push(`${query.q}: ${missed.join(', ')}`);
		if (extra.length) extras.push(`${query.q}: ${extra.join(', ')}`);
	}
	const recall = foundRelevant / relevant;
	const extraRate = found ? (found - foundRelevant) / found : 0;
	return { recall, extraRate, relevant, foundRelevant, found, misses, extras };
}

const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
function report(title: string, result: Awaited<ReturnType<typeof measure>>) {
	console.log(
		`${title}: ${set.queries.length} queries, recall ${percent(result.recall)} (${result.foundRelevant}/${result.relevant}), ` +
			`extra results ${percent(result.extraRate)} (${result.found - result.foundRelevant}/${result.found})` +
			(result.misses.length ? `\n  missed: ${result.misses.join('; ')}` : '') +
			(result.extras.length ? `\n  extra: ${result.extras.join('; ')}` : '')
	);
}

describe('search test set', () => {
	it('has at least 60 inflected queries, each with the pilots it must find', () => {
		expect(set.queries.length).toBeGreaterThanOrEqual(60);
		const keys = new Set(set.pilots.map((pilot) => pilot.key));
		for (const query of set.queries) for (const key of query.find) expect(keys, `${query.q}: ${key}`).toContain(key);
	});

	it('finds ≥ 95 % of what each query must find, with ≤ 10 % extra results (Voikko for Finnish)', async () => {
		expect(describeAnalyser(), 'Voikko is needed: apt-get install libvoikko1 voikko-fi').toMatch(/^voikko /);
		const result = await measure();
		report(describeAnalyser(), result);
		expect(result.recall).toBeGreaterThanOrEqual(0.95);
		expect(result.extraRate).toBeLessThanOrEqual(0.1);
	});

	it('without Voikko the stemmers answer alone (measured, printed)', async () => {
		process.env.VERSTAS_VOIKKO = 'off';
		resetTextAnalysis();
		await rebuildSearchIndex();
		const result = await measure();
		report(describeAnalyser(), result);
		delete process.env.VERSTAS_VOIKKO;
		resetTextAnalysis();
		await rebuildSearchIndex();
		expect(result.found).toBeGreaterThan(0);
	});
});
