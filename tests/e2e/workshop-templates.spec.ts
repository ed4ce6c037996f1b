// Starting workshops without clicking the Jalostamo template away: an empty workshop, a duplicate of an earlier one,
// and an organisation's saved template, usable by that organisation's facilitators only.
import type { Browser, Page } from '@playwright/test';
import {
	baseUrl,
	createAccount,
	expect,
	expectAccessible,
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

const whole = (key: string) => new RegExp(`^${tRegex('fi', key).source}$`);
const perspectiveGroups = (page: Page) => page.getByRole('group', { name: whole('perspective_legend') });
const phaseGroups = (page: Page) => page.getByRole('group', { name: whole('phase_legend') });
const startChoices = (page: Page) => page.getByRole('region', { name: t('fi', 'workshop_start_title'), exact: true });
const reusePanel = (page: Page) => page.getByRole('region', { name: t('fi', 'workshop_reuse_title'), exact: true });
const planPanel = (page: Page) => page.getByRole('region', { name: t('fi', 'perspectives_title'), exact: true });
const field = (page: Page, key: string) => page.getByLabel(t('fi', key), { exact: true });
const workshopPath = /^\/workshops\/(?!new$)[^/]+$/;

/** A new organisation (made by the admin) with two new facilitator accounts; both signed in, each in its own browser. */
async function organisationWithTwoFacilitators(browser: Browser) {
	const admin = await newContext(browser);
	const adminPage = await admin.newPage();
	await signInAs(adminPage, 'admin');
	const name = `E2E ${unique('Pohjakaupunki')}`;
	expect((await postForm(adminPage.request, '/admin/organisations?/create', { name, kind: 'city', municipality: 'Lahti' })).status()).toBe(200);
	await adminPage.goto('/admin/organisations');
	const href = (await adminPage.getByRole('link', { name, exact: true }).getAttribute('href'))!;
	const facilitator = async (): Promise<{ page: Page; account: Account }> => {
		const context = await newContext(browser);
		const page = await context.newPage();
		const account = await createAccount(page.request);
		expect((await postForm(adminPage.request, `${href}?/addMember`, { email: account.email, role: 'facilitator' })).status()).toBe(200);
		return { page, account };
	};
	const facilitators = [await facilitator(), await facilitator()] as const;
	await admin.close();
	return { name, facilitators, close: () => Promise.all(facilitators.map(({ page }) => page.context().close())) };
}

test('a facilitator starts an empty workshop: one lane to name, no agenda, no template to clear', async ({ page }) => {
	await signInAs(page, 'facilitator');
	await goto(page, '/workshops/new');
	// The Jalostamo template is where the form starts, and says so.
	await expect(startChoices(page).getByRole('link', { name: t('fi', 'workshop_start_jalostamo'), exact: true })).toHaveAttribute('aria-current', 'true');
	await expect(perspectiveGroups(page)).toHaveCount(3);
	await startChoices(page).getByRole('link', { name: t('fi', 'workshop_start_empty'), exact: true }).click();
	await expect(page).toHaveURL(`${baseUrl()}/workshops/new?start=empty`);
	await expect(startChoices(page).getByRole('link', { name: t('fi', 'workshop_start_empty'), exact: true })).toHaveAttribute('aria-current', 'true');
	await expect(perspectiveGroups(page)).toHaveCount(1);
	await expect(perspectiveGroups(page).getByLabel(t('fi', 'field_perspective_title'), { exact: true })).toHaveValue('');
	await expect(phaseGroups(page)).toHaveCount(0);
	await expect(page.getByText(t('fi', 'agenda_empty'), { exact: true }).first()).toBeVisible();
	await expectAccessible(page, 'empty workshop form');

	const title = `E2E ${unique('Tyhjästä')}`;
	await field(page, 'field_title').fill(title);
	await field(page, 'field_theme').fill('Aloitetaan alusta');
	await perspectiveGroups(page).getByLabel(t('fi', 'field_perspective_title'), { exact: true }).fill('Ainoa kaista');
	await page.getByRole('button', { name: t('fi', 'workshop_create_submit'), exact: true }).click();
	await page.waitForURL((url) => workshopPath.test(url.pathname));
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
	await expect(planPanel(page).locator('ol').first().getByRole('listitem')).toHaveText(['Ainoa kaista']);
	await expect(planPanel(page).getByText(t('fi', 'agenda_empty'), { exact: true })).toBeVisible();
});

test('a facilitator duplicates a workshop and saves it as their organisation’s template; a colleague starts from it, others never see it', async ({
	page,
	browser
}) => {
	const organisation = await organisationWithTwoFacilitators(browser);
	const guestContext = await newContext(browser);
	try {
		const [{ page: first }, { page: colleague }] = organisation.facilitators;
		const title = `E2E ${unique('Monistettava')}`;
		const created = await postForm(first.request, '/workshops/new', {
			title,
			theme: 'Lähiöiden arki',
			'perspectives.0.title': 'Lapsiperheet',
			'perspectives.0.description': 'Arjen palvelut',
			'perspectives.1.title': 'Nuoret',
			'phases.0.kind': 'ideas',
			'phases.0.title': 'Ideointi',
			'phases.0.durationMinutes': '25',
			'phases.1.kind': 'voting',
			'phases.1.title': 'Äänestys',
			'phases.1.durationMinutes': '10'
		});
		expect(created.status()).toBe(303);
		const originalPath = created.headers()['location']!;
		await goto(first, originalPath);
		const originalCode = (await first.locator('main .join-code').textContent())!.trim();
		expect((await postForm(guestContext.request, `/w/${originalCode}`, { displayName: 'Vieras', organisationName: '' })).status()).toBe(303);

		// Duplicate: the plan, a new code; not its participants.
		await first.reload();
		await hydrated(first);
		await reusePanel(first).getByRole('button', { name: t('fi', 'workshop_duplicate'), exact: true }).click();
		await first.waitForURL((url) => workshopPath.test(url.pathname) && url.pathname !== originalPath);
		await expect(first.getByRole('heading', { level: 1 })).toHaveText(t('fi', 'workshop_copy_title', { title }));
		await expect(first.getByRole('status').filter({ hasText: t('fi', 'workshop_duplicated') })).toBeVisible();
		await expect(planPanel(first).locator('ol').first().getByRole('listitem')).toHaveText(['Lapsiperheet: Arjen palvelut', 'Nuoret']);
		await expect(planPanel(first).locator('ol').nth(1).getByRole('listitem')).toHaveText([/^Ideointi \(/, /^Äänestys \(/]);
		const copyCode = (await first.locator('main .join-code').textContent())!.trim();
		expect(copyCode).not.toBe(originalCode);
		await expect(first.getByText(t('fi', 'participants_empty'))).toBeVisible();
		await expectAccessible(first, 'the duplicate');

		// Save the original as the organisation's template (their only organisation: the button names it).
		await goto(first, originalPath);
		const templateName = `Pohja ${unique('lähiö')}`;
		await field(first, 'workshop_template_name').fill(templateName);
		await reusePanel(first)
			.getByRole('button', { name: t('fi', 'workshop_template_save', { organisation: organisation.name }), exact: true })
			.click();
		await expect(reusePanel(first).getByRole('status')).toHaveText(
			t('fi', 'workshop_template_saved', { name: templateName, organisation: organisation.name })
		);

		// The colleague (same organisation) starts from it.
		await goto(colleague, '/workshops/new');
		const templateLink = startChoices(colleague).getByRole('link', { name: templateName, exact: true });
		await expect(startChoices(colleague)).toContainText(
			t('fi', 'workshop_start_template_hint', { organisation: organisation.name, perspectives: 2, phases: 2 })
		);
		const href = (await templateLink.getAttribute('href'))!;
		await templateLink.click();
		await expect(colleague).toHaveURL(/\/workshops\/new\?template=/);
		await expect(templateLink).toHaveAttribute('aria-current', 'true');
		await expect(field(colleague, 'field_theme')).toHaveValue('Lähiöiden arki');
		await expect(perspectiveGroups(colleague)).toHaveCount(2);
		await expect(phaseGroups(colleague)).toHaveCount(2);
		await expect(phaseGroups(colleague).first().getByLabel(t('fi', 'field_phase_duration'), { exact: true })).toHaveValue('25');
		await expectAccessible(colleague, 'new workshop from a template');
		const fromTemplate = `E2E ${unique('Pohjasta')}`;
		await field(colleague, 'field_title').fill(fromTemplate);
		await colleague.getByRole('button', { name: t('fi', 'workshop_create_submit'), exact: true }).click();
		await colleague.waitForURL((url) => workshopPath.test(url.pathname));
		await expect(colleague.getByRole('heading', { level: 1 })).toHaveText(fromTemplate);
		await expect(planPanel(colleague).locator('ol').first().getByRole('listitem')).toHaveText(['Lapsiperheet: Arjen palvelut', 'Nuoret']);

		// A facilitator of other organisations neither sees nor opens it.
		await signInAs(page, 'facilitator');
		await goto(page, '/workshops/new');
		await expect(startChoices(page).getByRole('link', { name: templateName, exact: true })).toHaveCount(0);
		const refused = await page.goto(`/workshops/new${href}`);
		expect(refused?.status()).toBe(404);
		await expect(page.getByText(t('fi', 'workshop_template_not_found'))).toBeVisible();
	} finally {
		await organisation.close();
		await guestContext.close();
	}
});
