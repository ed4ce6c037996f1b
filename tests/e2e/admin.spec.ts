import type { Page } from '@playwright/test';
import {
	baseUrl,
	demo,
	demoPassword,
	expect,
	expectAccessible,
	goto,
	hydrated,
	newContext,
	postForm,
	signInAs,
	submitSignIn,
	test,
	unique
} from './fixtures';
import { t } from './messages';

const teamName = 'Tuomas Tiimiläinen';

const createPanel = (page: Page) => page.getByRole('region', { name: t('fi', 'org_create_title') });
const detailsPanel = (page: Page) => page.getByRole('region', { name: t('fi', 'org_edit_title') });
const addMemberPanel = (page: Page) => page.getByRole('region', { name: t('fi', 'member_add_title') });
const membersSection = (page: Page) => page.getByRole('region', { name: t('fi', 'members_title') });
const organisationTable = (page: Page) => page.locator('main table');

async function createOrganisation(page: Page, values: { name: string; kind?: string; municipality: string }) {
	const panel = createPanel(page);
	await panel.getByLabel(t('fi', 'field_org_name'), { exact: true }).fill(values.name);
	if (values.kind) await panel.getByLabel(t('fi', 'field_org_kind'), { exact: true }).selectOption(values.kind);
	await panel.getByLabel(t('fi', 'field_municipality'), { exact: true }).fill(values.municipality);
	await panel.getByRole('button', { name: t('fi', 'org_create_submit'), exact: true }).click();
}

