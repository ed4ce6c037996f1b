// Running a workshop live (/workshops/{id}/board cockpit and /workshops/{id}/present): a facilitator on a laptop
// and guests on 360 px phones, each in their own browser context, through the production server's collab
// endpoint. Every test creates its own workshop, so changing its phase, lock or timer affects no other spec.
import type { Page } from '@playwright/test';
import { expect, expectAccessible, goto, newContext, postForm, signInAs, test, unique } from './fixtures';
import {
	addNote,
	banner,
	button,
	composer,
	composerText,
	countdown,
	joinOnPhone,
	lanes,
	live,
	newWorkshop,
	nextPhase,
	noteItem,
	online,
	phases
} from './live-workshop';
import { t } from './messages';

test.describe.configure({ timeout: 90_000 });

/** What the board has said politely (its live region for others' changes). */
const said = (page: Page) => page.locator('.board [aria-live="polite"]');

const seconds = (clock: string) => {
	const [minutes, secs] = clock.trim().split(':').map(Number);
	return minutes! * 60 + secs!;
};

test('phase changes and the shared timer reach both phones live', async ({ page, browser }) => {
	const { code } = await newWorkshop(page);
	const a = await joinOnPhone(browser, code, unique('A'), { clock: true });
	const b = await joinOnPhone(browser, code, unique('B'));
	try {
		for (const phonePage of [a.page, b.page]) {
			await expect(banner(phonePage)).toContainText(t('fi', 'live_phase_none'));
		}
		// By keyboard: after each action the focus stays on the control used (SvelteKit would move it to the page's start).
		await button(page, 'live_phase_next', ' →').focus();
		await page.keyboard.press('Enter');
		await expect(page.locator('.cockpit-current')).toHaveText(phases.ideas, live);
		await expect(button(page, 'live_phase_next', ' →')).toBeFocused();
		for (const phonePage of [a.page, b.page]) {
			await expect(banner(phonePage)).toContainText(phases.ideas, live);
			await expect(banner(phonePage)).toContainText(t('fi', 'live_phase_ask_ideas'));
			// The phase's timer is set but has not run yet: not "paused".
			await expect(banner(phonePage)).toContainText(t('fi', 'live_timer_not_started_state'));
		}

		await button(page, 'live_timer_start').focus();
		await page.keyboard.press('Enter');
		await expect(button(page, 'live_timer_pause')).toBeVisible(live);
		await expect(button(page, 'live_timer_pause')).toBeFocused();
		await expect(countdown(a.page)).not.toHaveText('20:00', live);
		const [left, right] = await Promise.all([countdown(a.page).textContent(), countdown(b.page).textContent()]);
		expect(Math.abs(seconds(left!) - seconds(right!)), `${left} vs ${right}`).toBeLessThanOrEqual(2);
		expect(seconds(left!)).toBeGreaterThan(19 * 60);

		await button(page, 'live_timer_pause').click();
		for (const phonePage of [a.page, b.page]) {
			await expect(banner(phonePage)).toContainText(t('fi', 'live_timer_paused_state'), live);
		}
		const paused = await countdown(a.page).textContent();
		// Five seconds pass on the phone (its timers fire, its clock moves on): a paused countdown stays put.
		await a.page.clock.runFor(5_000);
		await expect(countdown(a.page)).toHaveText(paused!);

		// The voting phase forbids new notes: the composer says so.
		await nextPhase(page);
		await expect(banner(a.page)).toContainText(phases.voting, live);
		await expect(composer(a.page)).toContainText(t('fi', 'live_composer_blocked_phase', { phase: phases.voting }), live);
		await expect(composerText(a.page)).toBeDisabled();
		await expectAccessible(a.page, 'phone in the voting phase');
		await expectAccessible(page, 'cockpit');
	} finally {
		await a.context.close();
		await b.context.close();
	}
});

test('locking the board disables a participant’s composer and says why', async ({ page, browser }) => {
	const { code } = await newWorkshop(page);
	const a = await joinOnPhone(browser, code, unique('A'));
	try {
		await expect(composerText(a.page)).toBeEnabled();
		const privateWriting = button(page, 'live_private_on');
		const before = await privateWriting.boundingBox();
		await button(page, 'live_lock').click();
		await expect(button(page, 'live_unlock')).toBeVisible(live);
		// The button now says what a press does, and the bar's controls after it stayed where they were.
		await expect(button(page, 'live_lock')).toHaveCount(0);
		expect(await privateWriting.boundingBox()).toEqual(before);
		await expect(a.page.getByText(t('fi', 'live_locked_notice'))).toBeVisible(live);
		await expect(composer(a.page)).toContainText(t('fi', 'live_composer_blocked_locked'));
		await expect(composerText(a.page)).toBeDisabled();
		await expect(said(a.page)).toContainText(t('fi', 'live_announce_locked'));
		await expectAccessible(a.page, 'locked board on a phone');

		await button(page, 'live_unlock').click();
		await expect(composerText(a.page)).toBeEnabled(live);
		await expect(said(a.page)).toContainText(t('fi', 'live_announce_unlocked'));
	} finally {
		await a.context.close();
	}
});

