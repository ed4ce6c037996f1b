import { error, redirect, type RequestEvent } from '@sveltejs/kit';
import { m } from '../paraglide/messages.js';

/** The signed-in user, or a redirect to sign-in that brings them back here afterwards. */
export function requireUser(event: Pick<RequestEvent, 'locals' | 'url'>) {
	const user = event.locals.user;
	if (!user) {
		const back = event.url.pathname + event.url.search;
		redirect(303, `/sign-in?redirectTo=${encodeURIComponent(back)}`);
	}
	return user;
}

export function requireAdmin(event: Pick<RequestEvent, 'locals' | 'url'>) {
	const user = requireUser(event);
	if (!user.isAdmin) error(403, m.error_forbidden());
	return user;
}

/** Only same-site paths: an attacker's link must not turn sign-in into an open redirect. */
export function safeRedirectTarget(target: string | null | undefined, fallback = '/') {
	if (!target || !target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return fallback;
	return target;
}
