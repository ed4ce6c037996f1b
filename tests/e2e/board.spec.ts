// The shared board (/workshops/{id}/board) with real browsers on both ends: a facilitator on a laptop and a
// guest participant on a 360 px phone, synchronised through the production server's collab endpoint.
// The demo workshop (JALO24) is shared with other specs running in parallel: every text written here is
// unique, and nothing of anyone else's is changed.
import type { Browser, BrowserContext, Locator, Page } from '@playwright/test';
import {
	createAccount,
	demo,
	expect,
	expectAccessible,
	goto,
	newContext,
	signInAs,
	test,
	unique
} from './fixtures';
import { t, tRegex } from './messages';

const demoCode = 'JALO24';
const demoTitle = 'Sosiaalisesti kestävät kaupungit';
const facilitatorName = 'Aino Fasilitaattori';
const phone = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true };
const lanes = ['template_perspective_families', 'template_perspective_young_adults', 'template_perspective_participation'].map(
	(key) => t('fi', key)
);

// Two browsers over one WebSocket server: give live updates a little longer than the default 5 s.
test.describe.configure({ timeout: 60_000 });
const live = { timeout: 10_000 };

const online = (page: Page) => page.getByRole('status').filter({ hasText: t('fi', 'board_status_online') });
const isPhone = (page: Page) => page.viewportSize()!.width < 640;
// A phone shows one lane at a time as a tab's panel; a laptop shows them side by side as regions.
const lane = (page: Page, title: string) => page.getByRole(isPhone(page) ? 'tabpanel' : 'region', { name: title, exact: true });
const laneTab = (page: Page, title: string) => page.getByRole('tab', { name: new RegExp(`^${title} `) });
/** On a phone: opens the lane's tab (a laptop shows every lane). */
async function showLane(page: Page, title: string) {
	if (!isPhone(page)) return;
	await laneTab(page, title).click();
	await expect(laneTab(page, title)).toHaveAttribute('aria-selected', 'true');
}
/** Who is here: the toolbar's "present (n)" opens the list; Escape closes it again. */
async function expectPresent(page: Page, name: string) {
	await page.locator('.presence summary').click();
	await expect(page.getByRole('region', { name: tRegex('fi', 'board_online') })).toContainText(name, live);
	await page.keyboard.press('Escape');
	await expect(page.getByRole('region', { name: tRegex('fi', 'board_online') })).toBeHidden();
}
const noteItem = (scope: Page | Locator, text: string) => scope.locator('li.note').filter({ hasText: text });
const noteCheckbox = (page: Page, text: string) =>
	page.getByRole('checkbox', { name: `${t('fi', 'board_note_select')} ${text}`, exact: true });
const composer = (page: Page) => page.getByRole('region', { name: t('fi', 'board_composer_title'), exact: true });
const ideaCard = (page: Page, title: string) =>
	page.getByRole('article', { name: t('fi', 'board_idea_heading', { title }), exact: true });
const announcements = (page: Page) => page.locator('[aria-live="polite"]');

/** Signs the demo facilitator in and opens the demo workshop's board through its join link. */
async function openAsFacilitator(page: Page) {
	await signInAs(page, 'facilitator');
	await goto(page, `/w/${demoCode}`);
	await expect(page).toHaveURL(/\/workshops\/[^/]+\/board$/);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(demoTitle);
	await expect(online(page)).toBeVisible(live);
}

/** A new phone that joins the demo workshop as a guest and lands on its board. */
async function joinOnPhone(browser: Browser, name: string): Promise<{ context: BrowserContext; page: Page }> {
	const context = await newContext(browser, phone);
	const page = await context.newPage();
	await goto(page, `/w/${demoCode}`);
	await page.getByLabel(t('fi', 'join_name'), { exact: true }).fill(name);
	await page.getByRole('button', { name: t('fi', 'join_submit'), exact: true }).click();
	await expect(page).toHaveURL(/\/workshops\/[^/]+\/board$/);
	await expect(online(page)).toBeVisible(live);
	return { context, page };
}

async function addNote(page: Page, laneTitle: string, text: string, colour = 'board_color_yellow') {
	const form = composer(page);
	// A phone writes into the lane whose tab is open; a laptop picks the lane in the composer.
	if (isPhone(page)) await showLane(page, laneTitle);
	else await form.getByLabel(t('fi', 'board_composer_lane'), { exact: true }).selectOption({ label: laneTitle });
	await form.getByRole('radio', { name: t('fi', colour), exact: true }).check();
	await form.getByLabel(t('fi', 'board_composer_text'), { exact: true }).fill(text);
	await form.getByRole('button', { name: t('fi', 'board_composer_submit'), exact: true }).click();
	await expect(noteItem(page, text)).toBeVisible();
}

