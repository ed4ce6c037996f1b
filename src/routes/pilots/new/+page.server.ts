import { m } from '$lib/paraglide/messages.js';
import { requireUser } from '$lib/server/authorise';
import { listProgrammesForUser } from '$lib/server/programmes';
import { getWorkshop } from '$lib/server/workshops';
import { error, redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

// Where "propose as a pilot" leads (an idea card's link, the workshop page's form): on to a programme's proposal
// page, which checks who may propose and where the idea comes from. The programme is the one asked for, else the one
// the workshop serves, else the person's only one; with several to choose from, this page asks.
export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const { url } = event;
	const params = new URLSearchParams();
	for (const key of ['workshop', 'idea']) {
		const value = url.searchParams.get(key);
		if (value) params.set(key, value);
	}
	const to = (programmeId: string) => `/programmes/${encodeURIComponent(programmeId)}/pilots/new${params.size ? `?${params}` : ''}`;
	const asked = url.searchParams.get('programme');
	if (asked) redirect(303, to(asked));

	const programmes = await listProgrammesForUser(user);
	if (!programmes.length) error(403, m.pilot_propose_no_programme());
	const workshopId = url.searchParams.get('workshop');
	const served = workshopId ? (await getWorkshop(workshopId))?.programmeId : null;
	if (served && programmes.some((programme) => programme.id === served)) redirect(303, to(served));
	if (programmes.length === 1) redirect(303, to(programmes[0]!.id));
	return {
		programmes: programmes.map(({ id, name }) => ({ id, name })),
		workshopId: params.get('workshop'),
		ideaId: params.get('idea')
	};
};
