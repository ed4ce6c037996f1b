import { requireAdmin } from '$lib/server/authorise';
import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => {
	requireAdmin(event);
	redirect(303, '/admin/organisations');
};
