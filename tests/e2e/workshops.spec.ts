// Preparing workshops (/workshops/new, /workshops/{id}, /workshops/{id}/edit) and joining them (/w/{code}).
// The demo workshop (JALO24) is shared with other specs running in parallel: here it is only read or joined;
// anything destructive happens on workshops these tests create themselves.
import type { Browser, Page } from '@playwright/test';
import {
	baseUrl,
	createAccount,
	demo,
	expect,
	expectAccessible,
	expectNoHorizontalScroll,
	goto,
	hydrated,
	newContext,
	postForm,
	signInAs,
	test,
	unique,
	type Account
} from './fixtures';
import { t, tRegex } from './messages';

const demoCode = 'JALO24';
const demoTitle = 'Sosiaalisesti kestävät kaupungit';
const joinCodePattern = /^[ABCDEFGHJKLMNOPQRSTUVWXYZ23456789]{6}$/;
const phone = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true };

const template = {
	perspectives: ['template_perspective_families', 'template_perspective_young_adults', 'template_perspective_participation'].map(
		(key) => t('fi', key)
	),
	phases: {
		orientation: t('fi', 'template_phase_orientation'),
		ideas: t('fi', 'template_phase_ideas'),
		grouping: t('fi', 'template_phase_grouping'),
		voting: t('fi', 'template_phase_voting'),
		canvas: t('fi', 'template_phase_canvas'),
		commitments: t('fi', 'template_phase_commitments')
	}
};

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The whole text is the message, its {params} anything. */
const whole = (key: string) => new RegExp(`^${tRegex('fi', key).source}$`);
const boardUrl = (id: string) => `${baseUrl()}/workshops/${id}/board`;

// The workshop form ---------------------------------------------------------------------------------------

const perspectiveGroup = (page: Page, number: number) =>
	page.getByRole('group', { name: t('fi', 'perspective_legend', { number }), exact: true });
const phaseGroup = (page: Page, number: number) =>
	page.getByRole('group', { name: t('fi', 'phase_legend', { number }), exact: true });
const perspectiveTitleInput = (page: Page, number: number) =>
	perspectiveGroup(page, number).getByLabel(t('fi', 'field_perspective_title'), { exact: true });
const phaseTitleInput = (page: Page, number: number) =>
	phaseGroup(page, number).getByLabel(t('fi', 'field_phase_title'), { exact: true });
const phaseDurationInput = (page: Page, number: number) =>
	phaseGroup(page, number).getByLabel(t('fi', 'field_phase_duration'), { exact: true });
const moveUp = (page: Page, number: number) =>
	page.getByRole('button', { name: `↑ ${t('fi', 'phase_move_up', { number })}`, exact: true });
const moveDown = (page: Page, number: number) =>
	page.getByRole('button', { name: `↓ ${t('fi', 'phase_move_down', { number })}`, exact: true });
const liveRegion = (page: Page) => page.locator('main p[aria-live="polite"]');
const titleInput = (page: Page) => page.getByLabel(t('fi', 'field_title'), { exact: true });
const themeInput = (page: Page) => page.getByLabel(t('fi', 'field_theme'), { exact: true });

async function expectPhaseTitles(page: Page, titles: string[]) {
	await expect(page.getByRole('group', { name: whole('phase_legend') })).toHaveCount(titles.length);
	for (const [index, title] of titles.entries()) {
		await expect(phaseTitleInput(page, index + 1), `phase ${index + 1}`).toHaveValue(title);
	}
}

// The manage page -----------------------------------------------------------------------------------------

const planPanel = (page: Page) => page.getByRole('region', { name: t('fi', 'perspectives_title'), exact: true });
const joinPanel = (page: Page) => page.getByRole('region', { name: t('fi', 'workshop_join_code'), exact: true });
const participantsSection = (page: Page) => page.locator('main section[aria-labelledby="participants-title"]');
const participantRow = (page: Page, name: string) =>
	participantsSection(page).getByRole('row').filter({ has: page.getByRole('rowheader', { name }) });
const removedList = (page: Page) => participantsSection(page).getByRole('list', { name: tRegex('fi', 'participants_removed_title') });

