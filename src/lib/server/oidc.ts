import * as client from 'openid-client';

// Sign-in with an organisation's account: OpenID Connect authorisation code flow with PKCE, state and nonce.
// openid-client checks the ID token (signature, issuer, audience, expiry, nonce); nothing here reads a JWT itself.

export type OidcProvider = {
	id: string;
	label: string;
	issuer: URL;
	clientId: string;
	clientSecret: string | undefined;
	scopes: string;
	/** Accept `email` without `email_verified: true` (a directory that owns its domains, e.g. one Entra ID tenant). */
	trustEmail: boolean;
};

export class OidcConfigError extends Error {}
/** Discovery or the token endpoint could not be reached. */
export class ProviderUnavailableError extends Error {}
/** The provider's answer failed a check (state, ID token, error response): nobody is signed in. */
export class SignInRefusedError extends Error {}

const discoveryTimeoutSeconds = 10;
export const flowCookieName = 'verstas_oidc';
export const flowMaxAgeSeconds = 600;

const envName = (id: string, key: string) => `OIDC_${id.toUpperCase().replaceAll('-', '_')}_${key}`;

/** Providers from the environment: OIDC_PROVIDERS=entra,keycloak and OIDC_ENTRA_ISSUER, _CLIENT_ID, … per provider. */
export function parseProviders(env: Record<string, string | undefined>): OidcProvider[] {
	const ids = (env.OIDC_PROVIDERS ?? '')
		.split(',')
		.map((id) => id.trim().toLowerCase())
		.filter(Boolean);
	return ids.map((id) => {
		if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(id)) throw new OidcConfigError(`OIDC_PROVIDERS: "${id}" is not a provider id (a-z, 0-9, -).`);
		const read = (key: string) => env[envName(id, key)]?.trim() || undefined;
		const issuer = read('ISSUER');
		const clientId = read('CLIENT_ID');
		if (!issuer || !URL.canParse(issuer)) throw new OidcConfigError(`${envName(id, 'ISSUER')} must be the provider's issuer URL.`);
		if (!clientId) throw new OidcConfigError(`${envName(id, 'CLIENT_ID')} is missing.`);
		const scopes = read('SCOPES') ?? 'openid email profile';
		if (!scopes.split(/\s+/).includes('openid')) throw new OidcConfigError(`${envName(id, 'SCOPES')} must include openid.`);
		return {
			id,
			label: read('LABEL') ?? id,
			issuer: new URL(issuer),
			clientId,
			clientSecret: read('CLIENT_SECRET'),
			scopes,
			trustEmail: read('TRUST_EMAIL') === 'true'
		};
	});
}

let configured: OidcProvider[] | undefined;
export function listProviders() {
	return (configured ??= parseProviders(process.env));
}

export function findProvider(id: string) {
	return listProviders().find((provider) => provider.id === id);
}

// Discovery is fetched on first use and kept; a failure is not kept, so the next attempt tries again.
const discovered = new Map<string, Promise<client.Configuration>>();
// Each discovered provider's authorisation endpoint origin (usually the issuer's), for the sign-in page's CSP.
const authorisationOrigins = new Map<string, string>();

function configurationOf(provider: OidcProvider) {
	let pending = discovered.get(provider.id);
	if (!pending) {
		// Plain http only when asked for (tests, local development): openid-client refuses it otherwise.
		const insecure = process.env.OIDC_ALLOW_INSECURE_HTTP === 'true';
		pending = client
			.discovery(provider.issuer, provider.clientId, provider.clientSecret, undefined, {
				timeout: discoveryTimeoutSeconds,
				execute: insecure ? [client.allowInsecureRequests] : []
			})
			.then((configuration) => {
				const endpoint = configuration.serverMetadata().authorization_endpoint;
				if (endpoint) authorisationOrigins.set(provider.id, new URL(endpoint).origin);
				return configuration;
			})
			.catch((error: unknown) => {
				discovered.delete(provider.id);
				console.error(`OpenID Connect discovery of ${provider.id} (${provider.issuer}) failed:`, error);
				throw new ProviderUnavailableError(provider.id, { cause: error });
			});
		discovered.set(provider.id, pending);
	}
	return pending;
}

