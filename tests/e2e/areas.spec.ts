// Areas: the list, an area's page against the city average, importing (all or nothing) and the target-area finder.
// Relies on the demo seed: the real 2022 and 2023 Helsinki Paavo files and the Mukana programme owned by Helsinki.
import { expect, expectAccessible, goto, signInAs, test, unique } from './fixtures';
import { t, tRegex } from './messages';

test('any signed-in user sees the areas and an area against the city average', async ({ page }) => {
	await signInAs(page, 'team');
	await goto(page, '/areas');
	await expect(page.getByRole('heading', { level: 1, name: t('fi', 'areas_title') })).toBeVisible();
	const table = page.locator('table.areas-table');
	await expect(table.locator('tbody tr')).toHaveCount(84);
	await expect(page.getByRole('heading', { name: t('fi', 'areas_table_label', { year: 2023 }) })).toBeVisible();
	// Only admins and programme leads import.
	await expect(page.getByRole('region', { name: t('fi', 'areas_import_title') })).toHaveCount(0);
	await expectAccessible(page, 'area list');

	// Sorting by unemployment rate, highest first, lives in the URL.
	await table.getByRole('link', { name: t('fi', 'areas_indicator_unemployment_rate') }).click();
	await expect(page).toHaveURL(/sort=unemployment_rate&dir=desc/);
	await expect(table.locator('thead th[aria-sort="descending"]')).toHaveText(t('fi', 'areas_indicator_unemployment_rate'));

	await goto(page, '/areas/00420');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Kannelmäki (00420)');
	// 1077 / (5819 + 1077) = 15.6 % in the real 2023 file.
	const chart = page.locator('figure').filter({ has: page.getByRole('heading', { name: t('fi', 'areas_indicator_unemployment_rate'), exact: true }) });
	await expect(chart.getByRole('img')).toBeVisible();
	const row2023 = chart.locator('tbody tr').filter({ has: page.getByRole('rowheader', { name: '2023' }) });
	await expect(row2023.locator('td').first()).toHaveText(/^15,6\s%$/);
	await expect(chart.locator('thead')).toContainText(t('fi', 'areas_city_average', { municipality: 'Helsinki' }));
	await expectAccessible(page, 'area page');

	const missing = await page.goto('/areas/99999');
	expect(missing?.status()).toBe(404);
});

test('a programme lead imports: a broken file is refused by row and column, a clean one is stored', async ({ page }) => {
	await signInAs(page, 'lead');
	await goto(page, '/areas');
	const panel = page.getByRole('region', { name: t('fi', 'areas_import_title') });
	await panel.getByLabel(t('fi', 'areas_import_format'), { exact: true }).selectOption('plain');
	const indicator = unique('Kävijät');
	const broken = `area code;area name;indicator;year;value\n00990;Aurinkolahti;${indicator};2023;12\n0099;Aurinkolahti;${indicator};2023;kymmenen\n`;
	await panel.getByLabel(t('fi', 'areas_import_file')).setInputFiles({ name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from(broken) });
	await panel.getByRole('button', { name: t('fi', 'areas_import_submit') }).click();
	await expect(panel.getByRole('alert')).toContainText(t('fi', 'areas_import_failed', { count: 2 }));
	const errors = panel.locator('table.import-errors tbody tr');
	await expect(errors).toHaveCount(2);
	await expect(errors.nth(0)).toContainText('area code');
	await expect(errors.nth(0).locator('td').first()).toHaveText('3');
	await expect(errors.nth(1)).toContainText('value');
	await expectAccessible(page, 'import errors');

	// Nothing of the broken file was stored: the area page has no such indicator.
	await goto(page, '/areas/00990');
	await expect(page.getByRole('heading', { name: indicator })).toHaveCount(0);

	await goto(page, '/areas');
	await panel.getByLabel(t('fi', 'areas_import_format'), { exact: true }).selectOption('plain');
	const clean = `area code;area name;indicator;year;value\n00990;Aurinkolahti;${indicator};2023;12\n00990;Aurinkolahti;${indicator};2022;"9,5"\n`;
	await panel.getByLabel(t('fi', 'areas_import_file')).setInputFiles({ name: 'clean.csv', mimeType: 'text/csv', buffer: Buffer.from(clean) });
	await panel.getByRole('button', { name: t('fi', 'areas_import_submit') }).click();
	await expect(panel.getByRole('status')).toHaveText(tRegex('fi', 'areas_import_done', { filename: 'clean.csv', areas: 1, values: 2, years: '2022, 2023' }));
	await goto(page, '/areas/00990');
	await expect(page.getByRole('heading', { name: indicator })).toBeVisible();
});

test('the finder ranks areas by need and a programme lead adds the top ones to the programme', async ({ page }) => {
	await signInAs(page, 'lead');
	await goto(page, '/areas/finder');
	// One sentence up front; the method opens on request.
	const method = page.getByText(t('fi', 'areas_finder_method'));
	await expect(method).toBeHidden();
	await page.getByText(t('fi', 'areas_finder_method_link'), { exact: true }).click();
	await expect(method).toBeVisible();
	const weight = (key: string) => page.getByLabel(t('fi', `areas_indicator_${key}`), { exact: true });
	await expect(weight('unemployment_rate')).toHaveValue('1');
	await weight('low_education_share').fill('0');
	await weight('median_income').fill('2');
	await page.getByRole('button', { name: t('fi', 'areas_finder_submit') }).click();
	await expect(page).toHaveURL(/w_median_income=2/);
	await expect(page).toHaveURL(/w_low_education_share=0/);

	await expect(page.getByRole('heading', { name: t('fi', 'areas_finder_results', { year: 2023 }) })).toBeVisible();
	const results = page.locator('table.ranking');
	const rows = results.locator('tbody tr');
	await expect(rows).toHaveCount(83); // every Helsinki area with inhabitants
	await expect(results.locator('thead')).toContainText(t('fi', 'areas_finder_weight_of', { weight: 2 }));
	await expectAccessible(page, 'finder results');

	// Nothing selected: a clear message, nothing added.
	await page.getByRole('button', { name: t('fi', 'areas_finder_add_submit') }).click();
	await expect(page.getByText(t('fi', 'areas_finder_pick_areas'))).toBeVisible();

	const second = rows.nth(1);
	const name = (await second.getByRole('rowheader').getByRole('link').textContent())!.trim();
	await second.getByRole('checkbox').check();
	await page.getByLabel(t('fi', 'areas_finder_programme'), { exact: true }).selectOption({ index: 0 });
	await page.getByRole('button', { name: t('fi', 'areas_finder_add_submit') }).click();
	await expect(page.getByRole('status').filter({ hasText: tRegex('fi', 'areas_finder_added') })).toBeVisible();
	const targets = page.getByRole('region', { name: t('fi', 'areas_finder_targets_title') });
	await expect(targets.getByRole('link', { name, exact: true })).toBeVisible();
	// The choice of weights is still in the address after the action.
	await expect(page).toHaveURL(/w_median_income=2/);
});

test('a team member may rank areas but has no programme to add them to', async ({ page }) => {
	await signInAs(page, 'team');
	await goto(page, '/areas/finder');
	await expect(page.locator('table.ranking tbody tr').first()).toBeVisible();
	await expect(page.locator('table.ranking input[type="checkbox"]')).toHaveCount(0);
	await expect(page.getByText(t('fi', 'areas_finder_no_programmes'))).toBeVisible();
});
