// Following outcomes: the programme dashboard, the learning library (FTS5 over `pilot_search`) and the open-data
// exports (pilots, check-ins, data dictionary). Reads only; the pilots and their check-ins are written by pilots.ts.
// Everything is assembled from a handful of whole-programme queries and grouped in memory, so the cost does not
// grow with pilots × indicators × check-ins round trips.
import { and, asc, desc, eq, exists, inArray, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { canvasFields, type CanvasField } from '../board/model';
import { canvasFieldLabels } from '../labels';
import { m } from '../paraglide/messages.js';
import { getLocale, type Locale } from '../paraglide/runtime.js';
import { checkInStatusLabels, pilotDecisionLabels, pilotStatusLabels } from '../pilot-labels';
import { caseless, db, rawAll, unchangedSinceLastWrite } from './db';
import { fold, ftsMatch, matchSearchRows, searchLearningsOf } from './db/search';
import {
	areas,
	checkInReadings,
	checkIns,
	checkInStatuses,
	organisations,
	pilotAreas,
	pilotDecisions,
	pilotIndicators,
	pilots,
	pilotStatuses,
	programmeGoals,
	type PilotStatus
} from './db/schema';
import { isoToday, nextCheckInDue, searchTextLanguages } from './pilots';
import { getProgramme, getProgrammeDetails, programmeRole } from './programmes';
import { attachmentHeader, toCsv } from './report';
import type { SessionUser } from './session';
import { defineTable, dictionaryTable, toExcelCsv, toXlsx, xlsxContentType, type Cell, type Column, type Table } from './spreadsheets';
import { analyseQuery, analyseWords, type TextLanguage } from './text-analysis';

const day = 24 * 60 * 60 * 1000;

// Filters (from the URL) ---------------------------------------------------------------------------------

/** A URL parameter: blank means "not filtered", and a value that does not fit is ignored rather than an error. */
const param = <T extends z.ZodType>(schema: T) =>
	z.preprocess((value) => (typeof value === 'string' && value.trim() ? value.trim() : undefined), schema.optional()).catch(undefined);

export const outcomeFiltersSchema = z.object({
	status: param(z.enum(pilotStatuses)),
	goalId: param(z.string().max(100)),
	areaCode: param(z.string().regex(/^\d{5}$/)),
	organisationId: param(z.string().max(100)),
	perspective: param(z.string().max(200))
});
export type OutcomeFilters = z.output<typeof outcomeFiltersSchema>;

export const learningQuerySchema = outcomeFiltersSchema.omit({ status: true }).extend({
	q: param(z.string().max(200)),
	programmeId: param(z.string().max(100))
});
export type LearningQuery = z.output<typeof learningQuerySchema>;

/** The filters a GET form put in the URL (`?status=running&goalId=…`). */
export function readOutcomeFilters(params: URLSearchParams): OutcomeFilters {
	return outcomeFiltersSchema.parse(Object.fromEntries(params));
}

export function readLearningQuery(params: URLSearchParams): LearningQuery {
	return learningQuerySchema.parse(Object.fromEntries(params));
}

/** The pilot conditions the dashboard and the library share (goal, owner organisation, perspective, area). */
function pilotConditions(filters: Omit<OutcomeFilters, 'status'> & { status?: PilotStatus | PilotStatus[] }) {
	const status = filters.status === undefined ? undefined : [filters.status].flat();
	const conditions: (SQL | undefined)[] = [
		status ? inArray(pilots.status, status) : undefined,
		filters.goalId ? eq(pilots.goalId, filters.goalId) : undefined,
		filters.organisationId ? eq(pilots.ownerOrganisationId, filters.organisationId) : undefined,
		filters.perspective ? eq(pilots.perspective, filters.perspective) : undefined,
		filters.areaCode
			? exists(
					db
						.select({ one: sql`1` })
						.from(pilotAreas)
						.where(and(eq(pilotAreas.pilotId, pilots.id), eq(pilotAreas.areaCode, filters.areaCode)))
				)
			: undefined
	];
	return conditions;
}

// Indicator progress -------------------------------------------------------------------------------------

type Reading = { reportedOn: string; value: number };

/**
 * Where an indicator stands: baseline → readings (oldest first) → target. `trend` compares the latest reading with
 * the point before it (the previous reading, or the baseline): 'toward' the target, 'away' from it, 'same', or
 * null when there is nothing to compare. Without a target, "toward" follows whether higher or lower is better.
 */
export function indicatorProgress(
	indicator: { id: string; name: string; unit: string; baseline: number | null; target: number | null; higherIsBetter: boolean },
	readings: Reading[]
) {
	const latest = readings.at(-1) ?? null;
	const previous = readings.length >= 2 ? readings.at(-2)!.value : indicator.baseline;
	let trend: 'toward' | 'away' | 'same' | null = null;
	if (latest && previous != null) {
		const wanted = indicator.target != null && indicator.target !== previous ? Math.sign(indicator.target - previous) : indicator.higherIsBetter ? 1 : -1;
		const moved = Math.sign(latest.value - previous);
		trend = moved === 0 ? 'same' : moved === wanted ? 'toward' : 'away';
	}
	const reached =
		latest && indicator.target != null ? (indicator.higherIsBetter ? latest.value >= indicator.target : latest.value <= indicator.target) : null;
	return {
		id: indicator.id,
		name: indicator.name,
		unit: indicator.unit,
		baseline: indicator.baseline,
		target: indicator.target,
		higherIsBetter: indicator.higherIsBetter,
		readings,
		latest: latest?.value ?? null,
		trend,
		reached
	};
}
export type IndicatorProgress = ReturnType<typeof indicatorProgress>;

// Dashboard --------------------------------------------------------------------------------------------

/** The latest version of its series (the unique (series_id, version) index answers this). */
const isCurrentVersion = () => sql`${checkIns.version} = (SELECT max(c2.version) FROM check_ins c2 WHERE c2.series_id = ${checkIns.seriesId})`;

/**
 * The current version of every check-in series of the programme's pilots, each with its readings (a row per
 * reading, one row with null reading when it has none), oldest report first. No long texts: the dashboard needs
 * dates, statuses and numbers only.
 */
function currentCheckInRows(programmeId: string) {
	return db
		.select({
			id: checkIns.id,
			pilotId: checkIns.pilotId,
			reportedOn: checkIns.reportedOn,
			status: checkIns.status,
			indicatorId: checkInReadings.indicatorId,
			value: checkInReadings.value
		})
		.from(checkIns)
		.innerJoin(pilots, eq(pilots.id, checkIns.pilotId))
		.leftJoin(checkInReadings, eq(checkInReadings.checkInId, checkIns.id))
		.where(and(eq(pilots.programmeId, programmeId), isCurrentVersion()))
		.orderBy(asc(checkIns.reportedOn), asc(checkIns.writtenAt), asc(checkIns.id));
}

function groupBy<T, K>(rows: T[], key: (row: T) => K) {
	const groups = new Map<K, T[]>();
	for (const row of rows) {
		const group = groups.get(key(row));
		if (group) group.push(row);
		else groups.set(key(row), [row]);
	}
	return groups;
}

const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / day);

