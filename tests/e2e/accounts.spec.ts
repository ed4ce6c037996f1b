import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { strFromU8, unzipSync } from 'fflate';
import {
	createAccount,
	demo,
	expect,
	expectAccessible,
	goto,
	hydrated,
	signOut,
	submitSignIn,
	test,
	unique,
	uniqueEmail
} from './fixtures';
import { t, tRegex, type Locale } from './messages';

const passwordMin = 10;

async function fillSignUp(page: Page, locale: Locale, values: { name: string; email: string; password: string }) {
	await page.getByLabel(t(locale, 'field_name'), { exact: true }).fill(values.name);
	await page.getByLabel(t(locale, 'field_email'), { exact: true }).fill(values.email);
	await page.getByLabel(t(locale, 'field_password'), { exact: true }).fill(values.password);
	await page.getByRole('button', { name: t(locale, 'sign_up_submit'), exact: true }).click();
}

async function fillSignIn(page: Page, locale: Locale, email: string, password: string) {
	await page.getByLabel(t(locale, 'field_email'), { exact: true }).fill(email);
	await page.getByLabel(t(locale, 'field_password'), { exact: true }).fill(password);
	const response = page.waitForResponse(
		(candidate) => candidate.request().method() === 'POST' && new URL(candidate.url()).pathname === '/sign-in'
	);
	await page.getByRole('button', { name: t(locale, 'sign_in_submit'), exact: true }).click();
	await response;
}

