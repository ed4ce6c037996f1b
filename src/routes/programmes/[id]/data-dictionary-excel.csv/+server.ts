// Every column of the programme's workbook and Excel CSVs described, as CSV for Excel (see outcomeExportResponse).
import { outcomeExportResponse } from '$lib/server/outcomes';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ params, locals }) => outcomeExportResponse(params.id, locals.user, 'dictionary-excel');
