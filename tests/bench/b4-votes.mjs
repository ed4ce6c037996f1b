#!/usr/bin/env node
// B4: 1,000 participants cast votes within 1 s against one open dot round.
//
// Measures: accepted (success answers) = stored (sum of points in `votes`) = tallied (the server's own tally, sum of
// the item scores it announces on the board socket), 0 lost, nobody over budget; and the time from the first vote
// sent until every screen (board connection: real y-websocket WebsocketProvider clients) has seen the final turnout
// in a type-102 message. Target: 0 lost, ≤ 1 s.
//
// Set-up: the production server in a child process, on SQLite (default) or PostgreSQL (BENCH_DATABASE=postgres); rows
// seeded into its database while it runs, exactly as the app writes them
// (facilitator + session, workshop, 1,000 guests, an open dot round with 8 items, budget 5, cap 3, results visible).
// The screens run in a worker thread (their own event loop, as separate devices would have). Each voter casts one
// point from the main thread, the way the board page sends it:
//   --via socket (default): every voter's phone has the board open, so its socket is connected before the round
//     opens; the vote is a type-103 frame on it and the answer a type-104 frame (all 1,000 sent at once);
//   --via form: the fallback, the form action posted as `use:enhance` does (x-sveltekit-action), with
//     `--concurrency` requests in flight over keep-alive connections.
// A warm-up round (default 200 votes by other guests) runs first on the same board and path so the numbers are
// those of a server that has been up for a while. Client, screens and server share the machine's cores.
//
//   node tests/bench/b4-votes.mjs [--voters 1000] [--screens 100] [--via socket|form] [--concurrency 96] [--warmup 200]
//                                 [--cpu-prof]
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const wallNow = () => performance.timeOrigin + performance.now();

if (!isMainThread) await runScreens(workerData);
else await main();

// The screens (worker thread) ------------------------------------------------------------------------------------

