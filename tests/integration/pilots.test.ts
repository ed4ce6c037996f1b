// Programmes and pilots against a real SQLite file: who may do what, the lifecycle's rules, check-ins that are
// never rewritten, baselines from area data, overdue check-ins and the learning library's index.
import { describe, expect, it } from 'vitest';
import { rawGet, rawRun } from '../../src/lib/server/db';
import { matchSearchRows } from '../../src/lib/server/db/search';
import { parseInput } from '../../src/lib/server/forms';
import { learningQueryWords } from '../../src/lib/server/outcomes';
import { addMember, createOrganisation } from '../../src/lib/server/organisations';
import {
	addIndicator,
	checkInSchema,
	correctCheckIn,
	currentCheckIns,
	previousReadings,
	listCheckIns,
	nextCheckInDue,
	pilotPermissions,
	pilotSchema,
	PilotTransitionError,
	proposePilot,
	readPilotForm,
	recordCheckIn,
	statusHistory,
	transitionPilot,
	getPilot,
	isoToday,
	bringPilotToWorkshop,
	listProgrammeIdeas,
	pilotDraftFromIdea,
	pilotProposalLink
} from '../../src/lib/server/pilots';
import { findAreaCodes } from '../../src/lib/server/areas';
import { changeBoard, readBoardDoc } from '../../src/lib/server/collab';
import { createWorkshop, getWorkshop } from '../../src/lib/server/workshops';
import { ideaText, promoteToIdea, viewBoard, type CanvasField } from '../../src/lib/board/model';
import { createProgramme, listProgrammesForUser, programmeRole, programmeSchema, readProgrammeForm, updateProgramme, getProgrammeDetails } from '../../src/lib/server/programmes';
import { createUser } from '../../src/lib/server/users';

let counter = 0;
const person = async (name: string, isAdmin = false) => {
	const user = await createUser({ name, email: `${name.toLowerCase()}-${++counter}-${Date.now()}@example.fi`, password: 'salasana-123' });
	if (isAdmin) await rawRun('UPDATE users SET is_admin = true WHERE id = ?', user.id);
	return { id: user.id, name, isAdmin };
};
const organisation = (name: string) => createOrganisation({ name: `${name} ${++counter}`, kind: 'city', municipality: 'Helsinki' });

/** A programme owned by one city, another city participating; a lead, a member of each and an outsider. */
async function world() {
	const owner = await organisation('Helsingin kaupunki');
	const partner = await organisation('Vantaan kaupunki');
	const lead = await person('Liisa');
	const member = await person('Matti');
	const partnerMember = await person('Pia');
	const outsider = await person('Otto');
	await addMember(owner.id, lead.id, 'programme_lead');
	await addMember(owner.id, member.id, 'member');
	await addMember(partner.id, partnerMember.id, 'facilitator');
	await rawRun("INSERT INTO areas (code, name, municipality) VALUES ('00420', 'Kannelmäki', 'Helsinki') ON CONFLICT DO NOTHING");
	await rawRun("INSERT INTO indicators (key, name, unit, higher_is_better) VALUES ('unemployment_rate', 'Työttömyysaste', '%', false) ON CONFLICT DO NOTHING");
	await rawRun(
		`INSERT INTO area_values (area_code, indicator_key, year, value) VALUES ('00420', 'unemployment_rate', 2022, 14.1), ('00420', 'unemployment_rate', 2023, 15.6)
		ON CONFLICT (generation, area_code, indicator_key, year) DO UPDATE SET value = excluded.value`
	);
	const form = new FormData();
	for (const [key, value] of Object.entries({ name: 'Mukana', ownerOrganisationId: owner.id, startsOn: '2024-01-01', endsOn: '2027-12-31', description: '' }))
		form.set(key, value);
	form.set('goals.0.title', 'Jokaisella lapsella on turvallinen aikuinen');
	form.set('goals.1.title', '');
	form.append('organisationIds', partner.id);
	form.append('areaCodes', '00420');
	const parsed = programmeSchema.parse(readProgrammeForm(form));
	const programme = await createProgramme(parsed, lead.id);
	return { owner, partner, lead, member, partnerMember, outsider, programme, goals: (await getProgrammeDetails(programme.id))!.goals };
}

const pilotInput = (overrides: Record<string, string> = {}) => {
	const form = new FormData();
	for (const [key, value] of Object.entries({ title: 'Läksykerho Kannelmäessä', summary: 'Koulun jälkeen', cadenceWeeks: '4', startsOn: '2025-01-06', ...overrides }))
		form.set(key, value);
	form.append('areaCodes', '00420');
	return pilotSchema.parse(readPilotForm(form));
};

