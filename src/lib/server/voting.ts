// Voting rounds: server-authoritative. Every vote is written in one immediate transaction that enforces the
// round's rules (open, item in round, budget, cap, changes allowed), so a refused vote changes nothing, and a
// repeated client request id is applied once. Nothing about a vote comes from the Yjs document; the items' texts
// are frozen into the round when it opens. Tallies never contain voter ids (anonymous rounds stay anonymous).
import { recordAudit } from './audit';
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { m } from '../paraglide/messages.js';
import { cacheUntilWrite, db, eraseOldPageVersions, transactionWithin, type Executor, first, insertionOrder, isStorageUnavailable, one, preparedOnce, type Transaction, unchangedSinceLastWrite } from './db';
import {
	voteItemKinds,
	voteMethods,
	voteRequests,
	voteRoundChoices,
	voteRoundItems,
	voteRounds,
	votes,
	type VoteItemKind,
	type VoteMethod,
	type VoteRound
} from './db/schema';
import type { MyVotes, VoteCastAnswer, VoteLive, VoteRefusal, VoteResult } from '../live-protocol';
import { viewBoard, promoteToIdea } from '../board/model';
import { boardSink, broadcastVote, changeBoard, readBoardDoc } from './collab';
import { generateSecureRandomString } from './session';
import { resolveBoardAccess, type WorkshopAccess } from './workshops';

export const maxBudget = 50;
export const maxCap = 50;
export const maxRoundItems = 200;
export const defaultRankingSize = 3;

export class UnknownRoundError extends Error {}
export class WrongMethodError extends Error {}

// Validation -----------------------------------------------------------------------------------------

const flag = (fallback: boolean) => z.boolean().default(fallback);

export const roundSchema = z
	.object({
		method: z.enum(voteMethods),
		items: z
			.array(z.object({ id: z.string().min(1).max(100), kind: z.enum(voteItemKinds), text: z.string().max(5000) }))
			.min(1, { error: () => m.vote_error_no_items() })
			.max(maxRoundItems),
		anonymous: flag(false),
		resultsHidden: flag(false),
		allowChanges: flag(true),
		budget: z
			.number()
			.int({ error: () => m.vote_error_budget({ max: maxBudget }) })
			.min(1, { error: () => m.vote_error_budget({ max: maxBudget }) })
			.max(maxBudget, { error: () => m.vote_error_budget({ max: maxBudget }) })
			.default(5),
		cap: z
			.number()
			.int({ error: () => m.vote_error_cap({ max: maxCap }) })
			.min(1, { error: () => m.vote_error_cap({ max: maxCap }) })
			.max(maxCap, { error: () => m.vote_error_cap({ max: maxCap }) })
			.default(3),
		rankingSize: z.number({ error: () => m.vote_error_ranking_min() }).int({ error: () => m.vote_error_ranking_min() }).min(1, { error: () => m.vote_error_ranking_min() }).nullish()
	})
	.superRefine((input, ctx) => {
		if (new Set(input.items.map((item) => item.id)).size !== input.items.length)
			ctx.addIssue({ code: 'custom', path: ['items'], message: m.vote_error_duplicate_items() });
		if (input.method === 'ranking' && input.rankingSize != null && input.rankingSize > input.items.length)
			ctx.addIssue({ code: 'custom', path: ['rankingSize'], message: m.vote_error_ranking_size({ max: input.items.length }) });
	});

export type RoundInput = z.input<typeof roundSchema>;
export type RoundItemInput = RoundInput['items'][number];

// Pure tally rules -----------------------------------------------------------------------------------

export type Ranked = { itemId: string; score: number; rank: number };

/** Dot voting: the points per item. */
export function tallyDot(dotVotes: readonly { itemId: string; points: number }[]): Map<string, number> {
	const totals = new Map<string, number>();
	for (const vote of dotVotes) totals.set(vote.itemId, (totals.get(vote.itemId) ?? 0) + vote.points);
	return totals;
}

/** Borda count over each voter's top n (best first): the first gets n points, the n-th gets 1, the rest nothing. */
export function tallyBorda(rankings: readonly (readonly string[])[], n: number): Map<string, number> {
	const totals = new Map<string, number>();
	for (const ranking of rankings)
		ranking.slice(0, n).forEach((itemId, index) => totals.set(itemId, (totals.get(itemId) ?? 0) + n - index));
	return totals;
}

/** Highest score first, ties shown as ties by competition ranking (1, 1, 3); tied items keep their given order. */
export function rankWithTies(scores: Iterable<readonly [string, number]>): Ranked[] {
	const sorted = [...scores]
		.map(([itemId, score], order) => ({ itemId, score, order }))
		.sort((a, b) => b.score - a.score || a.order - b.order);
	let rank = 0;
	let previous: number | undefined;
	return sorted.map(({ itemId, score }, index) => {
		if (index === 0 || previous !== score) rank = index + 1;
		previous = score;
		return { itemId, score, rank };
	});
}

// Rounds ---------------------------------------------------------------------------------------------

