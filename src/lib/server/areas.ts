// Areas: neighbourhoods keyed by five-digit postal code, with yearly indicator values.
//
// Two import formats, both all-or-nothing: a parser turns the file into rows or into a list of errors by row and
// column (translated), and only a clean parse reaches importAreas, which readers see whole or not at all (importSteps).
// Re-importing a year upserts on (area, indicator, year), so values are updated, never duplicated.
//
// - Paavo CSV exactly as Statistics Finland's PxWeb writes it: ISO-8859-1, title line(s), a header
//   `"Postal code area","Information","2023"` (one or more year columns), then long-format rows
//   `"00420  Kannelmäki (Helsinki)","Unemployed (PT)",1077`. Only the English variable labels below are read; the
//   others are ignored. `..`, `.`, `...`, `-` and empty cells are PxWeb's "no data": skipped, not errors.
//   Derived shares (%) are computed per area and year from the raw counts, which are stored too.
// - Plain CSV (UTF-8): a header with area code, area name, indicator, year, value (+ optional municipality, unit);
//   names accepted in English, Finnish or Swedish (see plainColumns). `;`, `,` or tab as delimiter, quoted fields.
//   An indicator is keyed by the slug of its name; a name that slugs to a built-in key uses the built-in one.
import { recordAudit, userActor } from './audit';
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { m } from '../paraglide/messages.js';
import { changedRows, db, first, preparedOnce } from './db';
import { copyAreaValues, currentAreaGeneration, deleteAreaValues, otherAreaGeneration, switchAreaGeneration, upsertAreaValues } from './db/area-generations';
import { areaImports, areas, areaValues, indicators, organisations, programmeAreas } from './db/schema';
import { leadOrganisations, listProgrammesForUser } from './programmes';
import { generateSecureRandomString } from './session';

// Indicator definitions ------------------------------------------------------------------------------------

type Unit = '%' | '€' | '';

type IndicatorDefinition = {
	key: string;
	/** stored in indicators.name as the untranslated fallback; the UI uses indicatorLabel() */
	name: string;
	unit: Unit;
	higherIsBetter: boolean | null;
	/** the indicator whose value weights an area in the city average (a share's denominator); null: plain mean */
	weightKey: string | null;
	/** an input to a derived share: shown as a source figure, not charted or offered in the finder */
	input?: boolean;
};

const paavoSource = 'Statistics Finland, Paavo (CC BY 4.0)';

export const builtInIndicators = [
	{ key: 'unemployment_rate', name: 'Unemployment rate', unit: '%', higherIsBetter: false, weightKey: 'labour_force' },
	{ key: 'low_education_share', name: 'Share with basic education only', unit: '%', higherIsBetter: false, weightKey: 'adults_education' },
	{ key: 'low_income_share', name: 'Share in the lowest income category', unit: '%', higherIsBetter: false, weightKey: 'adults_income' },
	{ key: 'children_share', name: 'Share of children aged 0–14', unit: '%', higherIsBetter: null, weightKey: 'inhabitants' },
	{ key: 'one_parent_share', name: 'One-parent households among households with children', unit: '%', higherIsBetter: null, weightKey: 'households_with_children' },
	// A weighted mean of area medians approximates the city median; Paavo has no city-wide median in these files.
	{ key: 'median_income', name: 'Median income of inhabitants', unit: '€', higherIsBetter: true, weightKey: 'adults_income' },
	{ key: 'inhabitants', name: 'Inhabitants', unit: '', higherIsBetter: null, weightKey: null },
	{ key: 'households_with_children', name: 'Households with children', unit: '', higherIsBetter: null, weightKey: null },
	{ key: 'employed', name: 'Employed', unit: '', higherIsBetter: null, weightKey: null, input: true },
	{ key: 'unemployed', name: 'Unemployed', unit: '', higherIsBetter: null, weightKey: null, input: true },
	{ key: 'labour_force', name: 'Labour force (employed + unemployed)', unit: '', higherIsBetter: null, weightKey: null, input: true },
	{ key: 'children_0_14', name: 'Children aged 0–14', unit: '', higherIsBetter: null, weightKey: null, input: true },
	{ key: 'adults_education', name: 'Aged 18 or over (education data)', unit: '', higherIsBetter: null, weightKey: null, input: true },
	{ key: 'basic_education_only', name: 'Basic level education only', unit: '', higherIsBetter: null, weightKey: null, input: true },
	{ key: 'adults_income', name: 'Aged 18 or over (income data)', unit: '', higherIsBetter: null, weightKey: null, input: true },
	{ key: 'lowest_income_inhabitants', name: 'In the lowest income category', unit: '', higherIsBetter: null, weightKey: null, input: true },
	{ key: 'one_parent_households', name: 'One-parent households', unit: '', higherIsBetter: null, weightKey: null, input: true }
] as const satisfies readonly IndicatorDefinition[];

export type BuiltInIndicatorKey = (typeof builtInIndicators)[number]['key'];

const definitions = new Map<string, IndicatorDefinition>(builtInIndicators.map((d) => [d.key, d]));

const indicatorLabels: Record<BuiltInIndicatorKey, () => string> = {
	unemployment_rate: m.areas_indicator_unemployment_rate,
	low_education_share: m.areas_indicator_low_education_share,
	low_income_share: m.areas_indicator_low_income_share,
	children_share: m.areas_indicator_children_share,
	one_parent_share: m.areas_indicator_one_parent_share,
	median_income: m.areas_indicator_median_income,
	inhabitants: m.areas_indicator_inhabitants,
	households_with_children: m.areas_indicator_households_with_children,
	employed: m.areas_indicator_employed,
	unemployed: m.areas_indicator_unemployed,
	labour_force: m.areas_indicator_labour_force,
	children_0_14: m.areas_indicator_children_0_14,
	adults_education: m.areas_indicator_adults_education,
	basic_education_only: m.areas_indicator_basic_education_only,
	adults_income: m.areas_indicator_adults_income,
	lowest_income_inhabitants: m.areas_indicator_lowest_income_inhabitants,
	one_parent_households: m.areas_indicator_one_parent_households
};

/** The indicator's name in the request's language; imported indicators keep the name they were imported with. */
export function indicatorLabel(key: string, fallback: string) {
	return key in indicatorLabels ? indicatorLabels[key as BuiltInIndicatorKey]() : fallback;
}

export const isInputIndicator = (key: string) => definitions.get(key)?.input === true;

