import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getProgrammeDetails } from '../../src/lib/server/programmes';
import { rawGet, rawRun } from '../../src/lib/server/db';
import {
	addProgrammeTargetAreas,
	areaSeries,
	canImportAreas,
	cityAverage,
	demoPaavoDirectory,
	getArea,
	importAreas,
	importDemoAreas,
	listAreas,
	listEditableProgrammes,
	parsePaavoCsv,
	parsePlainCsv,
	rankAreas,
	tabulateAreas,
	zScores
} from '../../src/lib/server/areas';
import { addMember, createOrganisation } from '../../src/lib/server/organisations';
import { createUser } from '../../src/lib/server/users';

// The real files as Statistics Finland's PxWeb wrote them; the in-repo copy must be byte-identical to them.
const sharedDir = join(process.cwd(), '..', 'shared', 'data', 'paavo');
const repoDir = join(process.cwd(), 'src', 'lib', 'server', 'demo-data', 'paavo');
const dataDir = existsSync(sharedDir) ? sharedDir : repoDir;
const file = (year: number) => `paavo_12f7_helsinki_${year}.csv`;
const bytes = (year: number) => readFileSync(join(dataDir, file(year)));

const count = async (sql: string, ...params: unknown[]) => (await rawGet<{ n: number }>(sql, ...params))!.n;
const value = async (code: string, key: string, year: number) =>
	(await rawGet<{ value: number }>('SELECT value FROM area_values WHERE area_code = ? AND indicator_key = ? AND year = ?', code, key, year))?.value;
const snapshot = async () => ({
	areas: await count('SELECT count(*) n FROM areas'),
	values: await count('SELECT count(*) n FROM area_values'),
	imports: await count('SELECT count(*) n FROM area_imports'),
	indicators: await count('SELECT count(*) n FROM indicators')
});

/** The raw cell of the file for an area, variable and year, read independently of the parser. */
function fileValue(year: number, code: string, variable: string) {
	const text = new TextDecoder('latin1').decode(bytes(year));
	const line = text.split(/\r?\n/).find((l) => l.startsWith(`"${code} `) && l.includes(`","${variable}",`));
	return Number(line!.split(',').at(-1));
}