/**
 * The programme dashboard: pilot counts by status, goal and area, overdue check-ins, and every pilot with its latest
 * check-in and indicator progress, all with the filters applied. Undefined for an unknown programme.
 * Five queries besides the programme's own and the filter options', whatever the number of pilots.
 */
export function programmeDashboard(programmeId: string, filters: OutcomeFilters = {}, today = isoToday()) {
	return unchangedSinceLastWrite(`dashboard|${programmeId}|${today}|${JSON.stringify(filters)}`, () => computeDashboard(programmeId, filters, today));
}

async function computeDashboard(programmeId: string, filters: OutcomeFilters, today: string) {
	const programme = await getProgrammeDetails(programmeId);
	if (!programme) return undefined;

	const rows = await db
		.select({
			id: pilots.id,
			title: pilots.title,
			status: pilots.status,
			decision: pilots.decision,
			goalId: pilots.goalId,
			perspective: pilots.perspective,
			ownerOrganisationId: pilots.ownerOrganisationId,
			ownerOrganisation: organisations.name,
			cadenceWeeks: pilots.cadenceWeeks,
			startsOn: pilots.startsOn,
			updatedAt: pilots.updatedAt
		})
		.from(pilots)
		.leftJoin(organisations, eq(organisations.id, pilots.ownerOrganisationId))
		.where(and(eq(pilots.programmeId, programmeId), ...pilotConditions(filters)))
		.orderBy(caseless(pilots.title), asc(pilots.id));

	const areaRows = await db
		.select({ pilotId: pilotAreas.pilotId, code: areas.code, name: areas.name })
		.from(pilotAreas)
		.innerJoin(areas, eq(areas.code, pilotAreas.areaCode))
		.innerJoin(pilots, eq(pilots.id, pilotAreas.pilotId))
		.where(eq(pilots.programmeId, programmeId))
		.orderBy(asc(areas.code));
	const indicatorRows = await db
		.select({
			id: pilotIndicators.id,
			pilotId: pilotIndicators.pilotId,
			name: pilotIndicators.name,
			unit: pilotIndicators.unit,
			baseline: pilotIndicators.baseline,
			target: pilotIndicators.target,
			higherIsBetter: pilotIndicators.higherIsBetter
		})
		.from(pilotIndicators)
		.innerJoin(pilots, eq(pilots.id, pilotIndicators.pilotId))
		.where(eq(pilots.programmeId, programmeId))
		.orderBy(asc(pilotIndicators.pilotId), asc(pilotIndicators.position));
	const areasByPilot = groupBy(areaRows, (row) => row.pilotId);
	const indicatorsByPilot = groupBy(indicatorRows, (row) => row.pilotId);
	const checkInRows = await currentCheckInRows(programmeId);
	const readingsByIndicator = groupBy(
		checkInRows.filter((row) => row.indicatorId !== null),
		(row) => row.indicatorId
	);
	// One entry per check-in (the rows repeat it once per reading), still oldest first.
	const checkInsByPilot = groupBy(
		checkInRows.filter((row, index) => index === 0 || checkInRows[index - 1]!.id !== row.id),
		(row) => row.pilotId
	);
	const goalTitle = new Map(programme.goals.map((goal) => [goal.id, goal.title]));

	const pilotList = rows.map((pilot) => {
		// Sorted oldest first: the last is the latest report (ties: the one written last).
		const latest = checkInsByPilot.get(pilot.id)?.at(-1) ?? null;
		const next = nextCheckInDue(pilot, latest?.reportedOn ?? null, today);
		return {
			id: pilot.id,
			title: pilot.title,
			status: pilot.status,
			decision: pilot.decision,
			goal: pilot.goalId && goalTitle.has(pilot.goalId) ? { id: pilot.goalId, title: goalTitle.get(pilot.goalId)! } : null,
			perspective: pilot.perspective,
			ownerOrganisation: pilot.ownerOrganisationId ? { id: pilot.ownerOrganisationId, name: pilot.ownerOrganisation ?? '' } : null,
			areas: (areasByPilot.get(pilot.id) ?? []).map(({ code, name }) => ({ code, name })),
			latestCheckIn: latest ? { reportedOn: latest.reportedOn, status: latest.status } : null,
			checkInCount: checkInsByPilot.get(pilot.id)?.length ?? 0,
			nextCheckIn: next,
			indicators: (indicatorsByPilot.get(pilot.id) ?? []).map((indicator) =>
				indicatorProgress(
					indicator,
					(readingsByIndicator.get(indicator.id) ?? []).map(({ reportedOn, value }) => ({ reportedOn, value: value! }))
				)
			)
		};
	});

	const overdue = pilotList
		.filter((pilot) => pilot.nextCheckIn?.overdue)
		.map((pilot) => ({
			pilot: { id: pilot.id, title: pilot.title },
			due: pilot.nextCheckIn!.due,
			daysOverdue: daysBetween(pilot.nextCheckIn!.due, today),
			latestReportedOn: pilot.latestCheckIn?.reportedOn ?? null
		}))
		.sort((a, b) => b.daysOverdue - a.daysOverdue || a.pilot.title.localeCompare(b.pilot.title, 'fi'));

	// Counts: every status and goal is listed (zero included) so the charts keep their shape between filters;
	// a pilot in several areas counts in each of them.
	const byStatus = pilotStatuses.map((status) => ({ key: status, count: pilotList.filter((pilot) => pilot.status === status).length }));
	const byGoal = [
		...programme.goals.map((goal) => ({ key: goal.id as string | null, title: goal.title, count: pilotList.filter((pilot) => pilot.goal?.id === goal.id).length })),
		{ key: null, title: null, count: pilotList.filter((pilot) => !pilot.goal).length }
	].filter((entry) => entry.key !== null || entry.count > 0);
	const areaCounts = new Map<string, { code: string; name: string; count: number; target: boolean }>(
		programme.targetAreas.map((area) => [area.code, { ...area, count: 0, target: true }])
	);
	for (const pilot of pilotList)
		for (const area of pilot.areas) {
			const entry = areaCounts.get(area.code) ?? { ...area, count: 0, target: false };
			entry.count++;
			areaCounts.set(area.code, entry);
		}
	const byArea = [...areaCounts.values()].sort((a, b) => a.code.localeCompare(b.code));

	return {
		programme,
		filters,
		today,
		total: pilotList.length,
		byStatus,
		byGoal,
		byArea,
		overdue,
		pilots: pilotList,
		options: await filterOptions(programmeId)
	};
}
export type ProgrammeDashboard = NonNullable<Awaited<ReturnType<typeof programmeDashboard>>>;
export type DashboardPilot = ProgrammeDashboard['pilots'][number];

/** How many of the overdue check-ins the dashboard lists before "show all" (the most overdue first). */
export const overdueShown = 10;

