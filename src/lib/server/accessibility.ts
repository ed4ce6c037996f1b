// The accessibility statement (Act on the Provision of Digital Services 306/2019) and its feedback channel: anyone may
// send feedback without an account; admins see it with its age and mark it answered.
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { m } from '../paraglide/messages.js';
import { db, first } from './db';
import { accessibilityFeedback, type locales } from './db/schema';
import { formState, parseForm } from './forms';
import { addressKey, attemptWaitMs, recordAttempt, type Limit } from './rate-limit';
import { generateSecureRandomString } from './session';

type Locale = (typeof locales)[number];

/** The law's response time: feedback older than this without an answer is overdue. */
export const feedbackResponseDays = 14;
const day = 86_400_000;

/** The date the shipped statement was last checked against the service (the deployment may set its own). */
const shippedReviewDate = '2026-12-06';

/** The deployment's own details for the statement, from settings. */
export function statementSettings(env: Record<string, string | undefined> = process.env) {
	const reviewed = env.VERSTAS_ACCESSIBILITY_REVIEWED;
	return {
		/** who provides this Verstas (e.g. "Helsingin kaupunki"); empty: the statement says "the service's provider" */
		provider: env.VERSTAS_SERVICE_PROVIDER?.trim() ?? '',
		/** where accessibility feedback can also be e-mailed; empty: the form only */
		email: env.VERSTAS_ACCESSIBILITY_EMAIL?.trim() ?? '',
		reviewed: reviewed && /^\d{4}-\d{2}-\d{2}$/.test(reviewed) ? reviewed : shippedReviewDate
	};
}

// Feedback is free text from anyone: bounded per address so that the table cannot be flooded.
const feedbackPerAddress: Limit = { free: 10, windowMs: 60 * 60_000 };
const feedbackKey = (address: string) => `accessibility-feedback:address:${addressKey(address)}`;

/** The form, with its messages in the statement's language (the page's own, whatever the interface language). */
export function feedbackSchema(locale: Locale) {
	const required = () => m.error_required({}, { locale });
	const tooLong = (max: number) => () => m.error_too_long({ max }, { locale });
	return z.object({
		message: z.string({ error: required }).trim().min(1, { error: required }).max(4000, { error: tooLong(4000) }),
		concerns: z.string().trim().max(300, { error: tooLong(300) }).default(''),
		contact: z
			.string()
			.trim()
			.max(254, { error: tooLong(254) })
			.refine((value) => value === '' || z.email().safeParse(value).success, { error: () => m.error_email_invalid({}, { locale }) })
			.default('')
	});
}

/** Stores feedback, or says how long this address must wait (ms) before sending more. */
export async function submitFeedback(input: z.output<ReturnType<typeof feedbackSchema>>, locale: Locale, address: string, now = Date.now()) {
	const waitMs = await attemptWaitMs(feedbackKey(address), feedbackPerAddress, now);
	if (waitMs > 0) return { ok: false as const, waitMs };
	await recordAttempt([feedbackKey(address)], now);
	await db.insert(accessibilityFeedback)
		.values({ id: generateSecureRandomString(12), ...input, locale, receivedAt: new Date(now) });
	return { ok: true as const };
}

/** Everything received, unanswered first (oldest first: the most urgent on top), with each one's age in days. */
export async function listFeedback(now = Date.now()) {
	const rows = await db
		.select()
		.from(accessibilityFeedback)
		.orderBy(sql`${accessibilityFeedback.answeredAt} IS NOT NULL`, asc(accessibilityFeedback.receivedAt));
	return rows.map((row) => {
		const ageDays = Math.floor((now - row.receivedAt.getTime()) / day);
		return { ...row, ageDays, overdue: row.answeredAt === null && ageDays >= feedbackResponseDays };
	});
}

/** Marks feedback answered (by whom, when); answering twice keeps the first answer. Returns whether it existed. */
export async function markFeedbackAnswered(id: string, adminId: string, now = new Date()) {
	const existing = await first(db.select({ id: accessibilityFeedback.id }).from(accessibilityFeedback).where(eq(accessibilityFeedback.id, id)));
	if (!existing) return false;
	await db.update(accessibilityFeedback)
		.set({ answeredAt: now, answeredBy: adminId })
		.where(and(eq(accessibilityFeedback.id, id), isNull(accessibilityFeedback.answeredAt)));
	return true;
}

/**
 * The statement's page in one language: /saavutettavuus (fi), /tillganglighet (sv), /accessibility (en). Each shows
 * the statement and its form in its own language whatever the interface language is, so a link can be shared.
 */
export function statementPage(locale: Locale) {
	return {
		load: ({ url }: { url: URL }) => ({ locale, settings: statementSettings(), origin: url.origin, responseDays: feedbackResponseDays }),
		actions: {
			feedback: async ({ request, getClientAddress }: { request: Request; getClientAddress: () => string }) => {
				const form = parseForm(feedbackSchema(locale), await request.formData());
				if (!form.ok) return fail(400, formState({ ...form, message: m.form_has_errors({}, { locale }) }));
				const outcome = await submitFeedback(form.data, locale, getClientAddress());
				if (!outcome.ok) {
					const minutes = Math.max(1, Math.ceil(outcome.waitMs / 60_000));
					return fail(429, formState({ values: form.data, message: m.a11y_feedback_rate_limited({ minutes }, { locale }) }));
				}
				return formState({ saved: m.a11y_feedback_thanks({ days: feedbackResponseDays }, { locale }) });
			}
		}
	};
}
