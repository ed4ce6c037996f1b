import { describe, expect, it } from 'vitest';
import {
	addressKey,
	clearFailedSignIns,
	recordFailedSignIn,
	signInPerAccount,
	signInPerAddress,
	signInWaitMs
} from '../../src/lib/server/rate-limit';

const minute = 60_000;

describe('sign-in rate limit', () => {
	it('slows one address trying many emails, with delays that double', async () => {
		const address = '203.0.113.5';
		const start = Date.now();
		for (let i = 0; i < signInPerAddress.free; i++) {
			expect(await signInWaitMs(`kohde-${i}@example.fi`, address, start + i)).toBe(0);
			await recordFailedSignIn(`kohde-${i}@example.fi`, address, start + i);
		}
		// The 11th email, never tried before, must wait: the address is counted whatever the email.
		const last = start + signInPerAddress.free - 1;
		expect(await signInWaitMs('uusi@example.fi', address, last)).toBe(1000);
		await recordFailedSignIn('uusi@example.fi', address, last + 1000);
		expect(await signInWaitMs('toinen@example.fi', address, last + 1000)).toBe(2000);
		// Another address is not slowed.
		expect(await signInWaitMs('uusi@example.fi', '198.51.100.9', last + 1000)).toBe(0);
		// Growth stops at the cap, and the whole count ages out with the window.
		for (let i = 0; i < 20; i++) await recordFailedSignIn(`x${i}@example.fi`, address, last + 2000);
		expect(await signInWaitMs('x@example.fi', address, last + 2000)).toBe(signInPerAddress.maxDelayMs);
		expect(await signInWaitMs('x@example.fi', address, last + 2000 + signInPerAddress.windowMs)).toBe(0);
	});

	it('slows guesses at one account from many addresses, but never longer than a minute', async () => {
		const email = 'omistaja@example.fi';
		const start = Date.now();
		for (let i = 0; i < 40; i++) await recordFailedSignIn(email, `192.0.2.${i}`, start + i * 1000);
		const lastFailure = start + 39 * 1000;
		// The owner, from an address that never failed, waits at most the account's cap after the last guess.
		expect(await signInWaitMs(email, '198.51.100.1', lastFailure)).toBe(signInPerAccount.maxDelayMs);
		expect(await signInWaitMs(email, '198.51.100.1', lastFailure + minute)).toBe(0);
	});

	it('a successful sign-in clears the account count, not the address count', async () => {
		const email = 'onnistuja@example.fi';
		const address = '203.0.113.77';
		const now = Date.now();
		for (let i = 0; i < 11; i++) await recordFailedSignIn(email, address, now);
		await clearFailedSignIns(email);
		expect(await signInWaitMs(email, '198.51.100.2', now)).toBe(0);
		expect(await signInWaitMs(email, address, now)).toBeGreaterThan(0);
	});

	it('counts an IPv6 subscriber by its /64', () => {
		expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
		expect(addressKey('2001:0db8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
		expect(addressKey('::ffff:192.0.2.4')).toBe('192.0.2.4');
		expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
	});
});
