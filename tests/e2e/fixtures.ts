// Shared fixtures and helpers for the end-to-end specs.
import {
	test as base,
	expect,
	type APIRequestContext,
	type Browser,
	type BrowserContext,
	type BrowserContextOptions,
	type CDPSession,
	type Page
} from '@playwright/test';
import type { AxeResults } from 'axe-core';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');
// The site's CSP (script-src 'self' 'nonce-…') rightly blocks page.addScriptTag's inline <script>. Instead of
// switching CSP off in the browser (bypassCSP would also hide the app's own CSP breakage, e.g. a lost nonce that
// stops hydration), axe's source is evaluated through the DevTools protocol, which CSP does not govern.
const axeSource = readFileSync(axePath, 'utf8');

export { expect };

export const demoPassword = 'verstas-demo';
export const demo = {
	admin: 'admin@demo.verstas.fi',
	facilitator: 'facilitator@demo.verstas.fi',
	lead: 'lead@demo.verstas.fi',
	team: 'team@demo.verstas.fi'
} as const;
export type Role = keyof typeof demo;

/** The running server's address, set by global-setup.ts. */
export function baseUrl(): string {
	const url = process.env.E2E_BASE_URL;
	if (!url) throw new Error('E2E_BASE_URL is not set: run the tests with `npx playwright test` (global-setup.ts starts the server).');
	return url;
}

