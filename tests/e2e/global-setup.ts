// Starts the production server once for the whole run: `node server/demo.js` on a free port with a fresh demo
// database in a temporary directory. Tests find it through process.env.E2E_BASE_URL (workers inherit the env).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const startTimeoutMs = 30_000;

export default async function globalSetup() {
	if (!existsSync(join(root, 'build', 'handler.js'))) {
		throw new Error(
			`No production build at ${join(root, 'build', 'handler.js')}: run npm run build before the end-to-end tests.`
		);
	}

	const dir = mkdtempSync(join(tmpdir(), 'verstas-e2e-'));
	const server = spawn(process.execPath, ['server/demo.js'], {
		cwd: root,
		env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATABASE_PATH: join(dir, 'e2e.db'), NODE_ENV: 'production' },
		stdio: ['ignore', 'pipe', 'pipe']
	});

	// Should the runner end without calling the teardown, the server must not outlive it.
	const killOnExit = () => server.kill('SIGKILL');
	process.once('exit', killOnExit);

	let output = '';
	const cleanUp = () => {
		process.removeListener('exit', killOnExit);
		if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
		rmSync(dir, { recursive: true, force: true });
	};

	let url: string;
	try {
		url = await new Promise<string>((resolvePromise, reject) => {
			const timer = setTimeout(
				() => reject(new Error(`The server did not report "running at" within ${startTimeoutMs / 1000} s.`)),
				startTimeoutMs
			);
			const onData = (chunk: Buffer) => {
				output += chunk.toString();
				const match = /running at (http:\/\/\S+)/.exec(output);
				if (match) {
					clearTimeout(timer);
					resolvePromise(match[1]!);
				}
			};
			server.stdout!.on('data', onData);
			server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
			server.once('error', (error) => {
				clearTimeout(timer);
				reject(error);
			});
			server.once('exit', (code, signal) => {
				clearTimeout(timer);
				reject(new Error(`The server exited before it was ready (code ${code}, signal ${signal}).`));
			});
		});
	} catch (error) {
		cleanUp();
		throw new Error(`${(error as Error).message}\n--- server output ---\n${output || '(none)'}`);
	}

	// Keep draining the pipes so a chatty server never blocks on a full buffer; show its errors.
	server.stdout!.removeAllListeners('data');
	server.stdout!.resume();
	server.stderr!.removeAllListeners('data');
	server.stderr!.on('data', (chunk: Buffer) => process.stderr.write(`[server] ${chunk}`));

	process.env.E2E_BASE_URL = url;

	return async () => {
		process.removeListener('exit', killOnExit);
		if (server.exitCode === null && server.signalCode === null) {
			const exited = new Promise((done) => server.once('exit', done));
			server.kill('SIGTERM');
			await Promise.race([exited, new Promise((done) => setTimeout(done, 5_000))]);
			if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
		}
		rmSync(dir, { recursive: true, force: true });
	};
}
