// From an idea card to a pilot proposal: a city team member proposes from the card on the live board (the canvas's
// target areas ticked), and the programme lead, who was not in the workshop, picks the same idea in the programme's
// proposal form, also without JavaScript. Relies on the demo's Mukana programme (Helsinki) and the demo accounts.
import type { Page } from '@playwright/test';
import { baseUrl, createAccount, expect, expectAccessible, goto, newContext, postForm, signInAs, test, unique } from './fixtures';
import { addNote, joinOnPhone, lanes, live, noteItem, online, phases } from './live-workshop';
import { t, tRegex } from './messages';

test.describe.configure({ timeout: 90_000 });

const mukana = 'Mukana – nuorten syrjäytymisen ehkäisy';
const ideaCard = (page: Page, title: string) => page.getByRole('article', { name: t('fi', 'board_idea_heading', { title }), exact: true });
const proposeLink = (scope: Page | ReturnType<Page['locator']>, title: string) =>
	scope.getByRole('link', { name: t('fi', 'idea_propose_pilot_named', { title }), exact: true });
const areaBox = (page: Page, code: string) => page.getByRole('checkbox', { name: new RegExp(`^${code} `) });

/** The demo facilitator's new workshop serving the Mukana programme (two lanes, an ideas phase); its id and code. */
async function workshopForMukana(page: Page) {
	await signInAs(page, 'facilitator');
	await goto(page, '/programmes');
	const programmeId = (await page.getByRole('link', { name: mukana, exact: true }).first().getAttribute('href'))!.split('/')[2]!;
	const response = await postForm(page.request, '/workshops/new', {
		title: unique('Olohuonetyöpaja'),
		theme: 'Perheiden arki Itä-Helsingissä',
		programmeId,
		'perspectives.0.title': lanes.first,
		'perspectives.1.title': lanes.second,
		'phases.0.kind': 'ideas',
		'phases.0.title': phases.ideas,
		'phases.0.durationMinutes': '20'
	});
	expect(response.status(), 'creating the workshop').toBe(303);
	const id = /^\/workshops\/([^/?#]+)$/.exec(response.headers()['location'] ?? '')![1]!;
	await goto(page, `/workshops/${id}`);
	const code = (await page.locator('main .join-code').textContent())!.trim();
	return { id, code, programmeId };
}

test('a team member proposes a pilot from an idea card with its target areas ticked; the lead picks the idea in the programme’s form', async ({
	page,
	browser
}) => {
	const { id, code, programmeId } = await workshopForMukana(page);
	await goto(page, `/workshops/${id}/board`);
	await expect(online(page)).toBeVisible(live);

	const teamContext = await newContext(browser);
	const guest = await joinOnPhone(browser, code, unique('Vieras'));
	const leadContext = await newContext(browser, { javaScriptEnabled: false });
	try {
		// The city team member joins with their account and turns a note into an idea card.
		const team = await teamContext.newPage();
		await signInAs(team, 'team');
		await goto(team, `/w/${code}`);
		await expect(team).toHaveURL(`${baseUrl()}/workshops/${id}/board`);
		await expect(online(team)).toBeVisible(live);
		const title = `Perheiden olohuone ${unique('ostari')}`;
		await addNote(team, title);
		await noteItem(team, title).getByRole('button', { name: tRegex('fi', 'board_actions_for') }).click();
		await noteItem(team, title).getByRole('button', { name: t('fi', 'board_promote'), exact: true }).click();
		const card = ideaCard(team, title);
		await expect(card).toBeVisible(live);
		await card.getByLabel(t('fi', 'board_canvas_hypothesis'), { exact: true }).fill('Jos palveluohjaaja on ostarilla, niin perheet löytävät avun');
		await card.getByLabel(t('fi', 'board_canvas_target_areas'), { exact: true }).fill('00940 Kontula, 00970 Mellunmäki');
		// Saved on the server: the facilitator's board has it.
		await expect(ideaCard(page, title).getByLabel(t('fi', 'board_canvas_target_areas'), { exact: true })).toHaveValue(
			'00940 Kontula, 00970 Mellunmäki',
			live
		);
		// Everyone with a programme to propose to sees the link on the card; a guest has no account to propose with.
		await expect(proposeLink(ideaCard(page, title), title)).toBeVisible();
		await guest.page.getByRole('tab', { name: new RegExp(`^${t('fi', 'board_ideas_title')} `) }).click(); // a phone's idea cards have a tab
		await expect(ideaCard(guest.page, title)).toBeVisible(live);
		await expect(guest.page.getByRole('link', { name: tRegex('fi', 'idea_propose_pilot_named') })).toHaveCount(0);

		await proposeLink(card, title).click();
		await expect(team).toHaveURL(new RegExp(`/programmes/${programmeId}/pilots/new\\?workshop=${id}&idea=`));
		await expect(team.getByLabel(t('fi', 'pilot_title'), { exact: true })).toHaveValue(title);
		const basics = team.getByRole('region', { name: t('fi', 'pilot_basics'), exact: true });
		await expect(basics.getByLabel(t('fi', 'pilot_hypothesis'), { exact: true })).toHaveValue('Jos palveluohjaaja on ostarilla, niin perheet löytävät avun');
		await expect(areaBox(team, '00940')).toBeChecked();
		await expect(areaBox(team, '00970')).toBeChecked();
		await expect(areaBox(team, '00420')).not.toBeChecked();
		// Dozens of areas: a filter by name (without its ä) or postcode, Enter not sending the form; those ticked stay ticked.
		const filter = team.getByLabel(t('fi', 'pilot_areas_filter'), { exact: true });
		await filter.fill('kannelmaki');
		await filter.press('Enter');
		await expect(team).toHaveURL(/\/pilots\/new/);
		await expect(areaBox(team, '00420')).toBeVisible();
		await expect(team.getByRole('checkbox', { name: /^\d{5} / })).toHaveCount(1);
		await filter.fill('');
		await expect(areaBox(team, '00940')).toBeChecked();
		expect(await team.getByRole('checkbox', { name: /^\d{5} / }).count()).toBeGreaterThan(20);
		await expect(team.getByLabel(t('fi', 'pilot_pick_idea_label'), { exact: true })).toHaveValue(new RegExp(`^${id}:`));
		await expectAccessible(team, 'proposal filled from an idea card');
		await team.getByLabel(t('fi', 'pilot_goal'), { exact: true }).selectOption({ index: 4 });
		await team.getByRole('button', { name: t('fi', 'pilot_propose_submit'), exact: true }).click();
		await expect(team).toHaveURL(/\/pilots\/[a-z0-9]+$/);
		// Traceable both ways: the pilot names its workshop, and its areas are the ones the canvas named.
		await expect(team.getByRole('heading', { level: 1 })).toHaveText(title);
		await expect(team.getByRole('link', { name: t('fi', 'pilot_source_link'), exact: true })).toHaveAttribute('href', `/workshops/${id}/report`);
		await expect(team.getByRole('link', { name: /^00940 / })).toBeVisible();
		await expect(team.getByRole('link', { name: /^00970 / })).toBeVisible();

		// The programme lead was not in the workshop; the programme's form offers its workshops' ideas. No JavaScript:
		// choosing the idea and the button fill the form.
		const lead = await leadContext.newPage();
		await signInAs(lead, 'lead');
		await lead.goto(`/programmes/${programmeId}`);
		await lead.getByRole('link', { name: t('fi', 'outcomes_propose_pilot'), exact: true }).first().click();
		await expect(lead).toHaveURL(`${baseUrl()}/programmes/${programmeId}/pilots/new`);
		await expect(lead.getByLabel(t('fi', 'pilot_title'), { exact: true })).toHaveValue('');
		const picker = lead.getByLabel(t('fi', 'pilot_pick_idea_label'), { exact: true });
		await picker.selectOption({ label: title });
		await lead.getByRole('button', { name: t('fi', 'pilot_pick_idea_submit'), exact: true }).click();
		await expect(lead).toHaveURL(new RegExp(`/programmes/${programmeId}/pilots/new\\?from=${id}%3A`));
		await expect(lead.getByLabel(t('fi', 'pilot_title'), { exact: true })).toHaveValue(title);
		await expect(areaBox(lead, '00940')).toBeChecked();
		await expect(areaBox(lead, '00970')).toBeChecked();
		await expect(picker).toHaveValue(new RegExp(`^${id}:`));
		await expect(lead.getByText(t('fi', 'pilot_propose_from_idea'))).toBeVisible();
		// (axe cannot run without JavaScript; the same form was checked on the team member's page.)
	} finally {
		await teamContext.close();
		await guest.context.close();
		await leadContext.close();
	}
});

test('someone in no programme is told clearly that they cannot propose a pilot', async ({ page, browser }) => {
	const context = await newContext(browser);
	try {
		const stranger = await context.newPage();
		await createAccount(stranger.request);
		const response = await stranger.goto('/pilots/new?workshop=x&idea=y');
		expect(response?.status()).toBe(403);
		await expect(stranger.getByText(t('fi', 'pilot_propose_no_programme'))).toBeVisible();
	} finally {
		await context.close();
	}
	await signInAs(page, 'team');
	await goto(page, '/workshops'); // (the final page's axe check)
});
