// Present mode (/workshops/{id}/present) on a 1920×1080 projector: full screen, the join corner that stays while
// joining is open, results that use the screen (large, never cut, the matrix labelled by item), and choosing the
// winner from the projector. A facilitator on a laptop drives the workshop; guests join on 360 px phones.
import type { Locator, Page } from '@playwright/test';
import { expect, expectAccessible, expectNoHorizontalScroll, goto, newContext, signInAs, test, unique } from './fixtures';
import { addNote, banner, button, composer, joinOnPhone, lanes, live, newWorkshop, nextPhase, noteItem, phone, phases, showTab } from './live-workshop';
import { t, tRegex } from './messages';

test.describe.configure({ timeout: 120_000 });

const projector = { viewport: { width: 1920, height: 1080 } };

async function openProjector(browser: Parameters<typeof newContext>[0], id: string) {
	const context = await newContext(browser, projector);
	const screen = await context.newPage();
	await signInAs(screen, 'facilitator');
	// As a facilitator does: from the workshop's page on the laptop that drives the projector.
	await goto(screen, `/workshops/${id}`);
	await screen.getByRole('link', { name: t('fi', 'live_present_link'), exact: true }).click();
	await expect(screen).toHaveURL(new RegExp(`/workshops/${id}/present$`));
	return { context, screen };
}

const corner = (screen: Page) => screen.getByRole('complementary', { name: t('fi', 'live_present_join_prompt'), exact: true });
const fullscreenOn = (screen: Page) => screen.evaluate(() => document.fullscreenElement !== null);

