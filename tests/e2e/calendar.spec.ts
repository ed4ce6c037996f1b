import { createAccount, expect, expectAccessible, goto, hydrated, test } from './fixtures';
import { t } from './messages';

// The one browser flow of the calendar feed: making the address, copying it (the clipboard needs a browser) and
// turning it off; what the feed holds is tested in tests/integration/calendar.test.ts.
test('make, copy and turn off the calendar address on the profile', async ({ page, context }) => {
	await context.grantPermissions(['clipboard-read', 'clipboard-write']);
	await createAccount(page.request);
	await goto(page, '/profile');
	await hydrated(page);
	const panel = page.getByRole('region', { name: t('fi', 'calendar_feed_title') });
	await expect(panel.getByText(t('fi', 'calendar_feed_none'))).toBeVisible();

	await panel.getByRole('button', { name: t('fi', 'calendar_feed_create'), exact: true }).click();
	await expect(panel.getByRole('status').first()).toHaveText(t('fi', 'calendar_feed_created'));
	const field = panel.getByLabel(t('fi', 'calendar_feed_address'), { exact: true });
	await expect(field).toHaveAccessibleDescription(t('fi', 'calendar_feed_shown_once'));
	const address = await field.inputValue();
	expect(address).toMatch(/\/calendar\/[a-z0-9]{24}\.[a-z0-9]{24}\.ics$/);
	await expectAccessible(page, 'calendar address shown');

	await panel.getByRole('button', { name: t('fi', 'calendar_feed_copy'), exact: true }).click();
	await expect(panel.getByText(t('fi', 'calendar_feed_copied'))).toBeAttached();
	expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(address);
	const feed = await page.request.get(address);
	expect(feed.status()).toBe(200);
	expect(feed.headers()['content-type']).toBe('text/calendar; charset=utf-8');

	await panel.getByRole('button', { name: t('fi', 'calendar_feed_revoke'), exact: true }).click();
	await expect(panel.getByRole('status').first()).toHaveText(t('fi', 'calendar_feed_revoked'));
	await expect(panel.getByText(t('fi', 'calendar_feed_none'))).toBeVisible();
	expect((await page.request.get(address)).status()).toBe(404);
});