describe('importing the real Paavo files', () => {
	beforeAll(async () => {
		for (const year of [2022, 2023]) {
			const parsed = parsePaavoCsv(bytes(year), file(year));
			if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors.slice(0, 3)));
			await importAreas(parsed, { filename: file(year), format: 'paavo', importedBy: null });
		}
	});

	it('stores the 84 Helsinki postal areas with name and municipality from the ISO-8859-1 text', async () => {
		const all = await listAreas();
		expect(all).toHaveLength(84);
		expect(all.every((area) => /^\d{5}$/.test(area.code) && area.municipality === 'Helsinki')).toBe(true);
		expect(await getArea('00420')).toEqual({ code: '00420', name: 'Kannelmäki', municipality: 'Helsinki' });
		expect((await getArea('00100'))?.name).toBe('Helsinki keskusta - Etu-Töölö');
	});

	it("computes Kannelmäki's 2023 unemployment rate from the file's counts (1077 / (5819 + 1077))", async () => {
		expect(fileValue(2023, '00420', 'Unemployed (PT)')).toBe(1077);
		expect(fileValue(2023, '00420', 'Employed (PT)')).toBe(5819);
		expect(await value('00420', 'unemployed', 2023)).toBe(1077);
		expect(await value('00420', 'employed', 2023)).toBe(5819);
		expect(await value('00420', 'unemployment_rate', 2023)).toBeCloseTo((1077 / (5819 + 1077)) * 100, 10);
		expect(await value('00420', 'unemployment_rate', 2023)).toBeCloseTo(15.62, 2);
	});

	it('computes the other derived shares from the same rows of the file', async () => {
		const check = async (code: string, year: number, key: string, part: string, whole: string) =>
			expect(await value(code, key, year), `${code} ${year} ${key}`).toBeCloseTo((fileValue(year, code, part) / fileValue(year, code, whole)) * 100, 10);
		for (const [code, year] of [['00420', 2023], ['00940', 2022], ['00100', 2023]] as const) {
			await check(code, year, 'low_education_share', 'Basic level studies (KO)', 'Aged 18 or over, total (KO)');
			await check(code, year, 'low_income_share', 'Inhabitants belonging to the lowest income category (HR)', 'Aged 18 or over, total (HR)');
			await check(code, year, 'children_share', 'Children aged 0 to 14 (PT)', 'Inhabitants, total (PT)');
			await check(code, year, 'one_parent_share', 'One-parent households with children (TE)', 'Households with children (TE)');
		}
		// Kannelmäki 2023 by hand: 3537 / 11662, 2643 / 11662, 2022 / 14030.
		expect(await value('00420', 'low_education_share', 2023)).toBeCloseTo(30.33, 2);
		expect(await value('00420', 'low_income_share', 2023)).toBeCloseTo(22.66, 2);
		expect(await value('00420', 'children_share', 2023)).toBeCloseTo(14.41, 2);
		expect(await value('00420', 'median_income', 2023)).toBe(24397);
		expect(await value('00420', 'inhabitants', 2023)).toBe(14030);
		expect(await value('00420', 'inhabitants', 2022)).toBe(fileValue(2022, '00420', 'Inhabitants, total (HE)'));
	});

	it('keeps both years apart and records one import per file', async () => {
		for (const year of [2022, 2023]) {
			expect(await count('SELECT count(DISTINCT area_code) n FROM area_values WHERE year = ?', year)).toBe(84);
			// 00230 Helsinki postikeskus (the mail centre) has no inhabitants: its shares have no denominator.
			expect(await value('00230', 'inhabitants', year)).toBe(0);
			expect(await value('00230', 'unemployment_rate', year)).toBeUndefined();
			expect(await value('00230', 'median_income', year)).toBeUndefined();
			expect(await count("SELECT count(*) n FROM area_values WHERE year = ? AND indicator_key = 'unemployment_rate'", year)).toBe(83);
		}
		expect(await count("SELECT count(*) n FROM area_imports WHERE format = 'paavo'")).toBe(2);
		expect(await count("SELECT rows n FROM area_imports WHERE filename = ?", file(2023))).toBe(await count('SELECT count(*) n FROM area_values WHERE year = 2023'));
	});

	it('re-importing the same year updates values and never duplicates them', async () => {
		const before = await snapshot();
		await rawRun("UPDATE area_values SET value = -1 WHERE area_code = '00420' AND year = 2023");
		const parsed = parsePaavoCsv(bytes(2023), file(2023));
		if (!parsed.ok) throw new Error('parse failed');
		await importAreas(parsed, { filename: file(2023), format: 'paavo', importedBy: null });
		expect(await snapshot()).toEqual({ ...before, imports: before.imports + 1 });
		expect(await value('00420', 'unemployment_rate', 2023)).toBeCloseTo(15.62, 2);
		expect(await count('SELECT count(*) n FROM (SELECT 1 FROM area_values GROUP BY area_code, indicator_key, year HAVING count(*) > 1) AS repeated')).toBe(0);
	});

	it("gives each indicator's series over the years and a population-weighted city average", async () => {
		const series = await areaSeries('00420');
		const rate = series.find((s) => s.key === 'unemployment_rate')!;
		expect(rate.points.map((p) => p.year)).toEqual([2022, 2023]);
		expect(rate.higherIsBetter).toBe(false);
		expect(series[0]!.key).toBe('unemployment_rate');

		// Weighted by the labour force, the average of the areas' rates is Helsinki's pooled rate.
		const pooled = (await rawGet<{ v: number }>(
			"SELECT sum(CASE WHEN indicator_key = 'unemployed' THEN value END) * 100.0 / sum(CASE WHEN indicator_key = 'labour_force' THEN value END) v FROM area_values WHERE year = 2023"
		))!;
		expect(await cityAverage('unemployment_rate', 2023, 'Helsinki')).toBeCloseTo(pooled.v, 10);
		const plain = await count("SELECT avg(value) n FROM area_values WHERE year = 2023 AND indicator_key = 'unemployment_rate'");
		expect(Math.abs((await cityAverage('unemployment_rate', 2023, 'Helsinki'))! - plain)).toBeGreaterThan(0.01);
		// Counts get the plain mean, rounded to whole people.
		const inhabitants = await count("SELECT avg(value) n FROM area_values WHERE year = 2023 AND indicator_key = 'inhabitants'");
		expect(Number.isInteger(inhabitants)).toBe(false);
		expect(await cityAverage('inhabitants', 2023, 'Helsinki')).toBe(Math.round(inhabitants));
		expect(Number.isInteger(await cityAverage('unemployment_rate', 2023, 'Helsinki'))).toBe(false);
		expect(await cityAverage('unemployment_rate', 2023, 'Espoo')).toBeNull();
	});

	it('ranks areas by standardised, sign-adjusted need', async () => {
		const single = await rankAreas({ weights: { unemployment_rate: 1 }, year: 2023 });
		expect(single.ranked).toHaveLength(83); // all but the mail centre without inhabitants
		expect(single.ranked.some((r) => r.code === '00230')).toBe(false);
		// One indicator where lower is better: the score is its z-score, so the highest rate ranks first.
		const rates = (await tabulateAreas(2023, ['unemployment_rate'])).flatMap((a) => (a.values.unemployment_rate == null ? [] : [{ code: a.code, rate: a.values.unemployment_rate }]));
		const z = zScores(rates.map((r) => r.rate));
		const top = rates.reduce((best, r) => (r.rate > best.rate ? r : best));
		expect(single.ranked[0]!.code).toBe(top.code);
		expect(single.ranked[0]!.score).toBeCloseTo(z[rates.indexOf(top)]!, 10);
		expect(single.ranked.map((r) => r.score)).toEqual([...single.ranked.map((r) => r.score)].sort((a, b) => b - a));

		// Higher median income is better: the poorest area has the highest need.
		const income = await rankAreas({ weights: { median_income: 2 }, year: 2023 });
		const poorest = (await tabulateAreas(2023, ['median_income'])).filter((a) => a.values.median_income !== null).reduce((a, b) => (b.values.median_income! < a.values.median_income! ? b : a));
		expect(income.ranked[0]!.code).toBe(poorest.code);
		expect(income.ranked).toHaveLength(83);
		expect(income.criteria[0]!.sign).toBe(-1);

		// Several weighted indicators: contributions sum to the score, and scale with the weights.
		const mixed = await rankAreas({ weights: { unemployment_rate: 2, low_education_share: 1, low_income_share: 1, inhabitants: 0 }, year: 2023 });
		expect(mixed.criteria.map((c) => c.key).sort()).toEqual(['low_education_share', 'low_income_share', 'unemployment_rate']);
		for (const area of mixed.ranked) {
			expect(area.components.reduce((s, c) => s + c.contribution, 0)).toBeCloseTo(area.score, 10);
			const byKey = Object.fromEntries(area.components.map((c) => [c.key, c]));
			expect(byKey.unemployment_rate!.contribution).toBeCloseTo((2 * byKey.unemployment_rate!.z) / 4, 10);
		}
		// Kannelmäki is one of the demo's target areas: it should be in the upper half of need.
		expect(mixed.ranked.find((a) => a.code === '00420')!.rank).toBeLessThanOrEqual(42);
		expect((await rankAreas({ weights: {}, year: 2023 })).ranked).toEqual([]);
	});
});

