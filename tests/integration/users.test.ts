import { count, eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { db, first } from '../../src/lib/server/db';
import { sessions, users } from '../../src/lib/server/db/schema';
import { parseForm } from '../../src/lib/server/forms';
import { createSession, validateSessionToken } from '../../src/lib/server/session';
import {
	changePassword,
	createUser,
	EmailTakenError,
	passwordChangeSchema,
	signUpSchema,
	verifyCredentials
} from '../../src/lib/server/users';

const userCount = async () => (await first(db.select({ n: count() }).from(users)))!.n;

function form(fields: Record<string, string>) {
	const data = new FormData();
	for (const [key, value] of Object.entries(fields)) data.set(key, value);
	return data;
}

describe('accounts', () => {
	beforeEach(async () => {
		await db.delete(users);
	});

	it('makes the first account on an empty database admin, and only that one', async () => {
		const first = await createUser({ name: 'Eka', email: 'eka@example.fi', password: 'salasana-123' });
		const second = await createUser({ name: 'Toka', email: 'toka@example.fi', password: 'salasana-123' });
		expect(first.isAdmin).toBe(true);
		expect(second.isAdmin).toBe(false);
	});

	it('stores an Argon2id hash at OWASP parameters, never the password', async () => {
		await createUser({ name: 'Aino', email: 'aino@example.fi', password: 'hyvin-salainen' });
		const row = (await first(db.select().from(users).where(eq(users.email, 'aino@example.fi'))))!;
		expect(row.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
		expect(row.passwordHash).not.toContain('hyvin-salainen');
	});

	it('refuses a duplicate email and writes nothing', async () => {
		await createUser({ name: 'Aino', email: 'aino@example.fi', password: 'salasana-123' });
		await expect(createUser({ name: 'Toinen', email: 'aino@example.fi', password: 'salasana-456' })).rejects.toBeInstanceOf(
			EmailTakenError
		);
		expect(await userCount()).toBe(1);
	});

	it('refuses concurrent sign-ups for one email: exactly one account results', async () => {
		const attempts = await Promise.allSettled(
			Array.from({ length: 5 }, () => createUser({ name: 'Sama', email: 'sama@example.fi', password: 'salasana-123' }))
		);
		expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
		expect(attempts.filter((a) => a.status === 'rejected' && a.reason instanceof EmailTakenError)).toHaveLength(4);
		expect(await userCount()).toBe(1);
	});

	it('verifies credentials: right password, wrong password, unknown email', async () => {
		await createUser({ name: 'Aino', email: 'aino@example.fi', password: 'salasana-123' });
		expect((await verifyCredentials('aino@example.fi', 'salasana-123'))?.name).toBe('Aino');
		expect(await verifyCredentials('aino@example.fi', 'salasana-124')).toBeNull();
		expect(await verifyCredentials('tuntematon@example.fi', 'salasana-123')).toBeNull();
	});

	it('changing the password ends every session of the user', async () => {
		const { id } = await createUser({ name: 'Aino', email: 'aino@example.fi', password: 'salasana-123' });
		const phone = await createSession(id);
		const laptop = await createSession(id);
		expect(await changePassword(id, 'väärä-salasana', 'uusi-salasana-1')).toBe(false);
		expect(await validateSessionToken(phone.token)).not.toBeNull();

		expect(await changePassword(id, 'salasana-123', 'uusi-salasana-1')).toBe(true);
		expect(await validateSessionToken(phone.token)).toBeNull();
		expect(await validateSessionToken(laptop.token)).toBeNull();
		expect((await first(db.select({ n: count() }).from(sessions).where(eq(sessions.userId, id))))!.n).toBe(0);
		expect(await verifyCredentials('aino@example.fi', 'uusi-salasana-1')).not.toBeNull();
		expect(await verifyCredentials('aino@example.fi', 'salasana-123')).toBeNull();
	});
});

describe('sign-up validation at the edge', () => {
	it('accepts a good form and normalises the email', () => {
		const result = parseForm(signUpSchema, form({ name: ' Aino ', email: ' Aino@Example.FI ', password: 'salasana-123' }));
		expect(result).toEqual({ ok: true, data: { name: 'Aino', email: 'aino@example.fi', password: 'salasana-123' } });
	});

	it('names each bad field with a message, and never echoes the password back', () => {
		const result = parseForm(signUpSchema, form({ name: '', email: 'ei-sähköposti', password: 'lyhyt' }));
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(Object.keys(result.errors).sort()).toEqual(['email', 'name', 'password']);
		expect(result.errors.password).toMatch(/10/);
		expect(result.values).toEqual({ name: '', email: 'ei-sähköposti' });
	});

	it('treats a missing field as required rather than crashing', () => {
		const result = parseForm(signUpSchema, form({ name: 'Aino' }));
		expect(result.ok).toBe(false);
		if (!result.ok) expect(Object.keys(result.errors).sort()).toEqual(['email', 'password']);
	});

	it('refuses common, breached and repeated passwords however long, in sign-up and password change alike', () => {
		const guessable = ['aaaaaaaaaa', '1234567890', 'qwertyuiop', 'password123', 'salasana1234', 'kissa12345', 'iloinenkissa'];
		for (const password of guessable) {
			const signUp = parseForm(signUpSchema, form({ name: 'Aino', email: 'aino@example.fi', password }));
			expect(signUp.ok, password).toBe(false);
			if (!signUp.ok) expect(signUp.errors.password, password).toMatch(/^Salasana on liian helppo arvata/);
			const change = parseForm(passwordChangeSchema, form({ currentPassword: 'x', newPassword: password }));
			expect(change.ok, password).toBe(false);
		}
		for (const password of ['kahvia-ja-pullaa-42', 'Kesäkuu2024!', 'oikein-hyva-salasana']) {
			expect(parseForm(signUpSchema, form({ name: 'Aino', email: 'aino@example.fi', password })).ok, password).toBe(true);
		}
	});
});
