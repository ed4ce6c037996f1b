import { requireUser } from '$lib/server/authorise';
import { withOverdueCheckIns } from '$lib/server/pilots';
import { leadOrganisations, listProgrammesForUser } from '$lib/server/programmes';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const [programmes, organisations] = await Promise.all([listProgrammesForUser(user), leadOrganisations(user)]);
	// A lead sees which of their programmes have check-ins overdue.
	return { programmes: await withOverdueCheckIns(programmes), canCreate: organisations.length > 0 };
};
