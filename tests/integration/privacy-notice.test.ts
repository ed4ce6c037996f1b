// The privacy notice (issue 17): /tietosuoja, /dataskydd, /privacy each in its own language with the deployment's
// settings, and linked wherever personal data is first asked (footer, sign-up, guest join, pilot team fields).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createOrganisation } from '../../src/lib/server/organisations';
import { createProgramme, programmeSchema, readProgrammeForm } from '../../src/lib/server/programmes';
import { t as message } from '../e2e/messages';
import { newUser, newWorkshop } from '../helpers/collab';
import { startProductionServer, type RunningServer } from '../helpers/server';

const settings = {
	VERSTAS_CONTROLLER_NAME: 'Esimerkkilän kaupunki',
	VERSTAS_CONTROLLER_CONTACT: 'kirjaamo@esimerkkila.fi, PL 1, 00099 Esimerkkilä',
	VERSTAS_DPO_CONTACT: 'tietosuoja@esimerkkila.fi',
	VERSTAS_GUEST_RETENTION_DAYS: '45',
	VERSTAS_AUDIT_RETENTION_DAYS: '400'
};
let server: RunningServer;
beforeAll(async () => {
	server = await startProductionServer({ env: { DATABASE_PATH: process.env.DATABASE_PATH!, ...settings } });
});
afterAll(() => server?.stop());

const messages = Object.fromEntries(
	(['fi', 'sv', 'en'] as const).map((locale) => [locale, JSON.parse(readFileSync(`messages/${locale}.json`, 'utf8')) as Record<string, string>])
);
const html = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const page = async (path: string, headers: Record<string, string> = {}) => {
	const response = await fetch(`${server.url}${path}`, { headers, redirect: 'manual' });
	return { status: response.status, body: await response.text() };
};

describe('privacy notice', () => {
	it('is served at its own address in each language with the controller, DPO and retention from settings', async () => {
		for (const [path, locale] of [['/tietosuoja', 'fi'], ['/dataskydd', 'sv'], ['/privacy', 'en']] as const) {
			const { status, body } = await page(path, { cookie: 'PARAGLIDE_LOCALE=fi' });
			expect(status, path).toBe(200);
			const t = messages[locale]!;
			expect(body, path).toContain(`lang="${locale}"`);
			expect(body).toContain(`<h1>${html(t.privacy_title!)}</h1>`);
			for (const key of ['privacy_controller_heading', 'privacy_dpo_heading', 'privacy_data_heading', 'privacy_purpose_heading', 'privacy_recipients_heading', 'privacy_retention_heading', 'privacy_rights_heading'])
				expect(body, `${path} ${key}`).toContain(html(t[key]!));
			expect(body).toContain(html(t.privacy_controller!.replace('{name}', settings.VERSTAS_CONTROLLER_NAME)));
			expect(body).toContain(html(settings.VERSTAS_CONTROLLER_CONTACT));
			expect(body).toContain(settings.VERSTAS_DPO_CONTACT);
			expect(body).toContain(html(message(locale, 'privacy_retention_guests', { days: 45 })));
			expect(body).toContain(html(message(locale, 'privacy_retention_audit', { days: 400 })));
			expect(body).toContain('href="https://tietosuoja.fi');
		}
	});

	it('is linked from the footer, sign-up, the guest join form and the pilot form’s team fields', async () => {
		const fi = { cookie: 'PARAGLIDE_LOCALE=fi' };
		const link = 'href="/tietosuoja"';
		const signUp = await page('/sign-up', fi);
		expect(signUp.status).toBe(200);
		expect(signUp.body.match(/href="\/tietosuoja"/g)?.length, 'footer and form').toBe(2);
		expect((await page('/sign-in', { cookie: 'PARAGLIDE_LOCALE=sv' })).body, 'footer in the page language').toContain('href="/dataskydd"');

		const owner = await newUser('Ohjaaja');
		const workshop = await newWorkshop(owner.id);
		const join = await page(`/w/${workshop.joinCode}`, fi);
		expect(join.status).toBe(200);
		const start = join.body.indexOf('name="displayName"');
		const form = join.body.slice(start, join.body.indexOf('</form>', start));
		expect(form, 'inside the join form').toContain(link);

		const lead = await newUser('Liidi');
		const city = await createOrganisation({ name: `Esimerkkilä ${Date.now()}`, kind: 'city', municipality: 'Helsinki' });
		await addMember(city.id, lead.id, 'programme_lead');
		const input = new FormData();
		for (const [key, value] of Object.entries({ name: 'Ohjelma', ownerOrganisationId: city.id, startsOn: '2024-01-01', endsOn: '2027-12-31', description: '' }))
			input.set(key, value);
		input.set('goals.0.title', 'Tavoite');
		const programme = await createProgramme(programmeSchema.parse(readProgrammeForm(input)), lead.id);
		const pilotForm = await page(`/programmes/${programme.id}/pilots/new`, { cookie: `${lead.cookie}; PARAGLIDE_LOCALE=fi` });
		expect(pilotForm.status).toBe(200);
		const team = pilotForm.body.slice(pilotForm.body.indexOf('name="teamEmails"'));
		expect(team.slice(0, team.indexOf('</form>')), 'after the team field').toContain(link);
	});
});
