// The live room as a facilitator, a projector and phones see it: the board comes first on a 1366×768 laptop, nothing
// moves when notes are ticked or the page loads, notes are dragged with a mouse and a finger (with the keyboard's
// menu as the equal path), a phone shows one lane per tab and keeps a half-written note, and a phase change leaves
// a participant where they were. Every test makes its own workshop.
import type { BrowserContext, Locator, Page } from '@playwright/test';
import { expect, expectAccessible, goto, newContext, postForm, signInAs, test, unique } from './fixtures';
import { addNote, button, composer, composerText, joinOnPhone, lanes, live, newWorkshop, noteItem, online, phases } from './live-workshop';
import { t } from './messages';

test.describe.configure({ timeout: 90_000 });

const laptop = { width: 1366, height: 768 };

// Layout shifts as the browser reports them (Cumulative Layout Shift's raw entries), recorded from the first paint.
const recordShifts = `(() => {
	window.__shifts = [];
	try {
		new PerformanceObserver((list) => {
			for (const entry of list.getEntries()) window.__shifts.push({ value: entry.value, recent: entry.hadRecentInput });
		}).observe({ type: 'layout-shift', buffered: true });
	} catch {}
})();`;
type Shift = { value: number; recent: boolean };
const shifts = (page: Page) => page.evaluate(() => (window as unknown as { __shifts: Shift[] }).__shifts);
const cls = (list: Shift[]) => list.filter((shift) => !shift.recent).reduce((sum, shift) => sum + shift.value, 0);

/** A workshop made from the Jalostamo template's three perspectives, with the demo workshop's eleven notes. */
const demoNotes: [lane: number, text: string][] = [
	[0, 'Maahanmuuttajaäidit harjoittelevat suomea lukemalla satuja päiväkodissa'],
	[0, 'Kielen opiskelu osana oman lapsen kieliopetusta'],
	[0, 'Perheille yksi yhteinen yhteyshenkilö palveluviidakkoon'],
	[0, 'Lasten ja nuorten turvallisuuskävelyt koulun ja huoltajien kanssa'],
	[1, 'Nuorten aikuisten palveluille yhteinen budjetti ja yhteisjohtaminen'],
	[1, 'Selkeä reitti järjestelmäviidakon läpi: yksi ovi nuorelle'],
	[1, 'Matalan kynnyksen olohuone nuorille aikuisille ostoskeskukseen'],
	[1, 'Kanneltalon edusta viihtyisämmäksi nuorten toiveiden pohjalta'],
	[2, 'Asukkaiden tieto ja toiveet säännöllisesti johtoryhmien asialistoille'],
	[2, 'Osallisuus asenteena: kuntalaisten aktiivisuus riemuna, ei riesana'],
	[2, 'Paikallisten toimijoiden laadullinen tieto aluejohtamisen tueksi']
];
const perspectives = ['families', 'young_adults', 'participation'].map((key) => ({
	title: t('fi', `template_perspective_${key}`),
	description: t('fi', `template_perspective_${key}_description`)
}));

