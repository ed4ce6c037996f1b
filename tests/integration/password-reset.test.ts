import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { db, first } from '../../src/lib/server/db';
import { mailOutbox, organisations, passwordResetTokens } from '../../src/lib/server/db/schema';
import { checkResetToken, requestPasswordReset, resetPassword, resetTokenLifetimeMs } from '../../src/lib/server/password-reset';
import { createUser, verifyCredentials } from '../../src/lib/server/users';

// The reset token's rules with a clock (the flow itself runs through the server in mail-server.test.ts).
describe('password reset tokens', () => {
	it('expire after an hour, are stored hashed, and are written with their mail in the recipient language', async () => {
		const user = await createUser({ name: 'Sven', email: 'sven@example.fi', password: 'kahvia-ja-pullaa-42', locale: 'sv' });
		const now = new Date();
		await requestPasswordReset('sven@example.fi', '192.0.2.1', now);
		const mail = (await first(db.select().from(mailOutbox).where(eq(mailOutbox.userId, user.id))))!;
		expect(mail.locale).toBe('sv');
		expect(mail.subject).toBe('Verstas: byte av lösenord');
		expect(mail.headers['List-Unsubscribe']).toBeUndefined();
		const token = mail.text.match(/\/reset-password\/(\S+)/)![1]!;
		const [id, secret] = token.split('.');
		const stored = (await first(db.select().from(passwordResetTokens).where(eq(passwordResetTokens.id, id!))))!;
		expect(stored.secretHash.toString('utf8')).not.toContain(secret);

		expect(await checkResetToken(token, new Date(now.getTime() + resetTokenLifetimeMs - 1000))).toBe(user.id);
		const late = new Date(now.getTime() + resetTokenLifetimeMs + 1);
		expect(await checkResetToken(token, late)).toBeNull();
		expect(await resetPassword(token, 'uusi-kahvikuppi-77', late)).toBe(false);
		expect(await verifyCredentials('sven@example.fi', 'kahvia-ja-pullaa-42')).toBeTruthy();
		// A wrong secret for a real id is refused too.
		expect(await checkResetToken(`${id}.wrongsecretwrongsecretxx`, now)).toBeNull();
	});

	it('sends nothing to a domain whose organisation requires SSO', async () => {
		const user = await createUser({ name: 'Kerttu', email: 'kerttu@kaupunki.example', password: 'kahvia-ja-pullaa-42' });
		await db.insert(organisations).values({ id: 'sso-org', name: 'SSO-kaupunki', kind: 'city', municipality: 'Espoo', ssoDomain: 'kaupunki.example', ssoRequired: true });
		await requestPasswordReset('kerttu@kaupunki.example', '192.0.2.2');
		expect(await db.select().from(mailOutbox).where(eq(mailOutbox.userId, user.id))).toEqual([]);
		await db.update(organisations).set({ ssoRequired: false }).where(eq(organisations.id, 'sso-org'));
		await requestPasswordReset('kerttu@kaupunki.example', '192.0.2.2');
		expect(await db.select().from(mailOutbox).where(eq(mailOutbox.userId, user.id))).toHaveLength(1);
	});
});
