import { defineConfig, devices } from '@playwright/test';
import { systemChromium } from './scripts/chromium.js';

// Playwright cannot download its own browsers on every machine: prefer a system Chromium when one exists.
const chromiumPath = systemChromium();

// The server (production build + fresh demo database) is started by global-setup.ts on a free port;
// tests read its address from process.env.E2E_BASE_URL through the fixtures in tests/e2e/fixtures.ts.
export default defineConfig({
	testDir: './tests/e2e',
	testMatch: '**/*.spec.ts',
	globalSetup: './tests/e2e/global-setup.ts',
	fullyParallel: true,
	// Two browsers on 2 cores: a third was no faster in a full run (CPU saturated: e2e 332 s with 3, 326 s with 2).
	workers: 2,
	retries: 0,
	forbidOnly: true,
	timeout: 30_000,
	// A safety net for a hung run, not a budget: the whole suite takes ~3 minutes here. A run it cuts short
	// fails in `npm test`, which counts every test that did not run (its own test sets a tiny value).
	globalTimeout: Number(process.env.VERSTAS_E2E_GLOBAL_TIMEOUT_MS) || 15 * 60_000,
	expect: { timeout: 5_000 },
	reporter: 'list',
	use: {
		...devices['Desktop Chrome'],
		locale: 'fi-FI',
		// The server formats dates in its own (this process's) time zone; the browser shares it, so a date
		// rendered on the server and re-rendered after hydration agree. One spec varies the browser's zone.
		timezoneId: Intl.DateTimeFormat().resolvedOptions().timeZone,
		actionTimeout: 10_000,
		// The server reads the client's address from this header (global-setup.ts); every context sends one.
		extraHTTPHeaders: { 'x-forwarded-for': '127.0.0.1' },
		navigationTimeout: 15_000,
		// No trace: recording every test's actions, console and network costs time the suite's 10-minute budget lacks
		// (turn it on to debug: `--trace on`); the final screenshot of a failure is kept.
		trace: 'off',
		screenshot: 'only-on-failure',
		launchOptions: {
			executablePath: chromiumPath,
			args: [
				'--no-sandbox',
				'--disable-gpu',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync'
			]
		}
	},
	projects: [
		// Each demo account signs in once per run; the tests reuse those sessions (fixtures.ts `signInAs`).
		{ name: 'sign-in', testMatch: 'sign-in.setup.ts' },
		{ name: 'chromium', dependencies: ['sign-in'] }
	]
});
