// Facilitation that Miro, Parabol and Mentimeter users expect, on a facilitator's laptop and 360 px phones: the
// timer's length, presets and end cue, the "valmis" signal, private-note counts while people write, and quick +1
// reactions. The controls are located by role and name: where they sit in the room's layout may change.
import type { Page } from '@playwright/test';
import { expect, expectAccessible, newContext, postForm, test, unique } from './fixtures';
import { addNote, banner, button, composer, countdown, joinOnPhone, live, newWorkshop, nextPhase, noteItem, phone, phases } from './live-workshop';
import { t } from './messages';

test.describe.configure({ timeout: 120_000 });

const timerControls = (page: Page) => page.getByRole('group', { name: t('fi', 'live_timer_controls_label'), exact: true });
const people = (page: Page) => page.getByRole('region', { name: t('fi', 'live_people_title'), exact: true });
const doneButton = (page: Page) => page.getByRole('button', { name: t('fi', 'live_done_button'), exact: true });
const doneCount = (done: number, total: number) => t('fi', 'live_done_count', { done, total });

/** WCAG contrast ratio of two computed `rgb(r, g, b)` colours. */
function contrast(a: string, b: string) {
	const luminance = (colour: string) => {
		const [r, g, bl] = colour.match(/\d+(\.\d+)?/g)!.slice(0, 3).map((part) => {
			const value = Number(part) / 255;
			return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
		});
		return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
	};
	const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
	return (high! + 0.05) / (low! + 0.05);
}

/** Counts the tones the page's Web Audio plays (the platform's own AudioContext, observed, not replaced). */
const countTones = () => {
	const Original = window.AudioContext;
	(window as unknown as { tones: number }).tones = 0;
	window.AudioContext = class extends Original {
		createOscillator() {
			const oscillator = super.createOscillator();
			const start = oscillator.start.bind(oscillator);
			oscillator.start = (when?: number) => {
				(window as unknown as { tones: number }).tones += 1;
				start(when);
			};
			return oscillator;
		}
	};
};

