// The home page of a signed-in person: their own workshops, pilots (with the next check-in) and programmes come
// first. Relies on the demo seed: the team member is on the running Kannelmäki pilot's team and in the demo workshop.
import { createAccount, expect, expectAccessible, expectNoHorizontalScroll, goto, newContext, postForm, signInAs, test } from './fixtures';
import { t } from './messages';

const kannelmaki = 'Läksykerho ja turvallinen aikuinen Kannelmäessä';

test.describe('on a phone', () => {
	test.use({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });

	test('a team member finds their workshop and their pilot’s next check-in, and writes it from there', async ({ page }) => {
		await signInAs(page, 'team');
		await goto(page, '/');
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('fi', 'home_welcome', { name: 'Tuomas Tiimiläinen' }));
		const workshops = page.getByRole('region', { name: t('fi', 'home_my_workshops') });
		await expect(workshops.getByRole('link', { name: 'Sosiaalisesti kestävät kaupungit' })).toBeVisible();
		const pilots = page.getByRole('region', { name: t('fi', 'home_my_pilots') });
		const pilot = pilots.getByRole('listitem').filter({ hasText: kannelmaki });
		await expect(pilot).toContainText(/seuraava seurantaraportti \d{1,2}\. \p{L}+ \d{4}/u);
		await expect(page.getByRole('region', { name: t('fi', 'home_my_programmes') }).getByRole('link', { name: /^Mukana/ })).toBeVisible();
		await expectNoHorizontalScroll(page, 'the home page of a team member');
		await expectAccessible(page, 'the home page of a team member at 360px');

		await pilot.getByRole('link', { name: t('fi', 'checkin_new') }).click();
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('fi', 'checkin_new'));
		await expect(page.getByRole('link', { name: kannelmaki })).toBeVisible();
	});
});

test('a new account’s home says there is nothing yet and offers the join code', async ({ page }) => {
	const account = await createAccount(page.request);
	await goto(page, '/');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('fi', 'home_welcome', { name: account.name }));
	// Someone who may not create workshops is not told to create one.
	await expect(page.getByRole('region', { name: t('fi', 'home_my_workshops') })).toContainText(t('fi', 'workshops_empty_join'));
	await expect(page.getByRole('link', { name: t('fi', 'workshops_create') })).toHaveCount(0);
	await expect(page.getByRole('region', { name: t('fi', 'home_my_programmes') })).toContainText(t('fi', 'programmes_empty'));
	// No pilots: no empty list of them either.
	await expect(page.getByRole('region', { name: t('fi', 'home_my_pilots') })).toHaveCount(0);
	await expectAccessible(page, 'the home page of a new account');
	// (A code no workshop has: joining the demo workshop would change what other tests see in it.)
	await page.getByLabel(t('fi', 'join_code_label'), { exact: true }).fill('zzzz99');
	await page.getByLabel(t('fi', 'join_code_label'), { exact: true }).press('Enter');
	await expect(page).toHaveURL(/\/w\/ZZZZ99$/);
});

test('someone in a programme with no workshops, who may not create one, has the programme first and is told to join with a code', async ({ page, browser }) => {
	const account = await createAccount(page.request);
	const admin = await newContext(browser);
	try {
		const adminPage = await admin.newPage();
		await signInAs(adminPage, 'admin');
		await adminPage.goto('/admin/organisations');
		const href = await adminPage.getByRole('link', { name: 'Helsingin kaupunki', exact: true }).getAttribute('href');
		const added = await postForm(adminPage.request, `${href}?/addMember`, { email: account.email, role: 'member' });
		expect(added.status(), 'the admin makes the new account a member of the programme’s organisation').toBe(200);
	} finally {
		await admin.close();
	}
	await goto(page, '/');
	const headings = page.locator('main h2');
	await expect(headings.first()).toHaveText(t('fi', 'home_my_programmes'));
	await expect(page.getByRole('region', { name: t('fi', 'home_my_programmes') }).getByRole('link', { name: /^Mukana/ })).toBeVisible();
	await expect(page.getByRole('region', { name: t('fi', 'home_my_workshops') })).toContainText(t('fi', 'workshops_empty_join'));
	await expect(headings).toHaveText([t('fi', 'home_my_programmes'), t('fi', 'home_my_workshops'), t('fi', 'home_join_title')]);
});
