import { requireUser } from '$lib/server/authorise';
import { leadOrganisations, listProgrammesForUser } from '$lib/server/programmes';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => {
	const user = requireUser(event);
	return { programmes: listProgrammesForUser(user), canCreate: leadOrganisations(user).length > 0 };
};
