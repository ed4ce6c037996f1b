import { error } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages.js';
import { areaSeries, cityAverage, getArea, indicatorLabel, isInputIndicator } from '$lib/server/areas';
import { requireUser } from '$lib/server/authorise';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	requireUser(event);
	const code = event.params.code;
	const area = /^\d{5}$/.test(code) ? await getArea(code) : undefined;
	if (!area) error(404, m.areas_not_found());

	const series = await Promise.all((await areaSeries(code)).map(async (indicator) => ({
		key: indicator.key,
		label: indicatorLabel(indicator.key, indicator.name),
		unit: indicator.unit,
		higherIsBetter: indicator.higherIsBetter,
		input: isInputIndicator(indicator.key),
		points: await Promise.all(indicator.points.map(async (point) => ({ ...point, average: await cityAverage(indicator.key, point.year, area.municipality) })))
	})));
	const years = [...new Set(series.flatMap((s) => s.points.map((p) => p.year)))].sort();
	return {
		area,
		charts: series.filter((s) => !s.input),
		// The counts the shares are computed from, as one table: year columns.
		sources: series.filter((s) => s.input).map((s) => ({ key: s.key, label: s.label, byYear: Object.fromEntries(s.points.map((p) => [p.year, p.value])) as Record<number, number> })),
		years
	};
};
