import { m } from '$lib/paraglide/messages.js';
import { requireAdmin } from '$lib/server/authorise';
import { mailStatuses } from '$lib/server/db/schema';
import { formState, parseForm } from '$lib/server/forms';
import { countMailByStatus, listMail, retryMail } from '$lib/server/mail/outbox';
import { isNotificationKind, kindLabel } from '$lib/server/mail/preferences';
import { smtpSettings } from '$lib/server/mail/worker';
import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';

const statusFilter = z.enum(mailStatuses).optional().catch(undefined);
const retrySchema = z.object({ id: z.string({ error: () => m.error_required() }).min(1, { error: () => m.error_required() }).max(64) });

export const load: PageServerLoad = async (event) => {
	requireAdmin(event);
	const status = statusFilter.parse(event.url.searchParams.get('status') ?? undefined);
	let smtpConfigured = false;
	try {
		smtpConfigured = smtpSettings() !== null;
	} catch {
		// A malformed SMTP_URL: shown as not configured.
	}
	return {
		status,
		smtpConfigured,
		counts: await countMailByStatus(),
		// Only what the page shows: the text part (never the HTML, which would be rendered), no attachments' bytes.
		messages: (await listMail({ status })).map((row) => ({
			id: row.id,
			to: row.to,
			kind: mailKindLabel(row.kind),
			subject: row.subject,
			text: row.text,
			status: row.status,
			attempts: row.attempts,
			lastError: row.lastError,
			createdAt: row.createdAt,
			sentAt: row.sentAt
		}))
	};
};

/** A message kind in the admin's language (a kind this version does not know is shown as stored). */
function mailKindLabel(kind: string) {
	if (isNotificationKind(kind)) return kindLabel(kind);
	if (kind === 'invitation') return m.mail_kind_invitation();
	if (kind === 'password_reset') return m.mail_kind_password_reset();
	return kind;
}

export const actions: Actions = {
	retry: async (event) => {
		requireAdmin(event);
		const form = parseForm(retrySchema, await event.request.formData());
		if (!form.ok) return fail(400, formState(form));
		if (!await retryMail(form.data.id)) return fail(409, formState({ message: m.admin_mail_not_retryable() }));
		return formState({ saved: m.admin_mail_retried() });
	}
};
