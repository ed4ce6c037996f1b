import { describe, expect, it } from 'vitest';
import { rawAll } from '../../src/lib/server/db';
import {
	castDotVote,
	closeRound,
	listRounds,
	markChosen,
	myVotes,
	getRound,
	openRound,
	resultsVisible,
	revealRound,
	submitRanking,
	readRatingsForm,
	submitRating,
	submitRatings,
	tally,
	turnout,
	UnknownRoundError,
	voterIdFor,
	voteView,
	WrongMethodError
} from '../../src/lib/server/voting';
import { items, round, workshop } from '../helpers/voting';
import { voteRefusalMessage } from '../../src/lib/labels';

/** Every stored vote row of the round, to show that a refusal changed nothing. */
const storedVotes = (roundId: string) =>
	rawAll('SELECT voter_id, item_id, points, rank, impact, feasibility FROM votes WHERE round_id = ? ORDER BY voter_id, item_id', roundId);

describe('opening a round', () => {
	it('freezes the items in order with the defaults (budget 5, cap 3, changes allowed)', async () => {
		const opened = await round();
		expect(opened).toMatchObject({ method: 'dot', status: 'open', budget: 5, cap: 3, anonymous: false, resultsHidden: false, allowChanges: true });
		expect((await tally(opened.id)).items.map((item) => [item.itemId, item.text, item.score, item.rank])).toEqual([
			['note-0', 'Idea 0', 0, 1],
			['note-1', 'Idea 1', 0, 1],
			['note-2', 'Idea 2', 0, 1],
			['note-3', 'Idea 3', 0, 1]
		]);
	});

	it('refuses no items, duplicated items, a bad budget or a ranking larger than the items', async () => {
		const { workshopId, ownerId } = await workshop();
		await expect(openRound(workshopId, { method: 'dot', items: [] }, ownerId)).rejects.toThrow();
		await expect(openRound(workshopId, { method: 'dot', items: [...items(1), ...items(1)] }, ownerId)).rejects.toThrow();
		await expect(openRound(workshopId, { method: 'dot', items: items(2), budget: 0 }, ownerId)).rejects.toThrow();
		await expect(openRound(workshopId, { method: 'ranking', items: items(2), rankingSize: 3 }, ownerId)).rejects.toThrow();
		expect(await listRounds(workshopId)).toEqual([]);
	});

	it('lists the workshop rounds newest first with turnout; a reopened vote is a new round', async () => {
		const { workshopId, ownerId } = await workshop();
		const first = await openRound(workshopId, { method: 'dot', items: items(2) }, ownerId);
		await castDotVote(first.id, 'p1', 'note-0', 1);
		await closeRound(first.id);
		const second = await openRound(workshopId, { method: 'ranking', items: items(3) }, ownerId);
		expect(second.rankingSize).toBe(3);
		expect((await listRounds(workshopId)).map((listed) => [listed.id, listed.status, listed.turnout])).toEqual([
			[second.id, 'open', 0],
			[first.id, 'closed', 1]
		]);
	});
});

