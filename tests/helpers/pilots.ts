// A pilot proposal and a check-in with every field at its default, for tests that set only what they are about.
import type { CheckInInput, PilotInput } from '../../src/lib/server/pilots';

export const pilotInput = (input: Partial<PilotInput> & { title: string }): PilotInput => ({
	summary: '',
	hypothesis: '',
	goalId: null,
	ownerOrganisationId: null,
	responsibleUserId: null,
	teamEmails: [],
	areaCodes: [],
	targetGroup: '',
	perspective: '',
	startsOn: null,
	endsOn: null,
	cadenceWeeks: 4,
	budgetEuros: null,
	canvas: {},
	...input
});

export const checkInInput = (input: Partial<CheckInInput> & { reportedOn: string }): CheckInInput => ({
	status: 'on_track',
	happened: '',
	learned: '',
	nextSteps: '',
	impactResidents: '',
	impactLocalActors: '',
	impactInstitutions: '',
	readings: {},
	...input
});
