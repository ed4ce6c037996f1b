import { error, type RequestEvent } from '@sveltejs/kit';
import { m } from '../paraglide/messages.js';
import { requireUser } from './authorise';
import { getWorkshop, isFacilitator } from './workshops';

/** Loads and actions of a workshop's management pages: signed in, the workshop exists, a facilitator of it. */
export async function requireFacilitator(event: RequestEvent<{ id: string }>) {
	const user = requireUser(event);
	const workshop = await getWorkshop(event.params.id);
	if (!workshop) error(404, m.workshop_not_found());
	if (!await isFacilitator(workshop.id, user.id)) error(403, m.error_forbidden());
	return { user, workshop };
}
