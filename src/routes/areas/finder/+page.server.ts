import { getProgrammeDetails } from '$lib/server/programmes';
import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { m } from '$lib/paraglide/messages.js';
import {
	addProgrammeTargetAreas,
	defaultFinderWeights,
	indicatorLabel,
	isInputIndicator,
	listEditableProgrammes,
	listIndicators,
	listMunicipalities,
	listYears,
	rankAreas
} from '$lib/server/areas';
import { requireUser } from '$lib/server/authorise';
import { formState, parseInput } from '$lib/server/forms';
import type { Actions, PageServerLoad } from './$types';

const maxWeight = 10;
const weightPrefix = 'w_';

// The choice lives in the URL (?w_unemployment_rate=2&year=2023), so a ranking can be bookmarked and shared.
const weightSchema = z
	.string()
	.trim()
	.transform((text) => (text === '' ? 0 : Number(text.replace(',', '.'))))
	.pipe(z.number({ error: () => m.areas_finder_error_weight() }).min(0, { error: () => m.areas_finder_error_weight() }).max(maxWeight, { error: () => m.areas_finder_error_weight() }));

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const params = event.url.searchParams;
	const chosenInUrl = [...params.keys()].some((key) => key.startsWith(weightPrefix));
	const errors: Record<string, string> = {};
	const weights: Record<string, number> = {};
	const offered = (await listIndicators()).filter((indicator) => !isInputIndicator(indicator.key));
	for (const indicator of offered) {
		const raw = params.get(weightPrefix + indicator.key);
		if (!chosenInUrl) weights[indicator.key] = defaultFinderWeights[indicator.key] ?? 0;
		else if (raw === null) weights[indicator.key] = 0;
		else {
			const parsed = weightSchema.safeParse(raw);
			if (parsed.success) weights[indicator.key] = parsed.data;
			else (errors[indicator.key] = parsed.error.issues[0]!.message), (weights[indicator.key] = 0);
		}
	}

	const years = await listYears();
	const requestedYear = Number(params.get('year'));
	const year = years.includes(requestedYear) ? requestedYear : years[0];
	const municipalities = (await listMunicipalities()).filter(Boolean);
	const municipality = municipalities.includes(params.get('municipality') ?? '') ? params.get('municipality')! : '';
	const result = year === undefined ? null : await rankAreas({ weights, year, municipality: municipality || undefined });
	const labels = new Map(offered.map((indicator) => [indicator.key, indicatorLabel(indicator.key, indicator.name)]));

	const programmes = await Promise.all(
		(await listEditableProgrammes(user)).map(async (programme) => ({ ...programme, targets: (await getProgrammeDetails(programme.id))!.targetAreas }))
	);
	const query = new URLSearchParams();
	for (const [key, weight] of Object.entries(weights)) if (weight > 0) query.set(weightPrefix + key, String(weight));
	if (year !== undefined) query.set('year', String(year));
	if (municipality) query.set('municipality', municipality);

	return {
		indicators: offered.map((indicator) => ({
			key: indicator.key,
			label: labels.get(indicator.key)!,
			unit: indicator.unit,
			needHigh: indicator.higherIsBetter !== true,
			weight: errors[indicator.key] ? (params.get(weightPrefix + indicator.key) ?? '') : String(weights[indicator.key] ?? 0),
			error: errors[indicator.key]
		})),
		years,
		year: year ?? null,
		municipalities,
		municipality,
		criteria: (result?.criteria ?? []).map((c) => ({ key: c.key, label: labels.get(c.key) ?? c.name, unit: c.unit, weight: c.weight, sign: c.sign })),
		ranked: result?.ranked ?? [],
		excluded: result?.excluded ?? [],
		programmes: programmes.map(({ id, name, targets }) => ({ id, name, targets: targets.map((t) => ({ code: t.code, name: t.name })) })),
		actionQuery: query.toString()
	};
};

const addSchema = z.object({
	programmeId: z.string({ error: () => m.error_choose_option() }).trim().min(1, { error: () => m.error_choose_option() }),
	codes: z
		.array(z.string().regex(/^\d{5}$/, { error: () => m.areas_finder_pick_areas() }), { error: () => m.areas_finder_pick_areas() })
		.min(1, { error: () => m.areas_finder_pick_areas() })
		.max(500)
});

export const actions: Actions = {
	addTargets: async (event) => {
		const user = requireUser(event);
		const data = await event.request.formData();
		const input = { programmeId: data.get('programmeId') ?? undefined, codes: data.getAll('codes') };
		const form = parseInput(addSchema, input);
		const values = { programmeId: String(data.get('programmeId') ?? '') };
		if (!form.ok) return fail(400, formState({ errors: form.errors, values }));
		const programme = (await listEditableProgrammes(user)).find((p) => p.id === form.data.programmeId);
		if (!programme) return fail(403, formState({ message: m.areas_finder_programme_forbidden(), values }));
		const { added, existing } = await addProgrammeTargetAreas(programme.id, form.data.codes);
		return formState({ saved: m.areas_finder_added({ programme: programme.name, added, existing }), values });
	}
};
