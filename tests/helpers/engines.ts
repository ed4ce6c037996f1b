// Real engines from Debian packages for the cluster tests, each started in a temporary folder on 127.0.0.1 and
// stopped (SIGKILL as a last resort) when the tests end or the runner exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Engine = { url: string; port: number; process: ChildProcess; output: () => string; stop: () => Promise<void> };

/** A port the kernel just gave out on 127.0.0.1 (free unless taken in the next moment). */
export function freePort() {
	return new Promise<number>((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

/** Starts `command` and waits for `ready` in its output. */
function startEngine(name: string, command: string, args: string[], ready: RegExp | null, dir: string) {
	const child = spawn(command, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
	const killOnExit = () => child.kill('SIGKILL');
	process.once('exit', killOnExit);
	let output = '';
	const keep = (chunk: Buffer) => (output = (output + chunk).slice(-20_000));
	child.stdout!.on('data', keep);
	child.stderr!.on('data', keep);
	const started = new Promise<void>((resolve, reject) => {
		if (!ready) return resolve();
		const timer = setTimeout(() => reject(new Error(`${name} did not start within 15 s:\n${output}`)), 15_000);
		const check = () => {
			if (ready.test(output)) {
				clearTimeout(timer);
				resolve();
			}
		};
		child.stdout!.on('data', check);
		child.stderr!.on('data', check);
		child.once('error', (error) => {
			clearTimeout(timer);
			reject(new Error(`${name} could not be started (${error.message}): install it from Debian (.ci/run does)`));
		});
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`${name} exited with ${code}:\n${output}`));
		});
	});
	const stop = () =>
		new Promise<void>((resolve) => {
			const done = () => {
				process.removeListener('exit', killOnExit);
				rmSync(dir, { recursive: true, force: true });
				resolve();
			};
			if (child.exitCode !== null || child.signalCode !== null) return done();
			const force = setTimeout(() => child.kill('SIGKILL'), 5000);
			child.once('exit', () => {
				clearTimeout(force);
				done();
			});
			child.kill('SIGTERM');
		});
	return { started, child, output: () => output, stop };
}

/** redis-server without persistence (pub/sub only), on a free port. */
export async function startRedis(): Promise<Engine> {
	const dir = mkdtempSync(join(tmpdir(), 'verstas-redis-'));
	const port = await freePort();
	const engine = startEngine(
		'redis-server',
		'redis-server',
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
		/Ready to accept connections/,
		dir
	);
	await engine.started;
	return { url: `redis://127.0.0.1:${port}`, port, process: engine.child, output: engine.output, stop: engine.stop };
}

/** HAProxy's configuration for app nodes behind one address (the README's "Running on several nodes" shows it). */
export function haproxyConfig(port: number, nodes: { name: string; port: number }[]) {
	return `global
	maxconn 4000

defaults
	mode http
	timeout connect 2s
	timeout client 60s
	timeout server 60s
	# a board's WebSocket stays open for hours
	timeout tunnel 8h
	# a request that found a node dead goes to another one
	option redispatch
	retries 2

frontend verstas
	bind 127.0.0.1:${port}
	default_backend nodes

backend nodes
	# Each workshop's people on one node: /collab/{id}, /collab/{id}.private.{participant} and /workshops/{id}/… hash
	# to the same node (B12: two nodes carry 1.78× one node's workshops this way, 1.22× with each room spread over
	# both). When that node fails, its workshops move to the others; the Redis relay keeps any room that is on
	# several nodes meanwhile (and actions taken on any node) consistent.
	balance hash path,field(3,/),word(1,.)
	hash-type consistent
	# which node answered (for operators and the cluster tests)
	http-response set-header X-Verstas-Node %s
	# the app answers a request without a Host header with 400: HTTP/1.1 with one
	option httpchk
	http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host localhost
	http-check expect status 200
	default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
${nodes.map((node) => `	server ${node.name} 127.0.0.1:${node.port} check`).join('\n')}
`;
}

/** HAProxy in front of the given local ports: each workshop on one node, with health checks and failover. */
export async function startHaproxy(nodes: { name: string; port: number }[]): Promise<Engine> {
	const dir = mkdtempSync(join(tmpdir(), 'verstas-haproxy-'));
	const port = await freePort();
	const config = join(dir, 'haproxy.cfg');
	writeFileSync(config, haproxyConfig(port, nodes));
	// -db: stay in the foreground. It prints nothing when ready: ready is when it answers.
	const engine = startEngine('haproxy', 'haproxy', ['-db', '-f', config], null, dir);
	const url = `http://127.0.0.1:${port}`;
	for (let attempt = 0; ; attempt++) {
		if (engine.child.exitCode !== null) throw new Error(`haproxy exited:\n${engine.output()}`);
		try {
			await fetch(`${url}/healthz`);
			break;
		} catch {
			if (attempt > 150) throw new Error(`haproxy did not listen within 15 s:\n${engine.output()}`);
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	}
	return { url, port, process: engine.child, output: engine.output, stop: engine.stop };
}
