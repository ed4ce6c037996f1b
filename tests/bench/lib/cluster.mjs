// Several nodes on one machine for the benchmarks: Redis (Debian's redis-server) in a temp dir on 127.0.0.1,
// pinning a process and all its threads to cores (taskset), and how busy each core was over a window.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpuMs, freePort, tempDir } from './server.mjs';

const children = new Set();
function killAll() {
	for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
process.on('exit', killAll);

/** `redis-server` on 127.0.0.1, a free port, no persistence; resolves when it accepts connections. */
export async function startRedis() {
	const dir = tempDir('verstas-bench-redis-');
	const port = await freePort();
	const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
		stdio: ['ignore', 'pipe', 'pipe']
	});
	children.add(child);
	let output = '';
	await new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
		const check = (chunk) => {
			output += chunk;
			if (/Ready to accept connections/.test(output)) {
				clearTimeout(timer);
				resolve();
			}
		};
		child.stdout.on('data', check);
		child.stderr.on('data', check);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`redis-server exited (${code}):\n${output}`));
		});
	});
	return {
		url: `redis://127.0.0.1:${port}`,
		pid: child.pid,
		async stop() {
			if (child.exitCode !== null || child.signalCode !== null) return;
			const exited = new Promise((resolve) => child.once('exit', resolve));
			child.kill('SIGKILL');
			await exited;
		}
	};
}

/** Pins process `pid` and every thread it has to `cpus` ('0', '1', '0,1'); threads it starts later inherit it. */
export function pin(pid, cpus) {
	execFileSync('taskset', ['-a', '-p', '-c', String(cpus), String(pid)], { stdio: 'ignore' });
}

/** The cores a process may run on, as taskset prints them. */
export function affinityOf(pid) {
	return execFileSync('taskset', ['-p', '-c', String(pid)], { encoding: 'utf8' }).split(':').pop().trim();
}

function coreTimes() {
	const out = [];
	for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
		const match = line.match(/^cpu(\d+)\s+(.*)$/);
		if (!match) continue;
		const f = match[2].split(/\s+/).map(Number);
		// user nice system idle iowait irq softirq steal (guest time is already in user)
		const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
		out[Number(match[1])] = { busy: total - f[3] - f[4], steal: f[7], total };
	}
	return out;
}

/** How busy each core (of the whole machine) and each given process (% of one core) was from now to stop(). */
export function startCoreMeter(pids = {}) {
	const before = coreTimes();
	const t0 = performance.now();
	const cpu0 = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, safeCpu(pid)]));
	return {
		stop() {
			const after = coreTimes();
			const elapsed = performance.now() - t0;
			return {
				cores: after.map((a, k) => ((a.busy - before[k].busy) / Math.max(1, a.total - before[k].total)) * 100),
				/** time the hypervisor gave this VM's cores to someone else (part of `cores`) */
				steal: after.map((a, k) => ((a.steal - before[k].steal) / Math.max(1, a.total - before[k].total)) * 100),
				processes: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, ((safeCpu(pid) - cpu0[name]) / elapsed) * 100]))
			};
		}
	};
}

/** `pid`: a process id, or a function giving CPU ms (e.g. databaseCpuMs: a whole PostgreSQL cluster). */
function safeCpu(pid) {
	try {
		return typeof pid === 'function' ? (pid() ?? NaN) : cpuMs(pid);
	} catch {
		return NaN;
	}
}

/** 1-minute load average. */
export const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
