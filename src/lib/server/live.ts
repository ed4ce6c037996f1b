// Running a workshop live: the facilitator's cockpit (agenda phase, lock, private writing and reveal, shared
// timer, "bring everyone here"). The state is one `workshop_live` row per workshop (created on first change),
// every time comes from the server's clock, and every change is saved, then sent to every connection of the
// workshop's board and private rooms as a type-100 message (see collab/protocol.ts).
// The collab server enforces it: see collab/room.ts (#refusal). No $app or $env imports: relative imports only.
import { boardSink, broadcastLive, rosterChanged } from './collab';
import { phasePermissions, readLiveSnapshot, type LiveFocus, type LiveRow, type LiveState } from './collab/live-state';
import type { DoneLive } from '../live-protocol';
import { getDb, withSqlite } from './db';

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

type Changes = Partial<Omit<LiveRow, 'kind'>>;
const columns = [
	'phase_id',
	'phase_started_at',
	'locked',
	'private_writing',
	'anonymous_reveal',
	'timer_ends_at',
	'timer_remaining_ms',
	'timer_duration_ms',
	'focus_kind',
	'focus_id',
	'focus_seq',
	'reveal_seq',
	'phase_run'
] as const satisfies readonly (keyof Changes)[];

const sqlite = () => getDb().$client;

function storedRow(workshopId: string) {
	return sqlite()
		.prepare<[string], LiveRow>('SELECT l.*, NULL AS kind FROM workshop_live l WHERE l.workshop_id = ?')
		.get(workshopId);
}

/** The workshop's live state now (defaults before the facilitator first changes anything). */
function getLiveStateSync(workshopId: string): LiveState {
	return readLiveSnapshot(workshopId).state;
}

/** Saves the changes computed from the current row (in one transaction), then broadcasts the new state. */
function change(workshopId: string, compute: (row: LiveRow, now: number) => Changes, options = { broadcast: true }): LiveState {
	const db = sqlite();
	db.transaction(() => {
		const now = Date.now();
		if (!db.prepare('SELECT 1 FROM workshops WHERE id = ?').get(workshopId)) throw new UnknownWorkshopError(workshopId);
		db.prepare('INSERT OR IGNORE INTO workshop_live (workshop_id, updated_at) VALUES (?, ?)').run(workshopId, now);
		const changes = compute(storedRow(workshopId)!, now);
		const keys = columns.filter((key) => key in changes);
		const values = keys.map((key) => {
			const value = changes[key];
			return typeof value === 'boolean' ? Number(value) : (value ?? null);
		});
		db.prepare(`UPDATE workshop_live SET ${[...keys.map((key) => `${key} = ?`), 'updated_at = ?'].join(', ')} WHERE workshop_id = ?`).run(
			...values,
			now,
			workshopId
		);
	}).immediate();
	return options.broadcast ? broadcast(workshopId) : getLiveStateSync(workshopId);
}

function broadcast(workshopId: string) {
	const now = Date.now();
	const state = readLiveSnapshot(workshopId, now).state;
	broadcastLive(workshopId, state, now);
	return state;
}

/** Opens an agenda phase (or none): the timer is reset, paused, to the phase's planned duration. */
function setPhaseSync(workshopId: string, phaseId: string | null): LiveState {
	let durationMs = 0;
	if (phaseId !== null) {
		const phase = sqlite()
			.prepare<[string, string], { duration_minutes: number }>('SELECT duration_minutes FROM workshop_phases WHERE id = ? AND workshop_id = ?')
			.get(phaseId, workshopId);
		if (!phase) throw new UnknownPhaseError(phaseId);
		durationMs = phase.duration_minutes * minute;
	}
	const state = change(workshopId, (row, now) => ({
		phase_id: phaseId,
		phase_started_at: phaseId === null ? null : now,
		timer_ends_at: null,
		timer_remaining_ms: durationMs,
		timer_duration_ms: durationMs,
		// A new run: nobody is done in it yet (the old marks stay, counted for their own run only).
		phase_run: row.phase_run + 1
	}));
	rosterChanged(workshopId);
	return state;
}

