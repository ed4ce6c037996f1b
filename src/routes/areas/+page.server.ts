import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { m } from '$lib/paraglide/messages.js';
import { canImportAreas, importableMunicipalities, importAreaFile, indicatorLabel, listIndicators, listYears, tabulateAreas, type ImportError } from '$lib/server/areas';
import { requireUser } from '$lib/server/authorise';
import { parseInput, readUploadForm } from '$lib/server/forms';
import type { Actions, PageServerLoad } from './$types';

// The list's columns: the headline needs and the size of the area.
const columnKeys = ['inhabitants', 'unemployment_rate', 'low_education_share', 'low_income_share', 'children_share', 'median_income'] as const;
const sortKeys = ['code', 'name', ...columnKeys] as const;
const maxFileMegabytes = 10;
const maxFileBytes = maxFileMegabytes * 1024 * 1024;

const querySchema = z.object({
	sort: z.enum(sortKeys).catch('code'),
	dir: z.enum(['asc', 'desc']).catch('asc'),
	year: z.coerce.number().int().optional().catch(undefined)
});

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const query = querySchema.parse(Object.fromEntries(event.url.searchParams));
	const years = await listYears();
	const year = query.year !== undefined && years.includes(query.year) ? query.year : years[0];
	const indicators = new Map((await listIndicators()).map((indicator) => [indicator.key, indicator]));
	const columns = columnKeys
		.filter((key) => indicators.has(key))
		.map((key) => ({ key, label: indicatorLabel(key, indicators.get(key)!.name), unit: indicators.get(key)!.unit }));
	const rows = year === undefined ? [] : await tabulateAreas(year, columns.map((c) => c.key));

	const direction = query.dir === 'asc' ? 1 : -1;
	const collator = new Intl.Collator('fi');
	rows.sort((a, b) => {
		if (query.sort === 'code') return direction * a.code.localeCompare(b.code);
		if (query.sort === 'name') return direction * collator.compare(a.name, b.name) || a.code.localeCompare(b.code);
		const av = a.values[query.sort] ?? null;
		const bv = b.values[query.sort] ?? null;
		// Areas without a value go last whichever way the column is sorted.
		if (av === null || bv === null) return (av === null ? 1 : 0) - (bv === null ? 1 : 0) || a.code.localeCompare(b.code);
		return direction * (av - bv) || a.code.localeCompare(b.code);
	});
	return { year: year ?? null, years, columns, rows, sort: query.sort, dir: query.dir, canImport: await canImportAreas(user) };
};

const importSchema = z.object({
	format: z.enum(['paavo', 'plain'], { error: () => m.error_choose_option() }),
	file: z
		.object({ name: z.string(), bytes: z.instanceof(Uint8Array) }, { error: () => m.areas_error_file_missing() })
		.refine((file) => file.bytes.length > 0, { error: () => m.areas_error_file_missing() })
		.refine((file) => file.bytes.length <= maxFileBytes, { error: () => m.areas_error_file_too_large({ max: maxFileMegabytes }) })
});

/** One shape for every outcome of the import, so the page reads it without narrowing. */
type ImportState = { saved?: string; message?: string; errors?: Record<string, string>; importErrors?: ImportError[]; format?: string };
const importState = (state: ImportState) => state;

export const actions: Actions = {
	import: async (event) => {
		const user = requireUser(event);
		if (!await canImportAreas(user)) return fail(403, importState({ message: m.error_forbidden() }));
		const data = await readUploadForm(event.request, { file: 'file', maxBytes: maxFileBytes });
		const form = parseInput(importSchema, { format: data.fields.format, file: data.file ?? undefined });
		if (!form.ok) return fail(400, importState({ errors: form.errors, format: data.fields.format ?? '' }));
		const { file, format } = form.data;
		const result = await importAreaFile(file.bytes, {
			filename: file.name || 'areas.csv',
			format,
			importedBy: user.id,
			municipalities: await importableMunicipalities(user)
		});
		if (!result.ok)
			return fail(400, importState({ format, message: m.areas_import_failed({ count: result.errors.length }), importErrors: result.errors }));
		const { areas, values, years } = result.imported;
		return importState({ format, saved: m.areas_import_done({ filename: file.name, areas, values, years: years.join(', ') }) });
	}
};
