import { indicatorLabel, listIndicators } from '$lib/server/areas';
import { m } from '$lib/paraglide/messages.js';
import { formState, parseInput } from '$lib/server/forms';
import { requirePilot } from '$lib/server/pilot-access';
import {
	addIndicator,
	addPilotComment,
	bringPilotToWorkshop,
	commentSchema,
	currentCheckIns,
	getPilotDetails,
	indicatorSchema,
	listPilotComments,
	nextCheckInDue,
	PilotTransitionError,
	pilotTransitions,
	removeIndicator,
	statusHistory,
	transitionPilot,
	type PilotAction
} from '$lib/server/pilots';
import { getProgrammeDetails } from '$lib/server/programmes';
import { isFacilitator, listWorkshopsForUser } from '$lib/server/workshops';
import { pilotDecisions } from '$lib/server/db/schema';
import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { pilot, can, user } = await requirePilot(event);
	const details = (await getPilotDetails(pilot.id))!;
	const programme = (await getProgrammeDetails(pilot.programmeId))!;
	const checkIns = await currentCheckIns(pilot.id);
	// The actions this person may take now, in the order they appear.
	const actions = (Object.keys(pilotTransitions) as PilotAction[]).filter((action) => {
		const rule = pilotTransitions[action];
		return rule.from.includes(pilot.status) && (rule.by === 'lead' ? can.lead : can.team || can.lead);
	});
	return {
		pilot: details,
		programme: { id: programme.id, name: programme.name },
		goal: programme.goals.find((goal) => goal.id === pilot.goalId)?.title ?? null,
		owner: details.ownerOrganisationId
			? ([programme.owner, ...programme.organisations].find((organisation) => organisation.id === details.ownerOrganisationId)?.name ?? null)
			: null,
		responsible: details.team.find((member) => member.id === details.responsibleUserId)?.name ?? null,
		can,
		actions,
		history: await statusHistory(pilot.id),
		checkIns,
		due: nextCheckInDue(pilot, checkIns[0]?.reportedOn ?? null),
		comments: await listPilotComments(pilot.id),
		areaIndicators: can.edit ? (await listIndicators()).map(({ key, name }) => ({ key, name: indicatorLabel(key, name) })) : [],
		// A proposal can be refined in a workshop the user facilitates (one still to come, or undated).
		workshops: ['proposed', 'changes_requested', 'approved'].includes(pilot.status)
			? (await listWorkshopsForUser(user.id))
					.filter((workshop) => workshop.facilitating && (!workshop.startsAt || workshop.startsAt.getTime() > Date.now() - 24 * 3600_000))
					.map(({ id, title }) => ({ id, title }))
			: [],
		me: user.id,
		checkInSaved: event.url.searchParams.has('saved')
	};
};

const transitionSchema = z.object({
	action: z.enum(Object.keys(pilotTransitions) as [PilotAction, ...PilotAction[]]),
	comment: z.string().max(5000).default(''),
	decision: z.enum(pilotDecisions).optional()
});

const transitionMessages = {
	status: m.pilot_transition_status,
	forbidden: m.error_forbidden,
	reason_required: m.pilot_transition_reason_required,
	decision_required: m.pilot_transition_decision_required
} as const;

export const actions: Actions = {
	transition: async (event) => {
		const { pilot, user } = await requirePilot(event);
		const input = transitionSchema.safeParse(Object.fromEntries(await event.request.formData()));
		if (!input.success) return fail(400, { transition: formState({ message: m.pilot_transition_status() }) });
		try {
			await transitionPilot(pilot.id, input.data.action, user, { comment: input.data.comment, decision: input.data.decision ?? null });
		} catch (caught) {
			if (!(caught instanceof PilotTransitionError)) throw caught;
			const status = caught.reason === 'forbidden' ? 403 : caught.reason === 'status' ? 409 : 400;
			return fail(status, { transition: formState({ message: transitionMessages[caught.reason](), values: { comment: input.data.comment } }) });
		}
		return { transition: formState({ saved: m.pilot_transition_done() }) };
	},

	comment: async (event) => {
		const { pilot, user } = await requirePilot(event);
		const values = Object.fromEntries(await event.request.formData()) as Record<string, string>;
		const parsed = parseInput(commentSchema, values, values);
		if (!parsed.ok) return fail(400, { comment: formState({ errors: parsed.errors, values }) });
		await addPilotComment(pilot.id, user.id, parsed.data.text);
		return { comment: formState({ saved: m.pilot_comment_added() }) };
	},

	addIndicator: async (event) => {
		const { pilot, can } = await requirePilot(event);
		if (!can.edit) return fail(403, { indicator: formState({ message: m.error_forbidden() }) });
		const values = Object.fromEntries(await event.request.formData()) as Record<string, string>;
		const parsed = parseInput(indicatorSchema, { ...values, higherIsBetter: values.higherIsBetter !== 'false' }, values);
		if (!parsed.ok) return fail(400, { indicator: formState({ errors: parsed.errors, values }) });
		await addIndicator(pilot.id, parsed.data);
		return { indicator: formState({ saved: m.pilot_indicator_added() }) };
	},

	bringToWorkshop: async (event) => {
		const { pilot, user } = await requirePilot(event);
		const workshopId = String((await event.request.formData()).get('workshopId') ?? '');
		if (!await isFacilitator(workshopId, user.id)) return fail(403, { bring: formState({ message: m.pilot_bring_not_facilitator() }) });
		if (!await bringPilotToWorkshop(pilot.id, workshopId)) return fail(409, { bring: formState({ message: m.pilot_bring_no_lanes() }) });
		return { bring: formState({ saved: m.pilot_bring_done() }) };
	},

	removeIndicator: async (event) => {
		const { pilot, can } = await requirePilot(event);
		if (!can.edit) return fail(403, { indicator: formState({ message: m.error_forbidden() }) });
		const id = String((await event.request.formData()).get('indicatorId') ?? '');
		if (!await removeIndicator(pilot.id, id)) return fail(404, { indicator: formState({ message: m.pilot_indicator_not_found() }) });
		return { indicator: formState({ saved: m.pilot_indicator_removed() }) };
	}
};