/** The default finder choice: the three needs the Mukana programme is built on. */
export const defaultFinderWeights: Record<string, number> = { unemployment_rate: 1, low_education_share: 1, low_income_share: 1 };

// Paavo variables read from the file (English PxWeb labels) -> raw indicator keys.
const paavoVariables: Record<string, string> = {
	'Inhabitants, total (HE)': 'inhabitants',
	'Inhabitants, total (PT)': 'inhabitants_pt',
	'Employed (PT)': 'employed',
	'Unemployed (PT)': 'unemployed',
	'Children aged 0 to 14 (PT)': 'children_0_14',
	'Aged 18 or over, total (KO)': 'adults_education',
	'Basic level studies (KO)': 'basic_education_only',
	'Aged 18 or over, total (HR)': 'adults_income',
	'Inhabitants belonging to the lowest income category (HR)': 'lowest_income_inhabitants',
	'Median income of inhabitants (HR)': 'median_income',
	'Households with children (TE)': 'households_with_children',
	'One-parent households with children (TE)': 'one_parent_households'
};

/** Shares computed from the raw counts of one area and year; a share needs both parts and a positive whole. */
export function deriveIndicators(raw: ReadonlyMap<string, number>): Map<string, number> {
	const out = new Map<string, number>();
	const get = (key: string) => raw.get(key);
	const share = (key: string, part: number | undefined, whole: number | undefined) => {
		if (part !== undefined && whole !== undefined && whole > 0) out.set(key, (part / whole) * 100);
	};
	const inhabitants = get('inhabitants') ?? get('inhabitants_pt');
	if (inhabitants !== undefined) out.set('inhabitants', inhabitants);
	for (const key of ['employed', 'unemployed', 'children_0_14', 'adults_education', 'basic_education_only', 'adults_income', 'lowest_income_inhabitants', 'households_with_children', 'one_parent_households']) {
		const value = get(key);
		if (value !== undefined) out.set(key, value);
	}
	// PxWeb writes a median income of 0 for an area without adults (e.g. the mail centre 00230): that is no data.
	const median = get('median_income');
	if (median !== undefined && get('adults_income') !== 0) out.set('median_income', median);
	const employed = get('employed');
	const unemployed = get('unemployed');
	const labourForce = employed !== undefined && unemployed !== undefined ? employed + unemployed : undefined;
	if (labourForce !== undefined) out.set('labour_force', labourForce);
	share('unemployment_rate', unemployed, labourForce);
	share('low_education_share', get('basic_education_only'), get('adults_education'));
	share('low_income_share', get('lowest_income_inhabitants'), get('adults_income'));
	// The children's share uses the same (PT) table's total as its count.
	share('children_share', get('children_0_14'), get('inhabitants_pt') ?? get('inhabitants'));
	share('one_parent_share', get('one_parent_households'), get('households_with_children'));
	return out;
}

// Parsing ----------------------------------------------------------------------------------------------

export type ImportError = { row: number; column: string; message: string };
export type AreaRow = { code: string; name: string; municipality: string };
export type IndicatorRow = { key: string; name: string; unit: string; higherIsBetter: boolean | null; source: string };
export type ValueRow = { areaCode: string; indicatorKey: string; year: number; value: number };
/** `sources`: where each area first appears in the file (row and column), for errors about the area as a whole. */
export type ParsedAreas = { ok: true; rows: ValueRow[]; areas: AreaRow[]; indicators: IndicatorRow[]; sources?: Map<string, { row: number; column: string }> };
export type ParseResult = ParsedAreas | { ok: false; errors: ImportError[] };
export type ImportFormat = 'paavo' | 'plain';

export const maxReportedErrors = 200;
const missingMarkers = new Set(['', '.', '..', '...', '-']);
const codePattern = /^\d{5}$/;
const yearPattern = /^\d{4}$/;

type CsvRecord = { line: number; fields: string[] };

/**
 * A parse written as a generator that yields at checkpoints. Run whole (runWhole) by the demo seed and tests, or in
 * slices (runInSlices) by the upload route: parsing a 10 MB file takes seconds, and other requests must not wait
 * behind it (the issue's bound: no block longer than 200 ms).
 */
type Steps<T> = Generator<void, T, void>;

function runWhole<T>(steps: Steps<T>): T {
	for (;;) {
		const step = steps.next();
		if (step.done) return step.value;
	}
}

const sliceMs = 10;

/** Steps that wait for the database between checkpoints (the area import). */
type AsyncSteps<T> = AsyncGenerator<void, T, void>;

async function runWholeAsync<T>(steps: AsyncSteps<T>): Promise<T> {
	for (;;) {
		const step = await steps.next();
		if (step.done) return step.value;
	}
}

async function runInSlicesAsync<T>(steps: AsyncSteps<T>): Promise<T> {
	let started = performance.now();
	for (;;) {
		const step = await steps.next();
		if (step.done) return step.value;
		if (performance.now() - started >= sliceMs) {
			await new Promise((resolve) => setImmediate(resolve));
			started = performance.now();
		}
	}
}

async function runInSlices<T>(steps: Steps<T>): Promise<T> {
	let started = performance.now();
	for (;;) {
		const step = steps.next();
		if (step.done) return step.value;
		if (performance.now() - started >= sliceMs) {
			await new Promise((resolve) => setImmediate(resolve));
			started = performance.now();
		}
	}
}

/** RFC 4180-style records with their 1-based starting line (a quoted field may span lines). */
export function readCsv(text: string, delimiter: string): CsvRecord[] {
	return runWhole(
		(function* () {
			const records: CsvRecord[] = [];
			const reader = csvRecords(text, delimiter);
			for (let record = yield* nextRecord(reader); record; record = yield* nextRecord(reader)) records.push(record);
			return records;
		})()
	);
}

/** The next record, yielding at the reader's pauses; null at the end. */
function* nextRecord(reader: Generator<CsvRecord | undefined, void, void>): Steps<CsvRecord | null> {
	for (;;) {
		const next = reader.next();
		if (next.done) return null;
		if (next.value) return next.value;
		yield;
	}
}

/**
 * The records one by one (undefined now and then: a point where the parse may pause). Read as they come, a large
 * file's records do not all stay in memory: keeping them did, and garbage collection then held the server longest.
 */
