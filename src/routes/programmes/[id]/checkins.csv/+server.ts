// Every check-in version of the programme's pilots as CSV at a stable address (see outcomeExportResponse).
import { outcomeExportResponse } from '$lib/server/outcomes';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ params, locals }) => outcomeExportResponse(params.id, locals.user, 'checkins');