async function jalostamoBoard(page: Page) {
	await signInAs(page, 'facilitator');
	const form: Record<string, string> = {
		title: unique('Jalostamo'),
		theme: 'Sosiaalinen kestävyys eli urbaani hyvinvointi kaupungeissa',
		description: '',
		startsAt: '',
		coFacilitators: '',
		'phases.0.kind': 'ideas',
		'phases.0.title': phases.ideas,
		'phases.0.durationMinutes': '20'
	};
	perspectives.forEach((perspective, index) => {
		form[`perspectives.${index}.id`] = '';
		form[`perspectives.${index}.title`] = perspective.title;
		form[`perspectives.${index}.description`] = perspective.description;
	});
	const response = await postForm(page.request, '/workshops/new', form);
	expect(response.status()).toBe(303);
	const id = /^\/workshops\/([^/?#]+)$/.exec(response.headers()['location'] ?? '')![1]!;
	await goto(page, `/workshops/${id}`);
	const code = (await page.locator('main .join-code').textContent())!.trim();
	await goto(page, `/workshops/${id}/board`);
	await expect(online(page)).toBeVisible(live);
	for (const [lane, text] of demoNotes) await addNote(page, text, perspectives[lane]!.title);
	return { id, code };
}

/** The boxes of every note, by text: what must not move when a note is ticked. */
const noteBoxes = (page: Page) =>
	page.locator('li.note').evaluateAll((notes) =>
		notes.map((note) => {
			const box = note.getBoundingClientRect();
			return `${note.textContent?.slice(0, 30)} ${Math.round(box.x)},${Math.round(box.y)},${Math.round(box.width)}x${Math.round(box.height)}`;
		})
	);

/** The part of the screen between the room's sticky header and its bottom bar. */
async function visibleBand(page: Page) {
	const header = (await page.locator('.room-header').boundingBox())!;
	const bar = (await page.locator('.bottom-bar').boundingBox())!;
	return { top: header.y + header.height, bottom: Math.min(bar.y, page.viewportSize()!.height) };
}

async function expectInBand(page: Page, element: Locator, what: string) {
	const band = await visibleBand(page);
	const box = (await element.boundingBox())!;
	expect(box.y, `${what} starts below the header`).toBeGreaterThanOrEqual(band.top - 1);
	expect(box.y + box.height, `${what} ends above the bottom bar`).toBeLessThanOrEqual(band.bottom + 1);
}

test('a laptop shows the board first: the demo’s notes without scrolling, and nothing moves on load or when notes are ticked; on a projector the composer stays at the foot of the screen', async ({
	page
}) => {
	await page.setViewportSize(laptop);
	const { id, code } = await jalostamoBoard(page);

	// A fresh load, as the facilitator opens the room: layout shifts are recorded from the first paint.
	await page.addInitScript(recordShifts);
	await goto(page, `/workshops/${id}/board`);
	await expect(page.locator('li.note')).toHaveCount(demoNotes.length, live);
	await expect(button(page, 'live_phase_next', ' →')).toBeVisible(); // the facilitator's controls, loaded lazily
	await expect(page.getByRole('heading', { name: t('fi', 'live_agenda_title') })).toBeVisible(); // the side panel
	await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
	expect(cls(await shifts(page)), 'cumulative layout shift while the facilitator’s room loads').toBeLessThan(0.1);

	// … and while a guest's room loads on a laptop.
	const guest = await newContext(page.context().browser()!, { viewport: laptop });
	try {
		const guestPage = await guest.newPage();
		await goto(guestPage, `/w/${code}`);
		await guestPage.getByLabel(t('fi', 'join_name'), { exact: true }).fill(unique('Vieras'));
		await guestPage.getByRole('button', { name: t('fi', 'join_submit'), exact: true }).click();
		await expect(online(guestPage)).toBeVisible(live);
		await guestPage.addInitScript(recordShifts);
		await guestPage.reload();
		await expect(guestPage.locator('li.note')).toHaveCount(demoNotes.length, live);
		await guestPage.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
		expect(cls(await shifts(guestPage)), 'cumulative layout shift while a guest’s room loads').toBeLessThan(0.1);
	} finally {
		await guest.close();
	}

	// The lanes start on the first screen, and at least nine of the notes are whole between header and bottom bar.
	const band = await visibleBand(page);
	const firstLane = (await page.getByRole('region', { name: perspectives[0]!.title, exact: true }).boundingBox())!;
	expect(firstLane.y).toBeLessThan(band.top + 80);
	const whole = await page.locator('li.note').evaluateAll(
		(notes, { top, bottom }) =>
			notes.filter((note) => {
				const box = note.getBoundingClientRect();
				return box.top >= top - 1 && box.bottom <= bottom + 1 && box.left >= 0 && box.right <= window.innerWidth;
			}).length,
		band
	);
	expect(whole, 'notes visible without scrolling at 1366×768').toBeGreaterThanOrEqual(9);
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(laptop.width);

	// Ticking and unticking notes moves nothing: the grouping form takes the bottom bar's place.
	const before = await noteBoxes(page);
	const shiftsBefore = (await shifts(page)).length;
	const checkbox = (text: string) => page.getByRole('checkbox', { name: `${t('fi', 'board_note_select')} ${text}`, exact: true });
	await checkbox(demoNotes[0]![1]).check();
	await expect(page.getByRole('region', { name: t('fi', 'board_selected_count', { count: 1 }) })).toBeVisible();
	expect(await noteBoxes(page)).toEqual(before);
	await checkbox(demoNotes[5]![1]).check();
	expect(await noteBoxes(page)).toEqual(before);
	await checkbox(demoNotes[0]![1]).uncheck();
	await checkbox(demoNotes[5]![1]).uncheck();
	await expect(composer(page)).toBeVisible();
	expect(await noteBoxes(page)).toEqual(before);
	const selectionShifts = (await shifts(page)).slice(shiftsBefore);
	expect(selectionShifts.reduce((sum, shift) => sum + shift.value, 0), 'layout shift while ticking notes').toBe(0);

	// The keyboard never lands under the sticky header or the bottom bar.
	await checkbox(demoNotes[10]![1]).focus();
	for (let step = 0; step < 6; step++) {
		await page.keyboard.press('Shift+Tab');
		const focused = page.locator(':focus');
		if (await focused.evaluate((element) => !!element.closest('.lanes'))) await expectInBand(page, focused, `focus after ${step + 1} × Shift+Tab`);
	}
	await expectAccessible(page, 'the facilitator’s room at 1366×768');

	// On a projector the same board is shorter than the screen: the composer stays at the foot of the screen.
	await page.setViewportSize({ width: 1920, height: 1080 });
	await page.evaluate(() => window.scrollTo(0, 0));
	const bar = (await page.locator('.bottom-bar').boundingBox())!;
	expect(Math.abs(bar.y + bar.height - 1080), 'the bottom bar’s distance from the foot of a 1920×1080 screen').toBeLessThanOrEqual(2);
});

/** Drags with the mouse from one element's point to another's (fractions of their boxes), in small steps. */
async function mouseDrag(page: Page, from: Locator, to: Locator, at = { x: 0.5, y: 0.5 }) {
	const start = (await from.boundingBox())!;
	const end = (await to.boundingBox())!;
	await page.mouse.move(start.x + start.width / 3, start.y + 12);
	await page.mouse.down();
	await page.mouse.move(start.x + start.width / 3 + 10, start.y + 22, { steps: 2 });
	await page.mouse.move(end.x + end.width * at.x, end.y + end.height * at.y, { steps: 8 });
	await page.mouse.up();
}

const laneRegion = (page: Page, title: string) => page.getByRole('region', { name: title, exact: true });
const phonePanel = (page: Page, title: string) => page.getByRole('tabpanel', { name: title, exact: true });
const phoneTab = (page: Page, title: string) => page.getByRole('tab', { name: new RegExp(`^${title} `) });
const cluster = (scope: Page | Locator, name: string) => scope.locator('li.cluster').filter({ hasText: name });
const notesIn = (scope: Locator) =>
	scope.locator('li.note .note-words').evaluateAll((words) => words.map((element) => element.textContent ?? ''));
const said = (page: Page, key: string, values?: Record<string, string>) =>
	expect(page.locator('.board-notice')).toHaveText(t('fi', key, values), live);

test('notes are dragged with a mouse: to a lane, onto a note, into and out of a cluster, to a place; undo takes a drag back', async ({
	page,
	browser
}) => {
	await page.setViewportSize(laptop);
	const { code } = await newWorkshop(page);
	const phone = await joinOnPhone(browser, code, unique('Seuraaja'));
	try {
		const [a, b, c, d] = ['Aamukahvit', 'Bussireitti', 'Ceremonia', 'Demokratiakahvila'].map((text) => `${text} ${unique('n')}`);
		for (const text of [a, b, c]) await addNote(page, text!, lanes.first);
		await addNote(page, d!, lanes.second);
		const first = laneRegion(page, lanes.first);
		const second = laneRegion(page, lanes.second);

		// To another lane: dropped on the lane itself, the note goes to its end.
		await mouseDrag(page, noteItem(page, a!), second.locator('.lane-head'));
		await said(page, 'board_note_moved', { lane: lanes.second });
		expect(await notesIn(second)).toEqual([d, a]);
		await phoneTab(phone.page, lanes.second).click();
		await expect(noteItem(phonePanel(phone.page, lanes.second), a!)).toBeVisible(live);

		// Onto another note: the two make a cluster, named after the note they were dropped on.
		await mouseDrag(page, noteItem(page, b!), noteItem(page, d!));
		await said(page, 'board_cluster_created', { name: d! });
		await expect(cluster(second, d!).locator('li.note')).toHaveCount(2);
		await expect(cluster(phonePanel(phone.page, lanes.second), d!).locator('li.note')).toHaveCount(2, live);

		// Into the cluster (its head), then undo takes that drag back, for everyone.
		await mouseDrag(page, noteItem(page, c!), cluster(second, d!).locator('.cluster-head'));
		await said(page, 'board_added_to_cluster', { name: d! });
		await expect(cluster(second, d!).locator('li.note')).toHaveCount(3);
		await page.keyboard.press('ControlOrMeta+z');
		await expect(cluster(second, d!).locator('li.note')).toHaveCount(2);
		expect(await notesIn(first)).toEqual([c]);
		await expect(cluster(phonePanel(phone.page, lanes.second), d!).locator('li.note')).toHaveCount(2, live);

		// Out of the cluster, onto the first lane; then to a place: above the note already there.
		await mouseDrag(page, noteItem(page, b!), first.locator('.lane-head'));
		await said(page, 'board_note_moved', { lane: lanes.first });
		expect(await notesIn(first)).toEqual([c, b]);
		await mouseDrag(page, noteItem(page, b!), noteItem(page, c!), { x: 0.5, y: 0.1 });
		await said(page, 'board_note_placed');
		expect(await notesIn(first)).toEqual([b, c]);
		await phoneTab(phone.page, lanes.first).click();
		await expect.poll(() => notesIn(phonePanel(phone.page, lanes.first)), live).toEqual([b, c]);

		// A cluster is dragged by its head, with its notes.
		await expect(cluster(second, d!).locator('li.note')).toHaveCount(1); // D alone: B left it
		await mouseDrag(page, cluster(second, d!).locator('.cluster-head'), first.locator('.lane-head'));
		await said(page, 'board_cluster_moved', { name: d!, lane: lanes.first });
		await expect(cluster(first, d!)).toHaveCount(1);
		await expect(cluster(phonePanel(phone.page, lanes.first), d!)).toHaveCount(1, live);

		// Escape in the middle of a drag puts the note back where it was.
		const box = (await noteItem(page, c!).boundingBox())!;
		const target = (await second.locator('.lane-head').boundingBox())!;
		await page.mouse.move(box.x + 40, box.y + 12);
		await page.mouse.down();
		await page.mouse.move(box.x + 60, box.y + 30, { steps: 2 });
		await page.mouse.move(target.x + 50, target.y + 10, { steps: 5 });
		await expect(second).toHaveClass(/drop-target/);
		await page.keyboard.press('Escape');
		await page.mouse.up();
		await said(page, 'board_drag_cancelled');
		expect(await notesIn(first)).toContain(c);
		await expectAccessible(page, 'board after drags');
	} finally {
		await phone.context.close();
	}
});

/** A finger's drag through the DevTools protocol's touch events (Playwright's touchscreen only taps). */
async function touchDrag(page: Page, context: BrowserContext, from: Locator, to: Locator) {
	const start = (await from.boundingBox())!;
	const end = (await to.boundingBox())!;
	const cdp = await context.newCDPSession(page);
	const point = (x: number, y: number) => [{ x: Math.round(x), y: Math.round(y), id: 1 }];
	const [x0, y0] = [start.x + start.width / 2, start.y + start.height / 2];
	const [x1, y1] = [end.x + end.width / 2, end.y + end.height / 2];
	await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: point(x0, y0) });
	for (let step = 1; step <= 8; step++) {
		await cdp.send('Input.dispatchTouchEvent', {
			type: 'touchMove',
			touchPoints: point(x0 + ((x1 - x0) * step) / 8, y0 + ((y1 - y0) * step) / 8)
		});
	}
	await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
	await cdp.detach();
}

