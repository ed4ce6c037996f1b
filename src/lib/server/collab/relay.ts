// Several app nodes behind a load balancer: each loaded room's changes, presence and the live cockpit's messages cross
// to the other nodes through Redis pub/sub (the Hocuspocus-Redis design; measured against routing each workshop to one
// node in B12). Durability stays with the database: a node saves a change before it publishes or sends it, so pub/sub
// being at-most-once costs latency at worst, never data (a node that missed messages re-reads the stored log).
// Shared with the WebSocket upgrade path: no $app or $env imports, relative imports only.
import { randomUUID } from 'node:crypto';
import { createClient } from '@redis/client';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { LiveState } from './live-state';
import type { PhaseKind } from '../db/schema';

/** What the cockpit and the access rules tell every node (JSON over the relay). */
export type ClusterEvent =
	| { type: 'live'; workshopId: string; state: LiveState; serverNow: number; phaseKind: PhaseKind | null }
	| { type: 'vote'; workshopId: string; vote: unknown }
	| { type: 'roster'; workshopId: string }
	/**
	 * the participants on the workshop's board at the sending node, and the note counts of the private documents it
	 * has loaded (sent on change and every few seconds)
	 */
	| { type: 'presence'; workshopId: string; participants: string[]; privateNotes: Record<string, number> }
	/** a node (re)subscribed: the others send their presence again */
	| { type: 'hello' }
	| { type: 'disconnectParticipant'; workshopId: string; participantId: string }
	| { type: 'setRole'; workshopId: string; participantId: string; role: 'participant' | 'observer' }
	| { type: 'closeRoom'; workshopId: string }
	| { type: 'closeSession'; sessionId: string }
	| { type: 'closeUser'; userId: string };

export type RelayFrame =
	/** a saved change of a room (board or private document), as a Yjs update */
	| { kind: 'update'; room: string; update: Uint8Array }
	/** a y-protocols awareness update of a room's local people */
	| { kind: 'awareness'; room: string; update: Uint8Array }
	| { kind: 'event'; event: ClusterEvent };

export interface Relay {
	readonly nodeId: string;
	/** Sends to every other node; never throws (a lost frame is repaired by the next re-read). */
	publish(frame: RelayFrame): void;
	/** Frames from the other nodes (never this node's own), with the sending node's id. */
	subscribe(listener: (frame: RelayFrame, from: string) => void): void;
	/**
	 * Called when this node may lack saved changes: its subscription was (re)established (frames published meanwhile
	 * were missed), or another node went away (killed between saving a change and publishing it).
	 */
	onGap(listener: () => void): void;
	close(): Promise<void>;
}

const kinds = { update: 1, awareness: 2, event: 3 } as const;

export function encodeFrame(nodeId: string, frame: RelayFrame): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, kinds[frame.kind]);
	encoding.writeVarString(encoder, nodeId);
	if (frame.kind === 'event') encoding.writeVarString(encoder, JSON.stringify(frame.event));
	else {
		encoding.writeVarString(encoder, frame.room);
		encoding.writeVarUint8Array(encoder, frame.update);
	}
	return encoding.toUint8Array(encoder);
}

export function decodeFrame(bytes: Uint8Array): { nodeId: string; frame: RelayFrame } {
	const decoder = decoding.createDecoder(bytes);
	const kind = decoding.readVarUint(decoder);
	const nodeId = decoding.readVarString(decoder);
	if (kind === kinds.event) return { nodeId, frame: { kind: 'event', event: JSON.parse(decoding.readVarString(decoder)) as ClusterEvent } };
	const room = decoding.readVarString(decoder);
	const update = decoding.readVarUint8Array(decoder);
	if (kind === kinds.update) return { nodeId, frame: { kind: 'update', room, update } };
	if (kind === kinds.awareness) return { nodeId, frame: { kind: 'awareness', room, update } };
	throw new Error(`relay: unknown frame kind ${kind}`);
}

/**
 * The relay over one Redis (or Valkey) pub/sub channel. One channel keeps the order in which Redis received the
 * frames, so a change never reaches a node before the change it was built on.
 */
export function createRedisRelay(url: string, options: { channel?: string; watchEveryMs?: number; log?: Pick<Console, 'error' | 'warn'> } = {}): Relay {
	const nodeId = randomUUID();
	const channel = options.channel ?? 'verstas:collab';
	const log = options.log ?? console;
	const publisher = createClient({ url });
	const subscriber = publisher.duplicate();
	const listeners: ((frame: RelayFrame, from: string) => void)[] = [];
	const gapListeners: (() => void)[] = [];
	let closed = false;
	let lastError = 0;
	const report = (what: string) => (error: unknown) => {
		// A Redis outage would otherwise log every frame: once a minute is enough to be seen.
		if (Date.now() - lastError < 60_000) return;
		lastError = Date.now();
		log.error(`relay: ${what}`, error);
	};
	publisher.on('error', report('publisher'));
	subscriber.on('error', report('subscriber'));

	const receive = (message: Buffer) => {
		let decoded;
		try {
			decoded = decodeFrame(message);
		} catch (error) {
			log.warn('relay: dropped an unreadable frame', error);
			return;
		}
		if (decoded.nodeId === nodeId) return;
		for (const listener of listeners) {
			try {
				listener(decoded.frame, decoded.nodeId);
			} catch (error) {
				log.error('relay: a frame could not be handled', error);
			}
		}
	};

	const gap = () => {
		for (const listener of gapListeners) listener();
	};
	// node-redis subscribes again by itself after a reconnection; 'ready' tells us when (the gap may have lost frames).
	let subscribedOnce = false;
	subscriber.on('ready', () => {
		if (subscribedOnce) gap();
	});
	void publisher.connect().catch(report('connect'));
	void subscriber
		.connect()
		.then(() => subscriber.subscribe(channel, receive, true))
		.then(() => {
			subscribedOnce = true;
			gap();
		})
		.catch(report('subscribe'));

	// Redis drops a killed node's subscription at once (its socket closes): fewer subscribers means a node went away.
	let subscribers = 0;
	const watch = setInterval(() => {
		if (!publisher.isReady) return;
		publisher
			.pubSubNumSub(channel)
			.then((counts) => {
				const now = Number(Object.values(counts)[0] ?? 0);
				if (now < subscribers) gap();
				subscribers = now;
			})
			.catch(report('watch'));
	}, options.watchEveryMs ?? 1000);
	watch.unref();

	return {
		nodeId,
		publish(frame) {
			if (closed) return;
			publisher.publish(channel, Buffer.from(encodeFrame(nodeId, frame))).catch(report('publish'));
		},
		subscribe(listener) {
			listeners.push(listener);
		},
		onGap(listener) {
			gapListeners.push(listener);
		},
		async close() {
			if (closed) return;
			closed = true;
			clearInterval(watch);
			await Promise.allSettled([publisher.close(), subscriber.close()]);
		}
	};
}

let processRelay: Relay | null | undefined;

/** The process's relay when VERSTAS_REDIS_URL is set (several nodes); null for the single-process app. */
export function relayFromEnv(): Relay | null {
	if (processRelay === undefined) {
		const url = process.env.VERSTAS_REDIS_URL;
		processRelay = url ? createRedisRelay(url) : null;
	}
	return processRelay;
}

export async function closeProcessRelay() {
	const relay = processRelay;
	processRelay = undefined;
	await relay?.close();
}