/** Creates a workshop by posting the form (as a browser without JavaScript would); returns its id and join code. */
async function createWorkshop(page: Page, title: string): Promise<{ id: string; code: string }> {
	const response = await postForm(page.request, '/workshops/new', {
		title,
		theme: 'Päätteestä luotu testityöpaja',
		description: '',
		startsAt: '',
		coFacilitators: '',
		'perspectives.0.id': '',
		'perspectives.0.title': 'Ensimmäinen kaista',
		'perspectives.0.description': '',
		'perspectives.1.id': '',
		'perspectives.1.title': 'Toinen kaista',
		'perspectives.1.description': 'Toisen kaistan kuvaus',
		'phases.0.kind': 'ideas',
		'phases.0.title': 'Ideointi',
		'phases.0.durationMinutes': '20'
	});
	expect(response.status(), 'creating a workshop redirects to its page').toBe(303);
	const id = /^\/workshops\/([^/?#]+)$/.exec(response.headers()['location'] ?? '')?.[1];
	expect(id, `redirect target ${response.headers()['location']}`).toBeTruthy();
	await goto(page, `/workshops/${id}`);
	const code = (await page.locator('main .join-code').textContent())!.trim();
	expect(code).toMatch(joinCodePattern);
	return { id: id!, code };
}

/** The guest form at /w/{code}: fills in the name (and organisation) and joins. */
async function joinAsGuest(page: Page, name: string, organisation = '') {
	await page.getByLabel(t('fi', 'join_name'), { exact: true }).fill(name);
	await page.getByLabel(t('fi', 'join_organisation'), { exact: true }).fill(organisation);
	await page.getByRole('button', { name: t('fi', 'join_submit'), exact: true }).click();
}

/** On the workshop's board URL, and not on an error page (the board's own content is another spec's business). */
async function expectOnBoard(page: Page, id: string) {
	await expect(page).toHaveURL(boardUrl(id));
	await expect(page.getByRole('heading', { name: whole('error_page_title') })).toHaveCount(0);
}

function idFromBoardUrl(url: string) {
	const id = /\/workshops\/([^/]+)\/board$/.exec(new URL(url).pathname)?.[1];
	expect(id, `board URL ${url}`).toBeTruthy();
	return id!;
}

/** The join page tells a removed person so, and offers no form to join again. */
async function expectRemoved(page: Page, code: string) {
	await expect(page).toHaveURL(`${baseUrl()}/w/${code}`);
	await expect(page.getByRole('alert')).toContainText(t('fi', 'join_removed'));
	await expect(page.getByRole('alert')).toContainText(t('fi', 'join_removed_hint'));
	await expect(page.getByLabel(t('fi', 'join_name'), { exact: true })).toHaveCount(0);
}

async function expectForbidden(page: Page, path: string) {
	const response = await page.goto(path);
	expect(response?.status(), path).toBe(403);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('fi', 'error_page_title', { status: 403 }));
}

/**
 * A new account with the facilitator role in a new organisation of its own (made by the admin), so that its
 * workshop list is this test's alone. The account is signed in in `page`'s context.
 */
async function createFacilitatorAccount(page: Page, browser: Browser): Promise<Account> {
	const admin = await newContext(browser);
	try {
		const adminPage = await admin.newPage();
		await signInAs(adminPage, 'admin');
		const organisation = `E2E ${unique('Fasilitaattorit')}`;
		const created = await postForm(adminPage.request, '/admin/organisations?/create', {
			name: organisation,
			kind: 'ngo',
			municipality: 'Espoo'
		});
		expect(created.status(), 'the admin creates an organisation').toBe(200);
		await adminPage.goto('/admin/organisations');
		const href = await adminPage.getByRole('link', { name: organisation, exact: true }).getAttribute('href');
		expect(href).toMatch(/^\/admin\/organisations\/[^/]+$/);
		const account = await createAccount(page.request);
		const added = await postForm(adminPage.request, `${href}?/addMember`, { email: account.email, role: 'facilitator' });
		expect(added.status(), 'the admin makes the new account a facilitator').toBe(200);
		return account;
	} finally {
		await admin.close();
	}
}

// Tests ---------------------------------------------------------------------------------------------------

test('a facilitator prepares a workshop from the Jalostamo template, reordering the agenda by keyboard', async ({ page }) => {
	await signInAs(page, 'facilitator');
	await goto(page, '/workshops');
	await page.getByRole('link', { name: t('fi', 'workshops_create'), exact: true }).click();
	await expect(page).toHaveURL(`${baseUrl()}/workshops/new`);
	await hydrated(page);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('fi', 'workshop_new_title'));

	// The form starts from the template: three perspectives and the six Jalostamo phases.
	await expect(page.getByRole('group', { name: whole('perspective_legend') })).toHaveCount(3);
	for (const [index, title] of template.perspectives.entries()) {
		await expect(perspectiveTitleInput(page, index + 1)).toHaveValue(title);
	}
	const p = template.phases;
	await expectPhaseTitles(page, [p.orientation, p.ideas, p.grouping, p.voting, p.canvas, p.commitments]);
	await expect(phaseGroup(page, 5).getByLabel(t('fi', 'field_phase_kind'), { exact: true })).toHaveValue('canvas');
	await expect(page.getByText(t('fi', 'agenda_total', { minutes: 115 }))).toBeVisible();
	await expect(moveUp(page, 1)).toBeDisabled();
	await expect(moveDown(page, 6)).toBeDisabled();
	await expectAccessible(page, 'new workshop form');

	const title = `E2E ${unique('Työpaja')}`;
	await titleInput(page).fill(title);
	await themeInput(page).fill('Kestävä arki lähiöissä');
	await page.getByLabel(t('fi', 'field_description'), { exact: true }).fill('Päättäjät ja asukkaat samaan pöytään.');
	await page.getByLabel(t('fi', 'field_starts_at'), { exact: true }).fill('2030-05-14T09:30');

	// A fourth perspective.
	await page.getByRole('button', { name: t('fi', 'perspective_add'), exact: true }).click();
	await expect(perspectiveGroup(page, 4)).toBeVisible();
	await perspectiveTitleInput(page, 4).fill('Ikääntyvät asukkaat');
	await perspectiveGroup(page, 4)
		.getByLabel(t('fi', 'field_perspective_description'), { exact: true })
		.fill('Arki yli 75-vuotiaan silmin');

	// Drop the grouping phase (3).
	await page.getByRole('button', { name: t('fi', 'phase_remove', { number: 3 }), exact: true }).click();
	await expectPhaseTitles(page, [p.orientation, p.ideas, p.voting, p.canvas, p.commitments]);
	await expect(page.getByText(t('fi', 'agenda_total', { minutes: 100 }))).toBeVisible();

	// Keyboard only: the canvas phase (4) up twice, the ideas phase then down once. Focus stays on the button
	// of the phase being moved, and the live region says where it went.
	await expect(liveRegion(page)).toHaveText('');
	await moveUp(page, 4).focus();
	await page.keyboard.press('Enter');
	await expectPhaseTitles(page, [p.orientation, p.ideas, p.canvas, p.voting, p.commitments]);
	await expect(moveUp(page, 3)).toBeFocused();
	await expect(liveRegion(page)).toHaveText(t('fi', 'phase_moved', { number: 3 }));

	await page.keyboard.press('Enter');
	await expectPhaseTitles(page, [p.orientation, p.canvas, p.ideas, p.voting, p.commitments]);
	await expect(moveUp(page, 2)).toBeFocused();
	await expect(liveRegion(page)).toHaveText(t('fi', 'phase_moved', { number: 2 }));
	// The kind and duration moved with the title.
	await expect(phaseGroup(page, 2).getByLabel(t('fi', 'field_phase_kind'), { exact: true })).toHaveValue('canvas');
	await expect(phaseDurationInput(page, 2)).toHaveValue('40');

	await moveDown(page, 3).focus();
	await page.keyboard.press('Enter');
	await expectPhaseTitles(page, [p.orientation, p.canvas, p.voting, p.ideas, p.commitments]);
	await expect(moveDown(page, 4)).toBeFocused();
	await expect(liveRegion(page)).toHaveText(t('fi', 'phase_moved', { number: 4 }));
	const agenda = [p.orientation, p.canvas, p.voting, p.ideas, p.commitments];

	// Participating organisations.
	await page.getByRole('checkbox', { name: 'Helsingin kaupunki', exact: true }).check();
	await page.getByRole('checkbox', { name: 'Oulun kaupunki', exact: true }).check();

	await page.getByRole('button', { name: t('fi', 'workshop_create_submit'), exact: true }).click();
	await page.waitForURL((url) => /^\/workshops\/[^/]+$/.test(url.pathname) && url.pathname !== '/workshops/new');
	await hydrated(page);
	const id = new URL(page.url()).pathname.split('/')[2]!;

	await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
	await expect(page.getByText('Kestävä arki lähiöissä', { exact: true })).toBeVisible();
	const when = new Intl.DateTimeFormat('fi-FI', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Helsinki' }).format(
		new Date(Date.UTC(2030, 4, 14, 6, 30)) // 09:30 in Helsinki (summer time)
	);
	// … until 12:30 (the default length, three hours).
	const until = new Intl.DateTimeFormat('fi-FI', { timeStyle: 'short', timeZone: 'Europe/Helsinki' }).format(new Date(Date.UTC(2030, 4, 14, 9, 30)));
	await expect(page.locator('main .meta')).toHaveText(`${when}–${until}`);

	// The join code, link and QR code.
	const code = (await joinPanel(page).locator('.join-code').textContent())!.trim();
	expect(code).toMatch(joinCodePattern);
	const link = `${baseUrl()}/w/${code}`;
	const joinLink = joinPanel(page).getByRole('link', { name: link, exact: true });
	await expect(joinLink).toHaveAttribute('href', link);
	const qr = joinPanel(page).locator('svg[role="img"]');
	await expect(qr).toHaveCount(1);
	await expect(qr).toHaveAccessibleName(t('fi', 'workshop_qr_label', { link }));
	expect((await qr.locator('path').getAttribute('d'))?.length ?? 0).toBeGreaterThan(100);
	await expect(joinPanel(page).getByText(t('fi', 'joining_status_open'), { exact: true })).toBeVisible();
	await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl() });
	await joinPanel(page).getByRole('button', { name: t('fi', 'workshop_copy_link'), exact: true }).click();
	await expect(joinPanel(page).getByRole('status')).toHaveText(t('fi', 'workshop_link_copied'));
	expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);

	// The plan as saved, in the order shown in the form.
	const [perspectiveList, agendaList] = [planPanel(page).locator('ol').nth(0), planPanel(page).locator('ol').nth(1)];
	await expect(perspectiveList.getByRole('listitem')).toHaveText([
		...template.perspectives.map((name) => new RegExp(`^${escapeRegExp(name)}: `)),
		'Ikääntyvät asukkaat: Arki yli 75-vuotiaan silmin'
	]);
	await expect(agendaList.getByRole('listitem')).toHaveText(agenda.map((name) => new RegExp(`^${escapeRegExp(name)} \\(`)));
	await expect(agendaList.getByRole('listitem').nth(1)).toHaveText(
		`${p.canvas} (${t('fi', 'phase_kind_canvas')}, 40 min)`
	);
	await expect(planPanel(page)).toContainText('Aino Fasilitaattori');
	await expect(planPanel(page)).toContainText('Helsingin kaupunki, Oulun kaupunki');
	await expect(page.getByText(t('fi', 'participants_empty'))).toBeVisible();
	await expectAccessible(page, 'new workshop page');

	// The edit form shows what was saved.
	await goto(page, `/workshops/${id}/edit`);
	await expect(titleInput(page)).toHaveValue(title);
	await expect(page.getByLabel(t('fi', 'field_starts_at'), { exact: true })).toHaveValue('2030-05-14T09:30');
	await expect(page.getByRole('checkbox', { name: 'Helsingin kaupunki', exact: true })).toBeChecked();
	await expect(page.getByRole('checkbox', { name: 'Suomen Kuntaliitto', exact: true })).not.toBeChecked();
	await expectPhaseTitles(page, agenda);

	// And the facilitator's list has it.
	await goto(page, '/workshops');
	const card = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: title, exact: true }) });
	await expect(card.getByRole('link')).toHaveAttribute('href', `/workshops/${id}`);
	await expect(card).toContainText(t('fi', 'workshops_facilitating'));
});

