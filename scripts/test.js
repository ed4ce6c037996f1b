// `npm test`: type check, build, unit + integration (Vitest), end-to-end (Playwright in Chromium).
// Runs every stage even when one fails, then prints one closing line: "N passed, N failed". A test that was
// expected to run and did not counts as failed (scripts/test-counts.js), and the stage that was cut is named.
//
// VERSTAS_TEST_STAGES   comma-separated subset of check,build,unit,postgres,e2e (default: all, in that order)
// VERSTAS_TEST_OUTPUT   where reports go (default tests/.output; emptied first)
// VERSTAS_E2E_GLOBAL_TIMEOUT_MS is read by playwright.config.ts (the runner's own test shortens it).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { systemChromium } from './chromium.js';
import { countPlaywright, countVitest } from './test-counts.js';

const root = join(import.meta.dirname, '..');
const output = process.env.VERSTAS_TEST_OUTPUT || join(root, 'tests', '.output');
rmSync(output, { recursive: true, force: true });
mkdirSync(output, { recursive: true });

const allStages = ['check', 'build', 'unit', 'postgres', 'e2e'];
const stages = process.env.VERSTAS_TEST_STAGES?.split(',').map((stage) => stage.trim()) ?? allStages;
const unknownStages = stages.filter((stage) => !allStages.includes(stage));
if (unknownStages.length) {
	console.error(`Unknown stage(s) in VERSTAS_TEST_STAGES: ${unknownStages.join(', ')} (known: ${allStages.join(', ')})`);
	process.exit(2);
}

const minutes = 60_000;
let passed = 0;
let failed = 0;
/** @type {string[]} */
const problems = [];
/** @type {string[]} */
const durations = [];

/**
 * Runs one command with inherited output; `limit` is a backstop for a runner that hangs (its own timeouts come first).
 * @param {string} title @param {string} command @param {string[]} args
 * @param {{ env?: Record<string, string>, limit?: number }} [options]
 */
function run(title, command, args, { env = {}, limit } = {}) {
	console.log(`\n=== ${title} ===`);
	const started = Date.now();
	const result = spawnSync(command, args, {
		cwd: root,
		stdio: 'inherit',
		env: { ...process.env, ...env },
		timeout: limit,
		killSignal: 'SIGKILL'
	});
	if (result.error) console.error(`${title}: ${result.error.message}`);
	durations.push(`${title} ${Math.round((Date.now() - started) / 1000)} s`);
	return result.status;
}

/**
 * As `run`, for commands that run side by side: the output is kept and printed whole when the command ends.
 * @param {string} title @param {string} command @param {string[]} args
 * @param {{ env?: Record<string, string>, limit: number }} options
 * @returns {Promise<number | null>}
 */
function runBuffered(title, command, args, { env = {}, limit }) {
	const started = Date.now();
	return new Promise((resolve) => {
		const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
		/** @type {Buffer[]} */
		const output = [];
		child.stdout.on('data', (chunk) => output.push(chunk));
		child.stderr.on('data', (chunk) => output.push(chunk));
		const backstop = setTimeout(() => child.kill('SIGKILL'), limit);
		const finish = (/** @type {number | null} */ status) => {
			clearTimeout(backstop);
			console.log(`\n=== ${title} ===\n${Buffer.concat(output).toString('utf8')}`);
			durations.push(`${title} ${Math.round((Date.now() - started) / 1000)} s`);
			resolve(status);
		};
		child.once('error', (error) => {
			output.push(Buffer.from(`${title}: ${error.message}\n`));
			finish(1);
		});
		child.once('close', (status) => finish(status));
	});
}

/** Reads a JSON report, or null when the run wrote none (or only part of one). @param {string} path */
function readReport(path) {
	try {
		return JSON.parse(readFileSync(path, 'utf8'));
	} catch {
		return null;
	}
}

/** @param {string} title @param {import('./test-counts.js').StageCount} count */
function add(title, count) {
	passed += count.passed;
	failed += count.failed;
	if (count.failed > 0) {
		const what = count.cutShort ? 'was cut short' : 'failed';
		problems.push(`${title} ${what}: ${count.failed} counted as failed${count.problems.map((line) => `\n    ${line}`).join('')}`);
	}
}

// The runners' own entry points under this Node (not through npx and a shell), so that a backstop kill reaches them.
const bin = (/** @type {string} */ name, /** @type {string[]} */ ...args) =>
	/** @type {const} */ ([process.execPath, [join(root, 'node_modules', '.bin', name), ...args]]);

