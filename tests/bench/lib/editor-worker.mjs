// A B13 client process: a share of the editors on one board, in the target's protocol (protocol-clients.mjs),
// driven over IPC by editor-fleet.mjs. Every editor sets its note's text to `bench|<editor>|<seq>|<send time>` on a
// fixed schedule; the recording editors (every `recordEvery`-th) note when each other editor's edit reaches them.
// Only edits sent inside the measured window count, and they count whenever they arrive until `collect` (so an
// edit still on its way when the edits stop is late, not lost). Times are CLOCK_MONOTONIC ms, the same in every process.
import { destroyAll, monoMs, startClientMeter, writeBenchNote } from './clients.mjs';
import { connectAll, DEAF } from './protocol-clients.mjs';

process.on('disconnect', () => process.exit(0));

let clients = [];
let timers = null;
let meter = null;
let windowStart = Infinity; // set by `record` before the window opens (the bench announces it 300 ms ahead)
let windowEnd = Infinity; // set by `stopEdits`; edits sent after it count on neither side
let lateEdits = 0;
// Growable logs: send times of the edits (all editors / recording editors), and per receipt its send time and latency
const log = () => ({ values: new Float64Array(1 << 16), count: 0 });
let sends = log();
let recorderSends = log();
let sentTimes = log();
let latencies = log();
// who sent each logged edit and each receipt (for the per-editor count of what did not arrive)
let senders = log();
let receiptSenders = log();

function push(to, value) {
	if (to.count === to.values.length) {
		const bigger = new Float64Array(to.values.length * 2);
		bigger.set(to.values);
		to.values = bigger;
	}
	to.values[to.count++] = value;
}
const upTo = (from, end) => from.values.subarray(0, from.count).filter((t) => t <= end);

/** A recording editor's receiver: each (sender, seq) once, since resyncs may repeat a text already seen. */
function recorder(i) {
	const lastSeq = new Map();
	return (text) => {
		const [, senderText, seqText, sentText] = text.split('|');
		const sender = Number(senderText);
		const sentAt = Number(sentText);
		if (sender === i || !(sentAt >= windowStart)) return;
		const seq = Number(seqText);
		if ((lastSeq.get(sender) ?? 0) >= seq) return;
		lastSeq.set(sender, seq);
		push(latencies, monoMs() - sentAt);
		push(sentTimes, sentAt);
		push(receiptSenders, sender);
	};
}

function edit(client) {
	client.seq = (client.seq ?? 0) + 1;
	const now = monoMs();
	writeBenchNote(client, `bench|${client.i}|${client.seq}|${now}`);
	if (now >= windowStart) {
		push(sends, now);
		push(senders, client.i);
		if (client.recording) push(recorderSends, now);
	}
}

const commands = {
	async connect({ target, indices, batch, recordEvery }) {
		const isRecorder = (i) => i % recordEvery === 0;
		clients = await connectAll(target, indices, { batch, onTextFor: (i) => (isRecorder(i) ? recorder(i) : DEAF) });
		for (const client of clients) client.recording = isRecorder(client.i);
		return { connected: clients.length, recorders: clients.filter((c) => c.recording).length };
	},
	/** Editor i edits at t0 + i·period/total + k·period. */
	startEdits({ t0, period, total }) {
		timers = new Map();
		for (const client of clients) {
			let k = 0;
			const offset = (client.i * period) / total;
			const tick = () => {
				if (monoMs() - (t0 + offset + k * period) > period) lateEdits++;
				edit(client);
				k++;
				timers.set(client, setTimeout(tick, Math.max(0, t0 + offset + k * period - monoMs())));
			};
			timers.set(client, setTimeout(tick, Math.max(0, t0 + offset - monoMs())));
		}
	},
	record({ from }) {
		windowStart = from;
		windowEnd = Infinity;
		for (const l of [sends, recorderSends, sentTimes, latencies, senders, receiptSenders]) l.count = 0;
		lateEdits = 0;
		meter = startClientMeter();
		for (const client of clients) client.closesAtRecord = client.closes.length;
	},
	stopEdits({ at }) {
		windowEnd = at;
		for (const timer of timers?.values() ?? []) clearTimeout(timer);
	},
	collect() {
		const use = meter?.stop();
		const inWindow = sentTimes.values.subarray(0, sentTimes.count);
		const samples = latencies.values.subarray(0, latencies.count).filter((_, k) => inWindow[k] <= windowEnd);
		// per editor: edits it sent in the window, and receipts of its edits here
		const sentBy = {};
		const receivedFrom = {};
		for (let k = 0; k < sends.count; k++) if (sends.values[k] <= windowEnd) sentBy[senders.values[k]] = (sentBy[senders.values[k]] ?? 0) + 1;
		for (let k = 0; k < sentTimes.count; k++) if (inWindow[k] <= windowEnd) receivedFrom[receiptSenders.values[k]] = (receivedFrom[receiptSenders.values[k]] ?? 0) + 1;
		return {
			sentBy,
			receivedFrom,
			samples,
			sent: upTo(sends, windowEnd).length,
			sentByRecorders: upTo(recorderSends, windowEnd).length,
			recorders: clients.filter((c) => c.recording).length,
			lateEdits,
			closes: clients.reduce((n, c) => n + c.closes.length - (c.closesAtRecord ?? 0), 0),
			cpuPercent: use?.cpuPercent,
			loopDelayP99Ms: use?.loopDelayP99Ms
		};
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
