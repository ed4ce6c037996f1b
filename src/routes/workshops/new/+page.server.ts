import { m } from '$lib/paraglide/messages.js';
import { requireUser } from '$lib/server/authorise';
import { parseInput } from '$lib/server/forms';
import { listOrganisations } from '$lib/server/organisations';
import { listProgrammesForUser, programmeRole } from '$lib/server/programmes';
import {
	canCreateWorkshops,
	createWorkshop,
	jalostamoTemplate,
	maxPerspectives,
	readWorkshopForm,
	UnknownFacilitatorError,
	workshopSchema
} from '$lib/server/workshops';
import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

function requireCreator(event: RequestEvent) {
	const user = requireUser(event);
	if (!canCreateWorkshops(user)) error(403, m.error_cannot_create_workshops());
	return user;
}

export const load: PageServerLoad = (event) => {
	const user = requireCreator(event);
	const template = jalostamoTemplate();
	return {
		template,
		organisations: listOrganisations().map(({ id, name }) => ({ id, name })),
		programmes: listProgrammesForUser(user).map(({ id, name }) => ({ id, name })),
		maxPerspectives,
		initial: { title: '', theme: '', description: '', startsAt: '', programmeId: '', organisationIds: [], coFacilitatorEmails: [], ...template }
	};
};

export const actions: Actions = {
	default: async (event) => {
		const user = requireCreator(event);
		const input = readWorkshopForm(await event.request.formData());
		const form = parseInput(workshopSchema, input);
		if (!form.ok) return fail(400, { input, errors: form.errors });
		if (form.data.programmeId && !programmeRole(form.data.programmeId, user))
			return fail(400, { input, errors: { programmeId: m.error_choose_option() } });
		let workshopId: string;
		try {
			workshopId = createWorkshop(form.data, user.id).id;
		} catch (caught) {
			if (!(caught instanceof UnknownFacilitatorError)) throw caught;
			return fail(400, { input, errors: { coFacilitatorEmails: m.error_unknown_facilitators({ emails: caught.emails.join(', ') }) } });
		}
		redirect(303, `/workshops/${workshopId}`);
	}
};