/** The form is still there, with the summary alert and the field's own message linked to the input. */
async function expectFieldError(page: Page, locale: Locale, label: string, ...messages: string[]) {
	await expect(page.getByRole('alert')).toHaveText(t(locale, 'form_has_errors'));
	const input = page.getByLabel(label, { exact: true });
	await expect(input).toHaveAttribute('aria-invalid', 'true');
	// The description is the field's hint (if any) followed by its error (one of `messages`).
	await expect(input).toHaveAccessibleDescription(new RegExp(`(${messages.map(escapeRegExp).join('|')})$`));
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function expectSignedIn(page: Page, locale: Locale) {
	const nav = page.getByRole('navigation', { name: t(locale, 'nav_main_label') });
	await expect(nav.getByRole('link', { name: t(locale, 'nav_profile') })).toBeVisible();
	await expect(nav.getByRole('button', { name: t(locale, 'sign_out') })).toBeVisible();
	await expect(nav.getByRole('link', { name: t(locale, 'sign_in') })).toHaveCount(0);
}

async function expectSignedOut(page: Page, locale: Locale) {
	const nav = page.getByRole('navigation', { name: t(locale, 'nav_main_label') });
	await expect(nav.getByRole('link', { name: t(locale, 'sign_in') })).toBeVisible();
	await expect(nav.getByRole('link', { name: t(locale, 'sign_up') })).toBeVisible();
	await expect(nav.getByRole('button', { name: t(locale, 'sign_out') })).toHaveCount(0);
}

test('sign up, sign out, sign in again, download my data and delete the account', async ({ page }) => {
	const account = { name: `Maija ${unique('Meikäläinen')}`, email: uniqueEmail('signup'), password: 'oikein-hyva-salasana' };

	await goto(page, '/sign-up');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('fi', 'sign_up_title'));
	await expectSignedOut(page, 'fi');
	await expect(page.getByLabel(t('fi', 'field_password'), { exact: true })).toHaveAccessibleDescription(
		t('fi', 'field_password_hint', { min: passwordMin })
	);
	await expectAccessible(page, 'sign-up form');

	await fillSignUp(page, 'fi', account);
	// Sign-up answers the same whether or not the email had an account, and signs nobody in.
	await expect(page).toHaveURL(/\/sign-in\?signedUp=1$/);
	await expect(page.getByRole('status').filter({ hasText: t('fi', 'sign_up_done') })).toBeVisible();
	await expectSignedOut(page, 'fi');
	await expectAccessible(page, 'sign-in after sign-up');
	await hydrated(page);
	await fillSignIn(page, 'fi', account.email, account.password);
	await expect(page).toHaveURL(/\/$/);
	await expectSignedIn(page, 'fi');
	await expect(page.getByText(t('fi', 'home_welcome', { name: account.name }))).toBeVisible();
	await expectAccessible(page, 'home, signed in');

	await page.goto('/profile');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('fi', 'profile_title'));
	await expect(page.getByText(account.email)).toBeVisible();
	await expect(page.getByLabel(t('fi', 'field_name'), { exact: true })).toHaveValue(account.name);

	await hydrated(page);
	await signOut(page);
	await expect(page).toHaveURL(/\/$/);
	await expectSignedOut(page, 'fi');
	await expect(page.getByText(t('fi', 'home_welcome', { name: account.name }))).toHaveCount(0);
	// Signed out for real: the profile asks for a sign-in again.
	await page.goto('/profile');
	await expect(page).toHaveURL(/\/sign-in\?redirectTo=%2Fprofile$/);

	await hydrated(page);
	await fillSignIn(page, 'fi', account.email.toUpperCase(), account.password); // emails are case-insensitive
	await expect(page).toHaveURL(/\/profile$/);
	await expectSignedIn(page, 'fi');
	await expect(page.getByText(account.email)).toBeVisible();

	// My data: the profile's link downloads a ZIP whose profile file is this account.
	const downloading = page.waitForEvent('download');
	await page.getByRole('link', { name: t('fi', 'my_data_download') }).click();
	const download = await downloading;
	expect(download.suggestedFilename()).toMatch(/\.zip$/);
	const files = unzipSync(new Uint8Array(readFileSync(await download.path())));
	expect(JSON.parse(strFromU8(files['profile.json']!))).toEqual([expect.objectContaining({ email: account.email, name: account.name })]);

	// Deleting the account: a wrong password is refused in place; Cancel in the dialog keeps the account; confirming
	// signs out, says so, and the account can no longer sign in.
	await hydrated(page);
	const confirmation = page.getByLabel(t('fi', 'account_delete_password'), { exact: true });
	const deleteButton = page.getByRole('button', { name: t('fi', 'account_delete_submit') });
	const dialog = page.getByRole('dialog', { name: t('fi', 'account_delete_confirm') });
	await confirmation.fill('vaara-salasana-123');
	await deleteButton.click();
	await dialog.getByRole('button', { name: t('fi', 'account_delete_submit') }).click();
	await expect(confirmation).toHaveAccessibleDescription(new RegExp(t('fi', 'account_delete_wrong_password')));
	expect(await page.evaluate(() => document.activeElement?.tagName), 'focus stays in the form').not.toBe('BODY');
	await expectSignedIn(page, 'fi');
	await confirmation.fill(account.password);
	await deleteButton.click();
	await dialog.getByRole('button', { name: t('fi', 'cancel') }).click();
	await expect(dialog).toBeHidden();
	await expect(deleteButton).toBeFocused();
	await expectSignedIn(page, 'fi');
	await deleteButton.click();
	await expectAccessible(page, 'delete-account confirmation');
	await dialog.getByRole('button', { name: t('fi', 'account_delete_submit') }).click();
	await expect(page).toHaveURL(/\/sign-in\?deleted$/);
	await expect(page.getByRole('status').filter({ hasText: t('fi', 'account_deleted') })).toBeVisible();
	await expectSignedOut(page, 'fi');
	await hydrated(page);
	await fillSignIn(page, 'fi', account.email, account.password);
	await expect(page.getByRole('alert')).toBeVisible();
	await expectSignedOut(page, 'fi');
});

