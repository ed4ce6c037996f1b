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
/** Server → each connection of the shared board, `DoneLive` as a JSON varString: the "done" count of the phase run */
export const messageDone = 105;
/** Server → facilitators' connections of the shared board only, `Roster` as a JSON varString: who is here, who is
 * done, and during private writing each person's count of private notes (never their content) */
export const messageRoster = 106;

/**
 * Every message type the server may send besides y-websocket's own. A y-websocket provider logs "Unable to compute
 * message" for a type it has no handler for: every provider the browser opens to the collab server handles these.
 */
export const serverMessageTypes = [messageLive, messageRefused, messageVote, messageVoteAnswer, messageDone, messageRoster] as const;

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
	/** grows every time a phase is opened (or re-opened, or ended): "done" marks belong to one run */
	phaseRun: number;
};

export const refusalReasons = ['locked', 'phase', 'private', 'observer', 'tooLong', 'full'] as const;
/** Why a participant's document update was dropped. */
export type RefusalReason = (typeof refusalReasons)[number];
/**
 * A refusal no honest board causes, so nothing is shown for it: a reaction written under another person's id. The
 * board starts again from the server's state, as after any refusal.
 */
export const forgeryRefusal = 'author';
/** Every reason a type-101 message may carry. */
export type WireRefusal = RefusalReason | typeof forgeryRefusal;

/** Before any phase: nothing locked, no timer. */
export const idleLiveState = (): LiveState => ({
	phaseId: null,
	phaseStartedAt: null,
	locked: false,
	privateWriting: false,
	anonymousReveal: false,
	timer: { running: false, endsAt: null, remainingMs: 0, durationMs: 0 },
	focus: null,
	revealSeq: 0,
	phaseRun: 0
});

/**
 * The "valmis / klar / done" signal of the current phase run, as one connection sees it. `done` of `total`:
 * participants marked done, of those on the board now or marked done (facilitators and observers never count).
 * `counted`: this connection is a participant who may mark themselves; `mine`: they did.
 */
export type DoneLive = {
	run: number;
	phaseId: string | null;
	done: number;
	total: number;
	counted: boolean;
	mine: boolean;
};

/** One person in the facilitator's roster. `privateNotes` is null when private writing is off. */
export type RosterPerson = { id: string; name: string; present: boolean; done: boolean; privateNotes: number | null };

/** What only facilitators receive: everyone who counts, with their done mark and private-note count. */
export type Roster = {
	run: number;
	phaseId: string | null;
	privateWriting: boolean;
	done: number;
	total: number;
	/** the sum of everyone's private notes while private writing is on, else null */
	privateTotal: number | null;
	people: RosterPerson[];
};

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
