import type { Phase } from '$lib/board/live.svelte';
import { m } from '$lib/paraglide/messages.js';
import { formState } from '$lib/server/forms';
import { pilotProposalLink } from '$lib/server/pilots';
import { requireFacilitator } from '$lib/server/workshop-access';
import { readBoardDoc } from '$lib/server/collab';
import { suggestBoardGroups } from '$lib/server/grouping';
import { castVote, readRatingsForm, voteCastSchema, voterIdFor, voteView } from '$lib/server/voting';
import { voteRefusalMessage } from '$lib/labels';
import type { VoteCast } from '$lib/live-protocol';
import {
	deviceCookieName,
	getBoardFrame,
	guestCookieName,
	isFacilitator,
	isRemoved,
	listPhases,
	readDeviceId,
	resolveWorkshopAccess
} from '$lib/server/workshops';
import { error, fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { liveApi } from './live-api';
import { NotCountedError, StalePhaseRunError, timerMinutes } from '$lib/server/live';

export const load: PageServerLoad = async ({ params, locals, cookies, depends }) => {
	depends('verstas:votes');
	const guestToken = cookies.get(guestCookieName(params.id));
	const removed = () => isRemoved(params.id, { user: locals.user, guestToken, deviceId: readDeviceId(cookies.get(deviceCookieName)) });
	// A stranger (no session, no guest cookie) goes to the neutral code form, before the workshop is even looked up:
	// workshop ids are public (pilot pages, pilots.csv), so sending them on to /w/{code} handed out the join code,
	// and a 404 here would tell which ids exist.
	if (!locals.user && !guestToken && !await removed()) redirect(303, '/w');
	// Independent reads in parallel: on PostgreSQL each is a round trip (B8's board page).
	const [frame, access, api] = await Promise.all([getBoardFrame(params.id), resolveWorkshopAccess(params.id, { user: locals.user, guestToken }), liveApi()]);
	if (!frame) error(404, m.workshop_not_found());
	const { workshop, perspectives } = frame;
	if (!access) {
		// Someone the facilitator removed knew the code: the join page tells them so (and keeps them out). A signed-in
		// non-member is told why they cannot see the board.
		if (await removed()) redirect(303, `/w/${workshop.joinCode}`);
		error(403, m.board_forbidden());
	}
	const phases: Phase[] = frame.phases.map(({ id, kind, title, durationMinutes }) => ({
		id,
		kind,
		title,
		durationMinutes,
		...(api ? api.phasePermissions(kind) : { addNotes: true, edit: true })
	}));
	const [live, vote, proposePilotUrl] = await Promise.all([
		api
			? api.getLiveState(params.id).then(async (state) => ({
					state,
					serverNow: Date.now(),
					done: await api.getDoneState(params.id, access.participantId, access.role === 'participant', state)
				}))
			: null,
		voteView(params.id, voterIdFor(access)),
		// Where an idea card's "Propose as a pilot" leads (IdeaCard adds &idea=…); null when this person may not propose.
		pilotProposalLink(params.id, locals.user)
	]);
	return {
		room: true,
		workshop: { id: workshop.id, title: workshop.title, theme: workshop.theme },
		perspectives,
		phases,
		live,
		vote,
		proposePilotUrl,
		me: {
			participantId: access.participantId,
			// Notes and comments carry who wrote them: the participant, or a facilitator who has not joined as one.
			authorId: access.participantId ?? `user:${access.userId}`,
			displayName: access.displayName,
			role: access.role
		}
	};
};

const bool = z.enum(['true', 'false']).transform((value) => value === 'true');
const timerMinutesSchema = z.coerce.number().int().min(timerMinutes.min).max(timerMinutes.max);
const doneSchema = z.object({ done: bool, run: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER) });
const schemas = {
	setPhase: z.object({ phaseId: z.string().max(100).optional().default('') }),
	setLocked: z.object({ locked: bool }),
	setPrivateWriting: z.object({ on: bool, anonymous: z.literal('on').optional() }),
	timer: z.object({ op: z.enum(['start', 'pause', 'addMinute', 'reset', 'setLength']), minutes: z.string().max(20).optional() }),
	focus: z.object({ kind: z.enum(['lane', 'note', 'idea']), id: z.string().min(1).max(100) })
};

const suggestSchema = z.object({ lane: z.string().max(100).optional().default('') });

