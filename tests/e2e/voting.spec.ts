// A vote round end to end: a facilitator on a laptop and three participants on phones, each in their own
// browser context. A hidden dot vote, its refusals, the live turnout, the reveal, a chosen idea gaining its
// canvas, and the workshop's exports.
import type { Page } from '@playwright/test';
import { expect, expectAccessible, goto, test, unique } from './fixtures';
import { addNote, button, joinOnPhone, lanes, live, newWorkshop, nextPhase, noteItem, phases } from './live-workshop';
import { t } from './messages';

test.describe.configure({ timeout: 120_000 });

const panelOf = (page: Page, method: 'vote_method_dot' | 'vote_method_ranking' | 'vote_method_rating') =>
	page.getByRole('region', { name: new RegExp(t('fi', 'vote_panel_title', { method: t('fi', method) })) });
const panel = (page: Page) => panelOf(page, 'vote_method_dot');
const addPoint = (page: Page, item: string) => page.getByRole('button', { name: t('fi', 'vote_add_point', { item }), exact: true });
const takePoint = (page: Page, item: string) => page.getByRole('button', { name: t('fi', 'vote_take_point', { item }), exact: true });
const pointsLeft = (page: Page, left: number, budget: number) => panel(page).getByText(t('fi', 'vote_points_left', { left, budget }));

