import { m } from '$lib/paraglide/messages.js';
import { parseInput } from '$lib/server/forms';
import { requirePilot } from '$lib/server/pilot-access';
import { checkInSchema, correctCheckIn, currentCheckIns, isoToday, listIndicators, previousReadings, readCheckInForm, recordCheckIn } from '$lib/server/pilots';
import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

/** The team writes check-ins while the pilot runs or is being evaluated. ?correct=<series> writes a new version. */
async function requireWriter(event: RequestEvent<{ id: string }>) {
	const found = await requirePilot(event);
	if (!found.can.checkIn) error(403, m.checkin_cannot_write());
	// Read once: the correction's series, the previous readings and the same-day check all come from them.
	const checkIns = await currentCheckIns(found.pilot.id);
	const seriesId = event.url.searchParams.get('correct');
	const correcting = seriesId ? checkIns.find((checkIn) => checkIn.seriesId === seriesId) : undefined;
	if (seriesId && !correcting) error(404, m.checkin_not_found());
	return { ...found, checkIns, correcting };
}

export const load: PageServerLoad = async (event) => {
	const { pilot, checkIns, correcting } = await requireWriter(event);
	const indicatorRows = await listIndicators(pilot.id);
	const previous = previousReadings(checkIns, correcting);
	const indicators = indicatorRows.map(({ id, name, unit, baseline, target }) => ({ id, name, unit, baseline, target, previous: previous.get(id) ?? null }));
	return {
		pilot: { id: pilot.id, title: pilot.title },
		indicators,
		correcting: !!correcting,
		initial: {
			reportedOn: correcting?.reportedOn ?? isoToday(),
			status: correcting?.status ?? '',
			happened: correcting?.happened ?? '',
			learned: correcting?.learned ?? '',
			nextSteps: correcting?.nextSteps ?? '',
			impactResidents: correcting?.impactResidents ?? '',
			impactLocalActors: correcting?.impactLocalActors ?? '',
			impactInstitutions: correcting?.impactInstitutions ?? '',
			readings: Object.fromEntries(Object.entries(correcting?.readings ?? {}).map(([id, value]) => [id, String(value)]))
		}
	};
};

export const actions: Actions = {
	default: async (event) => {
		const { pilot, user, checkIns, correcting } = await requireWriter(event);
		const input = readCheckInForm(await event.request.formData());
		const form = parseInput(checkInSchema, input);
		if (!form.ok) return fail(400, { input, errors: form.errors });
		// A second report for the same day is almost always the first one sent again or meant as a correction.
		if (!correcting && checkIns.some((checkIn) => checkIn.reportedOn === form.data.reportedOn))
			return fail(409, { input, errors: { reportedOn: m.checkin_date_taken() } });
		if (correcting) await correctCheckIn(pilot.id, correcting.seriesId, form.data, user.id);
		else await recordCheckIn(pilot.id, form.data, user.id);
		// The pilot's page says it was saved (?saved), as the profile does.
		redirect(303, `/pilots/${pilot.id}?saved`);
	}
};
