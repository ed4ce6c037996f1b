import { m } from '$lib/paraglide/messages.js';
import { parseForm, formState } from '$lib/server/forms';
import {
	getWorkshopByCode,
	guestCookieName,
	guestJoinSchema,
	joinAsGuest,
	joinAsUser,
	normaliseJoinCode,
	resolveWorkshopAccess,
	wasRemoved
} from '$lib/server/workshops';
import { secureCookies } from '$lib/server/session';
import { fail, redirect, type Cookies } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

const guestCookieMaxAge = 60 * 60 * 24 * 30;

function boardOf(workshopId: string) {
	return `/workshops/${workshopId}/board`;
}

function access(workshopId: string, locals: App.Locals, cookies: Cookies) {
	return resolveWorkshopAccess(workshopId, { user: locals.user, guestToken: cookies.get(guestCookieName(workshopId)) });
}

export const load: PageServerLoad = ({ params, locals, cookies }) => {
	if (normaliseJoinCode(params.code) !== params.code) redirect(303, `/w/${encodeURIComponent(normaliseJoinCode(params.code))}`);
	const workshop = getWorkshopByCode(params.code);
	if (!workshop) return { state: 'unknown' as const };

	// Already in: straight to the board.
	if (access(workshop.id, locals, cookies)) redirect(303, boardOf(workshop.id));

	const summary = { title: workshop.title, theme: workshop.theme };
	if (locals.user) {
		if (wasRemoved(workshop.id, locals.user.id)) return { state: 'removed' as const, workshop: summary };
		if (!workshop.joiningOpen) return { state: 'closed' as const, workshop: summary };
		// Signed-in members join under their own name, without a form.
		if (joinAsUser(workshop.id, locals.user)) redirect(303, boardOf(workshop.id));
		return { state: 'removed' as const, workshop: summary };
	}
	return { state: workshop.joiningOpen ? ('open' as const) : ('closed' as const), workshop: summary };
};

export const actions: Actions = {
	default: async ({ params, request, cookies, locals, url }) => {
		const workshop = getWorkshopByCode(params.code);
		if (!workshop) return fail(404, formState({ message: m.join_code_unknown() }));
		if (access(workshop.id, locals, cookies)) redirect(303, boardOf(workshop.id));
		if (!workshop.joiningOpen) return fail(403, formState({ message: m.join_closed() }));
		const form = parseForm(guestJoinSchema, await request.formData());
		if (!form.ok) return fail(400, formState(form));

		const { token } = joinAsGuest(workshop.id, form.data);
		// Scoped to this workshop: the cookie's token is only valid for this workshop's participant row.
		cookies.set(guestCookieName(workshop.id), token, {
			path: '/',
			httpOnly: true,
			sameSite: 'lax',
			secure: secureCookies(url),
			maxAge: guestCookieMaxAge
		});
		redirect(303, boardOf(workshop.id));
	}
};
