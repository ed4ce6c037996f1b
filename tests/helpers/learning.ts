// One decided pilot of a programme, written so that inflected words find it only through the analysed index (base
// forms, compound parts): for the tests of the learning library's index after an analyser change or an upgrade.
import { addMember, createOrganisation } from '../../src/lib/server/organisations';
import { searchLearnings } from '../../src/lib/server/outcomes';
import { proposePilot, recordCheckIn, transitionPilot } from '../../src/lib/server/pilots';
import { createProgramme } from '../../src/lib/server/programmes';
import { createUser } from '../../src/lib/server/users';
import { checkInInput, pilotInput } from './pilots';

export async function decidedPilot() {
	await createUser({ name: 'Ylläpitäjä', email: 'index-admin@example.fi', password: 'salasana-123' });
	const lead = await createUser({ name: 'Liisa', email: 'index-lead@example.fi', password: 'salasana-123' });
	const city = await createOrganisation({ name: 'Helsingin kaupunki', kind: 'city', municipality: 'Helsinki' });
	await addMember(city.id, lead.id, 'programme_lead');
	const programme = await createProgramme(
		{ name: 'Mukana-ohjelma', ownerOrganisationId: city.id, startsOn: '2025-01-01', endsOn: '2027-12-31', description: '', goals: [], organisationIds: [], areaCodes: [] },
		lead.id
	);
	const input = {
		title: 'Perheiden olohuone Kontulan ostarilla',
		summary: 'Matalan kynnyksen kohtaamispaikka lapsiperheille.',
		ownerOrganisationId: city.id,
		responsibleUserId: lead.id,
		startsOn: '2025-01-01'
	};
	const { id } = await proposePilot(programme.id, pilotInput(input), lead.id);
	const user = { id: lead.id, isAdmin: false };
	await transitionPilot(id, 'approve', user);
	await transitionPilot(id, 'start', user);
	await recordCheckIn(
		id,
		checkInInput({ reportedOn: '2025-03-01', happened: 'Ikäihmiset ja lukiolaiset kävivät vierailulla.', learned: 'Kotikäynti toi perheet mukaan.' }),
		lead.id
	);
	await transitionPilot(id, 'decide', user, { decision: 'scale', comment: 'Laajennetaan Malmille.' });
	return { programmeId: programme.id, pilotId: id, leadId: lead.id };
}

/** Inflected forms of words in the pilot's texts: none of them is written as such there. */
export const inflected = ['olohuoneissa', 'ikäihmisille', 'lukiolaisille', 'vierailuista', 'kotikäynneillä'];

/** The ids of the programme's learnings that `q` finds. */
export const foundIn = async (programmeId: string, q: string) => (await searchLearnings({ programmeId, q })).results.map((result) => result.id);
