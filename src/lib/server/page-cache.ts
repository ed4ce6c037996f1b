import { getLocale } from '$lib/paraglide/runtime.js';
import type { Handle } from '@sveltejs/kit';
import { randomBytes } from 'node:crypto';
import { databaseGeneration } from './db';
import { isoToday } from './pilots';

// Pages whose HTML depends only on the signed-in user, the URL, the language, today's date and the database: a
// programme's dashboard is read far more often than its data changes, and rendering it is ~5 ms of a core.
const reusableRoutes = new Set(['/programmes/[id]']);
const maxPages = 32;
const maxPageBytes = 512 * 1024; // at most 16 MB kept

// The page's bytes split at its CSP nonce, and its headers without the ETag (each answer differs by its nonce).
type RenderedPage = { generation: string; pieces: Buffer[]; csp: string[]; headers: [string, string][] };
const renderedPages = new Map<string, RenderedPage>();

/**
 * Answers a repeated view of a reusable page with the HTML rendered for the same user, URL, language and day, as
 * long as nothing has been written to the database since. Safe because that render was authorised for this user
 * against the same data: a changed membership, role, session or any other write is a new generation and a fresh
 * render. A session refresh is a write too, so its cookie always goes out with a fresh render. Every answer gets a
 * fresh CSP nonce, in its header and its scripts alike: a nonce is never sent twice.
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
		const nonce = randomBytes(16).toString('base64');
		const headers = new Headers(reused.headers);
		headers.set('content-security-policy', reused.csp.join(nonce));
		return new Response(joinBytes(reused.pieces, Buffer.from(nonce)), { headers });
	}

	const response = await resolve(event);
	const cacheable =
		response.status === 200 && response.headers.get('content-type')?.startsWith('text/html') && !response.headers.has('set-cookie');
	const csp = response.headers.get('content-security-policy') ?? '';
	const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
	if (!cacheable || !nonce) return response;
	// Bytes throughout: no decoding of the render, no encoding of an answer.
	const body = Buffer.from(await response.arrayBuffer());
	if (body.byteLength <= maxPageBytes) {
		renderedPages.delete(key);
		if (renderedPages.size >= maxPages) renderedPages.delete(renderedPages.keys().next().value!);
		const headers = [...response.headers].filter(([name]) => name !== 'etag' && name !== 'content-security-policy');
		renderedPages.set(key, { generation, pieces: splitBytes(body, Buffer.from(nonce)), csp: csp.split(nonce), headers });
	}
	return new Response(body, { status: response.status, headers: response.headers });
};

function splitBytes(bytes: Buffer, separator: Buffer) {
	const pieces: Buffer[] = [];
	let from = 0;
	for (let at = bytes.indexOf(separator); at >= 0; at = bytes.indexOf(separator, from)) {
		pieces.push(bytes.subarray(from, at));
		from = at + separator.length;
	}
	pieces.push(bytes.subarray(from));
	return pieces;
}

function joinBytes(pieces: Buffer[], separator: Buffer) {
	return Buffer.concat(pieces.flatMap((piece, index) => (index ? [separator, piece] : [piece])));
}
