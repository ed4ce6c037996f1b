// The programme's pilots as CSV at a stable address (see outcomeExportResponse for who may read it).
import { outcomeExportResponse } from '$lib/server/outcomes';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ params, locals }) => outcomeExportResponse(params.id, locals.user, 'pilots');
