import { locales } from '$lib/server/db/schema';
import { safeRedirectTarget } from '$lib/server/authorise';
import { setLocaleCookie } from '$lib/server/locale';
import { setPreferredLocale } from '$lib/server/users';
import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { m } from '$lib/paraglide/messages.js';
import type { Actions } from './$types';

const languageSchema = z.enum(locales);

export const actions: Actions = {
	default: async ({ request, cookies, locals }) => {
		const data = await request.formData();
		const locale = languageSchema.safeParse(data.get('locale'));
		if (!locale.success) return fail(400, { message: m.error_choose_option() });
		// Remembered in the profile for signed-in users (follows them to other devices), in a cookie for everyone.
		if (locals.user) await setPreferredLocale(locals.user.id, locale.data);
		setLocaleCookie(cookies, locale.data);
		redirect(303, safeRedirectTarget(String(data.get('redirectTo') ?? '/')));
	}
};
