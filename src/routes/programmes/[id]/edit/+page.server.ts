import { listAreas } from '$lib/server/areas';
import { m } from '$lib/paraglide/messages.js';
import { parseInput } from '$lib/server/forms';
import { listOrganisations } from '$lib/server/organisations';
import { requireProgrammeMember } from '$lib/server/pilot-access';
import { leadOrganisations, programmeSchema, readProgrammeForm, updateProgramme } from '$lib/server/programmes';
import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

/** Only the programme's leads edit it. */
async function requireProgrammeLead(event: RequestEvent<{ id: string }>) {
	const { user, programme, role } = await requireProgrammeMember(event);
	if (role !== 'lead') error(403, m.error_forbidden());
	return { user, programme };
}

export const load: PageServerLoad = async (event) => {
	const { user, programme } = await requireProgrammeLead(event);
	const owners = await leadOrganisations(user);
	return {
		programme: { id: programme.id, name: programme.name },
		// The current owner stays choosable even for a lead who does not lead it (an admin moved it).
		owners: owners.some((owner) => owner.id === programme.owner.id) ? owners : [programme.owner, ...owners],
		organisations: (await listOrganisations()).map(({ id, name }) => ({ id, name })),
		areas: (await listAreas()).map(({ code, name }) => ({ code, name })),
		initial: {
			name: programme.name,
			ownerOrganisationId: programme.ownerOrganisationId,
			startsOn: programme.startsOn ?? '',
			endsOn: programme.endsOn ?? '',
			description: programme.description,
			goals: programme.goals.map(({ id, title, description }) => ({ id, title, description })),
			organisationIds: programme.organisations.map((organisation) => organisation.id),
			areaCodes: programme.targetAreas.map((area) => area.code)
		}
	};
};

export const actions: Actions = {
	default: async (event) => {
		const { user, programme } = await requireProgrammeLead(event);
		const input = readProgrammeForm(await event.request.formData());
		const form = parseInput(programmeSchema, input);
		if (!form.ok) return fail(400, { input, errors: form.errors });
		const owners = (await leadOrganisations(user)).map((owner) => owner.id);
		if (form.data.ownerOrganisationId !== programme.ownerOrganisationId && !owners.includes(form.data.ownerOrganisationId))
			return fail(403, { input, errors: { ownerOrganisationId: m.programme_owner_not_yours() } });
		await updateProgramme(programme.id, form.data);
		redirect(303, `/programmes/${programme.id}`);
	}
};
