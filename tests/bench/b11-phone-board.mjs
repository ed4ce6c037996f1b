#!/usr/bin/env node
// B11: a 300-note board on phones. Debian's Chromium (the e2e suite's launch flags) driven by Playwright; each phone
// is a 360×740 mobile context (isMobile, hasTouch) whose renderer is CPU-throttled 4× (CDP
// Emulation.setCPUThrottlingRate). The board: three lanes of Finnish experiment ideas, 18 clusters, seeded as one
// Yjs update in a fresh database of the production server (127.0.0.1). Targets (issue 14):
//   1. page load → interactive ≤ 2 s, cold (a fresh context: empty cache) and warm (a reload), median of the runs;
//   2. typing a character → next paint ≤ 100 ms p95 (INP-style), 50 characters into the composer;
//   3. dropping a note → next paint ≤ 100 ms p95, 20 finger drags (CDP touch on the note's handle), to another
//      lane's tab and onto a note of another group;
//   4. a drop on one phone → the moved note in the other phone's DOM ≤ 150 ms p95 (the same 20 drags).
// How each is measured is written next to its code below and in RESULTS.md (B11).
//
//   node tests/bench/b11-phone-board.mjs [--runs 5] [--chars 50] [--drags 20] [--throttle 4]
//                                        [--profile] (CPU profiles of a cold load and of the drops, summarised)
// Needs `npm run build`; VERSTAS_ROOT points it at another checkout's build. Not part of `npm test`.
import { chromium } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemChromium } from '../../scripts/chromium.js';
import { args, createDatabase, fmt, insertGuests, insertUser, insertWorkshop, machine, numberArg, onDatabase, percentile, result, startVerstas, tempDir, verdict } from './lib/http.mjs';
import { phoneBoard } from './lib/phone-board.mjs';

