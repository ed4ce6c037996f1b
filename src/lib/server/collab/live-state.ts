// The live cockpit's state (phase, lock, private writing, timer, focus) as the collab server reads it: one
// `workshop_live` row, its phase's kind, and the registry through which live.ts reaches every collab server.
// Shared with the WebSocket upgrade path: no $app or $env imports, relative imports only.
import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { cacheUntilWrite, preparedOnce } from '../db';
import { participants, phaseDone, workshopLive, workshopPhases, type PhaseKind } from '../db/schema';

import { idleLiveState, type LiveFocus, type LiveState } from '../../live-protocol';

export type { LiveFocus, LiveState };

/** The state and what the current phase allows participants. */
export type LiveSnapshot = { state: LiveState; phaseKind: PhaseKind | null };

/** The stored row and its phase's kind (null without a phase). */
export type LiveRow = typeof workshopLive.$inferSelect & { kind: PhaseKind | null };

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
	const running = row.timerEndsAt !== null;
	return {
		state: {
			phaseId: row.phaseId,
			phaseStartedAt: row.phaseId ? row.phaseStartedAt : null,
			locked: row.locked,
			privateWriting: row.privateWriting,
			anonymousReveal: row.anonymousReveal,
			timer: {
				running,
				endsAt: row.timerEndsAt,
				remainingMs: running ? Math.max(0, row.timerEndsAt! - now) : row.timerRemainingMs,
				durationMs: row.timerDurationMs
			},
			focus: row.focusKind && row.focusId ? { kind: row.focusKind, id: row.focusId, seq: row.focusSeq } : null,
			revealSeq: row.revealSeq,
			phaseRun: row.phaseRun
		},
		phaseKind: row.phaseId ? row.kind : null
	};
}

/** The state as it is at `now`: a running timer's remaining time counts down from its end. */
export function liveStateAt(state: LiveState, now: number): LiveState {
	if (!state.timer.running || state.timer.endsAt === null) return state;
	return { ...state, timer: { ...state.timer, remainingMs: Math.max(0, state.timer.endsAt - now) } };
}

// Read when a room loads and after every change the cockpit makes: built and prepared once.
const liveRowOf = preparedOnce((db) =>
	db
		.select({ live: workshopLive, kind: workshopPhases.kind })
		.from(workshopLive)
		.leftJoin(workshopPhases, eq(workshopPhases.id, workshopLive.phaseId))
		.where(eq(workshopLive.workshopId, sql.placeholder('workshopId')))
		.prepare()
);

/** The stored live state of a workshop (defaults when it never ran), read from the app's database. */
export async function readLiveSnapshot(workshopId: string, now = Date.now()): Promise<LiveSnapshot> {
	const [row] = await liveRowOf().execute({ workshopId });
	return liveStateOf(row && { ...row.live, kind: row.kind }, now);
}

// The rows a page load starts from, reused until the next write (every cockpit change is one).
const pageRows = cacheUntilWrite(100);

/**
 * As `readLiveSnapshot`, for what a board or present page shows before its socket says more (on PostgreSQL a round
 * trip fewer a page). The rooms never read this copy: a node that has not yet heard of another's write for a few
 * milliseconds could hand a room an older state that it would then keep.
 */
export async function readLiveSnapshotForPage(workshopId: string, now = Date.now()): Promise<LiveSnapshot> {
	const [row] = await pageRows(workshopId, () => liveRowOf().execute({ workshopId }));
	return liveStateOf(row && { ...row.live, kind: row.kind }, now);
}

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

const rosterLiveOf = preparedOnce((db) =>
	db
		.select({ phaseId: workshopLive.phaseId, phaseRun: workshopLive.phaseRun, privateWriting: workshopLive.privateWriting })
		.from(workshopLive)
		.where(eq(workshopLive.workshopId, sql.placeholder('workshopId')))
		.prepare()
);
const rosterPeopleOf = preparedOnce((db) =>
	db
		.select({ id: participants.id, name: participants.displayName, done: phaseDone.participantId })
		.from(participants)
		.leftJoin(workshopLive, eq(workshopLive.workshopId, participants.workshopId))
		.leftJoin(
			phaseDone,
			and(
				eq(phaseDone.participantId, participants.id),
				eq(phaseDone.workshopId, participants.workshopId),
				eq(phaseDone.phaseRun, workshopLive.phaseRun),
				isNotNull(workshopLive.phaseId)
			)
		)
		.where(and(eq(participants.workshopId, sql.placeholder('workshopId')), eq(participants.role, 'participant'), isNull(participants.removedAt)))
		.orderBy(sql`lower(${participants.displayName})`, participants.id)
		.prepare()
);

/** The roster's base from the app's database (read at most a few times a second per workshop). */
export async function readRosterBase(workshopId: string): Promise<RosterBase> {
	const [[live], people] = await Promise.all([rosterLiveOf().execute({ workshopId }), rosterPeopleOf().execute({ workshopId })]);
	return {
		run: live?.phaseRun ?? 0,
		phaseId: live?.phaseId ?? null,
		privateWriting: !!live?.privateWriting,
		participants: people.map((row) => ({ id: row.id, name: row.name, done: row.done !== null }))
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
	/**
	 * Sends the state to every connection of the workshop's board and private rooms; the rooms judge participants'
	 * updates by it (and its phase's kind) from then on.
	 */
	broadcastLive(workshopId: string, state: LiveState, serverNow: number, phaseKind: PhaseKind | null): void;
	/** The rooms judge participants' updates by this state from now on; nobody is told yet (the reveal). */
	judgeBy(workshopId: string, state: LiveState, phaseKind: PhaseKind | null): void;
	/** Moves every private document's notes onto the shared board (persisted first), then empties them. */
	revealPrivateNotes(workshopId: string, anonymous: boolean): Promise<number>;
	/** Whether this server has the workshop's shared board in memory. */
	hasRoom(workshopId: string): boolean;
	/** Sends the current vote round's state (type 102) to every connection of the workshop's shared board. */
	broadcastVote(workshopId: string, vote: unknown): void;
	/** How many different people who may vote are on the workshop's board right now. */
	presentVoters(workshopId: string): number;
	/** A change made by the server to the shared board, saved before anyone receives it. */
	changeBoard(workshopId: string, change: (doc: import('yjs').Doc) => void): Promise<void>;
	/** Done marks, the phase run or private writing changed: the counts and the facilitators' roster are sent again. */
	rosterChanged(workshopId: string): void;
	/** The done counts of the current phase run (0 of 0 with no phase); `alsoPresent`: a participant about to connect. */
	doneCounts(workshopId: string, alsoPresent: string | null): Promise<{ done: number; total: number }>;
}

export const liveSinks = new Set<LiveSink>();

/** The collab server that has the workshop's board in memory, else the newest one (tests may run several). */
export function sinkFor(workshopId: string): LiveSink | undefined {
	const sinks = [...liveSinks];
	return sinks.find((sink) => sink.hasRoom(workshopId)) ?? sinks[sinks.length - 1];
}
