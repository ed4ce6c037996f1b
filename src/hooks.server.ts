import { startAuditPruning, withAuditContext } from '$lib/server/audit';
import { registerCollab } from '$lib/server/collab';
import { isStorageUnavailable } from '$lib/server/db';
import { migrateCurrentDatabase } from '$lib/server/db/migrate';
import { seedDemo } from '$lib/server/demo';
import { allowProviderFormActions, listProviders } from '$lib/server/oidc';
import { ensureSearchIndex } from '$lib/server/pilots';
import { voikkoUnavailableReason } from '$lib/server/text-analysis';
import { runMailSchedule } from '$lib/server/mail/schedule';
import { startMailWorker } from '$lib/server/mail/worker';
import { reuseRenderedPage } from '$lib/server/page-cache';
import { startRetentionSchedule } from '$lib/server/retention';
import { deleteSessionCookie, secureCookies, sessionCookieName, setSessionCookie, validateSessionToken } from '$lib/server/session';
import { m } from '$lib/paraglide/messages.js';
import { extractLocaleFromRequest, overwriteServerAsyncLocalStorage, type Locale } from '$lib/paraglide/runtime.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';

export const init: ServerInit = async () => {
	// A mistake in the OIDC_* settings stops the start with its message, rather than failing every sign-in page.
	listProviders();
	await migrateCurrentDatabase();
	// The learning library's index is analysed in code: rebuilt here after an upgrade or when the analyser changed.
	const noVoikko = voikkoUnavailableReason();
	if (noVoikko) console.warn(`Search uses the Snowball stemmers only: Voikko is not available (${noVoikko}). Install libvoikko1 and voikko-fi for Finnish base forms and compound parts.`);
	const rebuilt = await ensureSearchIndex();
	if (rebuilt?.pilots)
		console.log(`Search index rebuilt: ${rebuilt.pilots} pilots, ${rebuilt.words} words in ${Math.round(rebuilt.ms)} ms; analyser: ${rebuilt.analyser}`);
	registerCollab();
	if (process.env.VERSTAS_DEMO === '1') await seedDemo();
	(globalThis as Record<symbol, unknown>)[Symbol.for('verstas.audit')] ??= await startAuditPruning();
	// The outbox's sender; server/app.js stops it on shutdown so a send under way records its outcome.
	if (process.env.VERSTAS_MAIL_WORKER !== 'off') {
		(globalThis as Record<symbol, unknown>)[Symbol.for('verstas.mail')] ??= startMailWorker((now) => runMailSchedule(now));
	}
	// Guests' names are anonymised by themselves after the retention period (once per process, unref'd timer).
	(globalThis as Record<symbol, unknown>)[Symbol.for('verstas.retention')] ??= await startRetentionSchedule();
};

const handleSecurityHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	// CSP (with frame-ancestors 'none') comes from kit.csp; these cover what it does not.
	response.headers.set('X-Content-Type-Options', 'nosniff');
	response.headers.set('Referrer-Policy', 'strict-origin-when-cross-origin');
	response.headers.set('X-Frame-Options', 'DENY');
	response.headers.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
	// Over https (ORIGIN https://…, or the request's own protocol) browsers are told to use nothing else for two
	// years. Not includeSubDomains or preload: a city's other hosts under the same domain are not ours to decide.
	if (event.url.protocol === 'https:') response.headers.set('Strict-Transport-Security', 'max-age=63072000');
	const csp = response.headers.get('content-security-policy');
	if (csp && event.route.id === '/sign-in') response.headers.set('content-security-policy', allowProviderFormActions(csp));
	return response;
};

const handleSession: Handle = async ({ event, resolve }) => {
	const token = event.cookies.get(sessionCookieName);
	const result = token ? await validateSessionToken(token) : null;
	event.locals.user = result?.user ?? null;
	event.locals.session = result?.session ?? null;
	if (result?.refreshed) setSessionCookie(event.cookies, token!, result.session.expiresAt, secureCookies(event.url));
	else if (token && !result) deleteSessionCookie(event.cookies, secureCookies(event.url));
	// The audit log's default actor and address for whatever this request records.
	const user = event.locals.user;
	const address = () => {
		try {
			return event.getClientAddress();
		} catch {
			return null;
		}
	};
	return withAuditContext({ actor: user ? { id: user.id, label: user.name } : null, address }, () => resolve(event));
};

// The request's language (cookie, else Finnish) for every message of this request. Paraglide's own middleware
// also clones each request to rewrite localised URLs, which we do not use (≈ 0.25 ms a request, a fifth of a vote's
// cost): the same AsyncLocalStorage context is set up here without the clone.
const localeStorage = new AsyncLocalStorage<{ locale?: Locale; origin?: string; messageCalls?: Set<string> }>();
overwriteServerAsyncLocalStorage(localeStorage);

const handleLocale: Handle = ({ event, resolve }) => {
	const locale = extractLocaleFromRequest(event.request);
	return localeStorage.run({ locale, origin: event.url.origin, messageCalls: new Set() }, () =>
		resolve(event, { transformPageChunk: ({ html }) => html.replace('%paraglide.lang%', locale) })
	);
};

export const handle = sequence(handleSecurityHeaders, handleSession, handleLocale, reuseRenderedPage);

export const handleError: HandleServerError = ({ error, status }) => {
	if (status !== 404) console.error(error);
	// A locked or full database is not a bug: say what happened (every write is one transaction, so nothing
	// was half-saved) and that trying again later works.
	if (isStorageUnavailable(error)) return { message: m.error_storage_unavailable() };
	return { message: status === 404 ? m.error_not_found() : m.error_unexpected() };
};
