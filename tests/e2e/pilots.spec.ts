// From idea to decision: a workshop's vote chooses an idea, the facilitator proposes it as a pilot in the demo
// Mukana programme, the programme lead approves it, the team runs it with two check-ins, the lead decides, and
// the pilot shows on the programme dashboard and in the learning library. Real Chromium, separate contexts.
import type { Page } from '@playwright/test';
import { demo, expect, expectAccessible, goto, newContext, signInAs, test, unique } from './fixtures';
import { addNote, joinOnPhone, lanes, live, newWorkshop } from './live-workshop';
import { t } from './messages';

test.describe.configure({ timeout: 150_000 });

const mukana = 'Mukana – nuorten syrjäytymisen ehkäisy';
const statusLine = (page: Page) => page.locator('.status-line');
const byLabel = (page: Page, key: string) => page.getByLabel(t('fi', key), { exact: true });
const click = (page: Page, key: string) => page.getByRole('button', { name: t('fi', key), exact: true }).click();

test('vote → chosen idea → pilot → two check-ins → decision, on the dashboard and in the learning library', async ({ page, browser }) => {
	// A workshop's vote chooses an idea.
	const { id, code } = await newWorkshop(page);
	const phone = await joinOnPhone(browser, code, unique('Nuori'));
	const idea = unique('Iltapäiväkerho yläkoululaisille');
	const learning = unique('Vanhempainilta toi isät mukaan');
	try {
		await addNote(phone.page, idea);
		await goto(page, `/workshops/${id}/votes`);
		await byLabel(page, 'votes_scope_lane').check();
		await byLabel(page, 'votes_lane_label').selectOption({ label: `${lanes.first} (1)` });
		await click(page, 'votes_open_submit');
		await expect(page).toHaveURL(new RegExp(`/workshops/${id}/board$`));
		await phone.page.getByRole('button', { name: t('fi', 'vote_add_point', { item: idea }), exact: true }).click();
		await expect(phone.page.getByText(t('fi', 'vote_points_left', { left: 4, budget: 5 }))).toBeVisible(live);
		await click(page, 'vote_close');
		await page.getByRole('dialog').getByRole('button', { name: t('fi', 'vote_close'), exact: true }).click();
		await goto(page, `/workshops/${id}/votes`);
		await page.getByRole('group', { name: t('fi', 'votes_choose_legend') }).getByRole('checkbox', { name: new RegExp(idea) }).check();
		await click(page, 'votes_choose_submit');
		await expect(page.getByText(t('fi', 'vote_chosen_done', { count: 1, created: 1 }))).toBeVisible(live);
	} finally {
		await phone.context.close();
	}

	// The report offers the chosen idea's card for a pilot proposal, too.
	await goto(page, `/workshops/${id}/report`);
	await expect(page.getByRole('link', { name: t('fi', 'idea_propose_pilot_named', { title: idea }), exact: true })).toHaveAttribute(
		'href',
		new RegExp(`^/pilots/new\\?workshop=${id}&idea=[0-9a-f]+$`)
	);

	// The facilitator proposes the chosen idea as a pilot in the Mukana programme: the canvas comes along.
	await goto(page, `/workshops/${id}`);
	const ideas = page.getByRole('region', { name: t('fi', 'workshop_pilots_title') });
	await expect(ideas.getByText(idea, { exact: true })).toBeVisible();
	await ideas.getByLabel(t('fi', 'workshop_pilot_programme', { idea })).selectOption({ label: mukana });
	await ideas.getByRole('button', { name: t('fi', 'workshop_pilot_propose'), exact: true }).click();
	await expect(page).toHaveURL(/\/programmes\/[^/]+\/pilots\/new\?/);
	await expect(byLabel(page, 'pilot_title')).toHaveValue(idea);
	await expectAccessible(page, 'proposing a pilot');
	await byLabel(page, 'pilot_summary').fill('Kerho koulun jälkeen joka arkipäivä.');
	await byLabel(page, 'pilot_goal').selectOption({ index: 2 });
	await page.getByRole('checkbox', { name: /00420 Kannelmäki/ }).check();
	await byLabel(page, 'pilot_cadence').fill('2');
	// A mistyped team address is named on the team field, and the focus goes there.
	await byLabel(page, 'pilot_team').fill('ei-sahkoposti');
	await click(page, 'pilot_propose_submit');
	await expect(page.getByText(t('fi', 'pilot_error_team_email', { email: 'ei-sahkoposti' }))).toBeVisible(live);
	await expect(byLabel(page, 'pilot_team')).toBeFocused();
	await byLabel(page, 'pilot_team').fill('');
	await click(page, 'pilot_propose_submit');
	await expect(page).toHaveURL(/\/pilots\/[a-z0-9]+$/);
	const pilotUrl = new URL(page.url()).pathname;
	await expect(statusLine(page)).toContainText(t('fi', 'outcomes_status_proposed'));
	await expect(page.getByRole('link', { name: t('fi', 'pilot_source_link'), exact: true })).toBeVisible();
	await expectAccessible(page, 'a proposed pilot');

	// The programme lead approves it.
	const leadContext = await newContext(browser);
	const lead = await leadContext.newPage();
	try {
		await signInAs(lead, 'lead');
		await goto(lead, pilotUrl);
		await click(lead, 'pilot_action_approve');
		await expect(statusLine(lead)).toContainText(t('fi', 'outcomes_status_approved'), live);

		// The team (the proposer) starts it, adds an indicator and writes two check-ins.
		await goto(page, pilotUrl);
		await click(page, 'pilot_action_start');
		await expect(statusLine(page)).toContainText(t('fi', 'outcomes_status_running'), live);
		await page.getByText(t('fi', 'pilot_indicator_add'), { exact: true }).first().click();
		// The area figures it can be linked to are named in the page's language.
		await expect(byLabel(page, 'pilot_indicator_link').getByRole('option', { name: t('fi', 'areas_indicator_unemployment_rate'), exact: true })).toHaveCount(1);
		await byLabel(page, 'pilot_indicator_name').fill('Kerholaiset');
		await byLabel(page, 'pilot_indicator_baseline').fill('0');
		await byLabel(page, 'pilot_indicator_target').fill('30');
		await page.getByRole('button', { name: t('fi', 'pilot_indicator_add'), exact: true }).click();
		await expect(page.getByRole('rowheader', { name: /Kerholaiset/ })).toBeVisible(live);
		// Each reading's field says the baseline and target, and from the second report on the reading before.
		for (const [date, reading, status, learned, hint] of [
			['2025-10-01', '12', 'outcomes_checkin_status_on_track', 'Kaverit toivat toisia mukaan.', 'Lähtötaso 0, tavoite 30.'],
			['2025-10-15', '21', 'outcomes_checkin_status_at_risk', learning, 'Lähtötaso 0, tavoite 30. Edellinen lukema 12 (1. lokakuuta 2025).']
		] as const) {
			await page.getByRole('link', { name: t('fi', 'checkin_new'), exact: true }).click();
			await expect(byLabel(page, 'checkin_reported_on')).toBeVisible();
			await expect(page.getByLabel(/^Kerholaiset/)).toHaveAccessibleDescription(hint);
			await byLabel(page, 'checkin_reported_on').fill(date);
			await page.getByLabel(t('fi', status), { exact: true }).check();
			await byLabel(page, 'checkin_learned').fill(learned);
			await page.getByLabel(/^Kerholaiset/).fill(reading);
			await byLabel(page, 'checkin_impact_residents').fill('Nuoret viettävät iltapäivät turvallisesti.');
			await expectAccessible(page, 'writing a check-in');
			await click(page, 'checkin_save');
			await expect(page).toHaveURL(new RegExp(`${pilotUrl}\\?saved$`));
			await expect(page.getByRole('status').filter({ hasText: t('fi', 'checkin_saved') })).toBeVisible();
		}
		await expect(page.getByRole('cell', { name: /12 → .*21/ })).toBeVisible();
		// A second report for a day that has one is refused at the date field (it would be a correction), nothing saved.
		await page.getByRole('link', { name: t('fi', 'checkin_new'), exact: true }).click();
		await byLabel(page, 'checkin_reported_on').fill('2025-10-15');
		// Without a status: the choices are marked and the focus is on the first of them.
		await click(page, 'checkin_save');
		await expect(page.getByRole('radiogroup', { name: t('fi', 'checkin_status') })).toHaveAttribute('aria-invalid', 'true', live);
		await expect(page.getByRole('radio').first()).toBeFocused();
		await page.getByLabel(t('fi', 'outcomes_checkin_status_on_track'), { exact: true }).check();
		// A day ahead (a mistyped year) is refused at the date field.
		await byLabel(page, 'checkin_reported_on').fill('2099-10-15');
		await click(page, 'checkin_save');
		await expect(page.getByText(t('fi', 'checkin_error_future_day')).first()).toBeVisible(live);
		await expect(byLabel(page, 'checkin_reported_on')).toBeFocused();
		await byLabel(page, 'checkin_reported_on').fill('2025-10-15');
		await click(page, 'checkin_save');
		await expect(page.getByText(t('fi', 'checkin_date_taken')).first()).toBeVisible(live);
		// The focus is on the field refused (its message beside it), not on <body> at the foot of a long form.
		await expect(byLabel(page, 'checkin_reported_on')).toBeFocused();
		await expect(page).toHaveURL(/\/check-ins\/new/);
		await goto(page, pilotUrl);
		await expect(page.getByRole('cell', { name: /12 → .*21/ })).toBeVisible();
		await click(page, 'pilot_action_evaluate');
		await expect(statusLine(page)).toContainText(t('fi', 'outcomes_status_evaluating'), live);
		await expectAccessible(page, 'a pilot with two check-ins');

		// The lead decides: scale up, with a reason.
		await goto(lead, pilotUrl);
		await lead.getByLabel(t('fi', 'outcomes_decision_scale'), { exact: true }).check();
		await lead.getByLabel(t('fi', 'pilot_decision_reason'), { exact: true }).fill('Laajennetaan Malminkartanoon.');
		// A decision cannot be taken back: it is confirmed first, naming the decision; cancelling changes nothing.
		await click(lead, 'pilot_action_decide');
		const confirmDecision = lead.getByRole('dialog');
		await expect(confirmDecision).toContainText(t('fi', 'pilot_decide_confirm', { decision: t('fi', 'outcomes_decision_scale') }));
		await confirmDecision.getByRole('button', { name: t('fi', 'cancel'), exact: true }).click();
		await expect(confirmDecision).toBeHidden();
		await expect(statusLine(lead)).toContainText(t('fi', 'outcomes_status_evaluating'));
		await click(lead, 'pilot_action_decide');
		await confirmDecision.getByRole('button', { name: t('fi', 'pilot_action_decide'), exact: true }).click();
		await expect(lead.getByText(t('fi', 'pilot_decision_heading', { decision: t('fi', 'outcomes_decision_scale') }))).toBeVisible(live);
		await expectAccessible(lead, 'a decided pilot');

		// The programme dashboard lists it as decided; the learning library finds it by what was learned.
		await lead.getByRole('link', { name: mukana }).first().click();
		await expect(lead).toHaveURL(/\/programmes\/[a-z0-9]+$/);
		const row = lead.getByRole('row').filter({ has: lead.getByRole('link', { name: idea, exact: true }) });
		await expect(row).toContainText(t('fi', 'outcomes_status_decided'));
		await expectAccessible(lead, 'the programme dashboard');
		await goto(lead, `${new URL(lead.url()).pathname}/learning`);
		await lead.getByLabel(t('fi', 'outcomes_search_label'), { exact: true }).fill(learning.split('-')[0]!.split(' ').slice(1, 3).join(' '));
		await lead.getByLabel(t('fi', 'outcomes_search_label'), { exact: true }).press('Enter');
		const found = lead.getByRole('article', { name: idea });
		await expect(found).toBeVisible(live);
		await expect(found).toContainText(t('fi', 'outcomes_decision_scale'));
		await expect(found).toContainText('Laajennetaan Malminkartanoon.');
		await expectAccessible(lead, 'the learning library');
		const csv = await lead.request.get(`${new URL(lead.url()).pathname.replace(/\/learning$/, '')}/pilots.csv`);
		expect(csv.status()).toBe(200);
		expect(await csv.text()).toContain(idea);
	} finally {
		await leadContext.close();
	}
});
