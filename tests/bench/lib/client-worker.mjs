// A client process: a share of a benchmark's y-websocket clients, driven by the bench over IPC (fleet.mjs).
// Send times and receive times are CLOCK_MONOTONIC milliseconds, the same clock in every process.
import * as Y from 'yjs';
import { connectMany, destroyAll, monoMs, startClientMeter, writeBenchNote } from './clients.mjs';

process.on('disconnect', () => process.exit(0));

let clients = [];
let edits = null;
let presence = null;
let meter = null;

// Latency samples: receive − send for edits of other clients, while recording.
let samples = new Float64Array(1 << 20);
let sampleCount = 0;
let recording = false;
let sentWhileRecording = 0;
let presenceWhileRecording = 0;
let lateEdits = 0;

function pushSample(value) {
	if (sampleCount === samples.length) {
		const bigger = new Float64Array(samples.length * 2);
		bigger.set(samples);
		samples = bigger;
	}
	samples[sampleCount++] = value;
}

function recorder(i) {
	return (text) => {
		if (!recording || typeof text !== 'string' || !text.startsWith('bench|')) return;
		const [, sender, , sentAt] = text.split('|');
		if (Number(sender) !== i) pushSample(monoMs() - Number(sentAt));
	};
}

function observe(client) {
	const notes = client.doc.getMap('notes');
	const record = recorder(client.i);
	notes.observeDeep((events, transaction) => {
		if (transaction.origin !== client.provider) return;
		for (const event of events) {
			if (event.target === notes) {
				for (const key of event.keysChanged) record(notes.get(key)?.get?.('text'));
			} else if (event.keysChanged.has('text')) {
				record(event.target.get('text'));
			}
		}
	});
}

/** Sets the client's note text to `bench|<client>|<seq>|<send time>`; its first edit adds the note (addNote's shape). */
function edit(client) {
	client.seq = (client.seq ?? 0) + 1;
	writeBenchNote(client, `bench|${client.i}|${client.seq}|${monoMs()}`);
	if (recording) sentWhileRecording++;
}

/** Runs `action(client)` for every client on a fixed schedule: client i at t0 + i·period/total + k·period. */
function schedule(t0, period, total, action) {
	const timers = new Map();
	for (const client of clients) {
		let k = 0;
		const offset = (client.i * period) / total;
		const tick = () => {
			if (monoMs() - (t0 + offset + k * period) > period) lateEdits++;
			action(client);
			k++;
			timers.set(client, setTimeout(tick, Math.max(0, t0 + offset + k * period - monoMs())));
		};
		timers.set(client, setTimeout(tick, Math.max(0, t0 + offset - monoMs())));
	}
	return { stop: () => timers.forEach((timer) => clearTimeout(timer)) };
}

const commands = {
	async connect({ target, indices, maxBackoffTime, batch, light, fullEvery = 0, initialUpdate }) {
		// A light fleet may hold a full Yjs client every `fullEvery` clients; then only those record latencies.
		const isFull = (i) => !light || (fullEvery > 0 && i % fullEvery === 0);
		const ignore = () => {};
		const lightFor = (i) => (isFull(i) ? null : fullEvery > 0 ? ignore : recorder(i));
		// initialUpdate: the board the clients already hold (as after an earlier visit), so only the difference syncs
		const docs = initialUpdate ? () => {
			const doc = new Y.Doc();
			Y.applyUpdate(doc, initialUpdate);
			return doc;
		} : undefined;
		clients = await connectMany(target, indices, { maxBackoffTime, batch, light: lightFor, docs });
		for (const client of clients) {
			if (isFull(client.i)) observe(client);
			client.provider.on('sync', (synced) => {
				if (synced) client.syncedAt = monoMs();
			});
		}
		return { connected: clients.length };
	},
	startEdits({ t0, period, total }) {
		edits = schedule(t0, period, total, edit);
	},
	startPresence({ t0, hz, total }) {
		for (const client of clients) client.provider.awareness.setLocalStateField('user', { name: `Guest ${client.i + 1}`, color: '#e07000' });
		presence = schedule(t0, 1000 / hz, total, (client) => {
			const awareness = client.provider.awareness;
			client.moves = (client.moves ?? 0) + 1;
			awareness.setLocalStateField('cursor', { x: Math.round(Math.random() * 1600), y: Math.round(Math.random() * 900) });
			if (client.moves % 10 === 0) awareness.setLocalStateField('focus', `bench-note-${(client.i + client.moves) % total}`);
			if (recording) presenceWhileRecording++;
		});
	},
	record() {
		recording = true;
		sampleCount = 0;
		sentWhileRecording = 0;
		presenceWhileRecording = 0;
		lateEdits = 0;
		meter = startClientMeter();
		for (const client of clients) client.closesAtRecord = client.closes.length;
	},
	stop() {
		recording = false;
		edits?.stop();
		presence?.stop();
		const use = meter?.stop();
		const result = {
			samples: samples.slice(0, sampleCount),
			sent: sentWhileRecording,
			presence: presenceWhileRecording,
			lateEdits,
			closes: clients.reduce((n, c) => n + c.closes.length - (c.closesAtRecord ?? 0), 0),
			cpuPercent: use?.cpuPercent,
			loopDelayP99Ms: use?.loopDelayP99Ms
		};
		return result;
	},
	/** How many clients are synced, and when each last became synced. */
	syncState() {
		return { synced: clients.filter((c) => c.provider.synced).length, total: clients.length, syncedAt: clients.map((c) => c.syncedAt ?? null) };
	},
	/** Document sizes: every client should hold the same board. */
	noteCounts() {
		return clients.map((c) => c.doc.getMap('notes').size);
	},
	close() {
		destroyAll(clients);
		clients = [];
	}
};

process.on('message', async ({ id, command, args }) => {
	try {
		const value = await commands[command](args ?? {});
		process.send({ id, value });
	} catch (error) {
		process.send({ id, error: String(error?.stack ?? error) });
	}
});
process.send({ ready: true });
