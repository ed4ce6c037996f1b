// Running a workshop live: the facilitator's cockpit (agenda phase, lock, private writing and reveal, shared
// timer, "bring everyone here"). The state is one `workshop_live` row per workshop (created on first change),
// every time comes from the server's clock, and every change is saved, then sent to every connection of the
// workshop's board and private rooms as a type-100 message (see collab/protocol.ts).
// The collab server enforces it: see collab/room.ts (#refusal). No $app or $env imports: relative imports only.
import { and, eq, isNull, sql } from 'drizzle-orm';
import { boardSink, broadcastLive, rosterChanged } from './collab';
import { liveSinks, phasePermissions, readLiveSnapshot, readLiveSnapshotForPage, type LiveFocus, type LiveState } from './collab/live-state';
import type { DoneLive } from '../live-protocol';
import { db, type Executor, first, one, type Transaction } from './db';
import { participants, phaseDone, workshopLive, workshopPhases, workshops } from './db/schema';

export type { DoneLive, LiveFocus, LiveState };
export { phasePermissions };

export class UnknownWorkshopError extends Error {}
export class UnknownPhaseError extends Error {}
/** A "done" mark for a phase run that is no longer the current one (the facilitator moved on meanwhile). */
export class StalePhaseRunError extends Error {}
/** Only participants mark themselves done: not facilitators, observers or removed people. */
export class NotCountedError extends Error {}

/** The timer's length as the facilitator sets it, in whole minutes. */
export const timerMinutes = { min: 1, max: 120 } as const;
export const timerPresets = [1, 3, 5, 10, 15] as const;

const minute = 60_000;

type LiveStored = typeof workshopLive.$inferSelect;
type Changes = Partial<Omit<LiveStored, 'workshopId' | 'updatedAt'>>;

/** The workshop's live state now (defaults before the facilitator first changes anything), as a page shows it first. */
export async function getLiveState(workshopId: string): Promise<LiveState> {
	return (await readLiveSnapshotForPage(workshopId)).state;
}

/** Saves the changes computed from the current row (in one transaction), then broadcasts the new state. */
async function change(
	workshopId: string,
	compute: (row: LiveStored, now: number, tx: Transaction) => Changes | Promise<Changes>,
	options = { broadcast: true }
): Promise<LiveState> {
	await db.transaction(
		async (tx) => {
			const now = Date.now();
			if (!(await first(tx.select({ id: workshops.id }).from(workshops).where(eq(workshops.id, workshopId))))) throw new UnknownWorkshopError(workshopId);
			await tx.insert(workshopLive).values({ workshopId, updatedAt: now }).onConflictDoNothing();
			const row = await one(tx.select().from(workshopLive).where(eq(workshopLive.workshopId, workshopId)));
			await tx
				.update(workshopLive)
				.set({ ...(await compute(row, now, tx)), updatedAt: now })
				.where(eq(workshopLive.workshopId, workshopId));
		},
		{ behavior: 'immediate' }
	);
	return options.broadcast ? broadcast(workshopId) : (await readLiveSnapshot(workshopId)).state;
}

/** Sends the stored state to every connection (and tells the rooms, which judge participants' edits by it). */
async function broadcast(workshopId: string) {
	const now = Date.now();
	const { state, phaseKind } = await readLiveSnapshot(workshopId, now);
	broadcastLive(workshopId, state, now, phaseKind);
	return state;
}

async function plannedMinutes(phaseId: string, workshopId?: string, executor: Executor = db) {
	const phase = await first(
		executor
			.select({ durationMinutes: workshopPhases.durationMinutes })
			.from(workshopPhases)
			.where(workshopId === undefined ? eq(workshopPhases.id, phaseId) : and(eq(workshopPhases.id, phaseId), eq(workshopPhases.workshopId, workshopId)))
	);
	return phase?.durationMinutes;
}

