// The workshop report: the board (Yjs), the vote rounds and the workshop's details assembled on the server for
// the report page and the CSV and Markdown exports. A round's results appear only when `resultsVisible` says so
// (hidden results stay hidden until revealed, for everyone); tallies never carry voter ids, so anonymous rounds
// stay anonymous here too. Texts are in the request's language (Paraglide's middleware sets it).
import { canvasFieldLabels, voteMethodLabels, voteStatusLabels } from '../labels';
import { canvasFields, ideaText, viewBoard, type CanvasField } from '../board/model';
import { formatDate, formatDateTime, formatNumber } from '../format';
import { m } from '../paraglide/messages.js';
import { getLocale, type Locale } from '../paraglide/runtime.js';
import { readBoardDoc } from './collab';
import type { SessionUser } from './session';
import { defineTable, defuseFormula, dictionaryTable, toExcelCsv, toXlsx, xlsxContentType, type Cell, type Column, type Table } from './spreadsheets';
import { listRounds, resultsVisible, tally, type TallyItem } from './voting';
import { getWorkshop, getWorkshopDetails, listParticipants, resolveWorkshopAccess } from './workshops';

// Access -----------------------------------------------------------------------------------------------

/**
 * Who may read a workshop's report and exports: its facilitators and participants. Observers too: they already
 * see the whole board live, and the report holds nothing the board and the revealed results do not.
 */
export async function resolveReportAccess(
	workshopId: string,
	who: { user: Pick<SessionUser, 'id' | 'name'> | null; guestToken: string | undefined }
) {
	const workshop = await getWorkshop(workshopId);
	if (!workshop) return { ok: false as const, status: 404 as const };
	const access = await resolveWorkshopAccess(workshopId, who);
	if (!access) return { ok: false as const, status: 403 as const };
	return { ok: true as const, workshop, access };
}

// Assembling -------------------------------------------------------------------------------------------

/** One item's result in a round, in the shape ResultsChart.svelte takes. */
function resultOf(item: TallyItem) {
	return {
		itemId: item.itemId,
		kind: item.kind,
		text: item.text,
		score: item.score,
		rank: item.rank,
		chosen: item.chosen,
		meanImpact: item.meanImpact,
		meanFeasibility: item.meanFeasibility
	};
}

/** The rounds oldest first, numbered from 1; results only where they may be seen. */
async function assembleRounds(workshopId: string) {
	const rounds = (await listRounds(workshopId)).reverse();
	const assembled = [];
	for (const [index, round] of rounds.entries()) {
			const visible = resultsVisible(round);
			assembled.push({
				id: round.id,
				number: index + 1,
				title: m.votes_round_heading({ number: index + 1, method: voteMethodLabels[round.method]() }),
				method: round.method,
				status: round.status,
				anonymous: round.anonymous,
				turnout: round.turnout,
				openedAt: round.openedAt,
				visible,
				results: visible ? (await tally(round.id)).items.map(resultOf) : null
			});
	}
	return assembled;
}

export type ReportRound = Awaited<ReturnType<typeof assembleRounds>>[number];

/** Participants per organisation, invited organisations included (with 0 when nobody from them joined). */
async function countOrganisations(workshopId: string, invited: string[]) {
	const counts = new Map<string, number>(invited.map((name) => [name, 0]));
	let unknown = 0;
	const people = await listParticipants(workshopId);
	for (const person of people) {
		const name = person.organisationName.trim();
		if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
		else unknown++;
	}
	const organisations = [...counts]
		.map(([name, count]) => ({ name, count }))
		.sort((a, b) => b.count - a.count || a.name.localeCompare(b.name, 'fi'));
	if (unknown) organisations.push({ name: m.report_organisation_none(), count: unknown });
	return { organisations, total: people.length };
}