test('a phone shows one lane per tab with counts, drags with a finger from the handle, and keeps a half-written note', async ({
	page,
	browser
}) => {
	const { code } = await newWorkshop(page);
	const phone = await joinOnPhone(browser, code, unique('Puhelin'));
	try {
		// Inside the workshop a guest sees the workshop's header, not the site's navigation or sign-up links.
		await expect(phone.page.getByRole('navigation', { name: t('fi', 'nav_main_label') })).toHaveCount(0);
		await expect(phone.page.getByRole('link', { name: t('fi', 'sign_up') })).toHaveCount(0);
		await expect(phone.page.getByRole('heading', { level: 1 })).toBeVisible();

		// The room loads without moving under the guest's thumb.
		await phone.page.addInitScript(recordShifts);
		await phone.page.reload();
		await expect(online(phone.page)).toBeVisible(live);
		await phone.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
		expect(cls(await shifts(phone.page)), 'cumulative layout shift while a guest’s room loads on a phone').toBeLessThan(0.1);

		const note = `Sormella ${unique('lappu')}`;
		await addNote(page, note, lanes.first);
		await expect(phoneTab(phone.page, lanes.first)).toHaveAccessibleName(`${lanes.first} ${t('fi', 'board_note_count', { count: 1 })}`, live);
		await expect(phoneTab(phone.page, lanes.second)).toHaveAccessibleName(`${lanes.second} ${t('fi', 'board_note_count', { count: 0 })}`);

		// Dragged by its handle onto the other lane's tab: the note moves there, the tabs' counts say so, and the phone
		// stays on the lane being sorted.
		await touchDrag(phone.page, phone.context, noteItem(phone.page, note).locator('.drag-handle'), phoneTab(phone.page, lanes.second));
		await expect(phoneTab(phone.page, lanes.second)).toHaveAccessibleName(`${lanes.second} ${t('fi', 'board_note_count', { count: 1 })}`, live);
		await expect(phoneTab(phone.page, lanes.first)).toHaveAccessibleName(`${lanes.first} ${t('fi', 'board_note_count', { count: 0 })}`);
		await expect(phoneTab(phone.page, lanes.first)).toHaveAttribute('aria-selected', 'true');
		await expect(noteItem(laneRegion(page, lanes.second), note)).toBeVisible(live);
		await phoneTab(phone.page, lanes.second).click();
		await expect(noteItem(phonePanel(phone.page, lanes.second), note)).toBeVisible();

		// A swipe over a note (not its handle) scrolls; it does not drag.
		await touchDrag(phone.page, phone.context, noteItem(phone.page, note).locator('.note-words'), phoneTab(phone.page, lanes.first));
		await expect(noteItem(laneRegion(page, lanes.second), note)).toBeVisible();

		// Half a note, a reload: it is still there, in the same lane.
		const draft = 'Kesken jäänyt ajatus nuorten illoista';
		await composerText(phone.page).fill(draft);
		await phone.page.reload();
		await expect(online(phone.page)).toBeVisible(live);
		await expect(composerText(phone.page)).toHaveValue(draft);
		await button(composer(phone.page), 'board_composer_submit').click();
		await expect(noteItem(laneRegion(page, lanes.second), draft)).toBeVisible(live);
		await phone.page.reload();
		await expect(online(phone.page)).toBeVisible(live);
		await expect(composerText(phone.page)).toHaveValue(''); // an added note is no draft
		expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
		await expectAccessible(phone.page, 'the room on a phone');
	} finally {
		await phone.context.close();
	}
});