test('moving a phase to the top or the bottom by keyboard keeps focus in that phase', async ({ page }) => {
	// Moving to either end disables the button just pressed; focus must stay in the moved phase (on its other move
	// button), not fall back to <body> where a keyboard or screen-reader user loses their place.
	await signInAs(page, 'facilitator');
	await goto(page, '/workshops/new');
	const p = template.phases;
	const focusedPhase = () =>
		page.evaluate(() => {
			const active = document.activeElement;
			const fieldset = active?.closest('fieldset');
			const tag = active?.tagName.toLowerCase() ?? 'nothing';
			return {
				element: tag === 'button' ? `button ${active!.textContent!.trim()}` : tag,
				phase: fieldset?.querySelector('legend')?.textContent ?? null
			};
		});

	await moveUp(page, 2).focus();
	await page.keyboard.press('Enter');
	await expectPhaseTitles(page, [p.ideas, p.orientation, p.grouping, p.voting, p.canvas, p.commitments]);
	await expect(liveRegion(page)).toHaveText(t('fi', 'phase_moved', { number: 1 }));
	expect.soft(await focusedPhase(), 'focus after moving phase 2 to the top').toEqual({
		element: `button ↓ ${t('fi', 'phase_move_down', { number: 1 })}`,
		phase: t('fi', 'phase_legend', { number: 1 })
	});

	await moveDown(page, 5).focus();
	await page.keyboard.press('Enter');
	await expectPhaseTitles(page, [p.ideas, p.orientation, p.grouping, p.voting, p.commitments, p.canvas]);
	await expect(liveRegion(page)).toHaveText(t('fi', 'phase_moved', { number: 6 }));
	expect.soft(await focusedPhase(), 'focus after moving phase 5 to the bottom').toEqual({
		element: `button ↑ ${t('fi', 'phase_move_up', { number: 6 })}`,
		phase: t('fi', 'phase_legend', { number: 6 })
	});
});

