// The learning library in Finnish, as a programme lead searches it: the inflected words find the demo's
// decided pilots whose texts have the same words in other forms, with the matched words highlighted.
import { expect, expectAccessible, goto, signInAs, test } from './fixtures';
import { t } from './messages';

const searches: [query: string, pilot: string, marked: string][] = [
	['olohuoneissa', 'Perheiden olohuone Kontulan ostarilla', 'Olohuoneessa'],
	['ikäihmisille', 'Lukiolaiset ikäihmisten digitukena Malmilla', 'Ikäihmiset'],
	['lukiolaisille', 'Lukiolaiset ikäihmisten digitukena Malmilla', 'lukiolaisille'],
	['vierailuista', 'Lukiolaiset ikäihmisten digitukena Malmilla', 'vierailuja'],
	['kotikäynneillä', 'Perhetyön kotikäynti ennen koulun alkua', 'Kotikäynnillä']
];

test('inflected Finnish words find the pilots that use them in other forms', async ({ page }) => {
	await signInAs(page, 'lead');
	await goto(page, '/programmes');
	await page.getByRole('link', { name: /^Mukana/ }).first().click();
	await expect(page).toHaveURL(/\/programmes\/[a-z0-9]+$/);
	await goto(page, `${new URL(page.url()).pathname}/learning`);
	const field = page.getByLabel(t('fi', 'outcomes_search_label'), { exact: true });
	for (const [query, pilot, marked] of searches) {
		await field.fill(query);
		await field.press('Enter');
		await expect(page).toHaveURL(new RegExp(`[?&]q=${encodeURIComponent(query)}`));
		const found = page.getByRole('article', { name: pilot });
		await expect(found, query).toBeVisible();
		await expect(found.locator('mark').filter({ hasText: marked }).first(), query).toBeVisible();
		// Only what holds the word: nothing else in the demo does.
		await expect(page.getByRole('article')).toHaveCount(1);
		await expect(page.getByRole('status')).toHaveText(t('fi', 'outcomes_learning_count', { count: 1 }));
	}
	await expectAccessible(page, 'the learning library with highlighted matches');
});
