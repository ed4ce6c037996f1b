// The learning library's index after a change of analyser (search-index-upgrade.test.ts: after an upgrade of
// SQLite's file).
import { beforeAll, describe, expect, it } from 'vitest';
import { rawGet, rawRun } from '../../src/lib/server/db';
import { deleteSearchRows, insertSearchRow } from '../../src/lib/server/db/search';
import { addMember, createOrganisation } from '../../src/lib/server/organisations';
import { searchLearnings } from '../../src/lib/server/outcomes';
import { ensureSearchIndex, proposePilot, recordCheckIn, transitionPilot, type PilotInput } from '../../src/lib/server/pilots';
import { createProgramme } from '../../src/lib/server/programmes';
import { describeAnalyser } from '../../src/lib/server/text-analysis';
import { createUser } from '../../src/lib/server/users';

let world: { programmeId: string; pilotId: string; leadId: string };

beforeAll(async () => {
	await createUser({ name: 'Ylläpitäjä', email: 'index-admin@example.fi', password: 'salasana-123' });
	const lead = await createUser({ name: 'Liisa', email: 'index-lead@example.fi', password: 'salasana-123' });
	const city = await createOrganisation({ name: 'Helsingin kaupunki', kind: 'city', municipality: 'Helsinki' });
	await addMember(city.id, lead.id, 'programme_lead');
	const programme = await createProgramme(
		{ name: 'Mukana-ohjelma', ownerOrganisationId: city.id, startsOn: '2025-01-01', endsOn: '2027-12-31', description: '', goals: [], organisationIds: [], areaCodes: [] },
		lead.id
	);
	const input: PilotInput = {
		title: 'Perheiden olohuone Kontulan ostarilla',
		summary: 'Matalan kynnyksen kohtaamispaikka lapsiperheille.',
		hypothesis: '',
		goalId: null,
		ownerOrganisationId: city.id,
		responsibleUserId: lead.id,
		teamEmails: [],
		areaCodes: [],
		targetGroup: '',
		perspective: '',
		startsOn: '2025-01-01',
		endsOn: null,
		cadenceWeeks: 4,
		budgetEuros: null,
		canvas: {}
	};
	const { id } = await proposePilot(programme.id, input, lead.id);
	const user = { id: lead.id, isAdmin: false };
	await transitionPilot(id, 'approve', user);
	await transitionPilot(id, 'start', user);
	await recordCheckIn(
		id,
		{ reportedOn: '2025-03-01', status: 'on_track', happened: 'Ikäihmiset ja lukiolaiset kävivät vierailulla.', learned: 'Kotikäynti toi perheet mukaan.', nextSteps: '', impactResidents: '', impactLocalActors: '', impactInstitutions: '', readings: {} },
		lead.id
	);
	await transitionPilot(id, 'decide', user, { decision: 'scale', comment: 'Laajennetaan Malmille.' });
	world = { programmeId: programme.id, pilotId: id, leadId: lead.id };
});

const inflected = ['olohuoneissa', 'ikäihmisille', 'lukiolaisille', 'vierailuista', 'kotikäynneillä'];
const found = async (q: string) => (await searchLearnings({ programmeId: world.programmeId, q })).results.map((result) => result.id);

describe('the index when the analyser changes', () => {
	it('is rebuilt only when the analyser that wrote it is not the one at work', async () => {
		await ensureSearchIndex();
		expect(await ensureSearchIndex()).toBeNull();
		expect(await rawGet("SELECT analyser FROM search_index_state WHERE name = 'pilot_search'")).toEqual({ analyser: describeAnalyser() });
		// Written without Voikko (stems only), then Voikko was installed: the terms no longer meet the queries.
		await rawRun("UPDATE search_index_state SET analyser = 'snowball; terms 1' WHERE name = 'pilot_search'");
		await deleteSearchRows();
		await insertSearchRow({ pilotId: world.pilotId, title: 'Perheiden olohuone Kontulan ostarilla', summary: '', learnings: '', reason: '', titleTerms: '', summaryTerms: '', learningsTerms: '', reasonTerms: '' });
		expect(await found('olohuoneissa')).toEqual([]);
		expect(await ensureSearchIndex()).toMatchObject({ analyser: describeAnalyser(), pilots: 1 });
		for (const q of inflected) expect(await found(q), q).toEqual([world.pilotId]);
	});
});