test('a phase change leaves a participant in place: the note being written and the focus stay, and the phase is announced', async ({
	page,
	browser
}) => {
	const { code } = await newWorkshop(page);
	const phone = await joinOnPhone(browser, code, unique('Kirjoittaja'));
	try {
		await button(page, 'live_phase_next', ' →').click();
		await expect(phone.page.getByRole('region', { name: t('fi', 'live_banner_label') })).toContainText(phases.ideas, live);
		const draft = 'Ajatus, joka ei vielä ole valmis';
		await composerText(phone.page).fill(draft);
		await expect(composerText(phone.page)).toBeFocused();

		// The voting phase allows no new notes: the fields are disabled, the focus moves to the reason, the text stays.
		await button(page, 'live_phase_next', ' →').click();
		const reason = t('fi', 'live_composer_blocked_phase', { phase: phases.voting });
		await expect(phone.page.getByText(reason)).toBeFocused(live);
		await expect(composerText(phone.page)).toBeDisabled();
		await expect(composerText(phone.page)).toHaveValue(draft);
		// The new phase is in the banner's live region (announced politely).
		await expect(phone.page.getByRole('region', { name: t('fi', 'live_banner_label') }).getByRole('status')).toContainText(phases.voting);

		// Back to writing: the focus returns to the note, which was never lost.
		await page.getByRole('complementary').getByRole('button', { name: new RegExp(phases.ideas) }).click();
		await expect(composerText(phone.page)).toBeEnabled(live);
		await expect(composerText(phone.page)).toBeFocused();
		await expect(composerText(phone.page)).toHaveValue(draft);
		await expectAccessible(phone.page, 'a phone back in the ideas phase');
	} finally {
		await phone.context.close();
	}
});