/** Opens a new round over the given board items, their texts frozen now. Throws a ZodError on invalid input. */
export async function openRound(workshopId: string, input: RoundInput, openedBy: string | null): Promise<VoteRound> {
	const parsed = roundSchema.parse(input);
	const rankingSize =
		parsed.method === 'ranking' ? (parsed.rankingSize ?? Math.min(defaultRankingSize, parsed.items.length)) : null;
	let unlinked = false;
	const opened = await db.transaction(
		async (tx) => {
			// Only the newest round takes votes: one still open closes now (it stays in the history).
			const open = await tx
				.select({ id: voteRounds.id })
				.from(voteRounds)
				.where(and(eq(voteRounds.workshopId, workshopId), eq(voteRounds.status, 'open')));
			for (const { id } of open) if (await closeIn(tx, id) === 'unlinked') unlinked = true;
			const round = await one(tx
				.insert(voteRounds)
				.values({
					id: generateSecureRandomString(12),
					workshopId,
					method: parsed.method,
					status: 'open',
					anonymous: parsed.anonymous,
					resultsHidden: parsed.resultsHidden,
					allowChanges: parsed.allowChanges,
					budget: parsed.budget,
					cap: parsed.cap,
					rankingSize,
					openedBy,
					openedAt: new Date()
				})
				.returning());
			await tx.insert(voteRoundItems)
				.values(parsed.items.map((item, position) => ({ roundId: round.id, itemId: item.id, kind: item.kind, text: item.text, position })));
			await recordAudit(tx, {
				action: 'vote_round_opened',
				subject: { kind: 'vote_round', id: round.id },
				details: { workshopId, method: round.method, anonymous: round.anonymous, items: parsed.items.length }
			});
			return round;
		},
		{ behavior: 'immediate' }
	);
	if (unlinked) eraseOldPageVersions();
	return opened;
}

// Read on every vote: built and prepared once.
const roundById = preparedOnce((db) => db.select().from(voteRounds).where(eq(voteRounds.id, sql.placeholder('id'))).prepare());

/** The round; inside a transaction, read through it (`tx`). */
export async function getRound(roundId: string, tx?: Transaction) {
	if (tx) return first(tx.select().from(voteRounds).where(eq(voteRounds.id, roundId)));
	const [round] = await roundById().execute({ id: roundId });
	return round;
}

export function listRoundItems(roundId: string, tx: Executor = db) {
	return tx
		.select({ itemId: voteRoundItems.itemId, kind: voteRoundItems.kind, text: voteRoundItems.text, position: voteRoundItems.position })
		.from(voteRoundItems)
		.where(eq(voteRoundItems.roundId, roundId))
		.orderBy(asc(voteRoundItems.position));
}

/** The workshop's rounds, newest first, each with its turnout. */
export async function listRounds(workshopId: string) {
	const rounds = await db.select().from(voteRounds).where(eq(voteRounds.workshopId, workshopId)).orderBy(desc(voteRounds.openedAt), desc(insertionOrder(voteRounds)));
	const listed = [];
	for (const round of rounds) listed.push({ ...round, turnout: (await turnout(round.id)).voters });
	return listed;
}

/**
 * Open → closed, in one transaction. An anonymous round's votes are unlinked from their voters as it closes:
 * each voter id is replaced by a random one (their votes stay grouped, for Borda) and the request log goes, so
 * from then on nobody, not even someone reading the database, can tell who voted for what. The caller then erases
 * the linked versions from the files too (eraseOldPageVersions: secure_delete zeroes the old cells, the WAL is
 * checkpointed and truncated), once the transaction has committed.
 */
async function closeIn(tx: Executor, roundId: string): Promise<'closed' | 'unlinked' | false> {
	const closed = await first(tx
		.update(voteRounds)
		.set({ status: 'closed', closedAt: new Date() })
		.where(and(eq(voteRounds.id, roundId), eq(voteRounds.status, 'open')))
		.returning({ anonymous: voteRounds.anonymous, workshopId: voteRounds.workshopId }));
	if (!closed) return false;
	await recordAudit(tx, { action: 'vote_round_closed', subject: { kind: 'vote_round', id: roundId }, details: { workshopId: closed.workshopId } });
	if (closed.anonymous) {
		const voters = await tx.selectDistinct({ voterId: votes.voterId }).from(votes).where(eq(votes.roundId, roundId));
		for (const { voterId } of voters)
			await tx.update(votes)
				.set({ voterId: `anonymous:${generateSecureRandomString(12)}` })
				.where(and(eq(votes.roundId, roundId), eq(votes.voterId, voterId)));
		await tx.delete(voteRequests).where(eq(voteRequests.roundId, roundId));
		return 'unlinked';
	}
	return 'closed';
}

/** Open → closed. Returns false when the round was not open. */
export async function closeRound(roundId: string) {
	const closed = await db.transaction((tx) => closeIn(tx, roundId), { behavior: 'immediate' });
	if (closed === 'unlinked') eraseOldPageVersions();
	return closed !== false;
}

/** Closed → revealed. Returns false when the round was not closed (close first). */
export function revealRound(roundId: string) {
	return db.transaction(async (tx) => {
		const revealed = await first(tx
			.update(voteRounds)
			.set({ status: 'revealed', revealedAt: new Date() })
			.where(and(eq(voteRounds.id, roundId), eq(voteRounds.status, 'closed')))
			.returning({ workshopId: voteRounds.workshopId }));
		if (revealed) await recordAudit(tx, { action: 'vote_round_revealed', subject: { kind: 'vote_round', id: roundId }, details: { workshopId: revealed.workshopId } });
		return revealed !== undefined;
	});
}