describe('dot voting', () => {
	it('adds and takes back points, and tells the points left', async () => {
		const opened = await round();
		expect(await castDotVote(opened.id, 'p1', 'note-0', 1)).toEqual({ ok: true, pointsLeft: 4, points: { 'note-0': 1 }, duplicate: false });
		expect(await castDotVote(opened.id, 'p1', 'note-0', 1)).toEqual({ ok: true, pointsLeft: 3, points: { 'note-0': 2 }, duplicate: false });
		expect(await castDotVote(opened.id, 'p1', 'note-0', -1)).toEqual({ ok: true, pointsLeft: 4, points: { 'note-0': 1 }, duplicate: false });
		expect(await myVotes((await getRound(opened.id))!, 'p1')).toMatchObject({ points: { 'note-0': 1 }, pointsLeft: 4 });
		expect(await castDotVote(opened.id, 'p1', 'note-0', -1)).toMatchObject({ ok: true, pointsLeft: 5 });
		expect(await storedVotes(opened.id)).toEqual([]);
		expect(await castDotVote(opened.id, 'p1', 'note-0', -1)).toEqual({ ok: false, reason: 'no_points' });
	});

	it('refuses going over the cap or the budget and changes nothing', async () => {
		const opened = await round({ budget: 5, cap: 3 });
		for (let i = 0; i < 3; i++) expect((await castDotVote(opened.id, 'p1', 'note-0', 1)).ok).toBe(true);
		const before = await storedVotes(opened.id);
		expect(await castDotVote(opened.id, 'p1', 'note-0', 1, 'req-cap')).toEqual({ ok: false, reason: 'cap' });
		expect(await storedVotes(opened.id)).toEqual(before);
		await castDotVote(opened.id, 'p1', 'note-1', 1);
		await castDotVote(opened.id, 'p1', 'note-1', 1);
		const full = await storedVotes(opened.id);
		expect(await castDotVote(opened.id, 'p1', 'note-2', 1)).toEqual({ ok: false, reason: 'budget' });
		expect(await storedVotes(opened.id)).toEqual(full);
		expect((await myVotes((await getRound(opened.id))!, 'p1')).pointsLeft).toBe(0);
		// The refused request id was not recorded: the same id is applied once there is room.
		await castDotVote(opened.id, 'p1', 'note-1', -1);
		expect(await castDotVote(opened.id, 'p1', 'note-2', 1, 'req-cap')).toMatchObject({ ok: true, duplicate: false });
		expect(voteRefusalMessage('cap', opened.cap)).toContain('3');
	});

	it('refuses items not in the round, and a closed round refuses everyone', async () => {
		const opened = await round();
		await castDotVote(opened.id, 'p1', 'note-0', 1);
		expect(await castDotVote(opened.id, 'p1', 'note-99', 1)).toEqual({ ok: false, reason: 'unknown_item' });
		expect(await closeRound(opened.id)).toBe(true);
		const before = await storedVotes(opened.id);
		expect(await castDotVote(opened.id, 'p1', 'note-1', 1)).toEqual({ ok: false, reason: 'closed' });
		expect(await castDotVote(opened.id, 'p1', 'note-0', -1)).toEqual({ ok: false, reason: 'closed' });
		expect(await castDotVote(opened.id, 'p2', 'note-1', 1)).toEqual({ ok: false, reason: 'closed' });
		expect(await storedVotes(opened.id)).toEqual(before);
		expect(await revealRound(opened.id)).toBe(true);
		expect(await castDotVote(opened.id, 'p2', 'note-1', 1)).toEqual({ ok: false, reason: 'closed' });
		expect(await closeRound(opened.id)).toBe(false);
	});

	it('without changes allowed, a point cannot be taken back', async () => {
		const opened = await round({ allowChanges: false });
		await castDotVote(opened.id, 'p1', 'note-0', 1);
		expect(await castDotVote(opened.id, 'p1', 'note-0', -1)).toEqual({ ok: false, reason: 'locked' });
		expect((await tally(opened.id)).items[0]).toMatchObject({ itemId: 'note-0', score: 1 });
	});

	it('counts a repeated request id once', async () => {
		const opened = await round();
		expect(await castDotVote(opened.id, 'p1', 'note-0', 1, 'abc')).toEqual({ ok: true, pointsLeft: 4, points: { 'note-0': 1 }, duplicate: false });
		expect(await castDotVote(opened.id, 'p1', 'note-0', 1, 'abc')).toEqual({ ok: true, pointsLeft: 4, points: { 'note-0': 1 }, duplicate: true });
		expect(await castDotVote(opened.id, 'p1', 'note-0', -1, 'abc')).toEqual({ ok: true, pointsLeft: 4, points: { 'note-0': 1 }, duplicate: true });
		// Request ids are per voter.
		expect(await castDotVote(opened.id, 'p2', 'note-0', 1, 'abc')).toMatchObject({ ok: true, duplicate: false });
		expect((await tally(opened.id)).items.find((item) => item.itemId === 'note-0')?.score).toBe(2);
	});

	it('throws for an unknown round or the wrong method', async () => {
		await expect(castDotVote('nope', 'p1', 'note-0', 1)).rejects.toThrow(UnknownRoundError);
		const ranking = await round({ method: 'ranking' });
		await expect(castDotVote(ranking.id, 'p1', 'note-0', 1)).rejects.toThrow(WrongMethodError);
	});

	it('votes cast all at once are written together and judged as if one by one, in the order sent', async () => {
		let seed = 7;
		const random = () => {
			seed = (seed * 1103515245 + 12345) % 2147483648;
			return seed / 2147483648;
		};
		// 40 voters on 4 items (budget 5, cap 3): a few taps each, some taken back, some sent twice, one unknown item.
		const casts = Array.from({ length: 400 }, (_, index) => {
			const voter = `p${Math.floor(random() * 40)}`;
			const item = index === 17 ? 'note-99' : `note-${Math.floor(random() * 4)}`;
			const delta = random() < 0.75 ? (1 as const) : (-1 as const);
			const request = random() < 0.1 ? `again-${voter}` : `r${index}`;
			return [voter, item, delta, request] as const;
		});
		const oneByOne = await round({ items: items(4), budget: 5, cap: 3 });
		const expected = [];
		for (const [voter, item, delta, request] of casts) expected.push(await castDotVote(oneByOne.id, voter, item, delta, request));
		const atOnce = await round({ items: items(4), budget: 5, cap: 3 });
		const answers = await Promise.all(casts.map(([voter, item, delta, request]) => castDotVote(atOnce.id, voter, item, delta, request)));

		expect(answers).toEqual(expected);
		// The same mix of answers a real room gives (so the comparison covers every rule).
		const reasons = new Set(expected.map((answer) => (answer.ok ? (answer.duplicate ? 'duplicate' : 'ok') : answer.reason)));
		expect([...reasons].sort()).toEqual(['budget', 'cap', 'duplicate', 'no_points', 'ok', 'unknown_item']);
		const rows = (id: string) => rawAll('SELECT voter_id, item_id, points FROM votes WHERE round_id = ? ORDER BY voter_id, item_id', id);
		expect(await rows(atOnce.id)).toEqual(await rows(oneByOne.id));
		expect((await tally(atOnce.id)).items).toEqual((await tally(oneByOne.id)).items);
	});

	it('300 simulated voters casting random votes: accepted = stored = tallied, nobody over budget or cap', async () => {
		let seed = 300;
		const random = () => {
			seed = (seed * 1103515245 + 12345) % 2147483648;
			return seed / 2147483648;
		};
		const opened = await round({ items: items(8), budget: 5, cap: 3 });
		const accepted = new Map<string, Map<string, number>>();
		let refusedBudget = 0;
		let refusedCap = 0;
		for (let voter = 0; voter < 300; voter++) {
			const voterId = `p${voter}`;
			const mine = new Map<string, number>();
			accepted.set(voterId, mine);
			const attempts = 1 + Math.floor(random() * 10);
			for (let attempt = 0; attempt < attempts; attempt++) {
				const itemId = `note-${Math.floor(random() * 8)}`;
				const delta = random() < 0.8 ? 1 : -1;
				const requestId = `r${voter}-${attempt}`;
				const result = await castDotVote(opened.id, voterId, itemId, delta, requestId);
				if (result.ok && random() < 0.1) expect(await castDotVote(opened.id, voterId, itemId, delta, requestId)).toMatchObject({ ok: true, duplicate: true });
				if (result.ok) mine.set(itemId, (mine.get(itemId) ?? 0) + delta);
				else if (result.reason === 'budget') refusedBudget++;
				else if (result.reason === 'cap') refusedCap++;
				else expect(result.reason).toBe('no_points');
			}
		}
		expect(refusedBudget).toBeGreaterThan(0);
		expect(refusedCap).toBeGreaterThan(0);

		const stored = (await storedVotes(opened.id)) as { voter_id: string; item_id: string; points: number }[];
		const acceptedRows = [...accepted]
			.flatMap(([voterId, mine]) => [...mine].filter(([, points]) => points > 0).map(([itemId, points]) => ({ voterId, itemId, points })))
			.sort((a, b) => a.voterId.localeCompare(b.voterId) || a.itemId.localeCompare(b.itemId));
		expect(stored.map((row) => ({ voterId: row.voter_id, itemId: row.item_id, points: row.points }))).toEqual(acceptedRows);

		const perVoter = new Map<string, number>();
		for (const row of stored) {
			expect(row.points).toBeGreaterThan(0);
			expect(row.points).toBeLessThanOrEqual(3);
			perVoter.set(row.voter_id, (perVoter.get(row.voter_id) ?? 0) + row.points);
		}
		for (const used of perVoter.values()) expect(used).toBeLessThanOrEqual(5);

		const result = await tally(opened.id);
		for (const item of result.items)
			expect(item.score).toBe(acceptedRows.filter((row) => row.itemId === item.itemId).reduce((sum, row) => sum + row.points, 0));
		expect(result.items.reduce((sum, item) => sum + item.score, 0)).toBe(acceptedRows.reduce((sum, row) => sum + row.points, 0));
		expect(result.turnout).toBe(perVoter.size);
		expect((await turnout(opened.id)).voters).toBe(perVoter.size);
	});
});

