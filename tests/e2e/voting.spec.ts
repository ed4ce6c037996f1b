// A vote round end to end: a facilitator on a laptop, three participants and an observer on phones, each in their
// own browser context. A hidden dot vote, its refusals, the live turnout (participants only), the announcements,
// focus after every action, the reveal, a chosen idea gaining its canvas, and the workshop's exports.
import type { Page } from '@playwright/test';
import ExcelJS from 'exceljs';
import { expect, expectAccessible, expectNoHorizontalScroll, goto, test, unique } from './fixtures';
import { addNote, button, joinOnPhone, lanes, live, newWorkshop, nextPhase, noteItem, online, phases, showTab } from './live-workshop';
import { t } from './messages';

test.describe.configure({ timeout: 120_000 });

const panelOf = (page: Page, method: 'vote_method_dot' | 'vote_method_ranking' | 'vote_method_rating') =>
	page.getByRole('region', { name: new RegExp(t('fi', 'vote_panel_title', { method: t('fi', method) })) });
const panel = (page: Page) => panelOf(page, 'vote_method_dot');
const addPoint = (page: Page, item: string) => page.getByRole('button', { name: t('fi', 'vote_add_point', { item }), exact: true });
const takePoint = (page: Page, item: string) => page.getByRole('button', { name: t('fi', 'vote_take_point', { item }), exact: true });
const pointsLeft = (page: Page, left: number, budget: number) => panel(page).getByText(t('fi', 'vote_points_left', { left, budget }));
/** The panel's status line says what just happened to the round, politely (an aria-live region). */
async function expectNews(page: Page, key: string) {
	const line = panel(page).getByText(t('fi', key), { exact: true });
	await expect(line).toBeVisible(live);
	await expect(line).toHaveAttribute('aria-live', 'polite');
}
/** Focus is somewhere real (not the page's <body>) after an action. */
const focusKept = (page: Page) => expect.poll(() => page.evaluate(() => document.activeElement !== document.body && document.activeElement !== null)).toBe(true);