/** How many people have voted: a count only, never who. */
export async function turnout(roundId: string, tx: Executor = db) {
	const row = await first(tx
		.select({ voters: sql<number>`count(distinct ${votes.voterId})` })
		.from(votes)
		.where(eq(votes.roundId, roundId)));
	return { voters: row?.voters ?? 0 };
}

/** Marks exactly these items of the round as chosen (replacing the earlier choice). Unknown items are refused. */
export function markChosen(roundId: string, itemIds: string[]) {
	return db.transaction(
		async (tx) => {
			if (!await getRound(roundId, tx)) throw new UnknownRoundError(roundId);
			const unique = [...new Set(itemIds)];
			const known = new Set((await listRoundItems(roundId, tx)).map((item) => item.itemId));
			if (unique.some((id) => !known.has(id))) return { ok: false as const, reason: 'unknown_item' as const };
			await tx.delete(voteRoundChoices).where(eq(voteRoundChoices.roundId, roundId));
			if (unique.length) await tx.insert(voteRoundChoices).values(unique.map((itemId) => ({ roundId, itemId })));
			return { ok: true as const };
		},
		{ behavior: 'immediate' }
	);
}

export async function listChosen(roundId: string) {
	return (await db.select({ itemId: voteRoundChoices.itemId }).from(voteRoundChoices).where(eq(voteRoundChoices.roundId, roundId))).map((row) => row.itemId);
}

// Voting ---------------------------------------------------------------------------------------------

export type RefusalReason = Exclude<VoteRefusal, 'not_voter' | 'unavailable'>;
export type Refusal = { ok: false; reason: RefusalReason };
export type DotResult = { ok: true; pointsLeft: number; points: Record<string, number>; duplicate: boolean } | Refusal;
export type SubmitResult = { ok: true; duplicate: boolean } | Refusal;

/**
 * Who votes, from the requester's workshop access: a participant, as their participant id. Facilitators run the
 * round and observers watch it: neither votes (null), and neither is counted in the turnout's "present".
 */
export function voterIdFor(access: Pick<WorkshopAccess, 'role' | 'participantId' | 'userId'> | null): string | null {
	return access?.role === 'participant' && access.participantId ? access.participantId : null;
}

async function requireRound(tx: Transaction, roundId: string, method: VoteMethod) {
	const round = await getRound(roundId, tx);
	if (!round) throw new UnknownRoundError(roundId);
	if (round.method !== method) throw new WrongMethodError(`${roundId} is a ${round.method} round`);
	return round;
}

async function alreadyApplied(tx: Transaction, roundId: string, voterId: string, requestId: string | undefined) {
	if (!requestId) return false;
	return !!(await first(
		tx
			.select({ id: voteRequests.requestId })
			.from(voteRequests)
			.where(and(eq(voteRequests.roundId, roundId), eq(voteRequests.voterId, voterId), eq(voteRequests.requestId, requestId)))
	));
}

async function recordRequest(tx: Transaction, roundId: string, voterId: string, requestId: string | undefined) {
	if (requestId) await tx.insert(voteRequests).values({ roundId, voterId, requestId });
}

/** Which of these items are in the round. */
async function itemsInRound(tx: Transaction, roundId: string, itemIds: string[]) {
	if (itemIds.length === 0) return new Set<string>();
	const found = await tx
		.select({ itemId: voteRoundItems.itemId })
		.from(voteRoundItems)
		.where(and(eq(voteRoundItems.roundId, roundId), inArray(voteRoundItems.itemId, itemIds)));
	return new Set(found.map((row) => row.itemId));
}

async function inRound(tx: Transaction, roundId: string, itemIds: string[]) {
	return (await itemsInRound(tx, roundId, itemIds)).size === new Set(itemIds).size;
}

async function hasVoted(tx: Transaction, roundId: string, voterId: string) {
	return !!(await first(
		tx
			.select({ itemId: votes.itemId })
			.from(votes)
			.where(and(eq(votes.roundId, roundId), eq(votes.voterId, voterId)))
	));
}

/** A voter's ballot in a round: what their vote's transaction reads and writes, and nothing else of anyone's. */
const ballotScope = (roundId: string, voterId: string) => `ballot:${roundId}:${voterId}`;

/**
 * Adds (+1) or takes back (−1) one dot-vote point. A refusal changes nothing. A repeated `requestId` from the same
 * voter is not applied again (the answer says `duplicate`). Without changes allowed, points cannot be taken back.
 * The answer carries the voter's points after it, for their screen.
 *
 * A whole room taps at once: the votes for a round that arrive in the same turn of the event loop, or while its
 * previous ones are being written, are written together (`castDotVotes`), in arrival order, with the same answers
 * as one by one. A vote in a quiet room is written at the end of its turn.
 */
export function castDotVote(roundId: string, voterId: string, itemId: string, delta: 1 | -1, requestId?: string): Promise<DotResult> {
	if (delta !== 1 && delta !== -1) return Promise.resolve({ ok: false, reason: 'invalid' });
	return new Promise((resolve, reject) => {
		let queue = dotQueues.get(roundId);
		if (!queue) dotQueues.set(roundId, (queue = []));
		queue.push({ ballot: { voterId, itemId, delta, requestId }, resolve, reject });
		// Started after the votes read from the network in the same turn of the event loop have joined it: on
		// SQLite a vote reaches this point within the turn its message arrived in.
		if (queue.length === 1) setImmediate(() => void writeDotQueue(roundId, queue));
	});
}

