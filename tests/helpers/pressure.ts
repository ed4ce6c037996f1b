// Measuring a server under attack from the outside: /healthz latency sampled while something runs, and the
// server process's resident memory (Linux /proc).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';

/** The server process's resident set size in MiB. */
export function residentMiB(pid: number) {
	const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	if (!match) throw new Error(`no VmRSS for process ${pid}`);
	return Number(match[1]) / 1024;
}

export function percentile(values: number[], p: number) {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

// The sampler runs in its own process: the test's own work (building and sending the attack) must not delay it.
const samplerScript = `
const [url, everyMs] = process.argv.slice(1);
const latencies = [];
let running = true;
process.stdin.on('data', () => (running = false));
process.stdin.on('end', () => (running = false));
(async () => {
	while (running) {
		const started = performance.now();
		const response = await fetch(url + '/healthz');
		await response.arrayBuffer();
		if (!response.ok) { console.error('/healthz answered ' + response.status); process.exit(1); }
		latencies.push(performance.now() - started);
		await new Promise((resolve) => setTimeout(resolve, Number(everyMs)));
	}
	process.stdout.write(JSON.stringify(latencies));
})();
`;

/**
 * Runs `work` while another process asks /healthz every `everyMs` (one request at a time; a slow answer delays the
 * next, and its whole latency counts). Returns the latencies in ms.
 */
export async function healthzDuring(url: string, work: () => Promise<void>, everyMs = 10) {
	const sampler = spawn(process.execPath, ['-e', samplerScript, url, String(everyMs)], { stdio: ['pipe', 'pipe', 'pipe'] });
	let output = '';
	let errors = '';
	sampler.stdout!.on('data', (chunk: Buffer) => (output += chunk));
	sampler.stderr!.on('data', (chunk: Buffer) => (errors += chunk));
	const exited = once(sampler, 'exit');
	try {
		await work();
	} finally {
		sampler.stdin!.end('stop');
		await exited;
	}
	if (sampler.exitCode !== 0) throw new Error(`the /healthz sampler failed: ${errors}`);
	return JSON.parse(output) as number[];
}