const checkIn = (overrides: Partial<Record<string, unknown>> = {}) =>
	checkInSchema.parse({ reportedOn: '2025-02-03', status: 'on_track', happened: 'Kerho alkoi', learned: 'Vanhemmat tulivat mukaan', nextSteps: '', impactResidents: '', impactLocalActors: '', impactInstitutions: '', ...overrides });

describe('programmes', () => {
	it('leads, members of owner and participating organisations, and outsiders', async () => {
		const w = await world();
		expect(await programmeRole(w.programme.id, w.lead)).toBe('lead');
		expect(await programmeRole(w.programme.id, w.member)).toBe('member');
		expect(await programmeRole(w.programme.id, w.partnerMember)).toBe('member');
		expect(await programmeRole(w.programme.id, w.outsider)).toBeNull();
		expect(await programmeRole(w.programme.id, await person('Admin', true))).toBe('lead');
		expect((await listProgrammesForUser(w.outsider)).map((p) => p.id)).not.toContain(w.programme.id);
		expect((await listProgrammesForUser(w.partnerMember)).find((p) => p.id === w.programme.id)?.role).toBe('member');
	});

	it('keeps goal ids across edits (pilots point at them) and validates its period', async () => {
		const w = await world();
		const details = (await getProgrammeDetails(w.programme.id))!;
		expect(details.targetAreas.map((area) => area.code)).toEqual(['00420']);
		await updateProgramme(w.programme.id, {
			name: details.name,
			ownerOrganisationId: details.ownerOrganisationId,
			startsOn: null,
			endsOn: null,
			description: '',
			organisationIds: [],
			areaCodes: ['00420'],
			goals: [{ id: w.goals[0]!.id, title: 'Turvallinen aikuinen', description: '' }, { title: 'Koulutus', description: '' }]
		});
		const after = (await getProgrammeDetails(w.programme.id))!;
		expect(after.goals.map((goal) => goal.title)).toEqual(['Turvallinen aikuinen', 'Koulutus']);
		expect(after.goals[0]!.id).toBe(w.goals[0]!.id);
		expect(programmeSchema.safeParse({ ...details, startsOn: '2026-01-01', endsOn: '2025-01-01', goals: [{ title: 'x', description: '' }], organisationIds: [], areaCodes: [] }).success).toBe(false);
	});
});