test('a hidden dot vote: refusals, live turnout, reveal, a chosen idea with its canvas, and the exports', async ({ page, browser }) => {
	const { id, code } = await newWorkshop(page);
	const oona = unique('Oona');
	const people = await Promise.all([...['Aino', 'Bo', 'Cecilia'].map(unique), oona].map((name) => joinOnPhone(browser, code, name)));
	const [aino, bo, cecilia, observer] = people.map((person) => person.page) as [Page, Page, Page, Page];
	const texts = { clubs: unique('Kerhot kouluille'), jobs: unique('Kesätyöt nuorille'), adults: unique('Turvallinen aikuinen') };
	try {
		await addNote(aino, texts.clubs);
		await addNote(bo, texts.jobs);
		await addNote(cecilia, texts.adults);
		await expect(noteItem(page, texts.adults)).toBeVisible(live);
		// Oona only watches: the facilitator makes her an observer. Neither she nor the facilitator votes.
		await goto(page, `/workshops/${id}`);
		const row = page.getByRole('row').filter({ hasText: oona });
		await row.getByRole('button', { name: t('fi', 'participant_make_observer'), exact: true }).click();
		await expect(row.getByRole('button', { name: t('fi', 'participant_make_participant'), exact: true })).toBeVisible();
		await goto(page, `/workshops/${id}/board`);
		await expect(online(page)).toBeVisible(live);
		await observer.reload();
		await expect(online(observer)).toBeVisible(live);
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

		// Every phone gets the round without a reload, and is told politely that it opened.
		for (const phone of [aino, bo, cecilia]) await expect(pointsLeft(phone, 3, 3)).toBeVisible(live);
		await expectNews(aino, 'vote_news_open_voter');
		// The observer and the facilitator get no ballot.
		await expect(panel(observer).getByText(t('fi', 'vote_observer_note'))).toBeVisible(live);
		await expect(addPoint(observer, texts.clubs)).toHaveCount(0);
		await expect(addPoint(page, texts.clubs)).toHaveCount(0);
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
		// Keyboard: the last point with Enter. The budget is spent: every "+" is disabled and says why, and focus
		// moves from the disabled "+" to the "−" beside it, not to the page.
		await addPoint(aino, texts.jobs).focus();
		await aino.keyboard.press('Enter');
		await expect(pointsLeft(aino, 0, 3)).toBeVisible(live);
		for (const item of Object.values(texts)) await expect(addPoint(aino, item)).toBeDisabled();
		await expect(addPoint(aino, texts.adults)).toHaveAccessibleDescription(t('fi', 'vote_budget_spent_change'));
		await expect(takePoint(aino, texts.jobs)).toBeFocused();
		// Taking a point back frees it; its "−" reaches 0 and is disabled: focus moves to its "+".
		await aino.keyboard.press('Enter');
		await expect(pointsLeft(aino, 1, 3)).toBeVisible(live);
		await expect(takePoint(aino, texts.jobs)).toBeDisabled();
		await expect(addPoint(aino, texts.jobs)).toBeFocused();
		await expect(addPoint(aino, texts.adults)).toBeEnabled();

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

		// The facilitator sees turnout, not the hidden results: every participant has voted, 3 of 3 (the facilitator
		// and the observer on the board are not counted).
		await expect(panel(page).getByText(t('fi', 'vote_turnout', { voters: 3, present: 3 }))).toBeVisible(live);
		await expect(panel(observer).getByText(t('fi', 'vote_turnout', { voters: 3, present: 3 }))).toBeVisible(live);
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
		// The close button gives way to "Julkaise tulokset", which takes the focus.
		await expect(button(panel(page), 'vote_reveal')).toBeFocused(live);
		await expect(panel(aino).getByText(t('fi', 'vote_status_closed'), { exact: true })).toBeVisible(live);
		await expectNews(aino, 'vote_news_closed');
		await expect(addPoint(aino, texts.clubs)).toHaveCount(0);
		await page.keyboard.press('Enter');
		// The reveal button goes too: focus moves to the panel's heading.
		await expect(panel(page).getByRole('heading', { level: 2 })).toBeFocused(live);
		await focusKept(page);
		await expectNews(aino, 'vote_news_revealed');

		// The results reach the phones live: Kerhot 3 points first, Kesätyöt 1, the third none.
		for (const phone of [page, bo]) {
			const table = panel(phone).getByRole('table');
			await expect(table).toBeVisible(live);
			await expect(table.getByRole('row').nth(1)).toContainText(texts.clubs);
			await expect(table.getByRole('row').nth(1)).toContainText('3');
			await expect(table.getByRole('row').nth(2)).toContainText(texts.jobs);
		}
		// The chart's labels keep a readable size on a phone (the chart is drawn at the phone's width, not shrunk).
		const chart = panel(bo).getByRole('img', { name: t('fi', 'vote_results_caption'), exact: true });
		const labelHeight = await chart.getByText(texts.clubs).evaluate((label) => label.getBoundingClientRect().height);
		expect(labelHeight, 'a chart label on a 360 px phone, in px').toBeGreaterThanOrEqual(14);
		await expectAccessible(bo, 'revealed results on a phone');

		// The projector shows them too, during the voting phase.
		const screen = await page.context().newPage();
		await screen.setViewportSize({ width: 1920, height: 1080 });
		await goto(screen, `/workshops/${id}/present`);
		await expect(screen.getByRole('table')).toContainText(texts.clubs, live);
		await expectAccessible(screen, 'results on the projector');
		await screen.close();

		// The winner is chosen for refinement, from the results on the board, and gains an idea card with the
		// experiment canvas; focus stays on the button used.
		await panel(page).getByRole('group', { name: t('fi', 'votes_choose_legend') }).getByRole('checkbox', { name: new RegExp(texts.clubs) }).check();
		await button(panel(page), 'votes_choose_submit').click();
		await expect(panel(page).getByText(t('fi', 'vote_chosen_done', { count: 1, created: 1 }))).toBeVisible(live);
		await expect(button(panel(page), 'votes_choose_submit')).toBeFocused();
		await expect(panel(page).getByRole('table').getByRole('row').nth(1)).toContainText(t('fi', 'report_chart_chosen'), live);
		await expectAccessible(page, 'board with the winner chosen');
		// The votes page shows the same choice.
		await goto(page, `/workshops/${id}/votes`);
		await expect(page.getByRole('group', { name: t('fi', 'votes_choose_legend') }).getByRole('checkbox', { name: new RegExp(texts.clubs) })).toBeChecked();
		await expectAccessible(page, 'vote history with results');
		const card = aino.getByRole('article', { name: t('fi', 'board_idea_heading', { title: texts.clubs }), exact: true });
		await showTab(aino);
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
		// The Excel workbook, read back as Excel would: the items sheet with its frozen header, the chosen idea's canvas.
		const xlsxDownload = cecilia.waitForEvent('download');
		await cecilia.getByRole('link', { name: t('fi', 'report_download_xlsx'), exact: true }).click();
		const xlsx = await xlsxDownload;
		expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/);
		const workbook = new ExcelJS.Workbook();
		await workbook.xlsx.readFile(await xlsx.path());
		expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Kohteet', 'Äänestykset', 'Näkökulmat', 'Organisaatiot', 'Tietokuvaus']);
		const items = workbook.getWorksheet('Kohteet')!;
		expect(items.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
		const headers = (items.getRow(1).values as unknown[]).map(String);
		expect(headers).toContain(t('fi', 'board_canvas_hypothesis'));
		const cells: string[] = [];
		// Row values are 1-based, like the header list read from them.
		items.eachRow((row) => cells.push(String(row.getCell(headers.indexOf(t('fi', 'report_csv_text'))).value)));
		expect(cells).toContain(texts.clubs);

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
		// At the top its "↑" is disabled: focus moves to its "↓", not to the page.
		await expect(rankPanel.getByRole('button', { name: t('fi', 'vote_rank_down', { item: texts[1]! }), exact: true })).toBeFocused();
		await expect(rankPanel.getByRole('list', { name: t('fi', 'vote_my_ranking') }).getByRole('listitem')).toHaveText([texts[1]!, texts[0]!].map((text) => new RegExp(text)));
		await expectAccessible(phone.page, 'ranking on a phone');
		await rankPanel.getByRole('button', { name: t('fi', 'vote_ranking_submit'), exact: true }).click();
		await expect(panelOf(page, 'vote_method_ranking').getByText(t('fi', 'vote_turnout', { voters: 1, present: 1 }))).toBeVisible(live);
		// Results are not hidden in this round: Borda gives the first place 3 points, the second 2.
		const table = panelOf(page, 'vote_method_ranking').getByRole('table');
		await expect(table.getByRole('row').nth(1)).toContainText(texts[1]!, live);
		await expect(table.getByRole('row').nth(1)).toContainText('3');

		await openRound('vote_method_rating', true);
		const ratePanel = phone.page.getByRole('region', { name: new RegExp(t('fi', 'vote_method_rating')) });
		const item = (text: string) => ratePanel.getByRole('listitem').filter({ hasText: text });
		const scale = (text: string, criterion: 'vote_impact' | 'vote_feasibility') => item(text).getByRole('group', { name: t('fi', criterion), exact: true });
		const score = (text: string, criterion: 'vote_impact' | 'vote_feasibility', value: number) =>
			scale(text, criterion).getByRole('radio', { name: String(value), exact: true });
		await expect(item(texts[2]!)).toBeVisible(live);
		// Large 1–5 buttons per criterion, nothing chosen for the voter, and one submit for the whole ballot.
		await expect(ratePanel.getByRole('radio', { checked: true })).toHaveCount(0);
		await expect(ratePanel.getByRole('button', { name: t('fi', 'vote_ballot_submit'), exact: true })).toHaveCount(1);
		const box = await score(texts[2]!, 'vote_impact', 5).locator('..').boundingBox();
		expect(box!.width, 'a rating button on a 360 px phone, in px').toBeGreaterThanOrEqual(44);
		expect(box!.height).toBeGreaterThanOrEqual(44);
		// An item given only one of its two scores: the ballot is refused, with the reason, and nothing is saved.
		await score(texts[2]!, 'vote_impact', 5).check();
		await ratePanel.getByRole('button', { name: t('fi', 'vote_ballot_submit'), exact: true }).click();
		await expect(ratePanel.getByRole('alert')).toHaveText(t('fi', 'vote_refused_incomplete'));
		// Keyboard: the arrows move within a scale (1 → 4).
		await score(texts[2]!, 'vote_feasibility', 1).focus();
		await phone.page.keyboard.press('Space');
		for (let step = 0; step < 3; step++) await phone.page.keyboard.press('ArrowRight');
		await expect(score(texts[2]!, 'vote_feasibility', 4)).toBeChecked();
		// Two items rated the same: they tie in the results.
		for (const text of [texts[0]!, texts[1]!]) {
			await score(text, 'vote_impact', 2).check();
			await score(text, 'vote_feasibility', 2).check();
		}
		await expectAccessible(phone.page, 'rating on a phone');
		await ratePanel.getByRole('button', { name: t('fi', 'vote_ballot_submit'), exact: true }).click();
		for (const text of texts) await expect(item(text).getByText(t('fi', 'vote_rating_saved'))).toBeVisible(live);
		await expect(ratePanel.getByRole('button', { name: t('fi', 'vote_ballot_update'), exact: true })).toBeVisible();
		await expect(score(texts[2]!, 'vote_feasibility', 4)).toBeChecked();

		const matrix = panelOf(page, 'vote_method_rating');
		await expect(matrix.getByRole('table').getByRole('row').nth(1)).toContainText(texts[2]!, live);
		await expect(matrix.getByRole('table').getByRole('row').nth(1)).toContainText('5');
		await expect(matrix.getByText(t('fi', 'vote_turnout', { voters: 1, present: 1 }))).toBeVisible(live);
		// The matrix labels its points by item (A, B, C, keyed to a legend with the texts), never by a tied rank:
		// the two tied items share a spot and read "B, C", not "2, 2".
		const legend = matrix.getByRole('list', { name: t('fi', 'report_chart_legend'), exact: true });
		await expect(legend.getByRole('listitem')).toHaveText([`A ${texts[2]}`, `B ${texts[0]}`, `C ${texts[1]}`]);
		const matrixImage = matrix.getByRole('img', { name: t('fi', 'report_chart_matrix_title', { caption: t('fi', 'vote_results_caption') }), exact: true });
		await expect(matrixImage.locator('text.point-label')).toHaveText(['A', 'B, C']);
		await expectAccessible(page, 'rating results with the matrix');
	} finally {
		await phone.context.close();
	}
});