/** A string no other test (or earlier run) uses. */
export function unique(prefix = 'e2e'): string {
	return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

export const uniqueEmail = (prefix = 'e2e') => `${unique(prefix)}@example.com`;

const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

type Violation = { id: string; impact: string; help: string; helpUrl: string; nodes: { target: string; html: string; summary: string }[] };

type AxeWindow = { axe?: { run: (context: Document, options: object) => Promise<AxeResults> } };

// One DevTools session per page, kept while the page lives (attaching costs a round trip per check otherwise).
const devtools = new WeakMap<Page, Promise<CDPSession>>();

/**
 * Loads axe into the page's document unless it is there already. Straight through the DevTools protocol: the same
 * path CSP does not govern as `page.evaluate`, without Playwright's wrapping of the 500 kB source (median 168 → 114 ms
 * per document here). An init script would be cheaper per check but costs ~80 ms on every navigation of every test.
 */
async function injectAxe(page: Page): Promise<void> {
	if (await page.evaluate(() => typeof (window as AxeWindow).axe === 'object')) return;
	let session = devtools.get(page);
	if (!session) devtools.set(page, (session = page.context().newCDPSession(page)));
	const result = await (await session).send('Runtime.evaluate', { expression: axeSource, silent: true });
	if (result.exceptionDetails) throw new Error(`axe-core did not load on ${page.url()}: ${result.exceptionDetails.text}`);
}

type CheckedMark = { state: () => string; checkedState: string; observer: MutationObserver; changed: boolean };

/**
 * Marks the page's document as checked until anything in it changes, so that a test ending on exactly what its last
 * `expectAccessible` passed is not checked twice. The mark lives on the document's window (a navigation or reload
 * drops it) and a MutationObserver on the whole document voids it; the viewport and the emulated media features,
 * which change a check's result without touching the DOM, are compared too.
 */
async function markChecked(page: Page): Promise<void> {
	await page.evaluate(() => {
		const win = window as unknown as { __e2eAxeChecked?: CheckedMark };
		win.__e2eAxeChecked?.observer.disconnect();
		const queries = ['(prefers-color-scheme: dark)', '(forced-colors: active)', '(prefers-reduced-motion: reduce)', '(prefers-contrast: more)', 'print'];
		const state = () => JSON.stringify([innerWidth, innerHeight, devicePixelRatio, ...queries.map((query) => matchMedia(query).matches)]);
		const mark: CheckedMark = { state, checkedState: state(), changed: false, observer: new MutationObserver(() => (mark.changed = true)) };
		mark.observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
		win.__e2eAxeChecked = mark;
	});
}

/** True when the page still shows exactly what a passing `expectAccessible` checked (see markChecked). */
function unchangedSinceCheck(page: Page): Promise<boolean> {
	return page.evaluate(() => {
		const mark = (window as unknown as { __e2eAxeChecked?: CheckedMark }).__e2eAxeChecked;
		if (!mark) return false;
		// takeRecords: mutations not yet delivered to the observer's callback count too.
		return !mark.changed && mark.observer.takeRecords().length === 0 && mark.state() === mark.checkedState;
	});
}

/**
 * Runs axe-core (WCAG 2.1 A and AA rules) on the page as it is now and fails, with a readable list,
 * on every serious or critical violation.
 */
export async function expectAccessible(page: Page, context = ''): Promise<void> {
	await page.waitForLoadState('load');
	await injectAxe(page);
	const violations: Violation[] = await page.evaluate(async (tags) => {
		const axe = (window as unknown as AxeWindow).axe!;
		const results = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
		return results.violations
			.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
			.map((violation) => ({
				id: violation.id,
				impact: String(violation.impact),
				help: violation.help,
				helpUrl: violation.helpUrl,
				nodes: violation.nodes.map((node) => ({
					target: node.target.map(String).join(' '),
					html: node.html,
					summary: node.failureSummary ?? ''
				}))
			}));
	}, wcagTags);

	const report = violations
		.map(
			(violation) =>
				`[${violation.impact}] ${violation.id}: ${violation.help} (${violation.helpUrl})\n` +
				violation.nodes
					.map((node) => `    at ${node.target}\n      ${node.html}\n      ${node.summary.replace(/\n/g, '\n      ')}`)
					.join('\n')
		)
		.join('\n');
	const where = `${page.url()}${context ? ` (${context})` : ''}`;
	expect(violations.length, `Accessibility violations on ${where}:\n${report}`).toBe(0);
	await markChecked(page);
}

// SvelteKit starts its router (registering a `beforeunload` listener) right after hydration: from then on forms
// are enhanced and confirm dialogs intercept clicks. Interacting earlier tests the no-JavaScript path instead,
// so tests wait for this marker (see `hydrated`) before they use a page's forms.
const hydrationMarker = `(() => {
	const add = EventTarget.prototype.addEventListener;
	EventTarget.prototype.addEventListener = function (type, ...rest) {
		if (type === 'beforeunload' && (this === window || this == null)) window.__e2eHydrated = true;
		return add.call(this, type, ...rest);
	};
})();`;

/** The page is no wider than the screen; on failure, names the element reaching furthest right. */
export async function expectNoHorizontalScroll(page: Page, what: string) {
	const { scrollWidth, widest } = await page.evaluate(() => {
		// The element reaching furthest right, to make a failure actionable.
		let widest = '';
		let right = 0;
		for (const element of Array.from(document.body.querySelectorAll('*'))) {
			const box = element.getBoundingClientRect();
			if (box.right > right) {
				right = box.right;
				widest = `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${
					element.className && typeof element.className === 'string' ? `.${element.className.split(' ').join('.')}` : ''
				} (right edge ${Math.round(box.right)}px)`;
			}
		}
		return { scrollWidth: document.documentElement.scrollWidth, widest };
	});
	// The screen's width, not window.innerWidth: a phone zooms out to show a wider page, and innerWidth grows with it.
	const screenWidth = page.viewportSize()!.width;
	expect(scrollWidth, `${what} scrolls sideways at ${screenWidth}px; widest element: ${widest}`).toBeLessThanOrEqual(screenWidth);
}

/**
 * Waits until the page's SvelteKit app has hydrated. Watched inside the page every 20 ms (Playwright's own timers,
 * which a test's fake clock leaves alone): polling from here answered up to 250 ms after the app was ready.
 */
export async function hydrated(page: Page): Promise<void> {
	await page
		.waitForFunction(() => (window as unknown as { __e2eHydrated?: boolean }).__e2eHydrated === true, undefined, {
			polling: 20,
			timeout: 5_000
		})
		.catch((error: Error) => {
			throw new Error(`SvelteKit should hydrate ${page.url()}: ${error.message}`);
		});
}

/** Navigates and waits for hydration, so the page's forms behave as with JavaScript. */
export async function goto(page: Page, path: string) {
	const response = await page.goto(path);
	await hydrated(page);
	return response;
}

/** A second, independent browser (no cookies), e.g. another device of the same user. */
export async function newContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
	const context = await browser.newContext({
		baseURL: baseUrl(),
		locale: 'fi-FI',
		timezoneId: Intl.DateTimeFormat().resolvedOptions().timeZone,
		...options
	});
	await context.addInitScript(hydrationMarker);
	return context;
}

/** Where sign-in.setup.ts keeps each demo account's signed-in browser state for this run. */
export function sessionFile(role: Role): string {
	return join(base.info().project.outputDir, '.sessions', `${role}.json`);
}

/**
 * Signs a demo account in `page`'s browser with the session sign-in.setup.ts made once for the whole run (its
 * saved storageState). For tests whose subject is not signing in; those use the form (`signIn`).
 */
export async function signInAs(page: Page, role: Role): Promise<void> {
	const state = JSON.parse(readFileSync(sessionFile(role), 'utf8')) as { cookies: Parameters<BrowserContext['addCookies']>[0] };
	await page.context().addCookies(state.cookies);
}

/** Signs in through the form and waits until the signed-in header is shown. */
export async function signIn(page: Page, email: string, password: string, path = '/sign-in'): Promise<void> {
	await goto(page, path);
	await submitSignIn(page, email, password);
}

