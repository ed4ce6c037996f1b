import { m } from '$lib/paraglide/messages.js';
import { formState, parseForm } from '$lib/server/forms';
import { confirmLink, getPendingLink, IdentityRefusedError, linkCookieName } from '$lib/server/identities';
import { setLocaleCookie } from '$lib/server/locale';
import { findProvider } from '$lib/server/oidc';
import { clearFailedSignIns, recordFailedSignIn, signInWaitMs } from '$lib/server/rate-limit';
import { createSession, secureCookies, setSessionCookie } from '$lib/server/session';
import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';

// An SSO sign-in whose email already has a password account lands here: the account's password proves the
// person owns it before the provider's identity is linked to it.

const linkSchema = z.object({
	password: z.string({ error: () => m.error_required() }).min(1, { error: () => m.error_required() })
});

async function pendingLinkOf({ cookies }: RequestEvent) {
	const link = await getPendingLink(cookies.get(linkCookieName));
	if (!link) redirect(303, '/sign-in?sso=link-expired');
	return link;
}

export const load: PageServerLoad = async (event) => {
	const link = await pendingLinkOf(event);
	return { email: link.email, label: findProvider(link.provider)?.label ?? link.provider };
};

export const actions: Actions = {
	link: async (event) => {
		const link = await pendingLinkOf(event);
		const form = parseForm(linkSchema, await event.request.formData());
		if (!form.ok) return fail(400, formState(form));

		// The same counts and waits as the sign-in form: this form is another way to guess the account's password.
		const address = event.getClientAddress();
		const waitMs = await signInWaitMs(link.email, address);
		if (waitMs > 0) {
			const message =
				waitMs < 60_000
					? m.sign_in_rate_limited_seconds({ seconds: Math.ceil(waitMs / 1000) })
					: m.sign_in_rate_limited({ minutes: Math.ceil(waitMs / 60_000) });
			return fail(429, formState({ message }));
		}
		let linked;
		try {
			linked = await confirmLink(link, form.data.password);
		} catch (caught) {
			if (caught instanceof IdentityRefusedError) redirect(303, `/sign-in?sso=${caught.reason}`);
			throw caught;
		}
		if (!linked) {
			await recordFailedSignIn(link.email, address);
			return fail(400, formState({ message: m.sso_link_wrong_password() }));
		}

		await clearFailedSignIns(link.email);
		const secure = secureCookies(event.url);
		event.cookies.delete(linkCookieName, { path: '/sign-in/link', httpOnly: true, sameSite: 'lax', secure });
		const { token, expiresAt } = await createSession(link.userId);
		setSessionCookie(event.cookies, token, expiresAt, secure);
		if (link.locale) setLocaleCookie(event.cookies, link.locale);
		redirect(303, '/');
	}
};
