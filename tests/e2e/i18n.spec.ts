import type { Page } from '@playwright/test';
import {
	createAccount,
	expect,
	expectAccessible,
	goto,
	hydrated,
	newContext,
	signOut,
	submitSignIn,
	test
} from './fixtures';
import { t, type Locale } from './messages';

const languageNames: Record<Locale, string> = { fi: 'Suomi', sv: 'Svenska', en: 'English' };

function switcher(page: Page, locale: Locale) {
	return page.getByRole('form', { name: t(locale, 'language_label') });
}

/** The page is entirely in `locale`: <html lang>, the switcher's pressed button, and a known text. */
async function expectLanguage(page: Page, locale: Locale) {
	await expect(page.locator('html')).toHaveAttribute('lang', locale);
	const form = switcher(page, locale);
	for (const other of ['fi', 'sv', 'en'] as const) {
		await expect(form.getByRole('button', { name: languageNames[other], exact: true })).toHaveAttribute(
			'aria-pressed',
			String(other === locale)
		);
	}
	await expect(page.getByRole('navigation', { name: t(locale, 'nav_main_label') })).toBeVisible();
}

async function switchLanguage(page: Page, from: Locale, to: Locale) {
	await switcher(page, from).getByRole('button', { name: languageNames[to], exact: true }).click();
	await expect(page.locator('html')).toHaveAttribute('lang', to);
}

/** Today's date as Intl formats it for `intlLocale`, in this machine's time zone or Finland's. */
const memberSince = (intlLocale: string, dates: Date[]) =>
	new RegExp(
		dates
			.flatMap((date) =>
				[undefined, 'Europe/Helsinki'].map((timeZone) =>
					new Intl.DateTimeFormat(intlLocale, { dateStyle: 'long', timeZone }).format(date)
				)
			)
			.map((text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
			.join('|')
	);

test('the home page is in Finnish by default', async ({ page }) => {
	const response = await page.goto('/');
	expect(response?.status()).toBe(200);
	await expectLanguage(page, 'fi');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('fi', 'home_title'));
	await expect(page.getByText(t('fi', 'home_lead'))).toBeVisible();
	await expect(page).toHaveTitle(`${t('fi', 'app_name')} – ${t('fi', 'app_tagline')}`);
	await expectAccessible(page);
});

test('the header switcher changes the language, keeps the page and is remembered after a reload', async ({
	page,
	context
}) => {
	await page.goto('/');
	await expectLanguage(page, 'fi');

	await switchLanguage(page, 'fi', 'sv');
	await expect(page).toHaveURL(/\/$/);
	await expectLanguage(page, 'sv');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('sv', 'home_title'));
	await expect(page.getByText(t('fi', 'home_title'))).toHaveCount(0);
	await expectAccessible(page, 'Swedish home');

	await page.reload();
	await expectLanguage(page, 'sv');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('sv', 'home_title'));

	// Switching on another page comes back to that page, query string included.
	await page.goto('/sign-in?redirectTo=%2Fprofile');
	await expectLanguage(page, 'sv');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('sv', 'sign_in_title'));
	await switchLanguage(page, 'sv', 'en');
	await expect(page).toHaveURL(/\/sign-in\?redirectTo=%2Fprofile$/);
	await expectLanguage(page, 'en');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('en', 'sign_in_title'));
	await expect(page.getByLabel(t('en', 'field_email'))).toBeVisible();
	await expectAccessible(page, 'English sign-in');

	// The choice lives in a cookie: it survives a reload and a fresh visit in the same browser.
	const localeCookie = (await context.cookies()).find((cookie) => cookie.value === 'en');
	expect(localeCookie, 'a cookie holding the chosen language').toBeTruthy();
	await page.reload();
	await expectLanguage(page, 'en');
	await page.goto('/');
	await expectLanguage(page, 'en');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('en', 'home_title'));
});

test('a language chosen by keyboard keeps the focus on the switcher through the reload', async ({ page }) => {
	await page.goto('/sign-in');
	await hydrated(page);
	const english = switcher(page, 'fi').getByRole('button', { name: languageNames.en, exact: true });
	await english.focus();
	await page.keyboard.press('Enter');
	await expectLanguage(page, 'en');
	// The page came back in English with the focus where the user left it, not at the top of the page.
	await expect(switcher(page, 'en').getByRole('button', { name: languageNames.en, exact: true })).toBeFocused();
	await page.keyboard.press('Shift+Tab');
	await expect(switcher(page, 'en').getByRole('button', { name: languageNames.sv, exact: true })).toBeFocused();
	// Only the reload the choice brought: another page load starts at the top as usual.
	await page.reload();
	await expect(page.locator('body')).toBeFocused();
});

