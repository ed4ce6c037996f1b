// Pilots (kokeilut): chosen ideas tried out in target areas, followed through check-ins until a decision.
// Lifecycle: proposed → approved → running → evaluating → decided (scale up / adapt / stop), with review
// detours (changes requested → proposed again; declined). Every status change is kept with who and when;
// check-ins are never rewritten (a correction is a new version). Who may do what: `pilotPermissions`.
import { recordAudit, userActor } from './audit';
import { and, asc, desc, eq, inArray, max, sql } from 'drizzle-orm';
import { z } from 'zod';
import { canvasFieldMaxLength, canvasFields, ideaText, promoteToIdea, viewBoard, type CanvasField } from '../board/model';
import { m } from '../paraglide/messages.js';
import { changeBoard, readBoardDoc } from './collab';
import { changedRows, db, type Executor, first, insertionOrder, one, rawAll, rawGet } from './db';
import { deleteSearchRows, insertSearchRow } from './db/search';
import {
	areas,
	areaValues,
	checkInReadings,
	checkIns,
	checkInStatuses,
	indicators,
	pilotAreas,
	pilotComments,
	pilotIndicators,
	pilots,
	pilotStatusHistory,
	pilotTeam,
	searchIndexState,
	users,
	workshops,
	type Pilot,
	type PilotDecision,
	type PilotStatus
} from './db/schema';
import { requiredText } from './forms';
import { findAreaCodes, listAreas } from './areas';
import { listProgrammesForUser, programmeRole, type ProgrammeRole } from './programmes';
import { generateSecureRandomString, type SessionUser } from './session';
import { notifyPilotComment, notifyPilotProposed, notifyPilotStatus } from './mail/notifications';
import { analyseWords, describeAnalyser, guessLanguage, type TextLanguage } from './text-analysis';
import { getWorkshop, listPerspectives } from './workshops';

const day = 24 * 60 * 60 * 1000;

// Validation -------------------------------------------------------------------------------------------

const isoDate = z
	.string()
	.trim()
	.transform((value) => value || null)
	.pipe(z.iso.date({ error: () => m.error_day_invalid() }).nullable());
const longText = (max: number) => z.string().trim().max(max, { error: () => m.error_too_long({ max }) });
const optionalNumber = z
	.string()
	.trim()
	.transform((value) => (value === '' ? null : Number(value.replace(',', '.'))))
	// nullable(), not a union with null: a union's own message ("Invalid input", untranslated) would replace these.
	.pipe(z.number({ error: () => m.error_number_invalid() }).finite({ error: () => m.error_number_invalid() }).nullable());

export const pilotSchema = z
	.object({
		title: requiredText(200),
		summary: longText(5000),
		hypothesis: longText(2000),
		goalId: z.string().max(100).transform((value) => value || null),
		ownerOrganisationId: z.string().max(100).transform((value) => value || null),
		responsibleUserId: z.string().max(100).transform((value) => value || null),
		teamEmails: z.array(z.email({ error: (issue) => m.pilot_error_team_email({ email: String(issue.input) }) })).max(50),
		areaCodes: z.array(z.string().regex(/^\d{5}$/)).max(100),
		targetGroup: longText(500),
		perspective: longText(200),
		startsOn: isoDate,
		endsOn: isoDate,
		cadenceWeeks: z.coerce
			.number({ error: () => m.pilot_error_cadence() })
			.int({ error: () => m.pilot_error_cadence() })
			.min(1, { error: () => m.pilot_error_cadence() })
			.max(52, { error: () => m.pilot_error_cadence() }),
		budgetEuros: optionalNumber.pipe(z.number().int({ error: () => m.pilot_error_budget() }).min(0, { error: () => m.pilot_error_budget() }).nullable()),
		canvas: z.partialRecord(z.enum(canvasFields), longText(2000)).default({})
	})
	.refine((input) => !input.startsOn || !input.endsOn || input.startsOn <= input.endsOn, {
		path: ['endsOn'],
		error: () => m.programme_error_period()
	});
export type PilotInput = z.output<typeof pilotSchema>;

export const indicatorSchema = z.object({
	name: requiredText(200),
	unit: longText(40),
	indicatorKey: z.string().max(100).transform((value) => value || null),
	areaCode: z
		.string()
		.trim()
		.transform((value) => value || null)
		.pipe(z.string().regex(/^\d{5}$/, { error: () => m.pilot_error_area_code() }).nullable()),
	baseline: optionalNumber,
	target: optionalNumber,
	higherIsBetter: z.boolean()
});
export type IndicatorInput = z.output<typeof indicatorSchema>;

