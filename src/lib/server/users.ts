import { asc, count, eq, isNotNull } from 'drizzle-orm';
import { recordAudit, userActor } from './audit';
import { z } from 'zod';
import { m } from '../paraglide/messages.js';
import { db, first, isUniqueViolation, one } from './db';
import { locales, users, type Locale } from './db/schema';
import { emailField, enumField, newPasswordField, requiredText } from './forms';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './password';
import { generateSecureRandomString, invalidateUserSessions } from './session';

export const signUpSchema = z.object({
	name: requiredText(100),
	email: emailField(),
	password: newPasswordField()
});

export const signInSchema = z.object({
	email: emailField(),
	password: z.string({ error: () => m.error_required() }).min(1, { error: () => m.error_required() })
});

export const profileSchema = z.object({
	name: requiredText(100),
	locale: enumField(locales)
});

export const passwordChangeSchema = z.object({
	currentPassword: z.string({ error: () => m.error_required() }).min(1, { error: () => m.error_required() }),
	newPassword: newPasswordField()
});

export class EmailTakenError extends Error {}

/** The first account on an empty database becomes admin, so a fresh install can be set up. */
export async function createUser(input: { name: string; email: string; password: string; locale?: Locale }) {
	const passwordHash = await hashPassword(input.password);
	try {
		return await db.transaction(async (tx) => {
			const existing = await first(tx.select({ id: users.id }).from(users).where(eq(users.email, input.email)));
			if (existing) throw new EmailTakenError(input.email);
			const isFirst = (await first(tx.select({ n: count() }).from(users)))!.n === 0;
			return one(tx
				.insert(users)
				.values({
					id: generateSecureRandomString(),
					name: input.name,
					email: input.email,
					passwordHash,
					locale: input.locale ?? 'fi',
					isAdmin: isFirst
				})
				.returning({ id: users.id, isAdmin: users.isAdmin, locale: users.locale }));
		}, { behavior: 'immediate' });
	} catch (error) {
		// Two sign-ups racing for one email: the unique index decides.
		if (isUniqueViolation(error, 'users', 'email')) {
			throw new EmailTakenError(input.email);
		}
		throw error;
	}
}

/** The user when email and password match, null otherwise (unknown email and wrong password alike). */
export async function verifyCredentials(email: string, password: string) {
	const user = await first(db.select().from(users).where(eq(users.email, email)));
	// An account made by organisation sign-in has no password: it fails like a wrong one, in the same time.
	if (!user?.passwordHash) {
		await verifyAgainstDummy(password);
		return null;
	}
	return (await verifyPassword(user.passwordHash, password)) ? user : null;
}

export function getUserByEmail(email: string) {
	return first(db
		.select({ id: users.id, name: users.name, email: users.email })
		.from(users)
		.where(eq(users.email, email.trim().toLowerCase())));
}

export function getProfile(userId: string) {
	return first(db
		.select({
			name: users.name,
			email: users.email,
			locale: users.locale,
			isAdmin: users.isAdmin,
			createdAt: users.createdAt,
			hasPassword: isNotNull(users.passwordHash)
		})
		.from(users)
		.where(eq(users.id, userId)));
}

export async function updateProfile(userId: string, profile: { name: string; locale: Locale }) {
	await db.update(users).set(profile).where(eq(users.id, userId));
}

export async function setPreferredLocale(userId: string, locale: Locale) {
	await db.update(users).set({ locale }).where(eq(users.id, userId));
}

/** Changes the password and ends every session of the user; the caller signs the current device in again. */
export async function changePassword(userId: string, currentPassword: string, newPassword: string) {
	const user = await first(db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId)));
	if (!user?.passwordHash || !(await verifyPassword(user.passwordHash, currentPassword))) return false;
	const passwordHash = await hashPassword(newPassword);
	await db.transaction(async (tx) => {
		await tx.update(users).set({ passwordHash }).where(eq(users.id, userId));
		await invalidateUserSessions(userId, tx);
		await recordAudit(tx, { action: 'password_changed', actor: await userActor(tx, userId), subject: { kind: 'user', id: userId } });
	});
	return true;
}

export function listUsers() {
	return db
		.select({ id: users.id, name: users.name, email: users.email, isAdmin: users.isAdmin, createdAt: users.createdAt })
		.from(users)
		.orderBy(asc(users.name));
}
