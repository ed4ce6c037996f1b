import { eq } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { db, first } from '../../src/lib/server/db';
import { sessions } from '../../src/lib/server/db/schema';
import { createSession, invalidateSession, validateSessionToken } from '../../src/lib/server/session';
import { createUser } from '../../src/lib/server/users';

let userId: string;
beforeAll(async () => {
	({ id: userId } = await createUser({ name: 'Aino', email: 'aino@example.fi', password: 'salasana-123' }));
});

const row = (id: string) => first(db.select().from(sessions).where(eq(sessions.id, id)));

describe('sessions', () => {
	it('stores only the sha-256 of the secret', async () => {
		const { token } = await createSession(userId);
		const [id, secret] = token.split('.') as [string, string];
		expect(secret).toHaveLength(24);
		const stored = (await row(id))!;
		expect(Buffer.from(stored.secretHash).equals(createHash('sha256').update(secret).digest())).toBe(true);
		expect(JSON.stringify(stored)).not.toContain(secret);
	});

	it('validates the right token and refuses a changed secret or a malformed token', async () => {
		const { token } = await createSession(userId);
		expect((await validateSessionToken(token))?.user.email).toBe('aino@example.fi');
		expect((await validateSessionToken(token))?.user).not.toHaveProperty('passwordHash');
		const [id, secret] = token.split('.') as [string, string];
		const flipped = secret.slice(0, -1) + (secret.endsWith('a') ? 'b' : 'a');
		expect(await validateSessionToken(`${id}.${flipped}`)).toBeNull();
		expect(await validateSessionToken(id)).toBeNull();
		expect(await validateSessionToken(`${token}.extra`)).toBeNull();
	});

	it('expires after ten days without use, and deletes the row', async () => {
		const { token } = await createSession(userId);
		const id = token.split('.')[0]!;
		await db.update(sessions)
			.set({ lastVerifiedAt: new Date(Date.now() - 10 * 24 * 3600_000 - 1000) })
			.where(eq(sessions.id, id));
		expect(await validateSessionToken(token)).toBeNull();
		expect(await row(id)).toBeUndefined();
	});

	it('ends thirty days after sign-in however active it is, and the cookie never outlives that', async () => {
		const { token } = await createSession(userId);
		const id = token.split('.')[0]!;
		const day = 24 * 3600_000;
		await db.update(sessions).set({ createdAt: new Date(Date.now() - 25 * day), lastVerifiedAt: new Date(Date.now() - 2 * 3600_000) }).where(eq(sessions.id, id));
		const young = (await validateSessionToken(token))!;
		expect(young.refreshed).toBe(true);
		// Five days left of the thirty, though ten days of inactivity would allow more.
		expect(young.session.expiresAt.getTime() - (Date.now() + 5 * day)).toBeLessThan(60_000);
		expect(young.session.expiresAt.getTime()).toBe((await row(id))!.createdAt.getTime() + 30 * day);

		await db.update(sessions).set({ createdAt: new Date(Date.now() - 30 * day - 1000), lastVerifiedAt: new Date() }).where(eq(sessions.id, id));
		expect(await validateSessionToken(token)).toBeNull();
		expect(await row(id)).toBeUndefined();
	});

	it('extends an active session once its last use is over an hour old', async () => {
		const { token } = await createSession(userId);
		const id = token.split('.')[0]!;
		const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
		await db.update(sessions).set({ lastVerifiedAt: twoHoursAgo }).where(eq(sessions.id, id));
		const result = (await validateSessionToken(token))!;
		expect(result.refreshed).toBe(true);
		expect((await row(id))!.lastVerifiedAt.getTime()).toBeGreaterThan(twoHoursAgo.getTime());
		expect((await validateSessionToken(token))!.refreshed).toBe(false);
	});

	it('sign-out invalidates the session', async () => {
		const { token } = await createSession(userId);
		await invalidateSession(token.split('.')[0]!);
		expect(await validateSessionToken(token)).toBeNull();
	});
});