test('after the skip link, the facilitator’s controls keep the focus on the control used', async ({ page }) => {
	await page.setViewportSize(laptop);
	await newWorkshop(page);
	await page.locator('body').focus();
	await page.keyboard.press('Tab');
	await expect(page.getByRole('link', { name: t('fi', 'skip_to_content') })).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(page.locator('main')).toBeFocused();
	const next = button(page, 'live_phase_next', ' →');
	await next.focus();
	await page.keyboard.press('Enter');
	await expect(page.locator('.cockpit-current')).toHaveText(phases.ideas, live);
	// SvelteKit resets focus in a task it queues after the action's answer: look once the page's queued tasks ran.
	const settled = () => page.evaluate(() => new Promise((resolve) => setTimeout(() => setTimeout(resolve))));
	await settled();
	await expect(next).toBeFocused();
	const lock = button(page, 'live_lock');
	await lock.focus();
	await page.keyboard.press('Enter');
	await expect(button(page, 'live_unlock')).toBeVisible(live);
	await settled();
	await expect(button(page, 'live_unlock')).toBeFocused();
	// "Previous" back to before the first phase disables itself: the focus goes on to the bar's first enabled button.
	const previous = page.getByRole('button', { name: t('fi', 'live_phase_previous'), exact: true });
	await previous.focus();
	await page.keyboard.press('Enter');
	await expect(previous).toBeDisabled(live);
	await settled();
	await expect(next).toBeFocused();
});