const options = args();
const runs = numberArg(options.runs, 5);
const chars = numberArg(options.chars, 50);
const drags = numberArg(options.drags, 20);
const throttle = numberArg(options.throttle, 4);
const noteCount = 300;
const targets = { loadMs: 2000, typeMs: 100, dropMs: 100, remoteMs: 150 };
const load = `${noteCount}-note board, phone 360×740, CPU ${throttle}×${onDatabase}`;
const started = performance.now();
const log = (...parts) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s]`, ...parts);

// The board ------------------------------------------------------------------------------------------------------

const dir = tempDir('verstas-b11-');
const db = await createDatabase({ dir });
const server = await startVerstas({ database: db });
const owner = await insertUser(db, { email: 'vetaja@bench.verstas.fi', name: 'Vetäjä' });
const workshopId = await insertWorkshop(db, owner, {
	title: 'Sosiaalisesti kestävät kaupungit',
	perspectives: ['Lapsiperheet', 'Nuoret aikuiset', 'Osallisuus ja demokratia'],
	phases: [['ideas', 'Kokeiluideoiden ideointi', 20], ['grouping', 'Ideoiden ryhmittely', 15]]
});
const laneIds = (await db.all('SELECT id FROM workshop_perspectives WHERE workshop_id = ? ORDER BY position', workshopId)).map((row) => row.id);
const guests = await insertGuests(db, workshopId, 3, { namePrefix: 'Puhelin' });
const board = phoneBoard(laneIds, { noteCount });
await db.run('INSERT INTO board_updates (workshop_id, "update") VALUES (?, ?)', workshopId, Buffer.from(board.update));
await db.close();
const boardUrl = `${server.url}/workshops/${workshopId}/board`;
const firstLane = board.perLane[laneIds[0]];
log(`board: ${noteCount} notes (${laneIds.map((id) => board.perLane[id]).join(' / ')} per lane), ${board.clusters} clusters, update ${fmt(board.update.length / 1024)} kB; ${server.url}`);

// The browser and the phones -------------------------------------------------------------------------------------

const executablePath = systemChromium();
const browser = await chromium.launch({
	executablePath,
	// playwright.config.ts's launch flags
	args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync']
});
process.on('exit', () => browser.close().catch(() => {}));

/**
 * Runs in every phone page before its own scripts (window.__b11):
 * - marks: hydrated (SvelteKit's router registers `beforeunload` right after hydration), loadingShown (the frame-
 *   only board from the server), ready (the first animation frame in which every note is in the DOM, the active
 *   lane's panel shows its notes and the composer's textarea is enabled) and painted (the first task after that
 *   frame: the frame has been drawn). All in ms from navigation start (performance.now()).
 * - ws: when the board's socket opened and when its messages arrived (the biggest is the board's state).
 * - events: Event Timing entries ≥ 16 ms (the INP API: duration = event's time → the next paint after its handlers).
 * - keys / ups: our own reading of the same, from the keydown's or pointerup's timestamp to the first task after
 *   the next animation frame (afterPaint), and the pointerup's time on the shared clock (timeOrigin + now()).
 * - arm(noteId): a MutationObserver that records when the note's place (lane / cluster) in this page's DOM changes.
 */
function phoneScript({ activeCount }) {
	const now = () => performance.now();
	const b = (window.__b11 = { marks: {}, ws: [], events: [], longTasks: [], keys: [], ups: [], watch: null });
	const afterPaint = (fn) =>
		requestAnimationFrame(() => {
			const channel = new MessageChannel();
			channel.port1.onmessage = () => fn(now());
			channel.port2.postMessage(0);
		});
	b.afterPaint = afterPaint;
	const add = EventTarget.prototype.addEventListener;
	EventTarget.prototype.addEventListener = function (type, ...rest) {
		if (type === 'beforeunload' && (this === window || this == null) && b.marks.hydrated === undefined) b.marks.hydrated = now();
		return add.call(this, type, ...rest);
	};
	const NativeSocket = window.WebSocket;
	window.WebSocket = class extends NativeSocket {
		constructor(...rest) {
			super(...rest);
			b.ws.push({ kind: 'created', t: now(), bytes: 0 });
			this.addEventListener('open', () => b.ws.push({ kind: 'open', t: now(), bytes: 0 }));
			this.addEventListener('message', (event) => {
				if (b.ws.length < 16) b.ws.push({ kind: 'message', t: now(), bytes: event.data.byteLength ?? event.data.length ?? 0 });
			});
		}
	};
	try {
		new PerformanceObserver((list) => {
			for (const e of list.getEntries())
				b.events.push({ name: e.name, start: e.startTime, duration: e.duration, id: e.interactionId, processing: e.processingEnd - e.processingStart });
		}).observe({ type: 'event', durationThreshold: 16, buffered: true });
		new PerformanceObserver((list) => {
			for (const e of list.getEntries()) b.longTasks.push({ start: e.startTime, duration: e.duration });
		}).observe({ type: 'longtask', buffered: true });
	} catch {}
	const check = () => {
		const t = now();
		if (b.marks.loadingShown === undefined && document.querySelector('.board-loading')) b.marks.loadingShown = t;
		const text = document.getElementById('board-composer-text');
		const usable = text && !text.disabled && !text.matches(':disabled');
		const panel = usable && document.querySelector('.lane[role="tabpanel"]:not([hidden])');
		if (panel && panel.querySelectorAll('li.note').length >= activeCount) {
			b.marks.ready = t;
			b.marks.notesInDom = document.querySelectorAll('li.note:not(.drag-ghost)').length;
			afterPaint((painted) => (b.marks.painted = painted));
			return;
		}
		requestAnimationFrame(check);
	};
	requestAnimationFrame(check);
	add.call(
		window,
		'keydown',
		(event) => {
			const t0 = event.timeStamp;
			afterPaint((t) => b.keys.push({ key: event.key, start: t0, ms: t - t0 }));
		},
		true
	);
	add.call(
		window,
		'pointerup',
		(event) => {
			const at = performance.timeOrigin + now();
			const t0 = event.timeStamp;
			afterPaint((t) => b.ups.push({ at, start: t0, ms: t - t0 }));
		},
		true
	);
	const place = (noteId) => {
		const note = document.querySelector(`li.note[data-note-id="${CSS.escape(noteId)}"]:not(.drag-ghost)`);
		if (!note) return null;
		return `${note.closest('.lane[data-lane-id]')?.dataset.laneId ?? ''}/${note.closest('[data-cluster-id]')?.dataset.clusterId ?? ''}`;
	};
	b.place = place;
	// What the other phone shows of a move: the note in its new place, and the counts on the lane tabs (a board that
	// keeps only the shown lane in the DOM shows a move between two other lanes by the counts alone).
	const counts = () => [...document.querySelectorAll('[role="tab"] .lane-tab-count')].map((count) => count.textContent).join(',');
	b.arm = (noteId) => {
		const before = place(noteId);
		const countsBefore = counts();
		const watch = { noteId, before, after: null, at: null, painted: null };
		b.watch = watch;
		const observer = new MutationObserver(() => {
			const after = place(noteId);
			if (after === before && counts() === countsBefore) return;
			watch.at = performance.timeOrigin + now();
			watch.after = after;
			observer.disconnect();
			afterPaint(() => (watch.painted = performance.timeOrigin + now()));
		});
		observer.observe(document.body, { childList: true, subtree: true, characterData: true });
		return before;
	};
}

const expected = { activeCount: firstLane };

async function newPhone(guest) {
	const context = await browser.newContext({
		viewport: { width: 360, height: 740 },
		deviceScaleFactor: 2,
		isMobile: true,
		hasTouch: true,
		locale: 'fi-FI',
		timezoneId: Intl.DateTimeFormat().resolvedOptions().timeZone
	});
	const [name, value] = guest.cookie.split('=');
	await context.addCookies([{ name, value, url: server.url }]);
	await context.addInitScript(phoneScript, expected);
	const page = await context.newPage();
	const cdp = await context.newCDPSession(page);
	await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
	await cdp.send('Performance.enable');
	return { context, page, cdp };
}

/** Waits for the board to be usable and drawn; returns the marks, navigation timing and what happened meanwhile. */
async function loaded(page) {
	await page.waitForFunction(() => window.__b11?.marks.painted !== undefined, null, { timeout: 30_000, polling: 100 });
	return page.evaluate(() => {
		const b = window.__b11;
		const nav = performance.getEntriesByType('navigation')[0];
		const fcp = performance.getEntriesByName('first-contentful-paint')[0];
		const messages = b.ws.filter((entry) => entry.kind === 'message');
		const state = messages.reduce((big, entry) => (entry.bytes > (big?.bytes ?? -1) ? entry : big), null);
		const longTasks = b.longTasks.filter((task) => task.start < b.marks.painted);
		return {
			...b.marks,
			responseEnd: nav?.responseEnd,
			domContentLoaded: nav?.domContentLoadedEventEnd,
			transferKb: performance.getEntriesByType('resource').reduce((sum, entry) => sum + entry.transferSize, (nav?.transferSize ?? 0)) / 1024,
			fcp: fcp?.startTime,
			socketOpen: b.ws.find((entry) => entry.kind === 'open')?.t,
			stateAt: state?.t,
			stateKb: (state?.bytes ?? 0) / 1024,
			longTaskMs: longTasks.reduce((sum, task) => sum + task.duration, 0),
			longestTaskMs: Math.max(0, ...longTasks.map((task) => task.duration)),
			blockingMs: longTasks.reduce((sum, task) => sum + Math.max(0, task.duration - 50), 0)
		};
	});
}

/** CDP Performance.getMetrics as a { name: value } map (durations in ms). */
async function metrics(cdp) {
	const { metrics: list } = await cdp.send('Performance.getMetrics');
	const out = {};
	for (const { name, value } of list) out[name] = /Duration$/.test(name) ? value * 1000 : value;
	return out;
}
const metricDelta = (before, after, names) => Object.fromEntries(names.map((name) => [name, after[name] - before[name]]));
const durations = ['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration'];

// A fixed piece of work, timed in the page: shows the throttling is on (and stays on after a reload).
const calibrate = (page) =>
	page.evaluate(() => {
		const t = performance.now();
		let x = 0;
		for (let i = 0; i < 3e6; i++) x += Math.sqrt(i);
		return performance.now() - t + (x < 0 ? 1 : 0);
	});

/**
 * CPU profiles through CDP Profiler, summed over one or more windows (`during`) and summarised: self time by script
 * and by function, inclusive time by function of the page's own scripts. Kept in /tmp/verstas-bench-profiles.
 */
function profiler(name) {
	const bySelf = new Map();
	const byScript = new Map();
	const inclusive = new Map();
	let total = 0;
	let windows = 0;
	let saved = '';
	const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);
	const label = (node) => {
		const { functionName, url, lineNumber, columnNumber } = node.callFrame;
		const where = url ? url.replace(/^.*\/_app\/immutable\//, '') : '';
		return `${functionName || '(anonymous)'}${where ? ` ${where}:${lineNumber + 1}:${columnNumber + 1}` : ''}`;
	};
	return {
		async during(cdp, run) {
			await cdp.send('Profiler.enable');
			await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
			await cdp.send('Profiler.start');
			try {
				return await run();
			} finally {
				const { profile: data } = await cdp.send('Profiler.stop');
				windows++;
				if (!saved) {
					const keep = join(tmpdir(), 'verstas-bench-profiles');
					mkdirSync(keep, { recursive: true });
					saved = join(keep, `b11-${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
					writeFileSync(saved, JSON.stringify(data));
				}
				const byId = new Map(data.nodes.map((node) => [node.id, node]));
				const parent = new Map();
				for (const node of data.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
				data.samples.forEach((id, i) => {
					const us = data.timeDeltas[i] ?? 0;
					const node = byId.get(id);
					total += us;
					add(bySelf, label(node), us);
					add(byScript, node.callFrame.url ? node.callFrame.url.replace(/^.*\/_app\/immutable\//, '') : `(${node.callFrame.functionName || 'native'})`, us);
					const seen = new Set();
					for (let at = id; at !== undefined; at = parent.get(at)) {
						const key = label(byId.get(at));
						if (seen.has(key)) continue;
						seen.add(key);
						add(inclusive, key, us);
					}
				});
			}
		},
		print(top = 15) {
			const rank = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
			const line = ([key, us]) => `     ${fmt(us / 1000 / windows, 1).padStart(7)} ms  ${key}`;
			console.log(`  CPU profile (${name}): ${windows} window(s), ${fmt(total / 1000 / windows, 0)} ms sampled per window (throttled time); first: ${saved}`);
			console.log('   by script (self, per window):');
			for (const entry of rank(byScript, 8)) console.log(line(entry));
			console.log('   by function (self, per window):');
			for (const entry of rank(bySelf, top)) console.log(line(entry));
			console.log('   by function (inclusive, page scripts, per window):');
			for (const entry of rank(new Map([...inclusive].filter(([key]) => key.includes('.js:'))), top + 10)) console.log(line(entry));
		}
	};
}