/** Everything the report shows, or undefined for an unknown workshop. */
export async function assembleReport(workshopId: string) {
	const details = await getWorkshopDetails(workshopId);
	if (!details) return undefined;
	const doc = await readBoardDoc(workshopId);
	const board = viewBoard(doc);
	const canvasOf = (ideaId: string) =>
		canvasFields.map((field) => ({ field, label: canvasFieldLabels[field](), text: ideaText(doc, ideaId, field)?.toString() ?? '' }));

	// Lanes in the perspectives' order; items on a lane nobody knows (a deleted perspective) go to "other".
	const otherLane = '';
	const laneIds = new Set(details.perspectives.map((p) => p.id));
	const laneOf = (lane: string) => (laneIds.has(lane) ? lane : otherLane);
	const laneTitle = (lane: string) => details.perspectives.find((p) => p.id === lane)?.title ?? m.board_lane_other();
	const clusterIds = new Set(board.clusters.map((c) => c.id));
	const clusterOf = (id: string | null) => (id && clusterIds.has(id) ? id : null);
	const clusterName = (id: string | null) => {
		const cluster = board.clusters.find((c) => c.id === id);
		return cluster ? cluster.name || m.report_cluster_unnamed() : '';
	};

	const notes = board.notes.map((note) => ({
		id: note.id,
		text: note.text,
		lane: laneOf(note.lane),
		clusterId: clusterOf(note.clusterId),
		authorName: note.authorName.trim()
	}));
	const clusters = board.clusters.map((cluster) => ({ id: cluster.id, name: clusterName(cluster.id), lane: laneOf(cluster.lane) }));
	const ideas = board.ideas.map((idea) => {
		const sourceNote = idea.source?.kind === 'note' ? notes.find((n) => n.id === idea.source!.id) : undefined;
		const sourceCluster = idea.source?.kind === 'cluster' ? clusters.find((c) => c.id === idea.source!.id) : undefined;
		return {
			id: idea.id,
			title: idea.title,
			lane: laneOf(idea.lane),
			source: idea.source,
			sourceText: sourceNote?.text ?? sourceCluster?.name ?? '',
			clusterId: sourceCluster?.id ?? sourceNote?.clusterId ?? null,
			canvas: Object.fromEntries(canvasFields.map((field) => [field, ideaText(doc, idea.id, field)?.toString() ?? ''])) as Record<CanvasField, string>
		};
	});

	const shownLanes = [...details.perspectives.map((p) => p.id)];
	if ([...notes, ...clusters, ...ideas].some((item) => item.lane === otherLane)) shownLanes.push(otherLane);
	const lanes = shownLanes.map((lane) => ({
		id: lane,
		title: laneTitle(lane),
		clusters: clusters
			.filter((cluster) => cluster.lane === lane)
			.map((cluster) => ({ ...cluster, notes: notes.filter((note) => note.clusterId === cluster.id) })),
		notes: notes.filter((note) => note.lane === lane && !note.clusterId),
		ideas: ideas.filter((idea) => idea.lane === lane)
	}));

	const rounds = await assembleRounds(workshopId);

	// Chosen: only from rounds whose results may be seen (a choice made on hidden results would leak them).
	// A chosen note or cluster is refined in the idea card made from it.
	const chosenItems = new Map<string, { kind: TallyItem['kind']; text: string }>();
	for (const round of rounds)
		for (const result of round.results ?? []) if (result.chosen) chosenItems.set(result.itemId, { kind: result.kind, text: result.text });
	const chosenIdeaFor = (itemId: string, kind: TallyItem['kind']) =>
		kind === 'idea' ? ideas.find((idea) => idea.id === itemId) : ideas.find((idea) => idea.source?.kind === kind && idea.source.id === itemId);
	const chosen: {
		key: string;
		/** the idea card refining it, when there is one (a pilot can be proposed from it) */
		ideaId: string | null;
		title: string;
		laneTitle: string | null;
		sourceText: string;
		canvas: ReturnType<typeof canvasOf> | null;
	}[] = [];
	const seen = new Set<string>();
	for (const [itemId, item] of chosenItems) {
		const idea = chosenIdeaFor(itemId, item.kind);
		const key = idea?.id ?? itemId;
		if (seen.has(key)) continue;
		seen.add(key);
		chosen.push(
			idea
				? { key, ideaId: idea.id, title: idea.title || m.board_idea_untitled(), laneTitle: laneTitle(idea.lane), sourceText: idea.sourceText, canvas: canvasOf(idea.id) }
				: { key, ideaId: null, title: item.text || m.board_idea_untitled(), laneTitle: null, sourceText: '', canvas: null }
		);
	}

	const { organisations, total } = await countOrganisations(
		workshopId,
		details.organisations.map((o) => o.name)
	);
	doc.destroy();
	return {
		workshop: {
			id: details.workshop.id,
			title: details.workshop.title,
			theme: details.workshop.theme,
			description: details.workshop.description,
			startsAt: details.workshop.startsAt
		},
		perspectives: details.perspectives.map(({ id, title, description }) => ({ id, title, description })),
		organisations,
		participantCount: total,
		lanes,
		notes,
		clusters,
		ideas,
		rounds,
		chosen,
		chosenItemIds: [...chosenItems.keys()],
		laneTitle,
		clusterName
	};
}

