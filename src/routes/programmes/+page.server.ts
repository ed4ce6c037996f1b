import { requireUser } from '$lib/server/authorise';
import { leadOrganisations, listProgrammesForUser } from '$lib/server/programmes';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	return { programmes: await listProgrammesForUser(user), canCreate: (await leadOrganisations(user)).length > 0 };
};
