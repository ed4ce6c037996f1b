import type { Page } from '@playwright/test';
import {
	createAccount,
	expect,
	expectAccessible,
	goto,
	newContext,
	signIn,
	test,
	unique
} from './fixtures';
import { t } from './messages';

const details = (page: Page) => page.getByRole('region', { name: t('fi', 'profile_details') });
const passwordPanel = (page: Page) => page.getByRole('region', { name: t('fi', 'password_change_title') });

test('edit the name', async ({ page }) => {
	const account = await createAccount(page.request);
	await goto(page, '/profile');
	const nameField = details(page).getByLabel(t('fi', 'field_name'), { exact: true });
	await expect(nameField).toHaveValue(account.name);
	await expectAccessible(page, 'profile');

	// An empty name is refused and nothing is saved.
	await nameField.fill('   ');
	await details(page).getByRole('button', { name: t('fi', 'profile_save'), exact: true }).click();
	await expect(details(page).getByRole('alert')).toHaveText(t('fi', 'form_has_errors'));
	await expect(nameField).toHaveAccessibleDescription(t('fi', 'error_required'));
	await expect(nameField).toHaveAttribute('aria-invalid', 'true');
	await expectAccessible(page, 'profile with an empty name');

	const newName = `Uusi ${unique('Nimi')}`;
	await nameField.fill(newName);
	await details(page).getByRole('button', { name: t('fi', 'profile_save'), exact: true }).click();
	await expect(details(page).getByRole('status')).toHaveText(t('fi', 'profile_saved'));
	await expect(details(page).getByRole('alert')).toHaveCount(0);
	await expect(nameField).toHaveValue(newName);
	await expectAccessible(page, 'profile saved');

	// Stored, not just shown: a reload and the home page's greeting have it too.
	await page.reload();
	await expect(details(page).getByLabel(t('fi', 'field_name'), { exact: true })).toHaveValue(newName);
	await page.goto('/');
	await expect(page.getByText(t('fi', 'home_welcome', { name: newName }))).toBeVisible();
});

test('change the password', async ({ page, browser }) => {
	const account = await createAccount(page.request);

	// Another device, signed in with the old password.
	const otherDevice = await newContext(browser);
	const otherPage = await otherDevice.newPage();
	try {
		await signIn(otherPage, account.email, account.password);
		await otherPage.goto('/profile');
		await expect(otherPage.getByRole('heading', { level: 1 })).toHaveText(t('fi', 'profile_title'));

		await goto(page, '/profile');
		const panel = passwordPanel(page);
		await expect(panel.getByText(t('fi', 'password_change_hint'))).toBeVisible();
		const current = panel.getByLabel(t('fi', 'field_current_password'), { exact: true });
		const next = panel.getByLabel(t('fi', 'field_new_password'), { exact: true });
		const submit = panel.getByRole('button', { name: t('fi', 'password_change_submit'), exact: true });
		const newPassword = `uusi-${unique('salasana')}`;

		// A wrong current password is refused.
		await current.fill('ei-ole-oikea-salasana');
		await next.fill(newPassword);
		await submit.click();
		await expect(panel.getByRole('alert')).toHaveText(t('fi', 'form_has_errors'));
		await expect(current).toHaveAccessibleDescription(t('fi', 'password_current_wrong'));
		await expect(panel.getByText(t('fi', 'password_changed'))).toHaveCount(0);
		await expectAccessible(page, 'wrong current password');

		// A too short new password is refused.
		await current.fill(account.password);
		await next.fill('lyhyt');
		await submit.click();
		await expect(next).toHaveAccessibleDescription(
			new RegExp(`${t('fi', 'error_password_too_short', { min: 10 }).replace(/\./g, '\\.')}$`)
		);

		await current.fill(account.password);
		await next.fill(newPassword);
		await submit.click();
		await expect(panel.getByRole('status')).toHaveText(t('fi', 'password_changed'));
		await expect(panel.getByRole('alert')).toHaveCount(0);
		await expectAccessible(page, 'password changed');

		// This device stays signed in...
		await page.reload();
		await expect(page).toHaveURL(/\/profile$/);
		await expect(page.getByText(account.email)).toBeVisible();

		// ...the other one was signed out.
		await otherPage.goto('/profile');
		await expect(otherPage).toHaveURL(/\/sign-in\?redirectTo=%2Fprofile$/);
		await expect(otherPage.locator('form[action="/sign-out"]')).toHaveCount(0);
		await expectAccessible(otherPage, 'other device after the password change');

		// The old password no longer signs in; the new one does.
		await goto(otherPage, '/sign-in');
		await otherPage.locator('input[name="email"]').fill(account.email);
		await otherPage.locator('input[name="password"]').fill(account.password);
		await otherPage.getByRole('button', { name: t('fi', 'sign_in_submit'), exact: true }).click();
		await expect(otherPage.getByRole('alert')).toHaveText(t('fi', 'sign_in_invalid'));
		await expect(otherPage).toHaveURL(/\/sign-in$/);

		await signIn(otherPage, account.email, newPassword);
		await otherPage.goto('/profile');
		await expect(otherPage.getByText(account.email)).toBeVisible();
	} finally {
		await otherDevice.close();
	}
});