test('present mode: a full-screen button, the join code with its QR in a corner during every phase while joining is open, and a board made to fit the screen, its groups shown', async ({
	page,
	browser
}) => {
	const question = 'Mitä lapsiperheet tarvitsevat iltapäivisin?';
	const { id, code } = await newWorkshop(page, { question });
	const { context, screen } = await openProjector(browser, id);
	const guests: Awaited<ReturnType<typeof joinOnPhone>>[] = [];
	try {
		// Full screen: the button toggles the page's full screen and its label says what it will do.
		await button(screen, 'live_present_fullscreen_enter').click();
		await expect.poll(() => fullscreenOn(screen)).toBe(true);
		const exit = button(screen, 'live_present_fullscreen_exit');
		await expect(exit).toBeFocused();
		await exit.click();
		await expect.poll(() => fullscreenOn(screen)).toBe(false);
		await expect(button(screen, 'live_present_fullscreen_enter')).toBeVisible();

		// Before the first phase the whole screen asks people to join; no corner yet. Under the code, the day's plan.
		await expect(screen.locator('.present-code')).toHaveText(code);
		await expect(corner(screen)).toHaveCount(0);
		const agenda = screen.getByRole('region', { name: t('fi', 'live_agenda_title') });
		await expect(agenda.getByRole('listitem')).toHaveText([`${phases.ideas} 20 min`, `${phases.voting} 10 min`]);
		const agendaBox = (await agenda.boundingBox())!;
		expect(agendaBox.y + agendaBox.height, 'the plan on the first screen of a projector').toBeLessThanOrEqual(1080);

		// The first phase opens: the code and QR stay in the top right corner, with the participant count.
		await nextPhase(page);
		await expect(banner(screen)).toContainText(phases.ideas, live);
		await expect(corner(screen)).toBeVisible();
		await expect(corner(screen)).toContainText(code);
		await expect(corner(screen).getByRole('img', { name: /\/w\// })).toBeVisible();
		await expect(corner(screen)).toContainText(t('fi', 'live_present_participants', { count: 0 }));
		const box = (await corner(screen).boundingBox())!;
		expect(box.x, 'the corner stands on the right').toBeGreaterThan(1920 / 2);
		expect(box.y, 'the corner stands at the top').toBeLessThan(300);
		const qr = (await corner(screen).getByRole('img', { name: /\/w\// }).boundingBox())!;
		expect(qr.width, 'a QR code big enough to scan across a room, in px').toBeGreaterThanOrEqual(240);
		expect(qr.y + qr.height, 'the QR code on the first screen').toBeLessThanOrEqual(1080);
		// The code's reading for screen readers is spelled out, not an aria-label on a paragraph.
		await expect(corner(screen).getByText(`${t('fi', 'live_present_join_code')}: ${code.split('').join(' ')}`)).toBeAttached();
		await expect(screen.locator('p[aria-label]')).toHaveCount(0);

		// A latecomer scans it and joins: the count follows.
		guests.push(await joinOnPhone(browser, code, unique('Myöhäinen')));
		await expect(corner(screen)).toContainText(t('fi', 'live_present_participants', { count: 1 }), live);
		await expectAccessible(screen, 'present mode with the join corner');

		// Twenty notes run past the foot of the screen at full size: nobody scrolls a projector, so they are made
		// smaller (side by side) until the whole board fits, and no smaller than 70 %. The fuller lane is the wider.
		for (let i = 1; i <= 20; i++) await addNote(page, `Kokeiluidea ${i}: iltapäiväkerho koulun kirjastoon`, i <= 14 ? lanes.first : lanes.second);
		const notes = screen.locator('.present-board li.note');
		await expect(notes).toHaveCount(20, live);
		const lowestNote = () => notes.evaluateAll((items) => Math.max(...items.map((item) => item.getBoundingClientRect().bottom)));
		await expect.poll(lowestNote, { message: 'the lowest note’s bottom edge on a 1080 px screen' }).toBeLessThanOrEqual(1080);
		const fontPx = await notes.first().evaluate((note) => parseFloat(getComputedStyle(note).fontSize));
		expect(fontPx, 'a note’s font size on the projector, in px').toBeLessThan(1.6 * 16);
		expect(fontPx, 'a note’s font size on the projector, in px').toBeGreaterThanOrEqual(0.7 * 1.6 * 16 - 0.1);
		expect(await screen.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(1080);
		// The timer gives up half its height to the crowded board, and still reads across the room.
		const timerPx = await screen.locator('.countdown-time').evaluate((time) => parseFloat(getComputedStyle(time).fontSize));
		expect(timerPx, 'the timer’s font size on a crowded projector, in px').toBeLessThanOrEqual(64);
		expect(timerPx).toBeGreaterThanOrEqual(48);
		const laneWidth = async (name: string) => (await screen.getByRole('region', { name, exact: true }).boundingBox())!.width;
		expect(await laneWidth(lanes.first), 'the lane with 14 notes against the one with 6, in px').toBeGreaterThan((await laneWidth(lanes.second)) * 1.5);

		// Notes grouped on the board show on the projector as their group, named, in their lane.
		const idea = (i: number) => `Kokeiluidea ${i}: iltapäiväkerho koulun kirjastoon`;
		for (const i of [1, 3]) await page.getByRole('checkbox', { name: `${t('fi', 'board_note_select')} ${idea(i)}`, exact: true }).check();
		const selection = page.getByRole('region', { name: t('fi', 'board_selected_count', { count: 2 }) });
		await selection.getByLabel(t('fi', 'board_cluster_name'), { exact: true }).fill('Kirjastot');
		await selection.getByRole('button', { name: t('fi', 'board_group_submit'), exact: true }).click();
		// Each lane shows its perspective's question, which the room answers there.
		await expect(screen.getByRole('region', { name: lanes.first }).getByText(question)).toBeVisible();
		const group = screen.getByRole('region', { name: lanes.first }).getByRole('region', { name: 'Kirjastot', exact: true });
		await expect(group.locator('li.note')).toHaveText([idea(1), idea(3)], live);
		await expect(notes).toHaveCount(20);
		await expectAccessible(screen, 'present mode with a group, made to fit');

		// The next phase keeps it.
		await nextPhase(page);
		await expect(banner(screen)).toContainText(phases.voting, live);
		await expect(corner(screen)).toBeVisible();

		// Joining closed on the workshop page: the corner goes.
		await goto(page, `/workshops/${id}`);
		await page.getByRole('button', { name: t('fi', 'joining_close'), exact: true }).click();
		await expect(page.getByRole('button', { name: t('fi', 'joining_open'), exact: true })).toBeVisible();
		await expect(corner(screen)).toHaveCount(0, live);
		await expect(screen.getByText(code)).toHaveCount(0);
	} finally {
		for (const guest of guests) await guest.context.close();
		await context.close();
	}
});

test('present mode on a 360 px screen with WCAG 1.4.12 text spacing: the heading and the page fit', async ({ page, browser }) => {
	// The demo workshop's title: "Sosiaalisesti" alone is wider than a phone at the heading's projector size.
	const { id } = await newWorkshop(page, { title: 'Sosiaalisesti kestävät kaupungit' });
	const context = await newContext(browser, phone);
	try {
		const screen = await context.newPage();
		await signInAs(screen, 'facilitator');
		for (const phase of [false, true]) {
			if (phase) await nextPhase(page);
			await goto(screen, `/workshops/${id}/present`);
			if (phase) await expect(banner(screen)).toContainText(phases.ideas, live);
			await screen.addStyleTag({
				content: '* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }'
			});
			const heading = screen.getByRole('heading', { level: 1 });
			const fits = await heading.evaluate((element) => ({
				scroll: element.scrollWidth,
				client: element.clientWidth,
				right: element.getBoundingClientRect().right
			}));
			expect(fits.scroll, 'the heading’s text fits its box').toBeLessThanOrEqual(fits.client);
			expect(fits.right, 'the heading ends on the screen').toBeLessThanOrEqual(360);
			await expectNoHorizontalScroll(screen, `present mode${phase ? ' during a phase' : ''} with text spacing`);
		}
	} finally {
		await context.close();
	}
});

/** Every text the results show on the projector, with its rendered size in px (SVG text scaled as drawn). */
function renderedTextSizes(section: Locator) {
	return section.evaluate((root) => {
		const sizes: { text: string; px: number }[] = [];
		const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
		for (let node = walker.nextNode(); node; node = walker.nextNode()) {
			const element = node.parentElement!;
			const text = node.textContent!.trim();
			if (!text || element.closest('.visually-hidden, title, desc, [hidden]')) continue;
			let px = parseFloat(getComputedStyle(element).fontSize);
			const svg = element.closest('svg');
			if (svg) px *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
			sizes.push({ text, px });
		}
		return sizes;
	});
}

test('results on the projector: large, never cut, the matrix labelled by item, and the winner chosen there', async ({ page, browser }) => {
	const { id, code } = await newWorkshop(page);
	const guest = await joinOnPhone(browser, code, unique('Aada'));
	// Long texts, as a room writes them: they are shown whole at 1920×1080, never "…jää kahvil…".
	const texts = [
		`Iltapäiväkerhot kouluille, joissa vanhemmat voivat jäädä kahville ja tutustua toisiinsa ${unique('a')}`,
		`Kesätyöpaikat nuorille kaupungin omissa kohteissa ja järjestöissä ${unique('b')}`,
		`Turvallinen aikuinen jokaiseen nuorisotilaan iltaisin ${unique('c')}`
	];
	let swedish: Awaited<ReturnType<typeof newContext>> | undefined;
	const { context, screen } = await openProjector(browser, id);
	try {
		for (const text of texts) await addNote(guest.page, text);
		await expect(noteItem(page, texts[2]!)).toBeVisible(live);
		await nextPhase(page);
		await nextPhase(page);

		// A rating round over the lane; the guest rates two items the same (a tie).
		await goto(page, `/workshops/${id}/votes`);
		await page.getByLabel(t('fi', 'vote_method_rating'), { exact: true }).check();
		await page.getByLabel(t('fi', 'votes_scope_lane'), { exact: true }).check();
		await page.getByRole('button', { name: t('fi', 'votes_open_submit'), exact: true }).click();
		await expect(page).toHaveURL(new RegExp(`/workshops/${id}/board$`));
		const ballot = guest.page.getByRole('region', { name: new RegExp(t('fi', 'vote_method_rating')) });
		const score = (text: string, criterion: string, value: number) =>
			ballot
				.getByRole('listitem')
				.filter({ hasText: text })
				.getByRole('group', { name: t('fi', criterion), exact: true })
				.getByRole('radio', { name: String(value), exact: true });
		await expect(score(texts[0]!, 'vote_impact', 5)).toBeVisible(live);
		for (const [text, impact, feasibility] of [[texts[0]!, 5, 4], [texts[1]!, 3, 3], [texts[2]!, 3, 3]] as const) {
			await score(text, 'vote_impact', impact).check();
			await score(text, 'vote_feasibility', feasibility).check();
		}
		await ballot.getByRole('button', { name: t('fi', 'vote_ballot_submit'), exact: true }).click();
		await expect(ballot.getByText(t('fi', 'vote_rating_saved')).first()).toBeVisible(live);

		const results = screen.getByRole('region', { name: t('fi', 'vote_panel_title', { method: t('fi', 'vote_method_rating') }), exact: true });
		await expect(results.getByRole('table')).toContainText(texts[0]!, live);
		await expect(results.getByText(t('fi', 'vote_turnout', { voters: 1, present: 1 }))).toBeVisible(live);

		// Text of at least 28 px everywhere in the results, the matrix's included.
		const sizes = await renderedTextSizes(results);
		expect(sizes.length).toBeGreaterThan(10);
		const small = sizes.filter((size) => size.px < 28);
		expect(small, `results text under 28 px: ${JSON.stringify(small)}`).toEqual([]);

		// Every bar's label is whole and inside the chart, and the chart uses the screen.
		const bars = results.getByRole('img', { name: t('fi', 'vote_results_caption'), exact: true });
		for (const text of texts) await expect(bars).toContainText(text);
		const clipped = await bars.evaluate((chart) => {
			const edge = chart.getBoundingClientRect().right;
			return [...chart.querySelectorAll('p')]
				.filter((label) => label.scrollWidth > label.clientWidth || label.getBoundingClientRect().right > edge + 0.5)
				.map((label) => label.textContent);
		});
		expect(clipped, 'labels cut or running out of the chart').toEqual([]);
		await expect(bars).not.toContainText('…');
		const chartWidth = await results.locator('figure').evaluate((figure) => figure.getBoundingClientRect().width);
		expect(chartWidth, 'the results figure’s width at 1920 px, in px').toBeGreaterThanOrEqual(1200);

		// The matrix labels points by item: A for the first, the tied pair "B, C" at one spot, keyed to a legend.
		const legend = results.getByRole('list', { name: t('fi', 'report_chart_legend'), exact: true });
		await expect(legend.getByRole('listitem')).toHaveText([`A ${texts[0]}`, `B ${texts[1]}`, `C ${texts[2]}`]);
		const matrix = results.getByRole('img', { name: t('fi', 'report_chart_matrix_title', { caption: t('fi', 'vote_results_caption') }), exact: true });
		await expect(matrix.locator('text.point-label')).toHaveText(['A', 'B, C']);
		await expectAccessible(screen, 'rating results on the projector');

		// The facilitator closes the round and chooses the winner from the projector; focus stays on the button.
		await goto(page, `/workshops/${id}/votes`);
		await page.getByRole('button', { name: t('fi', 'vote_close'), exact: true }).click();
		await button(page.getByRole('dialog', { name: t('fi', 'vote_close_confirm') }), 'vote_close').click();
		const choose = results.getByRole('group', { name: t('fi', 'votes_choose_legend'), exact: true });
		await expect(choose).toBeVisible(live);
		await choose.getByRole('checkbox', { name: new RegExp(texts[0]!) }).check();
		await button(results, 'votes_choose_submit').click();
		await expect(results.getByText(t('fi', 'vote_chosen_done', { count: 1, created: 1 }))).toBeVisible(live);
		await expect(button(results, 'votes_choose_submit')).toBeFocused();
		await expect(bars).toContainText(t('fi', 'report_chart_chosen'), live);
		const card = guest.page.getByRole('article', { name: t('fi', 'board_idea_heading', { title: texts[0]! }), exact: true });
		await showTab(guest.page);
		await expect(card).toBeVisible(live);
		await expectAccessible(screen, 'the winner chosen on the projector');

		// On a Swedish phone the winner's name is shown whole in the chart, not shrunk to one letter.
		swedish = await newContext(browser, phone);
		const sv = await swedish.newPage();
		await goto(sv, `/w/${code}`);
		await sv.getByRole('form', { name: t('fi', 'language_label') }).getByRole('button', { name: 'Svenska', exact: true }).click();
		await expect(sv.locator('html')).toHaveAttribute('lang', 'sv');
		await sv.getByLabel(t('sv', 'join_name'), { exact: true }).fill(unique('Sara'));
		await sv.getByRole('button', { name: t('sv', 'join_submit'), exact: true }).click();
		await expect(sv).toHaveURL(/\/board$/);
		await expect(sv.getByRole('status').filter({ hasText: t('sv', 'board_status_online') })).toBeVisible(live);
		const svChart = sv.getByRole('img', { name: t('sv', 'vote_results_caption'), exact: true });
		const winner = svChart.getByText(texts[0]!, { exact: true });
		await expect(winner).toBeVisible(live);
		await expect(svChart).toContainText(t('sv', 'report_chart_chosen'));
		const width = await winner.evaluate((label) => label.getBoundingClientRect().width);
		expect(width, 'the winner’s name on a 360 px phone, in px').toBeGreaterThan(200);
		// … and in the table, whose column keeps a readable width (the table scrolls in its own box instead).
		const cell = sv.getByRole('rowheader').filter({ hasText: texts[0]! });
		expect(await cell.evaluate((element) => element.getBoundingClientRect().width)).toBeGreaterThanOrEqual(150);
		for (const header of await sv.getByRole('columnheader').all())
			expect(await header.evaluate((element) => element.getBoundingClientRect().width), 'a column heading’s width').toBeGreaterThan(40);
		await expectNoHorizontalScroll(sv, 'the Swedish board with results');
	} finally {
		await swedish?.close();
		await guest.context.close();
		await context.close();
	}
});

test('in the canvas phase the projector shows the idea cards with the canvas written so far, live, and a phone turns to them', async ({ page, browser }) => {
	const { id, code } = await newWorkshop(page, { phases: [['canvas', 'Kokeilukanvaasi', 30]] });
	const title = 'Läksykerho kirjastossa';
	await addNote(page, title);
	await noteItem(page, title).getByRole('button', { name: tRegex('fi', 'board_actions_for') }).click();
	await noteItem(page, title).getByRole('button', { name: t('fi', 'board_promote'), exact: true }).click();
	const card = page.getByRole('article', { name: t('fi', 'board_idea_heading', { title }), exact: true });
	await card.getByLabel(t('fi', 'board_canvas_hypothesis'), { exact: true }).fill('Jos kerho on kirjastossa, niin useampi lapsi tulee');

	const { context, screen } = await openProjector(browser, id);
	const guest = await joinOnPhone(browser, code, unique('Puhelin'));
	try {
		await expect(guest.page.getByRole('tab', { name: new RegExp(`^${lanes.first} `) })).toHaveAttribute('aria-selected', 'true', live);
		await nextPhase(page);
		// A phone turns to the idea cards, where the phase's work is, and its composer leaves them the screen.
		await expect(guest.page.getByRole('tab', { name: new RegExp(`^${t('fi', 'board_ideas_title')} `) })).toHaveAttribute('aria-selected', 'true', live);
		await expect(guest.page.getByRole('article', { name: t('fi', 'board_idea_heading', { title }), exact: true })).toBeVisible();
		expect((await composer(guest.page).boundingBox())!.height, 'the composer’s height on a phone while no notes can be added').toBeLessThan(90);
		const ideas = screen.getByRole('region', { name: t('fi', 'board_ideas_title'), exact: true });
		const shown = ideas.getByRole('listitem').filter({ hasText: title });
		await expect(shown.getByRole('heading', { level: 3 })).toHaveText(title, live);
		await expect(shown.getByRole('definition')).toHaveText(['Jos kerho on kirjastossa, niin useampi lapsi tulee']);
		await expect(shown.getByRole('term')).toHaveText([t('fi', 'board_canvas_hypothesis')]);
		// The notes' lanes give the screen to the cards in this phase.
		await expect(screen.getByRole('region', { name: t('fi', 'board_lanes_label') })).toHaveCount(0);
		// A field written on the board appears on the projector as it is written.
		await card.getByLabel(t('fi', 'board_canvas_first_step'), { exact: true }).fill('Sovitaan tila kirjaston kanssa');
		await expect(shown.getByRole('definition')).toHaveText(['Jos kerho on kirjastossa, niin useampi lapsi tulee', 'Sovitaan tila kirjaston kanssa'], live);
		await expectAccessible(screen, 'present mode in the canvas phase');
		await expectAccessible(guest.page, 'a phone in the canvas phase');
	} finally {
		await guest.context.close();
		await context.close();
	}
});
