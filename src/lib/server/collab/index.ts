// Real-time boards: one Yjs document per workshop at ws(s)://host/collab/{workshopId}, speaking the y-websocket
// protocol. Loaded by SvelteKit (hooks, form actions), by server/app.js in production and by the Vite plugin
// in dev/preview, so: no $app or $env imports here, relative imports and process.env only.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { castVoteFromSocket } from '../voting';
import { onUserSessionsEnded } from '../session';
import { resolveBoardAccess } from '../workshops';
import { liveSinks, sinkFor, type LiveState } from './live-state';
import type { PhaseKind } from '../db/schema';
import { closeProcessRelay, relayFromEnv, type ClusterEvent } from './relay';
import { createCollabServer, type CollabServer } from './server';
import { openBoardStore } from './store';

export { closeCodes, messageLive, messageRefused } from './protocol';
export { privateRoomName, parseRoomName, phasePermissions, type LiveFocus, type LiveSnapshot, type LiveState } from './live-state';
export { mergeWindowMs, type RefusalReason } from './room';
export { createCollabServer, originAllowed, settingsFromEnv, type BoardAccess, type CollabOptions, type CollabServer } from './server';
export { openBoardStore, SqliteBoardStore, type BoardStore, type StoredBoard } from './store';
export type { BoardRole, RoomSettings } from './room';

let instance: CollabServer | undefined;

/** Tells the other nodes (if any) to do what this node just did for its own connections. */
function tellOtherNodes(event: ClusterEvent) {
	relayFromEnv()?.publish({ kind: 'event', event });
}

// A person's sessions ended (a password change, an administrator's action): their board connections close at once.
onUserSessionsEnded((userId) => {
	tellOtherNodes({ type: 'closeUser', userId });
	void instance?.closeUserSessions(userId);
});

/** The process's collaboration server, created on first use. */
export function collab(): CollabServer {
	return (instance ??= createCollabServer({
		authorise: resolveBoardAccess,
		store: openBoardStore,
		castVote: castVoteFromSocket,
		relay: relayFromEnv() ?? undefined
	}));
}

/** Sends the live state to every connection of the workshop, on every node; their rooms judge edits by it from now on. */
export function broadcastLive(workshopId: string, state: LiveState, serverNow: number, phaseKind: PhaseKind | null) {
	tellOtherNodes({ type: 'live', workshopId, state, serverNow, phaseKind });
	for (const sink of liveSinks) sink.broadcastLive(workshopId, state, serverNow, phaseKind);
}

/** Done marks, the phase run or private writing changed: counts and rosters are sent again, on every node. */
export function rosterChanged(workshopId: string) {
	tellOtherNodes({ type: 'roster', workshopId });
	for (const sink of liveSinks) sink.rosterChanged(workshopId);
}

/** Sends a vote round's state to every connection of the workshop's board, on every node. */
export function broadcastVote(workshopId: string, vote: unknown) {
	tellOtherNodes({ type: 'vote', workshopId, vote });
	boardSink(workshopId).broadcastVote(workshopId, vote);
}

export function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
	collab().handleUpgrade(request, socket, head);
}

/** Call after removing a participant: their open board connections close at once (code 4403). */
export function disconnectParticipant(workshopId: string, participantId: string) {
	tellOtherNodes({ type: 'disconnectParticipant', workshopId, participantId });
	return instance?.disconnectParticipant(workshopId, participantId) ?? 0;
}

/** Call after ending a session (sign-out): the board connections it opened close at once (4403). */
export function closeSessionConnections(sessionId: string) {
	tellOtherNodes({ type: 'closeSession', sessionId });
	void instance?.closeSession(sessionId);
}

/** Call after changing a participant's role: observers' edits are dropped from the next message on. */
export function setConnectionRole(workshopId: string, participantId: string, role: 'participant' | 'observer') {
	tellOtherNodes({ type: 'setRole', workshopId, participantId, role });
	return instance?.setConnectionRole(workshopId, participantId, role) ?? 0;
}

/** Call when a workshop is deleted: its board connections close (4404) and the room is forgotten. */
export function closeRoom(workshopId: string) {
	tellOtherNodes({ type: 'closeRoom', workshopId });
	instance?.closeRoom(workshopId);
}

/** A copy of a workshop's board as saved (for exports and other server-side reads); read it with board/model.ts. */
export async function readBoardDoc(workshopId: string) {
	return collab().readDoc(workshopId);
}

/**
 * A change the server makes to a workshop's shared board (chosen items' idea cards, a proposal brought in):
 * applied by the collab server that has the board loaded, saved before anyone receives it.
 */
export async function changeBoard(workshopId: string, change: (doc: import('yjs').Doc) => void) {
	await boardSink(workshopId).changeBoard(workshopId, change);
}

/** The collab server that has (or will load) the workshop's board: for sending to it and changing it. */
export function boardSink(workshopId: string) {
	return (sinkFor(workshopId) ?? (collab(), sinkFor(workshopId)))!;
}

/** Saves and compacts every board and closes every connection (graceful shutdown). */
export async function shutdownCollab() {
	const closing = instance;
	// A shut-down server is never reused: the next use (a test, a restart in the same process) gets a fresh one.
	instance = undefined;
	await closing?.shutdown();
	await closeProcessRelay();
}

export const collabGlobalKey = Symbol.for('verstas.collab');

export type CollabRegistration = { handleUpgrade: typeof handleUpgrade; shutdown: typeof shutdownCollab };

/**
 * Called from the hooks' `init`: publishes this (bundled) module's upgrade handler to server/app.js,
 * which is not part of the bundle and reads it from globalThis after importing build/handler.js.
 */
export function registerCollab() {
	(globalThis as Record<symbol, unknown>)[collabGlobalKey] = {
		handleUpgrade,
		shutdown: shutdownCollab
	} satisfies CollabRegistration;
	// On several nodes the server listens to the others from the start: presence and revocations reach it before any
	// of its own people connect (a vote's "present" count is asked of whichever node took the request).
	if (relayFromEnv()) collab();
}
