import { requireUser } from '$lib/server/authorise';
import { canCreateWorkshops, listWorkshopsForUser } from '$lib/server/workshops';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	return { workshops: await listWorkshopsForUser(user.id), canCreate: await canCreateWorkshops(user) };
};