export const checkInSchema = z.object({
	// What happened is reported once it has: a mistyped year ahead would also hide the pilot from the overdue lists.
	reportedOn: z.iso.date({ error: () => m.error_day_invalid() }).refine((day) => day <= isoToday(), { error: () => m.checkin_error_future_day() }),
	status: z.enum(checkInStatuses, { error: () => m.error_choose_option() }),
	happened: longText(5000),
	learned: longText(5000),
	nextSteps: longText(5000),
	impactResidents: longText(2000),
	impactLocalActors: longText(2000),
	impactInstitutions: longText(2000),
	readings: z.record(z.string(), optionalNumber).default({})
});
export type CheckInInput = z.output<typeof checkInSchema>;

// Permissions ------------------------------------------------------------------------------------------

/**
 * What the user may do with the pilot: the team edits it and writes check-ins; programme leads see and comment
 * on everything in their programme, review proposals and make decisions; members of the programme's
 * organisations read. Null: no access at all (403).
 */
export async function pilotPermissions(pilot: Pick<Pilot, 'id' | 'programmeId' | 'status'>, user: Pick<SessionUser, 'id' | 'isAdmin'>) {
	const role = await programmeRole(pilot.programmeId, user);
	const onTeam = !!await first(db
		.select({ userId: pilotTeam.userId })
		.from(pilotTeam)
		.where(and(eq(pilotTeam.pilotId, pilot.id), eq(pilotTeam.userId, user.id))));
	if (!role && !onTeam) return null;
	const lead = role === 'lead';
	const open = pilot.status !== 'decided' && pilot.status !== 'declined';
	return {
		lead,
		team: onTeam,
		edit: (onTeam || lead) && open,
		checkIn: onTeam && (pilot.status === 'running' || pilot.status === 'evaluating'),
		comment: true
	};
}

// Lifecycle --------------------------------------------------------------------------------------------

export type PilotAction = 'submit' | 'approve' | 'requestChanges' | 'decline' | 'start' | 'evaluate' | 'decide';

/** Which action leads from which status to which, and who may take it. */
export const pilotTransitions: Record<PilotAction, { from: readonly PilotStatus[]; to: PilotStatus; by: 'team' | 'lead' }> = {
	submit: { from: ['changes_requested'], to: 'proposed', by: 'team' },
	approve: { from: ['proposed'], to: 'approved', by: 'lead' },
	requestChanges: { from: ['proposed'], to: 'changes_requested', by: 'lead' },
	decline: { from: ['proposed', 'changes_requested'], to: 'declined', by: 'lead' },
	start: { from: ['approved'], to: 'running', by: 'team' },
	evaluate: { from: ['running'], to: 'evaluating', by: 'team' },
	decide: { from: ['evaluating', 'running'], to: 'decided', by: 'lead' }
};

export class PilotTransitionError extends Error {
	constructor(readonly reason: 'status' | 'forbidden' | 'reason_required' | 'decision_required') {
		super(reason);
	}
}

async function recordStatus(tx: Executor, pilotId: string, from: PilotStatus | null, to: PilotStatus, byUserId: string | null, comment = '', decision: PilotDecision | null = null) {
	await tx.insert(pilotStatusHistory)
		.values({ id: generateSecureRandomString(12), pilotId, fromStatus: from, toStatus: to, decision, comment, byUserId, at: new Date() });
}

/**
 * Takes a lifecycle action. Leads may also take the team's actions (they run the programme). Declining,
 * asking for changes and deciding need a reason; deciding needs scale / adapt / stop.
 */
export function transitionPilot(
	pilotId: string,
	action: PilotAction,
	user: Pick<SessionUser, 'id' | 'isAdmin'>,
	options: { comment?: string; decision?: PilotDecision | null } = {}
) {
	const rule = pilotTransitions[action];
	const comment = (options.comment ?? '').trim();
	return db.transaction(
		async (tx) => {
			const pilot = await first(tx.select().from(pilots).where(eq(pilots.id, pilotId)));
			if (!pilot) throw new PilotTransitionError('status');
			const allowed = await pilotPermissions(pilot, user);
			if (!allowed || (rule.by === 'lead' ? !allowed.lead : !(allowed.team || allowed.lead))) throw new PilotTransitionError('forbidden');
			if (!rule.from.includes(pilot.status)) throw new PilotTransitionError('status');
			if (['decline', 'requestChanges', 'decide'].includes(action) && !comment) throw new PilotTransitionError('reason_required');
			const decision = action === 'decide' ? (options.decision ?? null) : null;
			if (action === 'decide' && !decision) throw new PilotTransitionError('decision_required');
			await tx.update(pilots)
				.set({
					status: rule.to,
					updatedAt: new Date(),
					...(action === 'decide' ? { decision, decisionReason: comment } : {}),
					...(action === 'decline' || action === 'requestChanges' ? { reviewComment: comment } : {})
				})
				.where(eq(pilots.id, pilotId));
			await recordStatus(tx, pilotId, pilot.status, rule.to, user.id, comment, decision);
			await recordAudit(tx, {
				action: 'pilot_transition',
				actor: await userActor(tx, user.id),
				subject: { kind: 'pilot', id: pilotId },
				details: { action, from: pilot.status, to: rule.to, ...(decision ? { decision } : {}) }
			});
			await reindexPilot(pilotId, tx);
			// Mail in the same transaction: a resubmission reaches the leads again, a lead's review or decision the team.
			if (action === 'submit') await notifyPilotProposed(tx, pilotId, user.id);
			else if (rule.by === 'lead') await notifyPilotStatus(tx, pilotId, rule.to, user.id, comment, decision);
			return rule.to;
		},
		{ behavior: 'immediate' }
	);
}