/** Fills and submits the sign-in form already on the page; waits until the signed-in header is shown. */
export async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
	await page.locator('input[name="email"]').fill(email);
	await page.locator('input[name="password"]').fill(password);
	await page.locator('main form button[type="submit"]').click();
	await expect(page.locator('form[action="/sign-out"] button')).toBeVisible();
}

/** Signs out with the header's button and waits for the signed-out header. */
export async function signOut(page: Page): Promise<void> {
	await page.locator('form[action="/sign-out"] button').click();
	await expect(page.locator('a[href="/sign-in"]').first()).toBeVisible();
	await expect(page.locator('form[action="/sign-out"]')).toHaveCount(0);
}

export type Account = { name: string; email: string; password: string };

/**
 * Creates a fresh account by posting the sign-up form (as a browser would, with a same-origin Origin header), then
 * the sign-in form (sign-up signs nobody in). With a page's or context's request, the new session cookie lands in
 * that browser context: it is signed in.
 */
export async function createAccount(request: APIRequestContext, overrides: Partial<Account> = {}): Promise<Account> {
	const account: Account = {
		name: overrides.name ?? `Testi ${unique('user')}`,
		email: overrides.email ?? uniqueEmail('user'),
		password: overrides.password ?? `pw-${randomBytes(6).toString('hex')}`
	};
	// Each account from an address of its own (the server reads X-Forwarded-For in the e2e run): sign-ups are limited
	// per address, and the suite creates more accounts than one office would in an hour.
	const address = `10.${randomBytes(3).join('.')}`;
	const response = await postForm(request, '/sign-up', account, baseUrl(), { 'X-Forwarded-For': address });
	expect(response.status(), `sign-up of ${account.email} should redirect`).toBe(303);
	const signedIn = await postForm(request, '/sign-in', { email: account.email, password: account.password });
	expect(signedIn.status(), `sign-in of ${account.email} should redirect`).toBe(303);
	return account;
}

/**
 * POSTs a urlencoded form the way a browser without JavaScript does (Accept: text/html, so SvelteKit answers
 * with a page or a redirect rather than an action's JSON), from the site's own origin unless told otherwise.
 */
export function postForm(
	request: APIRequestContext,
	path: string,
	form: Record<string, string>,
	origin: string = baseUrl(),
	headers: Record<string, string> = {}
) {
	return request.post(`${baseUrl()}${path}`, {
		form,
		headers: { Origin: origin, Accept: 'text/html,application/xhtml+xml', ...headers },
		maxRedirects: 0
	});
}

type Fixtures = { _axeOnFinalPage: void; _noCspViolations: void };

export const test = base.extend<Fixtures>({
	baseURL: async ({}, use) => {
		await use(baseUrl());
	},

	context: async ({ context }, use) => {
		await context.addInitScript(hydrationMarker);
		await use(context);
	},

	// CSP stays enforced in the browser: any report of a blocked script, style or connection fails the test.
	_noCspViolations: [
		async ({ context }, use, testInfo) => {
			const reports: string[] = [];
			context.on('console', (message) => {
				if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
					reports.push(`${message.location().url}: ${message.text()}`);
				}
			});
			await use();
			if (testInfo.status !== testInfo.expectedStatus) return;
			expect(reports, `Content Security Policy violations:\n${reports.join('\n')}`).toEqual([]);
		},
		{ auto: true }
	],

	// Every test ends with an accessibility check of the page it left open.
	_axeOnFinalPage: [
		async ({ page }, use, testInfo) => {
			await use();
			if (testInfo.status !== testInfo.expectedStatus) return;
			if (page.isClosed() || !page.url().startsWith(baseUrl())) return;
			// A test that ends on the page its last expectAccessible passed, unchanged, has had this check.
			if (await unchangedSinceCheck(page)) return;
			await expectAccessible(page, 'final page of the test');
		},
		{ auto: true }
	]
});

/**
 * Landmarks a screen-reader user can tell apart: axe's landmark rules (best practice, so not in the WCAG run above),
 * e.g. no two regions or navigations with the same name.
 */
export async function expectUniqueLandmarks(page: Page, context = ''): Promise<void> {
	await page.waitForLoadState('load');
	await injectAxe(page);
	const rules = [
		'landmark-unique',
		'landmark-no-duplicate-banner',
		'landmark-no-duplicate-contentinfo',
		'landmark-no-duplicate-main',
		'landmark-one-main',
		'landmark-main-is-top-level',
		'landmark-complementary-is-top-level'
	];
	const violations = await page.evaluate(async (values) => {
		const axe = (window as unknown as AxeWindow).axe!;
		const results = await axe.run(document, { runOnly: { type: 'rule', values }, resultTypes: ['violations'] });
		return results.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.html.slice(0, 160)).join(' | ')}`);
	}, rules);
	expect(violations, `Landmark problems on ${page.url()}${context ? ` (${context})` : ''}`).toEqual([]);
}