test('the workshop form shows translated errors at the fields and creates nothing', async ({ page, browser }) => {
	// A facilitator of their own, so that no other test's workshops land in the list being counted.
	await createFacilitatorAccount(page, browser);
	await goto(page, '/workshops');
	const cards = page.locator('main ul.cards > li');
	await expect(cards).toHaveCount(0);
	await expect(page.getByText(t('fi', 'workshops_empty'))).toBeVisible();
	await expectAccessible(page, 'empty workshop list');
	await page.getByRole('link', { name: t('fi', 'workshops_create'), exact: true }).click();
	await expect(page).toHaveURL(`${baseUrl()}/workshops/new`);
	await hydrated(page);
	const theme = `Teema ${unique('virhe')}`;
	await titleInput(page).fill('');
	await themeInput(page).fill(theme);
	await phaseDurationInput(page, 2).fill('0');
	await page.getByRole('button', { name: t('fi', 'workshop_create_submit'), exact: true }).click();

	await expect(page.getByRole('alert')).toHaveText(t('fi', 'form_has_errors'));
	await expect(page).toHaveURL(`${baseUrl()}/workshops/new`);
	await expect(titleInput(page)).toHaveAccessibleDescription(t('fi', 'error_required'));
	await expect(titleInput(page)).toHaveAttribute('aria-invalid', 'true');
	await expect(phaseDurationInput(page, 2)).toHaveAccessibleDescription(t('fi', 'error_duration'));
	await expect(phaseDurationInput(page, 2)).toHaveAttribute('aria-invalid', 'true');
	// Only those two fields are marked.
	await expect(themeInput(page)).toHaveAccessibleDescription(t('fi', 'field_theme_hint'));
	await expect(themeInput(page)).not.toHaveAttribute('aria-invalid', 'true');
	await expect(phaseDurationInput(page, 1)).not.toHaveAttribute('aria-invalid', 'true');
	await expect(page.locator('main [aria-invalid="true"]')).toHaveCount(2);
	// What was typed is kept.
	await expect(themeInput(page)).toHaveValue(theme);
	await expect(phaseDurationInput(page, 2)).toHaveValue('0');
	await expect(page.getByRole('group', { name: whole('phase_legend') })).toHaveCount(6);
	await expectAccessible(page, 'new workshop form with errors');

	// Fixed, but with a co-facilitator who has no account.
	const title = `E2E ${unique('Virheellinen')}`;
	const stranger = `${unique('ei-tilia')}@example.com`;
	await titleInput(page).fill(title);
	await phaseDurationInput(page, 2).fill('20');
	const coFacilitators = page.getByLabel(t('fi', 'field_co_facilitators'), { exact: true });
	await coFacilitators.fill(`${demo.lead}\n${stranger}`);
	await page.getByRole('button', { name: t('fi', 'workshop_create_submit'), exact: true }).click();
	const unknownMessage = t('fi', 'error_unknown_facilitators', { emails: stranger });
	await expect(coFacilitators).toHaveAccessibleDescription(`${t('fi', 'field_co_facilitators_hint')} ${unknownMessage}`);
	await expect(page.getByText(unknownMessage, { exact: true })).toBeVisible();
	await expect(page.getByRole('alert')).toHaveText(t('fi', 'form_has_errors'));
	await expect(titleInput(page)).not.toHaveAttribute('aria-invalid', 'true');
	await expect(page).toHaveURL(`${baseUrl()}/workshops/new`);
	await expectAccessible(page, 'unknown co-facilitator');

	// Nothing was created.
	await goto(page, '/workshops');
	await expect(cards).toHaveCount(0);
	await expect(page.getByText(t('fi', 'workshops_empty'))).toBeVisible();

	// The form works for this account: the same input without the stranger creates exactly one workshop.
	await goto(page, '/workshops/new');
	await titleInput(page).fill(title);
	await themeInput(page).fill(theme);
	await page.getByRole('button', { name: t('fi', 'workshop_create_submit'), exact: true }).click();
	await page.waitForURL((url) => /^\/workshops\/[^/]+$/.test(url.pathname) && url.pathname !== '/workshops/new');
	await goto(page, '/workshops');
	await expect(cards).toHaveCount(1);
	await expect(cards.getByRole('link', { name: title, exact: true })).toBeVisible();
	await expectAccessible(page, 'workshop list with one workshop');
});

