import { describe, expect, it } from 'vitest';
import {
	clearFailedSignIns,
	failedSignInWindowMs,
	recordFailedSignIn,
	signInBlockedFor
} from '../../src/lib/server/rate-limit';

const minute = 60_000;

describe('sign-in rate limit', () => {
	it('blocks an email after ten failures within fifteen minutes, until the oldest ages out', () => {
		const email = 'kohde@example.fi';
		const start = Date.now();
		for (let i = 0; i < 9; i++) recordFailedSignIn(email, start + i * minute);
		expect(signInBlockedFor(email, start + 9 * minute)).toBe(0);

		recordFailedSignIn(email, start + 9 * minute);
		const blocked = signInBlockedFor(email, start + 9 * minute);
		expect(blocked).toBe(failedSignInWindowMs - 9 * minute);
		expect(signInBlockedFor('muu@example.fi', start + 9 * minute)).toBe(0);
		expect(signInBlockedFor(email, start + failedSignInWindowMs + 1)).toBe(0);
	});

	it('does not count failures older than the window', () => {
		const email = 'vanha@example.fi';
		const start = Date.now() - 60 * minute;
		for (let i = 0; i < 10; i++) recordFailedSignIn(email, start + i * 1000);
		expect(signInBlockedFor(email)).toBe(0);
	});

	it('a successful sign-in clears the count', () => {
		const email = 'onnistuja@example.fi';
		for (let i = 0; i < 10; i++) recordFailedSignIn(email);
		expect(signInBlockedFor(email)).toBeGreaterThan(0);
		clearFailedSignIns(email);
		expect(signInBlockedFor(email)).toBe(0);
	});
});
