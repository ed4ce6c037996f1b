// Running a workshop live: the facilitator's cockpit (agenda phase, lock, private writing and reveal, shared
// timer, "bring everyone here"). The state is one `workshop_live` row per workshop (created on first change),
// every time comes from the server's clock, and every change is saved, then sent to every connection of the
// workshop's board and private rooms as a type-100 message (see collab/protocol.ts).
// The collab server enforces it: see collab/room.ts (#refusal). No $app or $env imports: relative imports only.
import { boardSink } from './collab';
import { liveSinks, phasePermissions, readLiveSnapshot, type LiveFocus, type LiveRow, type LiveState } from './collab/live-state';
import { getDb } from './db';

export type { LiveFocus, LiveState };
export { phasePermissions };

export class UnknownWorkshopError extends Error {}
export class UnknownPhaseError extends Error {}

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
	'reveal_seq'
] as const satisfies readonly (keyof Changes)[];

const sqlite = () => getDb().$client;

function storedRow(workshopId: string) {
	return sqlite()
		.prepare<[string], LiveRow>('SELECT l.*, NULL AS kind FROM workshop_live l WHERE l.workshop_id = ?')
		.get(workshopId);
}

/** The workshop's live state now (defaults before the facilitator first changes anything). */
export function getLiveState(workshopId: string): LiveState {
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
	return options.broadcast ? broadcast(workshopId) : getLiveState(workshopId);
}

function broadcast(workshopId: string) {
	const now = Date.now();
	const state = readLiveSnapshot(workshopId, now).state;
	for (const sink of liveSinks) sink.broadcastLive(workshopId, state, now);
	return state;
}

/** Opens an agenda phase (or none): the timer is reset, paused, to the phase's planned duration. */
export function setPhase(workshopId: string, phaseId: string | null): LiveState {
	let durationMs = 0;
	if (phaseId !== null) {
		const phase = sqlite()
			.prepare<[string, string], { duration_minutes: number }>('SELECT duration_minutes FROM workshop_phases WHERE id = ? AND workshop_id = ?')
			.get(phaseId, workshopId);
		if (!phase) throw new UnknownPhaseError(phaseId);
		durationMs = phase.duration_minutes * minute;
	}
	return change(workshopId, (_row, now) => ({
		phase_id: phaseId,
		phase_started_at: phaseId === null ? null : now,
		timer_ends_at: null,
		timer_remaining_ms: durationMs,
		timer_duration_ms: durationMs
	}));
}

/** Locks the board (read-only for participants) or unlocks it. */
export function setLocked(workshopId: string, locked: boolean): LiveState {
	return change(workshopId, () => ({ locked: Number(locked) }));
}

/** Private writing on or off; `anonymous`: the reveal leaves out the authors' names. */
export function setPrivateWriting(workshopId: string, on: boolean, anonymous: boolean): LiveState {
	return change(workshopId, () => ({ private_writing: Number(on), anonymous_reveal: Number(anonymous) }));
}

/**
 * Moves every participant's private notes onto the shared board (new ids; no authors when the reveal is
 * anonymous), saved before anyone receives them, and empties the private documents. Private writing ends.
 */
export async function revealPrivateNotes(workshopId: string): Promise<{ revealed: number; state: LiveState }> {
	let anonymous = false;
	// Private writing ends first: from here on, private documents refuse participants' changes. The state is
	// sent once the notes are on the board, so a client that sees the new revealSeq already has them.
	change(
		workshopId,
		(row) => {
			anonymous = !!row.anonymous_reveal;
			return { private_writing: 0, reveal_seq: row.reveal_seq + 1 };
		},
		{ broadcast: false }
	);
	const revealed = boardSink(workshopId).revealPrivateNotes(workshopId, anonymous);
	return { revealed, state: broadcast(workshopId) };
}

/** Starts (resumes) the timer from its remaining time. */
export function startTimer(workshopId: string): LiveState {
	return change(workshopId, (row, now) => (row.timer_ends_at !== null ? {} : { timer_ends_at: now + row.timer_remaining_ms }));
}

/** Pauses the timer, keeping the remaining time. */
export function pauseTimer(workshopId: string): LiveState {
	return change(workshopId, (row, now) =>
		row.timer_ends_at === null ? {} : { timer_ends_at: null, timer_remaining_ms: Math.max(0, row.timer_ends_at - now) }
	);
}

/** One more minute, running or paused (a timer that ran out restarts from one minute when running). */
export function addTimerMinute(workshopId: string): LiveState {
	return change(workshopId, (row, now) =>
		row.timer_ends_at !== null
			? { timer_ends_at: Math.max(row.timer_ends_at, now) + minute, timer_duration_ms: row.timer_duration_ms + minute }
			: { timer_remaining_ms: row.timer_remaining_ms + minute, timer_duration_ms: row.timer_duration_ms + minute }
	);
}

/** "Bring everyone here": participants' views jump to the lane, note or idea; seq grows on every call. */
export function focusEveryone(workshopId: string, target: { kind: LiveFocus['kind']; id: string }): LiveState {
	if (!['lane', 'note', 'idea'].includes(target.kind)) throw new TypeError(`focus kind ${String(target.kind)}`);
	return change(workshopId, (row) => ({ focus_kind: target.kind, focus_id: target.id, focus_seq: row.focus_seq + 1 }));
}
