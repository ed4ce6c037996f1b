import type { Cookies } from '@sveltejs/kit';
import { eq, sql } from 'drizzle-orm';
import { createHash, getRandomValues, timingSafeEqual } from 'node:crypto';
import { db, preparedOnce, type Executor } from './db';
import { sessions, users } from './db/schema';

// Sessions as lucia-auth.com teaches them: token = id.secret, only sha-256(secret) is stored.
export const sessionCookieName = 'verstas_session';
const inactivityTimeoutMs = 1000 * 60 * 60 * 24 * 10; // 10 days without use ends a session
const activityCheckIntervalMs = 1000 * 60 * 60; // refresh the last-use time at most hourly
// However active, a session ends 30 days after sign-in: a stolen cookie kept alive by use still dies, and a
// password change elsewhere is not the only way to end it.
export const absoluteLifetimeMs = 1000 * 60 * 60 * 24 * 30;

/** The cookie's expiry: inactivity or the absolute lifetime, whichever comes first. */
export function sessionExpiry(session: { createdAt: Date; lastVerifiedAt: Date }) {
	return new Date(Math.min(session.lastVerifiedAt.getTime() + inactivityTimeoutMs, session.createdAt.getTime() + absoluteLifetimeMs));
}

const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';

/** 24 characters of a 32-letter alphabet: 120 bits of entropy. */
export function generateSecureRandomString(length = 24) {
	const bytes = getRandomValues(new Uint8Array(length));
	let out = '';
	for (const byte of bytes) out += alphabet[byte >> 3];
	return out;
}

export function hashSecret(secret: string) {
	return createHash('sha256').update(secret).digest();
}

/** A token is `id.secret`; anything else is refused before touching the database. */
export function splitToken(token: string | undefined) {
	const [id, secret, ...rest] = (token ?? '').split('.');
	return id && secret && rest.length === 0 ? { id, secret } : null;
}

/** Constant-time: the comparison must not reveal how much of a guessed secret was right. */
export function secretMatches(secret: string, storedHash: Uint8Array) {
	const given = hashSecret(secret);
	return given.length === storedHash.length && timingSafeEqual(given, storedHash);
}

export async function createSession(userId: string) {
	const id = generateSecureRandomString();
	const secret = generateSecureRandomString();
	const now = new Date();
	await db.insert(sessions)
		.values({ id, secretHash: hashSecret(secret), userId, createdAt: now, lastVerifiedAt: now });
	return { token: `${id}.${secret}`, expiresAt: sessionExpiry({ createdAt: now, lastVerifiedAt: now }) };
}

// Every signed-in request reads its session: built and prepared once.
const sessionWithUser = preparedOnce((db) =>
	db
		.select({ session: sessions, user: users })
		.from(sessions)
		.innerJoin(users, eq(sessions.userId, users.id))
		.where(eq(sessions.id, sql.placeholder('id')))
		.prepare()
);

export async function validateSessionToken(token: string) {
	const parts = splitToken(token);
	if (!parts) return null;
	const { id, secret } = parts;
	const [row] = await sessionWithUser().execute({ id });
	if (!row) return null;

	const now = Date.now();
	if (now - row.session.lastVerifiedAt.getTime() >= inactivityTimeoutMs || now - row.session.createdAt.getTime() >= absoluteLifetimeMs) {
		await db.delete(sessions).where(eq(sessions.id, id));
		return null;
	}
	if (!secretMatches(secret, row.session.secretHash)) return null;

	let refreshed = false;
	if (now - row.session.lastVerifiedAt.getTime() >= activityCheckIntervalMs) {
		row.session.lastVerifiedAt = new Date(now);
		await db.update(sessions).set({ lastVerifiedAt: row.session.lastVerifiedAt }).where(eq(sessions.id, id));
		refreshed = true;
	}
	const { passwordHash: _, ...user } = row.user;
	const { secretHash: __, ...session } = row.session;
	return {
		session: { ...session, expiresAt: sessionExpiry(session) },
		user,
		refreshed
	};
}

export type SessionValidation = NonNullable<Awaited<ReturnType<typeof validateSessionToken>>>;
export type SessionUser = SessionValidation['user'];

export async function invalidateSession(sessionId: string) {
	await db.delete(sessions).where(eq(sessions.id, sessionId));
}

const sessionsEndedListeners = new Set<(userId: string) => void>();

/** Told when all of a user's sessions end (invalidateUserSessions): the board server closes their sockets. */
export function onUserSessionsEnded(listener: (userId: string) => void) {
	sessionsEndedListeners.add(listener);
	return () => sessionsEndedListeners.delete(listener);
}

/** Ends every session of the user (a password change, an administrator's action); their open boards close at once. */
export async function invalidateUserSessions(userId: string, executor: Executor = db) {
	await executor.delete(sessions).where(eq(sessions.userId, userId));
	// After the caller's transaction: if it rolled back, the sockets are authorised again and stay open.
	setImmediate(() => {
		for (const listener of sessionsEndedListeners) listener(userId);
	});
}

/**
 * Secure over https, and on loopback where browsers accept Secure cookies over plain http. A demo served over
 * plain http to phones on the local network would otherwise lose every cookie, since browsers drop Secure
 * cookies from insecure non-local origins.
 */
export function secureCookies(url: URL) {
	return url.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

export function setSessionCookie(cookies: Cookies, token: string, expiresAt: Date, secure: boolean) {
	cookies.set(sessionCookieName, token, {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		secure,
		expires: expiresAt
	});
}

export function deleteSessionCookie(cookies: Cookies, secure: boolean) {
	cookies.delete(sessionCookieName, { path: '/', httpOnly: true, sameSite: 'lax', secure });
}
