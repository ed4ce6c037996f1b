import { defineConfig, devices } from '@playwright/test';
import { existsSync } from 'node:fs';

// Playwright cannot download its own browsers on every machine: prefer a system Chromium when one exists.
const chromiumPath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
	(candidate): candidate is string => !!candidate && existsSync(candidate)
);

// The server (production build + fresh demo database) is started by global-setup.ts on a free port;
// tests read its address from process.env.E2E_BASE_URL through the fixtures in tests/e2e/fixtures.ts.
export default defineConfig({
	testDir: './tests/e2e',
	testMatch: '**/*.spec.ts',
	globalSetup: './tests/e2e/global-setup.ts',
	fullyParallel: true,
	workers: 2,
	retries: 0,
	forbidOnly: true,
	timeout: 30_000,
	globalTimeout: 5 * 60_000,
	expect: { timeout: 5_000 },
	reporter: 'list',
	use: {
		...devices['Desktop Chrome'],
		locale: 'fi-FI',
		// The server formats dates in its own (this process's) time zone; the browser shares it, so a date
		// rendered on the server and re-rendered after hydration agree. One spec varies the browser's zone.
		timezoneId: Intl.DateTimeFormat().resolvedOptions().timeZone,
		actionTimeout: 10_000,
		navigationTimeout: 15_000,
		trace: 'retain-on-failure',
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
	projects: [{ name: 'chromium' }]
});
