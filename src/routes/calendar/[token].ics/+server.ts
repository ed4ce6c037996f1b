import { m } from '$lib/paraglide/messages.js';
import { buildPersonalCalendar, findCalendarFeedOwner } from '$lib/server/calendar';
import type { RequestHandler } from './$types';

// Calendar apps fetch this without cookies: the secret in the address is the only credential.
export const GET: RequestHandler = async ({ params, url }) => {
	const owner = await findCalendarFeedOwner(params.token);
	if (!owner) {
		return new Response(m.calendar_feed_not_found(), { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
	}
	return new Response(await buildPersonalCalendar(owner, url.origin), {
		headers: {
			'content-type': 'text/calendar; charset=utf-8',
			'content-disposition': 'inline; filename="verstas.ics"',
			'cache-control': 'private, no-store',
			'x-robots-tag': 'noindex'
		}
	});
};
