import { m } from '$lib/paraglide/messages.js';
import { accountDeletionBlocker, deleteAccount } from '$lib/server/account-deletion';
import { requireUser } from '$lib/server/authorise';
import { calendarFeedPath, createCalendarFeed, getCalendarFeed, revokeCalendarFeed } from '$lib/server/calendar';
import { formState, parseForm } from '$lib/server/forms';
import { setLocaleCookie } from '$lib/server/locale';
import {
	kindLabel,
	listMailPreferences,
	mailPreferencesSchema,
	notificationKinds,
	setMailPreferences,
	type NotificationKind
} from '$lib/server/mail/preferences';
import { listMembershipsOfUser } from '$lib/server/organisations';
import { createSession, deleteSessionCookie, secureCookies, setSessionCookie } from '$lib/server/session';
import { changePassword, getProfile, passwordChangeSchema, profileSchema, updateProfile } from '$lib/server/users';
import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	// Read fresh, not from locals: after a save, locals still hold the user as the request found them.
	const profile = await getProfile(user.id);
	if (!profile) error(404, m.error_not_found());
	return {
		profile,
		memberships: await listMembershipsOfUser(user.id),
		calendarFeed: await getCalendarFeed(user.id),
		mailKinds: Object.entries(await listMailPreferences(user.id)).map(([kind, frequency]) => ({
			kind,
			frequency,
			label: kindLabel(kind as NotificationKind),
			choices: notificationKinds[kind as NotificationKind].choices
		})),
		saved: event.url.searchParams.has('saved') ? m.profile_saved() : undefined,
		deletionBlocker: await accountDeletionBlocker(user.id)
	};
};

export const actions: Actions = {
	updateProfile: async (event) => {
		const user = requireUser(event);
		const form = parseForm(profileSchema, await event.request.formData());
		if (!form.ok) return fail(400, { profile: formState(form) });
		await updateProfile(user.id, form.data);
		setLocaleCookie(event.cookies, form.data.locale);
		// A fresh request renders the page, <html lang> included, in the language just chosen.
		redirect(303, '/profile?saved');
	},

	// The address is shown once, right after it is made: only a hash of its secret is kept.
	createCalendarFeed: async (event) => {
		const user = requireUser(event);
		const url = event.url.origin + calendarFeedPath(await createCalendarFeed(user.id));
		return { calendar: { url, saved: m.calendar_feed_created() } };
	},

	revokeCalendarFeed: async (event) => {
		const user = requireUser(event);
		await revokeCalendarFeed(user.id);
		return { calendar: { url: null, saved: m.calendar_feed_revoked() } };
	},

	mailPreferences: async (event) => {
		const user = requireUser(event);
		const form = parseForm(mailPreferencesSchema, await event.request.formData());
		if (!form.ok) return fail(400, { mail: formState(form) });
		await setMailPreferences(user.id, form.data);
		return { mail: formState({ saved: m.profile_mail_saved() }) };
	},

	changePassword: async (event) => {
		const user = requireUser(event);
		const form = parseForm(passwordChangeSchema, await event.request.formData());
		if (!form.ok) return fail(400, { password: formState({ errors: form.errors }) });
		if (!(await changePassword(user.id, form.data.currentPassword, form.data.newPassword))) {
			return fail(400, { password: formState({ errors: { currentPassword: m.password_current_wrong() } }) });
		}
		// Every session ended with the old password; this device continues with a fresh one.
		const { token, expiresAt } = await createSession(user.id);
		setSessionCookie(event.cookies, token, expiresAt, secureCookies(event.url));
		return { password: formState({ saved: m.password_changed() }) };
	},

	deleteAccount: async (event) => {
		const user = requireUser(event);
		const confirmation = String((await event.request.formData()).get('confirmation') ?? '').slice(0, 1000);
		const result = await deleteAccount(user.id, confirmation);
		if (!result.ok) {
			return fail(400, { deletion: { message: result.message, errors: result.field ? { confirmation: result.message } : undefined } });
		}
		deleteSessionCookie(event.cookies, secureCookies(event.url));
		redirect(303, '/sign-in?deleted');
	}
};
