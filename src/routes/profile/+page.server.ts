import { dev } from '$app/environment';
import { m } from '$lib/paraglide/messages.js';
import { requireUser } from '$lib/server/authorise';
import { formState, parseForm } from '$lib/server/forms';
import { setLocaleCookie } from '$lib/server/locale';
import { listMembershipsOfUser } from '$lib/server/organisations';
import { createSession, setSessionCookie } from '$lib/server/session';
import { changePassword, passwordChangeSchema, profileSchema, updateProfile } from '$lib/server/users';
import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => {
	const user = requireUser(event);
	return {
		profile: { name: user.name, email: user.email, locale: user.locale, isAdmin: user.isAdmin, createdAt: user.createdAt },
		memberships: listMembershipsOfUser(user.id)
	};
};

export const actions: Actions = {
	updateProfile: async (event) => {
		const user = requireUser(event);
		const form = parseForm(profileSchema, await event.request.formData());
		if (!form.ok) return fail(400, { profile: formState(form) });
		updateProfile(user.id, form.data);
		setLocaleCookie(event.cookies, form.data.locale);
		return { profile: formState({ saved: m.profile_saved(), localeChanged: form.data.locale !== user.locale }) };
	},

	changePassword: async (event) => {
		const user = requireUser(event);
		const form = parseForm(passwordChangeSchema, await event.request.formData());
		if (!form.ok) return fail(400, { password: formState({ errors: form.errors }) });
		if (!(await changePassword(user.id, form.data.currentPassword, form.data.newPassword))) {
			return fail(400, { password: formState({ errors: { currentPassword: m.password_current_wrong() } }) });
		}
		// Every session ended with the old password; this device continues with a fresh one.
		const { token, expiresAt } = createSession(user.id);
		setSessionCookie(event.cookies, token, expiresAt, !dev);
		return { password: formState({ saved: m.password_changed() }) };
	}
};