test('the timer: a length and presets from the facilitator, the end shown on every screen, a beep where switched on', async ({
	page,
	browser
}) => {
	// The facilitator's laptop runs on Playwright's clock too, and counts the tones it plays.
	await page.context().clock.install();
	await page.context().addInitScript(countTones);
	const { code } = await newWorkshop(page);
	const a = await joinOnPhone(browser, code, unique('A'), { clock: true });
	const b = await joinOnPhone(browser, code, unique('B'), { clock: true });
	try {
		await b.page.emulateMedia({ reducedMotion: 'reduce' });
		await nextPhase(page);
		for (const phonePage of [a.page, b.page]) await expect(countdown(phonePage)).toHaveText('20:00', live);

		// A bad length is refused with a translated message at the field; nothing changes.
		const controls = timerControls(page);
		const minutes = controls.getByLabel(t('fi', 'live_timer_minutes_label'), { exact: true });
		const setLength = controls.getByRole('button', { name: t('fi', 'live_timer_set_length'), exact: true });
		await minutes.fill('0');
		await setLength.click();
		const invalid = t('fi', 'live_timer_minutes_invalid', { min: 1, max: 120 });
		await expect(controls.getByText(invalid).first()).toBeVisible(live);
		await expect(minutes).toHaveAttribute('aria-invalid', 'true');
		await expect(minutes).toHaveAccessibleDescription(invalid);
		await expect(countdown(a.page)).toHaveText('20:00');

		// A length by keyboard: the focus stays on the control used.
		await minutes.fill('3');
		await setLength.focus();
		await page.keyboard.press('Enter');
		for (const phonePage of [a.page, b.page]) await expect(countdown(phonePage)).toHaveText('03:00', live);
		await expect(setLength).toBeFocused();
		await expect(minutes).not.toHaveAttribute('aria-invalid', 'true');

		const preset = controls.getByRole('button', { name: t('fi', 'live_timer_preset', { minutes: 1 }), exact: true });
		await preset.click();
		for (const phonePage of [a.page, b.page]) await expect(countdown(phonePage)).toHaveText('01:00', live);
		await expect(preset).toBeFocused();
		await expect(minutes).toHaveValue('1');

		// The sound is off until switched on on this device, and stays on after a reload.
		const sound = controls.getByRole('button', { name: t('fi', 'live_timer_sound'), exact: true });
		await expect(sound).toHaveAttribute('aria-pressed', 'false');
		await sound.click();
		await expect(sound).toHaveAttribute('aria-pressed', 'true');

		await button(page, 'live_timer_start').click(); // start and pause are in the room's header
		for (const phonePage of [a.page, b.page]) await expect(phonePage.locator('.countdown[data-running="true"]')).toBeVisible(live);
		await expect(countdown(a.page)).not.toHaveText('01:00', live);

		// A minute passes on every screen. The clocks stop there: a board calibrates its clock to the server's on every
		// reconnection, which a minute without messages would start (y-websocket reconnects after 30 s of silence).
		const screens = [a.page, b.page, page];
		for (const screen of screens) await screen.clock.pauseAt((await screen.evaluate(() => Date.now())) + 61_000);
		for (const screen of screens) {
			await expect(countdown(screen).first()).toHaveText('00:00', live);
			await expect(banner(screen).locator('.countdown')).toHaveAttribute('data-up', 'true');
			await expect(banner(screen)).toContainText(t('fi', 'live_time_up'));
		}
		// One soft highlight, once (no flashing); none at all with reduced motion.
		const motion = (screen: Page) =>
			banner(screen)
				.locator('.countdown')
				.evaluate((element) => {
					const style = getComputedStyle(element);
					return { name: style.animationName, count: style.animationIterationCount, duration: parseFloat(style.animationDuration) };
				});
		const moving = await motion(a.page);
		expect(moving.name).toContain('countdown-ended');
		expect(moving.count).toBe('1');
		expect(moving.duration).toBeGreaterThanOrEqual(1);
		expect((await motion(b.page)).name).toBe('none');
		// The laptop whose sound is on played its tones; phones have it off unless switched on there.
		await expect.poll(() => page.evaluate(() => (window as unknown as { tones: number }).tones)).toBeGreaterThanOrEqual(1);
		// axe needs timers, which the stopped clock holds: the end's contrast is measured here instead (dark on yellow).
		const colours = await banner(a.page)
			.locator('.countdown')
			.evaluate((element) => ({ fg: getComputedStyle(element).color, bg: getComputedStyle(element).backgroundColor }));
		expect(contrast(colours.fg, colours.bg), `${colours.fg} on ${colours.bg}`).toBeGreaterThanOrEqual(4.5);
		for (const screen of screens) await screen.clock.resume();

		// Reset: back to the phase's planned 20 minutes, not running (as before its first start); the cue is gone.
		await controls.getByRole('button', { name: t('fi', 'live_timer_reset'), exact: true }).click();
		for (const phonePage of [a.page, b.page]) {
			await expect(countdown(phonePage)).toHaveText('20:00', live);
			await expect(banner(phonePage).locator('.countdown')).toHaveAttribute('data-up', 'false');
			await expect(banner(phonePage)).toContainText(t('fi', 'live_timer_not_started_state'));
		}
		await page.reload();
		await expect(timerControls(page).getByRole('button', { name: t('fi', 'live_timer_sound'), exact: true })).toHaveAttribute(
			'aria-pressed',
			'true',
			live
		);
		await expectAccessible(page, 'the facilitator’s timer controls');
	} finally {
		await a.context.close();
		await b.context.close();
	}
});

