import { m } from '$lib/paraglide/messages.js';
import { requireUser } from '$lib/server/authorise';
import { parseInput } from '$lib/server/forms';
import { listOrganisations } from '$lib/server/organisations';
import { listProgrammesForUser, programmeRole } from '$lib/server/programmes';
import { getWorkshopTemplate, listWorkshopTemplates } from '$lib/server/workshop-templates';
import {
	canCreateWorkshops,
	createWorkshop,
	emptyWorkshopPlan,
	jalostamoTemplate,
	maxPerspectives,
	readWorkshopForm,
	UnknownFacilitatorError,
	workshopSchema
} from '$lib/server/workshops';
import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

async function requireCreator(event: RequestEvent) {
	const user = requireUser(event);
	if (!await canCreateWorkshops(user)) error(403, m.error_cannot_create_workshops());
	return user;
}

/**
 * What the form starts from: the Jalostamo template (the default), an empty workshop (?start=empty), or a saved
 * template of one of the facilitator's organisations (?template=id).
 */
async function startingPoint(url: URL, user: Awaited<ReturnType<typeof requireCreator>>) {
	const templateId = url.searchParams.get('template');
	if (templateId) {
		const saved = await getWorkshopTemplate(templateId, user);
		if (!saved) error(404, m.workshop_template_not_found());
		return { start: `template:${saved.id}`, theme: saved.theme, description: saved.description, perspectives: saved.perspectives, phases: saved.phases };
	}
	if (url.searchParams.get('start') === 'empty') return { start: 'empty', theme: '', description: '', ...emptyWorkshopPlan() };
	return { start: 'jalostamo', theme: '', description: '', ...jalostamoTemplate() };
}

export const load: PageServerLoad = async (event) => {
	const user = await requireCreator(event);
	const { start, ...plan } = await startingPoint(event.url, user);
	return {
		start,
		templates: await listWorkshopTemplates(user),
		template: jalostamoTemplate(),
		organisations: (await listOrganisations()).map(({ id, name }) => ({ id, name })),
		programmes: (await listProgrammesForUser(user)).map(({ id, name }) => ({ id, name })),
		maxPerspectives,
		initial: { title: '', startsAt: '', programmeId: '', organisationIds: [], coFacilitatorEmails: [], ...plan }
	};
};

export const actions: Actions = {
	default: async (event) => {
		const user = await requireCreator(event);
		const input = readWorkshopForm(await event.request.formData());
		const form = parseInput(workshopSchema, input);
		if (!form.ok) return fail(400, { input, errors: form.errors });
		if (form.data.programmeId && !await programmeRole(form.data.programmeId, user))
			return fail(400, { input, errors: { programmeId: m.error_choose_option() } });
		let workshopId: string;
		try {
			workshopId = (await createWorkshop(form.data, user.id)).id;
		} catch (caught) {
			if (!(caught instanceof UnknownFacilitatorError)) throw caught;
			return fail(400, { input, errors: { coFacilitatorEmails: m.error_unknown_facilitators({ emails: caught.emails.join(', ') }) } });
		}
		redirect(303, `/workshops/${workshopId}`);
	}
};
