// "Ehdota ryhmiä": the facilitator asks the server for groups of similar notes, renames and accepts one (a group on
// everyone's board, taken back by one undo), dismisses another (nothing written), with focus kept in the dialog and
// back on the button when it closes. A guest's phone sees the group come and go.
import type { Locator, Page } from '@playwright/test';
import { expect, expectAccessible, test } from './fixtures';
import { joinOnPhone, lanes, live, newWorkshop } from './live-workshop';
import { t } from './messages';

test.use({ viewport: { width: 1366, height: 768 } });
test.describe.configure({ timeout: 60_000 });

const composer = (page: Page) => page.getByRole('region', { name: t('fi', 'board_composer_title'), exact: true });
const lane = (page: Page, title: string) =>
	page.getByRole(page.viewportSize()!.width < 640 ? 'tabpanel' : 'region', { name: title, exact: true });
const groupHeading = (page: Page, name: string) =>
	page.getByRole('heading', { name: `${t('fi', 'board_cluster_kicker')} ${name}`, exact: true });
const dialogOf = (page: Page) => page.getByRole('dialog', { name: t('fi', 'grouping_title'), exact: true });
const statusOf = (dialog: Locator) => dialog.getByRole('status');
const suggestion = (dialog: Locator, text: string) => dialog.getByRole('region').filter({ hasText: text });

async function write(page: Page, text: string) {
	await composer(page).getByLabel(t('fi', 'board_composer_lane'), { exact: true }).selectOption({ label: lanes.first });
	await composer(page).getByLabel(t('fi', 'board_composer_text'), { exact: true }).fill(text);
	await composer(page).getByRole('button', { name: t('fi', 'board_composer_submit'), exact: true }).click();
	await expect(lane(page, lanes.first).getByText(text, { exact: true })).toBeVisible();
}