describe('ranking', () => {
	it('scores by Borda count over the top n and shows ties as ties', async () => {
		const opened = await round({ method: 'ranking', items: items(4), rankingSize: 2 });
		expect(await submitRanking(opened.id, 'p1', ['note-0', 'note-1'])).toEqual({ ok: true, duplicate: false });
		expect(await submitRanking(opened.id, 'p2', ['note-1', 'note-0'])).toEqual({ ok: true, duplicate: false });
		expect(await submitRanking(opened.id, 'p3', ['note-2'])).toEqual({ ok: true, duplicate: false });
		const result = await tally(opened.id);
		expect(result.items.map((item) => [item.itemId, item.score, item.rank])).toEqual([
			['note-0', 3, 1],
			['note-1', 3, 1],
			['note-2', 2, 3],
			['note-3', 0, 4]
		]);
		expect(result.turnout).toBe(3);
	});

	it('replaces a voter ranking, refuses invalid ones and changes nothing', async () => {
		const opened = await round({ method: 'ranking', items: items(4), rankingSize: 2 });
		await submitRanking(opened.id, 'p1', ['note-0', 'note-1']);
		await submitRanking(opened.id, 'p1', ['note-3', 'note-2']);
		const before = await storedVotes(opened.id);
		expect(before).toHaveLength(2);
		expect(await submitRanking(opened.id, 'p1', ['note-0', 'note-1', 'note-2'])).toEqual({ ok: false, reason: 'invalid' });
		expect(await submitRanking(opened.id, 'p1', ['note-0', 'note-0'])).toEqual({ ok: false, reason: 'invalid' });
		expect(await submitRanking(opened.id, 'p1', [])).toEqual({ ok: false, reason: 'invalid' });
		expect(await submitRanking(opened.id, 'p1', ['note-0', 'nope'])).toEqual({ ok: false, reason: 'unknown_item' });
		expect(await submitRanking(opened.id, 'p1', ['note-0'], 'once')).toEqual({ ok: true, duplicate: false });
		expect(await submitRanking(opened.id, 'p1', ['note-1'], 'once')).toEqual({ ok: true, duplicate: true });
		expect((await tally(opened.id)).items[0]).toMatchObject({ itemId: 'note-0', score: 2 });
		await closeRound(opened.id);
		expect(await submitRanking(opened.id, 'p2', ['note-1'])).toEqual({ ok: false, reason: 'closed' });
	});

	it('without changes allowed, a second ranking is locked', async () => {
		const opened = await round({ method: 'ranking', items: items(3), allowChanges: false });
		await submitRanking(opened.id, 'p1', ['note-0']);
		expect(await submitRanking(opened.id, 'p1', ['note-1'])).toEqual({ ok: false, reason: 'locked' });
	});
});

