// The accessibility statement (Act 306/2019) and the privacy notice: linked from every page's footer in the page's language, sent feedback
// without an account, and the admins' view of it.
import type { Page } from '@playwright/test';
import { baseUrl, expect, expectAccessible, goto, newContext, signInAs, test, unique } from './fixtures';
import { t, type Locale } from './messages';

const paths = { fi: '/saavutettavuus', sv: '/tillganglighet', en: '/accessibility' } as const;
const privacyPaths = { fi: '/tietosuoja', sv: '/dataskydd', en: '/privacy' } as const;

async function useLocale(page: Page, locale: Locale) {
	await page.context().addCookies([{ name: 'PARAGLIDE_LOCALE', value: locale, url: baseUrl() }]);
}

test('the statement in every language from the footer, and feedback without an account that an admin then answers', async ({ page, browser }) => {
	for (const locale of ['sv', 'en', 'fi'] as const) {
		await useLocale(page, locale);
		await goto(page, '/sign-in');
		await page.getByRole('contentinfo').getByRole('link', { name: t(locale, 'a11y_footer_link') }).click();
		await expect(page).toHaveURL(new RegExp(`${paths[locale]}$`));
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(t(locale, 'a11y_title'));
		await expect(page.getByRole('heading', { level: 2, name: t(locale, 'a11y_gaps_heading') })).toBeVisible();
		await expectAccessible(page, `${paths[locale]} (${locale})`);
		// The privacy notice sits beside it in the footer.
		await page.getByRole('contentinfo').getByRole('link', { name: t(locale, 'privacy_footer_link') }).click();
		await expect(page).toHaveURL(new RegExp(`${privacyPaths[locale]}$`));
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(t(locale, 'privacy_title'));
		await expectAccessible(page, `${privacyPaths[locale]} (${locale})`);
		await goto(page, paths[locale]);
	}

	// Feedback by keyboard; a bad address is refused with the field named, then sent.
	const message = `Kontrasti on heikko ${unique()}`;
	await page.getByLabel(t('fi', 'a11y_field_message'), { exact: true }).fill(message);
	await page.getByLabel(t('fi', 'a11y_field_contact'), { exact: true }).fill('ei-osoite');
	await page.getByLabel(t('fi', 'a11y_field_contact'), { exact: true }).press('Enter');
	await expect(page.getByRole('alert')).toHaveText(t('fi', 'form_has_errors'));
	await expect(page.getByLabel(t('fi', 'a11y_field_contact'), { exact: true })).toHaveAccessibleDescription(new RegExp(t('fi', 'error_email_invalid')));
	await page.getByLabel(t('fi', 'a11y_field_contact'), { exact: true }).fill('palaute@example.fi');
	await page.getByRole('button', { name: t('fi', 'a11y_feedback_submit') }).click();
	await expect(page.getByRole('status')).toHaveText(t('fi', 'a11y_feedback_thanks', { days: 14 }));
	await expect(page.getByRole('button', { name: t('fi', 'a11y_feedback_submit') }), 'focus stays on the form').toBeFocused();
	await expect(page.getByLabel(t('fi', 'a11y_field_message'), { exact: true }), 'the sent text is cleared').toHaveValue('');

	const adminContext = await newContext(browser);
	const admin = await adminContext.newPage();
	await signInAs(admin, 'admin');
	await goto(admin, '/admin/feedback');
	const row = admin.getByRole('row').filter({ hasText: message });
	await expect(row).toContainText(t('fi', 'feedback_unanswered'));
	await expect(row.getByRole('link', { name: 'palaute@example.fi' })).toHaveAttribute('href', 'mailto:palaute@example.fi');
	await expectAccessible(admin, '/admin/feedback');
	await row.getByRole('button', { name: t('fi', 'feedback_mark_answered') }).click();
	await expect(admin.getByRole('status')).toHaveText(t('fi', 'feedback_marked'));
	await expect(row).not.toContainText(t('fi', 'feedback_unanswered'));
	// The audit log's view, with its filters, passes axe too.
	await admin.getByRole('navigation', { name: t('fi', 'admin_nav_label') }).getByRole('link', { name: t('fi', 'admin_audit') }).click();
	await expect(admin.getByRole('heading', { level: 2, name: t('fi', 'admin_audit') })).toBeVisible();
	await expectAccessible(admin, '/admin/audit');
	await adminContext.close();
});