/**
 * What the dashboard page shows of a dashboard, and nothing more (the page's HTML and its hydration data grow with
 * every field): the counts and charts cover every pilot; the table gets one page of pilots, each indicator's
 * readings as bare numbers (oldest first; the sparkline needs no dates); the overdue list its `overdueShown` most
 * overdue entries unless `allOverdue`, with `overdueTotal` saying how many there are.
 */
export function dashboardPage(dashboard: ProgrammeDashboard, { page = 1, perPage = 25, allOverdue = false }: { page?: number; perPage?: number; allOverdue?: boolean } = {}) {
	const { programme } = dashboard;
	const pages = Math.max(1, Math.ceil(dashboard.pilots.length / perPage));
	const current = Math.min(pages, Math.max(1, Math.trunc(page) || 1));
	return {
		programme: {
			id: programme.id,
			name: programme.name,
			startsOn: programme.startsOn,
			endsOn: programme.endsOn,
			description: programme.description,
			owner: { name: programme.owner.name },
			goals: programme.goals.map(({ id, title, description }) => ({ id, title, description })),
			targetAreas: programme.targetAreas,
			organisations: programme.organisations
		},
		filters: dashboard.filters,
		total: dashboard.total,
		byStatus: dashboard.byStatus,
		byGoal: dashboard.byGoal,
		byArea: dashboard.byArea,
		overdue: allOverdue ? dashboard.overdue : dashboard.overdue.slice(0, overdueShown),
		overdueTotal: dashboard.overdue.length,
		overdueLimit: overdueShown,
		pilots: dashboard.pilots.slice((current - 1) * perPage, current * perPage).map((pilot) => ({
			id: pilot.id,
			title: pilot.title,
			status: pilot.status,
			decision: pilot.decision,
			goalId: pilot.goal?.id ?? null,
			ownerOrganisation: pilot.ownerOrganisation?.name ?? null,
			areas: pilot.areas.map((area) => area.name),
			latestCheckIn: pilot.latestCheckIn,
			overdue: !!pilot.nextCheckIn?.overdue,
			indicators: pilot.indicators.map(({ id, name, unit, baseline, target, readings, trend }) => ({
				id,
				name,
				unit,
				baseline,
				target,
				readings: readings.map((reading) => reading.value),
				trend
			}))
		})),
		page: current,
		pages,
		options: dashboard.options
	};
}

/** What the filter forms offer: the programme's goals, the areas and organisations involved, perspectives in use. */
export async function filterOptions(programmeId: string) {
	const goals = await db
		.select({ id: programmeGoals.id, title: programmeGoals.title })
		.from(programmeGoals)
		.where(eq(programmeGoals.programmeId, programmeId))
		.orderBy(asc(programmeGoals.position));
	const areaOptions = await rawAll<{ code: string; name: string }>(
		`SELECT code, name FROM areas WHERE code IN (
			SELECT area_code FROM programme_areas WHERE programme_id = ?
			UNION SELECT pa.area_code FROM pilot_areas pa JOIN pilots p ON p.id = pa.pilot_id WHERE p.programme_id = ?)
		ORDER BY lower(name), code`,
		programmeId,
		programmeId
	);
	const organisationOptions = await rawAll<{ id: string; name: string }>(
		`SELECT id, name FROM organisations WHERE id IN (
			SELECT owner_organisation_id FROM programmes WHERE id = ?
			UNION SELECT organisation_id FROM programme_organisations WHERE programme_id = ?
			UNION SELECT owner_organisation_id FROM pilots WHERE programme_id = ?)
		ORDER BY lower(name)`,
		programmeId,
		programmeId,
		programmeId
	);
	// Grouped rather than DISTINCT: PostgreSQL sorts a DISTINCT only by what it selects.
	const perspectives = (await db
		.select({ perspective: pilots.perspective })
		.from(pilots)
		.where(and(eq(pilots.programmeId, programmeId), sql`${pilots.perspective} <> ''`))
		.groupBy(pilots.perspective)
		.orderBy(caseless(pilots.perspective)))
		.map((row) => row.perspective);
	return { statuses: pilotStatuses, goals, areas: areaOptions, organisations: organisationOptions, perspectives };
}

// Learning library ---------------------------------------------------------------------------------------

/**
 * The library holds pilots that reached a decision (scale up / adapt / stop): they ran, reported check-ins and
 * were judged, which is what others can learn from. Declined proposals are left out: they never ran, have no
 * learnings or decision, and their reason is a review comment to the team rather than a finding.
 */
export const endedStatuses = ['decided'] as const satisfies readonly PilotStatus[];

/**
 * A query's words as the index is searched for them: their analysed alternatives (text-analysis.ts analyseQuery)
 * and whether the word itself also matches as a beginning (the last word, when the analyser does not know it: a
 * word still being typed, or cut short on purpose, "kynnyks"). Words with nothing to look for ("ja", "och") are
 * left out; at most 20 words.
 */
export function learningQueryWords(q: string) {
	const words = analyseQuery(q.replace(/[\uE000\uE001]/g, ' ')).filter((word) => word.alternatives.length).slice(0, 20);
	return words.map((word, index) => ({ ...word, prefix: index === words.length - 1 && !word.known }));
}
type QueryWord = ReturnType<typeof learningQueryWords>[number];

/**
 * User text as a safe FTS5 query (SQLite's index; db/search.ts builds PostgreSQL's from the same words). Null:
 * nothing to search for.
 */
export function ftsQuery(q: string | QueryWord[]) {
	return ftsMatch(typeof q === 'string' ? learningQueryWords(q) : q);
}

/**
 * A text's words that a query matched, marked, in a window of at most `size` words around the most matches
 * (with "…" where the text goes on): what FTS5's snippet() did on the original text, but by the analysed terms,
 * so "paikoissa" marks "kohtaamispaikan". The text is analysed as when it was indexed (the same language).
 */
export function highlightMatches(text: string, query: QueryWord[], language: TextLanguage | undefined, size: number) {
	const words = analyseWords(text, language);
	const wanted = query.map((word) => ({ ...word, word: fold(word.word), alternatives: word.alternatives.map((alternative) => fold(alternative).split(' ')) }));
	const matched = words.map((word) => {
		const surface = fold(word.word);
		const terms = new Set(word.terms.map(fold));
		return wanted.findIndex(
			(q) => surface === q.word || (q.prefix && surface.startsWith(q.word)) || q.alternatives.some((tokens) => tokens.every((token) => terms.has(token)))
		);
	});
	// The window with the most different query words, then the most matches; the earliest of equals.
	let from = 0;
	if (words.length > size) {
		let best = -1;
		for (let start = 0; start + size <= words.length; start++) {
			const inside = matched.slice(start, start + size).filter((index) => index >= 0);
			const score = new Set(inside).size * 1000 + inside.length;
			if (score > best) (best = score), (from = start);
		}
	}
	const to = Math.min(words.length, from + size);
	const parts: { text: string; mark: boolean }[] = [];
	const push = (piece: string, mark: boolean) => {
		if (!piece) return;
		const last = parts.at(-1);
		if (last && last.mark === mark) last.text += piece;
		else parts.push({ text: piece, mark });
	};
	let at = from === 0 ? 0 : words[from]!.start;
	if (from > 0) push('…', false);
	for (let index = from; index < to; index++) {
		const word = words[index]!;
		push(text.slice(at, word.start), false);
		push(word.word, matched[index]! >= 0);
		at = word.end;
	}
	push(to === words.length ? text.slice(at) : ' …', false);
	return { parts, matched: matched.some((index) => index >= 0) };
}

