import { parse } from 'devalue';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const projectRoot = join(import.meta.dirname, '../..');

export type RunningServer = { url: string; process: ChildProcess; output: () => string; stop: () => Promise<void> };

/** Starts the production build (`server/` entry) on a free port of 127.0.0.1 and waits until it listens. */
export async function startProductionServer(options: { entry?: 'index.js' | 'demo.js'; env: Record<string, string> }) {
	if (!existsSync(join(projectRoot, 'build', 'handler.js'))) {
		throw new Error('No production build: run `npm run build` before these tests (npm test does).');
	}
	const child = spawn(process.execPath, [join(projectRoot, 'server', options.entry ?? 'index.js')], {
		cwd: projectRoot,
		env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...options.env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	// Whatever stops the process that started it (a runner's timeout in the middle of start-up included), the
	// server must not outlive it.
	const killOnExit = () => child.kill('SIGKILL');
	process.once('exit', killOnExit);
	child.once('exit', () => process.removeListener('exit', killOnExit));
	// Kept for error reports, but bounded: a long e2e run must not grow it without limit.
	let output = '';
	const keep = (chunk: Buffer) => (output = (output + chunk).slice(-20_000));
	child.stdout!.on('data', keep);
	child.stderr!.on('data', keep);

	const url = await new Promise<string>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`server did not start within 30 s:\n${output}`)), 30_000);
		child.stdout!.on('data', () => {
			const match = output.match(/running at (http:\/\/\S+)/);
			if (match) {
				clearTimeout(timer);
				resolve(match[1]!);
			}
		});
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(Object.assign(new Error(`server exited with ${code}:\n${output}`), { exitCode: code, output }));
		});
	});

	const stop = () =>
		new Promise<void>((resolve) => {
			if (child.exitCode !== null || child.signalCode !== null) return resolve();
			const forceKill = setTimeout(() => child.kill('SIGKILL'), 5_000);
			child.once('exit', () => {
				clearTimeout(forceKill);
				resolve();
			});
			child.kill('SIGTERM');
		});
	return { url, process: child, output: () => output, stop } satisfies RunningServer;
}

export type ActionAnswer = { type: string; status: number; data?: Record<string, unknown>; location?: string };

/** Posts a form action as SvelteKit's `use:enhance` does and decodes its answer. */
export async function postAction(
	url: string,
	path: string,
	cookie: string,
	fields: Record<string, string | string[]>,
	headers: Record<string, string> = {}
) {
	const body = new URLSearchParams();
	for (const [key, value] of Object.entries(fields)) for (const one of [value].flat()) body.append(key, one);
	const response = await fetch(`${url}${path}`, {
		method: 'POST',
		headers: { cookie, origin: url, 'x-sveltekit-action': 'true', 'content-type': 'application/x-www-form-urlencoded', ...headers },
		body
	});
	const json = (await response.json()) as ActionAnswer & { data?: string };
	// An error's status is the response's; success, failure and redirect carry theirs in the body.
	return { ...json, status: json.status ?? response.status, data: json.data ? (parse(json.data) as Record<string, unknown>) : undefined } as ActionAnswer;
}
