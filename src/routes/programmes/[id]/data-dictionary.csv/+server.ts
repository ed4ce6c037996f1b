// The columns of pilots.csv and checkins.csv described, in the reader's language (see outcomeExportResponse).
import { outcomeExportResponse } from '$lib/server/outcomes';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ params, locals }) => outcomeExportResponse(params.id, locals.user, 'dictionary');
