import { m } from '$lib/paraglide/messages.js';
import { formState, parseForm } from '$lib/server/forms';
import { checkResetToken, resetPassword, resetPasswordSchema } from '$lib/server/password-reset';
import { deleteSessionCookie, secureCookies } from '$lib/server/session';
import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params }) => ({ valid: await checkResetToken(params.token) !== null });

export const actions: Actions = {
	reset: async ({ params, request, cookies, url }) => {
		const form = parseForm(resetPasswordSchema, await request.formData());
		if (!form.ok) return fail(400, formState(form));
		if (!(await resetPassword(params.token, form.data.password))) return fail(400, formState({ message: m.reset_link_invalid() }));
		// Every session of the person ended, this browser's included (it may be someone else's).
		deleteSessionCookie(cookies, secureCookies(url));
		redirect(303, '/sign-in?reset=1');
	}
};
