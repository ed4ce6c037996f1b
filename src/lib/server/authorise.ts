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

// Any placeholder origin will do: a target is kept only when resolving it cannot leave it.
const redirectBase = 'http://verstas.invalid';

/**
 * Only same-site paths: an attacker's link must not turn sign-in into an open redirect. Parsed with `new URL` as a
 * browser would (it strips tabs and newlines, reads `\` as `/`), so `/%09/evil.example` is seen as the
 * `//evil.example` it becomes; control characters are refused outright (they would also make the Location header
 * invalid: a 500).
 */
export function safeRedirectTarget(target: string | null | undefined, fallback = '/') {
	if (!target || !target.startsWith('/') || /[\u0000-\u001f\u007f]/.test(target)) return fallback;
	let url: URL;
	try {
		url = new URL(target, redirectBase);
	} catch {
		return fallback;
	}
	if (url.origin !== redirectBase) return fallback;
	const path = url.pathname + url.search + url.hash;
	// A path that a second parse would read as protocol-relative (`//host`) is refused too.
	return path.startsWith('//') ? fallback : path;
}