type DotBallot = { voterId: string; itemId: string; delta: 1 | -1; requestId: string | undefined };
type QueuedDot = { ballot: DotBallot; resolve: (result: DotResult) => void; reject: (error: unknown) => void };

/** Per round, the dot votes waiting to be written; the first in the queue is being written. */
const dotQueues = new Map<string, QueuedDot[]>();
/** Bounds one write's statements (parameters per statement). */
const maxDotBatch = 500;

async function writeDotQueue(roundId: string, queue: QueuedDot[]) {
	while (queue.length) {
		const batch = queue.slice(0, maxDotBatch);
		try {
			const results = await castDotVotes(roundId, batch.map((queued) => queued.ballot));
			batch.forEach((queued, index) => queued.resolve(results[index]!));
		} catch (error) {
			for (const queued of batch) queued.reject(error);
		}
		queue.splice(0, batch.length);
	}
	dotQueues.delete(roundId);
}

/**
 * Several dot votes of one round in one transaction, each judged as if cast alone, in order: the voters' points,
 * request ids and the items are read once, the changes written in a few statements.
 */
async function castDotVotes(roundId: string, ballots: readonly DotBallot[]): Promise<DotResult[]> {
	const voterIds = [...new Set(ballots.map((ballot) => ballot.voterId))];
	return transactionWithin(
		voterIds.map((voterId) => ballotScope(roundId, voterId)),
		async (tx) => {
			const round = await requireRound(tx, roundId, 'dot');
			const stored = await tx
				.select({ voterId: votes.voterId, itemId: votes.itemId, points: votes.points })
				.from(votes)
				.where(and(eq(votes.roundId, roundId), inArray(votes.voterId, voterIds)));
			const pointsOf = new Map(voterIds.map((voterId) => [voterId, {} as Record<string, number>]));
			for (const row of stored) pointsOf.get(row.voterId)![row.itemId] = row.points ?? 0;
			const requestIds = [...new Set(ballots.flatMap((ballot) => (ballot.requestId ? [ballot.requestId] : [])))];
			const request = (voterId: string, requestId: string) => JSON.stringify([voterId, requestId]);
			const applied = new Set(
				requestIds.length
					? (await tx
							.select({ voterId: voteRequests.voterId, requestId: voteRequests.requestId })
							.from(voteRequests)
							.where(and(eq(voteRequests.roundId, roundId), inArray(voteRequests.voterId, voterIds), inArray(voteRequests.requestId, requestIds)))
						).map((row) => request(row.voterId, row.requestId))
					: []
			);
			const known = await itemsInRound(tx, roundId, [...new Set(ballots.map((ballot) => ballot.itemId))]);

			const touched = new Map<string, { voterId: string; itemId: string }>();
			const newRequests: { roundId: string; voterId: string; requestId: string }[] = [];
			const results = ballots.map(({ voterId, itemId, delta, requestId }): DotResult => {
				const points = pointsOf.get(voterId)!;
				const used = Object.values(points).reduce((sum, value) => sum + value, 0);
				if (requestId && applied.has(request(voterId, requestId))) return { ok: true, pointsLeft: round.budget - used, points: { ...points }, duplicate: true };
				if (round.status !== 'open') return { ok: false, reason: 'closed' };
				if (!known.has(itemId)) return { ok: false, reason: 'unknown_item' };
				const current = points[itemId] ?? 0;
				if (delta === -1) {
					if (!round.allowChanges) return { ok: false, reason: 'locked' };
					if (current <= 0) return { ok: false, reason: 'no_points' };
				} else {
					if (used >= round.budget) return { ok: false, reason: 'budget' };
					if (current >= round.cap) return { ok: false, reason: 'cap' };
				}
				if (current + delta === 0) delete points[itemId];
				else points[itemId] = current + delta;
				touched.set(JSON.stringify([voterId, itemId]), { voterId, itemId });
				if (requestId) {
					applied.add(request(voterId, requestId));
					newRequests.push({ roundId, voterId, requestId });
				}
				return { ok: true, pointsLeft: round.budget - (used + delta), points: { ...points }, duplicate: false };
			});

			const updatedAt = new Date();
			const kept = [...touched.values()].filter(({ voterId, itemId }) => pointsOf.get(voterId)![itemId] !== undefined);
			for (const { voterId, itemId } of touched.values())
				if (pointsOf.get(voterId)![itemId] === undefined)
					await tx.delete(votes).where(and(eq(votes.roundId, roundId), eq(votes.voterId, voterId), eq(votes.itemId, itemId)));
			if (kept.length)
				await tx
					.insert(votes)
					.values(kept.map(({ voterId, itemId }) => ({ roundId, voterId, itemId, points: pointsOf.get(voterId)![itemId]!, updatedAt })))
					.onConflictDoUpdate({ target: [votes.roundId, votes.voterId, votes.itemId], set: { points: sql.raw('excluded.points'), updatedAt } });
			if (newRequests.length) await tx.insert(voteRequests).values(newRequests);
			return results;
		}
	);
}

