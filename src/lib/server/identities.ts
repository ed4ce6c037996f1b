import { and, count, eq, gt, isNotNull, lt, or } from 'drizzle-orm';
import { z } from 'zod';
import { db, type Executor, first, one } from './db';
import { memberships, organisations, pendingIdentityLinks, userIdentities, users } from './db/schema';
import type { OidcProvider, VerifiedIdentity } from './oidc';
import { verifyPassword } from './password';
import { generateSecureRandomString, hashSecret, secretMatches, splitToken } from './session';

// Accounts behind organisation sign-in: (provider, subject) → user, so a person keeps their account when their
// email changes at the provider; an existing password account is linked only after its password is given.

export const linkCookieName = 'verstas_link';
export const linkLifetimeMs = 15 * 60_000;

export const identityRefusals = ['no-email', 'unverified', 'linked-elsewhere', 'link-expired'] as const;
/** Why an identity signs nobody in; the sign-in page says it in the person's language. */
export class IdentityRefusedError extends Error {
	constructor(readonly reason: (typeof identityRefusals)[number]) {
		super(reason);
	}
}

const emailSchema = z.email().max(254);

function emailDomain(email: string) {
	return email.slice(email.lastIndexOf('@') + 1);
}

function verifiedEmail(provider: OidcProvider, claims: Record<string, unknown>) {
	const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
	if (!emailSchema.safeParse(email).success) throw new IdentityRefusedError('no-email');
	// Some providers send the boolean as a string.
	const verified = claims.email_verified === true || claims.email_verified === 'true';
	if (!verified && !provider.trustEmail) throw new IdentityRefusedError('unverified');
	return email;
}

function displayName(claims: Record<string, unknown>, email: string) {
	const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
	const name = text(claims.name) || [text(claims.given_name), text(claims.family_name)].filter(Boolean).join(' ') || email.split('@')[0]!;
	return name.slice(0, 100);
}

/** Does the claim equal the value, or (a list such as `groups`) contain it? */
function claimMatches(claim: unknown, value: string) {
	const matches = (item: unknown) => ['string', 'number', 'boolean'].includes(typeof item) && String(item) === value;
	return Array.isArray(claim) ? claim.some(matches) : matches(claim);
}

/** Makes the person a member (role member) of every organisation bound to their email domain or a claim they carry. */
async function joinBoundOrganisations(tx: Executor, userId: string, email: string, claims: Record<string, unknown>) {
	const domain = emailDomain(email);
	const bound = await tx
		.select({ id: organisations.id, ssoDomain: organisations.ssoDomain, claimName: organisations.ssoClaimName, claimValue: organisations.ssoClaimValue })
		.from(organisations)
		.where(or(eq(organisations.ssoDomain, domain), isNotNull(organisations.ssoClaimName)));
	for (const organisation of bound) {
		const byClaim = organisation.claimName && organisation.claimValue && claimMatches(claims[organisation.claimName], organisation.claimValue);
		if (organisation.ssoDomain !== domain && !byClaim) continue;
		await tx.insert(memberships).values({ userId, organisationId: organisation.id, role: 'member' }).onConflictDoNothing();
	}
}

export type IdentitySignIn =
	| { kind: 'signed-in'; userId: string; locale: 'fi' | 'sv' | 'en' }
	| { kind: 'link'; token: string; expiresAt: Date };

/**
 * The account behind a verified identity: the linked one, a new one made from the claims, or (an account with this
 * email already exists) a pending link that waits for that account's password.
 */
