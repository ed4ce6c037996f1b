import { toDateTimeLocal } from '$lib/format';
import { m } from '$lib/paraglide/messages.js';
import { parseInput } from '$lib/server/forms';
import { listOrganisations } from '$lib/server/organisations';
import { listProgrammesForUser, programmeRole } from '$lib/server/programmes';
import { requireFacilitator } from '$lib/server/workshop-access';
import {
	getWorkshopDetails,
	jalostamoTemplate,
	maxPerspectives,
	readWorkshopForm,
	UnknownFacilitatorError,
	updateWorkshop,
	workshopSchema
} from '$lib/server/workshops';
import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { workshop, user } = await requireFacilitator(event);
	const details = (await getWorkshopDetails(workshop.id))!;
	return {
		programmes: (await listProgrammesForUser(user)).map(({ id, name }) => ({ id, name })),
		workshop: { id: workshop.id, title: workshop.title },
		template: jalostamoTemplate(),
		organisations: (await listOrganisations()).map(({ id, name }) => ({ id, name })),
		maxPerspectives,
		initial: {
			title: workshop.title,
			theme: workshop.theme,
			description: workshop.description,
			startsAt: workshop.startsAt ? toDateTimeLocal(workshop.startsAt) : '',
			durationMinutes: workshop.durationMinutes,
			location: workshop.location,
			programmeId: workshop.programmeId ?? '',
			organisationIds: details.organisations.map((organisation) => organisation.id),
			// The creator stays a facilitator regardless; the field lists the others.
			coFacilitatorEmails: details.facilitators.filter((f) => f.id !== workshop.createdBy).map((f) => f.email),
			perspectives: details.perspectives.map(({ id, title, description }) => ({ id, title, description })),
			phases: details.phases.map(({ id, kind, title, durationMinutes }) => ({ id, kind, title, durationMinutes }))
		}
	};
};

export const actions: Actions = {
	default: async (event) => {
		const { workshop, user } = await requireFacilitator(event);
		const input = readWorkshopForm(await event.request.formData());
		const form = parseInput(workshopSchema, input);
		if (!form.ok) return fail(400, { input, errors: form.errors });
		// A programme the facilitator is not part of cannot be chosen (the one already set may stay).
		if (form.data.programmeId && form.data.programmeId !== workshop.programmeId && !await programmeRole(form.data.programmeId, user))
			return fail(400, { input, errors: { programmeId: m.error_choose_option() } });
		try {
			await updateWorkshop(workshop.id, form.data);
		} catch (caught) {
			if (!(caught instanceof UnknownFacilitatorError)) throw caught;
			return fail(400, { input, errors: { coFacilitatorEmails: m.error_unknown_facilitators({ emails: caught.emails.join(', ') }) } });
		}
		redirect(303, `/workshops/${workshop.id}`);
	}
};
