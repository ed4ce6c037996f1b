// The live cockpit's state (phase, lock, private writing, timer, focus) as the collab server reads it: one
// `workshop_live` row, its phase's kind, and the registry through which live.ts reaches every collab server.
// Shared with the WebSocket upgrade path: no $app or $env imports, relative imports only.
import { getDb } from '../db';
import type { PhaseKind } from '../db/schema';

import { idleLiveState, type LiveFocus, type LiveState } from '../../live-protocol';

export type { LiveFocus, LiveState };

/** The state and what the current phase allows participants. */
export type LiveSnapshot = { state: LiveState; phaseKind: PhaseKind | null };

export type LiveRow = {
	phase_id: string | null;
	phase_started_at: number | null;
	locked: number;
	private_writing: number;
	anonymous_reveal: number;
	timer_ends_at: number | null;
	timer_remaining_ms: number;
	timer_duration_ms: number;
	focus_kind: LiveFocus['kind'] | null;
	focus_id: string | null;
	focus_seq: number;
	reveal_seq: number;
	phase_run: number;
	kind: PhaseKind | null;
};

const permissions: Record<PhaseKind, { addNotes: boolean; edit: boolean }> = {
	orientation: { addNotes: false, edit: false },
	ideas: { addNotes: true, edit: true },
	grouping: { addNotes: true, edit: true },
	voting: { addNotes: false, edit: false },
	canvas: { addNotes: false, edit: true },
	commitments: { addNotes: true, edit: true },
	free: { addNotes: true, edit: true }
};

/** What a phase of this kind lets participants do on the board (facilitators may always do everything). */
export function phasePermissions(kind: PhaseKind | null): { addNotes: boolean; edit: boolean } {
	return kind ? { ...permissions[kind] } : { addNotes: true, edit: true };
}

export const defaultLiveState = idleLiveState;

export function liveStateOf(row: LiveRow | undefined, now = Date.now()): LiveSnapshot {
	if (!row) return { state: defaultLiveState(), phaseKind: null };
	const running = row.timer_ends_at !== null;
	return {
		state: {
			phaseId: row.phase_id,
			phaseStartedAt: row.phase_id ? row.phase_started_at : null,
			locked: !!row.locked,
			privateWriting: !!row.private_writing,
			anonymousReveal: !!row.anonymous_reveal,
			timer: {
				running,
				endsAt: row.timer_ends_at,
				remainingMs: running ? Math.max(0, row.timer_ends_at! - now) : row.timer_remaining_ms,
				durationMs: row.timer_duration_ms
			},
			focus: row.focus_kind && row.focus_id ? { kind: row.focus_kind, id: row.focus_id, seq: row.focus_seq } : null,
			revealSeq: row.reveal_seq,
			phaseRun: row.phase_run
		},
		phaseKind: row.phase_id ? row.kind : null
	};
}

const selectSql = `SELECT l.*, p.kind AS kind FROM workshop_live l LEFT JOIN workshop_phases p ON p.id = l.phase_id
	WHERE l.workshop_id = ?`;

/** The stored live state of a workshop (defaults when it never ran), read from the app's database. */
export function readLiveSnapshot(workshopId: string, now = Date.now()): LiveSnapshot {
	const sqlite = getDb().$client;
	// Read on every participant's update while connected: the statement is prepared once per database.
	let select = statements.get(sqlite);
	if (!select) statements.set(sqlite, (select = sqlite.prepare<[string], LiveRow>(selectSql)));
	return liveStateOf(select.get(workshopId), now);
}

const statements = new WeakMap<object, import('better-sqlite3').Statement<[string], LiveRow>>();

// Who counts for "done" ----------------------------------------------------------------------------------

/**
 * What the roster is made of besides the connections: the current phase run, and the workshop's participants who
 * count (role participant, not removed) with whether they are marked done in this run. Facilitators and observers
 * never count.
 */
export type RosterBase = {
	run: number;
	phaseId: string | null;
	privateWriting: boolean;
	participants: { id: string; name: string; done: boolean }[];
};