/**
 * Where the renderer's main thread spent the windows [start, start + duration] (µs on the trace's clock): self time per
 * trace event name (FunctionCall, UpdateLayoutTree = style, Layout, Paint, PrePaint, HitTest, …), summed over windows.
 */
function traceBreakdown(buffer, windowsOf) {
	const { traceEvents } = JSON.parse(buffer.toString('utf8'));
	const main = traceEvents.find((event) => event.name === 'thread_name' && event.args?.name === 'CrRendererMain' && traceEvents.some((e) => e.pid === event.pid && e.name === 'EventDispatch'));
	const events = traceEvents
		.filter((event) => event.pid === main.pid && event.tid === main.tid && event.ph === 'X' && event.dur !== undefined)
		.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
	const windows = windowsOf(events);
	const self = new Map();
	const detail = { layouts: 0, layoutObjects: 0, styles: 0, styledElements: 0 };
	const stack = [];
	const inWindow = (t) => windows.some(([from, to]) => t >= from && t < to);
	for (const event of events) {
		while (stack.length && stack.at(-1).ts + stack.at(-1).dur <= event.ts) stack.pop();
		const parent = stack.at(-1);
		if (inWindow(event.ts)) {
			self.set(event.name, (self.get(event.name) ?? 0) + event.dur);
			if (event.name === 'Layout') {
				detail.layouts++;
				detail.layoutObjects += event.args?.beginData?.dirtyObjects ?? 0;
			}
			if (event.name === 'UpdateLayoutTree') {
				detail.styles++;
				detail.styledElements += event.args?.elementCount ?? 0;
			}
			if (parent && inWindow(parent.ts)) self.set(parent.name, (self.get(parent.name) ?? 0) - event.dur);
		}
		stack.push(event);
	}
	return { windows: windows.length, detail, self: [...self].filter(([, us]) => us > 0).sort((a, b) => b[1] - a[1]) };
}

