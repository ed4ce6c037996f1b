// B13's clients in each server's own protocol: Verstas and the y-websocket reference through y-websocket's
// WebsocketProvider (clients.mjs connectClient), Hocuspocus through its own HocuspocusProvider (3.4.4). All three
// can be light receivers: the provider does everything a board client does except applying others' updates, which
// are scanned for the bench's edit texts instead (see clients.mjs), so the servers are what is measured.
import { HocuspocusProvider } from '@hocuspocus/provider';
import * as decoding from 'lib0/decoding';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { connectClient, waitFor } from './clients.mjs';

/**
 * `onText` for an editor that does not record: it receives every message like the others, but the updates in them are
 * neither applied nor scanned (at 1,000 editors, scanning a million texts a second would take a core of the 2).
 */
export const DEAF = () => {};

/** Where a Hocuspocus server's clients connect: every document on one socket URL, named in each message. */
export function hocuspocusTarget(server, room) {
	return { protocol: 'hocuspocus', serverUrl: server.url.replace(/^http/, 'ws'), room, origin: null, cookies: [] };
}

const marker = Buffer.from('bench|');
/**
 * Calls onText for every `bench|<client>|<seq>|<ms>` text in the bytes (Yjs stores strings verbatim, each after its
 * length as a varuint: one byte for these). The length is what ends a text: clients.mjs's scanner ends it at the
 * first byte that is not a digit, `|` or `.`, and in a merged update the byte after the last text can be one (the
 * delete set's client count: 46 is `.`, which made the text's time NaN and the edit look undelivered).
 */
export function scanTexts(buffer, onText) {
	let at = buffer.indexOf(marker);
	while (at >= 0) {
		const length = at > 0 ? buffer[at - 1] : 0;
		let end;
		if (length >= marker.length && length < 128 && at + length <= buffer.length) end = at + length;
		else {
			end = at + marker.length;
			while (end < buffer.length && ((buffer[end] >= 48 && buffer[end] <= 57) || buffer[end] === 124 || buffer[end] === 46)) end++;
		}
		onText(buffer.toString('latin1', at, end));
		at = buffer.indexOf(marker, end);
	}
}

// Hocuspocus message types (@hocuspocus/common MessageType) and y-protocols' sync steps
const SYNC = 0;
const AWARENESS = 1;
const STEP1 = 0;
const STEP2 = 1;

/**
 * One Hocuspocus client as an app creates it (its own socket, the document named `t.room`). With `onText` a light
 * receiver: sync step 2 and updates from the server are scanned, not applied; others' presence is not decoded.
 */
export function connectHocuspocus(t, i, { doc = new Y.Doc(), onText = null } = {}) {
	const provider = new HocuspocusProvider({ url: t.serverUrl, name: t.room, document: doc, WebSocketPolyfill: WebSocket, token: null });
	if (onText) {
		const full = provider.onMessage.bind(provider);
		provider.onMessage = (event) => {
			const bytes = new Uint8Array(event.data);
			const decoder = decoding.createDecoder(bytes);
			decoding.readVarString(decoder);
			const type = decoding.readVarUint(decoder);
			if (type === AWARENESS) return;
			if (type === SYNC) {
				const start = decoder.pos;
				const step = decoding.readVarUint(decoder);
				if (step !== STEP1) {
					if (onText !== DEAF) scanTexts(Buffer.from(bytes.buffer, bytes.byteOffset + decoder.pos, bytes.byteLength - decoder.pos), onText);
					if (step === STEP2) provider.synced = true;
					return;
				}
				decoder.pos = start;
			}
			full(event);
		};
	}
	const client = {
		i,
		author: { id: `guest-${i}`, name: `Guest ${i + 1}` },
		doc,
		provider,
		closes: [],
		destroy() {
			provider.destroy();
			doc.destroy();
		}
	};
	provider.on('close', ({ event }) => client.closes.push(event?.code ?? null));
	return client;
}

/** A client of whichever protocol the target speaks; `onText` makes it a light receiver. */
export function connectAny(t, i, { doc, onText = null } = {}) {
	if (t.protocol === 'hocuspocus') return connectHocuspocus(t, i, { doc, onText });
	const client = connectClient(t, i, { doc, light: onText ? () => onText : null });
	if (onText && onText !== DEAF) {
		// clients.mjs's light receiver, with the scanner above
		const light = client.provider.messageHandlers[0];
		client.provider.messageHandlers[0] = (encoder, decoder, provider, emitSynced, type) => {
			const start = decoder.pos;
			const step = decoding.readVarUint(decoder);
			if (step === STEP1) {
				decoder.pos = start;
				return light(encoder, decoder, provider, emitSynced, type);
			}
			const bytes = decoder.arr;
			scanTexts(Buffer.from(bytes.buffer, bytes.byteOffset + decoder.pos, bytes.byteLength - decoder.pos), onText);
			if (step === STEP2 && emitSynced && !provider.synced) provider.synced = true;
		};
	}
	if (onText === DEAF) {
		const scanning = client.provider.messageHandlers[0];
		client.provider.messageHandlers[0] = (encoder, decoder, provider, emitSynced, type) => {
			const start = decoder.pos;
			const step = decoding.readVarUint(decoder);
			decoder.pos = start;
			if (step === STEP1) return scanning(encoder, decoder, provider, emitSynced, type);
			if (step === STEP2 && emitSynced && !provider.synced) provider.synced = true;
		};
	}
	return client;
}

/** Connects the clients `batch` at a time, each batch synced before the next. */
export async function connectAll(t, indices, { batch = 25, timeoutMs = 60_000, onTextFor = () => null } = {}) {
	const clients = [];
	for (let start = 0; start < indices.length; start += batch) {
		const group = indices.slice(start, start + batch).map((i) => connectAny(t, i, { onText: onTextFor(i) }));
		clients.push(...group);
		await waitFor(() => group.every((c) => c.provider.synced), `${group.length} clients to sync`, timeoutMs);
	}
	return clients;
}