describe('a broken file', () => {
	it('reports every error by row and column and stores nothing', async () => {
		const before = await snapshot();
		const text = [
			'"12f7 -- 9. All data groups, 2010-2023"',
			'',
			'"Postal code area","Information","2023"',
			'"00420  Kannelmäki (Helsinki)","Employed (PT)",5819',
			'"0042  Kannelmäki (Helsinki)","Unemployed (PT)",1077',
			'"00430  Maununneva (Helsinki)","Unemployed (PT)",lots',
			'"00440  Lassila (Helsinki)","Unemployed (PT)",..',
			'"00450  Malminkartano (Helsinki)","Employed (PT)",.',
			'"00420  Kannelmäki (Helsinki)","Employed (PT)",5820'
		].join('\r\n');
		const parsed = parsePaavoCsv(new TextEncoder().encode(text), 'broken.csv');
		expect(parsed.ok).toBe(false);
		if (parsed.ok) return;
		expect(parsed.errors.map(({ row, column }) => ({ row, column }))).toEqual([
			{ row: 5, column: 'Postal code area' },
			{ row: 6, column: '2023' },
			{ row: 9, column: '2023' }
		]);
		expect(parsed.errors[0]!.message).toContain('0042');
		expect(parsed.errors[1]!.message).toContain('lots');
		expect(parsed.errors[2]!.message).toContain('4'); // the earlier row
		expect(await snapshot()).toEqual(before);
	});

	it('reads the wide layout (several year columns) and skips missing values', () => {
		const text = ['"Title"', '', '"Postal code area","Information","2021","2020"', '"99990  Testikylä (Testilä)","Employed (PT)",90,..', '"99990  Testikylä (Testilä)","Unemployed (PT)",10,"."'].join('\n');
		const parsed = parsePaavoCsv(new TextEncoder().encode(text), 'wide.csv');
		expect(parsed.ok).toBe(true);
		if (!parsed.ok) return;
		expect(parsed.rows.find((r) => r.indicatorKey === 'unemployment_rate')).toEqual({ areaCode: '99990', indicatorKey: 'unemployment_rate', year: 2021, value: 10 });
		expect(parsed.rows.filter((r) => r.year === 2020)).toEqual([]);
		expect(parsed.areas).toEqual([{ code: '99990', name: 'Testikylä', municipality: 'Testilä' }]);
	});

	it('refuses a file without the PxWeb header', () => {
		const parsed = parsePaavoCsv(new TextEncoder().encode('code;value\n00420;1\n'), 'x.csv');
		expect(parsed).toMatchObject({ ok: false, errors: [{ row: 1 }] });
	});
});

