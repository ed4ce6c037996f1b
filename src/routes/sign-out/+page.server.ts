import { closeSessionConnections } from '$lib/server/collab';
import { deleteSessionCookie, invalidateSession, secureCookies } from '$lib/server/session';
import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
	if (!locals.user) redirect(303, '/');
};

export const actions: Actions = {
	default: async ({ locals, cookies, url }) => {
		if (locals.session) {
			await invalidateSession(locals.session.id);
			// Open boards would otherwise stay connected until the next periodic check, up to a minute.
			closeSessionConnections(locals.session.id);
		}
		deleteSessionCookie(cookies, secureCookies(url));
		redirect(303, '/');
	}
};