describe('rating', () => {
	it('averages impact and feasibility per item with counts', async () => {
		const opened = await round({ method: 'rating', items: items(3) });
		expect(await submitRating(opened.id, 'p1', 'note-0', 5, 2)).toEqual({ ok: true, duplicate: false });
		expect(await submitRating(opened.id, 'p2', 'note-0', 4, 3)).toEqual({ ok: true, duplicate: false });
		expect(await submitRating(opened.id, 'p1', 'note-1', 1, 1)).toEqual({ ok: true, duplicate: false });
		expect(await submitRating(opened.id, 'p1', 'note-1', 2, 2)).toEqual({ ok: true, duplicate: false }); // changed
		expect(await submitRating(opened.id, 'p1', 'note-2', 6, 1)).toEqual({ ok: false, reason: 'invalid' });
		expect(await submitRating(opened.id, 'p1', 'note-2', 0, 1)).toEqual({ ok: false, reason: 'invalid' });
		expect(await submitRating(opened.id, 'p1', 'note-2', 2.5, 1)).toEqual({ ok: false, reason: 'invalid' });
		expect(await submitRating(opened.id, 'p1', 'nope', 3, 3)).toEqual({ ok: false, reason: 'unknown_item' });
		const result = await tally(opened.id);
		expect(result.items.map((item) => [item.itemId, item.meanImpact, item.meanFeasibility, item.voters, item.rank])).toEqual([
			['note-0', 4.5, 2.5, 2, 1],
			['note-1', 2, 2, 1, 2],
			['note-2', null, null, 0, 3]
		]);
		expect(result.turnout).toBe(2);
	});

	it('without changes allowed, a rated item is locked; a closed round refuses', async () => {
		const opened = await round({ method: 'rating', items: items(2), allowChanges: false });
		await submitRating(opened.id, 'p1', 'note-0', 3, 3);
		expect(await submitRating(opened.id, 'p1', 'note-0', 4, 4)).toEqual({ ok: false, reason: 'locked' });
		expect((await submitRating(opened.id, 'p1', 'note-1', 4, 4)).ok).toBe(true);
		await closeRound(opened.id);
		expect(await submitRating(opened.id, 'p2', 'note-1', 4, 4)).toEqual({ ok: false, reason: 'closed' });
	});

	it('a whole ballot in one submit: all its items or nothing, once per request id', async () => {
		const opened = await round({ method: 'rating', items: items(3) });
		const ballot = [
			{ itemId: 'note-0', impact: 5, feasibility: 4 },
			{ itemId: 'note-2', impact: 2, feasibility: 3 }
		];
		expect(await submitRatings(opened.id, 'p1', ballot, 'b1')).toEqual({ ok: true, duplicate: false });
		expect(await submitRatings(opened.id, 'p1', ballot, 'b1')).toEqual({ ok: true, duplicate: true });
		expect((await myVotes(opened, 'p1')).ratings).toEqual({ 'note-0': { impact: 5, feasibility: 4 }, 'note-2': { impact: 2, feasibility: 3 } });
		const before = await storedVotes(opened.id);
		// One bad item refuses the whole ballot: the good item in it is not stored either.
		expect(await submitRatings(opened.id, 'p1', [{ itemId: 'note-1', impact: 3, feasibility: 3 }, { itemId: 'note-0', impact: 9, feasibility: 1 }])).toEqual({ ok: false, reason: 'invalid' });
		expect(await submitRatings(opened.id, 'p1', [{ itemId: 'note-1', impact: 3, feasibility: 3 }, { itemId: 'nope', impact: 3, feasibility: 1 }])).toEqual({ ok: false, reason: 'unknown_item' });
		expect(await submitRatings(opened.id, 'p1', [{ itemId: 'note-1', impact: 3, feasibility: 3 }, { itemId: 'note-1', impact: 2, feasibility: 2 }])).toEqual({ ok: false, reason: 'invalid' });
		expect(await submitRatings(opened.id, 'p1', [])).toEqual({ ok: false, reason: 'incomplete' });
		expect(await storedVotes(opened.id)).toEqual(before);
	});

	it('reads the ballot form: blank items are left out, an item with one score of two is incomplete', () => {
		const form = (entries: [string, string][]) => {
			const data = new FormData();
			for (const [key, value] of entries) data.append(key, value);
			return data;
		};
		expect(readRatingsForm(form([['roundId', 'r'], ['impact.a', '4'], ['feasibility.a', '2'], ['impact.b.c', '1'], ['feasibility.b.c', '5']]))).toEqual({
			ratings: [
				{ itemId: 'a', impact: '4', feasibility: '2' },
				{ itemId: 'b.c', impact: '1', feasibility: '5' }
			],
			incomplete: false
		});
		expect(readRatingsForm(form([['impact.a', '4'], ['feasibility.a', '2'], ['impact.b', '3']])).incomplete).toBe(true);
		expect(readRatingsForm(form([['roundId', 'r']])).incomplete).toBe(true);
		expect(voteRefusalMessage('incomplete')).toMatch(/vaikuttavuus/i);
	});
});

