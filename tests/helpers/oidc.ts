import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

// A real OpenID Connect provider (panva's certified oidc-provider) on 127.0.0.1, with its development sign-in
// form (any password) and consent given by default, so a test signs in by posting a login name.

export type OidcTestProvider = Awaited<ReturnType<typeof listenOidcProvider>>;

/** Listens first, so the issuer (its port) is known before the app starts; `start` then creates the provider. */
export async function listenOidcProvider() {
	const server: Server = createServer((_request, response) => response.writeHead(503).end());
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

	const { privateKey } = await generateKeyPair('RS256', { extractable: true });
	const signingKey = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
	/** login name → claims the provider gives for it */
	const accounts = new Map<string, Record<string, unknown>>();
	/** When set, the token endpoint's ID token is re-signed (with the provider's own key) after this change. */
	let rewriteIdToken: ((claims: Record<string, unknown>) => Record<string, unknown>) | undefined;

	async function start(clients: { client_id: string; client_secret: string; redirect_uris: string[] }[]) {
		const provider = new Provider(issuer, {
			clients,
			jwks: { keys: [signingKey] },
			cookies: { keys: ['oidc-test-cookie-key'] },
			claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name', 'groups', 'tid'] },
			features: { devInteractions: { enabled: true } },
			ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600 },
			findAccount: (_ctx, id) => {
				const claims = accounts.get(id);
				return claims ? { accountId: id, claims: () => ({ sub: id, ...claims }) } : undefined;
			},
			// Consent is given: the test is about the relying party, not the provider's consent screen.
			loadExistingGrant: async (ctx) => {
				const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId });
				grant.addOIDCScope(String(ctx.oidc.params!.scope));
				await grant.save();
				return grant;
			}
		});
		provider.use(async (ctx, next) => {
			await next();
			const body = ctx.body as { id_token?: string } | undefined;
			if (ctx.path !== '/token' || !rewriteIdToken || !body?.id_token) return;
			const claims = rewriteIdToken(decodeJwt(body.id_token) as Record<string, unknown>);
			const idToken = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: signingKey.kid }).sign(privateKey);
			ctx.body = { ...body, id_token: idToken };
		});
		server.removeAllListeners('request');
		server.on('request', provider.callback());
	}

	const stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
	return {
		issuer,
		accounts,
		start,
		stop,
		setIdTokenRewrite(rewrite: typeof rewriteIdToken) {
			rewriteIdToken = rewrite;
		},
		/** Follows the authorisation URL through the provider's sign-in form; returns the URL it sends the browser back to. */
		async signIn(authorisationUrl: string, login: string) {
			const jar = new CookieJar();
			let url = authorisationUrl;
			for (let step = 0; step < 10; step++) {
				if (!url.startsWith(issuer)) return url;
				const interaction = /\/interaction\/[^/]+$/.test(new URL(url).pathname);
				const response = await fetch(url, {
					redirect: 'manual',
					method: interaction ? 'POST' : 'GET',
					headers: { cookie: jar.header(), ...(interaction ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
					body: interaction ? new URLSearchParams({ prompt: 'login', login, password: 'any' }).toString() : undefined
				});
				jar.store(response);
				const location = response.headers.get('location');
				if (!location) throw new Error(`the provider answered ${response.status} at ${url}: ${(await response.text()).slice(0, 500)}`);
				url = new URL(location, url).href;
			}
			throw new Error('the provider redirected more than 10 times');
		}
	};
}

/** The cookies one browser would keep for one site (names only; tests use one host each). */
export class CookieJar {
	readonly cookies = new Map<string, string>();
	store(response: Response) {
		for (const cookie of response.headers.getSetCookie()) {
			const [pair, ...attributes] = cookie.split(';');
			const [name, ...value] = pair!.split('=');
			const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
			if (expired) this.cookies.delete(name!.trim());
			else this.cookies.set(name!.trim(), value.join('='));
		}
	}
	header() {
		return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
	}
}