export function statusHistory(pilotId: string) {
	return db
		.select({
			fromStatus: pilotStatusHistory.fromStatus,
			toStatus: pilotStatusHistory.toStatus,
			decision: pilotStatusHistory.decision,
			comment: pilotStatusHistory.comment,
			at: pilotStatusHistory.at,
			by: users.name
		})
		.from(pilotStatusHistory)
		.leftJoin(users, eq(users.id, pilotStatusHistory.byUserId))
		.where(eq(pilotStatusHistory.pilotId, pilotId))
		.orderBy(asc(pilotStatusHistory.at), asc(insertionOrder(pilotStatusHistory)));
}

// Creating and editing -------------------------------------------------------------------------------------

async function userIdsByEmail(tx: Executor, emails: string[]) {
	if (!emails.length) return [];
	return (await tx
		.select({ id: users.id })
		.from(users)
		.where(inArray(users.email, emails.map((email) => email.toLowerCase()))))
		.map((row) => row.id);
}

async function writePilotParts(tx: Executor, pilotId: string, input: PilotInput, alwaysOnTeam: string[]) {
	await tx.delete(pilotTeam).where(eq(pilotTeam.pilotId, pilotId));
	for (const userId of new Set([...alwaysOnTeam, ...await userIdsByEmail(tx, input.teamEmails)]))
		await tx.insert(pilotTeam).values({ pilotId, userId });
	await tx.delete(pilotAreas).where(eq(pilotAreas.pilotId, pilotId));
	const codes = [...new Set(input.areaCodes)];
	if (codes.length)
		for (const { code } of await tx.select({ code: areas.code }).from(areas).where(inArray(areas.code, codes)))
			await tx.insert(pilotAreas).values({ pilotId, areaCode: code });
}

function pilotColumns(input: PilotInput) {
	return {
		title: input.title,
		summary: input.summary,
		hypothesis: input.hypothesis,
		goalId: input.goalId,
		ownerOrganisationId: input.ownerOrganisationId,
		responsibleUserId: input.responsibleUserId,
		targetGroup: input.targetGroup,
		perspective: input.perspective,
		startsOn: input.startsOn,
		endsOn: input.endsOn,
		cadenceWeeks: input.cadenceWeeks,
		budgetEuros: input.budgetEuros,
		canvas: input.canvas,
		updatedAt: new Date()
	};
}

export type PilotSource = { workshopId: string; roundId: string | null; ideaId: string };

/** A proposal (status proposed) to the programme; the proposer is on its team. */
export function proposePilot(programmeId: string, input: PilotInput, proposedBy: string, source?: PilotSource | null) {
	return db.transaction(
		async (tx) => {
			const pilot = await one(tx
				.insert(pilots)
				.values({
					id: generateSecureRandomString(12),
					programmeId,
					...pilotColumns(input),
					status: 'proposed',
					proposedBy,
					sourceWorkshopId: source?.workshopId ?? null,
					sourceRoundId: source?.roundId ?? null,
					sourceIdeaId: source?.ideaId ?? null
				})
				.returning());
			await writePilotParts(tx, pilot.id, input, [proposedBy]);
			await recordStatus(tx, pilot.id, null, 'proposed', proposedBy);
			await reindexPilot(pilot.id, tx);
			await notifyPilotProposed(tx, pilot.id, proposedBy);
			return pilot;
		},
		{ behavior: 'immediate' }
	);
}

export async function updatePilot(pilotId: string, input: PilotInput) {
	await db.transaction(
		async (tx) => {
			const pilot = await first(tx.select({ proposedBy: pilots.proposedBy }).from(pilots).where(eq(pilots.id, pilotId)));
			await tx.update(pilots).set(pilotColumns(input)).where(eq(pilots.id, pilotId));
			await writePilotParts(tx, pilotId, input, pilot?.proposedBy ? [pilot.proposedBy] : []);
			await reindexPilot(pilotId, tx);
		},
		{ behavior: 'immediate' }
	);
}

export function getPilot(pilotId: string) {
	return first(db.select().from(pilots).where(eq(pilots.id, pilotId)));
}

