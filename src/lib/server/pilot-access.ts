import { error, type RequestEvent } from '@sveltejs/kit';
import { m } from '../paraglide/messages.js';
import { requireUser } from './authorise';
import { getPilot, pilotPermissions } from './pilots';
import { getProgrammeDetails, programmeRole } from './programmes';

/** Loads and actions of a pilot's pages: signed in, the pilot exists, and the user has some access to it. */
export async function requirePilot(event: RequestEvent<{ id: string }>) {
	const user = requireUser(event);
	const pilot = await getPilot(event.params.id);
	if (!pilot) error(404, m.pilot_not_found());
	const can = await pilotPermissions(pilot, user);
	if (!can) error(403, m.error_forbidden());
	return { user, pilot, can };
}

/** A programme's pages for its leads and members (members propose pilots; others 403). */
export async function requireProgrammeMember(event: RequestEvent<{ id: string }>) {
	const user = requireUser(event);
	const programme = await getProgrammeDetails(event.params.id);
	if (!programme) error(404, m.programme_not_found());
	const role = await programmeRole(programme.id, user);
	if (!role) error(403, m.error_forbidden());
	return { user, programme, role };
}
