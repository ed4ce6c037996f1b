import { requireUser } from '$lib/server/authorise';
import { canCreateWorkshops, listWorkshopsForUser } from '$lib/server/workshops';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => {
	const user = requireUser(event);
	return { workshops: listWorkshopsForUser(user.id), canCreate: canCreateWorkshops(user) };
};