test('without JavaScript, the page answering a profile save shows what was saved', async ({ browser }) => {
	// Also what a user sees who presses Save before the page has hydrated. Then, after a language change, the
	// page hydrates in the new language under the old <html lang>: a mixed-language page.
	const context = await newContext(browser, { javaScriptEnabled: false });
	try {
		await createAccount(context.request);
		const page = await context.newPage();
		await page.goto('/profile');
		const newName = `Ilman JS ${unique('Nimi')}`;
		await page.getByLabel(t('fi', 'field_name'), { exact: true }).fill(newName);
		await page.getByRole('combobox', { name: t('fi', 'field_language') }).selectOption('en');
		await page.getByRole('button', { name: t('fi', 'profile_save'), exact: true }).click();
		await expect(page.getByRole('status').first()).not.toHaveText('');

		await expect(
			page.locator('main input[name="name"]'),
			'the name field right under "saved" (src/routes/profile/+page.server.ts: load reads locals.user, ' +
				'which hooks.server.ts loaded before the action changed it)'
		).toHaveValue(newName);
		await expect(page.locator('main select[name="locale"]'), 'the language select').toHaveValue('en');
		await expect(page.locator('html'), 'the language of the page answering the save').toHaveAttribute('lang', 'en');
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('en', 'profile_title'));
	} finally {
		await context.close();
	}
});

test('delete my account: the danger zone asks for the password and a confirmation, by keyboard', async ({ page }) => {
	const account = await createAccount(page.request);
	await goto(page, '/profile');
	const zone = page.getByRole('region', { name: t('fi', 'account_delete_title') });
	const password = zone.getByLabel(t('fi', 'account_delete_password'), { exact: true });
	await expectAccessible(page, 'profile danger zone');

	// A wrong password is refused in the form; the account stays.
	await password.fill('ei-tama-salasana');
	await zone.getByRole('button', { name: t('fi', 'account_delete_submit') }).press('Enter');
	const dialog = page.getByRole('dialog', { name: t('fi', 'account_delete_confirm') });
	await expect(dialog).toBeVisible();
	await expectAccessible(page, 'deletion confirmation');
	await page.keyboard.press('Tab');
	await expect(dialog.getByRole('button', { name: t('fi', 'account_delete_submit') })).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(zone.getByRole('alert')).toHaveText(t('fi', 'account_delete_wrong_password'));

	// Escape cancels; the right password and Enter on the confirmation delete and sign out.
	await password.fill(account.password);
	await zone.getByRole('button', { name: t('fi', 'account_delete_submit') }).press('Enter');
	await expect(dialog).toBeVisible();
	await page.keyboard.press('Escape');
	await expect(dialog).toBeHidden();
	await expect(page).toHaveURL(/\/profile$/);
	await zone.getByRole('button', { name: t('fi', 'account_delete_submit') }).press('Enter');
	await page.keyboard.press('Tab');
	await page.keyboard.press('Enter');
	await expect(page).toHaveURL(/\/sign-in\?deleted$/);
	await expect(page.getByRole('status').filter({ hasText: t('fi', 'account_deleted') })).toBeVisible();
	await goto(page, '/profile');
	await expect(page).toHaveURL(/\/sign-in/);
});