async function runScreens({ url, workshopId, cookies, targetTurnout }) {
	// y-websocket adds a process 'exit' listener per provider in Node.
	process.setMaxListeners(0);
	const { WebSocket } = await import('ws');
	const { WebsocketProvider } = await import('y-websocket');
	const Y = await import('yjs');
	const decoding = await import('lib0/decoding');
	const collabUrl = url.replace(/^http/, 'ws') + '/collab';
	let target = null; // { roundId, turnout }
	const screens = cookies.map((cookie, index) => {
		const headers = { cookie, origin: url };
		const HeaderSocket = class extends WebSocket {
			constructor(address, protocols, options) {
				super(address, protocols ?? [], { ...options, headers: { ...options?.headers, ...headers } });
			}
		};
		const doc = new Y.Doc();
		const provider = new WebsocketProvider(collabUrl, workshopId, doc, { WebSocketPolyfill: HeaderSocket, disableBc: true, maxBackoffTime: 300, connect: false });
		const screen = { index, provider, doc, messages: 0, seenAt: null, seen: null, last: null, closes: [] };
		provider.messageHandlers[100] = () => {};
		provider.messageHandlers[101] = () => {};
		// The done count (105) and, for a facilitator, the roster (106): not measured here.
		provider.messageHandlers[105] = () => {};
		provider.messageHandlers[106] = () => {};
		provider.messageHandlers[102] = (_encoder, decoder) => {
			const at = wallNow();
			const vote = JSON.parse(decoding.readVarString(decoder));
			screen.messages++;
			screen.last = vote;
			if (target && vote.roundId === target.roundId) {
				if (screen.seenAt === null && vote.turnout >= target.turnout) {
					screen.seenAt = at;
					screen.seen = vote;
				}
				if (index === 0 && vote.status !== 'open') parentPort.postMessage({ type: 'status', vote });
			}
		};
		provider.on('connection-close', (event) => event && screen.closes.push(event.code));
		provider.connect();
		return screen;
	});
	const deadline = Date.now() + 60_000;
	while (!screens.every((screen) => screen.provider.synced)) {
		if (Date.now() > deadline) throw new Error(`${screens.filter((s) => !s.provider.synced).length} screens did not sync within 60 s`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	parentPort.postMessage({ type: 'ready' });
	parentPort.on('message', async (message) => {
		if (message.type === 'target') {
			target = message.target;
			return;
		}
		if (message.type === 'report') {
			const until = Date.now() + message.waitMs;
			while (Date.now() < until && !screens.every((screen) => screen.seenAt !== null)) await new Promise((resolve) => setTimeout(resolve, 5));
			parentPort.postMessage({
				type: 'report',
				seen: screens.map((screen) => ({ seenAt: screen.seenAt, scores: screen.seen?.results?.map((r) => r.score) ?? null, present: screen.seen?.present ?? null })),
				messages: screens.map((screen) => screen.messages),
				closes: screens.flatMap((screen) => screen.closes),
				last: screens[0].last
			});
		}
		if (message.type === 'stop') {
			for (const screen of screens) {
				screen.provider.destroy();
				screen.doc.destroy();
			}
			parentPort.close();
		}
	});
	void targetTurnout;
}

// The benchmark (main thread) -----------------------------------------------------------------------------------

async function main() {
	const { join } = await import('node:path');
	const lib = await import('./lib/http.mjs');
	const { args, numberArg, fmt, summary, result, verdict } = lib;
	const options = args();
	const voters = numberArg(options.voters, 1000);
	const screenCount = numberArg(options.screens, 100);
	const concurrency = numberArg(options.concurrency, 96);
	const via = options.via === 'form' ? 'form' : 'socket';
	const warmup = numberArg(options.warmup, 200);
	const itemCount = 8;
	const targetMs = 1000;

	const dir = lib.tempDir();
	const profileDir = join(dir, 'profile');
	let server;
	let worker;
	let db;
	try {
		db = await lib.createDatabase({ dir });
		// Every phone of the room connects from 127.0.0.1 here: the per-address cap (1,000, for a venue's NAT) is raised
		// for the bench, which stands in for 1,300 phones (voters, warm-up voters, screens).
		server = await lib.startVerstas({ database: db, env: { VERSTAS_COLLAB_MAX_CONNECTIONS_PER_ADDRESS: String(voters + warmup + screenCount + 10) }, nodeArgs: options['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [] });
		const facilitator = await lib.insertUser(db, { email: 'vetaja@bench.verstas.fi', name: 'Vetäjä' });
		const facilitatorCookie = await lib.insertSession(db, facilitator);
		const workshopId = await lib.insertWorkshop(db, facilitator, { title: 'Suuri sali' });
		const people = await lib.insertGuests(db, workshopId, voters);
		const warmupPeople = await lib.insertGuests(db, workshopId, warmup, { namePrefix: 'Lämmittelijä' });
		const items = Array.from({ length: itemCount }, (_, index) => ({ id: `idea-${index}`, kind: 'idea', text: `Idea ${index + 1}` }));

		console.log(`B4 — ${voters} voters, ${screenCount} screens, votes via ${via === 'socket' ? 'the board socket' : `form posts, ${concurrency} in flight`} (server ${server.url}, pid ${server.pid}, ${db.label})`);
		// Screens: the projector (facilitator) and the first voters' phones.
		const screenCookies = [facilitatorCookie, ...people.slice(0, screenCount - 1).map((p) => p.cookie)].slice(0, screenCount);
		worker = new Worker(new URL(import.meta.url), { workerData: { url: server.url, workshopId, cookies: screenCookies } });
		const fromWorker = [];
		const waiters = [];
		worker.on('message', (message) => {
			fromWorker.push(message);
			for (const waiter of [...waiters]) if (waiter.match(message)) (waiters.splice(waiters.indexOf(waiter), 1), waiter.resolve(message));
		});
		let workerError = null;
		worker.on('error', (error) => (workerError = error));
		const waitWorker = (match, timeoutMs) =>
			new Promise((resolve, reject) => {
				const found = fromWorker.find(match);
				if (found) return resolve(found);
				const timer = setTimeout(() => reject(workerError ?? new Error('worker timed out')), timeoutMs);
				waiters.push({ match, resolve: (message) => (clearTimeout(timer), resolve(message)) });
			});
		const connectStart = performance.now();
		await waitWorker((m) => m.type === 'ready', 90_000);
		console.log(`  ${screenCount} screens connected and synced in ${fmt(performance.now() - connectStart, 0)} ms`);

		const agent = lib.keepAliveAgent(concurrency);
		const castByForm = async (roundId, who) => {
			const outcomes = [];
			let next = 0;
			const workerLoop = async () => {
				while (next < who.length) {
					const index = next++;
					const sentAt = wallNow();
					const answer = await lib.formAction(
						server.url,
						`/workshops/${workshopId}/board?/vote`,
						who[index].cookie,
						{ roundId, itemId: items[index % itemCount].id, delta: '1', requestId: `r-${index}` },
						{ agent }
					);
					outcomes.push({ type: answer.type, status: answer.status, ms: answer.ms, sentAt, doneAt: wallNow() });
				}
			};
			await Promise.all(Array.from({ length: concurrency }, workerLoop));
			return outcomes;
		};

		// The voters' phones with the board open: raw board sockets that only vote and read their answers.
		const { WebSocket } = await import('ws');
		const encoding = await import('lib0/encoding');
		const decoding = await import('lib0/decoding');
		const openSockets = async (who) => {
			const sockets = [];
			for (let start = 0; start < who.length; start += 100) {
				const batch = who.slice(start, start + 100).map(
					(person) =>
						new Promise((resolve, reject) => {
							const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/collab/${workshopId}`, { headers: { cookie: person.cookie, origin: server.url } });
							const waiting = new Map();
							ws.on('message', (data) => {
								if (data[0] !== 104) return;
								const decoder = decoding.createDecoder(new Uint8Array(data));
								decoding.readVarUint(decoder);
								const answer = JSON.parse(decoding.readVarString(decoder));
								waiting.get(answer.requestId)?.(answer);
							});
							ws.once('open', () => resolve({ ws, waiting }));
							ws.once('error', reject);
						})
				);
				sockets.push(...(await Promise.all(batch)));
			}
			return sockets;
		};
		const castBySocket = async (roundId, sockets) => {
			const outcomes = await Promise.all(
				sockets.map(({ ws, waiting }, index) => {
					const requestId = `s-${roundId}-${index}`;
					const encoder = encoding.createEncoder();
					encoding.writeVarUint(encoder, 103);
					encoding.writeVarString(encoder, JSON.stringify({ method: 'dot', roundId, itemId: items[index % itemCount].id, delta: 1, requestId }));
					const sentAt = wallNow();
					return new Promise((resolve) => {
						const timer = setTimeout(() => resolve({ type: 'error', status: 0, ms: wallNow() - sentAt, sentAt, doneAt: wallNow() }), 30_000);
						waiting.set(requestId, (answer) => {
							clearTimeout(timer);
							const doneAt = wallNow();
							resolve({ type: answer.ok ? 'success' : 'failure', status: answer.ok ? 200 : 409, ms: doneAt - sentAt, sentAt, doneAt });
						});
						ws.send(encoding.toUint8Array(encoder));
					});
				})
			);
			return outcomes;
		};
		const socketsOf = new Map();
		if (via === 'socket') {
			const openStart = performance.now();
			socketsOf.set(people, await openSockets(people));
			if (warmup > 0) socketsOf.set(warmupPeople, await openSockets(warmupPeople));
			console.log(`  ${voters + warmup} voters' board sockets open in ${fmt(performance.now() - openStart, 0)} ms`);
		}
		const castAll = (roundId, who) => (via === 'socket' ? castBySocket(roundId, socketsOf.get(who)) : castByForm(roundId, who));

		// Warm-up round: other guests, same board, same path.
		if (warmup > 0) {
			const warmRound = await lib.insertDotRound(db, workshopId, facilitator, items);
			const warm = await castAll(warmRound, warmupPeople);
			console.log(`  warm-up: ${warm.filter((o) => o.type === 'success').length}/${warmup} votes accepted on a separate round`);
			await lib.sleep(500);
		}

		// The measured round (opening it closes the warm-up round, as openRound does).
		const roundId = await lib.insertDotRound(db, workshopId, facilitator, items, { budget: 5, cap: 3 });
		worker.postMessage({ type: 'target', target: { roundId, turnout: voters } });
		await lib.sleep(100);
		const meter = lib.cpuMeter(server.pid);
		const databaseMeter = lib.databaseCpuMeter();
		const clientCpu0 = process.cpuUsage();
		const t0 = wallNow();
		const outcomes = await castAll(roundId, people);
		const tLast = wallNow();
		const report = await (async () => {
			worker.postMessage({ type: 'report', waitMs: 10_000 });
			return waitWorker((m) => m.type === 'report', 20_000);
		})();
		const cpu = meter.stop();
		const databaseCpu = databaseMeter.stop();
		const clientCpu = process.cpuUsage(clientCpu0);

		const accepted = outcomes.filter((o) => o.type === 'success').length;
		const refused = outcomes.filter((o) => o.type === 'failure').length;
		const errors = outcomes.length - accepted - refused;
		const stored = await db.get('SELECT coalesce(sum(points), 0) AS points, count(DISTINCT voter_id) AS voters, max(points) AS "maxPoints" FROM votes WHERE round_id = ?', roundId);
		const overBudget = (await db.get('SELECT count(*) AS n FROM (SELECT voter_id FROM votes WHERE round_id = ? GROUP BY voter_id HAVING sum(points) > 5) AS over_budget', roundId)).n;
		const requests = (await db.get('SELECT count(*) AS n FROM vote_requests WHERE round_id = ?', roundId)).n;

		// The server's tally: the facilitator closes the round; the announcement carries the scores.
		const closed = await lib.formAction(server.url, `/workshops/${workshopId}/votes?/close`, facilitatorCookie, { roundId }, { agent });
		const closedVote = (await waitWorker((m) => m.type === 'status' && m.vote.roundId === roundId, 5_000).catch(() => null))?.vote;
		const talliedClosed = closedVote?.results ? closedVote.results.reduce((sum, r) => sum + r.score, 0) : NaN;
		const seenScores = report.seen.find((s) => s.scores)?.scores;
		const talliedLive = seenScores ? seenScores.reduce((a, b) => a + b, 0) : NaN;

		const seenMs = report.seen.map((s) => (s.seenAt === null ? Infinity : s.seenAt - t0));
		const missing = seenMs.filter((ms) => !Number.isFinite(ms)).length;
		const allSeenMs = Math.max(...seenMs);
		const latency = summary(outcomes.map((o) => o.ms));
		const sendSpanMs = tLast - t0;
		const lost = accepted - stored.points;
		const consistent = accepted === stored.points && stored.points === talliedClosed && accepted === requests && overBudget === 0 && errors === 0;

		console.log(`  votes: ${accepted} accepted, ${refused} refused, ${errors} errors; all answered ${fmt(sendSpanMs, 0)} ms after the first was sent`);
		console.log(`    (${fmt(voters / (sendSpanMs / 1000), 0)} votes/s; answer latency p50 ${fmt(latency.p50)} / p99 ${fmt(latency.p99)} / max ${fmt(latency.max)} ms)`);
		console.log(`  stored: ${stored.points} points from ${stored.voters} voters (${requests} request ids), ${overBudget} over budget`);
		console.log(`  tallied by the server: ${talliedClosed} (closing announcement, close answered ${closed.type}), ${talliedLive} (live announcement at final turnout)`);
		console.log(`  lost: ${lost}; accepted = stored = tallied: ${consistent ? 'yes' : 'NO'}`);
		const seenSummary = summary(seenMs.filter(Number.isFinite));
		console.log(
			`  final turnout (${voters}) on screens: ${screenCount - missing}/${screenCount}; after first vote p50 ${fmt(seenSummary.p50, 0)} ms, ` +
				`last screen ${fmt(allSeenMs, 0)} ms (${fmt(allSeenMs - sendSpanMs, 0)} ms after the last answer); type-102 messages per screen ${Math.min(...report.messages)}–${Math.max(...report.messages)}`
		);
		if (report.closes.length) console.log(`  screen connections closed during the run: ${report.closes.join(', ')}`);
		console.log(`  server CPU during the run: ${fmt(cpu.cpuMs, 0)} ms over ${fmt(cpu.wallMs, 0)} ms (${fmt(cpu.share * 100, 0)} % of one core), RSS ${fmt(lib.rssMb(server.pid), 0)} MB; ` +
				`load generator + screens: ${fmt((clientCpu.user + clientCpu.system) / 1000, 0)} ms CPU (2 cores shared)`);
		if (databaseCpu) console.log(`  PostgreSQL's processes meanwhile: ${fmt(databaseCpu.cpuMs, 0)} ms CPU (not in the server's)`);

		const load = `${voters} voters at once (${via === 'socket' ? 'on the board socket' : `form posts, ${concurrency} in flight`}), ${screenCount} screens${lib.onDatabase}`;
		result('B4', load, 'lost votes (accepted - stored; = tallied)', `${lost} (${accepted}/${stored.points}/${talliedClosed})`, '0', verdict(consistent && lost === 0));
		result('B4', load, 'first vote → final turnout on every screen', Number.isFinite(allSeenMs) ? `${fmt(allSeenMs, 0)} ms` : `never on ${missing} screens`, `<= ${targetMs} ms`, verdict(allSeenMs <= targetMs));
		result('B4', load, 'all votes answered', `${fmt(sendSpanMs, 0)} ms (p99 ${fmt(latency.p99, 0)} ms)`, '-', 'n/a');

		for (const sockets of socketsOf.values()) for (const { ws } of sockets) ws.terminate();
		worker.postMessage({ type: 'stop' });
		await Promise.race([new Promise((resolve) => worker.once('exit', resolve)), lib.sleep(2000)]);
		await db.close();
		await server.stop();
		if (options['cpu-prof']) lib.reportCpuProfile(profileDir, 'b4-server');
	} catch (error) {
		console.error(error);
		if (server) console.error(server.output().slice(-3000));
		process.exitCode = 1;
	} finally {
		await worker?.terminate();
		await server?.stop();
		await db?.close();
	}
}