describe('closing, revealing and choosing', () => {
	it('reveals only after closing; hidden results become visible on reveal', async () => {
		const opened = await round({ resultsHidden: true });
		expect(resultsVisible(opened)).toBe(false);
		expect(await revealRound(opened.id)).toBe(false);
		expect(await closeRound(opened.id)).toBe(true);
		expect(await revealRound(opened.id)).toBe(true);
		expect(resultsVisible(await tally(opened.id))).toBe(true);
		const listed = (await listRounds(opened.workshopId))[0]!;
		expect(listed.status).toBe('revealed');
		expect(listed.revealedAt).toBeInstanceOf(Date);
		expect(resultsVisible(listed)).toBe(true);
		expect(resultsVisible({ resultsHidden: false, status: 'open' })).toBe(true);
	});

	it('marks chosen items, replacing the earlier choice, and refuses items not in the round', async () => {
		const opened = await round();
		expect(await markChosen(opened.id, ['note-1', 'note-2'])).toEqual({ ok: true });
		expect(await markChosen(opened.id, ['note-2', 'note-3'])).toEqual({ ok: true });
		expect(await markChosen(opened.id, ['note-9'])).toEqual({ ok: false, reason: 'unknown_item' });
		expect((await tally(opened.id)).items.filter((item) => item.chosen).map((item) => item.itemId).sort()).toEqual(['note-2', 'note-3']);
		await expect(markChosen('nope', [])).rejects.toThrow(UnknownRoundError);
	});
});

