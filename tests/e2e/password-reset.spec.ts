import { createAccount, expect, expectAccessible, goto, newContext, signInAs, test } from './fixtures';
import { t } from './messages';

// The forgotten-password flow in a browser. The e2e server has no SMTP (as the demo), so the message waits in the
// outbox and an administrator reads the link on /admin/mail: the demo's way of showing what would be sent.
test('a forgotten password is reset with the mailed link, once, and every session ends', async ({ page, browser }) => {
	const account = await createAccount(page.request);
	await goto(page, '/profile');
	await expect(page.getByRole('heading', { level: 1, name: t('fi', 'profile_title') })).toBeVisible();

	const phoneContext = await newContext(browser);
	const phone = await phoneContext.newPage();
	await goto(phone, '/sign-in');
	await phone.getByRole('link', { name: t('fi', 'sign_in_forgot') }).click();
	await expect(phone.getByRole('heading', { level: 1, name: t('fi', 'reset_title') })).toBeVisible();
	await phone.getByLabel(t('fi', 'field_email'), { exact: true }).fill(account.email);
	await phone.getByRole('button', { name: t('fi', 'reset_submit') }).click();
	await expect(phone.getByRole('status')).toHaveText(t('fi', 'reset_sent'));
	await expectAccessible(phone, 'reset request');

	const adminContext = await newContext(browser);
	const admin = await adminContext.newPage();
	await signInAs(admin, 'admin');
	await goto(admin, '/admin/mail');
	await expect(admin.getByText(t('fi', 'admin_mail_no_smtp'))).toBeVisible();
	const row = admin.getByRole('row').filter({ hasText: account.email }).filter({ hasText: t('fi', 'mail_reset_subject') });
	await row.getByText(t('fi', 'mail_reset_subject')).click();
	const text = await row.getByLabel(t('fi', 'admin_mail_text', { subject: t('fi', 'mail_reset_subject') })).innerText();
	await expectAccessible(admin, 'admin mail');
	const path = new URL(text.match(/https?:\/\/\S+\/reset-password\/\S+/)![0]).pathname;

	await goto(phone, path);
	await phone.getByLabel(t('fi', 'field_password'), { exact: true }).fill('uusi-kahvikuppi-77');
	await phone.getByRole('button', { name: t('fi', 'reset_new_submit') }).click();
	await expect(phone).toHaveURL(/\/sign-in\?reset=1$/);
	await expect(phone.getByRole('status').filter({ hasText: t('fi', 'reset_done') })).toBeVisible();
	await expectAccessible(phone, 'signed out after reset');

	// The first browser's session ended with the reset; the link does not work twice.
	await goto(page, '/profile');
	await expect(page).toHaveURL(/\/sign-in\?redirectTo=/);
	await goto(phone, path);
	await expect(phone.getByRole('alert')).toHaveText(t('fi', 'reset_link_invalid'));
	await phoneContext.close();
	await adminContext.close();
});