test('a facilitator renames a perspective', async ({ page }) => {
	await signInAs(page, 'facilitator');
	const title = `E2E ${unique('Muokattava')}`;
	const { id } = await createWorkshop(page, title);
	await expect(planPanel(page).locator('ol').first().getByRole('listitem')).toHaveText([
		'Ensimmäinen kaista',
		'Toinen kaista: Toisen kaistan kuvaus'
	]);

	await page.getByRole('link', { name: t('fi', 'workshop_edit'), exact: true }).click();
	await expect(page).toHaveURL(`${baseUrl()}/workshops/${id}/edit`);
	await hydrated(page);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('fi', 'workshop_edit_title'));
	await expect(titleInput(page)).toHaveValue(title);
	await expect(perspectiveTitleInput(page, 2)).toHaveValue('Toinen kaista');
	// Perspectives are the board's lanes: renaming one must keep its id (notes point at it).
	const laneIds = page.locator('input[type="hidden"][name^="perspectives."][name$=".id"]');
	const idsBefore = await laneIds.evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value));
	expect(idsBefore).toHaveLength(2);
	expect(idsBefore.every(Boolean)).toBe(true);
	await expectAccessible(page, 'edit form');

	await perspectiveTitleInput(page, 2).fill('Nuoret työnhakijat');
	await page.getByRole('button', { name: t('fi', 'workshop_save'), exact: true }).click();
	await expect(page).toHaveURL(`${baseUrl()}/workshops/${id}`);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
	await expect(planPanel(page).locator('ol').first().getByRole('listitem')).toHaveText([
		'Ensimmäinen kaista',
		'Nuoret työnhakijat: Toisen kaistan kuvaus'
	]);
	await expect(planPanel(page).getByText('Toinen kaista', { exact: true })).toHaveCount(0);
	await expect(planPanel(page).locator('ol').nth(1).getByRole('listitem')).toHaveText([
		`Ideointi (${t('fi', 'phase_kind_ideas')}, 20 min)`
	]);

	await goto(page, `/workshops/${id}/edit`);
	await expect(perspectiveTitleInput(page, 2)).toHaveValue('Nuoret työnhakijat');
	expect(await laneIds.evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value))).toEqual(idsBefore);
	await page.getByRole('link', { name: `← ${title}`, exact: true }).click();
	await expect(page).toHaveURL(`${baseUrl()}/workshops/${id}`);
});

test('a guest joins the demo workshop from a phone with a mistyped code and keeps their identity', async ({ page, browser }) => {
	const guest = await newContext(browser, phone);
	try {
		const phonePage = await guest.newPage();
		await goto(phonePage, '/');
		const codeInput = phonePage.getByLabel(t('fi', 'join_code_label'), { exact: true });
		await codeInput.fill('jal024'); // lower case, and a zero for the O
		await phonePage.getByRole('button', { name: t('fi', 'join_code_submit'), exact: true }).click();
		await expect(phonePage).toHaveURL(`${baseUrl()}/w/${demoCode}`);
		await hydrated(phonePage);
		await expect(phonePage.getByRole('heading', { level: 1 })).toHaveText(demoTitle);
		await expectNoHorizontalScroll(phonePage, 'the guest form at 360px');
		await expectAccessible(phonePage, 'guest form at 360px');

		// No name: the form says so.
		await joinAsGuest(phonePage, '');
		await expect(phonePage.getByRole('alert')).toHaveText(t('fi', 'form_has_errors'));
		await expect(phonePage).toHaveURL(`${baseUrl()}/w/${demoCode}`);
		const nameInput = phonePage.getByLabel(t('fi', 'join_name'), { exact: true });
		await expect(nameInput).toHaveAccessibleDescription(`${t('fi', 'join_name_hint')} ${t('fi', 'error_required')}`);
		await expect(nameInput).toHaveAttribute('aria-invalid', 'true');
		await expect(phonePage.getByLabel(t('fi', 'join_organisation'), { exact: true })).toHaveValue('');
		await expectNoHorizontalScroll(phonePage, 'the guest form with errors at 360px');
		await expectAccessible(phonePage, 'guest form with errors at 360px');
		expect((await guest.cookies()).filter((cookie) => cookie.name.startsWith('verstas_guest_'))).toEqual([]);

		const name = `Vieras ${unique('puhelin')}`;
		await hydrated(phonePage);
		await joinAsGuest(phonePage, name, 'Vantaan kaupunki');
		await expect(phonePage).toHaveURL(/\/workshops\/[^/]+\/board$/);
		const id = idFromBoardUrl(phonePage.url());
		await expectOnBoard(phonePage, id);
		const cookie = (await guest.cookies()).find((candidate) => candidate.name === `verstas_guest_${id}`);
		expect(cookie, 'the guest cookie for this workshop').toBeTruthy();
		expect(cookie!.httpOnly).toBe(true);

		// Reloading the board, and opening the join link again, keeps the same guest.
		const reloaded = await phonePage.reload();
		expect(reloaded?.status()).toBeLessThan(400);
		await expectOnBoard(phonePage, id);
		await phonePage.goto(`/w/${demoCode}`);
		await expectOnBoard(phonePage, id);
		await phonePage.goto(`/w/${demoCode.toLowerCase()}`);
		await expectOnBoard(phonePage, id);
		expect((await guest.cookies()).filter((candidate) => candidate.name.startsWith('verstas_guest_'))).toHaveLength(1);

		// The facilitator sees one guest of that name.
		await signInAs(page, 'facilitator');
		await goto(page, `/workshops/${id}`);
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(demoTitle);
		const row = participantRow(page, name);
		await expect(row).toHaveCount(1);
		await expect(row.getByRole('rowheader')).toContainText(t('fi', 'guest_badge'));
		await expect(row.getByRole('cell').nth(0)).toHaveText('Vantaan kaupunki');
		await expect(row.getByRole('cell').nth(1)).toHaveText(t('fi', 'role_participant'));
	} finally {
		await guest.close();
	}
});

