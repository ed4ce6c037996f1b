import { and, desc, eq, inArray, lte, or, sql } from 'drizzle-orm';
import { changedRows, db, type Executor, first, one } from '../db';
import { mailOutbox, type Locale, type MailStatus } from '../db/schema';
import { generateSecureRandomString } from '../session';

// The outbox: every message is a row written in the same transaction as the event that causes it, so a rolled-back
// event sends nothing and a committed one is never lost. The worker (worker.ts) sends the rows.

/** The process's worker registers its wake-up here: a queued message goes out without waiting for the next poll. */
export const wakeSymbol = Symbol.for('verstas.mail.wake');

export type MailAttachment = { filename: string; contentType: string; content: string | Uint8Array };

export type OutgoingMail = {
	to: string;
	/** The recipient's account, when they have one (their preferences and language). */
	userId?: string | null;
	/** What sort of message: 'password_reset', 'invitation', 'pilot_proposal' … (shown to admins). */
	kind: string;
	locale: Locale;
	subject: string;
	text: string;
	html: string;
	/** Extra headers, e.g. List-Unsubscribe (see unsubscribeHeaders in preferences.ts). */
	headers?: Record<string, string>;
	/** Text content is sent as UTF-8; bytes as they are. */
	attachments?: MailAttachment[];
	/** What the message is about, e.g. `workshop:{id}`: listMail({ about }) shows its fate to those responsible. */
	about?: string;
	/** A message that must be sent once whoever asks for it again (a reminder for one due date). */
	dedupeKey?: string;
};

/** A Message-ID of our own, fixed at queueing: a message (re)sent by an admin carries the same one. */
function messageIdFor(id: string) {
	let host = 'verstas.invalid';
	try {
		host = new URL(process.env.ORIGIN || 'http://verstas.invalid').hostname || host;
	} catch {
		// A malformed ORIGIN is adapter-node's to refuse; the id only needs a syntactically valid right-hand side.
	}
	return `<${id}@${host}>`;
}

/**
 * Writes the message into the outbox inside the caller's transaction (pass `tx`), to be sent once the transaction
 * commits. Returns the row's id, or null when a message with the same dedupeKey already exists (nothing written).
 */
export async function queueMail(executor: Executor, mail: OutgoingMail, now = new Date()): Promise<string | null> {
	const id = generateSecureRandomString();
	const attachments = (mail.attachments ?? []).map((attachment) => ({
		filename: attachment.filename,
		contentType: attachment.contentType,
		content: Buffer.from(attachment.content).toString('base64')
	}));
	const row = await first(executor
		.insert(mailOutbox)
		.values({
			id,
			kind: mail.kind,
			to: mail.to,
			userId: mail.userId ?? null,
			locale: mail.locale,
			subject: mail.subject,
			text: mail.text,
			html: mail.html,
			headers: mail.headers ?? {},
			attachments,
			about: mail.about ?? null,
			dedupeKey: mail.dedupeKey ?? null,
			messageId: messageIdFor(id),
			nextAttemptAt: now,
			createdAt: now
		})
		.onConflictDoNothing({ target: mailOutbox.dedupeKey })
		.returning({ id: mailOutbox.id }));
	// Runs after the caller's (synchronous) transaction has committed.
	if (row) (globalThis as Record<symbol, (() => void) | undefined>)[wakeSymbol]?.();
	return row?.id ?? null;
}

export type MailRow = typeof mailOutbox.$inferSelect;

/** Newest first, for the admin page (and for a facilitator's own invitations with `about`). */
export function listMail(filter: { status?: MailStatus; about?: string; limit?: number } = {}) {
	const conditions = [];
	if (filter.status) conditions.push(eq(mailOutbox.status, filter.status));
	if (filter.about) conditions.push(eq(mailOutbox.about, filter.about));
	return db
		.select()
		.from(mailOutbox)
		.where(conditions.length ? and(...conditions) : undefined)
		.orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
		.limit(filter.limit ?? 200);
}

export function getMail(id: string) {
	return first(db.select().from(mailOutbox).where(eq(mailOutbox.id, id)));
}

export async function countMailByStatus() {
	const rows = await db.select({ status: mailOutbox.status, n: sql<number>`count(*)` }).from(mailOutbox).groupBy(mailOutbox.status);
	return Object.fromEntries(rows.map((row) => [row.status, row.n])) as Partial<Record<MailStatus, number>>;
}

/**
 * An admin sends a failed or uncertain message again (for an uncertain one, they accept that it may arrive twice).
 * Returns false when the message is in no such state (already queued, sending or sent).
 */
export async function retryMail(id: string, now = new Date()) {
	const changed = await db
		.update(mailOutbox)
		.set({ status: 'queued', attempts: 0, nextAttemptAt: now, leaseOwner: null, leaseUntil: null })
		.where(and(eq(mailOutbox.id, id), inArray(mailOutbox.status, ['failed', 'uncertain'])));
	return changedRows(changed) === 1;
}

/**
 * Claims the oldest due message for `owner` until `leaseUntil`, atomically: one UPDATE … RETURNING under SQLite's
 * write lock, so of two workers (processes) asking at once, exactly one gets each row.
 */
export async function claimNextMail(owner: string, leaseUntil: Date, now = new Date()): Promise<MailRow | undefined> {
	const due = db
		.select({ id: mailOutbox.id })
		.from(mailOutbox)
		.where(and(eq(mailOutbox.status, 'queued'), lte(mailOutbox.nextAttemptAt, now)))
		.orderBy(mailOutbox.nextAttemptAt)
		.limit(1);
	return await first(db
		.update(mailOutbox)
		.set({ status: 'sending', leaseOwner: owner, leaseUntil, attempts: sql`${mailOutbox.attempts} + 1` })
		.where(and(eq(mailOutbox.id, sql`(${due})`), eq(mailOutbox.status, 'queued')))
		.returning());
}

/**
 * The outcome of one attempt, written only by the claim's owner. A sender slower than its lease finds its message
 * marked uncertain and still records what really happened; after an admin's resend the old owner writes nothing.
 */
export async function settleMail(
	id: string,
	owner: string,
	outcome: { status: 'sent' } | { status: 'queued'; error: string; nextAttemptAt: Date } | { status: 'failed' | 'uncertain'; error: string },
	now = new Date()
) {
	const values =
		outcome.status === 'sent'
			? { status: 'sent' as const, sentAt: now, lastError: null }
			: outcome.status === 'queued'
				? { status: 'queued' as const, lastError: outcome.error, nextAttemptAt: outcome.nextAttemptAt }
				: { status: outcome.status, lastError: outcome.error };
	return (
		changedRows((await db
			.update(mailOutbox)
			.set({ ...values, leaseOwner: null, leaseUntil: null })
			.where(and(eq(mailOutbox.id, id), inArray(mailOutbox.status, ['sending', 'uncertain']), eq(mailOutbox.leaseOwner, owner))))) === 1
	);
}

/**
 * Messages whose sender's lease ran out while sending: the process died (or hung) somewhere between claiming and
 * recording the outcome, so the message may or may not have been handed to the SMTP server. It is not resent by
 * itself (at most once); it is marked uncertain for an admin to look at. Returns how many.
 */
export async function expireMailLeases(now = new Date()) {
	return changedRows((await db
		.update(mailOutbox)
		.set({ status: 'uncertain', lastError: 'sender stopped before the outcome was known', leaseUntil: null })
		.where(and(eq(mailOutbox.status, 'sending'), or(lte(mailOutbox.leaseUntil, now), sql`${mailOutbox.leaseUntil} IS NULL`)))));
}