test('the votes page fits a 320 px screen: choosing what to vote on never scrolls sideways', async ({ page, browser }) => {
	const { id, code } = await newWorkshop(page);
	const phone = await joinOnPhone(browser, code, unique('Eero'));
	const texts = ['Lapsiperheiden iltapäiväkerhot kouluille, joissa vanhemmat voivat jäädä kahville', unique('Nuorisotyöntekijäresurssit')];
	try {
		for (const text of texts) await addNote(phone.page, text);
		await expect(noteItem(page, texts[1]!)).toBeVisible(live);
		await page.setViewportSize({ width: 320, height: 640 });
		await goto(page, `/workshops/${id}/votes`);
		await expectNoHorizontalScroll(page, 'the votes page');
		for (const scope of ['votes_scope_lane', 'votes_scope_picked']) {
			await page.getByLabel(t('fi', scope), { exact: true }).check();
			await expectNoHorizontalScroll(page, `the votes page, "${t('fi', scope)}" chosen`);
		}
		await expect(page.getByRole('checkbox', { name: new RegExp(texts[0]!) })).toBeVisible();
		// Nothing picked: the refusal is beside the choices, and the focus goes there from the button far below.
		await page.getByRole('button', { name: t('fi', 'votes_open_submit'), exact: true }).click();
		await expect(page.locator('#items-error')).toHaveText(t('fi', 'vote_error_no_items'), live);
		await expect(page.getByLabel(t('fi', 'votes_scope_ideas', { count: 0 }), { exact: true })).toBeFocused();
		await expect(page.getByLabel(t('fi', 'votes_scope_picked'), { exact: true })).toBeChecked();
	} finally {
		await phone.context.close();
	}
});
