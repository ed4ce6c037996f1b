import { listAreas } from '$lib/server/areas';
import { m } from '$lib/paraglide/messages.js';
import { parseInput } from '$lib/server/forms';
import { requirePilot } from '$lib/server/pilot-access';
import { getPilotDetails, pilotReferenceErrors, pilotSchema, programmePeople, readPilotForm, updatePilot } from '$lib/server/pilots';
import { getProgrammeDetails } from '$lib/server/programmes';
import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

/** The team and the programme's leads edit a pilot until it is decided or declined. */
async function requireEditor(event: RequestEvent<{ id: string }>) {
	const found = await requirePilot(event);
	if (!found.can.edit) error(403, m.pilot_cannot_edit());
	return { ...found, programme: (await getProgrammeDetails(found.pilot.programmeId))! };
}

export const load: PageServerLoad = async (event) => {
	const { pilot, programme } = await requireEditor(event);
	const details = (await getPilotDetails(pilot.id))!;
	return {
		pilot: { id: pilot.id, title: pilot.title },
		goals: programme.goals.map(({ id, title }) => ({ id, title })),
		organisations: [programme.owner, ...programme.organisations.filter((organisation) => organisation.id !== programme.owner.id)],
		people: await programmePeople(programme.id),
		areas: (await listAreas()).map(({ code, name }) => ({ code, name })),
		targetAreaCodes: programme.targetAreas.map((area) => area.code),
		initial: {
			title: pilot.title,
			summary: pilot.summary,
			hypothesis: pilot.hypothesis,
			goalId: pilot.goalId ?? '',
			ownerOrganisationId: pilot.ownerOrganisationId ?? '',
			responsibleUserId: pilot.responsibleUserId ?? '',
			teamEmails: details.team.map((member) => member.email),
			areaCodes: details.targetAreas.map((area) => area.code),
			targetGroup: pilot.targetGroup,
			perspective: pilot.perspective,
			startsOn: pilot.startsOn ?? '',
			endsOn: pilot.endsOn ?? '',
			cadenceWeeks: pilot.cadenceWeeks,
			budgetEuros: pilot.budgetEuros ?? '',
			canvas: pilot.canvas
		}
	};
};

export const actions: Actions = {
	default: async (event) => {
		const { pilot, programme } = await requireEditor(event);
		const input = readPilotForm(await event.request.formData());
		const form = parseInput(pilotSchema, input);
		if (!form.ok) return fail(400, { input, errors: form.errors });
		const referenceErrors = await pilotReferenceErrors(programme, form.data, pilot);
		if (referenceErrors) return fail(400, { input, errors: referenceErrors });
		await updatePilot(pilot.id, form.data);
		redirect(303, `/pilots/${pilot.id}`);
	}
};