const stats = (values) => ({ n: values.length, p50: percentile(values, 50), p95: percentile(values, 95), max: values.length ? Math.max(...values) : NaN });
const msText = (value) => (Number.isFinite(value) ? `${fmt(value, value >= 100 ? 0 : 1)} ms` : '–');

// A warm-up load (not counted): the server loads the board from SQLite into memory once, as for the first guest.
{
	const warm = await newPhone(guests[2]);
	await warm.page.goto(boardUrl);
	await loaded(warm.page);
	await warm.context.close();
}
{
	// The same work without throttling, for the calibration's ratio.
	const context = await browser.newContext();
	const page = await context.newPage();
	const plain = Math.min(await calibrate(page), await calibrate(page));
	await context.close();
	expected.calibration = plain;
}

// 1. Page load to interactive ----------------------------------------------------------------------------------

const loads = { cold: [], warm: [] };
const throttled = [];
for (let run = 0; run < runs; run++) {
	const phone = await newPhone(guests[0]);
	const doProfile = options.profile && run === runs - 1;
	const go = async () => {
		await phone.page.goto(boardUrl);
		loads.cold.push(await loaded(phone.page));
	};
	if (doProfile) {
		const cpu = profiler('cold-load');
		await cpu.during(phone.cdp, go);
		cpu.print();
	} else if (options.trace && run === runs - 1) {
		await browser.startTracing(phone.page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
		await go();
		const breakdown = traceBreakdown(await browser.stopTracing(), () => [[0, Infinity]]);
		console.log('  trace of a cold load (main thread self time, navigation → drawn and a little after):');
		for (const [name, us] of breakdown.self.slice(0, 14)) console.log(`     ${fmt(us / 1000, 1).padStart(7)} ms  ${name}`);
		const { layouts, layoutObjects, styles, styledElements } = breakdown.detail;
		console.log(`     ${layouts} layouts of ${layoutObjects} dirty objects, ${styles} style recalcs of ${styledElements} elements`);
	} else await go();
	throttled.push(await calibrate(phone.page));
	await phone.page.reload();
	loads.warm.push(await loaded(phone.page));
	throttled.push(await calibrate(phone.page));
	await phone.context.close();
	log(`load ${run + 1}/${runs}: cold ${msText(loads.cold.at(-1).painted)}, warm ${msText(loads.warm.at(-1).painted)}`);
}

// 2–4. Typing, drops, and the other phone ----------------------------------------------------------------------

const a = await newPhone(guests[0]);
const b = await newPhone(guests[1]);
await Promise.all([a.page.goto(boardUrl), b.page.goto(boardUrl)]);
await Promise.all([loaded(a.page), loaded(b.page)]);
// Both pages run in one browser on this machine: timeOrigin + now() is one clock. Checked against Date.now() in each.
const skew = await Promise.all([a.page, b.page].map((page) => page.evaluate(() => performance.timeOrigin + performance.now() - Date.now())));

// Typing: 50 characters (ASCII: Playwright types other letters with insertText, which sends no key events) into the
// composer, a key down and up each ~40 ms apart like a quick thumb. Interaction latency = for each key press (one
// interactionId: keydown, keypress, keyup) the longest Event Timing duration; a press without an entry took < 16 ms
// (the API's threshold) and counts as 16.
const sentence = 'Kokeillaan nuorten olohuonetta Kontulassa syksylla ja mitataan kavijat'.slice(0, chars);
await a.page.focus('#board-composer-text');
await a.page.evaluate(() => ((window.__b11.events = []), (window.__b11.keys = [])));
const typingBefore = await metrics(a.cdp);
const typeAll = async () => {
	await a.page.keyboard.type(sentence, { delay: 40 });
	await a.page.evaluate(() => new Promise((resolve) => window.__b11.afterPaint(resolve)));
};
const typingProfile = options.profile ? profiler('typing') : null;
if (typingProfile) await typingProfile.during(a.cdp, typeAll);
else await typeAll();
const typingCost = metricDelta(typingBefore, await metrics(a.cdp), durations);
const typed = await a.page.evaluate(() => ({
	value: document.getElementById('board-composer-text').value,
	events: window.__b11.events,
	keys: window.__b11.keys
}));
if (typed.value !== sentence) throw new Error(`the composer holds "${typed.value}", typed "${sentence}"`);
const interactions = new Map();
for (const entry of typed.events) if (entry.id) interactions.set(entry.id, Math.max(interactions.get(entry.id) ?? 0, entry.duration));
const typing = [...interactions.values(), ...Array(Math.max(0, sentence.length - interactions.size)).fill(16)];
const typingOwn = typed.keys.map((key) => key.ms);
// The draft stays on the device: empty the composer so the drops below work on the same page as a phone would.
await a.page.fill('#board-composer-text', '');

// Drops: a finger on the note's drag handle (CDP Input.dispatchTouchEvent: start, 8 moves, end, like room.spec.ts),
// three of four to another lane's tab (the phone stays on its lane, as a person sorting it would), every fourth onto a note of another group in
// the same lane (the two make a cluster, or the note joins the target's). Latency = the pointerup's Event Timing
// entries (pointerup, touchend: same timestamp) → next paint; none ≥ 16 ms counts as 16. The other phone arms a
// MutationObserver on the note first; remote = its DOM change − the pointerup handler's time, both on the shared clock.
async function pick(page, kind, step) {
	return page.evaluate(
		async ({ kind, step }) => {
			const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
			window.scrollTo(0, 0);
			await frame();
			const top = document.querySelector('.room-header')?.getBoundingClientRect().bottom ?? 0;
			const bottom = document.querySelector('.bottom-bar')?.getBoundingClientRect().top ?? innerHeight;
			const centre = (element) => {
				const box = element.getBoundingClientRect();
				return { x: box.left + box.width / 2, y: box.top + box.height / 2 };
			};
			const reachable = (element) => {
				const { x, y } = centre(element);
				return y > top + 2 && y < bottom - 2 && x > 0 && x < innerWidth && element.contains(document.elementFromPoint(x, y));
			};
			const panel = document.querySelector('.lane[role="tabpanel"]:not([hidden])');
			const notes = [...panel.querySelectorAll('li.note')];
			const groupOf = (note) => note.closest('[data-cluster-id]')?.dataset.clusterId ?? null;
			let source;
			let to;
			let lane = panel.dataset.laneId;
			if (kind === 'tab') {
				// The phone stays on its lane, so earlier drops have emptied its top: scroll to the first note left (drawn a
				// frame or two after it comes into sight, content-visibility) and look again.
				for (let attempt = 0; attempt < 3 && notes[0]; attempt++) {
					window.scrollBy(0, centre(notes[0].querySelector('.drag-handle')).y - (top + bottom) / 2);
					await frame();
				}
				for (let attempt = 0; attempt < 6 && !source; attempt++) {
					source = notes.find((note) => reachable(note.querySelector('.drag-handle')));
					if (!source) await frame();
				}
				const tabs = [...document.querySelectorAll('[role="tab"][data-drop="lane"]')];
				const at = tabs.findIndex((tab) => tab.getAttribute('aria-selected') === 'true');
				const tab = tabs[(at + 1 + (step % 2)) % tabs.length];
				// The row of tabs scrolls sideways on a phone: the person first swipes the tab into sight.
				tab.scrollIntoView({ block: 'nearest', inline: 'nearest' });
				await frame();
				if (!source || !reachable(tab)) return { failed: !source ? `no note handle on screen (top ${top}, bottom ${bottom}, scrollY ${scrollY}; ${notes.slice(0, 3).map((n) => { const c = centre(n.querySelector('.drag-handle')); return JSON.stringify(c) + ' ' + document.elementFromPoint(c.x, c.y)?.className; }).join('; ')})` : `tab ${tab.textContent} at ${JSON.stringify(centre(tab))} not reachable (hit ${document.elementFromPoint(centre(tab).x, centre(tab).y)?.outerHTML.slice(0, 80)})` };
				to = centre(tab);
				lane = tab.dataset.laneId;
			} else {
				// The first note of a group dropped on the last note of the group above it (both on the screen at once).
				// Notes off screen may be drawn only once scrolled to (content-visibility): scroll, let a frame pass, measure.
				for (let i = 1; i < notes.length && !to; i++) {
					const [target, note] = [notes[i - 1], notes[i]];
					if (groupOf(target) === groupOf(note)) continue;
					for (let attempt = 0; attempt < 3; attempt++) {
						window.scrollBy(0, centre(note).y - (top + bottom) / 2 - 60);
						await frame();
					}
					if (!reachable(note.querySelector('.drag-handle')) || !reachable(target.querySelector('.note-words'))) continue;
					source = note;
					const box = target.getBoundingClientRect();
					to = { x: centre(target.querySelector('.note-words')).x, y: box.top + box.height / 2 };
				}
				if (!to) return null;
			}
			return {
				noteId: source.dataset.noteId,
				from: centre(source.querySelector('.drag-handle')),
				to,
				sourceLane: panel.dataset.laneId,
				lane,
				before: window.__b11.place(source.dataset.noteId)
			};
		},
		{ kind, step }
	);
}

/** A finger from `from` to `to`; `lift` lifts it (touchEnd) and waits for what follows. */
async function touchDrag(cdp, from, to, lift) {
	const point = (x, y) => [{ x: Math.round(x), y: Math.round(y), id: 1 }];
	await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: point(from.x, from.y) });
	for (let step = 1; step <= 8; step++)
		await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: point(from.x + ((to.x - from.x) * step) / 8, from.y + ((to.y - from.y) * step) / 8) });
	await lift(() => cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] }));
}

