// How `npm test` counts a test runner's results. A test counts as passed only when its runner says it ran and
// passed; everything expected to run that did not (skipped, interrupted, never reached, in a file that did not
// load, in a run cut short or whose report is missing) counts as failed, so the closing line cannot flatter.

/**
 * @typedef {{ passed: number, failed: number, cutShort: boolean, problems: string[] }} StageCount
 * `cutShort`: some test expected to run did not. `problems` says, a line each, why tests counted as failed.
 */

/**
 * Vitest: `expectedFiles` from `vitest list --filesOnly --json`, `report` from its JSON reporter (null when the run
 * wrote none). A file that did not load, or is missing from the report, counts as one failed test.
 * @param {string[]} expectedFiles absolute paths
 * @param {any} report
 * @param {number | null} exitCode
 * @returns {StageCount}
 */
export function countVitest(expectedFiles, report, exitCode) {
	let passed = 0;
	let failed = 0;
	const problems = [];
	/** @type {Map<string, any>} */
	const results = new Map((report?.testResults ?? []).map((/** @type {any} */ file) => [file.name, file]));
	const files = [...new Set([...expectedFiles, ...results.keys()])];
	const notRun = [];
	for (const name of files) {
		const file = results.get(name);
		if (!file) {
			failed++;
			notRun.push(name);
			continue;
		}
		const assertions = /** @type {{ status: string, fullName: string, failureMessages?: string[] }[]} */ (file.assertionResults ?? []);
		const notPassed = assertions.filter((assertion) => assertion.status !== 'passed');
		passed += assertions.length - notPassed.length;
		failed += notPassed.length;
		const unfinished = notPassed.filter((assertion) => assertion.status !== 'failed');
		if (unfinished.length) problems.push(`${unfinished.length} test(s) did not run in ${name}`);
		// Named in the closing lines: CI keeps only the tail of a long run's output.
		for (const assertion of notPassed.filter((assertion) => assertion.status === 'failed')) {
			problems.push(`✗ ${relative(name)} › ${assertion.fullName}: ${firstLine(assertion.failureMessages?.[0])}`);
		}
		// A file that failed without a failing test of its own: it did not load, or a hook or the file threw.
		if (file.status !== 'passed' && !notPassed.some((assertion) => assertion.status === 'failed')) {
			failed++;
			problems.push(`${name} failed outside its tests: ${firstLine(file.message) || file.status}`);
		}
	}
	if (!report) problems.push('Vitest wrote no report: the run was cut short');
	if (notRun.length) problems.push(`${notRun.length} test file(s) did not run: ${notRun.join(', ')}`);
	const cutShort = !report || notRun.length > 0 || problems.length > 0;
	if (report && report.success === false && failed === 0) {
		failed++;
		problems.push('Vitest reported a failure outside any test (an unhandled error?)');
	}
	return withExitCode({ passed, failed, cutShort, problems }, 'Vitest', exitCode);
}

/**
 * Playwright: `listed` is the JSON report of `playwright test --list`, `report` the JSON report of the run (null
 * when the run wrote none). Every top-level error (global timeout, a global setup that threw, an error outside
 * a test, a spec file that did not load) counts as one failed test besides the tests it stopped.
 * @param {any} listed
 * @param {any} report
 * @param {number | null} exitCode
 * @returns {StageCount}
 */
export function countPlaywright(listed, report, exitCode) {
	const outcomes = new Map(playwrightTests(listed).map((test) => [test.key, 'did not run']));
	for (const test of playwrightTests(report)) outcomes.set(test.key, test.status);
	let passed = 0;
	let failed = 0;
	const notRun = [];
	const failedTests = [];
	for (const [key, status] of outcomes) {
		if (status === 'expected' || status === 'flaky') passed++;
		else {
			failed++;
			if (status === 'unexpected') failedTests.push(key);
			else notRun.push(key);
		}
	}
	const problems = failedTests.map((key) => `✗ ${key}`);
	if (!report) problems.push('Playwright wrote no report: the run was cut short');
	if (notRun.length) problems.push(`${notRun.length} of ${outcomes.size} test(s) did not run, e.g. ${notRun.slice(0, 3).join('; ')}`);
	const errors = [...(listed?.errors ?? []), ...(report?.errors ?? [])];
	const cutShort = !report || notRun.length > 0 || errors.length > 0;
	failed += errors.length;
	for (const error of errors) problems.push(`error outside the tests: ${firstLine(error.message)}`);
	if (outcomes.size === 0 && failed === 0) {
		failed++;
		problems.push('Playwright found no test');
	}
	return withExitCode({ passed, failed, cutShort, problems }, 'Playwright', exitCode);
}

/** @param {any} report @returns {{ key: string, status: string }[]} */
function playwrightTests(report) {
	/** @type {{ key: string, status: string }[]} */
	const tests = [];
	/** @param {any} suite */
	const visit = (suite) => {
		for (const spec of suite.specs ?? []) {
			for (const test of spec.tests ?? []) {
				tests.push({ key: `[${test.projectName}] ${spec.file}:${spec.line} › ${spec.title}`, status: test.status });
			}
		}
		for (const child of suite.suites ?? []) visit(child);
	};
	for (const suite of report?.suites ?? []) visit(suite);
	return tests;
}

/**
 * A runner that exited with an error must not be reported as a success, whatever its report says.
 * @param {StageCount} count @param {string} runner @param {number | null} exitCode
 */
function withExitCode(count, runner, exitCode) {
	if (exitCode !== 0 && count.failed === 0) {
		count.failed++;
		count.problems.push(`${runner} exited with ${exitCode === null ? 'a signal (killed or timed out)' : `code ${exitCode}`}`);
	}
	return count;
}

/** A path relative to the working directory (the project's root under `npm test`). @param {string} path */
function relative(path) {
	return path.startsWith(process.cwd() + '/') ? path.slice(process.cwd().length + 1) : path;
}

/** @param {unknown} text */
function firstLine(text) {
	return String(text ?? '')
		.replace(/\x1b\[[0-9;]*m/g, '')
		.trim()
		.split('\n')[0];
}
