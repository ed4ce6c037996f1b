import { listAreas } from '$lib/server/areas';
import { m } from '$lib/paraglide/messages.js';
import { parseInput } from '$lib/server/forms';
import { requireProgrammeMember } from '$lib/server/pilot-access';
import { ideaSource, pilotDraftFromIdea, pilotSchema, programmePeople, proposePilot, readPilotForm } from '$lib/server/pilots';
import { guestCookieName, resolveWorkshopAccess } from '$lib/server/workshops';
import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

/** The idea card a proposal starts from (?workshop=…&idea=…), if the user may see that workshop's board. */
function sourceFrom(event: RequestEvent, workshopId: string | null, ideaId: string | null) {
	if (!workshopId || !ideaId) return null;
	const access = resolveWorkshopAccess(workshopId, { user: event.locals.user, guestToken: event.cookies.get(guestCookieName(workshopId)) });
	if (!access) error(403, m.error_forbidden());
	const source = ideaSource(workshopId, ideaId);
	if (!source) error(404, m.pilot_idea_not_found());
	return source;
}

function formChoices(programme: ReturnType<typeof requireProgrammeMember>['programme']) {
	return {
		programme: { id: programme.id, name: programme.name },
		goals: programme.goals.map(({ id, title }) => ({ id, title })),
		organisations: [programme.owner, ...programme.organisations.filter((organisation) => organisation.id !== programme.owner.id)],
		people: programmePeople(programme.id),
		areas: listAreas().map(({ code, name }) => ({ code, name })),
		targetAreaCodes: programme.targetAreas.map((area) => area.code)
	};
}

export const load: PageServerLoad = (event) => {
	const { programme } = requireProgrammeMember(event);
	const source = sourceFrom(event, event.url.searchParams.get('workshop'), event.url.searchParams.get('idea'));
	const draft = source ? pilotDraftFromIdea(source.workshopId, source.ideaId) : undefined;
	return {
		...formChoices(programme),
		source,
		initial: {
			title: draft?.title ?? '',
			summary: draft?.canvas.problem ?? '',
			hypothesis: draft?.hypothesis ?? '',
			goalId: '',
			ownerOrganisationId: programme.owner.id,
			responsibleUserId: event.locals.user!.id,
			teamEmails: [],
			areaCodes: [],
			targetGroup: draft?.targetGroup ?? '',
			perspective: '',
			startsOn: '',
			endsOn: '',
			cadenceWeeks: 4,
			budgetEuros: '',
			canvas: draft?.canvas ?? {}
		}
	};
};

export const actions: Actions = {
	default: async (event) => {
		const { user, programme } = requireProgrammeMember(event);
		const formData = await event.request.formData();
		const source = sourceFrom(event, String(formData.get('sourceWorkshopId') ?? '') || null, String(formData.get('sourceIdeaId') ?? '') || null);
		const input = readPilotForm(formData);
		const form = parseInput(pilotSchema, input);
		if (!form.ok) return fail(400, { input, errors: form.errors });
		if (form.data.goalId && !programme.goals.some((goal) => goal.id === form.data.goalId))
			return fail(400, { input, errors: { goalId: m.error_choose_option() } });
		const pilot = proposePilot(programme.id, form.data, user.id, source);
		redirect(303, `/pilots/${pilot.id}`);
	}
};
