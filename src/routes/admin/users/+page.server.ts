import { requireAdmin } from '$lib/server/authorise';
import { listUsers } from '$lib/server/users';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	requireAdmin(event);
	return { users: await listUsers() };
};
