// A client process for the many-rooms benchmark (B12): a share of many workshops' people, each a light receiver
// (clients.mjs) connected to its workshop's board on its node. Unlike client-worker.mjs, clients can be added
// while the others keep editing (the capacity is found by adding workshops), and samples are collected window by
// window without stopping the load. Latency samples are split by whether sender and receiver are on the same node.
import { connectMany, destroyAll, monoMs, startClientMeter, writeBenchNote } from './clients.mjs';

process.on('disconnect', () => process.exit(0));

/** @type {any[]} */
let clients = [];
const timers = new Set();

// Where a sender's connection is: the placement rule of the run (b12), so a sample knows if it crossed nodes.
let placement = { nodes: 1, people: 25, rule: 'one' };
function nodeOf(i) {
	if (placement.nodes === 1) return 0;
	const room = Math.floor(i / placement.people);
	return placement.rule === 'split' ? (i % placement.people) % placement.nodes : room % placement.nodes;
}

const windowState = () => ({ same: [], cross: [], sent: 0, presence: 0, lateEdits: 0, meter: null });
let current = windowState();
let recording = false;

function recorder(i) {
	const node = nodeOf(i);
	return (text) => {
		if (!recording) return;
		const [, sender, , sentAt] = text.split('|');
		const from = Number(sender);
		if (from === i) return;
		(nodeOf(from) === node ? current.same : current.cross).push(monoMs() - Number(sentAt));
	};
}

/** The note edit of client-worker.mjs: the first adds the note (addNote's shape), later ones set its text. */
function edit(client) {
	client.seq = (client.seq ?? 0) + 1;
	writeBenchNote(client, `bench|${client.i}|${client.seq}|${monoMs()}`);
	if (recording) current.sent++;
}

function move(client) {
	const awareness = client.provider.awareness;
	client.moves = (client.moves ?? 0) + 1;
	awareness.setLocalStateField('cursor', { x: Math.round(Math.random() * 1600), y: Math.round(Math.random() * 900) });
	if (client.moves % 10 === 0) awareness.setLocalStateField('focus', `bench-note-${client.i - (client.i % placement.people) + (client.moves % placement.people)}`);
	if (recording) current.presence++;
}

/** `action(client)` every `period` ms from t0 + a fixed offset of the client's own (golden-ratio spread, so clients added later interleave too). */
function every(client, t0, period, action) {
	const offset = ((client.i * 0.6180339887) % 1) * period;
	let k = 0;
	const tick = () => {
		if (monoMs() - (t0 + offset + k * period) > period && recording) current.lateEdits++;
		action(client);
		k++;
		const timer = setTimeout(tick, Math.max(0, t0 + offset + k * period - monoMs()));
		timers.add(timer);
		timers.delete(client.timers?.[action.name]);
		(client.timers ??= {})[action.name] = timer;
	};
	const timer = setTimeout(tick, Math.max(0, t0 + offset - monoMs()));
	timers.add(timer);
	(client.timers ??= {})[action.name] = timer;
}

const commands = {
	/** groups: [{ target, indices }] — appended to this process's clients. */
	async connect({ groups, batch = 25, maxBackoffTime = 2500, place }) {
		if (place) placement = place;
		let added = 0;
		for (const { target, indices } of groups) {
			const group = await connectMany(target, indices, { batch, maxBackoffTime, light: (i) => recorder(i) });
			clients.push(...group);
			added += group.length;
		}
		return { connected: added, total: clients.length };
	},
	/** Starts edits (and presence) for every client not yet started, from t0 on. */
	start({ t0, editHz = 1, presenceHz = 0 }) {
		let started = 0;
		for (const client of clients) {
			if (client.started) continue;
			client.started = true;
			started++;
			if (presenceHz) client.provider.awareness.setLocalStateField('user', { name: client.author.name, color: '#e07000' });
			every(client, t0, 1000 / editHz, edit);
			if (presenceHz) every(client, t0, 1000 / presenceHz, move);
		}
		return { started };
	},
	/** Begins a measured window (samples before this are dropped). */
	record() {
		current = windowState();
		current.meter = startClientMeter();
		for (const client of clients) client.closesAtRecord = client.closes.length;
		recording = true;
	},
	/** Ends the window: its samples and counts. The load goes on. */
	collect() {
		recording = false;
		const use = current.meter?.stop();
		const out = {
			same: Float64Array.from(current.same),
			cross: Float64Array.from(current.cross),
			sent: current.sent,
			presence: current.presence,
			lateEdits: current.lateEdits,
			closes: clients.reduce((n, c) => n + c.closes.length - (c.closesAtRecord ?? 0), 0),
			synced: clients.filter((c) => c.provider.synced).length,
			clients: clients.length,
			cpuPercent: use?.cpuPercent,
			loopDelayP99Ms: use?.loopDelayP99Ms
		};
		current = windowState();
		return out;
	},
	close() {
		for (const timer of timers) clearTimeout(timer);
		timers.clear();
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