/** Replaces the voter's ranking (best first, distinct items of the round, 1 to rankingSize of them). */
export async function submitRanking(roundId: string, voterId: string, itemIds: string[], requestId?: string): Promise<SubmitResult> {
	return transactionWithin(
		ballotScope(roundId, voterId),
		async (tx): Promise<SubmitResult> => {
			const round = await requireRound(tx, roundId, 'ranking');
			if (await alreadyApplied(tx, roundId, voterId, requestId)) return { ok: true, duplicate: true };
			if (round.status !== 'open') return { ok: false, reason: 'closed' };
			const size = round.rankingSize ?? defaultRankingSize;
			if (itemIds.length === 0 || itemIds.length > size || new Set(itemIds).size !== itemIds.length) return { ok: false, reason: 'invalid' };
			if (!(await inRound(tx, roundId, itemIds))) return { ok: false, reason: 'unknown_item' };
			if (!round.allowChanges && (await hasVoted(tx, roundId, voterId))) return { ok: false, reason: 'locked' };
			await tx.delete(votes).where(and(eq(votes.roundId, roundId), eq(votes.voterId, voterId)));
			const now = new Date();
			await tx.insert(votes).values(itemIds.map((itemId, index) => ({ roundId, voterId, itemId, rank: index + 1, updatedAt: now })));
			await recordRequest(tx, roundId, voterId, requestId);
			return { ok: true, duplicate: false };
		}
	);
}

const isScore = (value: number) => Number.isInteger(value) && value >= 1 && value <= 5;

/** Sets the voter's impact and feasibility (1–5 each) for one item. */
export async function submitRating(
	roundId: string,
	voterId: string,
	itemId: string,
	impact: number,
	feasibility: number,
	requestId?: string
) {
	return submitRatings(roundId, voterId, [{ itemId, impact, feasibility }], requestId);
}

export type Rating = { itemId: string; impact: number; feasibility: number };

/**
 * The voter's whole rating ballot at once: impact and feasibility (1–5 each) for one or more items of the round.
 * All or nothing: one invalid, unknown or locked item refuses the ballot and nothing is stored. Items the voter
 * leaves out keep what they had.
 */
export async function submitRatings(roundId: string, voterId: string, ratings: readonly Rating[], requestId?: string): Promise<SubmitResult> {
	return transactionWithin(
		ballotScope(roundId, voterId),
		async (tx): Promise<SubmitResult> => {
			const round = await requireRound(tx, roundId, 'rating');
			if (await alreadyApplied(tx, roundId, voterId, requestId)) return { ok: true, duplicate: true };
			if (round.status !== 'open') return { ok: false, reason: 'closed' };
			const itemIds = ratings.map((rating) => rating.itemId);
			if (ratings.length === 0) return { ok: false, reason: 'incomplete' };
			if (new Set(itemIds).size !== itemIds.length || ratings.some((r) => !isScore(r.impact) || !isScore(r.feasibility)))
				return { ok: false, reason: 'invalid' };
			if (!(await inRound(tx, roundId, itemIds))) return { ok: false, reason: 'unknown_item' };
			if (
				!round.allowChanges &&
				(await first(
					tx
						.select({ itemId: votes.itemId })
						.from(votes)
						.where(and(eq(votes.roundId, roundId), eq(votes.voterId, voterId), inArray(votes.itemId, itemIds)))
				))
			)
				return { ok: false, reason: 'locked' };
			const now = new Date();
			for (const { itemId, impact, feasibility } of ratings)
				await tx
					.insert(votes)
					.values({ roundId, voterId, itemId, impact, feasibility, updatedAt: now })
					.onConflictDoUpdate({ target: [votes.roundId, votes.voterId, votes.itemId], set: { impact, feasibility, updatedAt: now } });
			await recordRequest(tx, roundId, voterId, requestId);
			return { ok: true, duplicate: false };
		}
	);
}

// Results --------------------------------------------------------------------------------------------

export type TallyItem = VoteResult & { kind: VoteItemKind; text: string; position: number };

export type Tally = Pick<VoteRound, 'method' | 'status' | 'anonymous' | 'resultsHidden'> & { roundId: string; turnout: number; items: TallyItem[] };

const mean = (values: number[]) => (values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : null);

/**
 * The round's results per item, best first. Only counts and scores: never who voted for what. Whether the caller
 * may see them (results hidden until revealed) is the caller's decision: see `resultsVisible`.
 */
