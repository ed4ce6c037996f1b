// The programme as an Excel workbook: pilots, indicators, check-ins with a column per indicator, areas and the data
// dictionary (see outcomeExportResponse for who may read it).
import { outcomeExportResponse } from '$lib/server/outcomes';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ params, locals }) => outcomeExportResponse(params.id, locals.user, 'xlsx');