/** The pilot with everything its page shows. */
export async function getPilotDetails(pilotId: string) {
	const pilot = await getPilot(pilotId);
	if (!pilot) return undefined;
	const team = await db
		.select({ id: users.id, name: users.name, email: users.email })
		.from(pilotTeam)
		.innerJoin(users, eq(users.id, pilotTeam.userId))
		.where(eq(pilotTeam.pilotId, pilotId))
		.orderBy(asc(users.name));
	const targetAreas = await db
		.select({ code: areas.code, name: areas.name })
		.from(pilotAreas)
		.innerJoin(areas, eq(areas.code, pilotAreas.areaCode))
		.where(eq(pilotAreas.pilotId, pilotId))
		.orderBy(asc(areas.code));
	const sourceWorkshop = pilot.sourceWorkshopId ? await getWorkshop(pilot.sourceWorkshopId) : undefined;
	return {
		...pilot,
		team,
		targetAreas,
		indicators: await listIndicators(pilotId),
		source: sourceWorkshop ? { workshopId: sourceWorkshop.id, workshopTitle: sourceWorkshop.title, roundId: pilot.sourceRoundId, ideaId: pilot.sourceIdeaId } : null
	};
}

/**
 * A new pilot's fields filled from a chosen idea card: its title and canvas (the canvas is carried over), and the
 * target areas its canvas names (postal codes and area names, see findAreaCodes) ticked.
 */
export async function pilotDraftFromIdea(workshopId: string, ideaId: string) {
	const doc = await readBoardDoc(workshopId);
	try {
		const idea = viewBoard(doc).ideas.find((candidate) => candidate.id === ideaId);
		if (!idea) return undefined;
		const canvas = Object.fromEntries(canvasFields.map((field) => [field, ideaText(doc, ideaId, field)?.toString() ?? ''])) as Record<CanvasField, string>;
		const areaCodes = canvas.targetAreas.trim() ? findAreaCodes(canvas.targetAreas, await listAreas()) : [];
		return { title: idea.title, hypothesis: canvas.hypothesis, targetGroup: canvas.targetGroup, areaCodes, canvas };
	} finally {
		doc.destroy();
	}
}

/**
 * The idea cards of the workshops that serve the programme, by workshop (newest first): a proposal to the programme
 * may start from any of them. Workshops without idea cards are left out.
 */
export async function listProgrammeIdeas(programmeId: string) {
	const served = await db
		.select({ id: workshops.id, title: workshops.title })
		.from(workshops)
		.where(eq(workshops.programmeId, programmeId))
		.orderBy(desc(workshops.startsAt), desc(workshops.createdAt));
	const listed = [];
	for (const workshop of served) {
		const doc = await readBoardDoc(workshop.id);
		const ideas = viewBoard(doc).ideas.map(({ id, title }) => ({ id, title: title.trim() }));
		doc.destroy();
		if (ideas.length) listed.push({ workshopId: workshop.id, workshopTitle: workshop.title, ideas });
	}
	return listed;
}

/**
 * Where "Propose as a pilot" on an idea card leads, for this person in this workshop: the proposal page (it picks
 * the programme), or null when they may propose nowhere. Anyone with a role in some programme (its leads and the
 * members of its organisations) may propose; guests have no account to propose with.
 */
export async function pilotProposalLink(workshopId: string, user: Pick<SessionUser, 'id' | 'isAdmin'> | null) {
	if (!user || !(await listProgrammesForUser(user)).length) return null;
	return `/pilots/new?workshop=${encodeURIComponent(workshopId)}`;
}

/** The workshop's ideas that became pilots, and how they are doing (traceability from the workshop). */
export function pilotsFromWorkshop(workshopId: string) {
	return db
		.select({ id: pilots.id, title: pilots.title, status: pilots.status, decision: pilots.decision, ideaId: pilots.sourceIdeaId, programmeId: pilots.programmeId })
		.from(pilots)
		.where(eq(pilots.sourceWorkshopId, workshopId))
		.orderBy(asc(pilots.createdAt));
}

// Indicators -------------------------------------------------------------------------------------------

/** The latest value of an area indicator (the baseline of a linked pilot indicator). */
export function latestAreaValue(areaCode: string, indicatorKey: string) {
	return first(db
		.select({ value: areaValues.value, year: areaValues.year })
		.from(areaValues)
		.where(and(eq(areaValues.areaCode, areaCode), eq(areaValues.indicatorKey, indicatorKey)))
		.orderBy(desc(areaValues.year)));
}

/** Adds an indicator; one linked to an area indicator gets its baseline from the latest area data when none is given. */
export function addIndicator(pilotId: string, input: IndicatorInput) {
	return db.transaction(
		async (tx) => {
			const linked = input.indicatorKey && input.areaCode ? await latestAreaValue(input.areaCode, input.indicatorKey) : undefined;
			const known = input.indicatorKey ? await first(tx.select().from(indicators).where(eq(indicators.key, input.indicatorKey))) : undefined;
			const position = ((await first(tx.select({ last: max(pilotIndicators.position) }).from(pilotIndicators).where(eq(pilotIndicators.pilotId, pilotId))))?.last ?? -1) + 1;
			return one(tx
				.insert(pilotIndicators)
				.values({
					id: generateSecureRandomString(12),
					pilotId,
					position,
					name: input.name,
					unit: input.unit || known?.unit || '',
					indicatorKey: known ? input.indicatorKey : null,
					areaCode: known ? input.areaCode : null,
					baseline: input.baseline ?? linked?.value ?? null,
					target: input.target,
					higherIsBetter: known?.higherIsBetter ?? input.higherIsBetter
				})
				.returning());
		},
		{ behavior: 'immediate' }
	);
}