/** Opens an agenda phase (or none): the timer is reset, paused, to the phase's planned duration. */
export async function setPhase(workshopId: string, phaseId: string | null): Promise<LiveState> {
	let durationMs = 0;
	if (phaseId !== null) {
		const minutes = await plannedMinutes(phaseId, workshopId);
		if (minutes === undefined) throw new UnknownPhaseError(phaseId);
		durationMs = minutes * minute;
	}
	const state = await change(workshopId, (row, now) => ({
		phaseId,
		phaseStartedAt: phaseId === null ? null : now,
		timerEndsAt: null,
		timerRemainingMs: durationMs,
		timerDurationMs: durationMs,
		// A new run: nobody is done in it yet (the old marks stay, counted for their own run only).
		phaseRun: row.phaseRun + 1
	}));
	rosterChanged(workshopId);
	return state;
}

/** Locks the board (read-only for participants) or unlocks it. */
export async function setLocked(workshopId: string, locked: boolean): Promise<LiveState> {
	return change(workshopId, () => ({ locked }));
}

/** Private writing on or off; `anonymous`: the reveal leaves out the authors' names. */
export async function setPrivateWriting(workshopId: string, on: boolean, anonymous: boolean): Promise<LiveState> {
	const state = await change(workshopId, () => ({ privateWriting: on, anonymousReveal: anonymous }));
	rosterChanged(workshopId);
	return state;
}

/**
 * Moves every participant's private notes onto the shared board (new ids; no authors when the reveal is
 * anonymous), saved before anyone receives them, and empties the private documents. Private writing ends.
 */
export async function revealPrivateNotes(workshopId: string): Promise<{ revealed: number; state: LiveState }> {
	let anonymous = false;
	// Private writing ends first: from here on, private documents refuse participants' changes. The state is
	// sent once the notes are on the board, so a client that sees the new revealSeq already has them.
	await change(
		workshopId,
		(row) => {
			anonymous = row.anonymousReveal;
			return { privateWriting: false, revealSeq: row.revealSeq + 1 };
		},
		{ broadcast: false }
	);
	// The rooms judge by the state they were last told: private writing is off for them before the notes move.
	const { state: ended, phaseKind } = await readLiveSnapshot(workshopId);
	for (const sink of liveSinks) sink.judgeBy(workshopId, ended, phaseKind);
	const revealed = await boardSink(workshopId).revealPrivateNotes(workshopId, anonymous);
	const state = await broadcast(workshopId);
	rosterChanged(workshopId);
	return { revealed, state };
}

/** Starts (resumes) the timer from its remaining time. */
export async function startTimer(workshopId: string): Promise<LiveState> {
	return change(workshopId, (row, now) => (row.timerEndsAt !== null ? {} : { timerEndsAt: now + row.timerRemainingMs }));
}

/** Pauses the timer, keeping the remaining time. */
export async function pauseTimer(workshopId: string): Promise<LiveState> {
	return change(workshopId, (row, now) =>
		row.timerEndsAt === null ? {} : { timerEndsAt: null, timerRemainingMs: Math.max(0, row.timerEndsAt - now) }
	);
}

/** One more minute, running or paused (a timer that ran out restarts from one minute when running). */
export async function addTimerMinute(workshopId: string): Promise<LiveState> {
	return change(workshopId, (row, now) =>
		row.timerEndsAt !== null
			? { timerEndsAt: Math.max(row.timerEndsAt, now) + minute, timerDurationMs: row.timerDurationMs + minute }
			: { timerRemainingMs: row.timerRemainingMs + minute, timerDurationMs: row.timerDurationMs + minute }
	);
}

/**
 * Sets the timer's length (whole minutes, 1–120). It keeps running or stays paused as it was: a running timer now
 * ends that long from now, a paused one waits with the full length.
 */
export async function setTimerLength(workshopId: string, minutes: number): Promise<LiveState> {
	if (!Number.isInteger(minutes) || minutes < timerMinutes.min || minutes > timerMinutes.max) throw new RangeError(`timer minutes ${minutes}`);
	const length = minutes * minute;
	return change(workshopId, (row, now) =>
		row.timerEndsAt !== null ? { timerEndsAt: now + length, timerDurationMs: length } : { timerRemainingMs: length, timerDurationMs: length }
	);
}

