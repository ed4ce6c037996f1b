// What the collab server and the browser say to each other about a live workshop, beyond y-websocket's own
// messages. Shared by both sides, so it imports nothing server-only.

/** `{ state: LiveState, serverNow }` as a JSON varString, on connect and on every change */
export const messageLive = 100;
/** `{ reason: RefusalReason }` as a JSON varString: a document update was dropped */
export const messageRefused = 101;

export type LiveFocus = { kind: 'lane' | 'note' | 'idea'; id: string; seq: number };
export type LiveTimer = { running: boolean; endsAt: number | null; remainingMs: number; durationMs: number };
export type LiveState = {
	phaseId: string | null;
	phaseStartedAt: number | null;
	locked: boolean;
	privateWriting: boolean;
	anonymousReveal: boolean;
	timer: LiveTimer;
	focus: LiveFocus | null;
	revealSeq: number;
};

export const refusalReasons = ['locked', 'phase', 'private', 'observer'] as const;
/** Why a participant's document update was dropped. */
export type RefusalReason = (typeof refusalReasons)[number];

/** Before any phase: nothing locked, no timer. */
export const idleLiveState = (): LiveState => ({
	phaseId: null,
	phaseStartedAt: null,
	locked: false,
	privateWriting: false,
	anonymousReveal: false,
	timer: { running: false, endsAt: null, remainingMs: 0, durationMs: 0 },
	focus: null,
	revealSeq: 0
});