// Stages that are not test runners still count: a failing type check or build is a failure. Once the files both read
// are generated (Paraglide's messages, SvelteKit's types), they run side by side: the build then skips Paraglide's
// compile (vite.config.ts), so neither writes what the other reads, and the two take ~20 s less on 2 cores.
const staticStages = /** @type {const} */ ([
	['check', 'Type check (svelte-check)', bin('svelte-check', '--tsconfig', './tsconfig.json', '--fail-on-warnings')],
	['build', 'Production build', bin('vite', 'build')]
]).filter(([stage]) => stages.includes(stage));
if (staticStages.length) {
	const generated = spawnSync('npm', ['run', 'generate'], { cwd: root, stdio: 'inherit' }).status === 0;
	const results = await Promise.all(
		staticStages.map(([, title, [command, args]]) =>
			generated ? runBuffered(title, command, args, { env: { VERSTAS_PARAGLIDE_COMPILED: '1' }, limit: 10 * minutes }) : 1
		)
	);
	staticStages.forEach(([, title], index) => {
		const ok = results[index] === 0;
		add(title, { passed: ok ? 1 : 0, failed: ok ? 0 : 1, cutShort: false, problems: ok ? [] : ['did not finish successfully'] });
	});
}

/**
 * One Vitest run, counted against the files `vitest list` expects (a file that did not run counts as failed).
 * @param {string} title @param {string} name @param {string[]} filters @param {Record<string, string>} env
 */
function runVitest(title, name, filters, env) {
	const listPath = join(output, `${name}-files.json`);
	const reportPath = join(output, `${name}.json`);
	spawnSync(...bin('vitest', 'list', '--filesOnly', `--json=${listPath}`, ...filters), { cwd: root, stdio: 'ignore', env: { ...process.env, ...env } });
	const expectedFiles = (readReport(listPath) ?? []).map((/** @type {{ file: string }} */ entry) => entry.file);
	const status = run(title, ...bin('vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${reportPath}`, ...filters), {
		env,
		limit: 10 * minutes
	});
	const count = countVitest(expectedFiles, readReport(reportPath), status);
	if (expectedFiles.length === 0) {
		count.failed++;
		count.problems.push('`vitest list` found no test file');
	}
	add(title, count);
}

if (stages.includes('unit')) runVitest('Unit and integration tests (Vitest)', 'vitest', [], {});

// The integration tests again on PostgreSQL (Debian's, a cluster the run starts in a temp dir: tests/helpers/postgres.js),
// but for the few about SQLite's own file (vite.config.ts).
if (stages.includes('postgres')) runVitest('Integration tests on PostgreSQL (Vitest)', 'vitest-postgres', ['tests/integration'], { VERSTAS_TEST_DATABASE: 'postgres' });

if (stages.includes('e2e')) {
	const title = 'End-to-end tests (Playwright, Chromium)';
	const browser = findBrowser();
	if (browser.ok) {
		const env = { ...(browser.path ? { CHROMIUM_PATH: browser.path } : {}) };
		const listPath = join(output, 'playwright-list.json');
		const reportPath = join(output, 'playwright.json');
		// What should run: the list is the measure of the run, so a list that could not be made is tried once more
		// and then counted as a failure (the run alone cannot say how many tests it missed).
		// (Listing loads every spec file; the run's own global timeout, tiny in the runner's test, is not for it.)
		const list = () => {
			spawnSync(...bin('playwright', 'test', '--list', '--reporter=json'), {
				cwd: root,
				stdio: ['ignore', 'ignore', 'inherit'],
				env: { ...process.env, ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: listPath, VERSTAS_E2E_GLOBAL_TIMEOUT_MS: '' }
			});
			const report = readReport(listPath);
			return report?.suites?.length ? report : null;
		};
		const listed = list() ?? list();
		const status = run(
			title,
			...bin('playwright', 'test', '--reporter=list,json', `--output=${join(output, 'playwright')}`),
			{ env: { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: reportPath }, limit: 25 * minutes }
		);
		const count = countPlaywright(listed, readReport(reportPath), status);
		if (!listed) {
			count.failed++;
			count.cutShort = true;
			count.problems.push('`playwright test --list` found no test twice: the tests that did not run cannot be counted');
		}
		add(title, count);
	} else {
		console.error(`\n${browser.message}`);
		add(title, { passed: 0, failed: 1, cutShort: true, problems: ['no browser: no end-to-end test ran'] });
	}
}

console.log(`\n${durations.join(' · ')}`);
if (problems.length) console.log(`\n${problems.join('\n')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);

/**
 * The system's Chromium when installed; otherwise Playwright's own, downloaded on first run if the network allows.
 * @returns {{ ok: true, path?: string } | { ok: false, message: string }}
 */
function findBrowser() {
	const path = systemChromium();
	if (path) return { ok: true, path };
	const probe = 'require("playwright-core").chromium.executablePath()';
	const bundled = spawnSync(process.execPath, ['-e', `process.stdout.write(${probe})`], { cwd: root, encoding: 'utf8' });
	if (bundled.status === 0 && existsSync(bundled.stdout)) return { ok: true };
	console.log("\nNo system Chromium found; installing Playwright's Chromium…");
	if (run('Install Playwright Chromium', 'npx', ['--no-install', 'playwright', 'install', 'chromium']) === 0) return { ok: true };
	return {
		ok: false,
		message:
			'No browser for the end-to-end tests: neither a system Chromium (/usr/bin/chromium-headless-shell or ' +
			"/usr/bin/chromium, or set CHROMIUM_PATH) nor Playwright's own could be found, and `npx playwright install " +
			'chromium` failed (no network?). On Debian/Ubuntu: `sudo apt-get install chromium-headless-shell`.'
	};
}