const plainParts = (text: string, max = 280) => {
	const folded = text.replace(/\s+/g, ' ').trim();
	return folded ? [{ text: folded.length > max ? folded.slice(0, max - 1) + '…' : folded, mark: false }] : [];
};

/**
 * Ended pilots with their decision, reason and learnings. With `q`: FTS5 MATCH on the library's index, best first
 * (bm25 with the title weighted highest, then learnings and the decision's reason, then the summary), and snippets
 * whose matches are marked. Without: the most recently updated first. Finnish, Swedish and English alike: words
 * are matched by their analysed terms (text-analysis.ts), so another form of a word finds it ("olohuoneissa" →
 * "olohuone", "föräldrarna" → "föräldrar"), and as written, with case and diacritics folded ("paatos" → "päätös").
 */
export async function searchLearnings(query: LearningQuery, limit = 100) {
	const words = query.q ? learningQueryWords(query.q) : [];
	const match = ftsQuery(words);
	const base = db
		.select({
			id: pilots.id,
			programmeId: pilots.programmeId,
			title: pilots.title,
			decision: pilots.decision,
			decisionReason: pilots.decisionReason,
			perspective: pilots.perspective,
			goalId: pilots.goalId,
			goal: programmeGoals.title,
			ownerOrganisation: organisations.name,
			updatedAt: pilots.updatedAt
		})
		.from(pilots)
		.leftJoin(programmeGoals, eq(programmeGoals.id, pilots.goalId))
		.leftJoin(organisations, eq(organisations.id, pilots.ownerOrganisationId));
	const conditions = [
		query.programmeId ? eq(pilots.programmeId, query.programmeId) : undefined,
		...pilotConditions({ ...query, status: [...endedStatuses] })
	];

	type Indexed = { pilotId: string; title: string; summary: string; learnings: string; reason: string };
	let found: (Indexed & { rank: number })[] | null = null;
	if (query.q) {
		if (!match) return { results: [], searched: true };
		// The index answers the text part; the SQL filters above answer the rest (joined on pilot ids below).
		found = await matchSearchRows(words, 2000);
		if (!found.length) return { results: [], searched: true };
	}
	const rows = await base
		.where(and(...conditions, found ? inArray(pilots.id, found.map((row) => row.pilotId)) : undefined))
		.orderBy(desc(pilots.updatedAt))
		.limit(found ? 2000 : limit);
	const areaRows = rows.length
		? await db
				.select({ pilotId: pilotAreas.pilotId, code: areas.code, name: areas.name })
				.from(pilotAreas)
				.innerJoin(areas, eq(areas.code, pilotAreas.areaCode))
				.where(inArray(pilotAreas.pilotId, rows.map((row) => row.id)))
				.orderBy(asc(areas.code))
		: [];
	const areasByPilot = groupBy(areaRows, (row) => row.pilotId);
	// Without a query the learnings come straight from the index (the same text the search looks at).
	const learnings = new Map<string, string>();
	if (!found && rows.length) {
		for (const row of await searchLearningsOf(rows.map((row) => row.id))) learnings.set(row.pilotId, row.learnings);
	}
	const byId = new Map(rows.map((row) => [row.id, row]));
	const ordered = found ? found.flatMap((hit) => (byId.has(hit.pilotId) ? [{ row: byId.get(hit.pilotId)!, hit }] : [])) : rows.map((row) => ({ row, hit: null }));
	const results = ordered.slice(0, limit).map(({ row, hit }) => {
		// Highlights only for the results shown, each text analysed in the language it was indexed in.
		const language = hit ? searchTextLanguages(hit) : null;
		const reason = hit ? highlightMatches(hit.reason, words, language!.reason, 32) : null;
		return {
			id: row.id,
			programmeId: row.programmeId,
			title: row.title,
			decision: row.decision,
			decisionReason: row.decisionReason,
			perspective: row.perspective,
			goal: row.goalId && row.goal ? { id: row.goalId, title: row.goal } : null,
			ownerOrganisation: row.ownerOrganisation,
			areas: (areasByPilot.get(row.id) ?? []).map(({ code, name }) => ({ code, name })),
			decidedAt: row.updatedAt,
			// A matched reason is shown with its highlights; otherwise the whole reason is plain text.
			reasonParts: reason?.matched ? reason.parts : plainParts(row.decisionReason, 1000),
			learningParts: hit ? highlightMatches(hit.learnings, words, language!.learnings, 24).parts : plainParts(learnings.get(row.id) ?? '')
		};
	});
	return { results, searched: !!query.q };
}
export type LearningResult = Awaited<ReturnType<typeof searchLearnings>>['results'][number];

// Exports ----------------------------------------------------------------------------------------------

// Column names are stable machine names (the same in every language) so scripts keep working; the data dictionary
// describes them in the reader's language. Enumerations are stored codes (`running`, `scale`), listed with their
// labels in the dictionary. Dates are ISO 8601 (yyyy-mm-dd); timestamps ISO 8601 in UTC; decimals use a dot.

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : '');
const bool = (value: boolean | null | undefined) => (value == null ? '' : value ? 'true' : 'false');

const pilotColumns = [
	'pilot_id',
	'title',
	'status',
	'decision',
	'decision_reason',
	'goal_id',
	'goal',
	'owner_organisation',
	'perspective',
	'target_group',
	'area_codes',
	'starts_on',
	'ends_on',
	'cadence_weeks',
	'budget_euros',
	'summary',
	'hypothesis',
	'latest_check_in_on',
	'latest_check_in_status',
	'next_check_in_due',
	'indicators',
	'source_workshop_id',
	'created_at',
	'updated_at'
] as const;

const checkInColumns = [
	'check_in_id',
	'series_id',
	'version',
	'is_current',
	'pilot_id',
	'pilot_title',
	'reported_on',
	'status',
	'happened',
	'learned',
	'next_steps',
	'impact_residents',
	'impact_local_actors',
	'impact_institutions',
	'readings',
	'written_at'
] as const;

