// One bench client process (a *-worker.mjs forked with IPC): `call(command, args)` answers with what the worker
// sends back for that call's id. Every process started here is killed when the bench exits, however it exits.
import { fork } from 'node:child_process';

const workers = new Set();
process.on('exit', () => {
	for (const child of workers) child.kill('SIGKILL');
});

export function startWorker(workerPath) {
	// BENCH_CLIENT_PROFILE=<dir>: a V8 CPU profile of each client process, written when it exits
	const execArgv = process.env.BENCH_CLIENT_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CLIENT_PROFILE}`] : [];
	const child = fork(workerPath, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	workers.add(child);
	let next = 0;
	const pending = new Map();
	const ready = new Promise((resolve, reject) => {
		child.on('message', (message) => {
			if (message.ready) return resolve();
			const waiting = pending.get(message.id);
			if (!waiting) return;
			pending.delete(message.id);
			if (message.error) waiting.reject(new Error(`client process: ${message.error}`));
			else waiting.resolve(message.value);
		});
		child.once('exit', (code, signal) => {
			workers.delete(child);
			const error = new Error(`client process exited (${code ?? signal})`);
			reject(error);
			for (const waiting of pending.values()) waiting.reject(error);
			pending.clear();
		});
	});
	return {
		child,
		ready,
		call(command, args) {
			return new Promise((resolve, reject) => {
				const id = ++next;
				pending.set(id, { resolve, reject });
				child.send({ id, command, args });
			});
		}
	};
}