test('"valmis": each participant marks themselves done, everyone sees the count, the facilitator sees who', async ({ page, browser }) => {
	const { id, code } = await newWorkshop(page);
	const nameA = unique('Aino');
	const nameB = unique('Bea');
	const a = await joinOnPhone(browser, code, nameA);
	const b = await joinOnPhone(browser, code, nameB);
	try {
		// Before a phase there is nothing to be done with.
		await expect(doneButton(a.page)).toHaveCount(0);
		await nextPhase(page);
		await expect(doneButton(a.page)).toBeVisible(live);
		await expect(doneButton(a.page)).toHaveAttribute('aria-pressed', 'false');
		for (const phonePage of [a.page, b.page]) await expect(phonePage.getByText(doneCount(0, 2))).toBeVisible(live);
		// Facilitators do not mark themselves.
		await expect(doneButton(page)).toHaveCount(0);

		await doneButton(a.page).click();
		await expect(doneButton(a.page)).toHaveAttribute('aria-pressed', 'true', live);
		await expect(doneButton(a.page)).toBeFocused();
		for (const phonePage of [a.page, b.page]) await expect(phonePage.getByText(doneCount(1, 2))).toBeVisible(live);
		await expect(doneButton(b.page)).toHaveAttribute('aria-pressed', 'false');

		const panel = people(page);
		await expect(panel).toContainText(doneCount(1, 2), live);
		await expect(panel.getByRole('listitem').filter({ hasText: nameA })).toContainText(t('fi', 'live_people_done'));
		await expect(panel.getByRole('listitem').filter({ hasText: nameB })).toContainText(t('fi', 'live_people_not_done'));
		await expectAccessible(page, 'the facilitator’s participants panel');
		await expectAccessible(a.page, 'a phone marked done');

		// Taken back by keyboard; the focus stays on the button.
		await doneButton(b.page).click();
		await expect(panel).toContainText(doneCount(2, 2), live);
		await doneButton(b.page).focus();
		await b.page.keyboard.press('Enter');
		await expect(doneButton(b.page)).toHaveAttribute('aria-pressed', 'false', live);
		await expect(doneButton(b.page)).toBeFocused();
		await expect(panel).toContainText(doneCount(1, 2), live);

		// Only participants may mark, and only for the phase run they see.
		const facilitatorPost = await postForm(page.request, `/workshops/${id}/board?/done`, { done: 'true', run: '1' });
		expect(facilitatorPost.status()).toBe(403);
		const stale = await postForm(a.page.request, `/workshops/${id}/board?/done`, { done: 'true', run: '0' });
		expect(stale.status()).toBe(409);
		expect(await stale.text()).toContain(t('fi', 'live_done_stale'));
		const bad = await postForm(a.page.request, `/workshops/${id}/board?/done`, { done: 'maybe', run: '1' });
		expect(bad.status()).toBe(400);

		// The next phase starts from nobody done.
		await nextPhase(page);
		await expect(banner(a.page)).toContainText(phases.voting, live);
		await expect(doneButton(a.page)).toHaveAttribute('aria-pressed', 'false', live);
		await expect(a.page.getByText(doneCount(0, 2))).toBeVisible(live);
		await expect(panel).toContainText(doneCount(0, 2), live);
	} finally {
		await a.context.close();
		await b.context.close();
	}
});

test('"valmis" works without JavaScript: a form, and the page shows the mark', async ({ page, browser }) => {
	const { code } = await newWorkshop(page);
	await nextPhase(page);
	const context = await newContext(browser, { ...phone, javaScriptEnabled: false });
	try {
		const plain = await context.newPage();
		await plain.goto(`/w/${code}`);
		await plain.getByLabel(t('fi', 'join_name'), { exact: true }).fill(unique('Ilman'));
		await plain.getByRole('button', { name: t('fi', 'join_submit'), exact: true }).click();
		await expect(plain).toHaveURL(/\/workshops\/[^/]+\/board$/);
		await expect(doneButton(plain)).toHaveAttribute('aria-pressed', 'false');
		await doneButton(plain).click();
		await expect(doneButton(plain)).toHaveAttribute('aria-pressed', 'true', live);
		await expect(people(page)).toContainText(doneCount(1, 1), live);
	} finally {
		await context.close();
	}
});