function* csvRecords(text: string, delimiter: string): Generator<CsvRecord | undefined, void, void> {
	const [quote, cr, lf, separator] = ['"', '\r', '\n', delimiter].map((char) => char.charCodeAt(0));
	let fields: string[] = [];
	let field = '';
	// Literal characters are taken as slices of runs, not one by one: a string per character made most of a large
	// file's parse garbage collection.
	let run = 0;
	const take = (end: number) => {
		if (end > run) field += text.slice(run, end);
	};
	let quoted = false;
	let line = 1;
	let start = 1;
	const endRecord = () => {
		fields.push(field);
		const record = fields.some((value) => value.trim() !== '') ? { line: start, fields } : undefined;
		fields = [];
		field = '';
		return record;
	};
	for (let i = 0; i < text.length; i++) {
		if ((i & 1023) === 0) yield undefined;
		const char = text.charCodeAt(i);
		if (quoted) {
			if (char === quote) {
				take(i);
				if (text.charCodeAt(i + 1) === quote) (field += '"'), i++;
				else quoted = false;
				run = i + 1;
			} else if (char === lf) line++;
		} else if (char === quote) {
			take(i);
			quoted = true;
			run = i + 1;
		} else if (char === separator) {
			take(i);
			fields.push(field);
			field = '';
			run = i + 1;
		} else if (char === lf || char === cr) {
			take(i);
			if (char === cr && text.charCodeAt(i + 1) === lf) i++;
			const record = endRecord();
			start = ++line;
			run = i + 1;
			if (record) yield record;
		}
	}
	take(text.length);
	if (field !== '' || fields.length > 0) {
		const record = endRecord();
		if (record) yield record;
	}
}

/** The most frequent of `;`, tab and `,` outside quotes in the first lines (title lines hold none); `,` on a tie. */
function detectDelimiter(text: string) {
	const head = text.split(/\r?\n/, 20).join('\n').replace(/"[^"\n]*"/g, '');
	const count = (d: string) => head.split(d).length - 1;
	return [';', '\t'].find((d) => count(d) > count(',')) ?? ',';
}

function parseNumber(raw: string): number | null {
	const text = raw.trim().replace(/\s/g, '');
	if (!/^[-+]?(\d+([.,]\d+)?|[.,]\d+)$/.test(text)) return null;
	const value = Number(text.replace(',', '.'));
	return Number.isFinite(value) ? value : null;
}

/** Decimal comma or point, spaces as thousands separators; PxWeb's missing markers give 'missing'. */
function readValue(raw: string): number | 'missing' | null {
	return missingMarkers.has(raw.trim()) ? 'missing' : parseNumber(raw);
}

const stripBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

const decodeChunk = 256 * 1024;

/** Decodes in 256 kB steps (10 MB at once held the event loop 100–600 ms on a busy machine); null when not valid. */
function* decodeSteps(bytes: Uint8Array, encoding: 'utf-8' | 'latin1'): Steps<string | null> {
	const decoder = new TextDecoder(encoding, { fatal: true });
	let text = '';
	try {
		for (let at = 0; at < bytes.length; at += decodeChunk) {
			text += decoder.decode(bytes.subarray(at, at + decodeChunk), { stream: true });
			yield;
		}
		return text + decoder.decode();
	} catch {
		return null;
	}
}

/** PxWeb writes ISO-8859-1; a file someone re-saved as UTF-8 is read as UTF-8 (latin-1 bytes are never valid UTF-8 here). */
function* decodePaavoSteps(bytes: Uint8Array): Steps<string> {
	return (yield* decodeSteps(bytes, 'utf-8')) ?? (yield* decodeSteps(bytes, 'latin1')) ?? '';
}

/** Longest texts an import accepts: real Paavo labels are under 60 characters; anything longer is not area data. */
export const maxLabelLength = 200;
export const maxNameLength = 100;
export const maxUnitLength = 20;

/**
 * The most one file may hold. They bound an import's memory and work (a 10 MB PxWeb file with a hundred year columns
 * held 6.5 million values: 2 GB and a minute of writing), and still take all of Finland's ~3 000 postal areas with
 * every indicator for about four years (3 000 × 17 × 4 = 204 000): larger data goes in one file per year.
 */
export const maxImportValues = 200_000;
export const maxImportAreas = 5_000;
export const maxImportIndicators = 100;

/**
 * "00420  Kannelmäki (Helsinki)" -> code, name and municipality; null when it is not such a label.
 * Read by hand in one pass, not by a regex: the label is untrusted, and the earlier pattern's three overlapping
 * quantifiers (`\s+(.*?)\s*`) backtracked cubically (a 3 kB label blocked the server for seconds).
 */
export function splitPaavoArea(label: string): { code: string; name: string; municipality: string } | null {
	const text = label.trim();
	if (text.length > maxLabelLength || /[\r\n\u2028\u2029]/.test(text)) return null;
	const code = text.slice(0, 5);
	if (!/^\d{5}$/.test(code) || !/^\s/.test(text.slice(5, 6))) return null;
	const rest = text.slice(5).trim();
	const open = rest.endsWith(')') ? rest.lastIndexOf('(') : -1;
	const inner = open >= 0 ? rest.slice(open + 1, -1) : null;
	if (inner === null || inner.includes(')')) return { code, name: rest, municipality: '' };
	return { code, name: rest.slice(0, open).trim(), municipality: inner.trim() };
}

class ErrorList {
	errors: ImportError[] = [];
	add(row: number, column: string, message: string) {
		if (this.errors.length < maxReportedErrors) this.errors.push({ row, column, message });
		else if (this.errors.length === maxReportedErrors) this.errors.push({ row, column: '', message: m.areas_error_too_many({ max: maxReportedErrors }) });
	}
	get full() {
		return this.errors.length > maxReportedErrors;
	}
}

export function parsePaavoCsv(bytes: Uint8Array, filename: string): ParseResult {
	return runWhole(parsePaavoSteps(bytes, filename));
}

