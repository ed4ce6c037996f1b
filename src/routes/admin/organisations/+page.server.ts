import { m } from '$lib/paraglide/messages.js';
import { requireAdmin } from '$lib/server/authorise';
import { formState, parseForm } from '$lib/server/forms';
import {
	createOrganisation,
	listOrganisations,
	OrganisationNameTakenError,
	organisationSchema
} from '$lib/server/organisations';
import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	requireAdmin(event);
	return { organisations: await listOrganisations() };
};

export const actions: Actions = {
	create: async (event) => {
		requireAdmin(event);
		const form = parseForm(organisationSchema, await event.request.formData());
		if (!form.ok) return fail(400, formState(form));
		try {
			const organisation = await createOrganisation(form.data);
			return formState({ saved: m.org_created({ name: organisation.name }) });
		} catch (error) {
			if (!(error instanceof OrganisationNameTakenError)) throw error;
			return fail(409, formState({ values: form.data, errors: { name: m.org_name_taken() } }));
		}
	}
};