test('private writing: the facilitator sees each person’s count as they write, phones never log unknown messages', async ({
	page,
	browser
}) => {
	const { code } = await newWorkshop(page);
	const nameA = unique('Aino');
	const a = await joinOnPhone(browser, code, nameA);
	const b = await joinOnPhone(browser, code, unique('Bea'));
	const errors: string[] = [];
	for (const phonePage of [a.page, b.page]) phonePage.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
	try {
		await nextPhase(page);
		await button(page, 'live_private_on').click();
		await expect(a.page.getByText(t('fi', 'live_private_composer_hint'))).toBeVisible(live);
		const panel = people(page);
		await expect(panel).toContainText(t('fi', 'live_people_private_total', { count: 0 }), live);

		const secret = unique('Salainen');
		await addNote(a.page, `${secret} 1`);
		await expect(composer(a.page).getByRole('textbox')).toHaveValue('', live);
		await addNote(a.page, `${secret} 2`);
		const rowA = panel.getByRole('listitem').filter({ hasText: nameA });
		await expect(rowA).toContainText(t('fi', 'live_people_private_count', { count: 2 }), live);
		await expect(panel).toContainText(t('fi', 'live_people_private_total', { count: 2 }));
		// Counts only: the facilitator's board does not show the notes, and phones get no counts at all.
		await expect(noteItem(page, secret)).toHaveCount(0);
		await expect(b.page.getByText(t('fi', 'live_people_private_total', { count: 2 }))).toHaveCount(0);
		await expect(people(b.page)).toHaveCount(0);

		await button(page, 'live_private_off').click();
		await expect(a.page.getByText(t('fi', 'live_private_composer_hint'))).toHaveCount(0, live);
		await expect(panel).not.toContainText(t('fi', 'live_people_private_total', { count: 2 }), live);
		expect(errors.filter((text) => text.includes('Unable to compute message'))).toEqual([]);
	} finally {
		await a.context.close();
		await b.context.close();
	}
});

test('+1 reactions on a note: toggled by each person, counted on every phone, not a vote', async ({ page, browser }) => {
	const { code } = await newWorkshop(page);
	const a = await joinOnPhone(browser, code, unique('A'));
	const b = await joinOnPhone(browser, code, unique('B'));
	try {
		await nextPhase(page);
		const text = unique('Kahvila nuorille');
		await addNote(a.page, text);
		const plusOne = (screen: Page, count: number) =>
			noteItem(screen, text).getByRole('button', { name: t('fi', 'live_reaction_label', { target: text, count }), exact: true });

		await plusOne(a.page, 0).click();
		await expect(plusOne(a.page, 1)).toHaveAttribute('aria-pressed', 'true', live);
		await expect(plusOne(b.page, 1)).toHaveAttribute('aria-pressed', 'false', live);
		await plusOne(b.page, 1).click();
		for (const screen of [a.page, b.page, page]) await expect(plusOne(screen, 2)).toBeVisible(live);
		await expect(plusOne(b.page, 2)).toHaveAttribute('aria-pressed', 'true');
		await expect(plusOne(b.page, 2)).toBeFocused();

		// Taken back by its author only.
		await plusOne(a.page, 2).click();
		for (const screen of [a.page, b.page]) await expect(plusOne(screen, 1)).toBeVisible(live);
		await expect(plusOne(a.page, 1)).toHaveAttribute('aria-pressed', 'false');
		await expect(plusOne(b.page, 1)).toHaveAttribute('aria-pressed', 'true');
		await expectAccessible(a.page, 'a note with a reaction');

		// The lock makes the board read-only: the count stays, the button cannot be pressed.
		await button(page, 'live_lock').click();
		await expect(plusOne(a.page, 1)).toBeDisabled(live);
		await expect(plusOne(b.page, 1)).toHaveAttribute('aria-pressed', 'true', live);
	} finally {
		await a.context.close();
		await b.context.close();
	}
});