export async function removeIndicator(pilotId: string, indicatorId: string) {
	return changedRows((await db.delete(pilotIndicators).where(and(eq(pilotIndicators.pilotId, pilotId), eq(pilotIndicators.id, indicatorId))))) === 1;
}

export function listIndicators(pilotId: string) {
	return db.select().from(pilotIndicators).where(eq(pilotIndicators.pilotId, pilotId)).orderBy(asc(pilotIndicators.position));
}

// Check-ins --------------------------------------------------------------------------------------------

async function writeCheckIn(tx: Executor, pilotId: string, seriesId: string, version: number, input: CheckInInput, writtenBy: string) {
	const id = generateSecureRandomString(12);
	await tx.insert(checkIns)
		.values({
			id,
			pilotId,
			seriesId,
			version,
			reportedOn: input.reportedOn,
			status: input.status,
			happened: input.happened,
			learned: input.learned,
			nextSteps: input.nextSteps,
			impactResidents: input.impactResidents,
			impactLocalActors: input.impactLocalActors,
			impactInstitutions: input.impactInstitutions,
			writtenBy,
			writtenAt: new Date()
		});
	const known = new Set((await listIndicators(pilotId)).map((indicator) => indicator.id));
	for (const [indicatorId, value] of Object.entries(input.readings))
		if (value !== null && known.has(indicatorId)) await tx.insert(checkInReadings).values({ checkInId: id, indicatorId, value });
	return id;
}

/** A new check-in on the pilot (readings for unknown indicators are ignored). */
export function recordCheckIn(pilotId: string, input: CheckInInput, writtenBy: string) {
	return db.transaction(
		async (tx) => {
			const id = await writeCheckIn(tx, pilotId, generateSecureRandomString(12), 1, input, writtenBy);
			await reindexPilot(pilotId, tx);
			return id;
		},
		{ behavior: 'immediate' }
	);
}

/** A correction: the series' next version. What was written before stays as it was. */
export function correctCheckIn(pilotId: string, seriesId: string, input: CheckInInput, writtenBy: string) {
	return db.transaction(
		async (tx) => {
			const latest = await first(tx
				.select({ version: max(checkIns.version) })
				.from(checkIns)
				.where(and(eq(checkIns.pilotId, pilotId), eq(checkIns.seriesId, seriesId))));
			if (!latest?.version) return null;
			const id = await writeCheckIn(tx, pilotId, seriesId, latest.version + 1, input, writtenBy);
			await reindexPilot(pilotId, tx);
			return id;
		},
		{ behavior: 'immediate' }
	);
}

/** Every check-in (all versions), newest report first, with its readings and author. */
export async function listCheckIns(pilotId: string, tx: Executor = db) {
	const rows = await tx
		.select({ checkIn: checkIns, author: users.name })
		.from(checkIns)
		.leftJoin(users, eq(users.id, checkIns.writtenBy))
		.where(eq(checkIns.pilotId, pilotId))
		.orderBy(desc(checkIns.reportedOn), asc(checkIns.seriesId), desc(checkIns.version));
	const ids = rows.map((row) => row.checkIn.id);
	const readings = ids.length ? await tx.select().from(checkInReadings).where(inArray(checkInReadings.checkInId, ids)) : [];
	return rows.map(({ checkIn, author }) => ({
		...checkIn,
		author: author ?? '',
		readings: Object.fromEntries(readings.filter((reading) => reading.checkInId === checkIn.id).map((reading) => [reading.indicatorId, reading.value]))
	}));
}

/** The current text of each check-in: the latest version of every series, newest report first. */
export async function currentCheckIns(pilotId: string, tx: Executor = db) {
	const all = await listCheckIns(pilotId, tx);
	const seen = new Set<string>();
	return all
		.filter((checkIn) => (seen.has(checkIn.seriesId) ? false : (seen.add(checkIn.seriesId), true)))
		.map((checkIn) => ({ ...checkIn, earlierVersions: all.filter((other) => other.seriesId === checkIn.seriesId && other.version < checkIn.version) }));
}

/**
 * Each indicator's reading in the latest report before the one being written, or before the one being corrected
 * (by indicator id): the team writes the next reading knowing which way it was going.
 */