/** The programme's pilots, one row each (see `dataDictionaryCsv`). */
export async function pilotsCsv(programmeId: string, today = isoToday()) {
	const all = await db.select().from(pilots).where(eq(pilots.programmeId, programmeId)).orderBy(asc(pilots.createdAt), asc(pilots.id));
	const dashboard = await programmeDashboard(programmeId, {}, today);
	if (!dashboard) return undefined;
	const summary = new Map(dashboard.pilots.map((pilot) => [pilot.id, pilot]));
	const indicatorRows = await db
		.select()
		.from(pilotIndicators)
		.innerJoin(pilots, eq(pilots.id, pilotIndicators.pilotId))
		.where(eq(pilots.programmeId, programmeId))
		.orderBy(asc(pilotIndicators.position));
	const indicatorsByPilot = groupBy(
		indicatorRows.map((row) => row.pilot_indicators),
		(row) => row.pilotId
	);
	const rows = all.map((pilot) => {
		const seen = summary.get(pilot.id)!;
		const indicators = (indicatorsByPilot.get(pilot.id) ?? []).map((indicator) => ({
			id: indicator.id,
			name: indicator.name,
			unit: indicator.unit,
			baseline: indicator.baseline,
			target: indicator.target,
			higher_is_better: indicator.higherIsBetter,
			indicator_key: indicator.indicatorKey,
			area_code: indicator.areaCode
		}));
		return [
			pilot.id,
			pilot.title,
			pilot.status,
			pilot.decision ?? '',
			pilot.decisionReason,
			pilot.goalId ?? '',
			seen.goal?.title ?? '',
			seen.ownerOrganisation?.name ?? '',
			pilot.perspective,
			pilot.targetGroup,
			seen.areas.map((area) => area.code).join(';'),
			pilot.startsOn ?? '',
			pilot.endsOn ?? '',
			pilot.cadenceWeeks,
			pilot.budgetEuros,
			pilot.summary,
			pilot.hypothesis,
			seen.latestCheckIn?.reportedOn ?? '',
			seen.latestCheckIn?.status ?? '',
			seen.nextCheckIn?.due ?? '',
			JSON.stringify(indicators),
			pilot.sourceWorkshopId ?? '',
			iso(pilot.createdAt),
			iso(pilot.updatedAt)
		];
	});
	return toCsv([[...pilotColumns], ...rows]);
}

/** Every check-in version of the programme's pilots, pilot by pilot, oldest report first, versions in order. */
function checkInVersions(programmeId: string) {
	return db
		.select({ checkIn: checkIns, pilotTitle: pilots.title, current: sql<number>`${isCurrentVersion()}` })
		.from(checkIns)
		.innerJoin(pilots, eq(pilots.id, checkIns.pilotId))
		.where(eq(pilots.programmeId, programmeId))
		.orderBy(asc(pilots.createdAt), asc(pilots.id), asc(checkIns.reportedOn), asc(checkIns.seriesId), asc(checkIns.version));
}

/** Every reading of those versions, with its indicator's name and unit, in the indicators' order. */
function checkInReadingRows(programmeId: string) {
	return db
		.select({ checkInId: checkInReadings.checkInId, indicatorId: checkInReadings.indicatorId, indicator: pilotIndicators.name, unit: pilotIndicators.unit, value: checkInReadings.value })
		.from(checkInReadings)
		.innerJoin(pilotIndicators, eq(pilotIndicators.id, checkInReadings.indicatorId))
		.innerJoin(pilots, eq(pilots.id, pilotIndicators.pilotId))
		.where(eq(pilots.programmeId, programmeId))
		.orderBy(asc(pilotIndicators.position));
}

/**
 * Every check-in version of the programme's pilots (corrections included, `is_current` marks the text in force),
 * one row per version with its readings as a JSON array in one column: a row per reading would repeat every text
 * field for each indicator.
 */
export async function checkInsCsv(programmeId: string) {
	const rows = await checkInVersions(programmeId);
	const readingsByCheckIn = groupBy(await checkInReadingRows(programmeId), (row) => row.checkInId);
	return toCsv([
		[...checkInColumns],
		...rows.map(({ checkIn, pilotTitle, current }) => [
			checkIn.id,
			checkIn.seriesId,
			checkIn.version,
			bool(!!current),
			checkIn.pilotId,
			pilotTitle,
			checkIn.reportedOn,
			checkIn.status,
			checkIn.happened,
			checkIn.learned,
			checkIn.nextSteps,
			checkIn.impactResidents,
			checkIn.impactLocalActors,
			checkIn.impactInstitutions,
			JSON.stringify(
				(readingsByCheckIn.get(checkIn.id) ?? []).map((reading) => ({
					indicator_id: reading.indicatorId,
					indicator: reading.indicator,
					unit: reading.unit,
					value: reading.value
				}))
			),
			iso(checkIn.writtenAt)
		])
	]);
}

const allowed = <K extends string>(values: readonly K[], labels: Record<K, () => string>) => values.map((value) => `${value} (${labels[value]()})`).join('; ');

/** Every column of both files: what it means, its type and allowed values (descriptions in the reader's language). */
export function dataDictionaryCsv() {
	const pilotsFile = 'pilots.csv';
	const checkInsFile = 'checkins.csv';
	const t = {
		id: 'string',
		text: 'string',
		date: 'date (ISO 8601, yyyy-mm-dd)',
		datetime: 'datetime (ISO 8601, UTC)',
		integer: 'integer',
		boolean: 'boolean (true / false)',
		json: 'JSON',
		code: 'code'
	};
	const rows: [file: string, column: string, type: string, description: string, allowedValues: string][] = [
		[pilotsFile, 'pilot_id', t.id, m.outcomes_dict_pilot_id(), ''],
		[pilotsFile, 'title', t.text, m.outcomes_dict_title(), ''],
		[pilotsFile, 'status', t.code, m.outcomes_dict_status(), allowed(pilotStatuses, pilotStatusLabels)],
		[pilotsFile, 'decision', t.code, m.outcomes_dict_decision(), allowed(pilotDecisions, pilotDecisionLabels)],
		[pilotsFile, 'decision_reason', t.text, m.outcomes_dict_decision_reason(), ''],
		[pilotsFile, 'goal_id', t.id, m.outcomes_dict_goal_id(), ''],
		[pilotsFile, 'goal', t.text, m.outcomes_dict_goal(), ''],
		[pilotsFile, 'owner_organisation', t.text, m.outcomes_dict_owner_organisation(), ''],
		[pilotsFile, 'perspective', t.text, m.outcomes_dict_perspective(), ''],
		[pilotsFile, 'target_group', t.text, m.outcomes_dict_target_group(), ''],
		[pilotsFile, 'area_codes', t.text, m.outcomes_dict_area_codes(), m.outcomes_dict_area_codes_values()],
		[pilotsFile, 'starts_on', t.date, m.outcomes_dict_starts_on(), ''],
		[pilotsFile, 'ends_on', t.date, m.outcomes_dict_ends_on(), ''],
		[pilotsFile, 'cadence_weeks', t.integer, m.outcomes_dict_cadence_weeks(), '1–52'],
		[pilotsFile, 'budget_euros', t.integer, m.outcomes_dict_budget_euros(), '≥ 0'],
		[pilotsFile, 'summary', t.text, m.outcomes_dict_summary(), ''],
		[pilotsFile, 'hypothesis', t.text, m.outcomes_dict_hypothesis(), ''],
		[pilotsFile, 'latest_check_in_on', t.date, m.outcomes_dict_latest_check_in_on(), ''],
		[pilotsFile, 'latest_check_in_status', t.code, m.outcomes_dict_latest_check_in_status(), allowed(checkInStatuses, checkInStatusLabels)],
		[pilotsFile, 'next_check_in_due', t.date, m.outcomes_dict_next_check_in_due(), ''],
		[pilotsFile, 'indicators', t.json, m.outcomes_dict_indicators(), m.outcomes_dict_indicators_values()],
		[pilotsFile, 'source_workshop_id', t.id, m.outcomes_dict_source_workshop_id(), ''],
		[pilotsFile, 'created_at', t.datetime, m.outcomes_dict_created_at(), ''],
		[pilotsFile, 'updated_at', t.datetime, m.outcomes_dict_updated_at(), ''],
		[checkInsFile, 'check_in_id', t.id, m.outcomes_dict_check_in_id(), ''],
		[checkInsFile, 'series_id', t.id, m.outcomes_dict_series_id(), ''],
		[checkInsFile, 'version', t.integer, m.outcomes_dict_version(), '≥ 1'],
		[checkInsFile, 'is_current', t.boolean, m.outcomes_dict_is_current(), 'true; false'],
		[checkInsFile, 'pilot_id', t.id, m.outcomes_dict_check_in_pilot_id(), ''],
		[checkInsFile, 'pilot_title', t.text, m.outcomes_dict_pilot_title(), ''],
		[checkInsFile, 'reported_on', t.date, m.outcomes_dict_reported_on(), ''],
		[checkInsFile, 'status', t.code, m.outcomes_dict_check_in_status(), allowed(checkInStatuses, checkInStatusLabels)],
		[checkInsFile, 'happened', t.text, m.outcomes_dict_happened(), ''],
		[checkInsFile, 'learned', t.text, m.outcomes_dict_learned(), ''],
		[checkInsFile, 'next_steps', t.text, m.outcomes_dict_next_steps(), ''],
		[checkInsFile, 'impact_residents', t.text, m.outcomes_dict_impact_residents(), ''],
		[checkInsFile, 'impact_local_actors', t.text, m.outcomes_dict_impact_local_actors(), ''],
		[checkInsFile, 'impact_institutions', t.text, m.outcomes_dict_impact_institutions(), ''],
		[checkInsFile, 'readings', t.json, m.outcomes_dict_readings(), m.outcomes_dict_readings_values()],
		[checkInsFile, 'written_at', t.datetime, m.outcomes_dict_written_at(), '']
	];
	return toCsv([['file', 'column', 'type', 'description', 'allowed_values'], ...rows]);
}

