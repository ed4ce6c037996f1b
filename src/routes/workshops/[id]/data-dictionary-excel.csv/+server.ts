// What every column of the workshop's Excel exports means, as CSV for Excel (see exportResponse for who may read it).
import { exportResponse } from '$lib/server/report';
import { guestCookieName } from '$lib/server/workshops';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ params, locals, cookies }) =>
	exportResponse(params.id, { user: locals.user, guestToken: cookies.get(guestCookieName(params.id)) }, 'dictionary');
