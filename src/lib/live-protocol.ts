// What the collab server and the browser say to each other about a live workshop, beyond y-websocket's own
// messages. Shared by both sides, so it imports nothing server-only.

/** `{ state: LiveState, serverNow }` as a JSON varString, on connect and on every change */
export const messageLive = 100;
/** `{ reason: RefusalReason }` as a JSON varString: a document update was dropped */
export const messageRefused = 101;
/** `VoteLive` as a JSON varString: the current vote round's status, turnout and (when visible) results */
export const messageVote = 102;
/** Browser → server, `VoteCast` as a JSON varString: one vote sent on the board's socket (no HTTP request per tap) */
export const messageVoteCast = 103;
/** Server → that browser, `VoteCastAnswer` as a JSON varString: the answer to the vote with the same request id */
export const messageVoteAnswer = 104;

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

/** One item's result in a vote round: scores and counts only, never who voted. */
export type VoteResult = {
	itemId: string;
	/** dot: points; ranking: Borda score; rating: mean impact + mean feasibility */
	score: number;
	/** competition ranking: ties share a rank and the next rank skips */
	rank: number;
	/** how many voters gave this item anything */
	voters: number;
	meanImpact: number | null;
	meanFeasibility: number | null;
	chosen: boolean;
};

/**
 * The workshop's current vote round as every screen sees it. `results` is null while they are hidden.
 * `present`: people on the board who may vote (participants only: not facilitators, not observers).
 */
export type VoteLive = {
	roundId: string;
	status: 'open' | 'closed' | 'revealed';
	turnout: number;
	present: number;
	results: VoteResult[] | null;
};

/** One vote, as the board's vote panel sends it (on the socket or as a form); the server checks everything. */
export type VoteCast = { roundId: string; requestId: string } & (
	| { method: 'dot'; itemId: string; delta: 1 | -1 }
	| { method: 'ranking'; itemIds: string[] }
	| { method: 'rating'; ratings: { itemId: string; impact: number; feasibility: number }[] }
);

/** Why a vote was refused (nothing changed). `unavailable`: the server could not store it now, try the form. */
export type VoteRefusal =
	| 'closed'
	| 'budget'
	| 'cap'
	| 'unknown_item'
	| 'locked'
	| 'no_points'
	| 'invalid'
	| 'incomplete'
	| 'not_voter'
	| 'unavailable';

/** The voter's own votes in the round after an attempt, whatever its method. */
export type MyVotes = {
	points: Record<string, number>;
	pointsLeft: number;
	ranking: string[];
	ratings: Record<string, { impact: number; feasibility: number }>;
};

export type VoteCastAnswer = { requestId: string } & ({ ok: true; mine: MyVotes } | { ok: false; reason: VoteRefusal; mine: MyVotes | null });
