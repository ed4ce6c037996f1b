import { requireUser } from '$lib/server/authorise';
import { countOverdueCheckIns } from '$lib/server/pilots';
import { leadOrganisations, listProgrammesForUser } from '$lib/server/programmes';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const [programmes, organisations] = await Promise.all([listProgrammesForUser(user), leadOrganisations(user)]);
	// A lead sees which of their programmes have check-ins overdue.
	const overdue = await countOverdueCheckIns(programmes.filter((programme) => programme.role === 'lead').map((programme) => programme.id));
	return {
		programmes: programmes.map((programme) => ({ ...programme, overdue: overdue.get(programme.id) ?? 0 })),
		canCreate: organisations.length > 0
	};
};