export function previousReadings(checkIns: Awaited<ReturnType<typeof currentCheckIns>>, correcting?: { seriesId: string; reportedOn: string }) {
	const earlier = checkIns
		.filter((checkIn) => !correcting || (checkIn.seriesId !== correcting.seriesId && checkIn.reportedOn < correcting.reportedOn))
		.sort((a, b) => b.reportedOn.localeCompare(a.reportedOn));
	const previous = new Map<string, { value: number; on: string }>();
	for (const checkIn of earlier) {
		for (const [indicatorId, value] of Object.entries(checkIn.readings)) if (!previous.has(indicatorId)) previous.set(indicatorId, { value, on: checkIn.reportedOn });
	}
	return previous;
}

/**
 * When the next check-in is due: a cadence after the latest report, or after the start (running pilots only).
 * Dates are yyyy-mm-dd; overdue when the due day is before today.
 */
export function nextCheckInDue(pilot: Pick<Pilot, 'status' | 'cadenceWeeks' | 'startsOn' | 'updatedAt'>, latestReportedOn: string | null, today = isoToday()) {
	if (pilot.status !== 'running') return null;
	const from = latestReportedOn ?? pilot.startsOn ?? isoDay(pilot.updatedAt);
	const due = isoDay(new Date(Date.parse(`${from}T00:00:00Z`) + pilot.cadenceWeeks * 7 * day));
	return { due, overdue: due < today };
}

/**
 * Running pilots with their next check-in's due day, soonest first: every running pilot, or those of some
 * programmes, or those on whose team a person is.
 */
export async function listCheckInsDue(scope: { programmeIds?: string[]; teamMemberId?: string } = {}, today = isoToday()) {
	if (scope.programmeIds?.length === 0) return [];
	const running = await db
		.select({
			id: pilots.id,
			title: pilots.title,
			programmeId: pilots.programmeId,
			status: pilots.status,
			cadenceWeeks: pilots.cadenceWeeks,
			startsOn: pilots.startsOn,
			updatedAt: pilots.updatedAt,
			latest: max(checkIns.reportedOn)
		})
		.from(pilots)
		.leftJoin(checkIns, eq(checkIns.pilotId, pilots.id))
		.where(
			and(
				eq(pilots.status, 'running'),
				scope.programmeIds ? inArray(pilots.programmeId, scope.programmeIds) : undefined,
				scope.teamMemberId
					? inArray(pilots.id, db.select({ id: pilotTeam.pilotId }).from(pilotTeam).where(eq(pilotTeam.userId, scope.teamMemberId)))
					: undefined
			)
		)
		.groupBy(pilots.id);
	return running
		.flatMap((pilot) => {
			const next = nextCheckInDue(pilot, pilot.latest, today);
			return next ? [{ id: pilot.id, title: pilot.title, programmeId: pilot.programmeId, ...next }] : [];
		})
		.sort((a, b) => a.due.localeCompare(b.due) || a.id.localeCompare(b.id));
}

/** The programmes, each with its pilots whose check-in is overdue and their count: only where the person leads. */
export async function withOverdueCheckIns<Programme extends { id: string; role: ProgrammeRole }>(programmes: Programme[], today = isoToday()) {
	const led = programmes.filter((programme) => programme.role === 'lead').map((programme) => programme.id);
	const overdue = (await listCheckInsDue({ programmeIds: led }, today)).filter((pilot) => pilot.overdue);
	return programmes.map((programme) => {
		// Most overdue first (listCheckInsDue's order).
		const overduePilots = overdue.filter((pilot) => pilot.programmeId === programme.id);
		return { ...programme, overdue: overduePilots.length, overduePilots };
	});
}

export const isoDay = (date: Date) => date.toISOString().slice(0, 10);
/** Today in Helsinki (check-ins are due by the local calendar). */
export function isoToday(now = new Date()) {
	return helsinkiDay.format(now);
}
const helsinkiDay = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Helsinki' });

// Comments ---------------------------------------------------------------------------------------------

export const commentSchema = z.object({ text: requiredText(2000) });

export async function addPilotComment(pilotId: string, authorId: string, text: string) {
	await db.transaction(async (tx) => {
		await tx.insert(pilotComments).values({ id: generateSecureRandomString(12), pilotId, authorId, text, at: new Date() });
		await notifyPilotComment(tx, pilotId, authorId, text);
	});
}

export function listPilotComments(pilotId: string) {
	return db
		.select({ id: pilotComments.id, text: pilotComments.text, at: pilotComments.at, author: users.name })
		.from(pilotComments)
		.leftJoin(users, eq(users.id, pilotComments.authorId))
		.where(eq(pilotComments.pilotId, pilotId))
		.orderBy(asc(pilotComments.at));
}

// The learning library's index ---------------------------------------------------------------------------

/**
 * A pilot's indexed texts: title, summary (with hypothesis, target group and canvas), learnings (every text field
 * of its current check-ins: what happened and was learned, next steps, the impact on residents, local actors and
 * institutions) and the decision's reason.
 */
