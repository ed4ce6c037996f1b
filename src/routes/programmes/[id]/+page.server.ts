import { m } from '$lib/paraglide/messages.js';
import { requireUser } from '$lib/server/authorise';
import { programmeDashboard, readOutcomeFilters, resolveOutcomeAccess } from '$lib/server/outcomes';
import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

// The programme dashboard: its leads and the members of its organisations; filters come from the URL (GET form).
export const load: PageServerLoad = (event) => {
	const user = requireUser(event);
	const access = resolveOutcomeAccess(event.params.id, user);
	if (!access.ok) error(access.status, access.status === 404 ? m.outcomes_programme_not_found() : m.outcomes_forbidden());
	const dashboard = programmeDashboard(event.params.id, readOutcomeFilters(event.url.searchParams));
	if (!dashboard) error(404, m.outcomes_programme_not_found());
	return { dashboard, role: access.role };
};
