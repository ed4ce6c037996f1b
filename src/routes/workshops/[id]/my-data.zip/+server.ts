import { m } from '$lib/paraglide/messages.js';
import { getLocale } from '$lib/paraglide/runtime.js';
import { recordAudit } from '$lib/server/audit';
import { db } from '$lib/server/db';
import { buildDataZip, collectGuestData, zipResponse } from '$lib/server/my-data';
import { guestCookieName, validateGuestToken } from '$lib/server/workshops';
import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

/** A guest's own notes, comments and votes of this workshop, while their guest session lasts. */
export const GET: RequestHandler = async ({ params, cookies }) => {
	const guest = await validateGuestToken(params.id, cookies.get(guestCookieName(params.id)));
	if (!guest) error(401, m.my_data_guest_expired());
	const files = await collectGuestData(params.id, guest.id);
	if (!files) error(401, m.my_data_guest_expired());
	// A guest is logged by participant id only: guests' names are never written to the (unchangeable) log.
	await recordAudit(db, { action: 'data_exported', actor: { id: null, label: 'guest' }, subject: { kind: 'participant', id: guest.id } });
	return zipResponse(buildDataZip(files, getLocale(), 'guest'), 'verstas-tietoni.zip');
};
