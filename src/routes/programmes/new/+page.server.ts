import { listAreas } from '$lib/server/areas';
import { m } from '$lib/paraglide/messages.js';
import { requireUser } from '$lib/server/authorise';
import { parseInput } from '$lib/server/forms';
import { listOrganisations } from '$lib/server/organisations';
import { createProgramme, leadOrganisations, programmeSchema, readProgrammeForm } from '$lib/server/programmes';
import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

/** Admins and programme leads start programmes, owned by an organisation they lead. */
async function requireLead(event: RequestEvent) {
	const user = requireUser(event);
	const owners = await leadOrganisations(user);
	if (!owners.length) error(403, m.programme_cannot_create());
	return { user, owners };
}

export const load: PageServerLoad = async (event) => {
	const { owners } = await requireLead(event);
	return {
		owners,
		organisations: (await listOrganisations()).map(({ id, name }) => ({ id, name })),
		areas: (await listAreas()).map(({ code, name }) => ({ code, name })),
		initial: { name: '', ownerOrganisationId: owners[0]!.id, startsOn: '', endsOn: '', description: '', goals: [], organisationIds: [], areaCodes: [] }
	};
};

export const actions: Actions = {
	default: async (event) => {
		const { user, owners } = await requireLead(event);
		const input = readProgrammeForm(await event.request.formData());
		const form = parseInput(programmeSchema, input);
		if (!form.ok) return fail(400, { input, errors: form.errors });
		if (!owners.some((owner) => owner.id === form.data.ownerOrganisationId))
			return fail(403, { input, errors: { ownerOrganisationId: m.programme_owner_not_yours() } });
		const programme = await createProgramme(form.data, user.id);
		redirect(303, `/programmes/${programme.id}`);
	}
};