describe('pilots', () => {
	it('a proposal is reviewed by a lead; the team runs it; a lead decides with a reason; every step is kept', async () => {
		const w = await world();
		const pilot = await proposePilot(w.programme.id, pilotInput({ goalId: w.goals[0]!.id }), w.partnerMember.id);
		expect(pilot.status).toBe('proposed');
		expect(await pilotPermissions(pilot, w.partnerMember)).toMatchObject({ team: true, lead: false, edit: true, checkIn: false });
		expect(await pilotPermissions(pilot, w.member)).toMatchObject({ team: false, lead: false, edit: false });
		expect(await pilotPermissions(pilot, w.lead)).toMatchObject({ lead: true, edit: true });
		expect(await pilotPermissions(pilot, w.outsider)).toBeNull();

		// Only a lead reviews; asking for changes needs a comment the team sees.
		await expect(transitionPilot(pilot.id, 'approve', w.partnerMember)).rejects.toThrow(PilotTransitionError);
		await expect(transitionPilot(pilot.id, 'requestChanges', w.lead)).rejects.toThrow(/reason_required/);
		await transitionPilot(pilot.id, 'requestChanges', w.lead, { comment: 'Lisää mittarit' });
		expect(await getPilot(pilot.id)).toMatchObject({ status: 'changes_requested', reviewComment: 'Lisää mittarit' });
		await transitionPilot(pilot.id, 'submit', w.partnerMember);
		await transitionPilot(pilot.id, 'approve', w.lead);
		await expect(transitionPilot(pilot.id, 'evaluate', w.partnerMember)).rejects.toThrow(/status/);
		await transitionPilot(pilot.id, 'start', w.partnerMember);
		expect(await pilotPermissions((await getPilot(pilot.id))!, w.partnerMember)).toMatchObject({ checkIn: true });
		expect(await pilotPermissions((await getPilot(pilot.id))!, w.lead)).toMatchObject({ checkIn: false });

		await transitionPilot(pilot.id, 'evaluate', w.partnerMember);
		await expect(transitionPilot(pilot.id, 'decide', w.lead, { comment: 'Hyvä' })).rejects.toThrow(/decision_required/);
		await expect(transitionPilot(pilot.id, 'decide', w.partnerMember, { comment: 'Hyvä', decision: 'scale' })).rejects.toThrow(/forbidden/);
		await transitionPilot(pilot.id, 'decide', w.lead, { comment: 'Laajennetaan Malmille', decision: 'scale' });
		expect(await getPilot(pilot.id)).toMatchObject({ status: 'decided', decision: 'scale', decisionReason: 'Laajennetaan Malmille' });
		expect(await pilotPermissions((await getPilot(pilot.id))!, w.partnerMember)).toMatchObject({ edit: false, checkIn: false });
		expect((await statusHistory(pilot.id)).map((entry) => [entry.toStatus, entry.by])).toEqual([
			['proposed', 'Pia'],
			['changes_requested', 'Liisa'],
			['proposed', 'Pia'],
			['approved', 'Liisa'],
			['running', 'Pia'],
			['evaluating', 'Pia'],
			['decided', 'Liisa']
		]);
	});

	it('check-ins are never rewritten: a correction is a new version; readings, baselines from area data, overdue', async () => {
		const w = await world();
		const pilot = await proposePilot(w.programme.id, pilotInput(), w.member.id);
		const linked = await addIndicator(pilot.id, { name: 'Työttömyysaste', unit: '', indicatorKey: 'unemployment_rate', areaCode: '00420', baseline: null, target: 12, higherIsBetter: true });
		expect(linked).toMatchObject({ baseline: 15.6, unit: '%', higherIsBetter: false });
		const custom = await addIndicator(pilot.id, { name: 'Kerholaiset', unit: 'lasta', indicatorKey: null, areaCode: null, baseline: 0, target: 30, higherIsBetter: true });
		await transitionPilot(pilot.id, 'approve', w.lead);
		await transitionPilot(pilot.id, 'start', w.member);

		const first = await recordCheckIn(pilot.id, checkIn({ readings: { [custom.id]: '12', unknown: '5' } }), w.member.id);
		const series = (await listCheckIns(pilot.id))[0]!.seriesId;
		await correctCheckIn(pilot.id, series, checkIn({ status: 'at_risk', readings: { [custom.id]: '10' } }), w.member.id);
		await recordCheckIn(pilot.id, checkIn({ reportedOn: '2025-03-03', readings: { [custom.id]: '18' } }), w.member.id);

		const all = await listCheckIns(pilot.id);
		expect(all).toHaveLength(3);
		expect(all.find((c) => c.id === first)).toMatchObject({ version: 1, status: 'on_track', readings: { [custom.id]: 12 } });
		const current = await currentCheckIns(pilot.id);
		expect(current.map((c) => [c.reportedOn, c.version, c.status])).toEqual([
			['2025-03-03', 1, 'on_track'],
			['2025-02-03', 2, 'at_risk']
		]);
		expect(current[1]!.earlierVersions.map((c) => c.version)).toEqual([1]);
		// The readings the form shows as the ones before: the latest report's for a new one, the one before for a correction.
		expect(Object.fromEntries(previousReadings(current))).toEqual({ [custom.id]: { value: 18, on: '2025-03-03' } });
		expect(Object.fromEntries(previousReadings(current, current[0]))).toEqual({ [custom.id]: { value: 10, on: '2025-02-03' } });
		expect(previousReadings(current, current[1]).size).toBe(0);

		const running = (await getPilot(pilot.id))!;
		expect(nextCheckInDue(running, '2025-03-03', '2025-03-30')).toEqual({ due: '2025-03-31', overdue: false });
		expect(nextCheckInDue(running, '2025-03-03', '2025-04-01')).toEqual({ due: '2025-03-31', overdue: true });
		expect(nextCheckInDue(running, null, '2025-01-01')).toEqual({ due: '2025-02-03', overdue: false });
	});

	it('a check-in with a reading that is not a number, or a day that is not one, is refused in Finnish at those fields', () => {
		const refused = parseInput(checkInSchema, {
			...checkIn(),
			reportedOn: '2025-02-31',
			readings: { kerholaiset: 'abc', poissaolot: '7,5' }
		});
		expect(refused.ok).toBe(false);
		if (!refused.ok) expect(refused.errors).toEqual({ reportedOn: 'Anna päivämäärä muodossa vvvv-kk-pp.', 'readings.kerholaiset': 'Anna luku.' });
		const empty = parseInput(checkInSchema, { ...checkIn(), readings: { kerholaiset: '' } });
		expect(empty.ok && empty.data.readings).toEqual({ kerholaiset: null });
	});

	it('a check-in dated after today is refused (a mistyped year would hide the pilot from the overdue lists); today is fine', () => {
		const tomorrow = new Date(Date.now() + 36 * 3600_000);
		const refused = parseInput(checkInSchema, { ...checkIn(), reportedOn: isoToday(tomorrow) });
		expect(refused.ok).toBe(false);
		if (!refused.ok) expect(refused.errors).toEqual({ reportedOn: 'Seurantaraportti kertoo jo tapahtuneesta: päivä ei voi olla tulevaisuudessa.' });
		expect(parseInput(checkInSchema, { ...checkIn(), reportedOn: isoToday() }).ok).toBe(true);
	});

	it('a negative or fractional budget is refused with what the budget must be', () => {
		const form = new FormData();
		for (const [key, value] of Object.entries({ title: 'Kerho', cadenceWeeks: '4', budgetEuros: '-500' })) form.set(key, value);
		const refused = parseInput(pilotSchema, readPilotForm(form));
		expect(refused.ok).toBe(false);
		if (!refused.ok) expect(refused.errors.budgetEuros).toBe('Anna budjetti kokonaisina euroina (0 tai enemmän).');
	});

	it('the learning library index follows the pilot (title, learnings, the decision) with diacritics folded', async () => {
		const w = await world();
		const pilot = await proposePilot(w.programme.id, pilotInput({ title: 'Perheiden olohuone' }), w.member.id);
		await transitionPilot(pilot.id, 'approve', w.lead);
		await transitionPilot(pilot.id, 'start', w.member);
		await recordCheckIn(pilot.id, checkIn({ learned: 'Isät osallistuivat, kun toiminta oli iltaisin' }), w.member.id);
		await transitionPilot(pilot.id, 'decide', w.lead, { comment: 'Päätös: jatketaan muokattuna', decision: 'adapt' });
		const search = async (q: string) => (await matchSearchRows(learningQueryWords(q), 100)).map((row) => row.pilotId);
		expect(await search('olohuone')).toContain(pilot.id);
		expect(await search('iltaisin')).toContain(pilot.id);
		expect(await search('paatos')).toContain(pilot.id);
		expect(await rawGet('SELECT count(*) AS n FROM pilot_search WHERE pilot_id = ?', pilot.id)).toEqual({ n: 1 });
	});

	it('a proposal brought into a workshop becomes one idea card with its canvas filled in', async () => {
		const w = await world();
		const pilot = await proposePilot(w.programme.id, pilotInput({ hypothesis: 'Jos aikuinen on paikalla, niin poissaolot vähenevät' }), w.member.id);
		const workshop = await createWorkshop(
			{ title: 'Jalostamo', theme: 'Turvallinen aikuinen', description: '', startsAt: null, programmeId: w.programme.id, organisationIds: [], coFacilitatorEmails: [], perspectives: [{ title: 'Nuoret', description: '' }], phases: [] },
			w.lead.id
		);
		expect((await getWorkshop(workshop.id))?.programmeId).toBe(w.programme.id);
		expect(await bringPilotToWorkshop(pilot.id, workshop.id)).toBe(true);
		expect(await bringPilotToWorkshop(pilot.id, workshop.id)).toBe(true);
		const doc = await readBoardDoc(workshop.id);
		const ideas = viewBoard(doc).ideas;
		expect(ideas).toHaveLength(1);
		expect(ideas[0]).toMatchObject({ title: 'Läksykerho Kannelmäessä', source: { kind: 'pilot', id: pilot.id } });
		expect(ideaText(doc, ideas[0]!.id, 'hypothesis')?.toString()).toBe('Jos aikuinen on paikalla, niin poissaolot vähenevät');
		expect(ideaText(doc, ideas[0]!.id, 'problem')?.toString()).toBe('Koulun jälkeen');
	});
});

