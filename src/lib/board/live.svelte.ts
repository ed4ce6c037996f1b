// The browser side of running a workshop live: the server's phase, lock, private-writing and timer state,
// received on the board's own socket (message 100), the reasons the server refuses a change (message 101), the vote
// round's figures (102), votes sent on the same socket with their answers (103/104), the "done" count (105) and,
// for facilitators only, the roster of who is here, done, and writing privately (106).
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { boardSocketUrl } from './client.svelte';
import { viewBoard, type Note } from './model';

export type PhaseKind = 'orientation' | 'ideas' | 'grouping' | 'voting' | 'canvas' | 'commitments' | 'free';
import {
	forgeryRefusal,
	idleLiveState,
	messageDone,
	messageLive,
	messageRefused,
	messageRoster,
	messageVote,
	messageVoteAnswer,
	messageVoteCast,
	refusalReasons,
	serverMessageTypes,
	type DoneLive,
	type Roster,
	type VoteCast,
	type VoteCastAnswer,
	type VoteLive,
	type LiveFocus,
	type LiveState,
	type LiveTimer,
	type RefusalReason as RefusedReason
} from '../live-protocol';

export {
	messageLive,
	messageRefused,
	messageVote,
	type DoneLive,
	type Roster,
	type VoteLive,
	type LiveFocus,
	type LiveState,
	type LiveTimer,
	type RefusedReason
};
/** A phase of the agenda, with what it lets participants do (decided by the server). */
export type Phase = { id: string; kind: PhaseKind; title: string; durationMinutes: number; addNotes: boolean; edit: boolean };

const refusedReasons = new Set<string>(refusalReasons);

/** Milliseconds left on the timer by the server's clock, given our estimate of the clock offset. */
export function timerRemaining(timer: LiveTimer, now: number, offset: number) {
	if (!timer.running || timer.endsAt === null) return Math.max(0, timer.remainingMs);
	return Math.max(0, timer.endsAt - (now + offset));
}