const dropRows = [];
await a.page.evaluate(() => ((window.__b11.events = []), (window.__b11.ups = [])));
// Main-thread time (CDP Performance.getMetrics) per drop: on the dragging phone from touchEnd to the drawn frame after
// it, on the other phone from arming its observer to its drawn frame after the change.
const dropCost = Object.fromEntries(durations.map((name) => [name, 0]));
const remoteCost = Object.fromEntries(durations.map((name) => [name, 0]));
const addCost = (sum, delta) => Object.entries(delta).forEach(([name, ms]) => (sum[name] += ms));
const dragAll = async () => {
	for (let i = 0; i < drags; i++) {
		const kind = i % 4 === 3 ? 'onto' : 'tab';
		const plan = await pick(a.page, kind, i);
		if (!plan || plan.failed) {
			const shot = join(tmpdir(), 'b11-no-target.png');
			await a.page.screenshot({ path: shot });
			throw new Error(`drag ${i + 1} (${kind}): no reachable note or target on the phone: ${plan?.failed ?? ''} (screenshot ${shot})`);
		}
		// The other phone looks at the same lane (its person chose that tab before): the note leaving it, or joining a
		// group in it, is what they see.
		await b.page.evaluate((lane) => document.querySelector(`[role="tab"][data-lane-id="${lane}"]:not([aria-selected="true"])`)?.click(), plan.sourceLane);
		await b.page.waitForFunction((noteId) => window.__b11.place(noteId) !== null, plan.noteId, { timeout: 10_000, polling: 50 });
		const beforeOnB = await b.page.evaluate((noteId) => window.__b11.arm(noteId), plan.noteId);
		if (beforeOnB !== plan.before) throw new Error(`drag ${i + 1}: the phones disagree on where the note is (${plan.before} / ${beforeOnB})`);
		const ups = await a.page.evaluate(() => window.__b11.ups.length);
		const remoteBefore = await metrics(b.cdp);
		let localBefore;
		const lift = async (touchEnd) => {
			localBefore = await metrics(a.cdp);
			await touchEnd();
			await a.page.waitForFunction((n) => window.__b11.ups.length > n, ups, { timeout: 10_000, polling: 50 }).catch(async (error) => {
				const shot = join(tmpdir(), 'b11-no-drop.png');
				await a.page.screenshot({ path: shot });
				throw new Error(`drag ${i + 1} (${kind}) from ${JSON.stringify(plan.from)} to ${JSON.stringify(plan.to)}: no pointerup on the phone (screenshot ${shot})`, { cause: error });
			});
			addCost(dropCost, metricDelta(localBefore, await metrics(a.cdp), durations));
		};
		// Notes drawn late above it (content-visibility) may have moved the handle since it was picked: measure again.
		plan.from = await a.page.evaluate((noteId) => {
			const box = document.querySelector(`li.note[data-note-id="${CSS.escape(noteId)}"] .drag-handle`).getBoundingClientRect();
			return { x: box.left + box.width / 2, y: box.top + box.height / 2 };
		}, plan.noteId);
		await touchDrag(a.cdp, plan.from, plan.to, dropProfile ? (touchEnd) => dropProfile.during(a.cdp, () => lift(touchEnd)) : lift);
		const local = await a.page.evaluate(
			({ noteId }) => ({ up: window.__b11.ups.at(-1), after: window.__b11.place(noteId) }),
			plan
		);
		if (local.after === plan.before) {
			const shot = join(tmpdir(), 'b11-not-moved.png');
			await a.page.screenshot({ path: shot });
			throw new Error(`drag ${i + 1} (${kind}) from ${JSON.stringify(plan.from)} to ${JSON.stringify(plan.to)}: the note did not move on the phone (screenshot ${shot})`);
		}
		await b.page.waitForFunction(() => window.__b11.watch?.painted !== null, null, { timeout: 10_000, polling: 50 }).catch(async (error) => {
			const seen = await b.page.evaluate((noteId) => ({ watch: window.__b11.watch, now: window.__b11.place(noteId) }), plan.noteId);
			throw new Error(`drag ${i + 1} (${kind}): the other phone did not show it (${JSON.stringify(seen)}; on this phone ${plan.before} → ${local.after})`, { cause: error });
		});
		addCost(remoteCost, metricDelta(remoteBefore, await metrics(b.cdp), durations));
		const remote = await b.page.evaluate(() => window.__b11.watch);
		if (remote.after !== null && local.after !== null && remote.after !== local.after)
			throw new Error(`drag ${i + 1}: the other phone shows the note at ${remote.after}, not ${local.after}`);
		dropRows.push({ kind, up: local.up, remoteMs: remote.at - local.up.at, remotePaintedMs: remote.painted - local.up.at });
	}
};
const dropProfile = options.profile ? profiler('drops (touchEnd → next frame drawn)') : null;
if (options.trace) await browser.startTracing(a.page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing'] });
await dragAll();
const dropTrace = options.trace ? await browser.stopTracing() : null;
const dropEvents = await a.page.evaluate(() => window.__b11.events);
const drop = dropRows.map((row) => {
	const entries = dropEvents.filter((entry) => ['pointerup', 'touchend'].includes(entry.name) && Math.abs(entry.start - row.up.start) < 1);
	return Math.max(16, ...entries.map((entry) => entry.duration));
});
const dropOwn = dropRows.map((row) => row.up.ms);
if (dropTrace) {
	// Each drop's window: from its pointerup's EventDispatch to the end of its Event Timing duration.
	const breakdown = traceBreakdown(dropTrace, (events) =>
		events
			.filter((event) => event.name === 'EventDispatch' && event.args?.data?.type === 'pointerup')
			.map((event, i) => [event.ts, event.ts + (drop[i] ?? 16) * 1000])
	);
	console.log(`  trace of the drops (main thread self time per drop, pointerup → next paint, ${breakdown.windows} drops):`);
	for (const [name, us] of breakdown.self.slice(0, 14)) console.log(`     ${fmt(us / 1000 / breakdown.windows, 1).padStart(7)} ms  ${name}`);
	const { layouts, layoutObjects, styles, styledElements } = breakdown.detail;
	console.log(`     per drop: ${fmt(layouts / breakdown.windows)} layouts of ${fmt(layoutObjects / breakdown.windows, 0)} dirty objects, ${fmt(styles / breakdown.windows)} style recalcs of ${fmt(styledElements / breakdown.windows, 0)} elements`);
}
const remote = dropRows.map((row) => row.remoteMs);
const remotePainted = dropRows.map((row) => row.remotePaintedMs);

typingProfile?.print();
dropProfile?.print();
await Promise.all([a.context.close(), b.context.close()]);
await browser.close();
await server.stop();

// Report ---------------------------------------------------------------------------------------------------------

const ratio = percentile(throttled, 50) / expected.calibration;
const cold = stats(loads.cold.map((entry) => entry.painted));
const warm = stats(loads.warm.map((entry) => entry.painted));
const typeStats = stats(typing);
const dropStats = stats(drop);
const remoteStats = stats(remote);
const median = (list, key) => percentile(list.map((entry) => entry[key]).filter(Number.isFinite), 50);
const phases = (list) =>
	`response ${msText(median(list, 'responseEnd'))}, first paint ${msText(median(list, 'fcp'))}, hydrated ${msText(median(list, 'hydrated'))}, ` +
	`socket open ${msText(median(list, 'socketOpen'))}, board state in ${msText(median(list, 'stateAt'))} (${fmt(median(list, 'stateKb'))} kB), ` +
	`drawn ${msText(median(list, 'painted'))}; long tasks ${msText(median(list, 'longTaskMs'))} (longest ${msText(median(list, 'longestTaskMs'))}, blocking ${msText(median(list, 'blockingMs'))}); ` +
	`transferred ${fmt(median(list, 'transferKb'))} kB`;
const per = (cost, n) => Object.entries(cost).map(([name, ms]) => `${name.replace('Duration', '')} ${fmt(ms / n)}`).join(', ');

console.log(`\nB11 — ${load}; ${machine()}, ${executablePath}; load average ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
console.log(`  throttling: a fixed loop took ${msText(expected.calibration)} unthrottled, ${msText(percentile(throttled, 50))} in the phones (${fmt(ratio)}×)`);
console.log(`  clocks: timeOrigin + now() − Date.now() = ${skew.map((v) => fmt(v, 2)).join(' / ')} ms in the two phones`);
console.log('  measure                                     n     median      p95      max   target');
const row = (name, s, target) =>
	console.log(`  ${name.padEnd(42)} ${String(s.n).padStart(3)} ${msText(s.p50).padStart(10)} ${msText(s.p95).padStart(8)} ${msText(s.max).padStart(8)}   ${target}`);
row('load → interactive, cold (fresh context)', cold, `≤ ${targets.loadMs} ms`);
row('load → interactive, warm (reload)', warm, `≤ ${targets.loadMs} ms`);
row('typing: key → next paint (Event Timing)', typeStats, `p95 ≤ ${targets.typeMs} ms`);
row('typing: keydown → after next frame (own)', stats(typingOwn), '–');
row('drop: pointerup → next paint (Event Timing)', dropStats, `p95 ≤ ${targets.dropMs} ms`);
row('drop: pointerup → after next frame (own)', stats(dropOwn), '–');
row('drop → other phone DOM', remoteStats, `p95 ≤ ${targets.remoteMs} ms`);
row('drop → other phone painted', stats(remotePainted), '–');
console.log(`  cold load, medians: ${phases(loads.cold)}`);
console.log(`  warm load, medians: ${phases(loads.warm)}`);
console.log(`  main thread per key (CDP Performance.getMetrics, ms): ${per(typingCost, sentence.length)}`);
console.log(`  main thread per drop, dragging phone (ms, touchEnd → drawn): ${per(dropCost, dropRows.length)}`);
console.log(`  main thread per drop, other phone (ms, until drawn): ${per(remoteCost, dropRows.length)}`);
console.log(`  drops: ${dropRows.map((r, i) => `${r.kind} ${fmt(drop[i], 0)}/${fmt(r.up.ms, 0)}/${fmt(r.remoteMs, 0)}`).join(', ')} (Event Timing / own / remote ms)`);

const judge = (value, limit) => verdict(value <= limit);
result('B11', load, 'page load → interactive, cold (fresh context): median (p95), ms from navigation start to the drawn frame with all notes and the composer enabled', `${msText(cold.p50)} (${msText(cold.p95)}, ${cold.n} runs)`, `median ≤ ${targets.loadMs} ms`, judge(cold.p50, targets.loadMs));
result('B11', load, 'page load → interactive, warm (reload): median (p95)', `${msText(warm.p50)} (${msText(warm.p95)}, ${warm.n} runs)`, `median ≤ ${targets.loadMs} ms`, judge(warm.p50, targets.loadMs));
result('B11', load, `typing into the composer: key → next paint, p95 (median) of ${sentence.length} keys (Event Timing, INP-style)`, `${msText(typeStats.p95)} (${msText(typeStats.p50)})`, `p95 ≤ ${targets.typeMs} ms`, judge(typeStats.p95, targets.typeMs));
result('B11', load, `dropping a note (finger): pointerup → next paint, p95 (median) of ${drop.length} drops (Event Timing)`, `${msText(dropStats.p95)} (${msText(dropStats.p50)})`, `p95 ≤ ${targets.dropMs} ms`, judge(dropStats.p95, targets.dropMs));
result('B11', load, `a drop on one phone → the note moved in the other phone's DOM, p95 (median) of ${remote.length}`, `${msText(remoteStats.p95)} (${msText(remoteStats.p50)})`, `p95 ≤ ${targets.remoteMs} ms`, judge(remoteStats.p95, targets.remoteMs));
result('B11', load, 'a drop → the other phone has drawn it, p95 (median)', `${msText(percentile(remotePainted, 95))} (${msText(percentile(remotePainted, 50))})`, '–', 'n/a');
process.exit(0);