describe('anonymity', () => {
	it('tally and turnout expose no voter ids, for any method', async () => {
		for (const method of ['dot', 'ranking', 'rating'] as const) {
			const opened = await round({ method, anonymous: true, items: items(3) });
			const voters = ['participant-secret-a', 'user:secret-b'];
			for (const voterId of voters) {
				if (method === 'dot') await castDotVote(opened.id, voterId, 'note-0', 1);
				if (method === 'ranking') await submitRanking(opened.id, voterId, ['note-1']);
				if (method === 'rating') await submitRating(opened.id, voterId, 'note-2', 3, 4);
			}
			const exposed = JSON.stringify([await tally(opened.id), await turnout(opened.id), await listRounds(opened.workshopId)]);
			expect(await turnout(opened.id)).toEqual({ voters: 2 });
			for (const voterId of voters) expect(exposed).not.toContain(voterId);
			expect(exposed).not.toContain('secret');
		}
	});

	it('closing an anonymous round unlinks its votes from the voters in the database; results stay the same', async () => {
		const opened = await round({ method: 'ranking', anonymous: true, items: items(3) });
		await submitRanking(opened.id, 'participant-a', ['note-0', 'note-1'], 'req-a');
		await submitRanking(opened.id, 'participant-b', ['note-1', 'note-0'], 'req-b');
		await submitRanking(opened.id, 'participant-c', ['note-1'], 'req-c');
		const before = await tally(opened.id);
		expect(await closeRound(opened.id)).toBe(true);
		const stored = JSON.stringify([
			await rawAll('SELECT * FROM votes WHERE round_id = ?', opened.id),
			await rawAll('SELECT * FROM vote_requests WHERE round_id = ?', opened.id)
		]);
		expect(stored).not.toMatch(/participant-|req-/);
		expect((await tally(opened.id)).items).toEqual(before.items);
		expect((await tally(opened.id)).turnout).toBe(3);

		// A round that is not anonymous keeps its voters (they may be shown their own votes later).
		const named = await round({ method: 'dot', items: items(2) });
		await castDotVote(named.id, 'participant-d', 'note-0', 1);
		await closeRound(named.id);
		expect(JSON.stringify(await rawAll('SELECT voter_id FROM votes WHERE round_id = ?', named.id))).toContain('participant-d');
	});

	it('opening a new round closes the one still open (and unlinks it when anonymous)', async () => {
		const first = await round({ method: 'dot', anonymous: true, items: items(2) });
		await castDotVote(first.id, 'participant-e', 'note-0', 1);
		const second = await openRound(first.workshopId, { method: 'dot', items: [{ id: 'x', kind: 'idea', text: 'X' }] }, null);
		expect((await getRound(first.id))!.status).toBe('closed');
		expect((await getRound(second.id))!.status).toBe('open');
		expect(await castDotVote(first.id, 'participant-e', 'note-0', 1)).toEqual({ ok: false, reason: 'closed' });
		expect(JSON.stringify(await rawAll('SELECT voter_id FROM votes WHERE round_id = ?', first.id))).not.toContain('participant-e');
	});
});