describe('plain CSV', () => {
	it('imports semicolon-separated Finnish headers, keys indicators by slug and updates on re-import', async () => {
		const csv = ['postinumero;alue;indikaattori;vuosi;arvo;kunta', '00420;Kannelmäki;Nuorisotalon kävijät;2023;"1 250";Helsinki', '98765;Uusikylä;Nuorisotalon kävijät;2023;12,5;Testilä', '98765;Uusikylä;Nuorisotalon kävijät;2022;..;Testilä'].join('\n');
		const parsed = parsePlainCsv(csv, 'nuoriso.csv');
		expect(parsed.ok).toBe(true);
		if (!parsed.ok) return;
		expect(parsed.rows).toEqual([
			{ areaCode: '00420', indicatorKey: 'nuorisotalon_kavijat', year: 2023, value: 1250 },
			{ areaCode: '98765', indicatorKey: 'nuorisotalon_kavijat', year: 2023, value: 12.5 }
		]);
		await importAreas(parsed, { filename: 'nuoriso.csv', format: 'plain', importedBy: null });
		expect(await value('98765', 'nuorisotalon_kavijat', 2023)).toBe(12.5);
		expect(await getArea('98765')).toEqual({ code: '98765', name: 'Uusikylä', municipality: 'Testilä' });
		const indicator = await rawGet("SELECT name, higher_is_better h FROM indicators WHERE key = 'nuorisotalon_kavijat'");
		expect(indicator).toEqual({ name: 'Nuorisotalon kävijät', h: null });

		const before = await snapshot();
		const again = parsePlainCsv('area code,area name,indicator,year,value\n98765,Uusikylä,Nuorisotalon kävijät,2023,13\n', 'nuoriso2.csv');
		if (!again.ok) throw new Error('parse failed');
		await importAreas(again, { filename: 'nuoriso2.csv', format: 'plain', importedBy: null });
		expect(await snapshot()).toEqual({ ...before, imports: before.imports + 1 });
		expect(await value('98765', 'nuorisotalon_kavijat', 2023)).toBe(13);
		// A plain file without municipality keeps the one already known.
		expect((await getArea('98765'))?.municipality).toBe('Testilä');
	});

	it('reports bad codes, years, values and names with their line and column, and stores nothing', async () => {
		const before = await snapshot();
		const csv = [
			'Area code,Area name,Indicator,Year,Value',
			'00420,Kannelmäki,Visits,2023,10',
			'4200,Kannelmäki,Visits,2023,10',
			'00420,,Visits,23,ten',
			'"00430","Maunu-',
			'neva",Visits,2023,',
			'00420,Kannelmäki,Visits,2023,11'
		].join('\n');
		const parsed = parsePlainCsv(csv, 'bad.csv');
		expect(parsed.ok).toBe(false);
		if (parsed.ok) return;
		expect(parsed.errors.map(({ row, column }) => `${row}:${column}`)).toEqual(['3:Area code', '4:Area name', '4:Year', '4:Value', '5:Value', '7:Value']);
		expect(await snapshot()).toEqual(before);
	});

	it('names the missing columns and refuses non-UTF-8 bytes', () => {
		expect(parsePlainCsv('code,name,value\n00420,x,1', 'a.csv')).toMatchObject({ ok: false, errors: [{ row: 1, column: '' }] });
		const latin1 = new Uint8Array([...new TextEncoder().encode('area code,area name,indicator,year,value\n00420,Kannelm'), 0xe4, ...new TextEncoder().encode('ki,x,2023,1\n')]);
		expect(parsePlainCsv(latin1, 'a.csv')).toMatchObject({ ok: false, errors: [{ row: 1 }] });
	});
});

