// The checkins sheet of the programme's workbook as CSV for Excel in the reader's language (`;`, decimal comma in
// fi and sv) at a stable address (see outcomeExportResponse for who may read it).
import { outcomeExportResponse } from '$lib/server/outcomes';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ params, locals }) => outcomeExportResponse(params.id, locals.user, 'checkins-excel');
