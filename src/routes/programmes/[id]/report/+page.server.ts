import { m } from '$lib/paraglide/messages.js';
import { requireUser } from '$lib/server/authorise';
import { programmeDashboard, readOutcomeFilters, resolveOutcomeAccess, searchLearnings } from '$lib/server/outcomes';
import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

// The print-ready programme report: the dashboard's readers; the dashboard's URL filters narrow it too.
export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const access = await resolveOutcomeAccess(event.params.id, user);
	if (!access.ok) error(access.status, access.status === 404 ? m.outcomes_programme_not_found() : m.outcomes_forbidden());
	const filters = readOutcomeFilters(event.url.searchParams);
	const dashboard = await programmeDashboard(event.params.id, filters);
	if (!dashboard) error(404, m.outcomes_programme_not_found());
	const learnings = (await searchLearnings({ ...filters, programmeId: access.programme.id }, 500)).results;
	return { dashboard, learnings, generatedAt: new Date() };
};
