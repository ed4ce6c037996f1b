import { m } from '$lib/paraglide/messages.js';
import { requireUser } from '$lib/server/authorise';
import { programmeDashboard, readOutcomeFilters, resolveOutcomeAccess } from '$lib/server/outcomes';
import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

const pilotsPerPage = 25;

// The programme dashboard: its leads and the members of its organisations; filters come from the URL (GET form).
export const load: PageServerLoad = (event) => {
	const user = requireUser(event);
	const access = resolveOutcomeAccess(event.params.id, user);
	if (!access.ok) error(access.status, access.status === 404 ? m.outcomes_programme_not_found() : m.outcomes_forbidden());
	const dashboard = programmeDashboard(event.params.id, readOutcomeFilters(event.url.searchParams));
	if (!dashboard) error(404, m.outcomes_programme_not_found());
	// The counts and charts cover every pilot; the table shows one page of them (a large programme's full table
	// with its sparklines would be megabytes of HTML).
	const pages = Math.max(1, Math.ceil(dashboard.pilots.length / pilotsPerPage));
	const page = Math.min(pages, Math.max(1, Math.trunc(Number(event.url.searchParams.get('page'))) || 1));
	return {
		dashboard: { ...dashboard, pilots: dashboard.pilots.slice((page - 1) * pilotsPerPage, page * pilotsPerPage) },
		page,
		pages,
		role: access.role
	};
};
