// Helpers for specs that run a live workshop: a facilitator on a laptop creating a fresh workshop (two lanes,
// an ideas and a voting phase) and guests joining on 360 px phones, each in their own browser context.
import type { Browser, BrowserContext, Locator, Page } from '@playwright/test';
import { expect, goto, newContext, postForm, signInAs, unique } from './fixtures';
import { t } from './messages';

export const phone = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true };
export const live = { timeout: 10_000 };

export const lanes = { first: 'Ensimmäinen kaista', second: 'Toinen kaista' };
export const phases = { ideas: 'Ideointi', voting: 'Äänestys' };

export const online = (page: Page) => page.getByRole('status').filter({ hasText: t('fi', 'board_status_online') });
export const composer = (page: Page) => page.getByRole('region', { name: t('fi', 'board_composer_title'), exact: true });
export const composerText = (page: Page) => composer(page).getByLabel(t('fi', 'board_composer_text'), { exact: true });
export const banner = (page: Page) => page.getByRole('region', { name: t('fi', 'live_banner_label'), exact: true });
export const countdown = (page: Page) => page.getByTestId('countdown');
export const noteItem = (scope: Page | Locator, text: string) => scope.locator('li.note').filter({ hasText: text });
export const button = (scope: Page | Locator, key: string, suffix = '') =>
	scope.getByRole('button', { name: `${t('fi', key)}${suffix}`, exact: true });

type PhaseKind = 'orientation' | 'ideas' | 'grouping' | 'voting' | 'canvas' | 'commitments';
const defaultPhases: [PhaseKind, string, number][] = [
	['ideas', phases.ideas, 20],
	['voting', phases.voting, 10]
];

/**
 * Signs the demo facilitator in, creates a fresh workshop (two lanes, an ideas and a voting phase) and opens its board.
 * `title` replaces the default one (a unique suffix is added); `phases` the agenda ([kind, title, minutes]);
 * `question` is the first lane's.
 */
export async function newWorkshop(
	page: Page,
	options: { title?: string; phases?: [PhaseKind, string, number][]; question?: string } = {}
): Promise<{ id: string; code: string }> {
	await signInAs(page, 'facilitator');
	const response = await postForm(page.request, '/workshops/new', {
		title: options.title ? `${options.title} ${unique('')}` : unique('Live-työpaja'),
		theme: 'Fasilitoinnin testi',
		description: '',
		startsAt: '',
		coFacilitators: '',
		'perspectives.0.id': '',
		'perspectives.0.title': lanes.first,
		'perspectives.0.description': options.question ?? '',
		'perspectives.1.id': '',
		'perspectives.1.title': lanes.second,
		'perspectives.1.description': '',
		...Object.fromEntries(
			(options.phases ?? defaultPhases).flatMap(([kind, title, minutes], index) => [
				[`phases.${index}.kind`, kind],
				[`phases.${index}.title`, title],
				[`phases.${index}.durationMinutes`, String(minutes)]
			])
		)
	});
	expect(response.status(), 'creating a workshop redirects to its page').toBe(303);
	const id = /^\/workshops\/([^/?#]+)$/.exec(response.headers()['location'] ?? '')![1]!;
	await goto(page, `/workshops/${id}`);
	const code = (await page.locator('main .join-code').textContent())!.trim();
	await goto(page, `/workshops/${id}/board`);
	await expect(online(page)).toBeVisible(live);
	return { id, code };
}

/**
 * A guest joins on a new phone. With `clock`, the phone runs on Playwright's clock: time flows as usual until the
 * test moves it on (`page.clock.runFor`), so a test can see what minutes do without waiting for them.
 */
export async function joinOnPhone(
	browser: Browser,
	code: string,
	name: string,
	options: { clock?: boolean } = {}
): Promise<{ context: BrowserContext; page: Page }> {
	const context = await newContext(browser, phone);
	if (options.clock) await context.clock.install();
	const page = await context.newPage();
	await goto(page, `/w/${code}`);
	await page.getByLabel(t('fi', 'join_name'), { exact: true }).fill(name);
	await page.getByRole('button', { name: t('fi', 'join_submit'), exact: true }).click();
	await expect(page).toHaveURL(/\/workshops\/[^/]+\/board$/);
	await expect(online(page)).toBeVisible(live);
	return { context, page };
}

/** Moves the agenda on one phase and waits until the cockpit shows it (the next click reads the new phase). */
export async function nextPhase(page: Page) {
	const current = page.locator('.cockpit-current');
	const before = (await current.textContent()) ?? '';
	await button(page, 'live_phase_next', ' →').click();
	await expect(current).not.toHaveText(before, live);
}

/** On a phone, opens a tab of the board: a lane's (by its title) or the idea cards'. A laptop shows them all. */
export async function showTab(page: Page, title = t('fi', 'board_ideas_title')) {
	if (page.viewportSize()!.width >= 640) return;
	await page.getByRole('tab', { name: new RegExp(`^${title} `) }).click();
}

/** Writes a note, into `lane` when given: a laptop picks it in the composer, a phone opens its tab. */
export async function addNote(page: Page, text: string, lane?: string) {
	if (lane && page.viewportSize()!.width < 640) await page.getByRole('tab', { name: new RegExp(`^${lane} `) }).click();
	else if (lane) await composer(page).getByLabel(t('fi', 'board_composer_lane'), { exact: true }).selectOption({ label: lane });
	await composerText(page).fill(text);
	await button(composer(page), 'board_composer_submit').click();
	await expect(noteItem(page, text)).toBeVisible();
}

