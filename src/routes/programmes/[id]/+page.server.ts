import { m } from '$lib/paraglide/messages.js';
import { requireUser } from '$lib/server/authorise';
import { dashboardPage, programmeDashboard, readOutcomeFilters, resolveOutcomeAccess } from '$lib/server/outcomes';
import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

// The programme dashboard: its leads and the members of its organisations; filters come from the URL (GET form).
export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const access = await resolveOutcomeAccess(event.params.id, user);
	if (!access.ok) error(access.status, access.status === 404 ? m.outcomes_programme_not_found() : m.outcomes_forbidden());
	const params = event.url.searchParams;
	const dashboard = await programmeDashboard(event.params.id, readOutcomeFilters(params));
	if (!dashboard) error(404, m.outcomes_programme_not_found());
	// The counts and charts cover every pilot; the table shows one page of them (`?page=`), the overdue list the
	// most overdue ones unless `?overdue=all` (a large programme's full lists would be megabytes of HTML).
	const { page, pages, ...shown } = dashboardPage(dashboard, { page: Number(params.get('page')), allOverdue: params.get('overdue') === 'all' });
	return { dashboard: shown, page, pages, role: access.role };
};