describe('programmes and permissions', () => {
	it('adds target areas once, ignores unknown codes, and lets admins and programme leads edit', async () => {
		const lead = await createUser({ name: 'Leena', email: 'lead-areas@example.fi', password: 'salasana-123' });
		const member = await createUser({ name: 'Matti', email: 'member-areas@example.fi', password: 'salasana-123' });
		const city = await createOrganisation({ name: 'Alueiden kaupunki', kind: 'city', municipality: 'Helsinki' });
		const other = await createOrganisation({ name: 'Muu kaupunki', kind: 'city', municipality: 'Vantaa' });
		await addMember(city.id, lead.id, 'programme_lead');
		await addMember(city.id, member.id, 'member');
		await rawRun("INSERT INTO programmes (id, name, owner_organisation_id) VALUES ('p1', 'Mukana', ?), ('p2', 'Muu', ?)", city.id, other.id);

		expect(await canImportAreas({ id: lead.id, isAdmin: false })).toBe(true);
		expect(await canImportAreas({ id: member.id, isAdmin: false })).toBe(false);
		expect(await canImportAreas({ id: member.id, isAdmin: true })).toBe(true);
		expect((await listEditableProgrammes({ id: lead.id, isAdmin: false })).map((p) => p.id)).toEqual(['p1']);
		expect(await listEditableProgrammes({ id: member.id, isAdmin: false })).toEqual([]);
		expect((await listEditableProgrammes({ id: member.id, isAdmin: true })).map((p) => p.id).sort()).toEqual(['p1', 'p2']);

		expect(await addProgrammeTargetAreas('p1', ['00420', '00420', '00700', '12345'])).toEqual({ added: 2, existing: 0, unknown: ['12345'] });
		expect(await addProgrammeTargetAreas('p1', ['00420', '00940'])).toEqual({ added: 1, existing: 1, unknown: [] });
		expect((await getProgrammeDetails('p1'))!.targetAreas.map((a) => a.code)).toEqual(['00420', '00700', '00940']);
	});
});

describe('the demo import', () => {
	it('finds the in-repo copy first and is idempotent', async () => {
		expect(demoPaavoDirectory()).toBe(repoDir);
		// The copy is the real data, byte for byte.
		if (existsSync(sharedDir))
			for (const year of [2022, 2023]) expect(readFileSync(join(repoDir, file(year))).equals(readFileSync(join(sharedDir, file(year))))).toBe(true);
		const before = await snapshot();
		const imported = await importDemoAreas();
		expect(imported.map((i) => i.filename)).toEqual([file(2022), file(2023)]);
		expect(imported.map((i) => i.areas)).toEqual([84, 84]);
		expect(await snapshot()).toEqual({ ...before, imports: before.imports + 2 });
	});
});