async function searchTexts(pilot: Pilot, tx: Executor) {
	const learnings = (await currentCheckIns(pilot.id, tx))
		.map((checkIn) =>
			[checkIn.learned, checkIn.happened, checkIn.nextSteps, checkIn.impactResidents, checkIn.impactLocalActors, checkIn.impactInstitutions]
				.filter(Boolean)
				.join('\n')
		)
		.join('\n');
	// A canvas carried over from an idea card repeats the hypothesis and target group: each text once.
	const summary = [...new Set([pilot.summary, pilot.hypothesis, pilot.targetGroup, ...canvasFields.map((field) => pilot.canvas?.[field]?.trim() ?? '')])]
		.filter(Boolean)
		.join('\n');
	return { title: pilot.title, summary, learnings, reason: pilot.decisionReason };
}

/**
 * The language to analyse each of a pilot's texts in: its own small words tell, else the whole pilot's (a title
 * has few). Search highlights use the same, from the same texts.
 */
export function searchTextLanguages(texts: { title: string; summary: string; learnings: string; reason: string }) {
	const whole = guessLanguage(Object.values(texts).join('\n'));
	const of = (text: string) => guessLanguage(text) ?? whole;
	return { title: of(texts.title), summary: of(texts.summary), learnings: of(texts.learnings), reason: of(texts.reason) };
}

/** Rewrites the pilot's row in the full-text index: each text as written, and its analysed terms. Returns the word count. */
export async function reindexPilot(pilotId: string, tx: Executor = db) {
	// On the one connection: inside `tx`'s transaction when there is one (raw SQL waits its turn like every query).
	const pilot = await first(tx.select().from(pilots).where(eq(pilots.id, pilotId)));
	await deleteSearchRows(pilotId);
	if (!pilot) return 0;
	const texts = await searchTexts(pilot, tx);
	const language = searchTextLanguages(texts);
	let words = 0;
	const terms = (text: string, lang: TextLanguage | undefined) => {
		const analysed = analyseWords(text, lang);
		words += analysed.length;
		return analysed.flatMap((word) => word.terms).join(' ');
	};
	await insertSearchRow({
		pilotId,
		...texts,
		titleTerms: terms(texts.title, language.title),
		summaryTerms: terms(texts.summary, language.summary),
		learningsTerms: terms(texts.learnings, language.learnings),
		reasonTerms: terms(texts.reason, language.reason)
	});
	return words;
}

/** Indexes every pilot again, in one transaction, and records the analyser that did it. */
export async function rebuildSearchIndex() {
	const analyser = describeAnalyser();
	const started = performance.now();
	let words = 0;
	const ids = await db.transaction(async (tx) => {
		await deleteSearchRows();
		const all = await tx.select({ id: pilots.id }).from(pilots);
		for (const { id } of all) words += await reindexPilot(id, tx);
		await tx.insert(searchIndexState).values({ name: 'pilot_search', analyser }).onConflictDoUpdate({ target: searchIndexState.name, set: { analyser } });
		return all;
	});
	return { analyser, pilots: ids.length, words, ms: performance.now() - started };
}

/**
 * At start-up: rebuilds the index when it was written by another analyser than the one now at work, or never
 * recorded (a database that has just been upgraded). Returns what it did, or null when the index was current.
 */
export async function ensureSearchIndex() {
	const state = await first(db.select().from(searchIndexState).where(eq(searchIndexState.name, 'pilot_search')));
	if (state?.analyser === describeAnalyser()) return null;
	return rebuildSearchIndex();
}

// Forms --------------------------------------------------------------------------------------------------

/** Shapes a submitted pilot form (repeated areaCodes, team e-mails one per line, canvas.<field>) for the schema. */
export function readPilotForm(formData: FormData) {
	const text = (key: string) => String(formData.get(key) ?? '');
	return {
		title: text('title'),
		summary: text('summary'),
		hypothesis: text('hypothesis'),
		goalId: text('goalId'),
		ownerOrganisationId: text('ownerOrganisationId'),
		responsibleUserId: text('responsibleUserId'),
		teamEmails: text('teamEmails')
			.split(/[\s,;]+/)
			.map((email) => email.trim().toLowerCase())
			.filter(Boolean),
		areaCodes: formData.getAll('areaCodes').map(String),
		targetGroup: text('targetGroup'),
		perspective: text('perspective'),
		startsOn: text('startsOn'),
		endsOn: text('endsOn'),
		cadenceWeeks: text('cadenceWeeks'),
		budgetEuros: text('budgetEuros'),
		canvas: Object.fromEntries(canvasFields.map((field) => [field, text(`canvas.${field}`)]))
	};
}
export type PilotFormInput = ReturnType<typeof readPilotForm>;