test.describe('sign-up errors keep the user on the form', () => {
	test('malformed email', async ({ page }) => {
		await goto(page, '/sign-up');
		await fillSignUp(page, 'fi', { name: 'Virhe Testaaja', email: 'ei-sahkopostiosoite', password: 'riittavan-pitka' });
		await expect(page).toHaveURL(/\/sign-up$/);
		await expectFieldError(page, 'fi', t('fi', 'field_email'), t('fi', 'error_email_invalid'));
		// What was typed is kept, except the password.
		await expect(page.getByLabel(t('fi', 'field_name'), { exact: true })).toHaveValue('Virhe Testaaja');
		await expect(page.getByLabel(t('fi', 'field_email'), { exact: true })).toHaveValue('ei-sahkopostiosoite');
		await expectSignedOut(page, 'fi');
		await expectAccessible(page, 'sign-up with an invalid email');
	});

	test('password under 10 characters', async ({ page }) => {
		const email = uniqueEmail('short');
		await goto(page, '/sign-up');
		await fillSignUp(page, 'fi', { name: 'Lyhyt Salasana', email, password: '123456789' });
		await expect(page).toHaveURL(/\/sign-up$/);
		await expectFieldError(page, 'fi', t('fi', 'field_password'), t('fi', 'error_password_too_short', { min: passwordMin }));
		await expectSignedOut(page, 'fi');
		await expectAccessible(page, 'sign-up with a short password');
		// Ten characters, but on every list of common passwords.
		await fillSignUp(page, 'fi', { name: 'Lyhyt Salasana', email, password: '1234567890' });
		await expect(page).toHaveURL(/\/sign-up$/);
		await expectFieldError(page, 'fi', t('fi', 'field_password'), t('fi', 'error_password_common'));
		await expectSignedOut(page, 'fi');
		// Nothing was created: the same email can still sign up.
		await fillSignUp(page, 'fi', { name: 'Lyhyt Salasana', email, password: 'kymmenen-hyvaa-merkkia' });
		await expect(page).toHaveURL(/\/sign-in\?signedUp=1$/);
		await hydrated(page);
		await fillSignIn(page, 'fi', email, 'kymmenen-hyvaa-merkkia');
		await expectSignedIn(page, 'fi');
	});

	test('an email that has an account gets the same answer, and nothing changes', async ({ page }) => {
		await goto(page, '/sign-up');
		await fillSignUp(page, 'fi', { name: 'Toinen Tiimiläinen', email: demo.team, password: 'jokin-salasana-123' });
		// The same page as for a new email: the form does not reveal who has an account.
		await expect(page).toHaveURL(/\/sign-in\?signedUp=1$/);
		await expect(page.getByRole('status').filter({ hasText: t('fi', 'sign_up_done') })).toBeVisible();
		await expectSignedOut(page, 'fi');
		// The existing account keeps its password: the one given at sign-up does not open it.
		await hydrated(page);
		await fillSignIn(page, 'fi', demo.team, 'jokin-salasana-123');
		await expect(page.getByRole('alert')).toHaveText(t('fi', 'sign_in_invalid'));
	});

	test('in English: password too short and malformed email together', async ({ page }) => {
		await goto(page, '/sign-up');
		await page.getByRole('form', { name: t('fi', 'language_label') }).getByRole('button', { name: 'English' }).click();
		await expect(page.locator('html')).toHaveAttribute('lang', 'en');
		await hydrated(page);
		await fillSignUp(page, 'en', { name: 'Error Tester', email: 'not@valid', password: 'short' });
		await expect(page).toHaveURL(/\/sign-up$/);
		await expectFieldError(page, 'en', t('en', 'field_email'), t('en', 'error_email_invalid'));
		await expectFieldError(page, 'en', t('en', 'field_password'), t('en', 'error_password_too_short', { min: passwordMin }));
		await expectAccessible(page, 'English sign-up errors');
	});
});

test.describe('sign-in errors keep the user on the form', () => {
	test('wrong password', async ({ page }) => {
		const account = await createAccount(page.request);
		await page.context().clearCookies();

		await goto(page, '/sign-in');
		await fillSignIn(page, 'fi', account.email, 'vaara-salasana');
		await expect(page).toHaveURL(/\/sign-in$/);
		await expect(page.getByRole('alert')).toHaveText(t('fi', 'sign_in_invalid'));
		await expect(page.getByLabel(t('fi', 'field_email'), { exact: true })).toHaveValue(account.email);
		await expectSignedOut(page, 'fi');
		await expectAccessible(page, 'sign-in with a wrong password');

		// The right password still works after a mistake.
		await fillSignIn(page, 'fi', account.email, account.password);
		await expectSignedIn(page, 'fi');
	});

	test('unknown email, in Finnish and in English', async ({ page }) => {
		await goto(page, '/sign-in');
		const email = uniqueEmail('unknown');
		await fillSignIn(page, 'fi', email, 'mika-tahansa-salasana');
		await expect(page).toHaveURL(/\/sign-in$/);
		// The same message as for a wrong password: the form does not reveal who has an account.
		await expect(page.getByRole('alert')).toHaveText(t('fi', 'sign_in_invalid'));
		await expectSignedOut(page, 'fi');
		await expectAccessible(page, 'sign-in with an unknown email');

		await page.getByRole('form', { name: t('fi', 'language_label') }).getByRole('button', { name: 'English' }).click();
		await expect(page.locator('html')).toHaveAttribute('lang', 'en');
		await hydrated(page);
		await fillSignIn(page, 'en', email, 'any-password-at-all');
		await expect(page).toHaveURL(/\/sign-in$/);
		await expect(page.getByRole('alert')).toHaveText(t('en', 'sign_in_invalid'));
		await expect(page.getByLabel(t('en', 'field_email'), { exact: true })).toHaveValue(email);
		await expectSignedOut(page, 'en');
		await expectAccessible(page, 'English sign-in error');
	});

	test('empty fields', async ({ page }) => {
		await goto(page, '/sign-in');
		await page.getByRole('button', { name: t('fi', 'sign_in_submit'), exact: true }).click();
		await expect(page).toHaveURL(/\/sign-in$/);
		// An empty email may be reported as missing or as malformed.
		await expectFieldError(page, 'fi', t('fi', 'field_email'), t('fi', 'error_required'), t('fi', 'error_email_invalid'));
		await expectFieldError(page, 'fi', t('fi', 'field_password'), t('fi', 'error_required'));
		await expectAccessible(page, 'empty sign-in');
	});
});

