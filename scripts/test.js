// `npm test`: type check, build, unit + integration (Vitest), end-to-end (Playwright in Chromium).
// Runs every stage even when one fails, then prints one closing line: "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const output = join(root, 'tests', '.output');
rmSync(output, { recursive: true, force: true });
mkdirSync(output, { recursive: true });

let passed = 0;
let failed = 0;
const problems = [];

function run(title, command, args, env = {}) {
	console.log(`\n=== ${title} ===`);
	const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
	return result.status === 0;
}

const npx = (args, env) => ['npx', ['--no-install', ...args], env];

// Stages that are not test runners still count: a failing type check or build is a failure.
for (const [title, args] of [
	['Type check (svelte-check)', ['run', 'check']],
	['Production build', ['run', 'build']]
]) {
	if (run(title, 'npm', args)) passed++;
	else {
		failed++;
		problems.push(title);
	}
}

const vitestReport = join(output, 'vitest.json');
run('Unit and integration tests (Vitest)', ...npx(['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestReport}`]));
if (existsSync(vitestReport)) {
	const report = JSON.parse(readFileSync(vitestReport, 'utf8'));
	passed += report.numPassedTests;
	// A file that fails to load has no failed test of its own; count it once.
	failed += report.numFailedTests || (report.success ? 0 : 1);
	if (!report.success) problems.push('Vitest');
} else {
	failed++;
	problems.push('Vitest (no report)');
}

const browser = findBrowser();
if (browser.ok) {
	const playwrightReport = join(output, 'playwright.json');
	run('End-to-end tests (Playwright, Chromium)', ...npx(['playwright', 'test', '--reporter=list,json'], {
		PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightReport,
		...(browser.path ? { CHROMIUM_PATH: browser.path } : {})
	}));
	if (existsSync(playwrightReport)) {
		const { stats } = JSON.parse(readFileSync(playwrightReport, 'utf8'));
		passed += stats.expected + stats.flaky;
		failed += stats.unexpected;
		if (stats.unexpected > 0) problems.push('Playwright');
		if (stats.expected + stats.unexpected + stats.flaky === 0) {
			failed++;
			problems.push('Playwright ran no test');
		}
	} else {
		failed++;
		problems.push('Playwright (no report)');
	}
} else {
	failed++;
	problems.push('End-to-end tests: no browser');
	console.error(`\n${browser.message}`);
}

if (problems.length) console.log(`\nFailed stages: ${problems.join(', ')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);

/** The system's Chromium when installed; otherwise Playwright's own, downloaded on first run if the network allows. */
function findBrowser() {
	for (const path of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
		if (path && existsSync(path)) return { ok: true, path };
	}
	const probe = 'require("playwright-core").chromium.executablePath()';
	const bundled = spawnSync(process.execPath, ['-e', `process.stdout.write(${probe})`], { cwd: root, encoding: 'utf8' });
	if (bundled.status === 0 && existsSync(bundled.stdout)) return { ok: true };
	console.log('\nNo system Chromium found; installing Playwright\'s Chromium…');
	if (run('Install Playwright Chromium', 'npx', ['--no-install', 'playwright', 'install', 'chromium'])) return { ok: true };
	return {
		ok: false,
		message:
			'No browser for the end-to-end tests: neither a system Chromium (/usr/bin/chromium, or set CHROMIUM_PATH) ' +
			'nor Playwright\'s own could be found, and `npx playwright install chromium` failed (no network?). ' +
			'On Debian/Ubuntu: `sudo apt-get install chromium`.'
	};
}
