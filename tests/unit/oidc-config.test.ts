import { describe, expect, it } from 'vitest';
import { OidcConfigError, parseProviders } from '../../src/lib/server/oidc';

describe('OpenID Connect providers from the environment', () => {
	it('reads every listed provider with its defaults', () => {
		const providers = parseProviders({
			OIDC_PROVIDERS: 'entra, keycloak-test',
			OIDC_ENTRA_ISSUER: 'https://login.microsoftonline.com/tenant-id/v2.0',
			OIDC_ENTRA_CLIENT_ID: 'abc',
			OIDC_ENTRA_CLIENT_SECRET: 's3cret',
			OIDC_ENTRA_LABEL: 'Helsingin kaupunki',
			OIDC_ENTRA_TRUST_EMAIL: 'true',
			OIDC_KEYCLOAK_TEST_ISSUER: 'https://sso.example.fi/realms/kunta',
			OIDC_KEYCLOAK_TEST_CLIENT_ID: 'verstas',
			OIDC_KEYCLOAK_TEST_SCOPES: 'openid email profile groups'
		});
		expect(providers.map(({ id, label, clientId, clientSecret, scopes, trustEmail }) => ({ id, label, clientId, clientSecret, scopes, trustEmail }))).toEqual([
			{ id: 'entra', label: 'Helsingin kaupunki', clientId: 'abc', clientSecret: 's3cret', scopes: 'openid email profile', trustEmail: true },
			{ id: 'keycloak-test', label: 'keycloak-test', clientId: 'verstas', clientSecret: undefined, scopes: 'openid email profile groups', trustEmail: false }
		]);
		expect(parseProviders({})).toEqual([]);
	});

	it('names the setting that is wrong', () => {
		expect(() => parseProviders({ OIDC_PROVIDERS: 'a b' })).toThrow(OidcConfigError);
		expect(() => parseProviders({ OIDC_PROVIDERS: 'x', OIDC_X_CLIENT_ID: 'c' })).toThrow(/OIDC_X_ISSUER/);
		expect(() => parseProviders({ OIDC_PROVIDERS: 'x', OIDC_X_ISSUER: 'https://x.example' })).toThrow(/OIDC_X_CLIENT_ID/);
		expect(() => parseProviders({ OIDC_PROVIDERS: 'x', OIDC_X_ISSUER: 'https://x.example', OIDC_X_CLIENT_ID: 'c', OIDC_X_SCOPES: 'email' })).toThrow(
			/OIDC_X_SCOPES/
		);
	});
});
