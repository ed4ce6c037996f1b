import { m } from '$lib/paraglide/messages.js';
import { recordAudit, userActor } from '$lib/server/audit';
import { db } from '$lib/server/db';
import { safeRedirectTarget } from '$lib/server/authorise';
import { formState } from '$lib/server/forms';
import { IdentityRefusedError, linkCookieName, signInWithIdentity } from '$lib/server/identities';
import { setLocaleCookie } from '$lib/server/locale';
import {
	findProvider,
	finishSignIn,
	flowCookieName,
	flowMaxAgeSeconds,
	ProviderUnavailableError,
	readFlowCookie,
	SignInRefusedError,
	startSignIn,
	type OidcProvider
} from '$lib/server/oidc';
import { createSession, secureCookies, setSessionCookie } from '$lib/server/session';
import { error, fail, redirect, type Cookies } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

// POST starts signing in with the provider (a form on the sign-in page); the provider sends the browser back here
// with a GET, which finishes it. A failure goes back to the sign-in page with its reason.

const flowCookiePath = '/sign-in/oidc';

function providerOf(id: string) {
	const provider = findProvider(id);
	if (!provider) error(404, m.sso_unknown_provider());
	return provider;
}

function backToSignIn(reason: string, provider: OidcProvider): never {
	redirect(303, `/sign-in?${new URLSearchParams({ sso: reason, provider: provider.id })}`);
}

export const load: PageServerLoad = async ({ params, url, cookies }) => {
	const provider = providerOf(params.provider);
	// Opened without the provider's answer (or after a failed start without JavaScript): nothing to finish.
	if (!url.searchParams.has('state') && !url.searchParams.has('code') && !url.searchParams.has('error')) {
		return { label: provider.label };
	}
	const flow = readFlowCookie(cookies.get(flowCookieName));
	// The flow's secrets are for one answer only.
	cookies.delete(flowCookieName, { path: flowCookiePath, httpOnly: true, sameSite: 'lax', secure: secureCookies(url) });
	if (!flow || flow.provider !== provider.id) backToSignIn('flow-missing', provider);

	let identity;
	try {
		identity = await finishSignIn(provider, url, flow);
	} catch (caught) {
		if (caught instanceof ProviderUnavailableError) backToSignIn('unavailable', provider);
		if (caught instanceof SignInRefusedError) backToSignIn('refused', provider);
		throw caught;
	}

	let outcome;
	try {
		outcome = await signInWithIdentity(provider, identity);
	} catch (caught) {
		if (!(caught instanceof IdentityRefusedError)) throw caught;
		backToSignIn(caught.reason, provider);
	}
	if (outcome.kind === 'link') {
		setLinkCookie(cookies, outcome.token, outcome.expiresAt, secureCookies(url));
		redirect(303, '/sign-in/link');
	}
	await signInAs(cookies, url, outcome);
	await recordAudit(db, { action: 'sign_in', actor: await userActor(db, outcome.userId), subject: { kind: 'user', id: outcome.userId }, details: { method: 'oidc', provider: provider.id } });
	redirect(303, safeRedirectTarget(flow.redirectTo));
};

function setLinkCookie(cookies: Cookies, token: string, expires: Date, secure: boolean) {
	cookies.set(linkCookieName, token, { path: '/sign-in/link', httpOnly: true, sameSite: 'lax', secure, expires });
}

async function signInAs(cookies: Cookies, url: URL, user: { userId: string; locale: 'fi' | 'sv' | 'en' }) {
	const { token, expiresAt } = await createSession(user.userId);
	setSessionCookie(cookies, token, expiresAt, secureCookies(url));
	setLocaleCookie(cookies, user.locale);
}

export const actions: Actions = {
	default: async ({ params, url, cookies }) => {
		const provider = providerOf(params.provider);
		let started;
		try {
			started = await startSignIn(provider, url.origin, safeRedirectTarget(url.searchParams.get('redirectTo')));
		} catch (caught) {
			if (!(caught instanceof ProviderUnavailableError)) throw caught;
			return fail(503, formState({ message: m.sso_provider_unavailable({ label: provider.label }) }));
		}
		cookies.set(flowCookieName, started.cookie, {
			path: flowCookiePath,
			httpOnly: true,
			sameSite: 'lax',
			secure: secureCookies(url),
			maxAge: flowMaxAgeSeconds
		});
		redirect(303, started.url);
	}
};
