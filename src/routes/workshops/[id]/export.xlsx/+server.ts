// The workshop as an Excel workbook at a stable address: items, vote rounds, perspectives, organisations and the
// data dictionary (see exportResponse for who may read it).
import { exportResponse } from '$lib/server/report';
import { guestCookieName } from '$lib/server/workshops';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ params, locals, cookies }) =>
	exportResponse(params.id, { user: locals.user, guestToken: cookies.get(guestCookieName(params.id)) }, 'xlsx');