// Tables for people (Excel workbook and Excel CSV) ------------------------------------------------------

const labelsOf = <K extends string>(values: readonly K[], labels: Record<K, () => string>) => values.map((value) => labels[value]()).join('; ');

/** The canvas fields a pilot keeps besides its own hypothesis and target group columns. */
const pilotCanvasFields = canvasFields.filter((field) => field !== 'hypothesis' && field !== 'targetGroup');

type CheckInVersion = Awaited<ReturnType<typeof checkInVersions>>[number];

/** The check-ins sheet's own columns, before one per indicator. */
function checkInSheetColumns(): (Column & { value: (row: CheckInVersion) => Cell })[] {
	return [
		{ header: m.export_col_check_in_id(), type: 'id', description: m.outcomes_dict_check_in_id(), value: (row) => row.checkIn.id },
		{ header: m.export_col_series_id(), type: 'id', description: m.outcomes_dict_series_id(), value: (row) => row.checkIn.seriesId },
		{ header: m.export_col_version(), type: 'integer', description: m.outcomes_dict_version(), allowed: '≥ 1', value: (row) => row.checkIn.version },
		{ header: m.export_col_is_current(), type: 'boolean', description: m.outcomes_dict_is_current(), value: (row) => !!row.current },
		{ header: m.export_col_pilot_id(), type: 'id', description: m.export_dict_pilot_ref(), value: (row) => row.checkIn.pilotId },
		{ header: m.export_col_pilot(), type: 'text', description: m.outcomes_dict_pilot_title(), value: (row) => row.pilotTitle },
		{ header: m.export_col_reported_on(), type: 'date', description: m.outcomes_dict_reported_on(), value: (row) => row.checkIn.reportedOn },
		{
			header: m.export_col_check_in_status(),
			type: 'text',
			description: m.outcomes_dict_check_in_status(),
			allowed: labelsOf(checkInStatuses, checkInStatusLabels),
			value: (row) => checkInStatusLabels[row.checkIn.status]()
		},
		{ header: m.export_col_happened(), type: 'text', description: m.outcomes_dict_happened(), value: (row) => row.checkIn.happened },
		{ header: m.export_col_learned(), type: 'text', description: m.outcomes_dict_learned(), value: (row) => row.checkIn.learned },
		{ header: m.export_col_next_steps(), type: 'text', description: m.outcomes_dict_next_steps(), value: (row) => row.checkIn.nextSteps },
		{ header: m.export_col_impact_residents(), type: 'text', description: m.outcomes_dict_impact_residents(), value: (row) => row.checkIn.impactResidents },
		{ header: m.export_col_impact_local_actors(), type: 'text', description: m.outcomes_dict_impact_local_actors(), value: (row) => row.checkIn.impactLocalActors },
		{ header: m.export_col_impact_institutions(), type: 'text', description: m.outcomes_dict_impact_institutions(), value: (row) => row.checkIn.impactInstitutions },
		{ header: m.export_col_written_at(), type: 'datetime', description: m.outcomes_dict_written_at(), value: (row) => row.checkIn.writtenAt }
	];
}

const checkInColumnHeaders = () => checkInSheetColumns().map((column) => column.header);

/**
 * The programme as tables in the reader's language: pilots, their indicators, every check-in version with one
 * column per indicator ("name (unit)"; indicators of different pilots with the same name and unit share a column,
 * so a programme-wide measure lines up), and the pilots' areas. Enumerations are shown as their labels, days as
 * days. Undefined for an unknown programme.
 */
