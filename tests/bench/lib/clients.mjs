// Real y-websocket clients (WebsocketProvider + Node's `ws` with a browser's headers), and the edit/latency
// workload shared by the propagation benchmarks.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import * as decoding from 'lib0/decoding';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

// Every provider adds a process 'exit' listener; hundreds of them are expected here.
process.setMaxListeners(0);

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(check, what, timeoutMs = 30_000, intervalMs = 10) {
	const deadline = performance.now() + timeoutMs;
	while (!check()) {
		if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(intervalMs);
	}
}

/** A `ws` WebSocket class that sends the headers a browser would (cookie, Origin). */
export function headerWebSocket(headers) {
	return class extends WebSocket {
		constructor(url, protocols, options) {
			super(url, protocols ?? [], { ...options, headers: { ...options?.headers, ...headers } });
		}
	};
}

/**
 * Where a bench's clients connect: for Verstas ws://host/collab/{workshopId} with the guest cookie and the
 * server's Origin; for the reference ws://host/{room} without either.
 */
export function target(server, { room, cookies = [] }) {
	const ws = server.url.replace(/^http/, 'ws');
	if (server.kind === 'verstas') return { serverUrl: `${ws}/collab`, room, origin: server.url, cookies };
	return { serverUrl: ws, room, origin: null, cookies: [] };
}

function headersOf(t, i) {
	const headers = {};
	if (t.origin) headers.origin = t.origin;
	if (t.cookies.length) headers.cookie = t.cookies[i % t.cookies.length];
	return headers;
}

/**
 * The author client i's notes carry: the server refuses any but the connection's own (its guest's participant id, from
 * the cookie `verstas_guest_<workshopId>=<participantId>.<secret>`, and the name createWorkshops gave it).
 */
function authorOf(t, i) {
	if (!t.cookies.length) return { id: `guest-${i}`, name: `Guest ${i + 1}` };
	const k = i % t.cookies.length;
	return { id: t.cookies[k].split('=')[1].split('.')[0], name: `Guest ${k + 1}` };
}

/** One board client as the board page creates it (disableBc; the server's own types 100–106 ignored). */
export function connectClient(t, i, { maxBackoffTime = 2500, doc = new Y.Doc(), connect = true, light = null } = {}) {
	const provider = new WebsocketProvider(t.serverUrl, t.room, doc, {
		WebSocketPolyfill: headerWebSocket(headersOf(t, i)),
		disableBc: true,
		maxBackoffTime,
		connect: false
	});
	for (const type of [100, 101, 102, 104, 105, 106]) provider.messageHandlers[type] = () => {};
	const onText = light?.(i); // null: a full client
	if (onText) lightReceiver(provider, onText);
	const client = {
		i,
		author: authorOf(t, i),
		doc,
		provider,
		closes: [],
		destroy() {
			provider.destroy();
			doc.destroy();
		}
	};
	provider.on('connection-close', (event) => client.closes.push(event?.code ?? null));
	if (connect) provider.connect();
	return client;
}

/**
 * A light receiver: the provider does everything a board client does (handshake, answering the server's
 * sync step 1 from its own document, awareness, reconnects, sending its own edits) except applying the
 * board's updates it receives. Instead `onText(text)` is called for every bench edit text found in them
 * (`bench|…` strings are stored verbatim in Yjs updates). Its document holds only its own note, so its
 * edits are valid updates; others' presence is not decoded either. This keeps the clients' CPU small enough that the server is what is measured.
 */
function lightReceiver(provider, onText) {
	const full = provider.messageHandlers[0];
	provider.messageHandlers[0] = (encoder, decoder, p, emitSynced, type) => {
		const start = decoder.pos;
		const step = decoding.readVarUint(decoder);
		if (step === 0) {
			decoder.pos = start;
			return full(encoder, decoder, p, emitSynced, type);
		}
		const bytes = decoder.arr;
		scanTexts(Buffer.from(bytes.buffer, bytes.byteOffset + decoder.pos, bytes.byteLength - decoder.pos), onText);
		if (emitSynced && step === 1 && !p.synced) p.synced = true;
	};
	// Others' presence is received but not decoded (a browser would render it; here it would only cost CPU).
	provider.messageHandlers[1] = () => {};
}

const marker = Buffer.from('bench|');
function scanTexts(buffer, onText) {
	let at = buffer.indexOf(marker);
	while (at >= 0) {
		let end = at + marker.length;
		// bench|<client>|<seq>|<ms with fraction>
		while (end < buffer.length && ((buffer[end] >= 48 && buffer[end] <= 57) || buffer[end] === 124 || buffer[end] === 46)) end++;
		onText(buffer.toString('latin1', at, end));
		at = buffer.indexOf(marker, end);
	}
}

/** Connects `count` clients, `batch` at a time, each batch synced before the next. */
export async function connectMany(t, indices, options = {}) {
	const { batch = 50, timeoutMs = 60_000 } = options;
	const clients = [];
	for (let start = 0; start < indices.length; start += batch) {
		const group = indices.slice(start, start + batch).map((i) => connectClient(t, i, { ...options, doc: options.docs?.() ?? new Y.Doc() }));
		clients.push(...group);
		await waitFor(() => group.every((c) => c.provider.synced), `${group.length} clients to sync`, timeoutMs);
	}
	return clients;
}

/** Milliseconds on CLOCK_MONOTONIC: the same clock in every process of the machine. */
export const monoMs = () => Number(process.hrtime.bigint()) / 1e6;

const lanes = ['lane-1', 'lane-2', 'lane-3', 'lane-4'];

/**
 * Sets the bench client's own note (`bench-note-{i}`) to `text`, creating it on the first edit with the fields and
 * author the board expects (the server refuses a note written under someone else's name).
 */
export function writeBenchNote(client, text) {
	const notes = client.doc.getMap('notes');
	const id = `bench-note-${client.i}`;
	client.doc.transact(() => {
		const note = notes.get(id);
		if (note) return note.set('text', text);
		const map = new Y.Map();
		for (const [key, value] of Object.entries({
			text,
			lane: lanes[client.i % lanes.length],
			color: 'yellow',
			clusterId: null,
			authorId: client.author.id,
			authorName: client.author.name,
			createdAt: Date.now()
		}))
			map.set(key, value);
		notes.set(id, map);
	});
}

export function destroyAll(clients) {
	for (const client of clients) {
		try {
			client.destroy();
		} catch {}
	}
}

/** This (client) process's CPU and event-loop delay over a window: shows when the clients, not the server, are the limit. */
export function startClientMeter() {
	const histogram = monitorEventLoopDelay({ resolution: 1 });
	histogram.enable();
	const cpu0 = process.cpuUsage();
	const t0 = performance.now();
	return {
		stop() {
			histogram.disable();
			const cpu = process.cpuUsage(cpu0);
			const elapsed = performance.now() - t0;
			return {
				cpuPercent: ((cpu.user + cpu.system) / 1000 / elapsed) * 100,
				loopDelayP99Ms: histogram.percentile(99) / 1e6,
				loopDelayMaxMs: histogram.max / 1e6
			};
		}
	};
}
