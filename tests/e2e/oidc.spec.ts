import { listenOidcProvider, type OidcTestProvider } from '../helpers/oidc';
import { startProductionServer, type RunningServer } from '../helpers/server';
import { expect, expectAccessible, hydrated, test } from './fixtures';
import { t } from './messages';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Its own server, configured with a real OpenID provider (oidc-provider on 127.0.0.1) that the browser visits.
let op: OidcTestProvider;
let server: RunningServer;
const dir = mkdtempSync(join(tmpdir(), 'verstas-e2e-oidc-'));

test.beforeAll(async () => {
	op = await listenOidcProvider();
	server = await startProductionServer({
		env: {
			DATABASE_PATH: join(dir, 'app.db'),
			OIDC_PROVIDERS: 'kaupunki',
			OIDC_KAUPUNKI_ISSUER: op.issuer,
			OIDC_KAUPUNKI_CLIENT_ID: 'verstas',
			OIDC_KAUPUNKI_CLIENT_SECRET: 'verstas-secret-for-tests',
			OIDC_KAUPUNKI_LABEL: 'Testikaupunki',
			OIDC_ALLOW_INSECURE_HTTP: 'true'
		}
	});
	await op.start([{ client_id: 'verstas', client_secret: 'verstas-secret-for-tests', redirect_uris: [`${server.url}/sign-in/oidc/kaupunki`] }]);
	op.accounts.set('aino-1', { email: 'aino.aaltonen@hel.fi', email_verified: true, name: 'Aino Aaltonen' });
});

test.afterAll(async () => {
	await server?.stop();
	await op?.stop();
	rmSync(dir, { recursive: true, force: true });
});

test('signs in with the organisation account: button, the provider, back signed in', async ({ page }) => {
	await page.goto(`${server.url}/sign-in`);
	await hydrated(page);
	await expectAccessible(page, 'sign-in with a provider button');
	await page.getByRole('button', { name: t('fi', 'sso_sign_in_with', { label: 'Testikaupunki' }) }).click();

	// The provider's own (development) sign-in form.
	await page.waitForURL(`${op.issuer}/interaction/**`);
	await page.locator('input[name="login"]').fill('aino-1');
	await page.locator('input[name="password"]').fill('mikä-tahansa');
	await page.locator('button[type="submit"]').click();

	await page.waitForURL(`${server.url}/`);
	await page.goto(`${server.url}/profile`);
	await expect(page.getByLabel(t('fi', 'field_name'), { exact: true })).toHaveValue('Aino Aaltonen');
	await expect(page.getByText(t('fi', 'profile_password_sso_only'))).toBeVisible();
});