export async function programmeTables(programmeId: string, today = isoToday()) {
	const dashboard = await programmeDashboard(programmeId, {}, today);
	if (!dashboard) return undefined;
	const summary = new Map(dashboard.pilots.map((pilot) => [pilot.id, pilot]));
	const pilotRows = await db.select().from(pilots).where(eq(pilots.programmeId, programmeId)).orderBy(asc(pilots.createdAt), asc(pilots.id));
	const pilotList = pilotRows.map((pilot) => ({ pilot, seen: summary.get(pilot.id)! }));
	const indicatorRows = (await db
		.select({ indicator: pilotIndicators })
		.from(pilotIndicators)
		.innerJoin(pilots, eq(pilots.id, pilotIndicators.pilotId))
		.where(eq(pilots.programmeId, programmeId))
		.orderBy(asc(pilots.createdAt), asc(pilots.id), asc(pilotIndicators.position)))
		.map((row) => row.indicator);

	// One check-in column per indicator heading; a pilot's two indicators with one heading are told apart by area
	// (then by number), and none takes the heading of a fixed column ("Versio" is a version, not a measure).
	const reserved = new Set(checkInColumnHeaders().map((header) => header.toLowerCase()));
	const headingOf = new Map<string, string>();
	const readingColumns: { header: string; name: string; unit: string }[] = [];
	for (const [, indicators] of groupBy(indicatorRows, (row) => row.pilotId)) {
		const used = new Set<string>(reserved);
		for (const indicator of indicators) {
			const unit = indicator.unit.trim();
			const label = (name: string) => (unit ? `${name} (${unit})` : name);
			const taken = (header: string) => used.has(header.toLowerCase());
			let header = label(indicator.name);
			if (taken(header) && indicator.areaCode) header = label(`${indicator.name}, ${indicator.areaCode}`);
			for (let n = 2; taken(header); n++) header = label(`${indicator.name} ${n}`);
			used.add(header.toLowerCase());
			headingOf.set(indicator.id, header);
			if (!readingColumns.some((column) => column.header === header)) readingColumns.push({ header, name: indicator.name, unit });
		}
	}
	const latestReading = new Map(dashboard.pilots.flatMap((pilot) => pilot.indicators.map((indicator) => [indicator.id, indicator.latest] as const)));
	const titleOf = new Map(pilotRows.map((pilot) => [pilot.id, pilot.title]));

	type PilotRow = (typeof pilotList)[number];
	const pilotsSheet = defineTable<PilotRow>(
		m.export_sheet_pilots(),
		[
			{ header: m.export_col_pilot_id(), type: 'id', description: m.outcomes_dict_pilot_id(), value: ({ pilot }) => pilot.id },
			{ header: m.export_col_pilot(), type: 'text', description: m.outcomes_dict_title(), value: ({ pilot }) => pilot.title },
			{ header: m.export_col_status(), type: 'text', description: m.outcomes_dict_status(), allowed: labelsOf(pilotStatuses, pilotStatusLabels), value: ({ pilot }) => pilotStatusLabels[pilot.status]() },
			{
				header: m.export_col_decision(),
				type: 'text',
				description: m.outcomes_dict_decision(),
				allowed: labelsOf(pilotDecisions, pilotDecisionLabels),
				value: ({ pilot }) => (pilot.decision ? pilotDecisionLabels[pilot.decision]() : null)
			},
			{ header: m.export_col_decision_reason(), type: 'text', description: m.outcomes_dict_decision_reason(), value: ({ pilot }) => pilot.decisionReason },
			{ header: m.export_col_goal(), type: 'text', description: m.outcomes_dict_goal(), value: ({ seen }) => seen.goal?.title },
			{ header: m.export_col_owner_organisation(), type: 'text', description: m.outcomes_dict_owner_organisation(), value: ({ seen }) => seen.ownerOrganisation?.name },
			{ header: m.export_col_perspective(), type: 'text', description: m.outcomes_dict_perspective(), value: ({ pilot }) => pilot.perspective },
			{ header: m.export_col_target_group(), type: 'text', description: m.outcomes_dict_target_group(), value: ({ pilot }) => pilot.targetGroup },
			{
				header: m.export_col_areas(),
				type: 'text',
				description: m.export_dict_areas(),
				allowed: m.export_dict_areas_values(),
				// Names with the codes: text a spreadsheet cannot take for a number (00420 would lose its zeros).
				value: ({ seen }) => seen.areas.map((area) => `${area.code} ${area.name}`).join('; ')
			},
			{ header: m.export_col_starts_on(), type: 'date', description: m.outcomes_dict_starts_on(), value: ({ pilot }) => pilot.startsOn },
			{ header: m.export_col_ends_on(), type: 'date', description: m.outcomes_dict_ends_on(), value: ({ pilot }) => pilot.endsOn },
			{ header: m.export_col_cadence_weeks(), type: 'integer', description: m.outcomes_dict_cadence_weeks(), allowed: '1–52', value: ({ pilot }) => pilot.cadenceWeeks },
			{ header: m.export_col_budget_euros(), type: 'integer', description: m.outcomes_dict_budget_euros(), allowed: '≥ 0', value: ({ pilot }) => pilot.budgetEuros },
			{ header: m.export_col_summary(), type: 'text', description: m.outcomes_dict_summary(), value: ({ pilot }) => pilot.summary },
			{ header: m.export_col_hypothesis(), type: 'text', description: m.outcomes_dict_hypothesis(), value: ({ pilot }) => pilot.hypothesis },
			...pilotCanvasFields.map((field: CanvasField) => ({
				header: canvasFieldLabels[field](),
				type: 'text' as const,
				description: m.export_dict_canvas_pilot({ field: canvasFieldLabels[field]() }),
				value: ({ pilot }: PilotRow) => pilot.canvas[field] ?? ''
			})),
			{ header: m.export_col_latest_check_in_on(), type: 'date', description: m.outcomes_dict_latest_check_in_on(), value: ({ seen }) => seen.latestCheckIn?.reportedOn },
			{
				header: m.export_col_latest_check_in_status(),
				type: 'text',
				description: m.outcomes_dict_latest_check_in_status(),
				allowed: labelsOf(checkInStatuses, checkInStatusLabels),
				value: ({ seen }) => (seen.latestCheckIn ? checkInStatusLabels[seen.latestCheckIn.status]() : null)
			},
			{ header: m.export_col_next_check_in_due(), type: 'date', description: m.outcomes_dict_next_check_in_due(), value: ({ seen }) => seen.nextCheckIn?.due },
			{ header: m.export_col_indicator_count(), type: 'integer', description: m.export_dict_indicator_count(), value: ({ seen }) => seen.indicators.length },
			{ header: m.export_col_source_workshop_id(), type: 'id', description: m.outcomes_dict_source_workshop_id(), value: ({ pilot }) => pilot.sourceWorkshopId },
			{ header: m.export_col_created_at(), type: 'datetime', description: m.outcomes_dict_created_at(), value: ({ pilot }) => pilot.createdAt },
			{ header: m.export_col_updated_at(), type: 'datetime', description: m.outcomes_dict_updated_at(), value: ({ pilot }) => pilot.updatedAt }
		],
		pilotList
	);

	type IndicatorRow = (typeof indicatorRows)[number];
	const indicatorsSheet = defineTable<IndicatorRow>(
		m.export_sheet_indicators(),
		[
			{ header: m.export_col_pilot_id(), type: 'id', description: m.export_dict_pilot_ref(), value: (row) => row.pilotId },
			{ header: m.export_col_pilot(), type: 'text', description: m.outcomes_dict_title(), value: (row) => titleOf.get(row.pilotId) },
			{ header: m.export_col_indicator(), type: 'text', description: m.export_dict_indicator(), value: (row) => row.name },
			{ header: m.export_col_unit(), type: 'text', description: m.export_dict_unit(), value: (row) => row.unit },
			{ header: m.export_col_area_code(), type: 'id', description: m.export_dict_indicator_area(), value: (row) => row.areaCode },
			{ header: m.export_col_baseline(), type: 'decimal', description: m.export_dict_baseline(), value: (row) => row.baseline },
			{ header: m.export_col_target(), type: 'decimal', description: m.export_dict_target(), value: (row) => row.target },
			{ header: m.export_col_higher_is_better(), type: 'boolean', description: m.export_dict_higher_is_better(), value: (row) => row.higherIsBetter },
			{ header: m.export_col_latest_reading(), type: 'decimal', description: m.export_dict_latest_reading(), value: (row) => latestReading.get(row.id) },
			{ header: m.export_col_readings_column(), type: 'text', description: m.export_dict_readings_column(), value: (row) => headingOf.get(row.id) }
		],
		indicatorRows
	);

	const checkInRows = await checkInVersions(programmeId);
	const readingsByCheckIn = groupBy(await checkInReadingRows(programmeId), (row) => row.checkInId);
	type CheckInRow = (typeof checkInRows)[number];
	const checkInsSheet = defineTable<CheckInRow>(
		m.export_sheet_checkins(),
		[
			...checkInSheetColumns(),
			...readingColumns.map(({ header, name, unit }) => ({
				header,
				type: 'decimal' as const,
				description: unit ? m.export_dict_reading({ name, unit }) : m.export_dict_reading_no_unit({ name }),
				value: (row: CheckInRow): Cell => readingsByCheckIn.get(row.checkIn.id)?.find((reading) => headingOf.get(reading.indicatorId) === header)?.value
			}))
		],
		checkInRows
	);

	const targetCodes = new Set(dashboard.programme.targetAreas.map((area) => area.code));
	const areaRows = pilotList.flatMap(({ pilot, seen }) => seen.areas.map((area) => ({ pilot, area })));
	const areasSheet = defineTable<(typeof areaRows)[number]>(
		m.export_sheet_areas(),
		[
			{ header: m.export_col_pilot_id(), type: 'id', description: m.export_dict_pilot_ref(), value: (row) => row.pilot.id },
			{ header: m.export_col_pilot(), type: 'text', description: m.outcomes_dict_title(), value: (row) => row.pilot.title },
			{ header: m.export_col_area_code(), type: 'id', description: m.export_dict_area_code(), value: (row) => row.area.code },
			{ header: m.export_col_area(), type: 'text', description: m.export_dict_area(), value: (row) => row.area.name },
			{ header: m.export_col_programme_target(), type: 'boolean', description: m.export_dict_programme_target(), value: (row) => targetCodes.has(row.area.code) }
		],
		areaRows
	);

	return { pilots: pilotsSheet, indicators: indicatorsSheet, checkIns: checkInsSheet, areas: areasSheet };
}

