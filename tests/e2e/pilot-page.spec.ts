// A pilot's page: adding indicators one after another, and how its facts and landmarks read.
import type { Page } from '@playwright/test';
import { expect, expectAccessible, expectNoHorizontalScroll, expectUniqueLandmarks, goto, postForm, signInAs, test, unique } from './fixtures';
import { t } from './messages';

const mukana = 'Mukana – nuorten syrjäytymisen ehkäisy';

/** The demo team member proposes a fresh pilot (with a budget) to Mukana and opens its page. */
async function newPilot(page: Page) {
	await signInAs(page, 'team');
	await goto(page, '/programmes');
	const programme = (await page.getByRole('link', { name: mukana, exact: true }).first().getAttribute('href'))!;
	const title = `Kokeilu ${unique('mittarit')}`;
	const response = await postForm(page.request, `${programme}/pilots/new`, { title, cadenceWeeks: '4', budgetEuros: '12000', areaCodes: '00940' });
	expect(response.status(), 'proposing the pilot').toBe(303);
	await goto(page, response.headers()['location']!);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
}

test('after “Lisää mittari” the form starts again from its defaults, with focus in its name field', async ({ page }) => {
	await newPilot(page);
	const field = (key: string) => page.getByLabel(t('fi', key), { exact: true });
	await page.getByText(t('fi', 'pilot_indicator_add'), { exact: true }).first().click();

	// The first indicator: lower is better, with a baseline and a target.
	await field('pilot_indicator_name').fill('Odotusaika palveluohjaukseen');
	await field('pilot_indicator_unit').fill('vrk');
	await field('pilot_indicator_baseline').fill('14');
	await field('pilot_indicator_target').fill('3');
	await field('pilot_indicator_direction').selectOption('false');
	await page.getByRole('button', { name: t('fi', 'pilot_indicator_add'), exact: true }).click();
	await expect(page.getByRole('rowheader', { name: /Odotusaika palveluohjaukseen/ })).toContainText(t('fi', 'pilot_lower_better'));
	await expect(page.getByRole('status').filter({ hasText: t('fi', 'pilot_indicator_added') })).toBeVisible();

	// The form is empty again, on its defaults, and the keyboard is in its first field.
	await expect(field('pilot_indicator_name')).toBeFocused();
	await expect(field('pilot_indicator_name')).toHaveValue('');
	await expect(field('pilot_indicator_unit')).toHaveValue('');
	await expect(field('pilot_indicator_baseline')).toHaveValue('');
	await expect(field('pilot_indicator_target')).toHaveValue('');
	await expect(field('pilot_indicator_direction')).toHaveValue('true');
	await expect(field('pilot_indicator_area')).toHaveValue('00940');

	// The second indicator, direction untouched: higher is better, as the form says.
	await page.keyboard.type('Kävijät');
	await page.getByRole('button', { name: t('fi', 'pilot_indicator_add'), exact: true }).click();
	await expect(page.getByRole('rowheader', { name: /Kävijät/ })).toContainText(t('fi', 'pilot_higher_better'));
	await expect(field('pilot_indicator_name')).toBeFocused();
	await expectAccessible(page, 'a pilot with two indicators');
});

test('the pilot page names its facts plainly and its landmarks apart', async ({ page }) => {
	await newPilot(page);
	// The budget's fact label, not the form's "(€, optional)".
	await expect(page.getByText(t('fi', 'pilot_budget_fact'), { exact: true })).toBeVisible();
	await expect(page.getByText(t('fi', 'pilot_budget'))).toHaveCount(0);
	// No dates yet: the schedule says how often it reports, not "… – …".
	await expect(page.getByText(t('fi', 'pilot_cadence_value', { weeks: 4 }), { exact: true })).toBeVisible();
	await expectUniqueLandmarks(page, 'pilot page');
	await goto(page, '/areas/00420');
	await expectUniqueLandmarks(page, 'area page');
	await goto(page, '/areas/finder');
	await expectUniqueLandmarks(page, 'area finder');
});

test.describe('on a phone', () => {
	test.use({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });

	test('a comment with a long address or word wraps inside the page, and the focus stays on the button', async ({ page }) => {
		await newPilot(page);
		const comment = `Katso https://www.hel.fi/fi/kasvatus-ja-koulutus/${'nuorisotyo'.repeat(5)} ${unique('kommentti')}`;
		await page.getByLabel(t('fi', 'pilot_comment_label'), { exact: true }).fill(comment);
		const send = page.getByRole('button', { name: t('fi', 'pilot_comment_submit'), exact: true });
		await send.focus();
		await page.keyboard.press('Enter');
		await expect(page.getByText(t('fi', 'pilot_comment_added'))).toBeVisible();
		await expect(page.getByText(comment)).toBeVisible();
		await expect(send).toBeFocused();
		await expectNoHorizontalScroll(page, 'a pilot page with a long comment');
	});
});
