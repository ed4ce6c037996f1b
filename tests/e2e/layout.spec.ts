import type { Page } from '@playwright/test';
import {
	baseUrl,
	createAccount,
	expect,
	expectAccessible,
	expectNoHorizontalScroll,
	goto,
	hydrated,
	signInAs,
	test
} from './fixtures';
import { locales, t, tRegex, type Locale } from './messages';

async function setLocale(page: Page, locale: Locale) {
	await page.context().addCookies([{ name: 'PARAGLIDE_LOCALE', value: locale, url: baseUrl() }]);
}

test.describe('skip link', () => {
	for (const path of ['/', '/sign-in', '/profile']) {
		test(`is the first Tab stop and moves focus to <main> on ${path}`, async ({ page }) => {
			if (path === '/profile') await createAccount(page.request);
			await goto(page, path);
			await page.keyboard.press('Tab');
			const skip = page.getByRole('link', { name: t('fi', 'skip_to_content'), exact: true });
			await expect(skip).toBeFocused();
			await expect(skip).toHaveAttribute('href', '#main');
			await expect(skip).toBeInViewport(); // visible while it has focus
			await expectAccessible(page, 'skip link focused');

			await page.keyboard.press('Enter');
			await expect(page.locator('main')).toBeFocused();
			await expect(page.locator('main')).toHaveAttribute('id', 'main');
			// The next Tab continues inside the content, past the header.
			await page.keyboard.press('Tab');
			expect(await page.evaluate(() => document.activeElement?.closest('main') !== null)).toBe(true);
		});
	}
});

test('following a link or going Back puts the focus in the new page’s <main>, and a form saved in place keeps it on the control used: never on <body>', async ({ page }) => {
	const account = await createAccount(page.request);
	await goto(page, '/');
	await hydrated(page);
	const focusedTag = () => page.evaluate(() => document.activeElement?.tagName);
	// By keyboard: a header link, then the next Tab goes on inside the page reached, past the header.
	await page.getByRole('navigation').getByRole('link', { name: t('fi', 'nav_profile'), exact: true }).focus();
	await page.keyboard.press('Enter');
	await expect(page).toHaveURL(/\/profile$/);
	await expect(page.locator('main')).toBeFocused();
	await page.keyboard.press('Tab');
	expect(await page.evaluate(() => document.activeElement?.closest('main') !== null)).toBe(true);
	// A form saved in place (SvelteKit resets the focus after it, as after a navigation): the focus stays on its button.
	await page.getByLabel(t('fi', 'field_current_password'), { exact: true }).fill(account.password);
	await page.getByLabel(t('fi', 'field_new_password'), { exact: true }).fill('uusi-salasana-2026');
	const change = page.getByRole('button', { name: t('fi', 'password_change_submit'), exact: true });
	await change.focus();
	await page.keyboard.press('Enter');
	await expect(page.getByText(t('fi', 'password_changed'))).toBeVisible();
	await expect(change).toBeFocused();
	await expect(page.getByLabel(t('fi', 'field_new_password'), { exact: true })).toHaveValue('');
	// Back, and a link clicked with the mouse.
	await page.goBack();
	await expect(page).toHaveURL(new RegExp(`${baseUrl()}/?$`));
	await expect.poll(focusedTag).toBe('MAIN');
	await page.getByRole('navigation').getByRole('link', { name: t('fi', 'nav_workshops'), exact: true }).click();
	await expect(page).toHaveURL(/\/workshops$/);
	await expect.poll(focusedTag).toBe('MAIN');
});

