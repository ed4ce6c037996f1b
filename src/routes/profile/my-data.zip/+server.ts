import { m } from '$lib/paraglide/messages.js';
import { requireUser } from '$lib/server/authorise';
import { recordAudit } from '$lib/server/audit';
import { db } from '$lib/server/db';
import { buildDataZip, collectUserData, zipResponse } from '$lib/server/my-data';
import type { Locale } from '$lib/server/db/schema';
import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

/** Everything Verstas holds about the signed-in person: only ever their own. */
export const GET: RequestHandler = async (event) => {
	const user = requireUser(event);
	const files = await collectUserData(user.id);
	if (!files) error(404, m.error_not_found());
	const locale = (files[0]!.rows[0]!.locale as Locale) ?? 'fi';
	await recordAudit(db, { action: 'data_exported', subject: { kind: 'user', id: user.id } });
	return zipResponse(buildDataZip(files, locale, 'user'), 'verstas-omat-tiedot.zip');
};