test('a facilitator changes a guest’s role, removes them and closes joining', async ({ page, browser }) => {
	await signInAs(page, 'facilitator');
	const { id, code } = await createWorkshop(page, `E2E ${unique('Osallistujat')}`);
	await expect(page.getByText(t('fi', 'participants_empty'))).toBeVisible();

	const guestContext = await newContext(browser);
	const newcomerContext = await newContext(browser);
	try {
		// A guest joins.
		const guest = await guestContext.newPage();
		await goto(guest, `/w/${code}`);
		await expect(guest.getByRole('heading', { level: 1 })).toHaveText(/^E2E Osallistujat-/);
		const name = `Vieras ${unique('poistettava')}`;
		await joinAsGuest(guest, name);
		await expectOnBoard(guest, id);

		await page.reload();
		await hydrated(page);
		const row = participantRow(page, name);
		await expect(row).toHaveCount(1);
		await expect(page.getByRole('heading', { name: t('fi', 'participants_title', { count: 1 }), exact: true })).toBeVisible();
		await expect(row.getByRole('cell').nth(1)).toHaveText(t('fi', 'role_participant'));

		// Observer, and back.
		await row.getByRole('button', { name: t('fi', 'participant_make_observer'), exact: true }).click();
		await expect(participantsSection(page).getByRole('status')).toHaveText(
			t('fi', 'participant_role_changed', { name, role: t('fi', 'role_observer') })
		);
		await expect(row.getByRole('cell').nth(1)).toHaveText(t('fi', 'role_observer'));
		// The focus stays on the row's role button, in sight though the message above pushed the table down.
		const back = row.getByRole('button', { name: t('fi', 'participant_make_participant'), exact: true });
		await expect(back).toBeFocused();
		await expect(back).toBeInViewport();
		await page.reload();
		await hydrated(page);
		await expect(row.getByRole('cell').nth(1)).toHaveText(t('fi', 'role_observer'));
		await row.getByRole('button', { name: t('fi', 'participant_make_participant'), exact: true }).click();
		await expect(participantsSection(page).getByRole('status')).toHaveText(
			t('fi', 'participant_role_changed', { name, role: t('fi', 'role_participant') })
		);
		await expect(row.getByRole('cell').nth(1)).toHaveText(t('fi', 'role_participant'));
		// The guest is still in.
		await guest.reload();
		await expectOnBoard(guest, id);

		// Remove: Cancel first keeps them.
		const removeButton = row.getByRole('button', { name: t('fi', 'participant_remove', { name }), exact: true });
		const dialog = page.getByRole('dialog', { name: t('fi', 'participant_remove_confirm', { name }) });
		await removeButton.click();
		await expect(dialog).toBeVisible();
		await expectAccessible(page, 'remove-participant dialog');
		await dialog.getByRole('button', { name: t('fi', 'cancel'), exact: true }).click();
		await expect(dialog).toBeHidden();
		await page.reload();
		await hydrated(page);
		await expect(row).toHaveCount(1);

		await removeButton.click();
		await expect(dialog).toBeVisible();
		await dialog.getByRole('button', { name: t('fi', 'member_remove_short'), exact: true }).click();
		await expect(dialog).toBeHidden();
		await expect(participantsSection(page).getByRole('status')).toHaveText(t('fi', 'participant_removed', { name }));
		await expect(row).toHaveCount(0);
		await expect(page.getByText(t('fi', 'participants_empty'))).toBeVisible();
		await page.reload();
		await expect(participantRow(page, name)).toHaveCount(0);

		// The removed guest is told so on the join link, and the board sends them there: no guest form to rejoin.
		await goto(guest, `/w/${code}`);
		await expectRemoved(guest, code);
		await guest.goto(`/workshops/${id}/board`);
		await expectRemoved(guest, code);
		await expectAccessible(guest, 'removed guest');

		// Close joining: a newcomer is turned away, also when posting the form directly.
		await hydrated(page);
		await joinPanel(page).getByRole('button', { name: t('fi', 'joining_close'), exact: true }).click();
		await expect(joinPanel(page).getByText(t('fi', 'joining_status_closed'), { exact: true })).toBeVisible();
		await expect(joinPanel(page).getByRole('button', { name: t('fi', 'joining_open'), exact: true })).toBeVisible();
		const newcomer = await newcomerContext.newPage();
		await goto(newcomer, `/w/${code}`);
		await expect(newcomer.getByRole('alert')).toHaveText(t('fi', 'join_closed'));
		await expect(newcomer.getByLabel(t('fi', 'join_name'), { exact: true })).toHaveCount(0);
		await expectAccessible(newcomer, 'joining closed');
		const refused = await postForm(newcomer.request, `/w/${code}`, { displayName: 'Myöhästynyt', organisationName: '' });
		expect(refused.status()).toBe(403);
		expect((await newcomerContext.cookies()).filter((cookie) => cookie.name.startsWith('verstas_guest_'))).toEqual([]);
		await page.reload();
		await expect(participantRow(page, 'Myöhästynyt')).toHaveCount(0);

		// Reopen: the newcomer gets the form.
		await hydrated(page);
		await joinPanel(page).getByRole('button', { name: t('fi', 'joining_open'), exact: true }).click();
		await expect(joinPanel(page).getByText(t('fi', 'joining_status_open'), { exact: true })).toBeVisible();
		await newcomer.reload();
		await expect(newcomer.getByLabel(t('fi', 'join_name'), { exact: true })).toBeVisible();
		await expect(newcomer.getByRole('alert')).toHaveCount(0);
	} finally {
		await guestContext.close();
		await newcomerContext.close();
	}
});