/**
 * The sign-in page's CSP with its providers added to `form-action`: without JavaScript a provider's button is a
 * form whose answer redirects to the provider, and browsers hold that redirect to the page's form-action.
 */
export function allowProviderFormActions(csp: string) {
	const origins = new Set([...listProviders().map((provider) => provider.issuer.origin), ...authorisationOrigins.values()]);
	if (origins.size === 0) return csp;
	return csp.replace(/(^|;\s*)form-action ([^;]*)/, (_all, start: string, sources: string) => `${start}form-action ${sources} ${[...origins].join(' ')}`);
}

export const callbackUrl = (origin: string, provider: OidcProvider) => `${origin}/sign-in/oidc/${provider.id}`;

type FlowState = { provider: string; state: string; nonce: string; verifier: string; redirectTo: string };

/** The provider's authorisation URL and the flow's secrets, kept by the browser in an HttpOnly cookie until it returns. */
export async function startSignIn(provider: OidcProvider, origin: string, redirectTo: string) {
	const configuration = await configurationOf(provider);
	const flow: FlowState = {
		provider: provider.id,
		state: client.randomState(),
		nonce: client.randomNonce(),
		verifier: client.randomPKCECodeVerifier(),
		redirectTo
	};
	const url = client.buildAuthorizationUrl(configuration, {
		redirect_uri: callbackUrl(origin, provider),
		scope: provider.scopes,
		state: flow.state,
		nonce: flow.nonce,
		code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
		code_challenge_method: 'S256'
	});
	return { url: url.href, cookie: Buffer.from(JSON.stringify(flow)).toString('base64url') };
}

export function readFlowCookie(value: string | undefined): FlowState | null {
	if (!value) return null;
	try {
		const flow = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<FlowState>;
		const fields = [flow.provider, flow.state, flow.nonce, flow.verifier, flow.redirectTo];
		return fields.every((field) => typeof field === 'string') ? (flow as FlowState) : null;
	} catch {
		return null;
	}
}

export type VerifiedIdentity = { subject: string; claims: Record<string, unknown> };

/**
 * Checks the provider's answer against the flow (state, PKCE, nonce; ID token by openid-client) and returns the
 * subject with the ID token's claims, completed from the userinfo endpoint where the provider has one.
 */
export async function finishSignIn(provider: OidcProvider, callback: URL, flow: FlowState): Promise<VerifiedIdentity> {
	const configuration = await configurationOf(provider);
	// The callback as registered: behind a proxy the request's own URL may differ only in what the proxy changed.
	const currentUrl = new URL(callbackUrl(callback.origin, provider));
	currentUrl.search = callback.search;
	let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
	try {
		tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
			pkceCodeVerifier: flow.verifier,
			expectedState: flow.state,
			expectedNonce: flow.nonce,
			idTokenExpected: true
		});
	} catch (error) {
		throw classify(provider, error);
	}
	const idClaims = tokens.claims()!;
	let userinfo: Record<string, unknown> = {};
	if (configuration.serverMetadata().userinfo_endpoint && tokens.access_token) {
		try {
			userinfo = await client.fetchUserInfo(configuration, tokens.access_token, idClaims.sub);
		} catch (error) {
			throw classify(provider, error);
		}
	}
	return { subject: idClaims.sub, claims: { ...userinfo, ...idClaims } };
}

function classify(provider: OidcProvider, error: unknown) {
	// fetch() fails with a TypeError when the provider cannot be reached; every other failure is a refused answer.
	const unreachable = error instanceof TypeError || (error instanceof Error && error.name === 'TimeoutError');
	// The reason only: the error's details may hold the person's claims, which do not belong in the log.
	const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
	console.error(`OpenID Connect sign-in with ${provider.id} ${unreachable ? 'could not reach the provider' : 'was refused'}: ${reason}`);
	return unreachable ? new ProviderUnavailableError(provider.id, { cause: error }) : new SignInRefusedError(provider.id, { cause: error });
}