test('private notes stay off other phones until the reveal', async ({ page, browser }) => {
	const { code } = await newWorkshop(page);
	const a = await joinOnPhone(browser, code, unique('A'));
	const b = await joinOnPhone(browser, code, unique('B'));
	try {
		await nextPhase(page);
		await expect(banner(a.page)).toContainText(phases.ideas, live);
		await button(page, 'live_private_on').click();
		await expect(a.page.getByText(t('fi', 'live_private_composer_hint'))).toBeVisible(live);
		await expect(said(b.page)).toContainText(t('fi', 'live_announce_private_on'));

		const secret = unique('Salainen idea');
		await addNote(a.page, secret);
		const privateArea = (phonePage: Page) =>
			phonePage.getByRole('region', { name: t('fi', 'live_private_notes_title'), exact: true });
		await expect(privateArea(a.page)).toContainText(secret, live);
		await expectAccessible(a.page, 'private writing on a phone');

		// B's board (and B's document) does not have it, though the server has it and B has heard from the server
		// since: A's second screen loads the note from the server, then B sees the timer the facilitator starts after.
		const secondScreen = await a.context.newPage();
		await goto(secondScreen, new URL(a.page.url()).pathname);
		await expect(privateArea(secondScreen)).toContainText(secret, live);
		await secondScreen.close();
		await button(page, 'live_timer_start').click();
		await expect(b.page.locator('.countdown[data-running="true"]')).toBeVisible(live);
		await expect(noteItem(b.page, secret)).toHaveCount(0);
		expect(await b.page.content()).not.toContain(secret);
		await expect(noteItem(page, secret)).toHaveCount(0);

		await button(page, 'live_reveal').click();
		await page.getByRole('dialog').getByRole('button', { name: t('fi', 'live_reveal_confirm_button'), exact: true }).click();
		await expect(noteItem(b.page, secret)).toBeVisible(live);
		await expect(said(b.page)).toContainText(t('fi', 'live_announce_revealed'));
		await expect(noteItem(page, secret)).toBeVisible(live);
		await expect(noteItem(a.page, secret)).toBeVisible(live);
	} finally {
		await a.context.close();
		await b.context.close();
	}
});

test('"bring everyone here" is announced and offered, never pulling anyone from their writing', async ({ page, browser }) => {
	const { code } = await newWorkshop(page);
	const a = await joinOnPhone(browser, code, unique('A'));
	try {
		// A is in the middle of a note when the facilitator brings everyone to the second lane.
		const draft = 'Puolivalmis ajatus';
		await composerText(a.page).fill(draft);
		await page
			.getByRole('button', { name: t('fi', 'live_focus_lane_label', { title: lanes.second }), exact: true })
			.click();
		const offer = t('fi', 'live_focus_offer', { target: lanes.second });
		await expect(a.page.locator('[aria-live="polite"]').filter({ hasText: offer })).toHaveCount(1, live);
		await expect(a.page.locator('.focus-offer').getByText(offer, { exact: true })).toBeVisible();
		// Nothing moved under A's fingers: the note being written keeps the focus and its text.
		await expect(composerText(a.page)).toBeFocused();
		await expect(composerText(a.page)).toHaveValue(draft);

		// A goes there when ready: the lane's tab opens and its heading takes the focus.
		await a.page.getByRole('button', { name: t('fi', 'live_focus_go'), exact: true }).click();
		const heading = a.page.getByRole('heading', { name: lanes.second, exact: true });
		await expect(heading).toBeFocused();
		await expect(heading).toBeInViewport();
		await expect(a.page.getByRole('tab', { name: new RegExp(`^${lanes.second} `) })).toHaveAttribute('aria-selected', 'true');
		await expect(a.page.locator('.focus-offer')).toHaveCount(0);
		await expect(composerText(a.page)).toHaveValue(draft);
	} finally {
		await a.context.close();
	}
});

test('present mode shows the join code and QR, then the phase and the timer, at 1920×1080', async ({ page, browser }) => {
	const { id, code } = await newWorkshop(page);
	const projector = await newContext(browser, { viewport: { width: 1920, height: 1080 } });
	try {
		const screen = await projector.newPage();
		await signInAs(screen, 'facilitator');
		await goto(screen, `/workshops/${id}/present`);
		await expect(screen.locator('.present-code')).toHaveText(code);
		await expect(screen.getByRole('img', { name: /\/w\// })).toBeVisible();
		const codeSize = await screen.locator('.present-code').evaluate((element) => parseFloat(getComputedStyle(element).fontSize));
		expect(codeSize).toBeGreaterThanOrEqual(96);
		await expectAccessible(screen, 'present mode while joining');

		await nextPhase(page);
		await button(page, 'live_timer_start').click();
		await expect(banner(screen)).toContainText(phases.ideas, live);
		await expect(countdown(screen)).toHaveText(/^(20:00|19:[0-5]\d)$/, live);
		const timerSize = await countdown(screen).evaluate((element) => parseFloat(getComputedStyle(element).fontSize));
		expect(timerSize).toBeGreaterThanOrEqual(96);
		await expect(screen.getByRole('heading', { name: lanes.first, exact: true })).toBeVisible();
		await expectAccessible(screen, 'present mode during a phase');
		await expect(screen.getByRole('link', { name: t('fi', 'live_present_back'), exact: true })).toHaveAttribute(
			'href',
			`/workshops/${id}/board`
		);
	} finally {
		await projector.close();
	}
});

test('only the workshop’s facilitators run it, and bad input gets a translated message', async ({ page, browser }) => {
	const { id, code } = await newWorkshop(page);
	const a = await joinOnPhone(browser, code, unique('A'));
	try {
		// A participant cannot lock the board, even by posting the form themselves.
		const refused = await postForm(a.page.request, `/workshops/${id}/board?/setLocked`, { locked: 'true' });
		expect(refused.status(), 'a participant posting a cockpit action').not.toBe(200);
		await page.reload();
		await expect(online(page)).toBeVisible(live);
		await expect(button(page, 'live_lock')).toBeVisible();
		await expect(composerText(a.page)).toBeEnabled();

		const bad = await postForm(page.request, `/workshops/${id}/board?/timer`, { op: 'rewind' });
		expect(bad.status()).toBe(400);
		expect(await bad.text()).toContain(t('fi', 'live_invalid_input'));
	} finally {
		await a.context.close();
	}
});