/** Locks the board (read-only for participants) or unlocks it. */
function setLockedSync(workshopId: string, locked: boolean): LiveState {
	return change(workshopId, () => ({ locked: Number(locked) }));
}

/** Private writing on or off; `anonymous`: the reveal leaves out the authors' names. */
function setPrivateWritingSync(workshopId: string, on: boolean, anonymous: boolean): LiveState {
	const state = change(workshopId, () => ({ private_writing: Number(on), anonymous_reveal: Number(anonymous) }));
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
	await withSqlite(() =>
		change(
		workshopId,
		(row) => {
			anonymous = !!row.anonymous_reveal;
			return { private_writing: 0, reveal_seq: row.reveal_seq + 1 };
		},
		{ broadcast: false }
	)
	);
	const revealed = boardSink(workshopId).revealPrivateNotes(workshopId, anonymous);
	const state = await withSqlite(() => broadcast(workshopId));
	rosterChanged(workshopId);
	return { revealed, state };
}

/** Starts (resumes) the timer from its remaining time. */
function startTimerSync(workshopId: string): LiveState {
	return change(workshopId, (row, now) => (row.timer_ends_at !== null ? {} : { timer_ends_at: now + row.timer_remaining_ms }));
}

/** Pauses the timer, keeping the remaining time. */
function pauseTimerSync(workshopId: string): LiveState {
	return change(workshopId, (row, now) =>
		row.timer_ends_at === null ? {} : { timer_ends_at: null, timer_remaining_ms: Math.max(0, row.timer_ends_at - now) }
	);
}

/** One more minute, running or paused (a timer that ran out restarts from one minute when running). */
function addTimerMinuteSync(workshopId: string): LiveState {
	return change(workshopId, (row, now) =>
		row.timer_ends_at !== null
			? { timer_ends_at: Math.max(row.timer_ends_at, now) + minute, timer_duration_ms: row.timer_duration_ms + minute }
			: { timer_remaining_ms: row.timer_remaining_ms + minute, timer_duration_ms: row.timer_duration_ms + minute }
	);
}

/**
 * Sets the timer's length (whole minutes, 1–120). It keeps running or stays paused as it was: a running timer now
 * ends that long from now, a paused one waits with the full length.
 */
function setTimerLengthSync(workshopId: string, minutes: number): LiveState {
	if (!Number.isInteger(minutes) || minutes < timerMinutes.min || minutes > timerMinutes.max) throw new RangeError(`timer minutes ${minutes}`);
	const length = minutes * minute;
	return change(workshopId, (row, now) =>
		row.timer_ends_at !== null
			? { timer_ends_at: now + length, timer_duration_ms: length }
			: { timer_remaining_ms: length, timer_duration_ms: length }
	);
}

/** Stops the timer and sets it back to the current phase's planned length (with no phase: to its own length). */
function resetTimerSync(workshopId: string): LiveState {
	return change(workshopId, (row) => {
		const planned =
			row.phase_id === null
				? undefined
				: sqlite()
						.prepare<[string], { duration_minutes: number }>('SELECT duration_minutes FROM workshop_phases WHERE id = ?')
						.get(row.phase_id);
		const length = planned ? planned.duration_minutes * minute : row.timer_duration_ms;
		return { timer_ends_at: null, timer_remaining_ms: length, timer_duration_ms: length };
	});
}

// "Valmis / klar / done" -----------------------------------------------------------------------------------

/**
 * A participant marks themselves done (or not) for the phase run they saw. Refused for another run (the phase changed
 * or was re-opened meanwhile: StalePhaseRunError) and for anyone who does not count (NotCountedError).
 */
