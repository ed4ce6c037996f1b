import { and, eq } from 'drizzle-orm';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { m } from '../../paraglide/messages.js';
import { db, type Executor, first, isForeignKeyViolation } from '../db';
import { appSecrets, mailPreferences, type Locale, type MailFrequency } from '../db/schema';
import { publicUrl } from './links';

/**
 * The kinds of non-essential mail a person chooses for themself, with the choices each offers and its default.
 * Essential mail (password reset) has no kind here and no unsubscribe.
 */
export const notificationKinds = {
	pilot_proposals: { choices: ['immediate', 'off'], default: 'immediate' },
	pilot_updates: { choices: ['immediate', 'off'], default: 'immediate' },
	checkin_reminders: { choices: ['immediate', 'off'], default: 'immediate' },
	digest: { choices: ['daily', 'weekly', 'off'], default: 'weekly' }
} as const satisfies Record<string, { choices: readonly MailFrequency[]; default: MailFrequency }>;

export type NotificationKind = keyof typeof notificationKinds;
export const notificationKindNames = Object.keys(notificationKinds) as NotificationKind[];

export function isNotificationKind(kind: string): kind is NotificationKind {
	return Object.hasOwn(notificationKinds, kind);
}

export function kindLabel(kind: NotificationKind, locale?: Locale) {
	const options = locale ? { locale } : {};
	return {
		pilot_proposals: m.mail_kind_pilot_proposals,
		pilot_updates: m.mail_kind_pilot_updates,
		checkin_reminders: m.mail_kind_checkin_reminders,
		digest: m.mail_kind_digest
	}[kind]({}, options);
}

export async function mailFrequency(userId: string, kind: NotificationKind, executor: Executor = db): Promise<MailFrequency> {
	const row = await first(executor
		.select({ frequency: mailPreferences.frequency })
		.from(mailPreferences)
		.where(and(eq(mailPreferences.userId, userId), eq(mailPreferences.kind, kind))));
	return row?.frequency ?? notificationKinds[kind].default;
}

export async function listMailPreferences(userId: string) {
	const entries = [];
	for (const kind of notificationKindNames) entries.push([kind, await mailFrequency(userId, kind)]);
	return Object.fromEntries(entries) as Record<NotificationKind, MailFrequency>;
}

const choice = <Kind extends NotificationKind>(kind: Kind) =>
	z.enum(notificationKinds[kind].choices, { error: () => m.error_choose_option() });
export const mailPreferencesSchema = z.object({
	pilot_proposals: choice('pilot_proposals'),
	pilot_updates: choice('pilot_updates'),
	checkin_reminders: choice('checkin_reminders'),
	digest: choice('digest')
} satisfies Record<NotificationKind, z.ZodType>);

export async function setMailPreferences(userId: string, choices: Partial<Record<NotificationKind, MailFrequency>>) {
	await db.transaction(async (tx) => {
		for (const [kind, frequency] of Object.entries(choices)) {
			await tx.insert(mailPreferences)
				.values({ userId, kind, frequency })
				.onConflictDoUpdate({ target: [mailPreferences.userId, mailPreferences.kind], set: { frequency } });
		}
	});
}

// Unsubscribe links ------------------------------------------------------------------------------------

/** A random key made once per database (every process reads the same row), signing unsubscribe links. */
async function unsubscribeKey() {
	await db.insert(appSecrets).values({ name: 'unsubscribe', value: randomBytes(32) }).onConflictDoNothing();
	return (await first(db.select({ value: appSecrets.value }).from(appSecrets).where(eq(appSecrets.name, 'unsubscribe'))))!.value;
}

async function signature(userId: string, kind: string) {
	return createHmac('sha256', await unsubscribeKey()).update(`unsubscribe:${userId}:${kind}`).digest('base64url');
}

/** The link (without signing in) that turns this kind off for this person; also the RFC 8058 one-click target. */
export async function unsubscribeUrl(userId: string, kind: NotificationKind) {
	const query = new URLSearchParams({ u: userId, k: kind, t: await signature(userId, kind) });
	return publicUrl(`/mail/unsubscribe?${query}`);
}

export async function unsubscribeHeaders(userId: string, kind: NotificationKind) {
	return { 'List-Unsubscribe': `<${await unsubscribeUrl(userId, kind)}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

/** The kind the link names when its signature is right, else null. */
export async function checkUnsubscribeLink(params: URLSearchParams): Promise<{ userId: string; kind: NotificationKind } | null> {
	const userId = params.get('u') ?? '';
	const kind = params.get('k') ?? '';
	const given = Buffer.from(params.get('t') ?? '');
	if (!userId || !isNotificationKind(kind)) return null;
	const expected = Buffer.from(await signature(userId, kind));
	return given.length === expected.length && timingSafeEqual(given, expected) ? { userId, kind } : null;
}

export async function unsubscribe(userId: string, kind: NotificationKind) {
	// A deleted account's link changes nothing (the foreign key would refuse the row).
	try {
		await setMailPreferences(userId, { [kind]: 'off' });
	} catch (error) {
		if (!isForeignKeyViolation(error)) throw error;
	}
}