function* parsePaavoSteps(bytes: Uint8Array, filename: string): Steps<ParseResult> {
	const text = stripBom(yield* decodePaavoSteps(bytes));
	const reader = csvRecords(text, detectDelimiter(text));
	const errors = new ErrorList();

	// Title and note lines come first; the header is the first record whose third and later cells are years.
	const isHeader = (r: CsvRecord) => r.fields.length >= 3 && r.fields.slice(2).every((f) => yearPattern.test(f.trim()));
	let headerRecord = yield* nextRecord(reader);
	while (headerRecord && !isHeader(headerRecord)) headerRecord = yield* nextRecord(reader);
	if (!headerRecord) return { ok: false, errors: [{ row: 1, column: '', message: m.areas_error_paavo_header() }] };
	const headerLine = headerRecord.line;
	const header = headerRecord.fields.map((f) => f.trim());
	const years = header.slice(2).map(Number);

	const areaByCode = new Map<string, AreaRow>();
	const sources = new Map<string, { row: number; column: string }>();
	const raw = new Map<string, Map<string, number>>(); // `${code}|${year}` -> raw key -> value
	const seen = new Map<string, number>(); // `${code}|${variable}|${year}` -> line, to catch repeats
	let known = 0;
	let tooMany = ''; // the column where the file passed maxImportValues

	for (let record = yield* nextRecord(reader); record; record = yield* nextRecord(reader)) {
		const { line, fields } = record;
		if (errors.full) break;
		if (fields.length === 1) continue; // a footnote line, as PxWeb may append
		if (fields.length < header.length) {
			errors.add(line, header[fields.length] ?? '', m.areas_error_columns());
			continue;
		}
		const label = fields[0]!.trim();
		if (label.length > maxLabelLength || fields[1]!.trim().length > maxLabelLength) {
			const long = label.length > maxLabelLength ? 0 : 1;
			errors.add(line, header[long]!, m.areas_error_too_long({ max: maxLabelLength, length: fields[long]!.trim().length }));
			continue;
		}
		const area = splitPaavoArea(label);
		if (!area) {
			errors.add(line, header[0]!, m.areas_error_code({ value: fields[0]!.trim().slice(0, 40) }));
			continue;
		}
		if (!area.name) errors.add(line, header[0]!, m.areas_error_name());
		const variable = fields[1]!.trim();
		if (!variable) errors.add(line, header[1]!, m.areas_error_indicator());
		if (area.code === '00000') continue; // "whole country": not a neighbourhood
		const key = paavoVariables[variable];
		years.forEach((year, index) => {
			const column = header[index + 2]!;
			const value = readValue(fields[index + 2]!);
			if (value === null) return errors.add(line, column, m.areas_error_value({ value: fields[index + 2]!.trim().slice(0, 40) }));
			if (value === 'missing' || !key || !area.name) return;
			const id = `${area.code}|${variable}|${year}`;
			const earlier = seen.get(id);
			if (earlier !== undefined) return errors.add(line, column, m.areas_error_duplicate({ row: earlier }));
			seen.set(id, line);
			if (known === maxImportValues) return (tooMany = column);
			const cell = `${area.code}|${year}`;
			if (!raw.has(cell)) raw.set(cell, new Map());
			raw.get(cell)!.set(key, value);
			known++;
		});
		if (tooMany) {
			errors.add(line, tooMany, m.areas_error_too_many_values({ max: maxImportValues }));
			break;
		}
		if (area.name && !areaByCode.has(area.code)) {
			if (areaByCode.size === maxImportAreas) {
				errors.add(line, header[0]!, m.areas_error_too_many_areas({ max: maxImportAreas }));
				break;
			}
			areaByCode.set(area.code, { code: area.code, name: area.name, municipality: area.municipality });
			sources.set(area.code, { row: line, column: header[0]! });
		}
	}
	if (errors.errors.length) return { ok: false, errors: errors.errors };
	if (known === 0) return { ok: false, errors: [{ row: headerLine, column: header[1]!, message: m.areas_error_no_paavo_variables() }] };

	const rows: ValueRow[] = [];
	for (const [cell, values] of raw) {
		const [areaCode, year] = cell.split('|') as [string, string];
		for (const [indicatorKey, value] of deriveIndicators(values)) rows.push({ areaCode, indicatorKey, year: Number(year), value });
	}
	// The derived shares add values to the raw ones.
	if (rows.length > maxImportValues) return { ok: false, errors: [{ row: headerLine, column: '', message: m.areas_error_too_many_values({ max: maxImportValues }) }] };
	const used = new Set(rows.map((row) => row.indicatorKey));
	const indicatorRows = builtInIndicators
		.filter((d) => used.has(d.key))
		.map((d) => ({ key: d.key, name: d.name, unit: d.unit, higherIsBetter: d.higherIsBetter, source: paavoSource }));
	void filename; // the import records it; kept in the signature so both parsers read the same
	return { ok: true, rows, areas: [...areaByCode.values()], indicators: indicatorRows, sources };
}

// Accepted header names (compared lower-case, with `_`/`-` as spaces).
const plainColumns = {
	code: ['area code', 'code', 'postal code', 'postcode', 'zip', 'postinumero', 'postinumeroalue', 'alueen koodi', 'koodi', 'aluekoodi', 'postnummer', 'områdeskod'],
	name: ['area name', 'area', 'name', 'alue', 'alueen nimi', 'nimi', 'område', 'områdets namn', 'namn'],
	indicator: ['indicator', 'indikaattori', 'mittari', 'tunnusluku', 'indikator'],
	year: ['year', 'vuosi', 'år'],
	value: ['value', 'arvo', 'värde'],
	municipality: ['municipality', 'city', 'kunta', 'kaupunki', 'kommun', 'stad'],
	unit: ['unit', 'yksikkö', 'enhet']
} as const;
type PlainColumn = keyof typeof plainColumns;
const requiredPlainColumns: PlainColumn[] = ['code', 'name', 'indicator', 'year', 'value'];

const normaliseHeader = (text: string) => text.trim().toLowerCase().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ');

/** "Työttömyysaste (%)" -> "tyottomyysaste"; letters without diacritics, digits and underscores. */
export function slugify(name: string) {
	return name
		.normalize('NFD')
		.replace(/\p{M}/gu, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '_')
		.replace(/^_+|_+$/g, '')
		.slice(0, 60)
		.replace(/_+$/, '');
}

export function parsePlainCsv(input: string | Uint8Array, filename: string): ParseResult {
	return runWhole(parsePlainSteps(input, filename));
}

