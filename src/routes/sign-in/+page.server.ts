import { m } from '$lib/paraglide/messages.js';
import { recordAudit } from '$lib/server/audit';
import { safeRedirectTarget } from '$lib/server/authorise';
import { db } from '$lib/server/db';
import { formState, parseForm } from '$lib/server/forms';
import { ssoRequiredFor } from '$lib/server/identities';
import { setLocaleCookie } from '$lib/server/locale';
import { findProvider, listProviders } from '$lib/server/oidc';
import { clearFailedSignIns, recordFailedSignIn, signInWaitMs } from '$lib/server/rate-limit';
import { createSession, secureCookies, setSessionCookie } from '$lib/server/session';
import { signInSchema, verifyCredentials } from '$lib/server/users';
import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.user) redirect(303, safeRedirectTarget(url.searchParams.get('redirectTo')));
	return {
		signedUp: url.searchParams.has('signedUp'),
		reset: url.searchParams.has('reset'),
		deleted: url.searchParams.has('deleted'),
		providers: listProviders().map(({ id, label }) => ({ id, label })),
		ssoMessage: ssoMessage(url.searchParams.get('sso'), url.searchParams.get('provider'))
	};
};

/** Why signing in with a provider came back here (a reason code, never text from the URL). */
function ssoMessage(reason: string | null, providerId: string | null) {
	const label = findProvider(providerId ?? '')?.label ?? 'OpenID Connect';
	switch (reason) {
		case 'unavailable':
			return m.sso_provider_unavailable({ label });
		case 'refused':
			return m.sso_refused();
		case 'flow-missing':
			return m.sso_flow_missing();
		case 'no-email':
			return m.sso_no_email();
		case 'unverified':
			return m.sso_email_unverified();
		case 'linked-elsewhere':
			return m.sso_email_linked_elsewhere();
		case 'link-expired':
			return m.sso_link_expired();
		default:
			return null;
	}
}

export const actions: Actions = {
	default: async ({ request, cookies, url, getClientAddress }) => {
		const form = parseForm(signInSchema, await request.formData());
		if (!form.ok) return fail(400, formState(form));
		const { email, password } = form.data;
		// Not a failed sign-in (nothing is counted): the domain's organisation has closed password sign-in.
		if (await ssoRequiredFor(email)) return fail(403, formState({ values: { email }, message: m.sign_in_sso_required() }));

		// Counted per address and per account, with growing waits (rate-limit.ts): the password is not even checked
		// while either must wait, so waiting out the delay is the only way on.
		const address = getClientAddress();
		const waitMs = await signInWaitMs(email, address);
		if (waitMs > 0) {
			const message =
				waitMs < 60_000
					? m.sign_in_rate_limited_seconds({ seconds: Math.ceil(waitMs / 1000) })
					: m.sign_in_rate_limited({ minutes: Math.ceil(waitMs / 60_000) });
			return fail(429, formState({ values: { email }, message }));
		}

		const user = await verifyCredentials(email, password);
		if (!user) {
			await recordFailedSignIn(email, address);
			await recordAudit(db, { action: 'sign_in_failed', actor: { id: null, label: email }, details: { email, method: 'password' }, address });
			// One message for unknown email and wrong password: the form must not reveal who has an account.
			return fail(400, formState({ values: { email }, message: m.sign_in_invalid() }));
		}

		await clearFailedSignIns(email);
		await recordAudit(db, { action: 'sign_in', actor: { id: user.id, label: user.name }, subject: { kind: 'user', id: user.id }, details: { method: 'password' }, address });
		const { token, expiresAt } = await createSession(user.id);
		setSessionCookie(cookies, token, expiresAt, secureCookies(url));
		setLocaleCookie(cookies, user.locale);
		redirect(303, safeRedirectTarget(url.searchParams.get('redirectTo')));
	}
};