test('a removed guest cannot rejoin from the same phone under a new name; restored, they are back as the same guest', async ({ page, browser }) => {
	await signInAs(page, 'facilitator');
	const { id, code } = await createWorkshop(page, `E2E ${unique('Poisto pysyy')}`);
	const guestContext = await newContext(browser, phone);
	const samePhoneContext = await newContext(browser, phone);
	try {
		const guest = await guestContext.newPage();
		await goto(guest, `/w/${code}`);
		const name = `Vieras ${unique('häiriö')}`;
		await joinAsGuest(guest, name);
		await expectOnBoard(guest, id);
		await expect(guest.getByRole('status').filter({ hasText: t('fi', 'board_status_online') })).toBeVisible({ timeout: 10_000 });
		// Every browser that comes to join gets a long-lived device cookie, out of scripts' reach.
		const device = (await guestContext.cookies()).find((cookie) => cookie.name === 'verstas_device');
		expect(device, 'the device cookie').toBeTruthy();
		expect(device!).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: true, path: '/' });
		expect(device!.expires * 1000 - Date.now()).toBeGreaterThan(300 * 24 * 3600_000);

		await goto(page, `/workshops/${id}`);
		const row = participantRow(page, name);
		await row.getByRole('button', { name: t('fi', 'participant_remove', { name }), exact: true }).click();
		await page
			.getByRole('dialog', { name: t('fi', 'participant_remove_confirm', { name }) })
			.getByRole('button', { name: t('fi', 'member_remove_short'), exact: true })
			.click();
		await expect(participantsSection(page).getByRole('status')).toHaveText(t('fi', 'participant_removed', { name }));
		// The row and its button are gone: focus waits on the participants' heading, not on <body>.
		await expect(page.getByRole('heading', { name: t('fi', 'participants_title', { count: 0 }), exact: true })).toBeFocused();
		const removed = removedList(page).getByRole('listitem').filter({ hasText: name });
		await expect(removed).toHaveCount(1);
		await expect(removed).toContainText(t('fi', 'guest_badge'));
		await expectAccessible(page, 'the removed list');

		// Their open board is cut off at once and lands on the page that says why.
		await expectRemoved(guest, code);

		// The same phone with its guest cookie cleared: no form for a new name, and posting one is refused.
		await samePhoneContext.addCookies([device!]);
		const samePhone = await samePhoneContext.newPage();
		await goto(samePhone, `/w/${code}`);
		await expectRemoved(samePhone, code);
		const refused = await postForm(samePhone.request, `/w/${code}`, { displayName: 'Ihan uusi nimi', organisationName: '' });
		expect(refused.status()).toBe(403);
		expect(await refused.text()).toContain(t('fi', 'join_removed'));
		expect((await samePhoneContext.cookies()).filter((cookie) => cookie.name.startsWith('verstas_guest_'))).toEqual([]);
		await page.reload();
		await expect(participantRow(page, 'Ihan uusi nimi')).toHaveCount(0);

		// Restored: the same guest (same cookie, same name, one row) is back on the board.
		await hydrated(page);
		await removed.getByRole('button', { name: t('fi', 'participant_restore', { name }), exact: true }).click();
		await expect(participantsSection(page).getByRole('status')).toHaveText(t('fi', 'participant_restored', { name }));
		await expect(page.getByRole('heading', { name: t('fi', 'participants_title', { count: 1 }), exact: true })).toBeFocused();
		await expect(participantRow(page, name)).toHaveCount(1);
		await expect(removedList(page)).toHaveCount(0);
		await goto(guest, `/w/${code}`);
		await expectOnBoard(guest, id);
		await page.reload();
		await expect(participantRow(page, name)).toHaveCount(1);
		expect((await guestContext.cookies()).filter((cookie) => cookie.name.startsWith('verstas_guest_'))).toHaveLength(1);
	} finally {
		await guestContext.close();
		await samePhoneContext.close();
	}
});

test('a signed-in participant removed by the facilitator is told so and kept out', async ({ page, browser }) => {
	await signInAs(page, 'facilitator');
	const title = `E2E ${unique('Poistettu')}`;
	const { id, code } = await createWorkshop(page, title);

	const memberContext = await newContext(browser);
	try {
		const member = await memberContext.newPage();
		const account = await createAccount(member.request);
		await goto(member, `/w/${code}`);
		await expectOnBoard(member, id);
		await goto(member, '/workshops');
		await expect(member.getByRole('link', { name: title, exact: true })).toHaveAttribute('href', `/workshops/${id}/board`);

		await page.reload();
		await hydrated(page);
		const row = participantRow(page, account.name);
		await expect(row).toHaveCount(1);
		await expect(row.getByRole('rowheader')).not.toContainText(t('fi', 'guest_badge'));
		await row.getByRole('button', { name: t('fi', 'participant_remove', { name: account.name }), exact: true }).click();
		await page
			.getByRole('dialog', { name: t('fi', 'participant_remove_confirm', { name: account.name }) })
			.getByRole('button', { name: t('fi', 'member_remove_short'), exact: true })
			.click();
		await expect(participantsSection(page).getByRole('status')).toHaveText(
			t('fi', 'participant_removed', { name: account.name })
		);
		await expect(row).toHaveCount(0);

		// The join link says why, without joining them again; the board and the list no longer let them in.
		await goto(member, `/w/${code}`);
		await expect(member.getByRole('heading', { level: 1 })).toHaveText(title);
		await expectRemoved(member, code);
		await expectAccessible(member, 'removed from the workshop');
		await member.goto(`/workshops/${id}/board`);
		await expectRemoved(member, code);
		await goto(member, '/workshops');
		await expect(member.getByRole('link', { name: title, exact: true })).toHaveCount(0);
		await page.reload();
		await expect(participantRow(page, account.name)).toHaveCount(0);

		// Restored: the same account is back in as the same participant.
		await hydrated(page);
		await removedList(page).getByRole('button', { name: t('fi', 'participant_restore', { name: account.name }), exact: true }).click();
		await expect(participantsSection(page).getByRole('status')).toHaveText(t('fi', 'participant_restored', { name: account.name }));
		await expect(participantRow(page, account.name)).toHaveCount(1);
		await goto(member, `/w/${code}`);
		await expectOnBoard(member, id);
		await page.reload();
		await expect(participantRow(page, account.name)).toHaveCount(1);
	} finally {
		await memberContext.close();
	}
});

