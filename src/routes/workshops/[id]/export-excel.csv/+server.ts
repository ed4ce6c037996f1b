// The workshop's items as CSV for Excel in the reader's language (`;`, decimal comma in fi and sv) at a stable
// address (see exportResponse for who may read it).
import { exportResponse } from '$lib/server/report';
import { guestCookieName } from '$lib/server/workshops';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ params, locals, cookies }) =>
	exportResponse(params.id, { user: locals.user, guestToken: cookies.get(guestCookieName(params.id)) }, 'excel-csv');