test('an admin manages an organisation and its members', async ({ page }) => {
	await signInAs(page, 'admin');
	await goto(page, '/');
	const nav = page.getByRole('navigation', { name: t('fi', 'nav_main_label') });
	await nav.getByRole('link', { name: t('fi', 'nav_admin') }).click();
	await expect(page).toHaveURL(/\/admin\/organisations$/);
	await hydrated(page);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('fi', 'admin_title'));
	await expect(
		page.getByRole('navigation', { name: t('fi', 'admin_nav_label') }).getByRole('link', { name: t('fi', 'admin_organisations') })
	).toHaveAttribute('aria-current', 'page');
	await expect(organisationTable(page).getByRole('link', { name: 'Helsingin kaupunki', exact: true })).toBeVisible();
	await expectAccessible(page, 'organisation list');

	// An empty name is refused.
	await createOrganisation(page, { name: '', municipality: 'Espoo' });
	await expect(createPanel(page).getByRole('alert')).toHaveText(t('fi', 'form_has_errors'));
	await expect(createPanel(page).getByLabel(t('fi', 'field_org_name'), { exact: true })).toHaveAccessibleDescription(
		t('fi', 'error_required')
	);
	await expectAccessible(page, 'organisation form with an empty name');

	// A new organisation.
	const name = `E2E ${unique('Kokeilukeskus')}`;
	await createOrganisation(page, { name, kind: 'ngo', municipality: 'Espoo' });
	await expect(createPanel(page).getByRole('status')).toHaveText(t('fi', 'org_created', { name }));
	const row = organisationTable(page).getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
	await expect(row).toHaveCount(1);
	await expect(row).toContainText(t('fi', 'kind_ngo'));
	await expect(row).toContainText('Espoo');
	await expectAccessible(page, 'organisation created');

	// The same name again, in other letter case, is refused.
	await createOrganisation(page, { name: name.toUpperCase(), municipality: 'Vantaa' });
	await expect(createPanel(page).getByLabel(t('fi', 'field_org_name'), { exact: true })).toHaveAccessibleDescription(
		t('fi', 'org_name_taken')
	);
	await expect(createPanel(page).getByLabel(t('fi', 'field_org_name'), { exact: true })).toHaveValue(name.toUpperCase());
	await expect(organisationTable(page).getByRole('link', { name: name.toUpperCase(), exact: true })).toHaveCount(0);
	await expectAccessible(page, 'duplicate organisation name');

	// Edit it.
	await row.getByRole('link', { name, exact: true }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
	await hydrated(page);
	await expectAccessible(page, 'organisation page');
	const renamed = `${name} muokattu`;
	await detailsPanel(page).getByLabel(t('fi', 'field_org_name'), { exact: true }).fill(renamed);
	await detailsPanel(page).getByLabel(t('fi', 'field_org_kind'), { exact: true }).selectOption('agency');
	await detailsPanel(page).getByLabel(t('fi', 'field_municipality'), { exact: true }).fill('Kauniainen');
	await detailsPanel(page).getByRole('button', { name: t('fi', 'org_save'), exact: true }).click();
	await expect(detailsPanel(page).getByRole('status')).toHaveText(t('fi', 'org_saved'));
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(renamed);
	await page.reload();
	await hydrated(page);
	await expect(detailsPanel(page).getByLabel(t('fi', 'field_org_name'), { exact: true })).toHaveValue(renamed);
	await expect(detailsPanel(page).getByLabel(t('fi', 'field_org_kind'), { exact: true })).toHaveValue('agency');
	await expect(detailsPanel(page).getByLabel(t('fi', 'field_municipality'), { exact: true })).toHaveValue('Kauniainen');
	await expect(membersSection(page).getByText(t('fi', 'members_empty'))).toBeVisible();

	// Add a member with a role.
	await addMemberPanel(page).getByLabel(t('fi', 'field_email'), { exact: true }).fill(demo.team);
	await addMemberPanel(page).getByLabel(t('fi', 'field_role'), { exact: true }).selectOption('facilitator');
	await addMemberPanel(page).getByRole('button', { name: t('fi', 'member_add_submit'), exact: true }).click();
	await expect(addMemberPanel(page).getByRole('status')).toHaveText(t('fi', 'member_added', { name: teamName }));
	const memberRow = membersSection(page).getByRole('row').filter({ hasText: demo.team });
	await expect(memberRow).toHaveCount(1);
	const roleSelect = memberRow.getByRole('combobox', { name: t('fi', 'field_role_of', { name: teamName }) });
	await expect(roleSelect).toHaveValue('facilitator');
	await expectAccessible(page, 'member added');

	// Change the role.
	await roleSelect.selectOption('programme_lead');
	await memberRow.getByRole('button', { name: t('fi', 'member_role_save'), exact: true }).click();
	await expect(membersSection(page).getByRole('status')).toHaveText(t('fi', 'member_role_saved', { name: teamName }));
	await page.reload();
	await hydrated(page);
	await expect(
		membersSection(page).getByRole('combobox', { name: t('fi', 'field_role_of', { name: teamName }) })
	).toHaveValue('programme_lead');

	// Remove the member: Cancel first keeps them, confirming removes them.
	const removeButton = membersSection(page).getByRole('button', {
		name: t('fi', 'member_remove', { name: teamName }),
		exact: true
	});
	const removeDialog = page.getByRole('dialog', { name: t('fi', 'member_remove_confirm', { name: teamName }) });
	await removeButton.click();
	await expect(removeDialog).toBeVisible();
	await expectAccessible(page, 'remove-member dialog');
	await removeDialog.getByRole('button', { name: t('fi', 'cancel'), exact: true }).click();
	await expect(removeDialog).toBeHidden();
	await expect(membersSection(page).getByRole('row').filter({ hasText: demo.team })).toHaveCount(1);
	await page.reload();
	await hydrated(page);
	await expect(membersSection(page).getByRole('row').filter({ hasText: demo.team })).toHaveCount(1);

	await removeButton.click();
	await expect(removeDialog).toBeVisible();
	await removeDialog.getByRole('button', { name: t('fi', 'member_remove_short'), exact: true }).click();
	await expect(removeDialog).toBeHidden();
	await expect(membersSection(page).getByRole('status')).toHaveText(t('fi', 'member_removed', { name: teamName }));
	await expect(membersSection(page).getByText(t('fi', 'members_empty'))).toBeVisible();
	await expect(membersSection(page).getByText(demo.team)).toHaveCount(0);
	await expectAccessible(page, 'member removed');

	// Delete the organisation: Cancel first keeps it, confirming deletes it.
	const organisationUrl = page.url();
	const deleteDialog = page.getByRole('dialog', { name: t('fi', 'org_delete_confirm', { name: renamed }) });
	const deleteButton = detailsPanel(page).getByRole('button', { name: t('fi', 'org_delete'), exact: true });
	await deleteButton.click();
	await expect(deleteDialog).toBeVisible();
	await deleteDialog.getByRole('button', { name: t('fi', 'cancel'), exact: true }).click();
	await expect(deleteDialog).toBeHidden();
	await expect(page).toHaveURL(organisationUrl);
	await deleteButton.click();
	await deleteDialog.getByRole('button', { name: t('fi', 'confirm_delete'), exact: true }).click();
	await expect(page).toHaveURL(/\/admin\/organisations$/);
	await expect(organisationTable(page).getByRole('link', { name: 'Helsingin kaupunki', exact: true })).toBeVisible();
	await expect(organisationTable(page).getByRole('link', { name: renamed, exact: true })).toHaveCount(0);

	const gone = await page.goto(organisationUrl);
	expect(gone?.status()).toBe(404);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('fi', 'error_page_title', { status: 404 }));
	await expect(page.getByText(t('fi', 'org_not_found'))).toBeVisible();
});

test('an admin sees the users', async ({ page }) => {
	await signInAs(page, 'admin');
	await page.goto('/admin/users');
	await expect(page.getByRole('heading', { level: 2 })).toHaveText(t('fi', 'admin_users'));
	const row = page.getByRole('row').filter({ hasText: demo.team });
	await expect(row).toContainText(teamName);
	await expect(row).toContainText(t('fi', 'no'));
	await expect(page.getByRole('row').filter({ hasText: demo.admin })).toContainText(t('fi', 'yes'));
	await expect(page.getByText(new RegExp(t('fi', 'users_count', { count: '\\d+' })))).toBeVisible();
});