function* parsePlainSteps(input: string | Uint8Array, filename: string): Steps<ParseResult> {
	let text: string;
	if (typeof input === 'string') text = input;
	else {
		const decoded = yield* decodeSteps(input, 'utf-8');
		if (decoded === null) return { ok: false, errors: [{ row: 1, column: '', message: m.areas_error_not_utf8() }] };
		text = decoded;
	}
	text = stripBom(text);
	const reader = csvRecords(text, detectDelimiter(text));
	const header = yield* nextRecord(reader);
	if (!header) return { ok: false, errors: [{ row: 1, column: '', message: m.areas_error_no_rows() }] };

	const names = header.fields.map((f) => f.trim());
	const index = {} as Partial<Record<PlainColumn, number>>;
	names.forEach((name, i) => {
		const normal = normaliseHeader(name);
		for (const [column, accepted] of Object.entries(plainColumns) as [PlainColumn, readonly string[]][])
			if (index[column] === undefined && accepted.includes(normal)) index[column] = i;
	});
	const missing = requiredPlainColumns.filter((column) => index[column] === undefined);
	if (missing.length)
		return {
			ok: false,
			errors: [{ row: header.line, column: '', message: m.areas_error_plain_header({ columns: missing.map((c) => plainColumns[c][0]).join(', ') }) }]
		};

	const errors = new ErrorList();
	const areaByCode = new Map<string, AreaRow>();
	const sources = new Map<string, { row: number; column: string }>();
	const indicatorByKey = new Map<string, IndicatorRow>();
	const rows: ValueRow[] = [];
	const seen = new Map<string, number>();
	// Every row names its indicator; slugging the same few names again on every row cost a third of the parse.
	const slugs = new Map<string, string>();
	const slugOf = (name: string) => {
		let slug = slugs.get(name);
		if (slug === undefined) {
			slug = slugify(name);
			if (slugs.size < 1000) slugs.set(name, slug);
		}
		return slug;
	};
	const cell = (fields: string[], column: PlainColumn) => (index[column] === undefined ? '' : (fields[index[column]!] ?? '').trim());
	const columnName = (column: PlainColumn) => names[index[column]!]!;

	for (let record = yield* nextRecord(reader); record; record = yield* nextRecord(reader)) {
		const { line, fields } = record;
		if (errors.full) break;
		const code = cell(fields, 'code');
		const name = cell(fields, 'name');
		const indicatorName = cell(fields, 'indicator');
		const yearText = cell(fields, 'year');
		const valueText = cell(fields, 'value');
		let ok = true;
		const fault = (column: PlainColumn, message: string) => {
			errors.add(line, columnName(column), message);
			ok = false;
		};
		if (!codePattern.test(code)) fault('code', m.areas_error_code({ value: code.slice(0, 40) }));
		if (!name) fault('name', m.areas_error_name());
		for (const [column, max] of [['name', maxNameLength], ['municipality', maxNameLength], ['indicator', maxNameLength], ['unit', maxUnitLength]] as const) {
			const length = cell(fields, column).length;
			if (length > max) fault(column, m.areas_error_too_long({ max, length }));
		}
		const key = definitions.has(indicatorName) ? indicatorName : slugOf(indicatorName);
		if (!indicatorName) fault('indicator', m.areas_error_indicator());
		else if (!key) fault('indicator', m.areas_error_indicator_key());
		if (!yearPattern.test(yearText)) fault('year', m.areas_error_year({ value: yearText.slice(0, 40) }));
		const value = valueText === '' ? null : readValue(valueText);
		if (valueText === '') fault('value', m.areas_error_value_missing());
		else if (value === null) fault('value', m.areas_error_value({ value: valueText.slice(0, 40) }));
		if (!ok || value === null || value === 'missing') continue;

		const id = `${code}|${key}|${yearText}`;
		const earlier = seen.get(id);
		if (earlier !== undefined) {
			fault('value', m.areas_error_duplicate({ row: earlier }));
			continue;
		}
		seen.set(id, line);
		if (rows.length === maxImportValues) {
			fault('value', m.areas_error_too_many_values({ max: maxImportValues }));
			break;
		}
		if (!areaByCode.has(code)) {
			if (areaByCode.size === maxImportAreas) {
				fault('code', m.areas_error_too_many_areas({ max: maxImportAreas }));
				break;
			}
			areaByCode.set(code, { code, name, municipality: cell(fields, 'municipality') });
			sources.set(code, { row: line, column: index.municipality === undefined ? columnName('code') : columnName('municipality') });
		}
		if (!indicatorByKey.has(key)) {
			if (indicatorByKey.size === maxImportIndicators) {
				fault('indicator', m.areas_error_too_many_indicators({ max: maxImportIndicators }));
				break;
			}
			const builtIn = definitions.get(key);
			indicatorByKey.set(
				key,
				builtIn
					? { key, name: builtIn.name, unit: builtIn.unit, higherIsBetter: builtIn.higherIsBetter, source: filename }
					: { key, name: indicatorName, unit: cell(fields, 'unit'), higherIsBetter: null, source: filename }
			);
		}
		rows.push({ areaCode: code, indicatorKey: key, year: Number(yearText), value });
	}
	if (errors.errors.length) return { ok: false, errors: errors.errors };
	if (rows.length === 0) return { ok: false, errors: [{ row: header.line, column: '', message: m.areas_error_no_rows() }] };
	return { ok: true, rows, areas: [...areaByCode.values()], indicators: [...indicatorByKey.values()], sources };
}

// Import -----------------------------------------------------------------------------------------------

const chunk = <T>(list: readonly T[], size: number) =>
	Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

export type ImportSummary = { id: string; areas: number; values: number; indicators: number; years: number[] };

/** Rows per write transaction: ~1–5 ms each, so a slice of the import holds the event loop briefly. */
const writeBatch = 500;

/** Deletes one generation's rows, a batch per transaction. */
async function* deleteGeneration(generation: number): AsyncSteps<void> {
	while ((await deleteAreaValues(generation, writeBatch)) > 0) yield;
}

/** Generations other than the current one: left by an import that failed or by a process that stopped mid-import. */
async function* deleteOtherGenerations(current: number): AsyncSteps<void> {
	for (;;) {
		const other = await otherAreaGeneration(current);
		if (!other) return;
		yield* await deleteGeneration(other.generation);
	}
}

/**
 * Writes a clean parse as a new generation of the values: a copy of the current one with the file's values upserted,
 * written a batch per transaction (a step), while readers keep seeing the current generation. One short
 * transaction then upserts the areas and indicators, records the import and makes the new generation current, so
 * readers see all of the file or none of it; a failure before that leaves the data as it was. The old generation is
 * deleted afterwards. Run whole (demo seed, tests) or in slices (uploads: importAreaFile).
 */