test('a hidden dot vote: refusals, live turnout, reveal, a chosen idea with its canvas, and the exports', async ({ page, browser }) => {
	const { id, code } = await newWorkshop(page);
	const people = await Promise.all(['Aino', 'Bo', 'Cecilia'].map((name) => joinOnPhone(browser, code, unique(name))));
	const [aino, bo, cecilia] = people.map((person) => person.page) as [Page, Page, Page];
	const texts = { clubs: unique('Kerhot kouluille'), jobs: unique('Kesätyöt nuorille'), adults: unique('Turvallinen aikuinen') };
	try {
		await addNote(aino, texts.clubs);
		await addNote(bo, texts.jobs);
		await addNote(cecilia, texts.adults);
		await expect(noteItem(page, texts.adults)).toBeVisible(live);
		// The agenda moves on to its voting phase (ideas, then voting).
		await nextPhase(page);
		await nextPhase(page);
		await expect(page.locator('.cockpit-current')).toHaveText(phases.voting, live);

		// The facilitator opens a hidden dot vote over the first lane: 3 points each, at most 2 per item.
		await goto(page, `/workshops/${id}/votes`);
		await expect(page.getByText(t('fi', 'votes_history_empty'))).toBeVisible();
		await page.getByLabel(t('fi', 'votes_scope_lane'), { exact: true }).check();
		await page.getByLabel(t('fi', 'votes_lane_label'), { exact: true }).selectOption({ label: `${lanes.first} (3)` });
		await page.getByLabel(t('fi', 'votes_budget_label'), { exact: true }).fill('3');
		await page.getByLabel(t('fi', 'votes_cap_label'), { exact: true }).fill('2');
		await page.getByLabel(t('fi', 'votes_option_hidden'), { exact: true }).check();
		await expectAccessible(page, 'opening a vote');
		await page.getByRole('button', { name: t('fi', 'votes_open_submit'), exact: true }).click();
		await expect(page).toHaveURL(new RegExp(`/workshops/${id}/board$`));

		// Every phone gets the round without a reload.
		for (const phone of [aino, bo, cecilia]) await expect(pointsLeft(phone, 3, 3)).toBeVisible(live);
		await expectAccessible(aino, 'voting on a phone');
		// Votes travel on the board's socket: no HTTP request per tap (counted below).
		const votePosts = new Map<Page, number>();
		for (const phone of [aino, bo, cecilia])
			phone.on('request', (request) => {
				if (request.method() === 'POST' && /\?\/vote$/.test(request.url())) votePosts.set(phone, (votePosts.get(phone) ?? 0) + 1);
			});

		await addPoint(aino, texts.clubs).click();
		await expect(pointsLeft(aino, 2, 3)).toBeVisible(live);
		await addPoint(aino, texts.clubs).click();
		await expect(pointsLeft(aino, 1, 3)).toBeVisible(live);
		// Over the cap: refused with a message, nothing changes.
		await addPoint(aino, texts.clubs).click();
		await expect(panel(aino).getByRole('alert')).toHaveText(t('fi', 'vote_refused_cap', { cap: 2 }), live);
		await expect(pointsLeft(aino, 1, 3)).toBeVisible();
		// Keyboard: the last point with Enter, then over budget.
		await addPoint(aino, texts.jobs).focus();
		await aino.keyboard.press('Enter');
		await expect(pointsLeft(aino, 0, 3)).toBeVisible(live);
		await addPoint(aino, texts.adults).click();
		await expect(panel(aino).getByRole('alert')).toHaveText(t('fi', 'vote_refused_budget'), live);
		// Taking a point back frees it.
		await takePoint(aino, texts.jobs).click();
		await expect(pointsLeft(aino, 1, 3)).toBeVisible(live);

		expect(votePosts.get(aino) ?? 0).toBe(0);

		// A socket that never answers votes (a proxy dropping them): after a wait the same vote goes as a form, once.
		await bo.routeWebSocket(/\/collab\//, (socket) => {
			const server = socket.connectToServer();
			socket.onMessage((message) => {
				if (typeof message !== 'string' && message[0] === 103) return;
				server.send(message);
			});
		});
		await bo.reload();
		await expect(pointsLeft(bo, 3, 3)).toBeVisible(live);
		await addPoint(bo, texts.jobs).click();
		// While the vote waits for an answer, the panel says it is being saved; the answer clears it.
		const saving = panel(bo).getByRole('status').filter({ hasText: t('fi', 'saving') });
		await expect(saving).toBeVisible();
		await expect(pointsLeft(bo, 2, 3)).toBeVisible(live);
		await expect(saving).toHaveCount(0);
		expect(votePosts.get(bo)).toBe(1);
		await addPoint(cecilia, texts.clubs).click();
		await expect(pointsLeft(cecilia, 2, 3)).toBeVisible(live);

		// The facilitator sees turnout, not the hidden results.
		await expect(panel(page).getByText(t('fi', 'vote_turnout', { voters: 3, present: 4 }))).toBeVisible(live);
		await expect(panel(page).getByText(t('fi', 'vote_results_hidden'))).toBeVisible();
		await expect(panel(page).getByRole('table')).toHaveCount(0);
		await expectAccessible(page, 'board with an open vote');

		// Closing asks first; cancelling keeps the round open.
		await button(panel(page), 'vote_close').click();
		const confirmClose = page.getByRole('dialog', { name: t('fi', 'vote_close_confirm') });
		await expect(confirmClose).toBeVisible();
		await button(confirmClose, 'cancel').click();
		await expect(confirmClose).toBeHidden();
		await expect(panel(page).getByText(t('fi', 'vote_status_open'), { exact: true })).toBeVisible();
		await button(panel(page), 'vote_close').click();
		await button(confirmClose, 'vote_close').click();
		await expect(panel(aino).getByText(t('fi', 'vote_status_closed'))).toBeVisible(live);
		await expect(addPoint(aino, texts.clubs)).toHaveCount(0);
		await button(panel(page), 'vote_reveal').click();

		// The results reach the phones live: Kerhot 3 points first, Kesätyöt 1, the third none.
		for (const phone of [page, bo]) {
			const table = panel(phone).getByRole('table');
			await expect(table).toBeVisible(live);
			await expect(table.getByRole('row').nth(1)).toContainText(texts.clubs);
			await expect(table.getByRole('row').nth(1)).toContainText('3');
			await expect(table.getByRole('row').nth(2)).toContainText(texts.jobs);
		}
		// The chart's labels keep a readable size on a phone (the chart is drawn at the phone's width, not shrunk).
		const labelHeight = await panel(bo).locator('svg.bars text.label').first().evaluate((label) => label.getBoundingClientRect().height);
		expect(labelHeight, 'a chart label on a 360 px phone, in px').toBeGreaterThanOrEqual(14);
		await expectAccessible(bo, 'revealed results on a phone');

		// The projector shows them too, during the voting phase.
		const screen = await page.context().newPage();
		await screen.setViewportSize({ width: 1920, height: 1080 });
		await goto(screen, `/workshops/${id}/present`);
		await expect(screen.getByRole('table')).toContainText(texts.clubs, live);
		await expectAccessible(screen, 'results on the projector');
		await screen.close();

		// The winner is chosen for refinement and gains an idea card with the experiment canvas.
		await goto(page, `/workshops/${id}/votes`);
		await page.getByRole('group', { name: t('fi', 'votes_choose_legend') }).getByRole('checkbox', { name: new RegExp(texts.clubs) }).check();
		await page.getByRole('button', { name: t('fi', 'votes_choose_submit'), exact: true }).click();
		await expect(page.getByText(t('fi', 'vote_chosen_done', { count: 1, created: 1 }))).toBeVisible(live);
		await expectAccessible(page, 'vote history with results');
		const card = aino.getByRole('article', { name: t('fi', 'board_idea_heading', { title: texts.clubs }), exact: true });
		await expect(card).toBeVisible(live);
		await expect(card.getByLabel(t('fi', 'board_canvas_hypothesis'), { exact: true })).toBeVisible();

		// The print report: the round's results as a chart with its table, the chosen idea with its canvas.
		await goto(cecilia, `/workshops/${id}/report`);
		await expect(cecilia.getByRole('heading', { level: 2, name: t('fi', 'report_chosen_title') })).toBeVisible();
		await expect(cecilia.getByRole('table').filter({ hasText: texts.jobs })).toBeVisible();
		await expectAccessible(cecilia, 'the workshop report');
		const download = cecilia.waitForEvent('download');
		await cecilia.getByRole('link', { name: t('fi', 'report_download_csv'), exact: true }).click();
		expect((await download).suggestedFilename()).toMatch(/\.csv$/);

		// The exports: a participant may download them and they carry the votes and the choice.
		const csv = await aino.request.get(`/workshops/${id}/export.csv`);
		expect(csv.status()).toBe(200);
		const csvText = await csv.text();
		expect(csvText).toContain(texts.clubs);
		expect(csvText.split('\r\n').find((line) => line.includes(texts.clubs))).toMatch(/;3;1;|,3,1,/);
		const md = await page.request.get(`/workshops/${id}/export.md`);
		expect(md.status()).toBe(200);
		const mdText = await md.text();
		expect(mdText).toContain(texts.clubs);
		expect(mdText).toContain(lanes.first);
	} finally {
		for (const person of people) await person.context.close();
	}
});