test('keyboard shortcuts are listed behind "?", N writes a note, one-key shortcuts can be turned off, and the room’s menu keeps the focus through a change of language', async ({ page }) => {
	await page.setViewportSize(laptop);
	await newWorkshop(page);
	await page.locator('main').focus();
	await page.keyboard.press('?');
	const dialog = page.getByRole('dialog', { name: t('fi', 'shortcut_title') });
	await expect(dialog).toBeVisible();
	await expect(dialog).toContainText(t('fi', 'shortcut_new_note'));
	// It starts at its title (its first control is the checkbox at its foot).
	await expect(dialog.getByRole('heading', { name: t('fi', 'shortcut_title') })).toBeFocused();
	await expectAccessible(page, 'shortcuts dialog');
	await dialog.getByRole('checkbox', { name: t('fi', 'shortcut_single_keys') }).uncheck();
	await dialog.getByRole('button', { name: t('fi', 'shortcut_close') }).click();
	await expect(dialog).toBeHidden();
	await expect(page.getByRole('button', { name: t('fi', 'shortcut_title') })).toBeFocused();

	// Off: N is just a letter.
	await page.locator('main').focus();
	await page.keyboard.press('n');
	await expect(composerText(page)).not.toBeFocused();
	// On again (the choice is kept on this device): N goes to the composer.
	await page.getByRole('button', { name: t('fi', 'shortcut_title') }).click();
	await dialog.getByRole('checkbox', { name: t('fi', 'shortcut_single_keys') }).check();
	await page.keyboard.press('Escape');
	// Until the dialog has closed the page behind it is inert and focusing <main> does nothing (CI once pressed N on
	// the checkbox): the focus is moved on once it is back on "?".
	await expect(dialog).toBeHidden();
	await expect(page.getByRole('button', { name: t('fi', 'shortcut_title') })).toBeFocused();
	await page.locator('main').focus();
	await page.keyboard.press('n');
	await expect(composerText(page)).toBeFocused();

	// On a phone the list fits its dialog: the keys' alternatives break onto lines rather than push the text out.
	await page.setViewportSize({ width: 360, height: 740 });
	await page.getByRole('button', { name: t('fi', 'shortcut_title') }).click();
	await expect(dialog).toBeVisible();
	expect(await dialog.evaluate((element) => element.scrollWidth - element.clientWidth), 'nothing cut off at the side').toBeLessThanOrEqual(0);
	await page.keyboard.press('Escape');
	await expect(dialog).toBeHidden();
	await page.setViewportSize(laptop);

	// The facilitator's side panel folds away and stays folded after a reload; the lanes take its room.
	const lanesWidth = async () => (await page.locator('.lanes').boundingBox())!.width;
	const withPanel = await lanesWidth();
	const toggle = page.getByRole('button', { name: t('fi', 'room_side_hide') });
	await toggle.click();
	await expect(page.getByRole('complementary')).toHaveCount(0);
	await expect(page.getByRole('button', { name: t('fi', 'room_side_show') })).toBeFocused();
	expect(await lanesWidth()).toBeGreaterThan(withPanel + 200);
	await page.reload();
	await expect(online(page)).toBeVisible(live);
	await expect(page.getByRole('button', { name: t('fi', 'room_side_show') })).toHaveAttribute('aria-expanded', 'false');
	await expect(page.getByRole('complementary')).toHaveCount(0);
	await page.getByRole('button', { name: t('fi', 'room_side_show') }).click();
	await expect(page.getByRole('complementary')).toBeVisible();

	// The room's menu leads out of it and has the language switcher.
	await page.getByText(t('fi', 'room_menu'), { exact: true }).click();
	const menu = page.getByRole('navigation', { name: t('fi', 'room_menu_label') });
	await expect(menu.getByRole('link', { name: t('fi', 'nav_workshops') })).toBeVisible();
	await expect(page.getByRole('form', { name: t('fi', 'language_label') })).toBeVisible();
	await page.keyboard.press('Escape');
	await expect(menu).toBeHidden();
	// Tabbing out of the open menu closes it (left open it covered the board).
	await page.getByText(t('fi', 'room_menu'), { exact: true }).click();
	await expect(menu).toBeVisible();
	await page.getByRole('form', { name: t('fi', 'language_label') }).getByRole('button').last().focus();
	await page.keyboard.press('Tab');
	await expect(menu).toBeHidden();

	// A language chosen there by keyboard reloads the room in it with the menu open again and the focus on the
	// language chosen, not at the top of the page; Escape then closes the menu onto its button.
	await page.getByText(t('fi', 'room_menu'), { exact: true }).click();
	await page.getByRole('form', { name: t('fi', 'language_label') }).getByRole('button', { name: 'English', exact: true }).focus();
	await page.keyboard.press('Enter');
	await expect(page.locator('html')).toHaveAttribute('lang', 'en');
	await expect(page.getByRole('form', { name: t('en', 'language_label') }).getByRole('button', { name: 'English', exact: true })).toBeFocused();
	await expect(page.getByRole('navigation', { name: t('en', 'room_menu_label') })).toBeVisible();
	await page.keyboard.press('Escape');
	await expect(page.getByRole('navigation', { name: t('en', 'room_menu_label') })).toBeHidden();
	await expect(page.locator('summary', { hasText: t('en', 'room_menu') })).toBeFocused();
});