async function* importSteps(parsed: ParsedAreas, options: { filename: string; format: ImportFormat; importedBy: string | null }): AsyncSteps<ImportSummary> {
	const current = await currentAreaGeneration();
	const next = current + 1;
	yield* await deleteOtherGenerations(current);
	const id = generateSecureRandomString(12);
	try {
		let last: { areaCode: string; indicatorKey: string; year: number } | null = { areaCode: '', indicatorKey: '', year: 0 };
		while ((last = await copyAreaValues(next, current, last, writeBatch))) yield;
		for (const batch of chunk(parsed.rows, writeBatch)) {
			// New areas and indicators are inserted by the switch's transaction below, so their values come first:
			// foreign keys are checked again from there on (nobody reads this generation before it).
			await upsertAreaValues(next, batch, parsed.areas, parsed.indicators);
			yield;
		}
		await db.transaction(
			async (tx) => {
				for (const indicator of parsed.indicators) {
					const insert = tx.insert(indicators).values(indicator);
					// Built-in definitions are refreshed from code; an imported indicator keeps its first description.
					if (definitions.has(indicator.key))
						await insert.onConflictDoUpdate({ target: indicators.key, set: { name: indicator.name, unit: indicator.unit, higherIsBetter: indicator.higherIsBetter } });
					else await insert.onConflictDoNothing();
				}
				await tx.insert(areaImports).values({ id, filename: options.filename.slice(0, 255), format: options.format, rows: parsed.rows.length, importedBy: options.importedBy });
				await recordAudit(tx, {
					action: 'areas_imported',
					...(options.importedBy ? { actor: await userActor(tx, options.importedBy) } : {}),
					subject: { kind: 'area_import', id },
					details: { filename: options.filename.slice(0, 255), format: options.format, areas: parsed.areas.length, values: parsed.rows.length }
				});
				await switchAreaGeneration(next, parsed.areas);
			},
			{ behavior: 'immediate' }
		);
	} catch (error) {
		// Readers never saw the new generation: its rows go now (what cannot go now, the next import deletes first).
		yield* await deleteQuietly(next);
		throw error;
	}
	yield* await deleteQuietly(current);
	const years = [...new Set(parsed.rows.map((row) => row.year))].sort();
	return { id, areas: parsed.areas.length, values: parsed.rows.length, indicators: parsed.indicators.length, years };
}

/** A generation nobody reads any more: an error (the disk still full) leaves it for the next import to delete. */
async function* deleteQuietly(generation: number): AsyncSteps<void> {
	try {
		yield* await deleteGeneration(generation);
	} catch {
		// deleted by the next import's deleteOtherGenerations
	}
}



/** Writes a clean parse at once (the demo seed, tests); an upload goes through importAreaFile, in slices. */
export async function importAreas(parsed: ParsedAreas, options: { filename: string; format: ImportFormat; importedBy: string | null }) {
	if (importsRunning > 0) throw new Error('an area import is running in slices');
	return runWholeAsync(await importSteps(parsed, options));
}

/** Imports write one after another: each builds the next generation from the current one. */
let importQueue: Promise<unknown> = Promise.resolve();
let importsRunning = 0;

function importAreasInSlices(parsed: ParsedAreas, options: { filename: string; format: ImportFormat; importedBy: string | null }) {
	const run = importQueue.then(async () => {
		importsRunning++;
		try {
			return await runInSlicesAsync(await importSteps(parsed, options));
		} finally {
			importsRunning--;
		}
	});
	importQueue = run.catch(() => undefined);
	return run;
}

const sameMunicipality = (a: string, b: string) => a.trim().toLocaleLowerCase('fi') === b.trim().toLocaleLowerCase('fi');

/**
 * Area data is shared by every programme, so who may change which areas is scoped: admins import any area (null);
 * a programme lead only areas of the municipalities of the organisations they lead (organisation.municipality),
 * so one city's lead cannot overwrite another city's indicators.
 */
export async function importableMunicipalities(user: UserLike): Promise<string[] | null> {
	if (user.isAdmin) return null;
	const ids = (await leadOrganisations(user)).map((organisation) => organisation.id);
	if (!ids.length) return [];
	return [...new Set((await db.select({ municipality: organisations.municipality }).from(organisations).where(inArray(organisations.id, ids))).map((row) => row.municipality))];
}

/**
 * Every area of the file must be in an allowed municipality, both as the file names it and as it is already stored
 * (re-labelling another city's area as one's own would overwrite it); an area with neither is refused too.
 */
export async function scopeErrors(parsed: ParsedAreas, allowed: readonly string[] | null): Promise<ImportError[]> {
	if (allowed === null) return [];
	const errors = new ErrorList();
	const stored = new Map<string, string>();
	for (const codes of chunk(parsed.areas.map((area) => area.code), 500))
		for (const row of await db.select({ code: areas.code, municipality: areas.municipality }).from(areas).where(inArray(areas.code, codes)))
			stored.set(row.code, row.municipality);
	const list = allowed.join(', ') || '–';
	for (const area of parsed.areas) {
		const where = parsed.sources?.get(area.code) ?? { row: 0, column: '' };
		const named = [area.municipality, stored.get(area.code) ?? ''].filter((municipality) => municipality.trim() !== '');
		if (!named.length) errors.add(where.row, where.column, m.areas_error_scope_unknown({ code: area.code, allowed: list }));
		else {
			const outside = named.find((municipality) => !allowed.some((own) => sameMunicipality(own, municipality)));
			if (outside !== undefined) errors.add(where.row, where.column, m.areas_error_scope({ code: area.code, municipality: outside, allowed: list }));
		}
		if (errors.full) break;
	}
	return errors.errors;
}

/** Parses in slices (other requests are served in between) and, when clean and within the importer's scope, imports one file. */
export async function importAreaFile(bytes: Uint8Array, options: { filename: string; format: ImportFormat; importedBy: string | null; municipalities: readonly string[] | null }) {
	const parsed = await runInSlices(options.format === 'paavo' ? parsePaavoSteps(bytes, options.filename) : parsePlainSteps(bytes, options.filename));
	if (!parsed.ok) return parsed;
	const outside = await scopeErrors(parsed, options.municipalities);
	if (outside.length) return { ok: false as const, errors: outside };
	return { ok: true as const, imported: await importAreasInSlices(parsed, options) };
}

/** The demo data: the in-repo copy first (a clean clone has no ../shared), then the shared data folder. */
export function demoPaavoDirectory() {
	const candidates = [join(process.cwd(), 'src', 'lib', 'server', 'demo-data', 'paavo'), join(process.cwd(), '..', 'shared', 'data', 'paavo')];
	return candidates.find((dir) => existsSync(dir) && readdirSync(dir).some((name) => /^paavo_.*\.csv$/i.test(name))) ?? null;
}