test('the facilitator accepts a suggested group, undoes it in one step, and dismisses another without writing', async ({ page, browser }) => {
	const { code } = await newWorkshop(page, { title: 'Ryhmittely' });
	const phone = await joinOnPhone(browser, code, 'Vieras');
	try {
		const bus = ['Bussilippu liian kallis nuorille', 'Ilmainen bussilippu alle 25-vuotiaille', 'Bussiliput halvemmiksi opiskelijoille'];
		const jobs = ['Kesätyöseteli ysiluokkalaisille', 'Kesätyöpaikkoja kaupungilta', 'Kesätyöt alueen yrityksistä'];
		const loner = 'Koirapuisto alueelle';
		for (const text of [...bus, ...jobs, loner]) await write(page, text);
		await expect(phone.page.getByText(loner, { exact: true })).toBeVisible(live);

		const open = page.getByRole('button', { name: t('fi', 'grouping_open'), exact: true });
		await open.click();
		const dialog = dialogOf(page);
		await expect(dialog).toBeVisible();
		await expect(statusOf(dialog)).toHaveText(t('fi', 'grouping_found', { count: 2 }), live);
		// Focus is in the dialog, the notes' texts are listed, and the lone note is suggested nowhere.
		expect(await dialog.evaluate((element) => element.contains(document.activeElement))).toBe(true);
		for (const text of [...bus, ...jobs]) await expect(dialog.getByText(text, { exact: true })).toBeVisible();
		await expect(dialog.getByText(loner, { exact: true })).toHaveCount(0);
		await expectAccessible(page, 'suggested groups');

		// Dismissing writes nothing: the next undo below is the group's, and the one after it is the last note written.
		const jobSuggestion = suggestion(dialog, jobs[0]!);
		const jobName = await jobSuggestion.getByLabel(t('fi', 'grouping_name'), { exact: true }).inputValue();
		await jobSuggestion.getByRole('button', { name: t('fi', 'grouping_dismiss_label', { name: jobName }), exact: true }).click();
		await expect(statusOf(dialog)).toHaveText(t('fi', 'grouping_dismissed', { name: jobName }));
		await expect(dialog.getByText(jobs[0]!, { exact: true })).toHaveCount(0);

		// Rename, then accept by keyboard: the group is made at once, on this board and on the phone.
		const busSuggestion = suggestion(dialog, bus[0]!);
		const accept = busSuggestion.getByRole('button', { name: t('fi', 'grouping_accept_label', { name: 'Joukkoliikenne' }), exact: true });
		await expect(busSuggestion.getByRole('button', { name: new RegExp(`^${t('fi', 'grouping_accept')}`) })).toBeFocused();
		await busSuggestion.getByLabel(t('fi', 'grouping_name'), { exact: true }).fill('Joukkoliikenne');
		await accept.focus();
		await page.keyboard.press('Enter');
		await expect(statusOf(dialog)).toHaveText(
			`${t('fi', 'grouping_accepted', { name: 'Joukkoliikenne', count: 3 })} ${t('fi', 'grouping_none_left')}`
		);
		// The list is empty: focus is on the dialog's heading, not lost.
		await expect(dialog.getByRole('heading', { name: t('fi', 'grouping_title'), exact: true })).toBeFocused();
		await page.keyboard.press('Escape');
		await expect(dialog).toBeHidden();
		await expect(open).toBeFocused();

		const group = page.getByRole('region', { name: `${t('fi', 'board_cluster_kicker')} Joukkoliikenne`, exact: true });
		await expect(groupHeading(page, 'Joukkoliikenne')).toBeVisible();
		for (const text of bus) await expect(group.getByText(text, { exact: true })).toBeVisible();
		await expect(groupHeading(phone.page, 'Joukkoliikenne')).toBeVisible(live);
		// The dismissed suggestion made no group.
		await expect(page.getByRole('heading', { name: new RegExp(`^${t('fi', 'board_cluster_kicker')}`) })).toHaveCount(1);
		await expectAccessible(page, 'board with the accepted group');

		// One undo takes the whole group back, for everyone; the notes stay on the board.
		const undo = page.getByRole('button', { name: t('fi', 'board_undo'), exact: true });
		await undo.click();
		await expect(groupHeading(page, 'Joukkoliikenne')).toHaveCount(0);
		for (const text of bus) await expect(lane(page, lanes.first).getByText(text, { exact: true })).toBeVisible();
		await expect(groupHeading(phone.page, 'Joukkoliikenne')).toHaveCount(0, live);
		await undo.click();
		await expect(page.getByText(loner, { exact: true })).toHaveCount(0);
		await expect(lane(page, lanes.first).getByText(jobs[2]!, { exact: true })).toBeVisible();
	} finally {
		await phone.context.close();
	}
});

test('a board with nothing alike says so, and a participant has no button to ask', async ({ page, browser }) => {
	const { code } = await newWorkshop(page, { title: 'Ei ryhmiä' });
	await write(page, 'Koirapuisto alueelle');
	await write(page, 'Taidetta julkisiin tiloihin');
	// Asked from the lane's own button: that lane is chosen.
	const laneButton = lane(page, lanes.first).getByRole('button', { name: t('fi', 'grouping_open_lane', { lane: lanes.first }), exact: true });
	await laneButton.click();
	const dialog = dialogOf(page);
	await expect(statusOf(dialog)).toHaveText(t('fi', 'grouping_none'), live);
	await expect(dialog.getByLabel(t('fi', 'grouping_scope'), { exact: true })).toHaveValue(/.+/);
	await expect(dialog.getByRole('option', { selected: true })).toHaveText(lanes.first);
	await expect(dialog.getByRole('button', { name: t('fi', 'grouping_accept_all'), exact: true })).toHaveCount(0);
	await expectAccessible(page, 'no suggestions');
	await dialog.getByRole('button', { name: t('fi', 'grouping_close'), exact: true }).click();
	await expect(laneButton).toBeFocused();

	const phone = await joinOnPhone(browser, code, 'Osallistuja');
	try {
		await expect(phone.page.getByText('Koirapuisto alueelle', { exact: true })).toBeVisible(live);
		await expect(phone.page.getByRole('button', { name: new RegExp(`^${t('fi', 'grouping_open')}`) })).toHaveCount(0);
	} finally {
		await phone.context.close();
	}
});
