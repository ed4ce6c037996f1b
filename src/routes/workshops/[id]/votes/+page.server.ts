import { m } from '$lib/paraglide/messages.js';
import { formState, parseInput } from '$lib/server/forms';
import { requireFacilitator } from '$lib/server/workshop-access';
import {
	announceRound,
	chooseItems,
	closeRound,
	getRound,
	itemsForScope,
	listRoundItems,
	listRounds,
	openRound,
	resultsVisible,
	revealRound,
	roundSchema,
	tally,
	votableItems,
	type RoundScope
} from '$lib/server/voting';
import { listPerspectives } from '$lib/server/workshops';
import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';

// The facilitator's vote rounds: open one over board items, close, reveal, choose winners; the history.
export const load: PageServerLoad = async (event) => {
	event.depends('verstas:votes');
	const { workshop } = await requireFacilitator(event);
	const items = await votableItems(workshop.id);
	return {
		workshop: { id: workshop.id, title: workshop.title },
		lanes: (await listPerspectives(workshop.id)).map(({ id, title }) => ({ id, title })),
		items,
		rounds: await Promise.all((await listRounds(workshop.id)).map(async (round) => ({
			id: round.id,
			method: round.method,
			status: round.status,
			anonymous: round.anonymous,
			resultsHidden: round.resultsHidden,
			budget: round.budget,
			cap: round.cap,
			rankingSize: round.rankingSize,
			openedAt: round.openedAt,
			turnout: round.turnout,
			items: (await listRoundItems(round.id)).map(({ itemId, kind, text }) => ({ itemId, kind, text })),
			// Hidden results stay hidden from the facilitator too until revealed.
			results: resultsVisible(round) ? (await tally(round.id)).items : null
		})))
	};
};

const checkbox = z.literal('on').optional().transform((value) => value === 'on');
const number = (fallback: number) =>
	z
		.string()
		.optional()
		.transform((value) => (value === undefined || value.trim() === '' ? fallback : Number(value)));
const openSchema = z.object({
	method: z.enum(['dot', 'ranking', 'rating'], { error: () => m.error_choose_option() }),
	scope: z.enum(['ideas', 'lane', 'cluster', 'picked'], { error: () => m.error_choose_option() }),
	laneId: z.string().max(100).default(''),
	clusterId: z.string().max(100).default(''),
	itemIds: z.array(z.string().max(100)).max(500),
	budget: number(5),
	cap: number(3),
	rankingSize: number(3),
	anonymous: checkbox,
	resultsHidden: checkbox,
	allowChanges: checkbox
});

const roundIdSchema = z.object({ roundId: z.string().min(1).max(100), itemIds: z.array(z.string().max(100)).max(500) });

/** The round named in the form, if it is one of this workshop's. */
async function roundOf(event: Parameters<Actions[string]>[0]) {
	const { workshop } = await requireFacilitator(event);
	const formData = await event.request.formData();
	const input = roundIdSchema.safeParse({ ...Object.fromEntries(formData), itemIds: formData.getAll('itemIds') });
	const round = input.success ? await getRound(input.data.roundId) : undefined;
	if (!input.success || !round || round.workshopId !== workshop.id) return null;
	return { round, itemIds: input.data.itemIds };
}

const notFound = () => fail(404, { votes: formState({ message: m.vote_round_not_found() }) });

export const actions: Actions = {
	open: async (event) => {
		const { workshop, user } = await requireFacilitator(event);
		const formData = await event.request.formData();
		const values = Object.fromEntries([...formData].filter(([, value]) => typeof value === 'string')) as Record<string, string>;
		const parsed = parseInput(openSchema, { ...values, itemIds: formData.getAll('itemIds') }, values);
		if (!parsed.ok) return fail(400, { votes: formState({ errors: parsed.errors, values }) });
		const form = parsed.data;
		const scope: RoundScope =
			form.scope === 'lane'
				? { kind: 'lane', laneId: form.laneId }
				: form.scope === 'cluster'
					? { kind: 'cluster', clusterId: form.clusterId }
					: form.scope === 'picked'
						? { kind: 'picked', itemIds: form.itemIds }
						: { kind: 'ideas' };
		const round = parseInput(roundSchema, {
			method: form.method,
			items: itemsForScope(await votableItems(workshop.id), scope),
			anonymous: form.anonymous,
			resultsHidden: form.resultsHidden,
			allowChanges: form.allowChanges,
			budget: form.budget,
			cap: form.cap,
			rankingSize: form.method === 'ranking' ? form.rankingSize : null
		}, values);
		if (!round.ok) return fail(400, { votes: formState({ errors: round.errors, values }) });
		const opened = await openRound(workshop.id, round.data, user.id);
		await announceRound(opened.id);
		redirect(303, `/workshops/${workshop.id}/board`);
	},

	close: async (event) => {
		const found = await roundOf(event);
		if (!found) return notFound();
		if (!await closeRound(found.round.id)) return fail(409, { votes: formState({ message: m.vote_round_not_open() }) });
		await announceRound(found.round.id);
		return { votes: formState({ saved: m.vote_round_closed_done() }) };
	},

	reveal: async (event) => {
		const found = await roundOf(event);
		if (!found) return notFound();
		if (!await revealRound(found.round.id)) return fail(409, { votes: formState({ message: m.vote_round_close_first() }) });
		await announceRound(found.round.id);
		return { votes: formState({ saved: m.vote_round_revealed_done() }) };
	},

	choose: async (event) => {
		const found = await roundOf(event);
		if (!found) return notFound();
		if (found.round.status === 'open' || !resultsVisible(found.round))
			return fail(409, { votes: formState({ message: m.vote_choose_after_results() }) });
		const result = await chooseItems(found.round.id, found.itemIds);
		if (!result.ok) return fail(400, { votes: formState({ message: m.vote_refused_unknown_item() }) });
		return { votes: formState({ saved: m.vote_chosen_done({ count: found.itemIds.length, created: result.created }) }) };
	}
};