/** A check-in form: readings as reading.<indicatorId>. */
export function readCheckInForm(formData: FormData) {
	const text = (key: string) => String(formData.get(key) ?? '');
	const readings: Record<string, string> = {};
	for (const [key, value] of formData) if (key.startsWith('reading.') && typeof value === 'string') readings[key.slice('reading.'.length)] = value;
	return {
		reportedOn: text('reportedOn'),
		status: text('status'),
		happened: text('happened'),
		learned: text('learned'),
		nextSteps: text('nextSteps'),
		impactResidents: text('impactResidents'),
		impactLocalActors: text('impactLocalActors'),
		impactInstitutions: text('impactInstitutions'),
		readings
	};
}

/** People who can be named responsible for a programme's pilot: members of its owner and participating organisations. */
export async function programmePeople(programmeId: string) {
	return rawAll<{ id: string; name: string }>(
		`SELECT DISTINCT u.id, u.name FROM users u JOIN memberships ms ON ms.user_id = u.id
		 WHERE ms.organisation_id = (SELECT owner_organisation_id FROM programmes WHERE id = ?)
		    OR ms.organisation_id IN (SELECT organisation_id FROM programme_organisations WHERE programme_id = ?)
		 ORDER BY u.name`,
		programmeId,
		programmeId
	);
}

/**
 * The goal, owner organisation and responsible person a pilot form names must be the programme's own (its goals,
 * its owner or participating organisations, their members): the form offers only those, and anything else (a
 * forged or stale form) is a translated field error, never a foreign-key failure. On an edit, a value the pilot
 * already has stays acceptable (a responsible person who has since left the organisation is not forced out).
 */
export async function pilotReferenceErrors(
	programme: { id: string; goals: readonly { id: string }[]; owner: { id: string }; organisations: readonly { id: string }[] },
	input: Pick<PilotInput, 'goalId' | 'ownerOrganisationId' | 'responsibleUserId'>,
	current?: Pick<Pilot, 'goalId' | 'ownerOrganisationId' | 'responsibleUserId'>
): Promise<Record<string, string> | null> {
	const errors: Record<string, string> = {};
	const kept = (key: 'goalId' | 'ownerOrganisationId' | 'responsibleUserId') => current !== undefined && input[key] === current[key];
	if (input.goalId && !kept('goalId') && !programme.goals.some((goal) => goal.id === input.goalId)) errors.goalId = m.error_choose_option();
	const organisationIds = [programme.owner.id, ...programme.organisations.map((organisation) => organisation.id)];
	if (input.ownerOrganisationId && !kept('ownerOrganisationId') && !organisationIds.includes(input.ownerOrganisationId))
		errors.ownerOrganisationId = m.pilot_error_owner_organisation();
	if (input.responsibleUserId && !kept('responsibleUserId') && !(await programmePeople(programme.id)).some((person) => person.id === input.responsibleUserId))
		errors.responsibleUserId = m.pilot_error_responsible();
	return Object.keys(errors).length ? errors : null;
}

/**
 * Where a pilot proposed from an idea card comes from: the workshop, the idea and the vote round that chose it
 * (or its source note/cluster). Undefined when the idea is not on that workshop's board.
 */
export async function ideaSource(workshopId: string, ideaId: string): Promise<PilotSource | undefined> {
	const idea = viewBoard(await readBoardDoc(workshopId)).ideas.find((candidate) => candidate.id === ideaId);
	if (!idea) return undefined;
	const chosenIn = await rawGet<{ id: string }>(
		`SELECT r.id FROM vote_round_choices c JOIN vote_rounds r ON r.id = c.round_id
		 WHERE r.workshop_id = ? AND c.item_id IN (?, ?) ORDER BY r.opened_at DESC LIMIT 1`,
		workshopId,
		ideaId,
		idea.source?.id ?? ideaId
	);
	return { workshopId, ideaId, roundId: chosenIn?.id ?? null };
}

// Into a workshop ------------------------------------------------------------------------------------------

/**
 * Brings a proposal into a workshop as an idea card (in its first lane) with the canvas filled in, so the room
 * can refine it. The card remembers the pilot; bringing it twice adds nothing. Returns false when the workshop
 * has no lanes.
 */
export async function bringPilotToWorkshop(pilotId: string, workshopId: string) {
	const pilot = await getPilot(pilotId);
	const lane = (await listPerspectives(workshopId))[0];
	if (!pilot || !lane) return false;
	await changeBoard(workshopId, (doc) => {
		if (viewBoard(doc).ideas.some((idea) => idea.source?.kind === 'pilot' && idea.source.id === pilotId)) return;
		const ideaId = promoteToIdea(doc, { kind: 'pilot', id: pilotId }, pilot.title, lane.id);
		const texts: Partial<Record<CanvasField, string>> = { ...pilot.canvas, problem: pilot.canvas.problem || pilot.summary, hypothesis: pilot.canvas.hypothesis || pilot.hypothesis };
		for (const field of canvasFields) {
			const text = texts[field];
			if (text) ideaText(doc, ideaId, field)?.insert(0, text.slice(0, canvasFieldMaxLength));
		}
	});
	return true;
}
