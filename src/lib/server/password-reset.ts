import { and, eq, gt, lt } from 'drizzle-orm';
import { recordAudit, userActor } from './audit';
import { z } from 'zod';
import { m } from '../paraglide/messages.js';
import { db, first } from './db';
import { passwordResetTokens, users } from './db/schema';
import { emailField, newPasswordField } from './forms';
import { publicUrl } from './mail/links';
import { queueMail } from './mail/outbox';
import { renderMail } from './mail/render';
import { hashPassword } from './password';
import { addressKey, attemptWaitMs, recordAttempt, type Limit } from './rate-limit';
import { generateSecureRandomString, hashSecret, invalidateUserSessions, secretMatches, splitToken } from './session';
import { ssoRequiredFor } from './identities';

export const resetRequestSchema = z.object({ email: emailField() });
export const resetPasswordSchema = z.object({ password: newPasswordField() });

/** A reset link works once, for an hour. */
export const resetTokenLifetimeMs = 60 * 60_000;

const hour = 60 * 60_000;
/** Requests from one address (whatever the emails): enough for an office's forgetful afternoon, not for a mail bomb. */
export const resetPerAddress: Limit = { free: 10, windowMs: hour };
/** Mails to one address: past this, requests are answered the same way but nothing more is sent. */
export const resetPerEmail: Limit = { free: 3, windowMs: hour };

const addressKeyOf = (address: string) => `reset:address:${addressKey(address)}`;
const emailKeyOf = (email: string) => `reset:email:${email}`;

export function resetRequestWaitMs(address: string, now = Date.now()) {
	return attemptWaitMs(addressKeyOf(address), resetPerAddress, now);
}

/**
 * Queues a reset mail when the email has an account, its hourly quota is not used up and its domain does not
 * require SSO; otherwise does nothing.
 * The caller answers the same either way (no account enumeration): the work is the same database round trips.
 */
export async function requestPasswordReset(email: string, address: string, now = new Date()) {
	const mayMail = await attemptWaitMs(emailKeyOf(email), resetPerEmail, now.getTime()) === 0;
	await recordAttempt(mayMail ? [addressKeyOf(address), emailKeyOf(email)] : [addressKeyOf(address)], now.getTime());
	const user = await first(db.select({ id: users.id, name: users.name, locale: users.locale }).from(users).where(eq(users.email, email)));
	// A domain whose organisation requires SSO signs in only at its provider: a password set here would be unusable.
	if (!user || !mayMail || await ssoRequiredFor(email)) return;
	const id = generateSecureRandomString();
	const secret = generateSecureRandomString();
	const locale = user.locale;
	const link = publicUrl(`/reset-password/${id}.${secret}`);
	const content = renderMail({
		locale,
		subject: m.mail_reset_subject({}, { locale }),
		title: m.mail_reset_title({}, { locale }),
		blocks: [
			{ paragraph: m.mail_reset_body({ name: user.name }, { locale }) },
			{ link: { label: m.mail_reset_action({}, { locale }), url: link } },
			{ paragraph: m.mail_reset_ignore({}, { locale }) }
		]
	});
	await db.transaction(async (tx) => {
		// Expired tokens of anyone go; a user's older links stay valid until used or expired.
		await tx.delete(passwordResetTokens).where(lt(passwordResetTokens.expiresAt, now));
		await tx.insert(passwordResetTokens)
			.values({ id, secretHash: hashSecret(secret), userId: user.id, expiresAt: new Date(now.getTime() + resetTokenLifetimeMs), createdAt: now });
		await queueMail(tx, { to: email, userId: user.id, kind: 'password_reset', locale, ...content }, now);
	});
}

/** The token's user id when the token is valid now (known, unexpired, secret matching), else null. */
export async function checkResetToken(token: string, now = new Date()) {
	const parts = splitToken(token);
	if (!parts) return null;
	const row = await first(db
		.select()
		.from(passwordResetTokens)
		.where(and(eq(passwordResetTokens.id, parts.id), gt(passwordResetTokens.expiresAt, now))));
	return row && secretMatches(parts.secret, row.secretHash) ? row.userId : null;
}

/**
 * Sets the new password if the token is still valid, uses up every reset link of the person and ends all their
 * sessions, in one transaction. Returns false (nothing changed) for an invalid, used or expired token.
 */
export async function resetPassword(token: string, password: string, now = new Date()) {
	if (!await checkResetToken(token, now)) return false;
	const passwordHash = await hashPassword(password);
	return db.transaction(async (tx) => {
		// Checked again inside the transaction: two submissions of one link must not both succeed.
		const parts = splitToken(token)!;
		const row = await first(tx
			.select()
			.from(passwordResetTokens)
			.where(and(eq(passwordResetTokens.id, parts.id), gt(passwordResetTokens.expiresAt, now))));
		if (!row || !secretMatches(parts.secret, row.secretHash)) return false;
		await tx.delete(passwordResetTokens).where(eq(passwordResetTokens.userId, row.userId));
		await tx.update(users).set({ passwordHash }).where(eq(users.id, row.userId));
		await invalidateUserSessions(row.userId, tx);
		await recordAudit(tx, { action: 'password_reset', actor: await userActor(tx, row.userId), subject: { kind: 'user', id: row.userId } });
		return true;
	}, { behavior: 'immediate' });
}
