import { m } from '$lib/paraglide/messages.js';
import { pilotProposalLink } from '$lib/server/pilots';
import { loadReportPage, resolveReportAccess } from '$lib/server/report';
import { guestCookieName } from '$lib/server/workshops';
import { error, redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

// The print-ready report: the same readers as the exports (facilitators, participants, observers).
export const load: PageServerLoad = async ({ params, locals, cookies, url }) => {
	const guestToken = cookies.get(guestCookieName(params.id));
	const allowed = await resolveReportAccess(params.id, { user: locals.user, guestToken });
	if (!allowed.ok) {
		if (allowed.status === 404) error(404, m.workshop_not_found());
		// A visitor with no session and no guest token may simply not have signed in yet.
		if (!locals.user && !guestToken) redirect(303, `/sign-in?redirectTo=${encodeURIComponent(url.pathname)}`);
		error(403, m.report_forbidden());
	}
	const report = await loadReportPage(params.id);
	if (!report) error(404, m.workshop_not_found());
	// Chosen ideas can be proposed as pilots by those who may propose (the proposal page checks again).
	return { report, role: allowed.access.role, proposePilotUrl: await pilotProposalLink(params.id, locals.user) };
};