export async function tally(roundId: string): Promise<Tally> {
	const round = await getRound(roundId);
	if (!round) throw new UnknownRoundError(roundId);
	const items = await listRoundItems(roundId);
	const rows = await db
		.select({ voterId: votes.voterId, itemId: votes.itemId, points: votes.points, rank: votes.rank, impact: votes.impact, feasibility: votes.feasibility })
		.from(votes)
		.where(eq(votes.roundId, roundId));
	const chosen = new Set(await listChosen(roundId));

	let scores: Map<string, number>;
	const ratings = new Map<string, { impact: number[]; feasibility: number[] }>();
	if (round.method === 'dot') {
		scores = tallyDot(rows.map((row) => ({ itemId: row.itemId, points: row.points ?? 0 })));
	} else if (round.method === 'ranking') {
		const byVoter = new Map<string, { itemId: string; rank: number }[]>();
		for (const row of rows) byVoter.set(row.voterId, [...(byVoter.get(row.voterId) ?? []), { itemId: row.itemId, rank: row.rank ?? 0 }]);
		const rankings = [...byVoter.values()].map((list) => list.sort((a, b) => a.rank - b.rank).map((entry) => entry.itemId));
		scores = tallyBorda(rankings, round.rankingSize ?? defaultRankingSize);
	} else {
		for (const row of rows) {
			const entry = ratings.get(row.itemId) ?? { impact: [], feasibility: [] };
			if (row.impact != null) entry.impact.push(row.impact);
			if (row.feasibility != null) entry.feasibility.push(row.feasibility);
			ratings.set(row.itemId, entry);
		}
		scores = new Map([...ratings].map(([itemId, entry]) => [itemId, (mean(entry.impact) ?? 0) + (mean(entry.feasibility) ?? 0)]));
	}

	const votersPerItem = new Map<string, number>();
	for (const row of rows) votersPerItem.set(row.itemId, (votersPerItem.get(row.itemId) ?? 0) + 1);
	const byId = new Map(items.map((item) => [item.itemId, item]));
	const ranked = rankWithTies(items.map((item) => [item.itemId, scores.get(item.itemId) ?? 0] as const));
	return {
		roundId,
		method: round.method,
		status: round.status,
		anonymous: round.anonymous,
		resultsHidden: round.resultsHidden,
		turnout: new Set(rows.map((row) => row.voterId)).size,
		items: ranked.map(({ itemId, score, rank }) => {
			const item = byId.get(itemId)!;
			const rating = ratings.get(itemId);
			return {
				itemId,
				kind: item.kind,
				text: item.text,
				position: item.position,
				score,
				rank,
				voters: votersPerItem.get(itemId) ?? 0,
				meanImpact: rating ? mean(rating.impact) : null,
				meanFeasibility: rating ? mean(rating.feasibility) : null,
				chosen: chosen.has(itemId)
			};
		})
	};
}

/** Hidden results are shown to nobody, the facilitator included, until the round is revealed. */
export function resultsVisible(round: Pick<VoteRound, 'resultsHidden' | 'status'>) {
	return !round.resultsHidden || round.status === 'revealed';
}

// The current round on every screen ------------------------------------------------------------------

const latestRoundOf = preparedOnce((db) =>
	db
		.select()
		.from(voteRounds)
		.where(eq(voteRounds.workshopId, sql.placeholder('workshopId')))
		.orderBy(desc(voteRounds.openedAt), desc(insertionOrder(voteRounds)))
		.limit(1)
		.prepare()
);

/** The workshop's newest round: the one the board shows (earlier rounds stay in the history). */
export async function currentRound(workshopId: string) {
	// execute(), not get(): PostgreSQL's prepared queries have no get().
	const [round] = await latestRoundOf().execute({ workshopId });
	return round;
}

/** The round's turnout, and its results when they are visible: what every screen sees that is kept in the database. */
async function countRound(round: VoteRound) {
	const counted = resultsVisible(round) ? await tally(round.id) : null;
	return {
		turnout: counted ? counted.turnout : (await turnout(round.id)).voters,
		results: counted
			? counted.items.map(({ itemId, score, rank, voters, meanImpact, meanFeasibility, chosen }) => ({
					itemId,
					score,
					rank,
					voters,
					meanImpact,
					meanFeasibility,
					chosen
				}))
			: null
	};
}

/** The round as every screen sees it: turnout always, results only when visible. */
export async function voteLiveState(round: VoteRound, counted?: Awaited<ReturnType<typeof countRound>>): Promise<VoteLive> {
	counted ??= await countRound(round);
	return {
		roundId: round.id,
		status: round.status,
		turnout: counted.turnout,
		present: boardSink(round.workshopId).presentVoters(round.workshopId),
		results: counted.results
	};
}

// Votes arrive in bursts (a whole room voting at once): their announcements are coalesced, at most one per
// round every `announceDelayMs`, so 300 votes cost a handful of tallies and broadcasts, not 300. A vote after a
// quiet moment is announced at once; in a burst, the last one waits at most the rest of the window.
const announceDelayMs = 150;
const pendingAnnouncements = new Map<string, ReturnType<typeof setTimeout>>();
/** When each round was last announced, for rounds announced within the last window. */
const lastAnnounced = new Map<string, number>();

/** Sends the round's state to every screen on the board: now (status changes) or soon (votes). */
export async function announceRound(roundId: string, when: 'now' | 'soon' = 'now') {
	if (when === 'soon' && pendingAnnouncements.has(roundId)) return;
	clearTimeout(pendingAnnouncements.get(roundId));
	pendingAnnouncements.delete(roundId);
	const send = async () => {
		pendingAnnouncements.delete(roundId);
		const now = Date.now();
		for (const [id, at] of lastAnnounced) if (now - at >= announceDelayMs) lastAnnounced.delete(id);
		lastAnnounced.set(roundId, now);
		const round = await getRound(roundId);
		if (round) broadcastVote(round.workshopId, await voteLiveState(round));
	};
	if (when === 'now') await send();
	else {
		const wait = Math.max(0, (lastAnnounced.get(roundId) ?? 0) + announceDelayMs - Date.now());
		pendingAnnouncements.set(
			roundId,
			setTimeout(() => send().catch((error: unknown) => console.error('Could not announce the vote round', roundId, error)), wait)
		);
	}
}

// Items from the board ---------------------------------------------------------------------------------