/** Presses Tab (or Shift+Tab) until `target` has focus: how a keyboard user gets there. */
async function tabTo(page: Page, target: Locator, { backwards = false, max = 250 } = {}) {
	for (let i = 0; i < max; i++) {
		if (await target.evaluate((element) => element === document.activeElement)) return;
		await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
	}
	throw new Error(`Tab did not reach ${target} within ${max} presses`);
}

/** Presses ArrowDown in an open actions menu until the item with this name has focus. */
async function arrowTo(page: Page, name: string) {
	// A menu's items load with it on its first opening: arrows pressed before they are there move nothing.
	await expect(page.locator('.board-menu-list').getByText(name, { exact: true })).toBeVisible();
	for (let i = 0; i < 20; i++) {
		const focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
		if (focused === name) return;
		await page.keyboard.press('ArrowDown');
	}
	throw new Error(`ArrowDown did not reach the menu item "${name}"`);
}

test('a guest on a phone and the facilitator on a laptop see each other’s notes live', async ({ page, browser }) => {
	await openAsFacilitator(page);
	const guestName = unique('Puhelin');
	const { context, page: phonePage } = await joinOnPhone(browser, guestName);
	try {
		// Presence: each sees the other online.
		await expectPresent(page, guestName);
		await expectPresent(phonePage, facilitatorName);

		// The phone view: one lane at a time behind tabs that count its notes, the composer at the bottom of the screen.
		await expect(phonePage.getByRole('tab')).toHaveCount(lanes.length + 1); // the lanes and the idea cards
		const counted = t('fi', 'board_note_count', { count: 99 }).replace('99', '\\d+');
		for (const title of lanes) await expect(laneTab(phonePage, title)).toHaveAccessibleName(new RegExp(`^${title} ${counted}$`));
		await expect(lane(phonePage, lanes[0]!)).toBeVisible();
		await expect(phonePage.getByRole('tabpanel')).toHaveCount(1); // the others are hidden
		// By keyboard the row of tabs scrolls with the choice: the arrows reach the idea cards' tab, wholly in sight.
		await laneTab(phonePage, lanes[0]!).focus();
		for (const _ of lanes) await phonePage.keyboard.press('ArrowRight');
		const ideasTab = phonePage.getByRole('tab', { name: new RegExp(`^${t('fi', 'board_ideas_title')} `) });
		await expect(ideasTab).toBeFocused();
		await expect(ideasTab).toHaveAttribute('aria-selected', 'true');
		await expect.poll(async () => { const box = (await ideasTab.boundingBox())!; return box.x >= 0 && box.x + box.width <= 360; }).toBe(true);
		await phonePage.keyboard.press('Home');
		await expect(laneTab(phonePage, lanes[0]!)).toBeFocused();
		const composerBox = (await composer(phonePage).boundingBox())!;
		expect(composerBox.y + composerBox.height).toBeGreaterThan(740 - 16);
		expect(composerBox.y).toBeGreaterThan((await lane(phonePage, lanes[0]!).boundingBox())!.y);
		await showLane(phonePage, lanes[1]!);
		await expect(lane(phonePage, lanes[1]!)).toBeVisible();
		await expect(lane(phonePage, lanes[0]!)).toBeHidden();
		expect(await phonePage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
		// The laptop view: lanes side by side.
		const desktopLanes = await Promise.all(lanes.map(async (title) => (await lane(page, title).boundingBox())!));
		expect(desktopLanes[1]!.x).toBeGreaterThan(desktopLanes[0]!.x + desktopLanes[0]!.width - 1);
		expect(Math.abs(desktopLanes[1]!.y - desktopLanes[0]!.y)).toBeLessThan(1);
		await expectAccessible(phonePage, 'board on a phone');

		// The guest writes a note: it appears in the facilitator's lane at once and is announced there, politely.
		const fromPhone = `Puhelimesta ${unique('lappu')}`;
		await addNote(phonePage, lanes[1]!, fromPhone, 'board_color_green');
		await expect(phonePage.getByRole('status').filter({ hasText: t('fi', 'board_note_added', { lane: lanes[1]! }) })).toBeVisible();
		await expect(noteItem(lane(page, lanes[1]!), fromPhone)).toBeVisible(live);
		await expect(noteItem(page, fromPhone)).toHaveClass(/note-green/);
		await expect(noteItem(page, fromPhone).locator('.note-author')).toHaveText(`${t('fi', 'board_note_author_label')} ${guestName}`);
		await expect(announcements(page)).toContainText(t('fi', 'board_announce_note', { lane: lanes[1]!, text: fromPhone }));
		// One's own note is not announced to oneself.
		await expect(announcements(phonePage)).not.toContainText(fromPhone);

		// And the other way round. User text stays text: markup in a note is shown, not run.
		const fromLaptop = `<b>Läppäriltä</b> ${unique('lappu')}`;
		await addNote(page, lanes[2]!, fromLaptop);
		await showLane(phonePage, lanes[2]!);
		await expect(noteItem(lane(phonePage, lanes[2]!), fromLaptop)).toBeVisible(live);
		await expect(phonePage.locator('li.note b')).toHaveCount(0);
		await expect(announcements(phonePage)).toContainText(t('fi', 'board_announce_note', { lane: lanes[2]!, text: fromLaptop }));

		// The guest moves their note to another lane from its actions menu; the facilitator sees it move, and the phone
		// follows it to its new lane's tab (the focus stays on it).
		await showLane(phonePage, lanes[1]!);
		const words = noteItem(phonePage, fromPhone).locator('.note-words');
		const closed = (await words.boundingBox())!;
		await noteItem(phonePage, fromPhone).getByRole('button', { name: tRegex('fi', 'board_actions_for') }).click();
		// The open menu takes a row of its own under the note: the note's text keeps its width (the menu once dropped
		// into the checkbox's column, and the text stood one letter a line).
		const menu = noteItem(phonePage, fromPhone).locator('.board-menu-list');
		await expect(menu).toBeVisible();
		const open = (await words.boundingBox())!;
		expect(open.width, 'the text as wide as before').toBeCloseTo(closed.width, 0);
		expect(open.height, 'the text as tall as before').toBeCloseTo(closed.height, 0);
		expect((await menu.boundingBox())!.width, 'the menu across the note').toBeGreaterThan(closed.width);
		await phonePage.getByRole('button', { name: t('fi', 'board_move_to_lane', { lane: lanes[0]! }), exact: true }).click();
		await expect(noteItem(lane(page, lanes[0]!), fromPhone)).toBeVisible(live);
		await expect(noteCheckbox(phonePage, fromPhone)).toBeFocused();
		await expect(laneTab(phonePage, lanes[0]!)).toHaveAttribute('aria-selected', 'true');

		// Deleting one's own note, then undoing it: back for everyone.
		await noteItem(phonePage, fromPhone).getByRole('button', { name: tRegex('fi', 'board_actions_for') }).click();
		await phonePage.getByRole('button', { name: t('fi', 'board_delete'), exact: true }).click();
		await expect(noteItem(page, fromPhone)).toHaveCount(0, live);
		await phonePage.getByRole('button', { name: t('fi', 'board_undo'), exact: true }).click();
		await expect(noteItem(lane(page, lanes[0]!), fromPhone)).toBeVisible(live);

		// Losing the connection shows, writing goes on, and what was written offline arrives once back.
		await context.setOffline(true);
		await expect(phonePage.getByRole('status').filter({ hasText: t('fi', 'board_status_offline') })).toBeVisible(live);
		const offline = `Ilman verkkoa ${unique('lappu')}`;
		await addNote(phonePage, lanes[2]!, offline);
		await context.setOffline(false);
		await expect(online(phonePage)).toBeVisible({ timeout: 20_000 });
		await expect(noteItem(lane(page, lanes[2]!), offline)).toBeVisible(live);

		await expectAccessible(phonePage, 'board on a phone with notes');
		await expectAccessible(page, 'board on a laptop with notes');
	} finally {
		await context.close();
	}
});

test('group two notes into a cluster by keyboard, promote it and co-edit its canvas', async ({ page, browser }) => {
	await openAsFacilitator(page);
	const guestName = unique('Kirjoittaja');
	const { context, page: phonePage } = await joinOnPhone(browser, guestName);
	try {
		const first = `Koulut auki iltaisin ${unique('a')}`;
		const second = `Nuorille oma tila ${unique('b')}`;
		await addNote(page, lanes[1]!, first);
		await addNote(page, lanes[1]!, second, 'board_color_blue');

		// Keyboard only from here: Tab to each note, Space selects it.
		await tabTo(page, noteCheckbox(page, first));
		await expect(noteCheckbox(page, first)).toBeFocused();
		await page.keyboard.press('Space');
		await expect(noteCheckbox(page, first)).toBeChecked();
		await tabTo(page, noteCheckbox(page, second));
		await page.keyboard.press('Space');
		await expect(noteCheckbox(page, second)).toBeChecked();
		await expect(page.getByRole('region', { name: t('fi', 'board_selected_count', { count: 2 }) })).toBeVisible();

		// The note's actions menu: Enter opens it, the arrows walk it, Escape closes it and returns focus.
		const actions = noteItem(page, second).getByRole('button', { name: tRegex('fi', 'board_actions_for') });
		await tabTo(page, actions, { max: 3 }); // past the note's +1
		await expect(actions).toBeFocused();
		await page.keyboard.press('Enter');
		await expect(actions).toHaveAttribute('aria-expanded', 'true');
		await page.keyboard.press('ArrowDown');
		await page.keyboard.press('Escape');
		await expect(actions).toHaveAttribute('aria-expanded', 'false');
		await expect(actions).toBeFocused();
		await page.keyboard.press('Enter');
		await arrowTo(page, t('fi', 'board_group_selected', { count: 2 }));
		await page.keyboard.press('Enter');
		// Focus lands on the cluster's name; Enter groups.
		const clusterName = `Iltaisin ${unique('ryhmä')}`;
		await expect(page.getByLabel(t('fi', 'board_cluster_name'), { exact: true })).toBeFocused();
		await page.keyboard.type(clusterName);
		await page.keyboard.press('Enter');

		const clusterHeading = page.getByRole('heading', { name: `${t('fi', 'board_cluster_kicker')} ${clusterName}`, exact: true });
		await expect(clusterHeading).toBeFocused();
		const cluster = page.locator('li.cluster').filter({ has: clusterHeading });
		await expect(cluster.locator('li.note')).toHaveCount(2);
		await expect(page.getByRole('status').filter({ hasText: t('fi', 'board_cluster_created', { name: clusterName }) })).toBeVisible();
		// The phone sees the same cluster with both notes, in the same lane.
		await showLane(phonePage, lanes[1]!);
		const phoneCluster = lane(phonePage, lanes[1]!).locator('li.cluster').filter({ hasText: clusterName });
		await expect(phoneCluster.locator('li.note')).toHaveCount(2, live);

		// Promote the cluster, still by keyboard: Tab to its actions, open, pick the item.
		const clusterActions = cluster.getByRole('button', { name: t('fi', 'board_cluster_actions_for', { name: clusterName }) });
		await page.keyboard.press('Tab');
		await expect(clusterActions).toBeFocused();
		await page.keyboard.press('Enter');
		await arrowTo(page, t('fi', 'board_promote'));
		await page.keyboard.press('Enter');
		const card = ideaCard(page, clusterName);
		await expect(card.getByLabel(t('fi', 'board_idea_title'), { exact: true })).toBeFocused();
		await expect(card.getByLabel(t('fi', 'board_idea_title'), { exact: true })).toHaveValue(clusterName);
		const phoneCard = ideaCard(phonePage, clusterName);
		await showLane(phonePage, t('fi', 'board_ideas_title')); // a phone's idea cards have a tab of their own
		await expect(phoneCard).toBeVisible(live);
		await expect(phoneCard).toContainText(t('fi', 'board_idea_lane', { lane: lanes[1]! }));

		// Both write the hypothesis at the same time, at different places: both edits survive on both screens.
		const hypothesis = t('fi', 'board_canvas_hypothesis');
		const laptopField = card.getByLabel(hypothesis, { exact: true });
		const phoneField = phoneCard.getByLabel(hypothesis, { exact: true });
		await laptopField.click();
		await page.keyboard.type('jos avaamme koulut');
		await expect(phoneField).toHaveValue('jos avaamme koulut', live);
		// The phone sees who is writing where.
		await expect(phoneCard.getByText(t('fi', 'board_editing_here', { name: facilitatorName }), { exact: true })).toBeVisible(live);

		await phoneField.click();
		await phonePage.keyboard.press('ControlOrMeta+Home');
		await Promise.all([
			page.keyboard.type(' iltaisin, niin nuoret liikkuvat', { delay: 25 }),
			phonePage.keyboard.type('Hypoteesi: ', { delay: 25 })
		]);
		const merged = 'Hypoteesi: jos avaamme koulut iltaisin, niin nuoret liikkuvat';
		await expect(laptopField).toHaveValue(merged, live);
		await expect(phoneField).toHaveValue(merged, live);
		// Each caret stayed where its owner was typing.
		await page.keyboard.type('.');
		await phonePage.keyboard.type('J');
		await expect(laptopField).toHaveValue(`Hypoteesi: Jjos avaamme koulut iltaisin, niin nuoret liikkuvat.`, live);
		await expect(phoneField).toHaveValue(`Hypoteesi: Jjos avaamme koulut iltaisin, niin nuoret liikkuvat.`, live);

		// Ctrl/Cmd+Z in the field undoes the facilitator's own typing only (undo closes the step being typed first).
		await laptopField.focus();
		await page.keyboard.press('ControlOrMeta+z');
		await expect(laptopField).not.toHaveValue(/\.$/);
		await expect(phoneField).toHaveValue(/^Hypoteesi: J/, live);

		// Comments go both ways too.
		const comment = `Kumppaniksi nuorisopalvelut ${unique('k')}`;
		await phoneCard.getByLabel(t('fi', 'board_comment_label'), { exact: true }).fill(comment);
		await phoneCard.getByRole('button', { name: t('fi', 'board_comment_submit'), exact: true }).click();
		await expect(card.getByText(comment)).toBeVisible(live);

		await expectAccessible(page, 'board with a cluster and an idea card');
		await expectAccessible(phonePage, 'idea card on a phone');
	} finally {
		await context.close();
	}
});

test('an observer sees the board live but cannot change it', async ({ page, browser }) => {
	await openAsFacilitator(page);
	const boardPath = new URL(page.url()).pathname;
	const guestName = unique('Tarkkailija');
	const { context, page: phonePage } = await joinOnPhone(browser, guestName);
	try {
		// The facilitator makes the guest an observer on the workshop page.
		await goto(page, boardPath.replace(/\/board$/, ''));
		const row = page.getByRole('row').filter({ hasText: guestName });
		await row.getByRole('button', { name: t('fi', 'participant_make_observer'), exact: true }).click();
		await expect(row.getByRole('button', { name: t('fi', 'participant_make_participant'), exact: true })).toBeVisible();
		await goto(page, boardPath);
		await expect(online(page)).toBeVisible(live);

		await phonePage.reload();
		await expect(phonePage.getByText(t('fi', 'board_read_only'))).toBeVisible();
		await expect(online(phonePage)).toBeVisible(live);
		await expect(composer(phonePage)).toHaveCount(0);
		await expect(phonePage.getByRole('button', { name: tRegex('fi', 'board_actions_for') })).toHaveCount(0);
		await expect(phonePage.getByRole('checkbox')).toHaveCount(0);

		// Still live: a note written by the facilitator appears.
		const text = `Tarkkailijalle ${unique('lappu')}`;
		await addNote(page, lanes[0]!, text);
		await expect(noteItem(phonePage, text)).toBeVisible(live);
		await expectAccessible(phonePage, 'board for an observer');
	} finally {
		await context.close();
	}
});

test('the board is only for the workshop’s people', async ({ page, browser }) => {
	await openAsFacilitator(page);
	const boardPath = new URL(page.url()).pathname;

	// Nobody: sent to the code form, without the code (the board's address is no key to it).
	const anonymous = await newContext(browser);
	try {
		const stranger = await anonymous.newPage();
		await stranger.goto(boardPath);
		await expect(stranger).toHaveURL(/\/w$/);
		await expect(stranger.getByRole('textbox')).toHaveValue('');
	} finally {
		await anonymous.close();
	}

	// Signed in but not a member: refused with a reason.
	const other = await newContext(browser);
	try {
		const otherPage = await other.newPage();
		await createAccount(otherPage.request);
		const response = await otherPage.goto(boardPath);
		expect(response?.status()).toBe(403);
		await expect(otherPage.getByText(t('fi', 'board_forbidden'))).toBeVisible();
		await expectAccessible(otherPage, 'board refused');
	} finally {
		await other.close();
	}

	// Unknown workshop: 404.
	const missing = await page.goto('/workshops/no-such-workshop/board');
	expect(missing?.status()).toBe(404);
	await goto(page, boardPath);
	await expect(online(page)).toBeVisible(live);
});