/** The workbook's sheets in order, the data dictionary last. */
function workbookTables(tables: NonNullable<Awaited<ReturnType<typeof programmeTables>>>): Table[] {
	const sheets = [tables.pilots, tables.indicators, tables.checkIns, tables.areas];
	return [...sheets, dictionaryTable(sheets)];
}

/** The whole programme as an Excel workbook in the reader's language. */
export async function programmeXlsx(programmeId: string, locale: Locale = getLocale()) {
	const tables = await programmeTables(programmeId);
	return tables && await toXlsx(workbookTables(tables), locale);
}

/** One sheet of the workbook (pilots, check-ins or the data dictionary) as CSV for Excel. */
export async function programmeExcelCsv(programmeId: string, sheet: 'pilots' | 'checkIns' | 'dictionary', locale: Locale = getLocale()) {
	const tables = await programmeTables(programmeId);
	if (!tables) return undefined;
	return toExcelCsv(sheet === 'dictionary' ? workbookTables(tables).at(-1)! : tables[sheet], locale);
}

// Access and downloads ---------------------------------------------------------------------------------

/**
 * Who may follow a programme's outcomes: its leads and members (programmeRole); 404 for an unknown programme.
 * Asked on every dashboard request (several queries), so the answer is reused until the next database write.
 */
export function resolveOutcomeAccess(programmeId: string, user: Pick<SessionUser, 'id' | 'isAdmin'> | null) {
	return unchangedSinceLastWrite(`access|${programmeId}|${user ? `${user.id}|${user.isAdmin}` : ''}`, () => outcomeAccess(programmeId, user));
}

async function outcomeAccess(programmeId: string, user: Pick<SessionUser, 'id' | 'isAdmin'> | null) {
	const programme = await getProgramme(programmeId);
	if (!programme) return { ok: false as const, status: 404 as const };
	const role = user ? await programmeRole(programmeId, user) : null;
	if (!role) return { ok: false as const, status: 403 as const };
	return { ok: true as const, programme, role };
}

const plain = (status: number, text: string) =>
	new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });

const csvType = 'text/csv; charset=utf-8';
const exportFiles = {
	pilots: { build: (programmeId: string) => pilotsCsv(programmeId), name: () => 'pilots', extension: 'csv', contentType: csvType },
	checkins: { build: (programmeId: string) => checkInsCsv(programmeId), name: () => 'checkins', extension: 'csv', contentType: csvType },
	dictionary: { build: () => dataDictionaryCsv(), name: () => 'data-dictionary', extension: 'csv', contentType: csvType },
	'pilots-excel': { build: (id: string) => programmeExcelCsv(id, 'pilots'), name: () => `${m.export_sheet_pilots()} (Excel)`, extension: 'csv', contentType: csvType },
	'checkins-excel': { build: (id: string) => programmeExcelCsv(id, 'checkIns'), name: () => `${m.export_sheet_checkins()} (Excel)`, extension: 'csv', contentType: csvType },
	'dictionary-excel': { build: (id: string) => programmeExcelCsv(id, 'dictionary'), name: () => `${m.export_sheet_dictionary()} (Excel)`, extension: 'csv', contentType: csvType },
	xlsx: { build: (id: string) => programmeXlsx(id), name: () => '', extension: 'xlsx', contentType: xlsxContentType }
} as const;

/**
 * The answer of a stable export address (`/programmes/{id}/pilots.csv|checkins.csv|data-dictionary.csv`, their
 * `-excel.csv` twins and `export.xlsx`), for people who script it: the file for leads and members, a translated
 * plain 403 for anyone else (signed in or not, so a script gets an answer instead of a sign-in page), 404 for an
 * unknown programme.
 */
export async function outcomeExportResponse(programmeId: string, user: Pick<SessionUser, 'id' | 'isAdmin'> | null, file: keyof typeof exportFiles) {
	const allowed = await resolveOutcomeAccess(programmeId, user);
	if (!allowed.ok) return allowed.status === 404 ? plain(404, m.outcomes_programme_not_found()) : plain(403, m.outcomes_forbidden());
	const { build, name, extension, contentType } = exportFiles[file];
	const body = await build(programmeId);
	if (body === undefined) return plain(404, m.outcomes_programme_not_found());
	return new Response(typeof body === 'string' ? body : new Uint8Array(body), {
		headers: {
			'content-type': contentType,
			'content-disposition': attachmentHeader(`${allowed.programme.name} ${name()}`.trim(), extension),
			'cache-control': 'no-store'
		}
	});
}
