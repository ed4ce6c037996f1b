// The y-websocket wire protocol (the same bytes as y-websocket-server's utils.js), written with lib0.
import * as encoding from 'lib0/encoding';

export const messageSync = 0;
export const messageAwareness = 1;
export const messageAuth = 2;
export const messageQueryAwareness = 3;
import {
	messageDone,
	messageLive,
	messageRefused,
	messageRoster,
	messageVote,
	messageVoteAnswer,
	messageVoteCast,
	type WireRefusal
} from '../../live-protocol';

export { messageDone, messageLive, messageRefused, messageRoster, messageVote, messageVoteAnswer, messageVoteCast };

export const syncStep1 = 0;
export const syncStep2 = 1;
export const syncUpdate = 2;

/** y-protocols/auth: the only auth message is "permission denied" with a reason. */
const authPermissionDenied = 0;

/**
 * Close codes. 4400–4499 are permanent for the y-websocket client (it stops reconnecting); every other
 * code is transient and the client reconnects with backoff.
 */
export const closeCodes = {
	/** a text frame: the protocol is binary */
	unsupportedData: 1003,
	/** a message that cannot be decoded or applied */
	malformed: 1007,
	/** more messages per second than allowed */
	flood: 1008,
	/** a frame over maxPayload (sent by `ws` itself) */
	tooBig: 1009,
	/** the room could not be loaded or persisted; reconnecting reloads it from the database */
	serverError: 1011,
	/** graceful shutdown */
	restart: 1012,
	/** the participant's role changed: reconnect, so the page reloads as participant or observer */
	roleChanged: 4100,
	/** a participant's update was refused (type 101 says why): start again from the board's state */
	refused: 4101,
	/** the participant was removed from the workshop */
	removed: 4403,
	/** the workshop was deleted */
	deleted: 4404
} as const;

function message(write: (encoder: encoding.Encoder) => void) {
	const encoder = encoding.createEncoder();
	write(encoder);
	return encoding.toUint8Array(encoder);
}

export function encodeSyncStep1(stateVector: Uint8Array) {
	return message((e) => {
		encoding.writeVarUint(e, messageSync);
		encoding.writeVarUint(e, syncStep1);
		encoding.writeVarUint8Array(e, stateVector);
	});
}

export function encodeSyncStep2(update: Uint8Array) {
	return message((e) => {
		encoding.writeVarUint(e, messageSync);
		encoding.writeVarUint(e, syncStep2);
		encoding.writeVarUint8Array(e, update);
	});
}

export function encodeUpdate(update: Uint8Array) {
	return message((e) => {
		encoding.writeVarUint(e, messageSync);
		encoding.writeVarUint(e, syncUpdate);
		encoding.writeVarUint8Array(e, update);
	});
}

/** An awareness message from already-serialised entries (state JSON, "null" for a removed client). */
export function encodeAwareness(entries: readonly { clientId: number; clock: number; json: string }[]) {
	const inner = message((e) => {
		encoding.writeVarUint(e, entries.length);
		for (const entry of entries) {
			encoding.writeVarUint(e, entry.clientId);
			encoding.writeVarUint(e, entry.clock);
			encoding.writeVarString(e, entry.json);
		}
	});
	return message((e) => {
		encoding.writeVarUint(e, messageAwareness);
		encoding.writeVarUint8Array(e, inner);
	});
}

export function encodePermissionDenied(reason: string) {
	return message((e) => {
		encoding.writeVarUint(e, messageAuth);
		encoding.writeVarUint(e, authPermissionDenied);
		encoding.writeVarString(e, reason);
	});
}

/** Type 100: the live state with the server's clock, so clients can correct for their own. */
export function encodeLive(state: unknown, serverNow: number) {
	return message((e) => {
		encoding.writeVarUint(e, messageLive);
		encoding.writeVarString(e, JSON.stringify({ state, serverNow }));
	});
}

/** Type 101: why the connection's document update was dropped. */
export function encodeRefused(reason: WireRefusal) {
	return message((e) => {
		encoding.writeVarUint(e, messageRefused);
		encoding.writeVarString(e, JSON.stringify({ reason }));
	});
}

/** Type 102: the current vote round's status, turnout and visible results. */
export function encodeVote(vote: unknown) {
	return message((e) => {
		encoding.writeVarUint(e, messageVote);
		encoding.writeVarString(e, JSON.stringify(vote));
	});
}

/** Type 104: the answer to one vote this connection sent (type 103). */
export function encodeVoteAnswer(answer: unknown) {
	return message((e) => {
		encoding.writeVarUint(e, messageVoteAnswer);
		encoding.writeVarString(e, JSON.stringify(answer));
	});
}

/** Type 105 (done count) or 106 (the facilitators' roster), already serialised. */
export function encodeJson(type: typeof messageDone | typeof messageRoster, json: string) {
	return message((e) => {
		encoding.writeVarUint(e, type);
		encoding.writeVarString(e, json);
	});
}