export async function signInWithIdentity(provider: OidcProvider, identity: VerifiedIdentity): Promise<IdentitySignIn> {
	const email = verifiedEmail(provider, identity.claims);
	return await db.transaction(
		async (tx) => {
			const linked = await first(tx
				.select({ id: users.id, locale: users.locale, email: users.email })
				.from(userIdentities)
				.innerJoin(users, eq(users.id, userIdentities.userId))
				.where(and(eq(userIdentities.provider, provider.id), eq(userIdentities.subject, identity.subject))));
			if (linked) {
				await joinBoundOrganisations(tx, linked.id, email, identity.claims);
				return { kind: 'signed-in', userId: linked.id, locale: linked.locale };
			}

			const existing = await first(tx.select({ id: users.id, passwordHash: users.passwordHash }).from(users).where(eq(users.email, email)));
			if (existing) {
				// Without a password there is nothing to prove ownership with: the account belongs to another sign-in.
				if (!existing.passwordHash) throw new IdentityRefusedError('linked-elsewhere');
				const id = generateSecureRandomString();
				const secret = generateSecureRandomString();
				const expiresAt = new Date(Date.now() + linkLifetimeMs);
				await tx.delete(pendingIdentityLinks).where(lt(pendingIdentityLinks.expiresAt, new Date()));
				await tx.insert(pendingIdentityLinks)
					.values({
						id,
						secretHash: hashSecret(secret),
						provider: provider.id,
						subject: identity.subject,
						userId: existing.id,
						claims: JSON.stringify(identity.claims),
						expiresAt
					});
				return { kind: 'link', token: `${id}.${secret}`, expiresAt };
			}

			const isFirst = (await first(tx.select({ n: count() }).from(users)))!.n === 0;
			const user = await one(tx
				.insert(users)
				.values({ id: generateSecureRandomString(), name: displayName(identity.claims, email), email, passwordHash: null, isAdmin: isFirst })
				.returning({ id: users.id, locale: users.locale }));
			await tx.insert(userIdentities).values({ provider: provider.id, subject: identity.subject, userId: user.id });
			await joinBoundOrganisations(tx, user.id, email, identity.claims);
			return { kind: 'signed-in', userId: user.id, locale: user.locale };
		},
		{ behavior: 'immediate' }
	);
}

/** The pending link a browser's cookie points to, with the account's email, while it has not expired. */
export async function getPendingLink(token: string | undefined) {
	const parts = splitToken(token);
	if (!parts) return null;
	const row = await first(db
		.select({ link: pendingIdentityLinks, email: users.email, locale: users.locale, passwordHash: users.passwordHash })
		.from(pendingIdentityLinks)
		.innerJoin(users, eq(users.id, pendingIdentityLinks.userId))
		.where(and(eq(pendingIdentityLinks.id, parts.id), gt(pendingIdentityLinks.expiresAt, new Date()))));
	if (!row || !secretMatches(parts.secret, row.link.secretHash)) return null;
	return {
		id: row.link.id,
		provider: row.link.provider,
		userId: row.link.userId,
		email: row.email,
		locale: row.locale,
		passwordHash: row.passwordHash
	};
}

export type PendingLink = NonNullable<Awaited<ReturnType<typeof getPendingLink>>>;

/** Links the identity when the password is the account's; false (nothing changed) otherwise. */
export async function confirmLink(link: PendingLink, password: string) {
	if (!link.passwordHash || !(await verifyPassword(link.passwordHash, password))) return false;
	await db.transaction(async (tx) => {
		const pending = await first(tx.delete(pendingIdentityLinks).where(eq(pendingIdentityLinks.id, link.id)).returning());
		if (!pending) throw new IdentityRefusedError('link-expired');
		await tx.insert(userIdentities).values({ provider: pending.provider, subject: pending.subject, userId: pending.userId }).onConflictDoNothing();
		await joinBoundOrganisations(tx, pending.userId, link.email, JSON.parse(pending.claims) as Record<string, unknown>);
	});
	return true;
}

/** Is password sign-in (and sign-up) closed for this email because its domain's organisation requires SSO? */
export async function ssoRequiredFor(email: string) {
	const row = await first(db
		.select({ id: organisations.id })
		.from(organisations)
		.where(and(eq(organisations.ssoDomain, emailDomain(email.trim().toLowerCase())), eq(organisations.ssoRequired, true))));
	return !!row;
}