test('only the workshop’s facilitators manage it, and only facilitators create workshops', async ({ page, browser }) => {
	await signInAs(page, 'team');
	await goto(page, '/workshops');
	// The team member takes part in the demo workshop: their card leads to the board, not the manage page.
	const demoLink = page.getByRole('link', { name: demoTitle, exact: true });
	const href = (await demoLink.getAttribute('href'))!;
	expect(href).toMatch(/^\/workshops\/[^/]+\/board$/);
	await expect(page.getByRole('link', { name: t('fi', 'workshops_create'), exact: true })).toHaveCount(0);
	const id = href.split('/')[2]!;

	await expectForbidden(page, `/workshops/${id}`);
	await expect(page.getByText(t('fi', 'error_forbidden'))).toBeVisible();
	await expect(page.getByText(demoCode)).toHaveCount(0);
	await expectAccessible(page, '403 on the manage page');
	await expectForbidden(page, `/workshops/${id}/edit`);
	await expectForbidden(page, '/workshops/new');
	for (const action of ['removeParticipant', 'setRole', 'setJoining']) {
		const response = await postForm(page.request, `/workshops/${id}?/${action}`, {
			participantId: 'ei-ketaan',
			role: 'observer',
			open: 'false'
		});
		expect(response.status(), action).toBe(403);
		expect(await response.text(), action).toContain(t('fi', 'error_forbidden'));
	}
	const edit = await postForm(page.request, `/workshops/${id}/edit`, { title: 'Kaapattu', theme: 'x', 'perspectives.0.title': 'x' });
	expect(edit.status()).toBe(403);
	const missing = await page.goto('/workshops/ei-ole-olemassa');
	expect(missing?.status()).toBe(404);
	await expect(page.getByText(t('fi', 'workshop_not_found'))).toBeVisible();
	// The demo workshop is still open to join.
	await goto(page, `/w/${demoCode}`);
	await expectOnBoard(page, id);

	// A programme lead may not create workshops.
	const lead = await newContext(browser);
	const visitor = await newContext(browser);
	try {
		const leadPage = await lead.newPage();
		await signInAs(leadPage, 'lead');
		await goto(leadPage, '/workshops');
		await expect(leadPage.getByRole('link', { name: t('fi', 'workshops_create'), exact: true })).toHaveCount(0);
		await expectForbidden(leadPage, '/workshops/new');
		await expect(leadPage.getByText(t('fi', 'error_cannot_create_workshops'))).toBeVisible();
		const created = await postForm(leadPage.request, '/workshops/new', {
			title: 'Luvaton',
			theme: 'x',
			'perspectives.0.title': 'x'
		});
		expect(created.status()).toBe(403);

		// Signed out: to sign in first, and back afterwards.
		const visitorPage = await visitor.newPage();
		const response = await visitorPage.goto(`/workshops/${id}`);
		expect(response?.status()).toBe(200);
		expect(new URL(visitorPage.url()).pathname).toBe('/sign-in');
		expect(new URL(visitorPage.url()).searchParams.get('redirectTo')).toBe(`/workshops/${id}`);
		await visitorPage.goto(`/workshops/${id}/edit`);
		expect(new URL(visitorPage.url()).pathname).toBe('/sign-in');
		await visitorPage.goto('/workshops');
		expect(new URL(visitorPage.url()).pathname).toBe('/sign-in');
		const anonymous = await postForm(visitorPage.request, `/workshops/${id}?/removeParticipant`, { participantId: 'ei-ketaan' });
		expect(anonymous.status()).toBe(303);
		expect(anonymous.headers()['location']).toMatch(/^\/sign-in\?redirectTo=/);
	} finally {
		await lead.close();
		await visitor.close();
	}
	await page.goto('/workshops'); // (the final page's axe check is on a page this spec owns)
});

test('join codes: unknown codes, look-alikes and the desktop guest form', async ({ page }) => {
	const unknown = await goto(page, '/w/ZZZZZZ');
	expect(unknown?.status()).toBe(200);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('fi', 'join_title'));
	const codeInput = page.getByLabel(t('fi', 'join_code_label'), { exact: true });
	await expect(codeInput).toHaveAccessibleDescription(`${t('fi', 'join_code_hint')} ${t('fi', 'join_code_unknown')}`);
	await expect(codeInput).toHaveAttribute('aria-invalid', 'true');
	await expect(page.getByLabel(t('fi', 'join_name'), { exact: true })).toHaveCount(0);
	await expectAccessible(page, 'unknown code');

	// The form on that page tries again, look-alikes and spaces forgiven.
	await codeInput.fill('jal0 24');
	await page.getByRole('button', { name: t('fi', 'join_code_submit'), exact: true }).click();
	await expect(page).toHaveURL(`${baseUrl()}/w/${demoCode}`);

	for (const query of ['jal0%2024', 'JAI024', 'ja-lo-24']) {
		await page.goto(`/w?code=${query}`);
		await expect(page, query).toHaveURL(`${baseUrl()}/w/${demoCode}`);
	}
	await page.goto('/w/jalo24');
	await expect(page).toHaveURL(`${baseUrl()}/w/${demoCode}`);

	await hydrated(page);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(demoTitle);
	await expect(page.getByLabel(t('fi', 'join_name'), { exact: true })).toBeVisible();
	await expect(page.getByLabel(t('fi', 'join_organisation'), { exact: true })).toBeVisible();
	await expect(page.getByRole('link', { name: t('fi', 'join_or_sign_in'), exact: true })).toHaveAttribute(
		'href',
		`/sign-in?redirectTo=${encodeURIComponent(`/w/${demoCode}`)}`
	);
	await expectAccessible(page, 'guest form on a desktop');

	// An empty code stays on the code page.
	await page.goto('/w?code=');
	await expect(page).toHaveURL(`${baseUrl()}/w?code=`);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('fi', 'join_title'));
});

test('a signed-in user opening the join link is joined under their own name', async ({ page, browser }) => {
	await signInAs(page, 'lead');
	await goto(page, `/w/${demoCode}`);
	await expect(page).toHaveURL(/\/workshops\/[^/]+\/board$/);
	const id = idFromBoardUrl(page.url());
	await expectOnBoard(page, id);
	// Again: still the board, still one participant.
	await page.goto(`/w/${demoCode}`);
	await expectOnBoard(page, id);

	await goto(page, '/workshops');
	const card = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: demoTitle, exact: true }) });
	await expect(card).toHaveCount(1);
	await expect(card.getByRole('link')).toHaveAttribute('href', `/workshops/${id}/board`);
	await expect(card).toContainText(t('fi', 'workshops_participating'));

	const facilitator = await newContext(browser);
	try {
		const facilitatorPage = await facilitator.newPage();
		await signInAs(facilitatorPage, 'facilitator');
		await goto(facilitatorPage, `/workshops/${id}`);
		const row = participantRow(facilitatorPage, 'Leena Ohjelmajohtaja');
		await expect(row).toHaveCount(1);
		await expect(row.getByRole('rowheader')).not.toContainText(t('fi', 'guest_badge'));
		await expect(row.getByRole('cell').nth(0)).toHaveText('Helsingin kaupunki');
	} finally {
		await facilitator.close();
	}
});