test('a non-admin gets the translated 403 page', async ({ page }) => {
	await signInAs(page, 'team');
	await goto(page, '/');
	await expect(
		page.getByRole('navigation', { name: t('fi', 'nav_main_label') }).getByRole('link', { name: t('fi', 'nav_admin') })
	).toHaveCount(0);

	for (const path of ['/admin/organisations', '/admin/users', '/admin']) {
		const response = await page.goto(path);
		expect(response?.status(), path).toBe(403);
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('fi', 'error_page_title', { status: 403 }));
		await expect(page.getByText(t('fi', 'error_forbidden'))).toBeVisible();
		await expect(page.getByRole('table')).toHaveCount(0);
		await expectAccessible(page, `403 at ${path}`);
	}

	// And in English. (Through the language cookie only: the header switcher would store the language in the
	// shared demo account's profile.)
	await page.context().addCookies([{ name: 'PARAGLIDE_LOCALE', value: 'en', url: baseUrl() }]);
	const response = await page.goto('/admin/users');
	expect(response?.status()).toBe(403);
	await expect(page.locator('html')).toHaveAttribute('lang', 'en');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('en', 'error_page_title', { status: 403 }));
	await expect(page.getByText(t('en', 'error_forbidden'))).toBeVisible();
	await expect(page.getByRole('link', { name: t('en', 'error_go_home') })).toHaveAttribute('href', '/');
});

test('a non-admin cannot use the admin actions directly', async ({ page, browser }) => {
	const admin = await newContext(browser);
	try {
		const adminPage = await admin.newPage();
		await signInAs(adminPage, 'admin');
		await adminPage.goto('/admin/organisations');
		const hrefOf = (name: string) =>
			organisationTable(adminPage).getByRole('link', { name, exact: true }).getAttribute('href');
		const oulu = (await hrefOf('Oulun kaupunki'))!; // the team member does not belong to it
		const vantaa = (await hrefOf('Vantaan kaupunki'))!; // the team member is a 'member' there
		expect(oulu).toMatch(/^\/admin\/organisations\/\w+$/);
		await adminPage.goto(vantaa);
		const teamRow = membersSection(adminPage).getByRole('row').filter({ hasText: demo.team });
		const teamId = await teamRow.locator('input[name="userId"]').first().inputValue();
		await expect(teamRow.getByRole('combobox')).toHaveValue('member');

		await signInAs(page, 'team');
		const name = `E2E ${unique('Luvaton')}`;
		const attempts: { path: string; form: Record<string, string> }[] = [
			{ path: '/admin/organisations?/create', form: { name, kind: 'city', municipality: 'Helsinki' } },
			{ path: `${oulu}?/update`, form: { name, kind: 'ngo', municipality: 'Oulu' } },
			{ path: `${oulu}?/addMember`, form: { email: demo.team, role: 'facilitator' } },
			{ path: `${vantaa}?/setRole`, form: { userId: teamId, role: 'facilitator' } },
			{ path: `${vantaa}?/removeMember`, form: { userId: teamId } },
			{ path: `${oulu}?/delete`, form: {} }
		];
		for (const attempt of attempts) {
			const response = await postForm(page.request, attempt.path, attempt.form);
			expect(response.status(), attempt.path).toBe(403);
			expect(await response.text(), attempt.path).toContain(t('fi', 'error_forbidden'));
		}

		// Nothing changed.
		await adminPage.goto('/admin/organisations');
		await expect(organisationTable(adminPage).getByRole('link', { name: 'Oulun kaupunki', exact: true })).toBeVisible();
		await expect(organisationTable(adminPage).getByRole('link', { name, exact: true })).toHaveCount(0);
		await adminPage.goto(oulu);
		await expect(detailsPanel(adminPage).getByLabel(t('fi', 'field_org_kind'), { exact: true })).toHaveValue('city');
		await expect(membersSection(adminPage).getByText(demo.team)).toHaveCount(0);
		await adminPage.goto(vantaa);
		await expect(teamRow.getByRole('combobox')).toHaveValue('member');
	} finally {
		await admin.close();
	}
});

test('a signed-out visitor is sent to sign in and comes back to the admin page', async ({ page }) => {
	const response = await goto(page, '/admin/organisations');
	expect(response?.status()).toBe(200);
	expect(new URL(page.url()).pathname).toBe('/sign-in');
	expect(new URL(page.url()).searchParams.get('redirectTo')).toBe('/admin/organisations');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('fi', 'sign_in_title'));
	await expectAccessible(page, 'sign-in before admin');

	await submitSignIn(page, demo.admin, demoPassword);
	await expect(page).toHaveURL(`${baseUrl()}/admin/organisations`);
	await expect(page.getByRole('heading', { level: 2 }).first()).toHaveText(t('fi', 'admin_organisations'));
});