describe('from an idea card to a proposal', () => {
	const helsinki = [
		{ code: '00410', name: 'Malminkartano' },
		{ code: '00530', name: 'Kallio' },
		{ code: '00540', name: 'Kalasatama - Sompasaari' },
		{ code: '00580', name: 'Kalasatama - Kyläsaari' },
		{ code: '00700', name: 'Malmi' },
		{ code: '00940', name: 'Kontula - Vesala - Kivikko' },
		{ code: '00970', name: 'Mellunmäki' }
	];

	it('finds the target areas a canvas names: codes, names and their parts, inflected, never guessing', () => {
		expect(findAreaCodes('00940 Kontula, 00970 Mellunmäki', helsinki)).toEqual(['00940', '00970']);
		expect(findAreaCodes('Kontulassa ja Mellunmäki', helsinki)).toEqual(['00940', '00970']);
		expect(findAreaCodes('Vesala, Kivikko', helsinki)).toEqual(['00940']);
		// The longer name wins: Malminkartano is not also Malmi; Malmilla is.
		expect(findAreaCodes('Malminkartanossa', helsinki)).toEqual(['00410']);
		expect(findAreaCodes('Malmilla ja Malminkartanossa', helsinki)).toEqual(['00410', '00700']);
		// A part two areas share names neither; the whole name names one.
		expect(findAreaCodes('Kalasatama', helsinki)).toEqual([]);
		expect(findAreaCodes('Kalasatama - Kyläsaari', helsinki)).toEqual(['00580']);
		// Common words are not places, unknown codes are not areas, and digits inside longer numbers are not codes.
		expect(findAreaCodes('kallion laella, 99999, puh. 0500940123', helsinki)).toEqual([]);
		expect(findAreaCodes('Kallio (00530)', helsinki)).toEqual(['00530']);
		expect(findAreaCodes('', helsinki)).toEqual([]);
	});

	async function workshopWithIdea(programmeId: string | null, ownerId: string, canvas: Partial<Record<CanvasField, string>>) {
		const workshop = await createWorkshop(
			{ title: `Työpaja ${++counter}`, theme: 'Turvallinen aikuinen', description: '', startsAt: null, programmeId, organisationIds: [], coFacilitatorEmails: [], perspectives: [{ title: 'Nuoret', description: '' }], phases: [] },
			ownerId
		);
		let ideaId = '';
		await changeBoard(workshop.id, (doc) => {
			ideaId = promoteToIdea(doc, { kind: 'note', id: `note-${counter}` }, 'Perheiden olohuone', viewBoard(doc).notes[0]?.lane ?? 'lane');
			for (const [field, text] of Object.entries(canvas)) ideaText(doc, ideaId, field as CanvasField)?.insert(0, text);
		});
		return { workshop, ideaId };
	}

	it('a draft from the canvas ticks the areas its target areas name', async () => {
		const w = await world();
		for (const area of helsinki)
			await rawRun('INSERT INTO areas (code, name, municipality) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', area.code, area.name, 'Helsinki');
		const { workshop, ideaId } = await workshopWithIdea(null, w.lead.id, {
			problem: 'Perheet eivät löydä palveluita',
			hypothesis: 'Jos palveluohjaaja on ostarilla, niin perheet löytävät avun',
			targetAreas: '00940 Kontula, 00970 Mellunmäki'
		});
		const draft = (await pilotDraftFromIdea(workshop.id, ideaId))!;
		expect(draft).toMatchObject({ title: 'Perheiden olohuone', hypothesis: 'Jos palveluohjaaja on ostarilla, niin perheet löytävät avun', areaCodes: ['00940', '00970'] });
		expect(draft.canvas.targetAreas).toBe('00940 Kontula, 00970 Mellunmäki');
		expect(await pilotDraftFromIdea(workshop.id, 'no-such-idea')).toBeUndefined();
		const { workshop: bare, ideaId: bareIdea } = await workshopWithIdea(null, w.lead.id, {});
		expect((await pilotDraftFromIdea(bare.id, bareIdea))!.areaCodes).toEqual([]);
	});

	it('a programme’s proposal picks from the ideas of the workshops that serve it', async () => {
		const w = await world();
		const served = await workshopWithIdea(w.programme.id, w.lead.id, { targetAreas: 'Kannelmäki' });
		await workshopWithIdea(null, w.lead.id, {}); // serves no programme
		await createWorkshop(
			{ title: 'Tyhjä', theme: 'x', description: '', startsAt: null, programmeId: w.programme.id, organisationIds: [], coFacilitatorEmails: [], perspectives: [{ title: 'Nuoret', description: '' }], phases: [] },
			w.lead.id
		);
		expect(await listProgrammeIdeas(w.programme.id)).toEqual([
			{ workshopId: served.workshop.id, workshopTitle: served.workshop.title, ideas: [{ id: served.ideaId, title: 'Perheiden olohuone' }] }
		]);
	});

	it('idea cards link to a proposal for everyone with a programme to propose to, and for nobody else', async () => {
		const w = await world();
		const { workshop } = await workshopWithIdea(null, w.lead.id, {});
		for (const who of [w.lead, w.member, w.partnerMember]) expect(await pilotProposalLink(workshop.id, who)).toBe(`/pilots/new?workshop=${workshop.id}`);
		expect(await pilotProposalLink(workshop.id, w.outsider)).toBeNull();
		expect(await pilotProposalLink(workshop.id, null)).toBeNull();
	});
});