test.describe('sign-in rate limit', () => {
	/** Each test speaks from its own address (the e2e server reads X-Forwarded-For, as behind a proxy). */
	const ownAddress = (page: Page) => {
		const bytes = unique('a').slice(-8);
		const address = `10.${parseInt(bytes.slice(0, 2), 16)}.${parseInt(bytes.slice(2, 4), 16)}.${parseInt(bytes.slice(4, 6), 16)}`;
		return page.setExtraHTTPHeaders({ 'x-forwarded-for': address });
	};

	test('after 10 failures from one address, whatever the emails, the 11th attempt must wait', async ({ page }) => {
		await ownAddress(page);
		await goto(page, '/sign-in');
		for (let attempt = 1; attempt <= 10; attempt++) {
			await fillSignIn(page, 'fi', uniqueEmail(`guess${attempt}`), `arvaus-${attempt}`);
			await expect(page.getByRole('alert'), `attempt ${attempt}`).toHaveText(t('fi', 'sign_in_invalid'));
		}
		// The 11th waits a second after the 10th, the 12th two after the 11th …: on a slow machine the 11th may
		// come after its second, but within a few attempts the doubling catches up.
		const slowed = tRegex('fi', 'sign_in_rate_limited_seconds');
		for (let attempt = 11; attempt <= 14; attempt++) {
			await fillSignIn(page, 'fi', uniqueEmail(`guess${attempt}`), 'viela-yksi-arvaus');
			if (slowed.test((await page.getByRole('alert').textContent()) ?? '')) break;
		}
		await expect(page).toHaveURL(/\/sign-in$/);
		await expect(page.getByRole('alert')).toHaveText(slowed);
		await expectSignedOut(page, 'fi');
		await expectAccessible(page, 'rate-limited sign-in');
	});

	test('a guessed-at account is slowed for a moment, never locked: its owner gets in after the wait', async ({ page }) => {
		const account = await createAccount(page.request);
		await page.context().clearCookies();
		await ownAddress(page);

		await goto(page, '/sign-in');
		for (let attempt = 1; attempt <= 5; attempt++) {
			await fillSignIn(page, 'fi', account.email, `vaara-${attempt}`);
			await expect(page.getByRole('alert'), `attempt ${attempt}`).toHaveText(t('fi', 'sign_in_invalid'));
		}
		// Past five failures each guess waits a doubling number of seconds (a few more guesses make sure of it).
		const slowed = tRegex('fi', 'sign_in_rate_limited_seconds');
		for (let attempt = 6; attempt <= 9; attempt++) {
			await fillSignIn(page, 'fi', account.email, `vaara-${attempt}`);
			if (slowed.test((await page.getByRole('alert').textContent()) ?? '')) break;
		}
		await expect(page.getByRole('alert')).toHaveText(slowed);
		expect((await page.context().cookies()).some((cookie) => cookie.name === 'verstas_session')).toBe(false);

		// The wait is seconds: trying again (as the owner would) lets them in.
		await expect(async () => {
			await fillSignIn(page, 'fi', account.email, account.password);
			await expectSignedIn(page, 'fi');
		}).toPass({ timeout: 20_000 });
	});
});

test('signing in from a page that required it returns there', async ({ page }) => {
	await goto(page, '/sign-in?redirectTo=%2Fprofile');
	await submitSignIn(page, demo.facilitator, 'verstas-demo');
	await expect(page).toHaveURL(/\/profile$/);
	await expect(page.getByText(demo.facilitator)).toBeVisible();
});