/** Stops the timer and sets it back to the current phase's planned length (with no phase: to its own length). */
export async function resetTimer(workshopId: string): Promise<LiveState> {
	return change(workshopId, async (row, _now, tx) => {
		const planned = row.phaseId === null ? undefined : await plannedMinutes(row.phaseId, undefined, tx);
		const length = planned !== undefined ? planned * minute : row.timerDurationMs;
		return { timerEndsAt: null, timerRemainingMs: length, timerDurationMs: length };
	});
}

// "Valmis / klar / done" -----------------------------------------------------------------------------------

/**
 * A participant marks themselves done (or not) for the phase run they saw. Refused for another run (the phase changed
 * or was re-opened meanwhile: StalePhaseRunError) and for anyone who does not count (NotCountedError).
 */
export async function setDone(workshopId: string, participantId: string, run: number, done: boolean): Promise<{ run: number; mine: boolean }> {
	await db.transaction(
		async (tx) => {
			const live = await first(
				tx.select({ phaseId: workshopLive.phaseId, phaseRun: workshopLive.phaseRun }).from(workshopLive).where(eq(workshopLive.workshopId, workshopId))
			);
			if (!live || live.phaseId === null || live.phaseRun !== run) throw new StalePhaseRunError(`${workshopId} run ${run}`);
			const counted = await first(
				tx
					.select({ id: participants.id })
					.from(participants)
					.where(
						and(
							eq(participants.id, participantId),
							eq(participants.workshopId, workshopId),
							eq(participants.role, 'participant'),
							isNull(participants.removedAt)
						)
					)
			);
			if (!counted) throw new NotCountedError(participantId);
			if (done) {
				const doneAt = Date.now();
				await tx
					.insert(phaseDone)
					.values({ workshopId, participantId, phaseRun: run, doneAt })
					.onConflictDoUpdate({ target: [phaseDone.workshopId, phaseDone.participantId], set: { phaseRun: run, doneAt } });
			} else {
				await tx.delete(phaseDone).where(and(eq(phaseDone.workshopId, workshopId), eq(phaseDone.participantId, participantId)));
			}
		},
		{ behavior: 'immediate' }
	);
	rosterChanged(workshopId);
	return { run, mine: done };
}

/**
 * The done signal as a page load shows it before the board's socket says more: the run, whether this person counts
 * and is marked, and the counts as the collab server has them now.
 */
export async function getDoneState(
	workshopId: string,
	participantId: string | null,
	counted: boolean,
	/** the live state just read, when the caller has it (the board page): its phase run is not read again */
	known?: Pick<LiveState, 'phaseId' | 'phaseRun'>
): Promise<DoneLive> {
	const live =
		known ??
		(await first(
			db.select({ phaseId: workshopLive.phaseId, phaseRun: workshopLive.phaseRun }).from(workshopLive).where(eq(workshopLive.workshopId, workshopId))
		));
	const run = live?.phaseRun ?? 0;
	const mine =
		counted && participantId !== null && !!live?.phaseId
			? !!(await first(
					db
						.select({ one: sql`1` })
						.from(phaseDone)
						.where(and(eq(phaseDone.workshopId, workshopId), eq(phaseDone.participantId, participantId), eq(phaseDone.phaseRun, run)))
				))
			: false;
	// Before a phase opens the counts are 0 of 0 (as the collab server sends them): its roster, a query over every
	// participant, is built only when there is something to be done with (a board page view costs ~5 % less).
	const counts = live?.phaseId ? await boardSink(workshopId).doneCounts(workshopId, counted ? participantId : null) : { done: 0, total: 0 };
	return { run, phaseId: live?.phaseId ?? null, done: counts.done, total: counts.total, counted, mine };
}

/** "Bring everyone here": participants' views jump to the lane, note or idea; seq grows on every call. */
export async function focusEveryone(workshopId: string, target: { kind: LiveFocus['kind']; id: string }): Promise<LiveState> {
	if (!['lane', 'note', 'idea'].includes(target.kind)) throw new TypeError(`focus kind ${String(target.kind)}`);
	return change(workshopId, (row) => ({ focusKind: target.kind, focusId: target.id, focusSeq: row.focusSeq + 1 }));
}