test('ranking by keyboard and a two-criteria rating, with the impact × feasibility matrix', async ({ page, browser }) => {
	const { id, code } = await newWorkshop(page);
	const phone = await joinOnPhone(browser, code, unique('Dora'));
	const texts = [unique('Läksykerho'), unique('Harrastuspassi'), unique('Nuorisotalo')];
	try {
		for (const text of texts) await addNote(phone.page, text);
		await expect(noteItem(page, texts[2]!)).toBeVisible(live);

		const openRound = async (method: 'vote_method_ranking' | 'vote_method_rating', replacing = false) => {
			await goto(page, `/workshops/${id}/votes`);
			await page.getByLabel(t('fi', method), { exact: true }).check();
			await page.getByLabel(t('fi', 'votes_scope_lane'), { exact: true }).check();
			await page.getByRole('button', { name: t('fi', 'votes_open_submit'), exact: true }).click();
			// A round still open is closed by the new one: the facilitator is asked first.
			if (replacing) await button(page.getByRole('dialog', { name: t('fi', 'votes_open_replaces_confirm') }), 'votes_open_submit').click();
			await expect(page).toHaveURL(new RegExp(`/workshops/${id}/board$`));
		};

		await openRound('vote_method_ranking');
		const rankPanel = phone.page.getByRole('region', { name: new RegExp(t('fi', 'vote_method_ranking')) });
		await expect(rankPanel.getByText(t('fi', 'vote_ranking_hint', { count: 3 }))).toBeVisible(live);
		// Keyboard only: add two items, then move the second above the first.
		for (const text of [texts[0]!, texts[1]!]) {
			await rankPanel.getByRole('button', { name: t('fi', 'vote_rank_add', { item: text }), exact: true }).focus();
			await phone.page.keyboard.press('Enter');
		}
		await rankPanel.getByRole('button', { name: t('fi', 'vote_rank_up', { item: texts[1]! }), exact: true }).focus();
		await phone.page.keyboard.press('Enter');
		await expect(rankPanel.getByRole('list', { name: t('fi', 'vote_my_ranking') }).getByRole('listitem')).toHaveText([texts[1]!, texts[0]!].map((text) => new RegExp(text)));
		await expectAccessible(phone.page, 'ranking on a phone');
		await rankPanel.getByRole('button', { name: t('fi', 'vote_ranking_submit'), exact: true }).click();
		await expect(panelOf(page, 'vote_method_ranking').getByText(t('fi', 'vote_turnout', { voters: 1, present: 2 }))).toBeVisible(live);
		// Results are not hidden in this round: Borda gives the first place 3 points, the second 2.
		const table = panelOf(page, 'vote_method_ranking').getByRole('table');
		await expect(table.getByRole('row').nth(1)).toContainText(texts[1]!, live);
		await expect(table.getByRole('row').nth(1)).toContainText('3');

		await openRound('vote_method_rating', true);
		const ratePanel = phone.page.getByRole('region', { name: new RegExp(t('fi', 'vote_method_rating')) });
		const item = ratePanel.getByRole('listitem').filter({ hasText: texts[2]! });
		await expect(item).toBeVisible(live);
		await item.getByLabel(t('fi', 'vote_impact')).selectOption('5');
		await item.getByLabel(t('fi', 'vote_feasibility')).selectOption('4');
		await item.getByRole('button', { name: t('fi', 'vote_rating_submit'), exact: true }).click();
		await expect(item.getByText(t('fi', 'vote_rating_saved'))).toBeVisible(live);
		await expectAccessible(phone.page, 'rating on a phone');
		const matrix = panelOf(page, 'vote_method_rating');
		await expect(matrix.getByRole('table').getByRole('row').nth(1)).toContainText(texts[2]!, live);
		await expect(matrix.getByRole('table').getByRole('row').nth(1)).toContainText('5');
		await expectAccessible(page, 'rating results with the matrix');
	} finally {
		await phone.context.close();
	}
});