function setDoneSync(workshopId: string, participantId: string, run: number, done: boolean): { run: number; mine: boolean } {
	const db = sqlite();
	db.transaction(() => {
		const live = db
			.prepare<[string], { phase_id: string | null; phase_run: number }>('SELECT phase_id, phase_run FROM workshop_live WHERE workshop_id = ?')
			.get(workshopId);
		if (!live || live.phase_id === null || live.phase_run !== run) throw new StalePhaseRunError(`${workshopId} run ${run}`);
		const counted = db
			.prepare<[string, string], { id: string }>(
				"SELECT id FROM participants WHERE id = ? AND workshop_id = ? AND role = 'participant' AND removed_at IS NULL"
			)
			.get(participantId, workshopId);
		if (!counted) throw new NotCountedError(participantId);
		if (done) {
			db.prepare(
				`INSERT INTO phase_done (workshop_id, participant_id, phase_run, done_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (workshop_id, participant_id) DO UPDATE SET phase_run = excluded.phase_run, done_at = excluded.done_at`
			).run(workshopId, participantId, run, Date.now());
		} else {
			db.prepare('DELETE FROM phase_done WHERE workshop_id = ? AND participant_id = ?').run(workshopId, participantId);
		}
	}).immediate();
	rosterChanged(workshopId);
	return { run, mine: done };
}

/**
 * The done signal as a page load shows it before the board's socket says more: the run, whether this person counts
 * and is marked, and the counts as the collab server has them now.
 */
function getDoneStateSync(workshopId: string, participantId: string | null, counted: boolean): DoneLive {
	const live = sqlite()
		.prepare<[string], { phase_id: string | null; phase_run: number }>('SELECT phase_id, phase_run FROM workshop_live WHERE workshop_id = ?')
		.get(workshopId);
	const run = live?.phase_run ?? 0;
	const mine =
		counted && participantId !== null && !!live?.phase_id
			? !!sqlite()
					.prepare('SELECT 1 FROM phase_done WHERE workshop_id = ? AND participant_id = ? AND phase_run = ?')
					.get(workshopId, participantId, run)
			: false;
	// Before a phase opens the counts are 0 of 0 (as the collab server sends them): its roster, a query over every
	// participant, is built only when there is something to be done with (a board page view costs ~5 % less).
	const counts = live?.phase_id ? boardSink(workshopId).doneCounts(workshopId, counted ? participantId : null) : { done: 0, total: 0 };
	return { run, phaseId: live?.phase_id ?? null, done: counts.done, total: counts.total, counted, mine };
}

/** "Bring everyone here": participants' views jump to the lane, note or idea; seq grows on every call. */
function focusEveryoneSync(workshopId: string, target: { kind: LiveFocus['kind']; id: string }): LiveState {
	if (!['lane', 'note', 'idea'].includes(target.kind)) throw new TypeError(`focus kind ${String(target.kind)}`);
	return change(workshopId, (row) => ({ focus_kind: target.kind, focus_id: target.id, focus_seq: row.focus_seq + 1 }));
}

// From asynchronous code (routes, other domain modules): each waits for its turn on the connection (see db/index.ts).
export async function getLiveState(workshopId: string) {
	return withSqlite(() => getLiveStateSync(workshopId));
}

export async function setPhase(workshopId: string, phaseId: string | null) {
	return withSqlite(() => setPhaseSync(workshopId, phaseId));
}

export async function setLocked(workshopId: string, locked: boolean) {
	return withSqlite(() => setLockedSync(workshopId, locked));
}

export async function setPrivateWriting(workshopId: string, on: boolean, anonymous: boolean) {
	return withSqlite(() => setPrivateWritingSync(workshopId, on, anonymous));
}

export async function startTimer(workshopId: string) {
	return withSqlite(() => startTimerSync(workshopId));
}

export async function pauseTimer(workshopId: string) {
	return withSqlite(() => pauseTimerSync(workshopId));
}

export async function addTimerMinute(workshopId: string) {
	return withSqlite(() => addTimerMinuteSync(workshopId));
}

export async function setTimerLength(workshopId: string, minutes: number) {
	return withSqlite(() => setTimerLengthSync(workshopId, minutes));
}

export async function resetTimer(workshopId: string) {
	return withSqlite(() => resetTimerSync(workshopId));
}

export async function setDone(workshopId: string, participantId: string, run: number, done: boolean) {
	return withSqlite(() => setDoneSync(workshopId, participantId, run, done));
}

export async function getDoneState(workshopId: string, participantId: string | null, counted: boolean) {
	return withSqlite(() => getDoneStateSync(workshopId, participantId, counted));
}

export async function focusEveryone(workshopId: string, target: { kind: LiveFocus['kind']; id: string }) {
	return withSqlite(() => focusEveryoneSync(workshopId, target));
}
