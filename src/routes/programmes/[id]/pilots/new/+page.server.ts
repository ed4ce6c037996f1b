import { listAreas } from '$lib/server/areas';
import { m } from '$lib/paraglide/messages.js';
import { parseInput } from '$lib/server/forms';
import { requireProgrammeMember } from '$lib/server/pilot-access';
import { ideaSource, listProgrammeIdeas, pilotDraftFromIdea, pilotReferenceErrors, pilotSchema, programmePeople, proposePilot, readPilotForm } from '$lib/server/pilots';
import { getWorkshop, guestCookieName, resolveWorkshopAccess } from '$lib/server/workshops';
import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

type Programme = Awaited<ReturnType<typeof requireProgrammeMember>>['programme'];

/**
 * The idea card a proposal starts from (?workshop=…&idea=…, or ?from=workshop:idea from the idea picker): allowed
 * to the workshop's people, and to the programme's people when the workshop serves this programme.
 */
async function sourceFrom(event: RequestEvent, programme: Programme, workshopId: string | null, ideaId: string | null) {
	if (!workshopId || !ideaId) return null;
	const workshop = await getWorkshop(workshopId);
	if (!workshop) error(404, m.pilot_idea_not_found());
	const access = await resolveWorkshopAccess(workshopId, { user: event.locals.user, guestToken: event.cookies.get(guestCookieName(workshopId)) });
	if (!access && workshop.programmeId !== programme.id) error(403, m.error_forbidden());
	const source = await ideaSource(workshopId, ideaId);
	if (!source) error(404, m.pilot_idea_not_found());
	return source;
}

/** ?from=workshop:idea (the picker's single select) or ?workshop=…&idea=… (links from idea cards). */
function requestedIdea(url: URL) {
	const from = url.searchParams.get('from');
	if (from !== null) {
		const [workshopId, ideaId] = from.split(':');
		return { workshopId: workshopId || null, ideaId: ideaId || null };
	}
	return { workshopId: url.searchParams.get('workshop'), ideaId: url.searchParams.get('idea') };
}

async function formChoices(programme: Programme) {
	return {
		programme: { id: programme.id, name: programme.name },
		goals: programme.goals.map(({ id, title }) => ({ id, title })),
		organisations: [programme.owner, ...programme.organisations.filter((organisation) => organisation.id !== programme.owner.id)],
		people: await programmePeople(programme.id),
		areas: (await listAreas()).map(({ code, name }) => ({ code, name })),
		targetAreaCodes: programme.targetAreas.map((area) => area.code)
	};
}

export const load: PageServerLoad = async (event) => {
	const { programme } = await requireProgrammeMember(event);
	const requested = requestedIdea(event.url);
	const source = await sourceFrom(event, programme, requested.workshopId, requested.ideaId);
	const draft = source ? await pilotDraftFromIdea(source.workshopId, source.ideaId) : undefined;
	// The ideas of the programme's workshops to pick from, and the one this proposal starts from even when its
	// workshop serves no programme (it came from that workshop's idea card).
	const ideas = await listProgrammeIdeas(programme.id);
	if (source && draft && !ideas.some((workshop) => workshop.workshopId === source.workshopId))
		ideas.unshift({ workshopId: source.workshopId, workshopTitle: (await getWorkshop(source.workshopId))!.title, ideas: [{ id: source.ideaId, title: draft.title }] });
	return {
		...await formChoices(programme),
		source,
		ideas,
		initial: {
			title: draft?.title ?? '',
			summary: draft?.canvas.problem ?? '',
			hypothesis: draft?.hypothesis ?? '',
			goalId: '',
			ownerOrganisationId: programme.owner.id,
			responsibleUserId: event.locals.user!.id,
			teamEmails: [],
			areaCodes: draft?.areaCodes ?? [],
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
		const { user, programme } = await requireProgrammeMember(event);
		const formData = await event.request.formData();
		const source = await sourceFrom(event, programme, String(formData.get('sourceWorkshopId') ?? '') || null, String(formData.get('sourceIdeaId') ?? '') || null);
		const input = readPilotForm(formData);
		const form = parseInput(pilotSchema, input);
		if (!form.ok) return fail(400, { input, errors: form.errors });
		const referenceErrors = await pilotReferenceErrors(programme, form.data);
		if (referenceErrors) return fail(400, { input, errors: referenceErrors });
		const pilot = await proposePilot(programme.id, form.data, user.id, source);
		redirect(303, `/pilots/${pilot.id}`);
	}
};