/** Imports every Paavo file of the demo directory (the real 2022 and 2023 Helsinki files); idempotent. */
export async function importDemoAreas() {
	const dir = demoPaavoDirectory();
	if (!dir) return [];
	const imported = [];
	for (const filename of readdirSync(dir).filter((name) => /^paavo_.*\.csv$/i.test(name)).sort()) {
		const parsed = parsePaavoCsv(readFileSync(join(dir, filename)), filename);
		if (!parsed.ok) throw new Error(`${filename}: ${parsed.errors.map((e) => `row ${e.row} ${e.column}: ${e.message}`).join('; ')}`);
		imported.push({ filename, ...(await importAreas(parsed, { filename, format: 'paavo', importedBy: null })) });
	}
	return imported;
}

// Reading ----------------------------------------------------------------------------------------------

export type Area = typeof areas.$inferSelect;
export type Indicator = typeof indicators.$inferSelect;

export async function listAreas(): Promise<Area[]> {
	return await db.select().from(areas).orderBy(asc(areas.code));
}

/**
 * The areas a free text names, e.g. an experiment canvas's "00940 Kontula, 00970 Mellunmäki": every five-digit code
 * of a known area, and every area name or part of one ("Kontula" in "Kontula - Vesala - Kivikko") written with a
 * capital, inflected or not ("Kontulassa"). A part two areas share (Kalasatama) names neither; longer names are
 * matched first, so "Malminkartano" does not also tick Malmi. Returns codes in order, without repeats.
 */