const rosterStatements = new WeakMap<
	object,
	{
		live: import('better-sqlite3').Statement<[string], { phase_id: string | null; phase_run: number; private_writing: number }>;
		people: import('better-sqlite3').Statement<[string], { id: string; name: string; done: number }>;
	}
>();

/** The roster's base from the app's database (read at most a few times a second per workshop). */
export function readRosterBase(workshopId: string): RosterBase {
	const sqlite = getDb().$client;
	let statements = rosterStatements.get(sqlite);
	if (!statements) {
		statements = {
			live: sqlite.prepare('SELECT phase_id, phase_run, private_writing FROM workshop_live WHERE workshop_id = ?'),
			people: sqlite.prepare(`SELECT p.id AS id, p.display_name AS name, (d.participant_id IS NOT NULL) AS done
				FROM participants p
				LEFT JOIN workshop_live l ON l.workshop_id = p.workshop_id
				LEFT JOIN phase_done d ON d.participant_id = p.id AND d.workshop_id = p.workshop_id AND d.phase_run = l.phase_run
					AND l.phase_id IS NOT NULL
				WHERE p.workshop_id = ? AND p.role = 'participant' AND p.removed_at IS NULL
				ORDER BY p.display_name COLLATE NOCASE, p.id`)
		};
		rosterStatements.set(sqlite, statements);
	}
	const live = statements.live.get(workshopId);
	return {
		run: live?.phase_run ?? 0,
		phaseId: live?.phase_id ?? null,
		privateWriting: !!live?.private_writing,
		participants: statements.people.all(workshopId).map((row) => ({ id: row.id, name: row.name, done: !!row.done }))
	};
}

// Private rooms ----------------------------------------------------------------------------------------

const privateSeparator = '.private.';

/** `${workshopId}.private.${participantId}`: a participant's private notes while private writing is on. */
export function privateRoomName(workshopId: string, participantId: string) {
	return `${workshopId}${privateSeparator}${participantId}`;
}

/** A room name's workshop, and the participant whose private document it is (null: the shared board). */
export function parseRoomName(name: string): { workshopId: string; privateOf: string | null } {
	const at = name.indexOf(privateSeparator);
	if (at < 0) return { workshopId: name, privateOf: null };
	return { workshopId: name.slice(0, at), privateOf: name.slice(at + privateSeparator.length) };
}

// The registry: live.ts reaches every collab server of the process through it ---------------------------

export interface LiveSink {
	/** Sends the state to every connection of the workshop's board and private rooms. */
	broadcastLive(workshopId: string, state: LiveState, serverNow: number): void;
	/** Moves every private document's notes onto the shared board (persisted first), then empties them. */
	revealPrivateNotes(workshopId: string, anonymous: boolean): number;
	/** Whether this server has the workshop's shared board in memory. */
	hasRoom(workshopId: string): boolean;
	/** Sends the current vote round's state (type 102) to every connection of the workshop's shared board. */
	broadcastVote(workshopId: string, vote: unknown): void;
	/** How many different people who may vote are on the workshop's board right now. */
	presentVoters(workshopId: string): number;
	/** A change made by the server to the shared board, saved before anyone receives it. */
	changeBoard(workshopId: string, change: (doc: import('yjs').Doc) => void): void;
	/** Done marks, the phase run or private writing changed: the counts and the facilitators' roster are sent again. */
	rosterChanged(workshopId: string): void;
	/** The done counts of the current phase run (0 of 0 with no phase); `alsoPresent`: a participant about to connect. */
	doneCounts(workshopId: string, alsoPresent: string | null): { done: number; total: number };
}

export const liveSinks = new Set<LiveSink>();

/** The collab server that has the workshop's board in memory, else the newest one (tests may run several). */
export function sinkFor(workshopId: string): LiveSink | undefined {
	const sinks = [...liveSinks];
	return sinks.find((sink) => sink.hasRoom(workshopId)) ?? sinks[sinks.length - 1];
}