export type WorkshopReport = NonNullable<Awaited<ReturnType<typeof assembleReport>>>;

/** The report as plain data for the report page: no functions, and no authors (the page shows none). */
export async function loadReportPage(workshopId: string) {
	const report = await assembleReport(workshopId);
	if (!report) return undefined;
	const { workshop, perspectives, organisations, participantCount, rounds, chosen } = report;
	const plainNote = (note: { id: string; text: string }) => ({ id: note.id, text: note.text });
	const lanes = report.lanes.map((lane) => ({
		id: lane.id,
		title: lane.title,
		clusters: lane.clusters.map((cluster) => ({ id: cluster.id, name: cluster.name, notes: cluster.notes.map(plainNote) })),
		notes: lane.notes.map(plainNote)
	}));
	return { workshop, perspectives, organisations, participantCount, lanes, rounds, chosen, generatedAt: new Date() };
}

// CSV --------------------------------------------------------------------------------------------------

/**
 * One RFC 4180 field, defused against formula injection. Quoted when it holds any delimiter a spreadsheet may
 * choose, not only ours: Excel set to Finnish opens CSV with `;`, and text after an unquoted `;` or tab would
 * become a cell of its own, where `=…` is a formula again.
 */
export function csvCell(value: string | number | null | undefined) {
	if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
	// Only text can smuggle a formula; a negative number stays a number.
	const text = defuseFormula(value == null ? '' : String(value));
	return /[",;\t\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows to CSV: CRLF line ends, UTF-8 byte order mark so Excel (in Finland too) reads ä and ö right. */
export function toCsv(rows: readonly (readonly (string | number | null | undefined)[])[]) {
	return '\uFEFF' + rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** Scores and means to two decimals, as every format shows them. */
const twoDecimals = (value: number | null | undefined) => (value == null ? null : Math.round(value * 100) / 100);

/**
 * The items table: one row per cluster, note and idea card (lane by lane), then items voted on that are no longer
 * on the board, with each visible round's score and rank (and means for ratings), whether the item was chosen,
 * and an idea card's experiment canvas, field by field.
 */
function itemsTable(report: WorkshopReport): Table {
	const rounds = report.rounds.filter((round) => round.visible);
	const resultsByRound = rounds.map((round) => new Map((round.results ?? []).map((result) => [result.itemId, result])));
	const chosen = new Set(report.chosenItemIds);
	const typeLabels = { note: m.report_csv_type_note, cluster: m.report_csv_type_cluster, idea: m.report_csv_type_idea } as const;

	const columns: Column[] = [
		{ header: m.report_csv_type(), type: 'text', description: m.export_dict_item_type(), allowed: Object.values(typeLabels).map((label) => label()).join('; ') },
		{ header: m.report_csv_id(), type: 'id', description: m.export_dict_item_id() },
		{ header: m.report_csv_lane(), type: 'text', description: m.export_dict_item_lane() },
		{ header: m.report_csv_cluster(), type: 'text', description: m.export_dict_item_cluster() },
		{ header: m.report_csv_text(), type: 'text', description: m.export_dict_item_text() },
		{ header: m.report_csv_author(), type: 'text', description: m.export_dict_item_author() },
		...rounds.flatMap(({ number, method }): Column[] => [
			{ header: m.report_csv_round_score({ number }), type: 'decimal', description: m.export_dict_round_score({ number, method: voteMethodLabels[method]() }) },
			{ header: m.report_csv_round_rank({ number }), type: 'integer', description: m.export_dict_round_rank({ number }) },
			...(method === 'rating'
				? ([
						{ header: m.report_csv_round_impact({ number }), type: 'decimal', description: m.export_dict_round_impact({ number }), allowed: '1–5' },
						{ header: m.report_csv_round_feasibility({ number }), type: 'decimal', description: m.export_dict_round_feasibility({ number }), allowed: '1–5' }
					] satisfies Column[])
				: [])
		]),
		{ header: m.report_csv_chosen(), type: 'boolean', description: m.export_dict_item_chosen() },
		...canvasFields.map((field): Column => ({ header: canvasFieldLabels[field](), type: 'text', description: m.export_dict_canvas({ field: canvasFieldLabels[field]() }) }))
	];
	const resultCells = (itemIds: string[]): Cell[] =>
		rounds.flatMap((round, index) => {
			const result = itemIds.map((id) => resultsByRound[index]!.get(id)).find(Boolean);
			return [
				twoDecimals(result?.score),
				result?.rank ?? null,
				...(round.method === 'rating' ? [twoDecimals(result?.meanImpact), twoDecimals(result?.meanFeasibility)] : [])
			];
		});
	const noCanvas = canvasFields.map(() => '');

	const rows: Cell[][] = [];
	const onBoard = new Set<string>();
	const row = (type: string, id: string, lane: string, cluster: string, text: string, author: string, options: { chosenIds?: string[]; canvas?: string[] } = {}) => {
		onBoard.add(id);
		const { chosenIds = [id], canvas = noCanvas } = options;
		rows.push([type, id, report.laneTitle(lane), cluster, text, author, ...resultCells([id]), chosenIds.some((c) => chosen.has(c)), ...canvas]);
	};
	for (const lane of report.lanes) {
		for (const cluster of lane.clusters) {
			row(typeLabels.cluster(), cluster.id, lane.id, cluster.name, cluster.name, '');
			for (const note of cluster.notes) row(typeLabels.note(), note.id, lane.id, cluster.name, note.text, note.authorName);
		}
		for (const note of lane.notes) row(typeLabels.note(), note.id, lane.id, '', note.text, note.authorName);
		for (const idea of lane.ideas) {
			// An idea card is the refinement of its source: chosen when the source was.
			const chosenIds = idea.source ? [idea.id, idea.source.id] : [idea.id];
			row(typeLabels.idea(), idea.id, lane.id, report.clusterName(idea.clusterId), idea.title, '', { chosenIds, canvas: canvasFields.map((field) => idea.canvas[field]) });
		}
	}
	// Items deleted from the board after a vote keep their results, with the text frozen into the round.
	for (const round of rounds)
		for (const result of round.results ?? [])
			if (!onBoard.has(result.itemId)) {
				onBoard.add(result.itemId);
				rows.push([typeLabels[result.kind](), result.itemId, '', '', result.text, '', ...resultCells([result.itemId]), chosen.has(result.itemId), ...noCanvas]);
			}
	return { name: m.export_sheet_items(), columns, rows };
}

/** Every vote round, oldest first, whether or not its results may be seen (only its own facts are shown). */
function roundsTable(report: WorkshopReport) {
	return defineTable(
		m.export_sheet_rounds(),
		[
			{ header: m.export_col_round_number(), type: 'integer', description: m.export_dict_round_number(), value: (round) => round.number },
			{
				header: m.export_col_round_method(),
				type: 'text',
				description: m.export_dict_round_method(),
				allowed: Object.values(voteMethodLabels).map((label) => label()).join('; '),
				value: (round) => voteMethodLabels[round.method]()
			},
			{
				header: m.export_col_round_status(),
				type: 'text',
				description: m.export_dict_round_status(),
				allowed: Object.values(voteStatusLabels).map((label) => label()).join('; '),
				value: (round) => voteStatusLabels[round.status]()
			},
			{ header: m.export_col_round_anonymous(), type: 'boolean', description: m.export_dict_round_anonymous(), value: (round) => round.anonymous },
			{ header: m.export_col_round_turnout(), type: 'integer', description: m.export_dict_round_turnout(), value: (round) => round.turnout },
			{ header: m.export_col_round_opened_at(), type: 'datetime', description: m.export_dict_round_opened_at(), value: (round) => round.openedAt },
			{ header: m.export_col_round_visible(), type: 'boolean', description: m.export_dict_round_visible(), value: (round) => round.visible }
		],
		report.rounds
	);
}

function perspectivesTable(report: WorkshopReport) {
	return defineTable(
		m.export_sheet_perspectives(),
		[
			{ header: m.export_col_number(), type: 'integer', description: m.export_dict_perspective_number(), value: (p) => report.perspectives.indexOf(p) + 1 },
			{ header: m.export_col_perspective(), type: 'text', description: m.export_dict_perspective(), value: (p) => p.title },
			{ header: m.export_col_description(), type: 'text', description: m.export_dict_perspective_description(), value: (p) => p.description }
		],
		report.perspectives
	);
}

function organisationsTable(report: WorkshopReport) {
	return defineTable(
		m.export_sheet_organisations(),
		[
			{ header: m.report_organisation(), type: 'text', description: m.export_dict_organisation(), value: (o) => o.name },
			{ header: m.report_organisation_people(), type: 'integer', description: m.export_dict_organisation_people(), value: (o) => o.count }
		],
		report.organisations
	);
}

/** The workshop's tables: items (the CSV's table), vote rounds, perspectives, organisations; undefined if unknown. */
export async function workshopTables(workshopId: string) {
	const report = await assembleReport(workshopId);
	if (!report) return undefined;
	return [itemsTable(report), roundsTable(report), perspectivesTable(report), organisationsTable(report)];
}

/** The comma CSV for tools: numbers with a point (two decimals at most), "chosen" as yes or blank. */
export async function buildWorkshopCsv(workshopId: string) {
	const report = await assembleReport(workshopId);
	if (!report) return undefined;
	const table = itemsTable(report);
	const cell = (value: Cell) => (typeof value === 'boolean' ? (value ? m.report_csv_yes() : '') : value instanceof Date ? value.toISOString() : value);
	return toCsv([table.columns.map((column) => column.header), ...table.rows.map((row) => row.map(cell))]);
}

/** The items table as CSV for Excel in the reader's language (see spreadsheets.ts). */
export async function buildWorkshopExcelCsv(workshopId: string, locale: Locale = getLocale()) {
	const report = await assembleReport(workshopId);
	return report && toExcelCsv(itemsTable(report), locale);
}

/** The data dictionary of the workbook and the Excel CSV, as CSV for Excel. */
export async function buildWorkshopDictionaryCsv(workshopId: string, locale: Locale = getLocale()) {
	const tables = await workshopTables(workshopId);
	return tables && toExcelCsv(dictionaryTable(tables), locale);
}

/** Every table of the workshop and its data dictionary as an Excel workbook. */
export async function buildWorkshopXlsx(workshopId: string, locale: Locale = getLocale()) {
	const tables = await workshopTables(workshopId);
	return tables && await toXlsx([...tables, dictionaryTable(tables)], locale);
}

// Markdown ---------------------------------------------------------------------------------------------

/**
 * User text as one line of Markdown that stays text: whitespace folded (no new blocks), every character that could
 * start emphasis, code, links, HTML, tables or strike-through escaped, and a line start that could open a heading,
 * list, quote or thematic break escaped too.
 */
export function escapeMarkdown(text: string) {
	return text
		.replace(/\s+/g, ' ')
		.trim()
		.replace(/[\\`*_[\]<>|~#]/g, (c) => `\\${c}`)
		.replace(/&(?=#?[a-z0-9]+;)/gi, '\\&')
		.replace(/^([+\-=])/, '\\$1')
		.replace(/^(\d+)([.)])/, '$1\\$2');
}

/** A multi-line user text (a canvas field): each line escaped, line breaks kept as hard breaks. */
function escapeMarkdownBlock(text: string) {
	return text
		.split(/\r?\n/)
		.map((line) => escapeMarkdown(line))
		.join('\n')
		.replace(/\n{3,}/g, '\n\n')
		.trim()
		.replace(/([^\n])\n(?=[^\n])/g, '$1\\\n');
}

const mdCell = (text: string) => escapeMarkdown(text) || ' ';

function mdNumber(value: number | null, locale = getLocale()) {
	return value == null ? '–' : formatNumber(value, locale, { maximumFractionDigits: 2 });
}

/** The report as Markdown: details, perspectives, organisations, clusters with notes, votes, chosen ideas. */
export async function buildWorkshopMarkdown(workshopId: string) {
	const report = await assembleReport(workshopId);
	if (!report) return undefined;
	const locale = getLocale();
	const { workshop } = report;
	const out: string[] = [];
	const block = (...lines: string[]) => out.push(lines.join('\n'), '');

	block(`# ${escapeMarkdown(workshop.title)}`);
	block(
		`**${m.report_theme()}:** ${escapeMarkdown(workshop.theme)}  `,
		`**${m.report_date()}:** ${workshop.startsAt ? formatDateTime(workshop.startsAt, locale) : m.workshop_no_date()}`
	);
	if (workshop.description.trim()) block(`**${m.report_description()}:**`, '', escapeMarkdownBlock(workshop.description));
	block(`*${m.report_generated({ date: formatDate(new Date(), locale) })}*`);

	block(`## ${m.perspectives_title()}`);
	block(
		...report.perspectives.map(
			(p, index) => `${index + 1}. **${escapeMarkdown(p.title)}**${p.description.trim() ? ` – ${escapeMarkdown(p.description)}` : ''}`
		)
	);

	block(`## ${m.report_organisations()}`);
	if (report.organisations.length) {
		block(
			`| ${m.report_organisation()} | ${m.report_organisation_people()} |`,
			'|---|--:|',
			...report.organisations.map((o) => `| ${mdCell(o.name)} | ${o.count} |`)
		);
	}
	block(report.participantCount ? m.report_participants_total({ count: report.participantCount }) : m.report_organisations_empty());

	block(`## ${m.report_clusters()}`);
	for (const lane of report.lanes) {
		block(`### ${escapeMarkdown(lane.title)}`);
		if (!lane.clusters.length && !lane.notes.length) block(`*${m.report_lane_empty()}*`);
		for (const cluster of lane.clusters) {
			block(`#### ${m.report_cluster_heading({ name: escapeMarkdown(cluster.name) })}`);
			block(...(cluster.notes.length ? cluster.notes.map((note) => `- ${escapeMarkdown(note.text)}`) : [`*${m.report_cluster_empty()}*`]));
		}
		if (lane.notes.length) {
			if (lane.clusters.length) block(`#### ${m.report_unclustered()}`);
			block(...lane.notes.map((note) => `- ${escapeMarkdown(note.text)}`));
		}
	}

	block(`## ${m.report_rounds()}`);
	if (!report.rounds.length) block(`*${m.report_rounds_empty()}*`);
	for (const round of report.rounds) {
		block(`### ${escapeMarkdown(round.title)}`);
		const facts = [m.report_round_turnout({ count: round.turnout })];
		if (round.anonymous) facts.push(m.report_round_anonymous());
		if (round.status === 'open') facts.push(m.report_round_open());
		block(facts.join(' · '));
		if (!round.results) {
			block(`*${m.report_round_hidden()}*`);
			continue;
		}
		if (!round.results.length) {
			block(`*${m.report_chart_empty()}*`);
			continue;
		}
		const rating = round.method === 'rating';
		const scoreLabel = { dot: m.report_chart_score_dot, ranking: m.report_chart_score_ranking, rating: m.report_chart_score_rating }[round.method]();
		const head = [m.report_chart_rank(), m.report_chart_item(), scoreLabel, ...(rating ? [m.report_chart_impact(), m.report_chart_feasibility()] : [])];
		block(
			`| ${head.join(' | ')} |`,
			`|--:|---|--:|${rating ? '--:|--:|' : ''}`,
			...round.results.map((r) => {
				const item = `${mdCell(r.text)}${r.chosen ? ` **(${m.report_chart_chosen()})**` : ''}`;
				const cells = [`${r.rank}.`, item, mdNumber(r.score, locale), ...(rating ? [mdNumber(r.meanImpact, locale), mdNumber(r.meanFeasibility, locale)] : [])];
				return `| ${cells.join(' | ')} |`;
			})
		);
	}

	block(`## ${m.report_chosen_title()}`);
	if (!report.chosen.length) block(`*${m.report_chosen_empty()}*`);
	for (const idea of report.chosen) {
		block(`### ${escapeMarkdown(idea.title)}`);
		const facts = [
			...(idea.laneTitle ? [m.board_idea_lane({ lane: escapeMarkdown(idea.laneTitle) })] : []),
			...(idea.sourceText ? [m.board_idea_source({ text: escapeMarkdown(idea.sourceText) })] : [])
		];
		if (facts.length) block(facts.join('  \n'));
		if (!idea.canvas) {
			block(`*${m.report_chosen_no_card()}*`);
			continue;
		}
		const filled = idea.canvas.filter((field) => field.text.trim());
		if (!filled.length) block(`*${m.report_canvas_empty()}*`);
		for (const field of filled) block(`**${field.label}**`, '', escapeMarkdownBlock(field.text));
	}
	return out.join('\n').trimEnd() + '\n';
}

// Downloads --------------------------------------------------------------------------------------------

/**
 * Content-Disposition for a download named after the workshop: an ASCII fallback (ä → a, other characters → -)
 * for old clients and the exact name as RFC 5987 `filename*`.
 */
export function attachmentHeader(title: string, extension: 'csv' | 'md' | 'xlsx') {
	// Whole code points only (a lone surrogate would make encodeURIComponent throw), at most 100 of them.
	const safe = Array.from(title)
		.filter((c) => !/^[\ud800-\udfff]$/.test(c))
		.join('')
		.replace(/[\u0000-\u001f\u007f/\\"*?:<>|]+/g, ' ')
		.replace(/\s+/g, ' ')
		.trim();
	const clean = Array.from(safe).slice(0, 100).join('').trim() || 'verstas';
	const ascii =
		clean
			.normalize('NFKD')
			.replace(/[\u0300-\u036f]/g, '')
			.replace(/[^A-Za-z0-9._-]+/g, '-')
			.replace(/-+/g, '-')
			.replace(/^[-.]+|[-.]+$/g, '') || 'verstas';
	const encoded = encodeURIComponent(`${clean}.${extension}`).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
	return `attachment; filename="${ascii}.${extension}"; filename*=UTF-8''${encoded}`;
}

const plain = (status: number, text: string) =>
	new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });

const exportFormats = {
	csv: { build: buildWorkshopCsv, contentType: 'text/csv; charset=utf-8', extension: 'csv', suffix: '' },
	md: { build: buildWorkshopMarkdown, contentType: 'text/markdown; charset=utf-8', extension: 'md', suffix: '' },
	'excel-csv': { build: (id: string) => buildWorkshopExcelCsv(id), contentType: 'text/csv; charset=utf-8', extension: 'csv', suffix: ' (Excel)' },
	dictionary: { build: (id: string) => buildWorkshopDictionaryCsv(id), contentType: 'text/csv; charset=utf-8', extension: 'csv', suffix: ' (Excel)' },
	xlsx: { build: (id: string) => buildWorkshopXlsx(id), contentType: xlsxContentType, extension: 'xlsx', suffix: '' }
} as const;

/**
 * The answer of a stable export address (`/workshops/{id}/export.csv|md|xlsx`, `export-excel.csv`,
 * `data-dictionary-excel.csv`), for people who script it: the file for the workshop's facilitators, participants
 * and observers; a translated 403 for anyone else, signed in or not.
 */
export async function exportResponse(
	workshopId: string,
	who: { user: Pick<SessionUser, 'id' | 'name'> | null; guestToken: string | undefined },
	format: keyof typeof exportFormats
) {
	const allowed = await resolveReportAccess(workshopId, who);
	if (!allowed.ok) return allowed.status === 404 ? plain(404, m.workshop_not_found()) : plain(403, m.report_forbidden());
	const { build, contentType, extension, suffix } = exportFormats[format];
	const body = await build(workshopId);
	if (body === undefined) return plain(404, m.workshop_not_found());
	const name = format === 'dictionary' ? `${allowed.workshop.title} ${m.export_sheet_dictionary()}` : allowed.workshop.title;
	return new Response(typeof body === 'string' ? body : new Uint8Array(body), {
		headers: {
			'content-type': contentType,
			'content-disposition': attachmentHeader(`${name}${suffix}`, extension),
			'cache-control': 'no-store'
		}
	});
}