type Event = Parameters<Actions[string]>[0];

/** Facilitator of this workshop, valid input, and a server with live support: or a translated failure. */
async function prepare<Name extends keyof typeof schemas>(event: Event, name: Name) {
	const { workshop } = await requireFacilitator(event);
	const input = schemas[name].safeParse(Object.fromEntries(await event.request.formData()));
	if (!input.success) return { failure: fail(400, { live: formState({ message: m.live_invalid_input() }) }) };
	const api = await liveApi();
	if (!api) return { failure: fail(503, { live: formState({ message: m.live_unavailable() }) }) };
	return { workshop, api, data: input.data as z.output<(typeof schemas)[Name]> };
}

const saved = (message: string) => ({ live: formState({ saved: message }) });

/**
 * A vote sent as a form (without JavaScript, or when the board's socket could not take it). Who votes comes from
 * the session or guest cookie, never from the form.
 */
async function castVoteFromForm(event: Event, method: VoteCast['method']) {
	const access = await resolveWorkshopAccess(event.params.id!, {
		user: event.locals.user,
		guestToken: event.cookies.get(guestCookieName(event.params.id!))
	});
	const formData = await event.request.formData();
	// A rating ballot is one form for every item: an item given only one of its two scores stores nothing.
	const ballot = method === 'rating' ? readRatingsForm(formData) : null;
	if (ballot?.incomplete) return fail(400, { vote: { message: voteRefusalMessage('incomplete'), mine: null } });
	const cast = voteCastSchema.safeParse({ ...Object.fromEntries(formData), itemIds: formData.getAll('itemIds'), ratings: ballot?.ratings, method });
	if (!cast.success) return fail(400, { vote: { message: voteRefusalMessage('invalid'), mine: null } });
	const outcome = await castVote(event.params.id!, voterIdFor(access), cast.data);
	if (!outcome.ok) return fail(outcome.status, { vote: { message: voteRefusalMessage(outcome.reason, outcome.cap), mine: outcome.mine } });
	return { vote: { message: undefined, mine: outcome.mine } };
}

/** Runs a live change; a change the live module rejects (e.g. a phase removed meanwhile) is a translated failure. */
async function run<T>(action: () => T | Promise<T>) {
	try {
		return { ok: true as const, value: await action() };
	} catch {
		return { ok: false as const, failure: fail(409, { live: formState({ message: m.live_action_failed() }) }) };
	}
}

