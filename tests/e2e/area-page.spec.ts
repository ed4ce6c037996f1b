// An area's page on a phone: its charts' tables fit with the user's text spacing, and head counts read as whole
// numbers. Relies on the demo's real Helsinki Paavo data.
import { expect, expectAccessible, expectNoHorizontalScroll, goto, signInAs, test } from './fixtures';
import { t } from './messages';

test.use({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });

// WCAG 1.4.12's text spacing, as a user's style sheet or bookmarklet applies it.
const textSpacing = `* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }`;

test('the area charts’ tables fit a 360 px phone with WCAG text spacing, also under a long area name', async ({ page }) => {
	await signInAs(page, 'team');
	// Herttoniemenranta: a long single word in the table's heading.
	for (const code of ['00420', '00810', '00560']) {
		await goto(page, `/areas/${code}`);
		await page.addStyleTag({ content: textSpacing });
		const overflowing = await page.evaluate(() =>
			Array.from(document.querySelectorAll('figure')).flatMap((figure) => {
				const table = figure.querySelector('table')!;
				const inner = figure.getBoundingClientRect().right - parseFloat(getComputedStyle(figure).paddingRight);
				const cells = Array.from(table.querySelectorAll('th, td')).filter((cell) => cell.scrollWidth > cell.clientWidth + 1);
				return table.getBoundingClientRect().right > inner + 0.5 || cells.length
					? [`${figure.querySelector('h3')?.textContent}: table to ${Math.round(table.getBoundingClientRect().right)} (room to ${Math.round(inner)}), ${cells.length} cells overflow`]
					: [];
			})
		);
		expect(overflowing, `area ${code}`).toEqual([]);
		await expectNoHorizontalScroll(page, `area ${code} with text spacing`);
	}
});

test('city averages of head counts are whole numbers; shares keep their decimal', async ({ page }) => {
	await signInAs(page, 'team');
	await goto(page, '/areas/00420');
	const average = t('fi', 'areas_city_average', { municipality: 'Helsinki' });
	const chart = (title: string) => page.locator('figure').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
	const averages = async (title: string) => {
		const table = chart(title).getByRole('table');
		const column = (await table.getByRole('columnheader').allTextContents()).indexOf(average);
		expect(column, `${title}: the average column`).toBeGreaterThan(0);
		return Promise.all((await table.locator('tbody tr').all()).map((row) => row.locator('th, td').nth(column).textContent()));
	};
	for (const title of [t('fi', 'areas_indicator_inhabitants'), t('fi', 'areas_indicator_households_with_children')]) {
		const values = await averages(title);
		expect(values.length, title).toBeGreaterThan(0);
		for (const value of values) expect(value, title).toMatch(/^\d{1,3}(\s\d{3})*$/);
	}
	for (const value of await averages(t('fi', 'areas_indicator_unemployment_rate'))) expect(value).toMatch(/^\d+,\d\s%$/);
	await expectAccessible(page, 'area page on a phone');
});