export function formatClock(ms: number) {
	const total = Math.ceil(ms / 1000);
	const minutes = Math.floor(total / 60);
	const seconds = total % 60;
	return `${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
}

/**
 * Every message type the collab server sends besides y-websocket's own gets a handler on this provider (one that
 * ignores it unless given): without one, y-websocket logs "Unable to compute message" for each.
 */
export function acceptServerMessages(provider: WebsocketProvider) {
	for (const type of serverMessageTypes) provider.messageHandlers[type] ??= () => {};
}

/** A JSON message's object body (our own server's), or null when it is not one. */
function readObject<T>(decoder: decoding.Decoder): T | null {
	try {
		const value: unknown = JSON.parse(decoding.readVarString(decoder));
		return value && typeof value === 'object' ? (value as T) : null;
	} catch {
		return null;
	}
}

function isLiveState(value: unknown): value is LiveState {
	if (!value || typeof value !== 'object') return false;
	const state = value as Partial<LiveState>;
	return typeof state.locked === 'boolean' && !!state.timer && typeof state.timer === 'object';
}

/** Live state as reactive fields; attach() hooks it onto a board's WebsocketProvider. */
export class LiveClient {
	state = $state.raw<LiveState>(idleLiveState());
	/** serverNow − Date.now() when the last state arrived */
	offset = $state(0);
	/** True once the server has sent its state at least once (a server without live support never does). */
	received = $state(false);
	refused = $state<{ reason: RefusedReason; key: number } | null>(null);
	/** How many changes the server has refused and dropped the connection for: the board starts again from its state. */
	refusals = $state(0);
	/** The current vote round as last announced (turnout, visible results); null until one is. */
	vote = $state.raw<VoteLive | null>(null);
	/** The done signal of the current phase run as this person sees it (the page load's, then the server's). */
	done = $state.raw<DoneLive | null>(null);
	/** Facilitators only: who is here, who is done, and private-note counts (never content). Null until sent. */
	roster = $state.raw<Roster | null>(null);
	now = $state(Date.now());

	#timer: ReturnType<typeof setInterval> | null = null;
	#ticking = 0;
	#refusals = 0;
	#provider: WebsocketProvider | null = null;
	/** votes sent on the socket, by request id, waiting for the server's answer */
	#votes = new Map<string, (answer: VoteCastAnswer) => void>();

	constructor(initial?: { state: LiveState; serverNow: number; done?: DoneLive | null } | null) {
		if (initial) this.#apply(initial.state, initial.serverNow);
		if (initial?.done) this.done = initial.done;
	}

	/** This person's own mark as the server answered their form, shown at once (the counts follow on the socket). */
	markDone(answer: { run: number; mine: boolean }) {
		if (this.done?.run === answer.run) this.done = { ...this.done, mine: answer.mine };
	}

	#apply(state: LiveState, serverNow: number) {
		if (Number.isFinite(serverNow)) this.offset = serverNow - Date.now();
		this.state = state;
	}

	attach(provider: WebsocketProvider) {
		this.#provider = provider;
		provider.messageHandlers[messageDone] = (_encoder, decoder) => {
			this.done = readObject<DoneLive>(decoder) ?? this.done;
		};
		provider.messageHandlers[messageRoster] = (_encoder, decoder) => {
			this.roster = readObject<Roster>(decoder) ?? this.roster;
		};
		provider.messageHandlers[messageVoteAnswer] = (_encoder, decoder) => {
			try {
				const answer = JSON.parse(decoding.readVarString(decoder)) as VoteCastAnswer;
				if (answer && typeof answer.requestId === 'string') this.#votes.get(answer.requestId)?.(answer);
			} catch {
				// A malformed message changes nothing.
			}
		};
		provider.messageHandlers[messageLive] = (_encoder, decoder) => {
			try {
				const message = JSON.parse(decoding.readVarString(decoder)) as { state?: unknown; serverNow?: unknown };
				if (!isLiveState(message.state)) return;
				this.#apply(message.state, Number(message.serverNow));
				this.received = true;
			} catch {
				// A malformed message changes nothing.
			}
		};
		provider.messageHandlers[messageVote] = (_encoder, decoder) => {
			try {
				const vote = JSON.parse(decoding.readVarString(decoder)) as VoteLive;
				if (vote && typeof vote.roundId === 'string' && typeof vote.turnout === 'number') this.vote = vote;
			} catch {
				// A malformed message changes nothing.
			}
		};
		provider.messageHandlers[messageRefused] = (_encoder, decoder) => {
			try {
				const message = JSON.parse(decoding.readVarString(decoder)) as { reason?: unknown };
				// A reaction written for someone else: no honest board does it, so nothing is shown, but the board starts
				// again from the server's state like after any refusal.
				if (message.reason === forgeryRefusal) {
					this.refusals += 1;
					return;
				}
				const reason = message.reason as RefusedReason;
				if (!refusedReasons.has(reason)) return;
				const key = ++this.#refusals;
				this.refused = { reason, key };
				// The server closes the connection after refusing a change (not an observer's): start again from its state.
				if (reason !== 'observer') this.refusals += 1;
				setTimeout(() => {
					if (this.refused?.key === key) this.refused = null;
				}, 15_000);
			} catch {
				// ignore
			}
		};
		acceptServerMessages(provider);
	}

	/**
	 * Sends a vote on the board's socket (no HTTP request per tap). Resolves with the server's answer, or null when
	 * the socket is not open or no answer came in time: the caller then sends the same vote as a form, and its
	 * request id makes sure it is counted once.
	 */
	castVote(cast: VoteCast, timeoutMs = 4000): Promise<VoteCastAnswer | null> {
		const ws = this.#provider?.wsconnected ? this.#provider.ws : null;
		if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.resolve(null);
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, messageVoteCast);
		encoding.writeVarString(encoder, JSON.stringify(cast));
		ws.send(encoding.toUint8Array(encoder));
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.#votes.delete(cast.requestId);
				resolve(null);
			}, timeoutMs);
			this.#votes.set(cast.requestId, (answer) => {
				clearTimeout(timer);
				this.#votes.delete(cast.requestId);
				resolve(answer);
			});
		});
	}

	/** Starts the clock countdowns are drawn from (shared by every view that shows one); returns its stop. */
	tick() {
		this.#ticking += 1;
		this.#timer ??= setInterval(() => (this.now = Date.now()), 250);
		return () => {
			this.#ticking -= 1;
			if (this.#ticking > 0 || !this.#timer) return;
			clearInterval(this.#timer);
			this.#timer = null;
		};
	}

	get remainingMs() {
		return timerRemaining(this.state.timer, this.now, this.offset);
	}
}

/**
 * A participant's private notes while private writing is on: a document of their own on the server
 * (room `{workshopId}.private.{participantId}`), which only they can open (facilitators see how many notes, never what they say).
 */
export class PrivateNotesClient {
	// A fixed guid: only subdocuments use it, and generating a random one costs every server render a crypto call.
	readonly doc = new Y.Doc({ guid: 'private-notes' });
	notes = $state.raw<Note[]>([]);
	#provider: WebsocketProvider | null = null;

	constructor() {
		const refresh = () => (this.notes = viewBoard(this.doc).notes);
		this.doc.on('update', refresh);
	}

	connect(workshopId: string, participantId: string, location: Pick<Location, 'protocol' | 'host'>) {
		// Not connected until the server's own messages have handlers: its first live state arrives with the handshake.
		const provider = new WebsocketProvider(boardSocketUrl(location), `${workshopId}.private.${participantId}`, this.doc, {
			disableBc: true,
			connect: false
		});
		acceptServerMessages(provider);
		provider.connect();
		this.#provider = provider;
	}

	destroy() {
		this.#provider?.destroy();
		this.doc.destroy();
	}
}