describe('the round on the board', () => {
	it('is the workshop’s newest round, with its items, and whether this voter may vote', async () => {
		const first = await round({ method: 'dot', items: items(2) });
		expect((await voteView(first.workshopId, 'p1'))?.round).toMatchObject({ id: first.id, status: 'open' });
		const second = await openRound(first.workshopId, { method: 'dot', items: items(3) }, null);
		const view = await voteView(first.workshopId, 'p1');
		expect(view?.round).toMatchObject({ id: second.id, status: 'open' });
		expect(view?.round.items.map((item) => item.itemId)).toEqual(['note-0', 'note-1', 'note-2']);
		expect(view?.canVote).toBe(true);
		expect((await voteView(first.workshopId, null))?.canVote).toBe(false);
	});
});

describe('who votes', () => {
	it('participants as their participant id; facilitators (they run the round), observers and nobody cannot', () => {
		expect(voterIdFor({ role: 'participant', participantId: 'p1', userId: null })).toBe('p1');
		expect(voterIdFor({ role: 'participant', participantId: 'p2', userId: 'u2' })).toBe('p2');
		expect(voterIdFor({ role: 'facilitator', participantId: 'p3', userId: 'u3' })).toBeNull();
		expect(voterIdFor({ role: 'facilitator', participantId: null, userId: 'u4' })).toBeNull();
		expect(voterIdFor({ role: 'observer', participantId: 'p5', userId: null })).toBeNull();
		expect(voterIdFor(null)).toBeNull();
	});
});
