import { requireUser } from '$lib/server/authorise';
import { withOverdueCheckIns } from '$lib/server/pilots';
import { leadOrganisations, listProgrammesForUser } from '$lib/server/programmes';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const [programmes, organisations] = await Promise.all([listProgrammesForUser(user), leadOrganisations(user)]);
	// A lead sees which of their programmes have check-ins overdue.
	const withOverdue = await withOverdueCheckIns(programmes);
	return { programmes: withOverdue.map(({ overduePilots: _, ...programme }) => programme), canCreate: organisations.length > 0 };
};
