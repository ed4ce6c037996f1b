import { m } from '$lib/paraglide/messages.js';
import { getLocale } from '$lib/paraglide/runtime.js';
import { formState, parseForm } from '$lib/server/forms';
import { setLocaleCookie } from '$lib/server/locale';
import { createSession, secureCookies, setSessionCookie } from '$lib/server/session';
import { createUser, EmailTakenError, signUpSchema } from '$lib/server/users';
import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
	if (locals.user) redirect(303, '/profile');
};

export const actions: Actions = {
	default: async ({ request, cookies, url }) => {
		const form = parseForm(signUpSchema, await request.formData());
		if (!form.ok) return fail(400, formState(form));

		const locale = getLocale();
		try {
			const user = await createUser({ ...form.data, locale });
			const { token, expiresAt } = createSession(user.id);
			setSessionCookie(cookies, token, expiresAt, secureCookies(url));
			setLocaleCookie(cookies, locale);
		} catch (error) {
			if (!(error instanceof EmailTakenError)) throw error;
			const { name, email } = form.data;
			return fail(409, formState({ values: { name, email }, errors: { email: m.sign_up_email_taken() } }));
		}
		redirect(303, '/');
	}
};