test('a language chosen in the profile follows the user to a new browser', async ({ page, browser }) => {
	const account = await createAccount(page.request);
	await goto(page, '/profile');
	await expectLanguage(page, 'fi');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('fi', 'profile_title'));

	await page.getByRole('combobox', { name: t('fi', 'field_language') }).selectOption('en');
	await page.getByRole('button', { name: t('fi', 'profile_save'), exact: true }).click();
	// A language change reloads the whole page in the new language.
	await expect(page.locator('html')).toHaveAttribute('lang', 'en');
	await expectLanguage(page, 'en');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('en', 'profile_title'));
	await expect(page.getByRole('combobox', { name: t('en', 'field_language') })).toHaveValue('en');
	await expectAccessible(page, 'English profile');
	await signOut(page);

	// Another device: no cookies, so the site starts in Finnish until the account's language is known.
	const other = await newContext(browser);
	try {
		const page2 = await other.newPage();
		await goto(page2, '/sign-in');
		await expectLanguage(page2, 'fi');
		await submitSignIn(page2, account.email, account.password);
		await expectLanguage(page2, 'en');
		await expect(page2.getByRole('heading', { level: 1 })).toHaveText(t('en', 'home_welcome', { name: account.name }));
		await page2.goto('/profile');
		await expect(page2.getByRole('combobox', { name: t('en', 'field_language') })).toHaveValue('en');
		await expectAccessible(page2, 'profile on the second device');
	} finally {
		await other.close();
	}
});

test('a signed-in user’s choice in the header switcher is remembered in the profile', async ({ page, browser }) => {
	const account = await createAccount(page.request);
	// Hydrated first, as the other tests here: in one loaded CI run a press straight after the load left the page in
	// Finnish (not reproduced in 15 runs here).
	await goto(page, '/');
	await expectLanguage(page, 'fi');
	await switchLanguage(page, 'fi', 'sv');
	await expectLanguage(page, 'sv');
	await page.goto('/profile');
	await expect(page.getByRole('combobox', { name: t('sv', 'field_language') })).toHaveValue('sv');

	const other = await newContext(browser);
	try {
		const page2 = await other.newPage();
		await goto(page2, '/sign-in');
		await submitSignIn(page2, account.email, account.password);
		await expectLanguage(page2, 'sv');
		await expect(page2.getByRole('heading', { level: 1 })).toHaveText(t('sv', 'home_welcome', { name: account.name }));
	} finally {
		await other.close();
	}
});

test('dates on the profile are formatted for the page’s language', async ({ page }) => {
	const before = new Date();
	await createAccount(page.request);
	await goto(page, '/profile');
	// The account was created just now, so "member since" is today (either side of a midnight, to be safe).
	const dates = [before, new Date()];
	const meta = page.locator('main p.meta');

	await expect(meta).toContainText(memberSince('fi-FI', dates));
	expect(await meta.textContent()).toMatch(/\d{1,2}\. \p{L}+ \d{4}/u); // e.g. 22. marraskuuta 2026

	await page.getByRole('combobox', { name: t('fi', 'field_language') }).selectOption('en');
	await page.getByRole('button', { name: t('fi', 'profile_save'), exact: true }).click();
	await expect(page.locator('html')).toHaveAttribute('lang', 'en');
	await expect(meta).toContainText(memberSince('en-GB', dates));
	await expect(meta).toContainText(t('en', 'profile_member_since', { date: '' }).trim());
	await hydrated(page);

	await page.getByRole('combobox', { name: t('en', 'field_language') }).selectOption('sv');
	await page.getByRole('button', { name: t('en', 'profile_save'), exact: true }).click();
	await expect(page.locator('html')).toHaveAttribute('lang', 'sv');
	await expect(meta).toContainText(memberSince('sv-FI', dates));
});

test('a date reads the same in the server-rendered page and after hydration, whatever the browser’s time zone', async ({
	browser
}) => {
	// The server formats in its own time zone (this process's). Pick a browser time zone where the calendar date is
	// a different one right now: one of UTC+14 and UTC-11 always is.
	const dateIn = (timeZone?: string) =>
		new Intl.DateTimeFormat('fi-FI', { dateStyle: 'long', timeZone }).format(new Date());
	const zone = ['Pacific/Kiritimati', 'Pacific/Pago_Pago'].find((candidate) => dateIn(candidate) !== dateIn())!;
	const context = await newContext(browser, { timezoneId: zone });
	try {
		await createAccount(context.request);
		const html = await (await context.request.get('/profile')).text();
		const serverText = /<p class="meta">([^<]*)/.exec(html)?.[1]?.trim();
		expect(serverText, 'the server-rendered "member since" line').toMatch(/\d{1,2}\. \p{L}+ \d{4}/u);

		const page = await context.newPage();
		await goto(page, '/profile'); // hydrated: the client has rendered the page itself
		const hydratedText = (await page.locator('main p.meta').textContent())?.trim();
		expect(
			hydratedText,
			`after hydration in the browser's time zone ${zone}, the date changed from the server's ` +
				`(src/lib/format.ts formats without a fixed timeZone)`
		).toBe(serverText);
		await expectAccessible(page);
	} finally {
		await context.close();
	}
});