test.describe('at 360 × 740', () => {
	test.use({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });

	for (const locale of locales) {
		test(`home, sign-in and sign-up do not scroll sideways (${locale})`, async ({ page }) => {
			await setLocale(page, locale);
			for (const path of ['/', '/sign-in', '/sign-up']) {
				await page.goto(path);
				await expect(page.locator('html')).toHaveAttribute('lang', locale);
				await expectNoHorizontalScroll(page, path);
				await expectAccessible(page, `${path} at 360px`);
			}
			// With error messages shown, too.
			await hydrated(page);
			await page.getByRole('button', { name: t(locale, 'sign_up_submit'), exact: true }).click();
			await expect(page.getByRole('alert')).toHaveText(t(locale, 'form_has_errors'));
			await expectNoHorizontalScroll(page, '/sign-up with errors');
			await expectAccessible(page, '/sign-up with errors at 360px');
		});
	}

	test('the profile and the admin pages do not scroll sideways', async ({ page }) => {
		await createAccount(page.request);
		await page.goto('/profile');
		await expectNoHorizontalScroll(page, '/profile');
		await expectAccessible(page, '/profile at 360px');
		await page.context().clearCookies();

		await signInAs(page, 'admin');
		await page.goto('/admin/users');
		await expectNoHorizontalScroll(page, '/admin/users'); // (its axe check is the next test)
		await page.goto('/admin/organisations');
		await expectNoHorizontalScroll(page, '/admin/organisations');
		await expectAccessible(page, '/admin/organisations at 360px');
		await page.getByRole('link', { name: 'Suomen Kuntaliitto', exact: true }).click();
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Suomen Kuntaliitto');
		await expectNoHorizontalScroll(page, 'an organisation page');
		// One with members: its table's visually hidden labels must stay inside the table's scroll box.
		await page.goto('/admin/organisations');
		await page.getByRole('link', { name: 'Helsingin kaupunki', exact: true }).click();
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Helsingin kaupunki');
		await expectNoHorizontalScroll(page, 'an organisation page with members');
	});

	test('the site header leaves the screen to the page: the name and the languages on one line, the links under them', async ({ page }) => {
		await signInAs(page, 'lead');
		await page.goto('/programmes');
		const header = page.locator('.site-header');
		const line = async (name: string) => (await header.getByRole(name === 'Suomi' ? 'button' : 'link', { name, exact: true }).boundingBox())!;
		const [brand, finnish, firstLink] = await Promise.all([line('Verstas'), line('Suomi'), line(t('fi', 'nav_home'))]);
		expect(Math.abs(brand.y + brand.height / 2 - (finnish.y + finnish.height / 2))).toBeLessThan(8);
		expect(firstLink.y).toBeGreaterThan(finnish.y + finnish.height - 1);
		// Beside the name the six links stacked into four lines: 170 px, a quarter of the screen.
		expect((await header.boundingBox())!.height).toBeLessThanOrEqual(120);
	});

	test("a pilot's page and the programme's printable report do not scroll sideways", async ({ page }) => {
		await signInAs(page, 'lead');
		await page.goto('/programmes');
		await page.getByRole('link', { name: /^Mukana/ }).first().click();
		const programmeUrl = new URL(page.url()).pathname;
		// The programme's pilots on a phone: each a block, its status under its name (a six-column table scrolled sideways before).
		const pilotRow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /^Läksykerho/ }) });
		const status = pilotRow.getByRole('cell').first();
		await expect(status).toContainText(t('fi', 'outcomes_status_running'));
		const title = (await pilotRow.getByRole('rowheader').boundingBox())!;
		expect((await status.boundingBox())!.y, 'the status under the name').toBeGreaterThanOrEqual(title.y + title.height - 1);
		await expectNoHorizontalScroll(page, "a programme's page");
		// Its four actions: the main one a button, the rest links sharing rows (they took a row each, ≈ 230 px).
		const actions = await page.getByRole('navigation', { name: t('fi', 'outcomes_actions_label') }).getByRole('link').all();
		expect(actions).toHaveLength(4);
		const rows = new Set(await Promise.all(actions.map(async (action) => Math.round((await action.boundingBox())!.y))));
		expect(rows.size, 'four actions in three rows').toBeLessThanOrEqual(3);
		await page.getByRole('link', { name: 'Läksykerho ja turvallinen aikuinen Kannelmäessä' }).first().click();
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Läksykerho ja turvallinen aikuinen Kannelmäessä');
		await expectNoHorizontalScroll(page, 'a pilot page');
		await expectAccessible(page, 'a pilot page at 360px');
		// The indicators: each a block, every figure under its column's name, nothing scrolled out of sight; still a
		// table with its headers for a screen reader.
		const indicators = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Lähtötaso' }) });
		const row = indicators.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /^Säännöllisesti käyvät nuoret/ }) });
		const baseline = row.getByRole('cell').first();
		await expect(baseline).toHaveText('0');
		const name = (await row.getByRole('rowheader').boundingBox())!;
		const figure = (await baseline.boundingBox())!;
		expect(figure.y, 'the baseline under the name, not beside it').toBeGreaterThanOrEqual(name.y + name.height - 1);
		for (const cell of await row.getByRole('cell').all()) {
			const box = (await cell.boundingBox())!;
			expect(box.x + box.width, 'a cell within the screen').toBeLessThanOrEqual(360);
		}
		expect(await baseline.evaluate((cell) => getComputedStyle(cell, '::before').content)).toContain('Lähtötaso');
		await page.goto(`${programmeUrl}/report`);
		await expectNoHorizontalScroll(page, "a programme's report");
		await expectAccessible(page, "a programme's report at 360px");
	});

	test('the users table, scrolled within its box, can be scrolled with the keyboard', async ({ page }) => {
		// At this width the table scrolls inside div.table-scroll (src/routes/admin/users/+page.svelte), whose cells
		// hold no focusable element: a keyboard user cannot reach the hidden columns (axe scrollable-region-focusable).
		await signInAs(page, 'admin');
		await page.goto('/admin/users');
		const scroller = page.locator('main .table-scroll');
		const overflows = await scroller.evaluate((element) => element.scrollWidth > element.clientWidth);
		expect(overflows, 'the users table is wider than the screen (so it must scroll in its box)').toBe(true);
		await expect(scroller).toHaveAttribute('tabindex', '0');
		await expectAccessible(page, '/admin/users at 360px');
	});
});