export const roundScopes = ['ideas', 'lane', 'cluster', 'picked'] as const;
export type RoundScope = { kind: 'ideas' } | { kind: 'lane'; laneId: string } | { kind: 'cluster'; clusterId: string } | { kind: 'picked'; itemIds: string[] };

/** Everything on the board that can be voted on, with the text frozen into a round. */
export async function votableItems(workshopId: string) {
	const board = viewBoard(await readBoardDoc(workshopId));
	return {
		notes: board.notes.map((note) => ({ id: note.id, kind: 'note' as const, text: note.text, lane: note.lane, clusterId: note.clusterId })),
		clusters: board.clusters.map((cluster) => ({ id: cluster.id, kind: 'cluster' as const, text: cluster.name, lane: cluster.lane })),
		ideas: board.ideas.map((idea) => ({ id: idea.id, kind: 'idea' as const, text: idea.title, lane: idea.lane }))
	};
}

/** The board items a scope selects, as round items (empty when it selects nothing). */
export function itemsForScope(items: Awaited<ReturnType<typeof votableItems>>, scope: RoundScope): RoundItemInput[] {
	const strip = ({ id, kind, text }: { id: string; kind: VoteItemKind; text: string }) => ({ id, kind, text });
	switch (scope.kind) {
		case 'ideas':
			return items.ideas.map(strip);
		case 'lane':
			return items.notes.filter((note) => note.lane === scope.laneId).map(strip);
		case 'cluster':
			return items.notes.filter((note) => note.clusterId === scope.clusterId).map(strip);
		case 'picked': {
			const all = new Map([...items.ideas, ...items.clusters, ...items.notes].map((item) => [item.id, item]));
			return [...new Set(scope.itemIds)].flatMap((id) => (all.has(id) ? [strip(all.get(id)!)] : []));
		}
	}
}

/**
 * Marks the chosen items and gives each chosen note or cluster an idea card with the experiment canvas (unless
 * it has one), saved to the board before anyone receives it. Items no longer on the board get no card.
 */
export async function chooseItems(roundId: string, itemIds: string[]) {
	const round = await getRound(roundId);
	if (!round) throw new UnknownRoundError(roundId);
	const marked = await markChosen(roundId, itemIds);
	if (!marked.ok) return marked;
	const chosen = new Set(itemIds);
	const items = (await listRoundItems(roundId)).filter((item) => chosen.has(item.itemId) && item.kind !== 'idea');
	let created = 0;
	if (items.length)
		await changeBoard(round.workshopId, (doc) => {
			const board = viewBoard(doc);
			const hasIdea = new Set(board.ideas.flatMap((idea) => (idea.source ? [`${idea.source.kind}:${idea.source.id}`] : [])));
			const lanes = new Map([...board.notes, ...board.clusters].map((entry) => [entry.id, entry.lane]));
			for (const item of items) {
				const source = { kind: item.kind as 'note' | 'cluster', id: item.itemId };
				const lane = lanes.get(item.itemId);
				if (lane === undefined || hasIdea.has(`${source.kind}:${source.id}`)) continue;
				promoteToIdea(doc, source, item.text, lane);
				created += 1;
			}
		});
	await announceRound(roundId);
	return { ok: true as const, created };
}

/** What one person's screen shows of the current round: the round, their own votes, and what all may see. */
export async function voteView(workshopId: string, voterId: string | null) {
	// The round, its items and its count are the same for every screen until the next vote: every participant's
	// board page reads them, so they are counted once per change, not once per page.
	const shared = await unchangedSinceLastWrite(`vote-view:${workshopId}`, async () => {
		const round = await currentRound(workshopId);
		if (!round) return null;
		const items = (await listRoundItems(round.id)).map(({ itemId, kind, text }) => ({ itemId, kind, text }));
		return { round, items, counted: await countRound(round) };
	});
	if (!shared) return null;
	const { round, items, counted } = shared;
	return {
		round: {
			id: round.id,
			method: round.method,
			status: round.status,
			anonymous: round.anonymous,
			resultsHidden: round.resultsHidden,
			allowChanges: round.allowChanges,
			budget: round.budget,
			cap: round.cap,
			rankingSize: round.rankingSize ?? defaultRankingSize,
			items
		},
		live: await voteLiveState(round, counted),
		canVote: !!voterId && round.status === 'open',
		mine: voterId ? await ballots(`${round.id}|${voterId}`, () => myVotes(round, voterId)) : null
	};
}

// Each screen's own ballot, read once until the next write (every vote is one): a room's page loads, 500 voters.
const ballots = cacheUntilWrite(1000);

const votesOfVoter = preparedOnce((db) =>
	db
		.select({ itemId: votes.itemId, points: votes.points, rank: votes.rank, impact: votes.impact, feasibility: votes.feasibility })
		.from(votes)
		.where(and(eq(votes.roundId, sql.placeholder('roundId')), eq(votes.voterId, sql.placeholder('voterId'))))
		.prepare()
);

/** The voter's own votes in the round, whatever its method. */
export async function myVotes(round: Pick<VoteRound, 'id' | 'budget'>, voterId: string): Promise<MyVotes> {
	const rows = await votesOfVoter().execute({ roundId: round.id, voterId });
	const points = Object.fromEntries(rows.filter((row) => row.points).map((row) => [row.itemId, row.points!]));
	return {
		points,
		pointsLeft: round.budget - Object.values(points).reduce((sum, value) => sum + value, 0),
		ranking: rows.filter((row) => row.rank != null).sort((a, b) => a.rank! - b.rank!).map((row) => row.itemId),
		ratings: Object.fromEntries(
			rows.filter((row) => row.impact != null).map((row) => [row.itemId, { impact: row.impact!, feasibility: row.feasibility! }])
		)
	};
}

