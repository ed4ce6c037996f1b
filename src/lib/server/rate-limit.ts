import { and, asc, eq, gt, lt } from 'drizzle-orm';
import { db } from './db';
import { rateLimitEvents } from './db/schema';

/**
 * A limit on attempts under one key, counted over a sliding window. `free` attempts pass; after that each attempt
 * must wait `baseDelayMs` doubled for every attempt beyond `free` (at most `maxDelayMs`) after the previous one.
 * Without `baseDelayMs` the limit is a plain count: past `free`, wait until the oldest counted attempt ages out.
 */
export type Limit = { free: number; windowMs: number; baseDelayMs?: number; maxDelayMs?: number };

const minute = 60_000;
const hour = 60 * minute;

/** Failed sign-ins from one address, whichever emails: a guesser going through many accounts slows down fast. */
export const signInPerAddress: Limit = { free: 10, windowMs: hour, baseDelayMs: 1000, maxDelayMs: 15 * minute };
/**
 * Failed sign-ins for one account, from anywhere. Capped at a minute, never a lockout: anyone can fail on anyone's
 * email, so the owner must still get in after a short wait; the cap still holds a guesser to 60 tries an hour.
 */
export const signInPerAccount: Limit = { free: 5, windowMs: hour, baseDelayMs: 1000, maxDelayMs: minute };

/**
 * Unknown join codes from one address: 33⁶ codes cannot be walked at 50 misses an hour, while a venue's shared Wi-Fi
 * has room for everyone's typos.
 */
export const joinLookupPerAddress: Limit = { free: 50, windowMs: hour };
/** Guests created from one address: a whole conference may share a venue's Wi-Fi (300 people behind one NAT). */
export const guestJoinPerAddress: Limit = { free: 400, windowMs: hour };
/** Guests created in one workshop: above the largest room (300 participants), well below a flood of participant rows. */
export const guestJoinPerWorkshop: Limit = { free: 600, windowMs: hour };

/** Milliseconds until the next attempt under this key may go ahead; 0 when it may go ahead now. */
export async function attemptWaitMs(key: string, limit: Limit, now = Date.now()) {
	const recent = await db
		.select({ at: rateLimitEvents.at })
		.from(rateLimitEvents)
		.where(and(eq(rateLimitEvents.key, key), gt(rateLimitEvents.at, new Date(now - limit.windowMs))))
		.orderBy(asc(rateLimitEvents.at));
	if (recent.length < limit.free) return 0;
	if (limit.baseDelayMs === undefined) {
		// Plain count: blocked until enough of the window's attempts age out to drop below the limit.
		return Math.max(0, recent[recent.length - limit.free]!.at.getTime() + limit.windowMs - now);
	}
	const delay = Math.min(limit.maxDelayMs ?? Infinity, limit.baseDelayMs * 2 ** (recent.length - limit.free));
	return Math.max(0, recent[recent.length - 1]!.at.getTime() + delay - now);
}

/** The longest wait of several keys (an attempt counted under all of them). */
export async function longestWaitMs(checks: [key: string, limit: Limit][], now = Date.now()) {
	let longest = 0;
	for (const [key, limit] of checks) longest = Math.max(longest, await attemptWaitMs(key, limit, now));
	return longest;
}

export async function recordAttempt(keys: string[], now = Date.now()) {
	const longestWindow = 24 * hour;
	await db.transaction(async (tx) => {
		for (const key of keys) await tx.insert(rateLimitEvents).values({ key, at: new Date(now) });
		await tx.delete(rateLimitEvents).where(lt(rateLimitEvents.at, new Date(now - longestWindow)));
	});
}

export async function clearAttempts(key: string) {
	await db.delete(rateLimitEvents).where(eq(rateLimitEvents.key, key));
}

/**
 * The address a limit counts: IPv4 as is, IPv6 by its /64 (one subscriber gets a whole /64, so single addresses
 * would cost an attacker nothing).
 */
export function addressKey(address: string) {
	const v4 = address.match(/^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i);
	if (v4) return v4[1]!;
	if (!address.includes(':')) return address;
	const [head = '', tail] = address.toLowerCase().split('::') as [string, string | undefined];
	const left = head ? head.split(':') : [];
	const right = tail ? tail.split(':') : [];
	const groups = tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
	return groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':') + '::/64';
}

export const signInAddressKey = (address: string) => `sign-in:address:${addressKey(address)}`;
export const signInAccountKey = (email: string) => `sign-in:account:${email}`;

/** Milliseconds until a sign-in for this email from this address may be tried; 0 when it may be now. */
export function signInWaitMs(email: string, address: string, now = Date.now()) {
	return longestWaitMs(
		[
			[signInAddressKey(address), signInPerAddress],
			[signInAccountKey(email), signInPerAccount]
		],
		now
	);
}

export async function recordFailedSignIn(email: string, address: string, now = Date.now()) {
	await recordAttempt([signInAddressKey(address), signInAccountKey(email)], now);
}

/**
 * The account's count starts again after a successful sign-in. The address's does not: an attacker could
 * otherwise reset it by signing in to an account of their own between guesses.
 */
export async function clearFailedSignIns(email: string) {
	await clearAttempts(signInAccountKey(email));
}

const joinLookupKey = (address: string) => `join-lookup:address:${addressKey(address)}`;
const guestJoinAddressKey = (address: string) => `guest-join:address:${addressKey(address)}`;
const guestJoinWorkshopKey = (workshopId: string) => `guest-join:workshop:${workshopId}`;

/** Accounts created from one address: a city's office may sign up a team, a script may not fill the user table. */
export const signUpPerAddress: Limit = { free: 20, windowMs: hour };
const signUpKey = (address: string) => `sign-up:address:${addressKey(address)}`;

/** Milliseconds until this address may sign up again; 0 when it may now. Every valid sign-up counts, taken email or not. */
export function signUpWaitMs(address: string, now = Date.now()) {
	return attemptWaitMs(signUpKey(address), signUpPerAddress, now);
}

export async function recordSignUp(address: string, now = Date.now()) {
	await recordAttempt([signUpKey(address)], now);
}

/** Milliseconds until this address may look up join codes again (every lookup waits while its misses are over). */
export function joinLookupWaitMs(address: string, now = Date.now()) {
	return attemptWaitMs(joinLookupKey(address), joinLookupPerAddress, now);
}

export async function recordUnknownJoinCode(address: string, now = Date.now()) {
	await recordAttempt([joinLookupKey(address)], now);
}

/** Milliseconds until another guest may be created from this address in this workshop. */
export function guestJoinWaitMs(workshopId: string, address: string, now = Date.now()) {
	return longestWaitMs(
		[
			[guestJoinAddressKey(address), guestJoinPerAddress],
			[guestJoinWorkshopKey(workshopId), guestJoinPerWorkshop]
		],
		now
	);
}

export async function recordGuestJoin(workshopId: string, address: string, now = Date.now()) {
	await recordAttempt([guestJoinAddressKey(address), guestJoinWorkshopKey(workshopId)], now);
}
