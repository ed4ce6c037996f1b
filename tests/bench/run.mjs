// `npm run bench [-- b1 b3 …]`: runs tests/bench/b*.mjs in order (b1, b2, … b10), each in its own process,
// passes their output through, and prints one Markdown table of the RESULT lines they printed:
//   RESULT|<id>|<load>|<measure>|<value>|<target>|<pass|miss|n/a>
// A bench that crashes is reported as failed and the others still run. Exit code 1 when one crashed.
// BENCH_DATABASE=postgres (passed on to every bench) runs them on PostgreSQL instead of SQLite (lib/database.mjs).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2).map((arg) => arg.toLowerCase().replace(/\.mjs$/, ''));
const idOf = (file) => Number(file.match(/^b(\d+)/)[1]);
const files = readdirSync(here)
	.filter((file) => /^b\d+.*\.mjs$/.test(file))
	.filter((file) => wanted.length === 0 || wanted.some((w) => file === `${w}.mjs` || new RegExp(`^${w}(?!\\d)`).test(file)))
	.sort((a, b) => idOf(a) - idOf(b) || a.localeCompare(b));

if (files.length === 0) {
	console.error(`No benchmark matches ${wanted.join(' ')}`);
	process.exit(2);
}

const rows = [];
const failures = [];
let current = null;
process.on('SIGINT', () => current?.kill('SIGINT'));
process.on('SIGTERM', () => current?.kill('SIGTERM'));

function run(file) {
	return new Promise((resolve) => {
		const started = performance.now();
		console.log(`\n=== ${file} ===`);
		const child = spawn(process.execPath, [join(here, file)], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
		current = child;
		let pending = '';
		let printed = 0;
		child.stdout.on('data', (chunk) => {
			process.stdout.write(chunk);
			pending += chunk;
			const lines = pending.split('\n');
			pending = lines.pop();
			for (const line of lines) if (parse(line)) printed++;
		});
		child.on('close', (code, signal) => {
			current = null;
			if (pending && parse(pending)) printed++;
			const seconds = ((performance.now() - started) / 1000).toFixed(0);
			if (code !== 0) {
				const id = `B${idOf(file)}`;
				failures.push(file);
				rows.push({ id, load: basename(file, '.mjs'), measure: 'benchmark crashed', value: `exit ${code ?? signal}`, target: '–', ok: 'fail' });
			}
			console.log(`=== ${file}: ${code === 0 ? 'done' : `FAILED (${code ?? signal})`} in ${seconds} s, ${printed} results ===`);
			resolve();
		});
	});
}

function parse(line) {
	if (!line.startsWith('RESULT|')) return false;
	const [, id, load, measure, value, target, ok] = line.trim().split('|');
	rows.push({ id, load, measure, value, target, ok });
	return true;
}

const started = performance.now();
for (const file of files) await run(file);

const escape = (text) => String(text ?? '').replace(/\|/g, '\\|');
const onPostgres = (process.env.BENCH_DATABASE ?? '').toLowerCase() === 'postgres' ? ', on PostgreSQL' : '';
console.log(`\n## Results (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${((performance.now() - started) / 1000).toFixed(0)} s${onPostgres})\n`);
console.log('| # | load | measure | result | target | ok |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${[r.id, r.load, r.measure, r.value, r.target, r.ok].map(escape).join(' | ')} |`);
const misses = rows.filter((r) => r.ok === 'miss');
console.log(`\n${rows.filter((r) => r.ok === 'pass').length} pass, ${misses.length} miss, ${failures.length} crashed${failures.length ? ` (${failures.join(', ')})` : ''}`);
process.exit(failures.length ? 1 : 0);
