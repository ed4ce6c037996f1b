// `npm test` must not pass a run that stopped early: these run the real runners and read their real reports.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { countVitest } from '../../scripts/test-counts.js';
import { projectRoot } from '../helpers/server';

const bin = (name: string) => join(projectRoot, 'node_modules', '.bin', name);
const scratch = mkdtempSync(join(tmpdir(), 'verstas-runner-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const closingLine = (output: string) => {
	const match = /^(\d+) passed, (\d+) failed$/m.exec(output);
	expect(match, `the closing line in:\n${output}`).toBeTruthy();
	return { passed: Number(match![1]), failed: Number(match![2]) };
};

test('an end-to-end run cut short by the global timeout fails and counts every test that did not run', () => {
	const run = spawnSync(process.execPath, ['scripts/test.js'], {
		cwd: projectRoot,
		encoding: 'utf8',
		timeout: 120_000,
		env: {
			...process.env,
			VERSTAS_TEST_STAGES: 'e2e',
			VERSTAS_TEST_OUTPUT: join(scratch, 'e2e'),
			VERSTAS_E2E_GLOBAL_TIMEOUT_MS: '1000'
		}
	});
	const output = run.stdout + run.stderr;
	expect(run.status, output).toBe(1);
	// What the runner listed before the run (listing every spec file costs seconds, so it is not done twice here).
	const listed = JSON.parse(readFileSync(join(scratch, 'e2e', 'playwright-list.json'), 'utf8'));
	const tests = (listed.stats as { skipped: number }).skipped; // listed, not run: all "skipped"
	expect(tests).toBeGreaterThan(50);
	const { passed, failed } = closingLine(output);
	expect(passed + failed, 'every listed test is counted, plus the timeout itself').toBeGreaterThan(tests);
	expect(failed).toBeGreaterThanOrEqual(tests - passed + 1);
	expect(output).toMatch(/End-to-end tests \(Playwright, Chromium\) was cut short: \d+ counted as failed/);
	expect(output).toMatch(/\d+ of \d+ test\(s\) did not run/);
	expect(output).toMatch(/error outside the tests: Timed out waiting 1s/);
	// A listing of every spec file and the cut run: ~5 s on a quiet machine, several times that on a busy one.
}, 90_000);

describe('Vitest', () => {
	// A little project of its own in a temp dir (globals, so its files need not resolve `vitest`).
	function runVitest(name: string, files: Record<string, string>, killAfterMs?: number) {
		const dir = join(scratch, name);
		mkdirSync(dir);
		for (const [file, source] of Object.entries(files)) writeFileSync(join(dir, file), source);
		const vitest = (...args: string[]) =>
			spawnSync(process.execPath, [bin('vitest'), ...args, '--root', dir, '--globals'], {
				cwd: projectRoot,
				encoding: 'utf8',
				timeout: killAfterMs ?? 60_000,
				killSignal: 'SIGKILL'
			});
		vitest('list', '--filesOnly', `--json=${join(dir, 'files.json')}`);
		const expected = (JSON.parse(readFileSync(join(dir, 'files.json'), 'utf8')) as { file: string }[]).map((f) => f.file);
		const run = vitest('run', '--reporter=json', `--outputFile=${join(dir, 'report.json')}`);
		let report = null;
		try {
			report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
		} catch {
			// no report: the run was cut short
		}
		return { expected, report, count: countVitest(expected, report, run.status) };
	}

	test('a file that does not load and a test left to do count as failed; a failing test is named', () => {
		const { expected, count } = runVitest('broken', {
			'passes.test.js': "test('adds', () => expect(1 + 1).toBe(2));",
			'fails.test.js': "test('multiplies', () => expect(2 * 2).toBe(5));",
			'broken.test.js': "throw new Error('this file does not load');\ntest('never seen', () => {});",
			'unfinished.test.js': "test('adds', () => expect(2 + 2).toBe(4));\ntest.todo('subtracts');"
		});
		expect(expected).toHaveLength(4);
		expect(count.passed).toBe(2);
		expect(count.failed).toBe(3);
		expect(count.problems.join('\n')).toMatch(/✗ \S*fails\.test\.js › multiplies: .*expected 4 to be 5/);
		expect(count.problems.join('\n')).toMatch(/broken\.test\.js failed outside its tests: .*this file does not load/);
		expect(count.problems.join('\n')).toMatch(/1 test\(s\) did not run in .*unfinished\.test\.js/);
	});

	test('a run killed before it finished counts every file as failed', () => {
		const { expected, report, count } = runVitest(
			'killed',
			{
				'passes.test.js': "test('adds', () => expect(1 + 1).toBe(2));",
				'hangs.test.js': "test('waits for ever', () => new Promise(() => {}), 600_000);"
			},
			5_000
		);
		expect(expected).toHaveLength(2);
		expect(report).toBeNull();
		expect(count.passed).toBe(0);
		expect(count.failed).toBe(2);
		expect(count.problems.join('\n')).toMatch(/wrote no report/);
	});
});