export function findAreaCodes(text: string, known: readonly Pick<Area, 'code' | 'name'>[]) {
	const found = new Set<string>();
	const codes = new Set(known.map((area) => area.code));
	for (const [code] of text.matchAll(/(?<!\d)\d{5}(?!\d)/g)) if (codes.has(code)) found.add(code);

	const owners = new Map<string, Set<string>>();
	for (const area of known) {
		const parts = [area.name, ...area.name.split(/\s+-\s+/)].map((part) => part.trim()).filter((part) => part.length >= 3);
		for (const part of parts) owners.set(part, (owners.get(part) ?? new Set()).add(area.code));
	}
	let rest = text;
	for (const [name, areaCodes] of [...owners].sort(([a], [b]) => b.length - a.length)) {
		const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${escaped}\\p{L}*`, 'giu');
		rest = rest.replace(pattern, (match) => {
			// Proper nouns: "kallio" (rock) in a sentence is not Kallio.
			if (match[0] !== match[0]!.toLocaleUpperCase('fi')) return match;
			if (areaCodes.size === 1) found.add([...areaCodes][0]!);
			return ' '.repeat(match.length);
		});
	}
	return [...found].sort();
}

export async function getArea(code: string): Promise<Area | undefined> {
	return await first(db.select().from(areas).where(eq(areas.code, code)));
}

const builtInOrder: readonly string[] = builtInIndicators.map((d) => d.key);
const orderOf = (key: string) => (builtInOrder.includes(key) ? builtInOrder.indexOf(key) : builtInOrder.length);

/** Built-in indicators in their headline order, then imported ones by key. */
export async function listIndicators(): Promise<Indicator[]> {
	return (await db.select().from(indicators)).sort((a, b) => orderOf(a.key) - orderOf(b.key) || a.key.localeCompare(b.key));
}

/** Years with values, newest first. */
export async function listYears(): Promise<number[]> {
	return (await db.selectDistinct({ year: areaValues.year }).from(areaValues).orderBy(desc(areaValues.year))).map((row) => row.year);
}

export async function listMunicipalities(): Promise<string[]> {
	return (await db.selectDistinct({ municipality: areas.municipality }).from(areas).orderBy(asc(areas.municipality))).map((row) => row.municipality);
}

/** Every area with the given indicators' values for one year (null where there is none). */
export async function tabulateAreas(year: number, keys: readonly string[]) {
	const values = keys.length
		? await db.select().from(areaValues).where(and(eq(areaValues.year, year), inArray(areaValues.indicatorKey, [...keys])))
		: [];
	const byArea = new Map<string, Record<string, number>>();
	for (const row of values) {
		if (!byArea.has(row.areaCode)) byArea.set(row.areaCode, {});
		byArea.get(row.areaCode)![row.indicatorKey] = row.value;
	}
	return (await listAreas()).map((area) => ({ ...area, values: Object.fromEntries(keys.map((key) => [key, byArea.get(area.code)?.[key] ?? null])) as Record<string, number | null> }));
}

/** The area's indicators over the years, in the built-in order, then imported ones by key. */
export async function areaSeries(code: string) {
	const rows = await db
		.select({ key: indicators.key, name: indicators.name, unit: indicators.unit, higherIsBetter: indicators.higherIsBetter, year: areaValues.year, value: areaValues.value })
		.from(areaValues)
		.innerJoin(indicators, eq(indicators.key, areaValues.indicatorKey))
		.where(eq(areaValues.areaCode, code))
		.orderBy(asc(areaValues.year));
	const series = new Map<string, Indicator & { points: { year: number; value: number }[] }>();
	for (const { year, value, ...indicator } of rows) {
		if (!series.has(indicator.key)) series.set(indicator.key, { ...indicator, source: '', points: [] });
		series.get(indicator.key)!.points.push({ year, value });
	}
	return [...series.values()].sort((a, b) => orderOf(a.key) - orderOf(b.key) || a.key.localeCompare(b.key));
}

export const mean = (values: readonly number[]) => (values.length ? values.reduce((sum, v) => sum + v, 0) / values.length : null);

export function weightedMean(values: readonly number[], weights: readonly number[]) {
	const total = weights.reduce((sum, w) => sum + w, 0);
	if (!values.length || values.length !== weights.length || !(total > 0)) return null;
	return values.reduce((sum, v, i) => sum + v * weights[i]!, 0) / total;
}

/**
 * The municipality's average of an indicator in a year, over its areas. Population-weighted when every area with a
 * value also has the weight: a share is weighted by its denominator (so the unemployment rate averages to the
 * municipality's pooled rate), median income by adults, an imported indicator by inhabitants. Counts, and any
 * indicator whose weights are incomplete, get the plain mean of the areas; a count's mean is rounded to whole ones.
 */
export async function cityAverage(indicatorKey: string, year: number, municipality: string): Promise<number | null> {
	const average = await averageOverAreas(indicatorKey, year, municipality);
	// A head count's average is whole people ("7 770", not "7 770,01"); shares, rates and money keep their decimals.
	return average !== null && isCountIndicator(indicatorKey) ? Math.round(average) : average;
}

/** Built-in indicators without a unit are counts of people or households. */
const isCountIndicator = (key: string) => definitions.get(key)?.unit === '';

async function averageOverAreas(indicatorKey: string, year: number, municipality: string): Promise<number | null> {
	const valuesOf = (key: string) =>
		db
			.select({ code: areaValues.areaCode, value: areaValues.value })
			.from(areaValues)
			.innerJoin(areas, eq(areas.code, areaValues.areaCode))
			.where(and(eq(areaValues.indicatorKey, key), eq(areaValues.year, year), eq(areas.municipality, municipality)));
	const values = await valuesOf(indicatorKey);
	if (!values.length) return null;
	const definition = definitions.get(indicatorKey);
	const weightKey = definition ? definition.weightKey : 'inhabitants';
	if (weightKey) {
		const weightByCode = new Map((await valuesOf(weightKey)).map((row) => [row.code, row.value]));
		const weights = values.map((row) => weightByCode.get(row.code));
		if (weights.every((w) => w !== undefined && w > 0)) return weightedMean(values.map((row) => row.value), weights as number[]);
	}
	return mean(values.map((row) => row.value));
}

// Ranking: pure maths -------------------------------------------------------------------------------------

/** Standard scores with the population standard deviation; all zeros when every value is the same. */
export function zScores(values: readonly number[]): number[] {
	const average = mean(values);
	if (average === null) return [];
	const sd = Math.sqrt(values.reduce((sum, v) => sum + (v - average) ** 2, 0) / values.length);
	return values.map((v) => (sd > 0 ? (v - average) / sd : 0));
}

/** +1 when a higher value means more need (lower is better, or no direction), −1 when higher is better. */
export const needSign = (higherIsBetter: boolean | null): 1 | -1 => (higherIsBetter === true ? -1 : 1);

export type Criterion = { values: readonly number[]; weight: number; sign: 1 | -1 };

/**
 * Composite need score per row: Σ weight·sign·z / Σ weight over the criteria, so the score is on the z scale
 * (0 = average area) whatever the weights' total. Each component's contribution is returned too; they sum to the score.
 */
export function compositeScores(criteria: readonly Criterion[]) {
	const active = criteria.filter((c) => c.weight > 0);
	const count = criteria[0]?.values.length ?? 0;
	if (criteria.some((c) => c.values.length !== count)) throw new Error('criteria must have values for the same rows');
	const totalWeight = active.reduce((sum, c) => sum + c.weight, 0);
	const z = criteria.map((c) => zScores(c.values));
	return Array.from({ length: count }, (_, row) => {
		const components = criteria.map((c, i) => {
			const zi = z[i]![row]!;
			return { z: zi, contribution: totalWeight > 0 && c.weight > 0 ? (c.weight * c.sign * zi) / totalWeight : 0 };
		});
		return { score: components.reduce((sum, c) => sum + c.contribution, 0), components };
	});
}

// Ranking over the database --------------------------------------------------------------------------------

/**
 * Areas ranked by composite need for one year (newest with data by default), optionally within one municipality.
 * Only indicators with a positive weight count; an area missing any of them is left out (and listed as such),
 * since a z-score of a missing value would be a guess.
 */
export async function rankAreas({ weights, year, municipality }: { weights: Record<string, number>; year?: number; municipality?: string }) {
	const chosen = (await listIndicators()).filter((indicator) => (weights[indicator.key] ?? 0) > 0);
	const keys = chosen.map((indicator) => indicator.key);
	const useYear = year ?? (await listYears())[0];
	if (!keys.length || useYear === undefined) return { year: useYear ?? null, criteria: [], ranked: [], excluded: [] };

	const all = (await tabulateAreas(useYear, keys)).filter((area) => !municipality || area.municipality === municipality);
	const hasAny = all.filter((area) => keys.some((key) => area.values[key] !== null));
	const complete = hasAny.filter((area) => keys.every((key) => area.values[key] !== null));
	const criteria = chosen.map((indicator) => ({
		key: indicator.key,
		name: indicator.name,
		unit: indicator.unit,
		weight: weights[indicator.key]!,
		sign: needSign(indicator.higherIsBetter)
	}));
	const scores = compositeScores(criteria.map((c) => ({ values: complete.map((area) => area.values[c.key]!), weight: c.weight, sign: c.sign })));
	const ranked = complete
		.map((area, i) => ({
			code: area.code,
			name: area.name,
			municipality: area.municipality,
			score: scores[i]!.score,
			components: criteria.map((c, j) => ({ key: c.key, value: area.values[c.key]!, ...scores[i]!.components[j]! }))
		}))
		.sort((a, b) => b.score - a.score || a.code.localeCompare(b.code))
		.map((area, i) => ({ rank: i + 1, ...area }));
	const excluded = hasAny.filter((area) => !complete.includes(area)).map(({ code, name }) => ({ code, name }));
	return { year: useYear, criteria, ranked, excluded };
}

// Programmes' target areas and who may change area data ------------------------------------------------------

type UserLike = { id: string; isAdmin: boolean };

/** Admins and programme leads import area data. */
export async function canImportAreas(user: UserLike) {
	return user.isAdmin || (await leadOrganisations(user)).length > 0;
}

/** Programmes whose target areas the user may change: the ones they lead (admins lead all). */
export async function listEditableProgrammes(user: UserLike) {
	return (await listProgrammesForUser(user))
		.filter((programme) => programme.role === 'lead')
		.map(({ id, name }) => ({ id, name }));
}

/** Adds known areas to the programme's target areas; ones already there are left as they are. */
export function addProgrammeTargetAreas(programmeId: string, codes: readonly string[]) {
	return db.transaction(
		async (tx) => {
			const unique = [...new Set(codes)];
			const known = unique.length ? (await tx.select({ code: areas.code }).from(areas).where(inArray(areas.code, unique))).map((row) => row.code) : [];
			let added = 0;
			for (const areaCode of known) added += changedRows((await tx.insert(programmeAreas).values({ programmeId, areaCode }).onConflictDoNothing()));
			return { added, existing: known.length - added, unknown: unique.filter((code) => !known.includes(code)) };
		},
		{ behavior: 'immediate' }
	);
}