export const actions: Actions = {
	setPhase: async (event) => {
		const prepared = await prepare(event, 'setPhase');
		if ('failure' in prepared) return prepared.failure;
		const { workshop, api, data } = prepared;
		const phases = await listPhases(workshop.id);
		const phase = data.phaseId ? phases.find((candidate) => candidate.id === data.phaseId) : null;
		if (phase === undefined) return fail(404, { live: formState({ message: m.live_phase_not_found() }) });
		const result = await run(() => api.setPhase(workshop.id, phase?.id ?? null));
		if (!result.ok) return result.failure;
		return saved(phase ? m.live_phase_changed({ title: phase.title }) : m.live_phase_none_set());
	},

	setLocked: async (event) => {
		const prepared = await prepare(event, 'setLocked');
		if ('failure' in prepared) return prepared.failure;
		const { workshop, api, data } = prepared;
		const result = await run(() => api.setLocked(workshop.id, data.locked));
		if (!result.ok) return result.failure;
		return saved(data.locked ? m.live_locked_done() : m.live_unlocked_done());
	},

	setPrivateWriting: async (event) => {
		const prepared = await prepare(event, 'setPrivateWriting');
		if ('failure' in prepared) return prepared.failure;
		const { workshop, api, data } = prepared;
		const result = await run(() => api.setPrivateWriting(workshop.id, data.on, data.anonymous === 'on'));
		if (!result.ok) return result.failure;
		return saved(data.on ? m.live_private_on_done() : m.live_private_off_done());
	},

	reveal: async (event) => {
		const { workshop } = await requireFacilitator(event);
		const api = await liveApi();
		if (!api) return fail(503, { live: formState({ message: m.live_unavailable() }) });
		const result = await run(() => api.revealPrivateNotes(workshop.id));
		if (!result.ok) return result.failure;
		return saved(m.live_revealed({ count: result.value.revealed }));
	},

	timer: async (event) => {
		const prepared = await prepare(event, 'timer');
		if ('failure' in prepared) return prepared.failure;
		const { workshop, api, data } = prepared;
		if (data.op === 'setLength') {
			const minutes = timerMinutesSchema.safeParse(data.minutes);
			if (!minutes.success) {
				const message = m.live_timer_minutes_invalid({ min: timerMinutes.min, max: timerMinutes.max });
				return fail(400, { live: formState({ message, errors: { minutes: message }, values: { minutes: data.minutes ?? '' } }) });
			}
			const result = await run(() => api.setTimerLength(workshop.id, minutes.data));
			if (!result.ok) return result.failure;
			return saved(m.live_timer_length_set({ minutes: minutes.data }));
		}
		const op = data.op;
		const ops = { start: api.startTimer, pause: api.pauseTimer, addMinute: api.addTimerMinute, reset: api.resetTimer };
		const result = await run(() => ops[op](workshop.id));
		if (!result.ok) return result.failure;
		const texts = {
			start: m.live_timer_started,
			pause: m.live_timer_paused,
			addMinute: m.live_timer_minute_added,
			reset: m.live_timer_reset_done
		};
		return saved(texts[op]());
	},

	/**
	 * A participant marks themselves done (or not) for the phase run they saw. Who comes from the session or guest
	 * cookie, never from the form; facilitators and observers do not count.
	 */
	done: async (event) => {
		const access = await resolveWorkshopAccess(event.params.id!, {
			user: event.locals.user,
			guestToken: event.cookies.get(guestCookieName(event.params.id!))
		});
		if (!access) error(403, m.board_forbidden());
		if (access.role !== 'participant' || !access.participantId) return fail(403, { done: { message: m.live_done_not_counted() } });
		const input = doneSchema.safeParse(Object.fromEntries(await event.request.formData()));
		if (!input.success) return fail(400, { done: { message: m.live_invalid_input() } });
		const api = await liveApi();
		if (!api) return fail(503, { done: { message: m.live_unavailable() } });
		try {
			const answer = await api.setDone(access.workshopId, access.participantId, input.data.run, input.data.done);
			return { done: { ...answer, message: undefined } };
		} catch (cause) {
			if (cause instanceof StalePhaseRunError) return fail(409, { done: { message: m.live_done_stale() } });
			if (cause instanceof NotCountedError) return fail(403, { done: { message: m.live_done_not_counted() } });
			return fail(409, { done: { message: m.live_action_failed() } });
		}
	},

	focus: async (event) => {
		const prepared = await prepare(event, 'focus');
		if ('failure' in prepared) return prepared.failure;
		const { workshop, api, data } = prepared;
		const result = await run(() => api.focusEveryone(workshop.id, { kind: data.kind, id: data.id }));
		if (!result.ok) return result.failure;
		return saved(m.live_focus_sent());
	},

	/**
	 * Suggested groups of the live board's loose notes, in one lane or in each (grouping.ts). Only the workshop's
	 * facilitators may ask: anyone else, a guest included, gets 403. Nothing is written: the facilitator's own client
	 * makes a group they accept, so their undo takes it back.
	 */
	suggestGroups: async (event) => {
		const user = event.locals.user;
		if (!user) error(403, m.error_forbidden());
		const frame = await getBoardFrame(event.params.id!);
		if (!frame) error(404, m.workshop_not_found());
		if (!await isFacilitator(frame.workshop.id, user.id)) error(403, m.error_forbidden());
		const input = suggestSchema.safeParse(Object.fromEntries(await event.request.formData()));
		if (!input.success) return fail(400, { suggestions: { message: m.live_invalid_input() } });
		const lane = input.data.lane;
		if (lane && !frame.perspectives.some((perspective) => perspective.id === lane)) {
			return fail(400, { suggestions: { message: m.grouping_unknown_lane() } });
		}
		const doc = await readBoardDoc(frame.workshop.id);
		try {
			return { suggestions: { lane, groups: suggestBoardGroups(doc, { lane: lane || undefined, laneOrder: frame.perspectives.map((perspective) => perspective.id) }) } };
		} finally {
			doc.destroy();
		}
	},

	vote: (event) => castVoteFromForm(event, 'dot'),
	rank: (event) => castVoteFromForm(event, 'ranking'),
	rate: (event) => castVoteFromForm(event, 'rating')
};
