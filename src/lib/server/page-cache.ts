import { getLocale } from '$lib/paraglide/runtime.js';
import type { Handle } from '@sveltejs/kit';
import { databaseGeneration } from './db';
import { isoToday } from './pilots';

// Pages whose HTML depends only on the signed-in user, the URL, the language, today's date and the database: a
// programme's dashboard is read far more often than its data changes, and rendering it is ~5 ms of a core.
const reusableRoutes = new Set(['/programmes/[id]']);
const maxPages = 32;
const maxPageBytes = 512 * 1024; // at most 16 MB kept

type RenderedPage = { generation: string; body: ArrayBuffer; headers: [string, string][] };
const renderedPages = new Map<string, RenderedPage>();

/**
 * Answers a repeated view of a reusable page with the HTML rendered for the same user, URL, language and day, as
 * long as nothing has been written to the database since. Safe because that render was authorised for this user
 * against the same data: a changed membership, role, session or any other write is a new generation and a fresh
 * render. A session refresh is a write too, so its cookie always goes out with a fresh render. Needs CSP hashes,
 * not nonces (svelte.config.js): a replayed page must not reuse a nonce.
 */
export const reuseRenderedPage: Handle = async ({ event, resolve }) => {
	const user = event.locals.user;
	if (event.request.method !== 'GET' || !user || event.isDataRequest || event.isSubRequest || !reusableRoutes.has(event.route.id ?? '')) {
		return resolve(event);
	}
	const key = `${user.id}|${getLocale()}|${isoToday()}|${event.url.pathname}${event.url.search}`;
	const generation = databaseGeneration();
	const reused = renderedPages.get(key);
	if (reused?.generation === generation) {
		renderedPages.delete(key); // most recently used last
		renderedPages.set(key, reused);
		return new Response(reused.body, { headers: reused.headers });
	}

	const response = await resolve(event);
	const cacheable =
		response.status === 200 && response.headers.get('content-type')?.startsWith('text/html') && !response.headers.has('set-cookie');
	if (!cacheable) return response;
	// Kept as bytes: no text decoding now, no encoding when answered again.
	const body = await response.arrayBuffer();
	if (body.byteLength <= maxPageBytes) {
		renderedPages.delete(key);
		if (renderedPages.size >= maxPages) renderedPages.delete(renderedPages.keys().next().value!);
		renderedPages.set(key, { generation, body, headers: [...response.headers] });
	}
	return new Response(body, { status: response.status, headers: response.headers });
};