test('a programme’s page shows its lead the outcomes first: on a laptop the overdue check-ins are on the first screen, what the programme is comes after its pilots', async ({ page }) => {
	await page.setViewportSize({ width: 1366, height: 768 });
	await signInAs(page, 'lead');
	await page.goto('/programmes');
	await page.getByRole('link', { name: /^Mukana/ }).first().click();
	const heading = (key: string) => page.getByRole('heading', { level: 2, name: t('fi', key), exact: true });
	await expect(heading('outcomes_overdue_title')).toBeInViewport();
	const top = async (key: string) => (await heading(key).boundingBox())!.y;
	expect(await top('outcomes_goals')).toBeGreaterThan(await top('outcomes_pilots_title'));
	expect(await top('outcomes_target_areas')).toBeGreaterThan(await top('outcomes_pilots_title'));
	// Its tables fit the laptop's screen: their boxes have nothing to scroll and are no Tab stops.
	await hydrated(page);
	const boxes = page.locator('main .table-scroll');
	expect(await boxes.count()).toBeGreaterThan(0);
	for (const box of await boxes.all()) await expect(box).not.toHaveAttribute('tabindex');
	// A filter applied by keyboard reloads the page with it, and the focus stays on the button (not at the page's top).
	await hydrated(page);
	await page.getByLabel(t('fi', 'outcomes_filter_status'), { exact: true }).selectOption('running');
	const apply = page.getByRole('button', { name: t('fi', 'outcomes_filter_apply'), exact: true });
	await apply.focus();
	await page.keyboard.press('Enter');
	await expect(page).toHaveURL(/[?&]status=running/);
	await expect(page.getByRole('status').filter({ hasText: tRegex('fi', 'outcomes_pilot_count_filtered') })).toBeVisible();
	await expect(apply).toBeFocused();
});

test('a running pilot’s next step on a laptop: the one-button step sits under the heading, beside the decision', async ({ page }) => {
	await page.setViewportSize({ width: 1366, height: 768 });
	await signInAs(page, 'lead');
	await page.goto('/programmes');
	await page.getByRole('link', { name: /^Mukana/ }).first().click();
	await page.getByRole('link', { name: 'Läksykerho ja turvallinen aikuinen Kannelmäessä' }).first().click();
	const heading = (await page.getByRole('heading', { level: 2, name: t('fi', 'pilot_next_steps'), exact: true }).boundingBox())!;
	const evaluate = (await page.getByRole('button', { name: t('fi', 'pilot_action_evaluate'), exact: true }).boundingBox())!;
	const decision = (await page.getByRole('group', { name: t('fi', 'pilot_decision_legend') }).boundingBox())!;
	expect(evaluate.y - (heading.y + heading.height), 'from the heading to the button, in px').toBeLessThan(60);
	expect(evaluate.x + evaluate.width, 'the button beside the decision').toBeLessThan(decision.x);
});

test('every public page passes axe in every language', async ({ page }) => {
	for (const locale of locales) {
		await setLocale(page, locale);
		for (const path of ['/', '/sign-in', '/sign-up', '/language']) {
			const response = await page.goto(path);
			expect(response?.status(), path).toBe(200);
			await expect(page.locator('html')).toHaveAttribute('lang', locale);
			await expectAccessible(page, `${path} (${locale})`);
		}
		const missing = await page.goto('/ei-ole-olemassa');
		expect(missing?.status()).toBe(404);
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(t(locale, 'error_page_title', { status: 404 }));
		await expect(page.getByText(t(locale, 'error_not_found'))).toBeVisible();
		await expectAccessible(page, `404 page (${locale})`);
	}
});

test('form status live regions are in the accessibility tree before a message arrives', async ({ page }) => {
	// A role="status" region hidden with display:none until it has content is not in the accessibility tree when
	// the message is inserted, so screen readers do not reliably announce "Profile saved." (src/app.css:
	// `.status-region:empty { display: none; }`, used by src/lib/components/FormStatus.svelte).
	await createAccount(page.request);
	await goto(page, '/profile');
	const details = page.getByRole('region', { name: t('fi', 'profile_details') });
	await expect(details.getByRole('status'), 'the details form’s status region before saving').toHaveCount(1);
	await details.getByRole('button', { name: t('fi', 'profile_save'), exact: true }).click();
	await expect(details.getByRole('status')).toHaveText(t('fi', 'profile_saved'));
});
