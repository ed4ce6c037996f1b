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
			revealSeq: row.reveal_seq
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
}

export const liveSinks = new Set<LiveSink>();

/** The collab server that has the workshop's board in memory, else the newest one (tests may run several). */
export function sinkFor(workshopId: string): LiveSink | undefined {
	const sinks = [...liveSinks];
	return sinks.find((sink) => sink.hasRoom(workshopId)) ?? sinks[sinks.length - 1];
}