// Casting a vote: the board's form actions and its socket both come here -----------------------------

const castId = z.string().min(1).max(100);
const castScore = z.coerce.number().int().min(1).max(5);
/** A vote as the board sends it (form fields arrive as strings: numbers are coerced). No-JS forms have no request id. */
export const voteCastSchema = z.discriminatedUnion('method', [
	z.object({
		method: z.literal('dot'),
		roundId: castId,
		requestId: castId.optional(),
		itemId: castId,
		delta: z.coerce.number().pipe(z.union([z.literal(1), z.literal(-1)]))
	}),
	z.object({ method: z.literal('ranking'), roundId: castId, requestId: castId.optional(), itemIds: z.array(castId).min(1).max(maxRoundItems) }),
	z.object({
		method: z.literal('rating'),
		roundId: castId,
		requestId: castId.optional(),
		ratings: z.array(z.object({ itemId: castId, impact: castScore, feasibility: castScore })).min(1).max(maxRoundItems)
	})
]);

/**
 * A rating ballot as the form posts it: `impact.<itemId>` and `feasibility.<itemId>` radio groups, one pair per
 * item. Items left blank are not part of the ballot; an item with only one of the two is `incomplete`.
 */
export function readRatingsForm(formData: FormData) {
	const scores = new Map<string, { impact?: string; feasibility?: string }>();
	for (const [key, value] of formData) {
		const match = /^(impact|feasibility)\.(.+)$/.exec(key);
		if (!match || typeof value !== 'string') continue;
		const entry = scores.get(match[2]!) ?? {};
		entry[match[1] as 'impact' | 'feasibility'] = value;
		scores.set(match[2]!, entry);
	}
	const entries = [...scores].map(([itemId, entry]) => ({ itemId, ...entry }));
	return {
		ratings: entries.filter((entry) => entry.impact && entry.feasibility),
		incomplete: entries.length === 0 || entries.some((entry) => !entry.impact || !entry.feasibility)
	};
}

type CastOutcome = { ok: true; mine: MyVotes } | { ok: false; status: 403 | 404 | 409; reason: VoteRefusal; mine: MyVotes | null; cap: number };

/**
 * One vote on the workshop's current board. Who votes (`voterId`) comes from the session or guest token, never
 * from what was sent; the round must be this workshop's and of the cast's method. Accepted votes reach every
 * screen shortly (coalesced announcements).
 */
export async function castVote(workshopId: string, voterId: string | null, cast: z.output<typeof voteCastSchema>): Promise<CastOutcome> {
	if (!voterId) return { ok: false, status: 403, reason: 'not_voter', mine: null, cap: 0 };
	const round = await getRound(cast.roundId);
	if (!round || round.workshopId !== workshopId || round.method !== cast.method) return { ok: false, status: 404, reason: 'invalid', mine: null, cap: 0 };
	let result: DotResult | SubmitResult;
	let mine: MyVotes | undefined;
	if (cast.method === 'dot') {
		const dot = await castDotVote(round.id, voterId, cast.itemId, cast.delta, cast.requestId);
		// An accepted dot vote already knows the voter's points: no second read.
		if (dot.ok) mine = { points: dot.points, pointsLeft: dot.pointsLeft, ranking: [], ratings: {} };
		result = dot;
	} else if (cast.method === 'ranking') result = await submitRanking(round.id, voterId, cast.itemIds, cast.requestId);
	else result = await submitRatings(round.id, voterId, cast.ratings, cast.requestId);
	mine ??= await myVotes(round, voterId);
	if (!result.ok) return { ok: false, status: 409, reason: result.reason, mine, cap: round.cap };
	// Only schedules the announcement (it resolves at once).
	void announceRound(round.id, 'soon');
	return { ok: true, mine };
}

/**
 * A vote sent on the board's socket (message 103), authorised again from the socket's own cookies (a removed
 * guest or an ended session cannot vote on an old connection). The answer goes back to that socket only.
 */
export async function castVoteFromSocket(workshopId: string, cookieHeader: string | undefined, body: unknown): Promise<VoteCastAnswer> {
	// Echoed even for an invalid vote, so the browser can tell which of its votes the answer is about.
	const sent = (body ?? {}) as { requestId?: unknown };
	const requestId = typeof sent.requestId === 'string' ? sent.requestId.slice(0, 100) : '';
	const cast = voteCastSchema.safeParse(body);
	if (!cast.success || !requestId) return { requestId, ok: false, reason: 'invalid', mine: null };
	try {
		const access = await resolveBoardAccess(workshopId, cookieHeader);
		const outcome = await castVote(workshopId, access.ok ? voterIdFor(access) : null, cast.data);
		return outcome.ok ? { requestId, ok: true, mine: outcome.mine } : { requestId, ok: false, reason: outcome.reason, mine: outcome.mine };
	} catch (error) {
		// A locked or full database: nothing was stored, and the voter is asked to try again.
		if (isStorageUnavailable(error)) return { requestId, ok: false, reason: 'unavailable', mine: null };
		throw error;
	}
}
