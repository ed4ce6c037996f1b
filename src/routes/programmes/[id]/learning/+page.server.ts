import { m } from '$lib/paraglide/messages.js';
import { requireUser } from '$lib/server/authorise';
import { filterOptions, readLearningQuery, resolveOutcomeAccess, searchLearnings } from '$lib/server/outcomes';
import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

// The programme's learning library: the same readers as its dashboard; search and filters come from the URL.
export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const access = await resolveOutcomeAccess(event.params.id, user);
	if (!access.ok) error(access.status, access.status === 404 ? m.outcomes_programme_not_found() : m.outcomes_forbidden());
	// The programme is the page's, whatever the URL says.
	const query = { ...readLearningQuery(event.url.searchParams), programmeId: access.programme.id };
	const { results, searched } = await searchLearnings(query);
	return {
		programme: { id: access.programme.id, name: access.programme.name },
		query: { q: query.q ?? '', goalId: query.goalId, areaCode: query.areaCode, organisationId: query.organisationId, perspective: query.perspective },
		options: await filterOptions(access.programme.id),
		results,
		searched
	};
};
