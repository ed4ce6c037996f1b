// The exports a spreadsheet user opens without fixing, on a real database: the Excel workbooks read back with
// the library that wrote them (exceljs: sheets, frozen bold header, typed cells), the Excel CSVs read by a strict
// parser with `;` (csv-parse), and every new address asked of the production server (needs `npm run build`).
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote, canvasFields, createCluster, editText, ideaText, promoteToIdea } from '../../src/lib/board/model';
import { canvasFieldLabels } from '../../src/lib/labels';
import { m } from '../../src/lib/paraglide/messages.js';
import { openBoardStore } from '../../src/lib/server/collab';
import { db, getDb } from '../../src/lib/server/db';
import { areas, indicators } from '../../src/lib/server/db/schema';
import { addMember, createOrganisation } from '../../src/lib/server/organisations';
import { programmeExcelCsv, programmeXlsx } from '../../src/lib/server/outcomes';
import { addIndicator, correctCheckIn, listCheckIns, proposePilot, recordCheckIn, transitionPilot, type PilotInput } from '../../src/lib/server/pilots';
import { createProgramme } from '../../src/lib/server/programmes';
import { buildWorkshopCsv, buildWorkshopExcelCsv, buildWorkshopXlsx } from '../../src/lib/server/report';
import { toExcelCsv } from '../../src/lib/server/spreadsheets';
import { castDotVote, closeRound, markChosen, openRound, revealRound, submitRating } from '../../src/lib/server/voting';
import { createWorkshop, getWorkshopDetails, guestCookieName } from '../../src/lib/server/workshops';
import { newGuest, newUser } from '../helpers/collab';
import { startProductionServer, type RunningServer } from '../helpers/server';
import { checkInInput, pilotInput } from '../helpers/pilots';

// Reading the files back ----------------------------------------------------------------------------------

/** The Excel CSV as a strict reader sees it: `;`, CRLF records, RFC 4180 quotes, the same column count on every row. */
function readExcelCsv(text: string) {
	expect(text.startsWith('\uFEFF')).toBe(true);
	expect(text.endsWith('\r\n')).toBe(true);
	const records: string[][] = parse(text, { bom: true, delimiter: ';', record_delimiter: '\r\n', relax_quotes: false, relax_column_count: false });
	return records;
}

/** The bytes as text with the byte order mark kept (TextDecoder drops it unless told not to). */
const utf8 = (bytes: ArrayBuffer | Uint8Array) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);

const recordsOf = (text: string) => {
	const [header, ...rows] = readExcelCsv(text);
	return { header: header!, rows: rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i]!]))) };
};

async function readWorkbook(bytes: Uint8Array | Buffer) {
	const workbook = new ExcelJS.Workbook();
	await workbook.xlsx.load(Buffer.from(bytes) as unknown as ExcelJS.Buffer);
	return workbook;
}

/** A sheet's header texts and its rows as header → cell. */
function sheetRecords(sheet: ExcelJS.Worksheet) {
	const header = (sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(String);
	expect(new Set(header).size, `${sheet.name}: headers are unique`).toBe(header.length);
	const rows: Record<string, ExcelJS.Cell>[] = [];
	sheet.eachRow((row, number) => {
		if (number > 1) rows.push(Object.fromEntries(header.map((name, i) => [name, row.getCell(i + 1)])));
	});
	return { header, rows };
}

/** Every sheet: frozen below its first row, that row bold, its columns given widths. */
function expectFrozenBoldHeader(sheet: ExcelJS.Worksheet) {
	expect(sheet.views[0], sheet.name).toMatchObject({ state: 'frozen', ySplit: 1 });
	const header = sheet.getRow(1);
	for (let i = 1; i <= sheet.columnCount; i++) {
		expect(header.getCell(i).font?.bold, `${sheet.name} ${i}`).toBe(true);
		expect(sheet.getColumn(i).width, `${sheet.name} ${i}`).toBeGreaterThanOrEqual(8);
	}
}

/** The dictionary sheet names every column of every sheet, in order, with a description. */
function expectDictionaryCovers(workbook: ExcelJS.Workbook) {
	const dictionary = workbook.worksheets.at(-1)!;
	expect(dictionary.name).toBe(m.export_sheet_dictionary());
	const described = sheetRecords(dictionary).rows.map((row) => [String(row[m.export_dict_sheet()]!.value), String(row[m.export_dict_column()]!.value)]);
	const columns = workbook.worksheets.flatMap((sheet) => sheetRecords(sheet).header.map((header) => [sheet.name, header]));
	expect(described).toEqual(columns);
	for (const row of sheetRecords(dictionary).rows) expect(String(row[m.export_dict_description()]!.value ?? '')).not.toBe('');
}

// The workshop ----------------------------------------------------------------------------------------

const canvasTexts = Object.fromEntries(canvasFields.map((field, i) => [field, `${field}: teksti ${i + 1}`])) as Record<(typeof canvasFields)[number], string>;

async function buildWorkshop() {
	const owner = await newUser('Fasilitaattori');
	const workshop = await createWorkshop(
		{
			title: 'Jalostamo: Itä-Helsinki',
			theme: 'Nuorten osallisuus',
			description: '',
			startsAt: null,
			organisationIds: [],
			coFacilitatorEmails: [],
			perspectives: [
				{ title: 'Lapsiperheet', description: 'Arki ja palvelut' },
				{ title: 'Nuoret aikuiset', description: '' }
			],
			phases: []
		},
		owner.id
	);
	const [families, youth] = (await getWorkshopDetails(workshop.id))!.perspectives.map((p) => p.id) as [string, string];
	const doc = new Y.Doc();
	const by = (name: string) => ({ id: `author-${name}`, name });
	const park = addNote(doc, { text: 'Puistot auki iltaisin', lane: families, author: by('Anna'), createdAt: 1 });
	const club = addNote(doc, { text: 'Kerhot kouluille', lane: families, author: by('Ville'), createdAt: 2 });
	const formula = addNote(doc, { text: '=HYPERLINK("http://evil.example";"klikkaa")', lane: youth, author: by('Anna'), createdAt: 3 });
	const semicolon = addNote(doc, { text: 'Tilat; illat "auki"\nja viikonloput', lane: youth, author: by('Ville'), createdAt: 4 });
	const cluster = createCluster(doc, [park, club], 'Vapaa-aika', families);
	const idea = promoteToIdea(doc, { kind: 'cluster', id: cluster }, 'Avoimet illat', families);
	for (const field of canvasFields) editText(ideaText(doc, idea, field)!, { index: 0, remove: 0, insert: canvasTexts[field] });
	const other = promoteToIdea(doc, { kind: 'note', id: semicolon }, 'Lämpimät tilat', youth);
	await openBoardStore().append(workshop.id, [Y.encodeStateAsUpdate(doc)]);
	doc.destroy();

	const dot = await openRound(workshop.id, { method: 'dot', items: [{ id: cluster, kind: 'cluster', text: 'Vapaa-aika' }, { id: formula, kind: 'note', text: 'kaava' }] }, owner.id);
	await castDotVote(dot.id, 'v1', cluster, 1);
	await castDotVote(dot.id, 'v1', cluster, 1);
	await castDotVote(dot.id, 'v2', cluster, 1);
	await closeRound(dot.id);
	await revealRound(dot.id);
	await markChosen(dot.id, [cluster]);
	const rating = await openRound(workshop.id, { method: 'rating', items: [{ id: idea, kind: 'idea', text: 'Avoimet illat' }, { id: other, kind: 'idea', text: 'Lämpimät tilat' }] }, owner.id);
	await submitRating(rating.id, 'v1', idea, 5, 3);
	await submitRating(rating.id, 'v2', idea, 4, 4);
	await closeRound(rating.id);
	return { owner, workshop, ids: { park, club, formula, semicolon, cluster, idea, other } };
}

describe('the workshop as Excel', () => {
	it('a workbook: items with every canvas field, votes, perspectives, organisations and a data dictionary; typed cells', async () => {
		const { workshop, ids } = await buildWorkshop();
		const workbook = await readWorkbook((await buildWorkshopXlsx(workshop.id, 'fi'))!);
		expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Kohteet', 'Äänestykset', 'Näkökulmat', 'Organisaatiot', 'Tietokuvaus']);
		for (const sheet of workbook.worksheets) expectFrozenBoldHeader(sheet);
		expectDictionaryCovers(workbook);

		const items = sheetRecords(workbook.getWorksheet('Kohteet')!);
		expect(items.header).toEqual([
			'tyyppi',
			'tunniste',
			'näkökulma',
			'ryhmä',
			'teksti',
			'kirjoittaja',
			'Äänestys 1: pisteet',
			'Äänestys 1: sija',
			'Äänestys 2: pisteet',
			'Äänestys 2: sija',
			'Äänestys 2: vaikuttavuus (ka.)',
			'Äänestys 2: toteutettavuus (ka.)',
			'valittu jatkoon',
			...canvasFields.map((field) => canvasFieldLabels[field]())
		]);
		const byId = new Map(items.rows.map((row) => [row['tunniste']!.value, row]));
		// The idea card carries its whole canvas, each field in its own column.
		const idea = byId.get(ids.idea)!;
		for (const field of canvasFields) expect(idea[canvasFieldLabels[field]()]!.value, field).toBe(canvasTexts[field]);
		// Numbers are numbers; the means keep their decimals.
		expect(byId.get(ids.cluster)!['Äänestys 1: pisteet']!.type).toBe(ExcelJS.ValueType.Number);
		expect(byId.get(ids.cluster)!['Äänestys 1: pisteet']!.value).toBe(3);
		expect(idea['Äänestys 2: vaikuttavuus (ka.)']!.value).toBe(4.5);
		expect(idea['Äänestys 2: sija']!.value).toBe(1);
		expect(idea['valittu jatkoon']!.value).toBe('kyllä');
		expect(byId.get(ids.park)!['valittu jatkoon']!.value).toBe('ei');
		// User text is a string cell, never a formula, with the same leading ' as in the CSVs.
		const formula = byId.get(ids.formula)!['teksti']!;
		expect(formula.type).toBe(ExcelJS.ValueType.String);
		expect(formula.formula).toBeUndefined();
		expect(formula.value).toBe(`'=HYPERLINK("http://evil.example";"klikkaa")`);
		expect(byId.get(ids.semicolon)!['teksti']!.value).toBe('Tilat; illat "auki"\nja viikonloput');

		// The rounds: numbers and a real date (with a day format), not text.
		const rounds = sheetRecords(workbook.getWorksheet('Äänestykset')!);
		expect(rounds.rows.map((row) => [row['Äänestys']!.value, row['Äänestystapa']!.value, row['Äänestäneitä']!.value])).toEqual([
			[1, 'Pisteäänestys', 2],
			[2, 'Vaikuttavuus ja toteutettavuus', 2]
		]);
		const opened = rounds.rows[0]!['Avattu']!;
		expect(opened.type).toBe(ExcelJS.ValueType.Date);
		expect(opened.value).toBeInstanceOf(Date);
		expect(opened.numFmt).toBe('d.m.yyyy h:mm');
		expect(Math.abs((opened.value as Date).getTime() - Date.now())).toBeLessThan(4 * 60 * 60 * 1000); // Helsinki wall clock, within the zone's offset
		expect(sheetRecords(workbook.getWorksheet('Näkökulmat')!).rows.map((row) => [row['Nro']!.value, row['Näkökulma']!.value])).toEqual([
			[1, 'Lapsiperheet'],
			[2, 'Nuoret aikuiset']
		]);
	});

	it('CSV for Excel: `;`, BOM, CRLF, decimal comma, the same columns as the sheet, formulas defused', async () => {
		const { workshop, ids } = await buildWorkshop();
		const text = (await buildWorkshopExcelCsv(workshop.id, 'fi'))!;
		const { header, rows } = recordsOf(text);
		expect(header).toHaveLength(13 + canvasFields.length);
		const byId = new Map(rows.map((row) => [row['tunniste'], row]));
		expect(byId.get(ids.idea)!['Äänestys 2: vaikuttavuus (ka.)']).toBe('4,5');
		expect(byId.get(ids.idea)!['Äänestys 2: toteutettavuus (ka.)']).toBe('3,5');
		expect(byId.get(ids.idea)![canvasFieldLabels.firstStep()]).toBe(canvasTexts.firstStep);
		expect(byId.get(ids.formula)!['teksti']).toBe(`'=HYPERLINK("http://evil.example";"klikkaa")`);
		expect(byId.get(ids.semicolon)!['teksti']).toBe('Tilat; illat "auki"\nja viikonloput');
		// Numbers unquoted, so Excel takes them for numbers; a `;` in text is quoted.
		expect(text).toContain(';4,5;3,5;kyllä;');
		expect(text).toContain(`"'=HYPERLINK(""http://evil.example"";""klikkaa"")"`);
		// English keeps the decimal point.
		expect(recordsOf((await buildWorkshopExcelCsv(workshop.id, 'en'))!).rows.find((row) => row['tunniste'] === ids.idea)!['Äänestys 2: vaikuttavuus (ka.)']).toBe('4.5');
	});

	it('the comma CSV for tools keeps its columns and adds the canvas after them', async () => {
		const { workshop, ids } = await buildWorkshop();
		const csv = (await buildWorkshopCsv(workshop.id))!;
		const header = csv.slice(1, csv.indexOf('\r\n')).split(',');
		expect(header.slice(0, 13)).toEqual(['tyyppi', 'tunniste', 'näkökulma', 'ryhmä', 'teksti', 'kirjoittaja', 'Äänestys 1: pisteet', 'Äänestys 1: sija', 'Äänestys 2: pisteet', 'Äänestys 2: sija', 'Äänestys 2: vaikuttavuus (ka.)', 'Äänestys 2: toteutettavuus (ka.)', 'valittu jatkoon']);
		expect(header.slice(13)).toEqual(canvasFields.map((field) => canvasFieldLabels[field]()));
		expect(csv).toContain(`idea,${ids.idea},Lapsiperheet,Vapaa-aika,Avoimet illat,,,,8,1,4.5,3.5,kyllä,${canvasFields.map((field) => canvasTexts[field]).join(',')}\r\n`);
	});
});

describe('Excel CSV cells', () => {
	it('quotes only what needs it, never a number; days as ISO, times as Helsinki wall clock; formulas defused', () => {
		const table = {
			name: 'T',
			columns: [
				{ header: 'teksti', type: 'text' as const, description: '' },
				{ header: 'luku', type: 'decimal' as const, description: '' },
				{ header: 'päivä', type: 'date' as const, description: '' },
				{ header: 'hetki', type: 'datetime' as const, description: '' },
				{ header: 'kyllä/ei', type: 'boolean' as const, description: '' }
			],
			rows: [
				['-1+1', -2.5, '2025-01-29', new Date('2025-07-01T21:30:00Z'), true],
				['@SUM(A1)', 1234567.125, null, null, false],
				['a;b', 0.1 + 0.2, '', undefined, null],
				['\t=1', 1e21, '2025-02-30x', new Date(Number.NaN), null]
			]
		};
		const text = toExcelCsv(table, 'fi');
		expect(text).toBe(
			'\uFEFFteksti;luku;päivä;hetki;kyllä/ei\r\n' +
				"'-1+1;-2,5;2025-01-29;2025-07-02 00:30:00;kyllä\r\n" +
				"'@SUM(A1);1234567,125;;;ei\r\n" +
				'"a;b";0,3;;;\r\n' +
				`"'\t=1";1000000000000000000000;2025-02-30x;;\r\n`
		);
		expect(readExcelCsv(text)).toHaveLength(5);
		expect(toExcelCsv(table, 'sv')).toContain(';-2,5;');
		expect(toExcelCsv(table, 'en')).toContain(";-2.5;2025-01-29;2025-07-02 00:30:00;kyllä\r\n");
	});
});

// The programme ---------------------------------------------------------------------------------------

async function buildProgramme() {
	const lead = await newUser('Liisa');
	const member = await newUser('Mikko');
	const outsider = await newUser('Ulla');
	const helsinki = await createOrganisation({ name: `Helsingin kaupunki ${Date.now()}`, kind: 'city', municipality: 'Helsinki' });
	await addMember(helsinki.id, lead.id, 'programme_lead');
	await addMember(helsinki.id, member.id, 'member');
	await db.insert(areas)
		.values([
			{ code: '00420', name: 'Kannelmäki', municipality: 'Helsinki' },
			{ code: '00940', name: 'Kontula', municipality: 'Helsinki' }
		])
		.onConflictDoNothing();
	await db.insert(indicators).values({ key: 'unemployment_rate', name: 'Työttömyysaste', unit: '%', higherIsBetter: false }).onConflictDoNothing();
	const programme = await createProgramme(
		{ name: 'Mukana-ohjelma', ownerOrganisationId: helsinki.id, startsOn: '2025-01-01', endsOn: '2027-12-31', description: '', goals: [{ title: 'Turvallinen aikuinen', description: '' }], organisationIds: [], areaCodes: ['00420'] },
		lead.id
	);
	const propose = async (input: Partial<PilotInput> & { title: string }) => (await proposePilot(programme.id, pilotInput(input), lead.id)).id;
	const run = async (id: string) => {
		await transitionPilot(id, 'approve', { id: lead.id, isAdmin: false });
		await transitionPilot(id, 'start', { id: lead.id, isAdmin: false });
	};
	// A: two indicators, a corrected check-in with decimals.
	const a = await propose({
		title: 'Kerhot kouluille',
		areaCodes: ['00420', '00940'],
		startsOn: '2025-01-01',
		endsOn: '2025-12-31',
		budgetEuros: 12000,
		canvas: { problem: 'Nuoret yksin iltaisin', partners: 'Seurakunta; nuorisotalo', firstStep: '-Sovitaan tilat' }
	});
	await run(a);
	const members = await addIndicator(a, { name: 'Harrastajat', unit: 'hlö', indicatorKey: null, areaCode: null, baseline: 10, target: 30, higherIsBetter: true });
	const absences = await addIndicator(a, { name: 'Poissaolot', unit: '%', indicatorKey: null, areaCode: null, baseline: 20.5, target: 10, higherIsBetter: false });
	await recordCheckIn(a, checkInInput({ reportedOn: '2025-01-29', readings: { [members.id]: 15, [absences.id]: 18.25 } }), lead.id);
	const first = (await listCheckIns(a)).find((c) => c.reportedOn === '2025-01-29')!;
	await correctCheckIn(a, first.seriesId, checkInInput({ reportedOn: '2025-01-29', learned: '=1+1', readings: { [members.id]: 12, [absences.id]: 19.5 } }), lead.id);
	// B: a formula for a title; an indicator named as A's (one shared column) and two unemployment rates by area.
	const b = await propose({ title: '=HYPERLINK("http://evil.example","klikkaa")', areaCodes: ['00940'] });
	await run(b);
	const bMembers = await addIndicator(b, { name: 'Harrastajat', unit: 'hlö', indicatorKey: null, areaCode: null, baseline: null, target: null, higherIsBetter: true });
	const kannelmaki = await addIndicator(b, { name: 'Työttömyysaste', unit: '%', indicatorKey: 'unemployment_rate', areaCode: '00420', baseline: 9.1, target: 8, higherIsBetter: false });
	const kontula = await addIndicator(b, { name: 'Työttömyysaste', unit: '%', indicatorKey: 'unemployment_rate', areaCode: '00940', baseline: 14.2, target: 12, higherIsBetter: false });
	// An indicator named as a fixed column does not take its heading.
	const version = await addIndicator(b, { name: 'Versio', unit: '', indicatorKey: null, areaCode: null, baseline: null, target: null, higherIsBetter: true });
	await recordCheckIn(b, checkInInput({ reportedOn: '2025-03-01', status: 'at_risk', readings: { [bMembers.id]: 7, [kannelmaki.id]: 8.9, [kontula.id]: -0.5, [version.id]: 3 } }), lead.id);
	return { lead, member, outsider, programme, pilots: { a, b } };
}

describe('the programme as Excel', () => {
	let world: Awaited<ReturnType<typeof buildProgramme>>;
	beforeAll(async () => {
		world = await buildProgramme();
	});

	it('a workbook: pilots with typed cells, indicators, check-ins with a column per indicator, areas, a data dictionary', async () => {
		const workbook = await readWorkbook((await programmeXlsx(world.programme.id, 'fi'))!);
		expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Kokeilut', 'Mittarit', 'Seurantaraportit', 'Alueet', 'Tietokuvaus']);
		for (const sheet of workbook.worksheets) expectFrozenBoldHeader(sheet);
		expectDictionaryCovers(workbook);

		const pilots = sheetRecords(workbook.getWorksheet('Kokeilut')!);
		const a = pilots.rows.find((row) => row['Kokeilun tunniste']!.value === world.pilots.a)!;
		expect(a[m.export_col_status({}, { locale: 'fi' })]!.value).toBe('Käynnissä');
		expect(a['Alkaa']!.type).toBe(ExcelJS.ValueType.Date);
		expect(a['Alkaa']!.value).toEqual(new Date('2025-01-01T00:00:00Z'));
		expect(a['Alkaa']!.numFmt).toBe('d.m.yyyy');
		expect(a['Päättyy']!.value).toEqual(new Date('2025-12-31T00:00:00Z'));
		expect(a['Budjetti (€)']!.type).toBe(ExcelJS.ValueType.Number);
		expect(a['Budjetti (€)']!.value).toBe(12000);
		expect(a[m.export_col_cadence_weeks({}, { locale: 'fi' })]!.value).toBe(4);
		expect(a['Alueet']!.value).toBe('00420 Kannelmäki; 00940 Kontula');
		expect(a[canvasFieldLabels.problem()]!.value).toBe('Nuoret yksin iltaisin');
		expect(a[canvasFieldLabels.firstStep()]!.value).toBe("'-Sovitaan tilat");
		expect(a['Luotu']!.type).toBe(ExcelJS.ValueType.Date);
		const b = pilots.rows.find((row) => row['Kokeilun tunniste']!.value === world.pilots.b)!;
		expect(b['Kokeilu']!.type).toBe(ExcelJS.ValueType.String);
		expect(b['Kokeilu']!.value).toBe(`'=HYPERLINK("http://evil.example","klikkaa")`);

		// One column per indicator heading, "name (unit)"; the readings are numbers, not JSON.
		const checkIns = sheetRecords(workbook.getWorksheet('Seurantaraportit')!);
		expect(checkIns.header.slice(-5)).toEqual(['Harrastajat (hlö)', 'Poissaolot (%)', 'Työttömyysaste (%)', 'Työttömyysaste, 00940 (%)', 'Versio 2']);
		expect(checkIns.rows.map((row) => [row['Päivä']!.value, row['Versio']!.value, row['Voimassa']!.value, row['Harrastajat (hlö)']!.value, row['Poissaolot (%)']!.value])).toEqual([
			[new Date('2025-01-29T00:00:00Z'), 1, 'ei', 15, 18.25],
			[new Date('2025-01-29T00:00:00Z'), 2, 'kyllä', 12, 19.5],
			[new Date('2025-03-01T00:00:00Z'), 1, 'kyllä', 7, null]
		]);
		const bRow = checkIns.rows[2]!;
		expect(bRow['Työttömyysaste (%)']!.value).toBe(8.9);
		expect(bRow['Työttömyysaste, 00940 (%)']!.type).toBe(ExcelJS.ValueType.Number);
		expect(bRow['Työttömyysaste, 00940 (%)']!.value).toBe(-0.5);
		expect(bRow['Tilannearvio']!.value).toBe('Riskissä');
		expect([bRow['Versio']!.value, bRow['Versio 2']!.value]).toEqual([1, 3]);
		expect(checkIns.rows[1]!['Mitä opittiin']!.value).toBe("'=1+1");
		expect(checkIns.rows[0]!['Kirjoitettu']!.value).toBeInstanceOf(Date);

		const indicatorSheet = sheetRecords(workbook.getWorksheet('Mittarit')!);
		expect(indicatorSheet.rows.map((row) => [row['Mittari']!.value, row['Lähtötaso']!.value, row['Viimeisin lukema']!.value, row['Sarake seurantaraporteissa']!.value])).toEqual([
			['Harrastajat', 10, 12, 'Harrastajat (hlö)'],
			['Poissaolot', 20.5, 19.5, 'Poissaolot (%)'],
			['Harrastajat', null, 7, 'Harrastajat (hlö)'],
			['Työttömyysaste', 9.1, 8.9, 'Työttömyysaste (%)'],
			['Työttömyysaste', 14.2, -0.5, 'Työttömyysaste, 00940 (%)'],
			['Versio', null, 3, 'Versio 2']
		]);
		const areaSheet = sheetRecords(workbook.getWorksheet('Alueet')!);
		expect(areaSheet.rows.map((row) => [row['Postinumero']!.value, row['Alue']!.value, row['Ohjelman kohdealue']!.value])).toEqual([
			['00420', 'Kannelmäki', 'kyllä'],
			['00940', 'Kontula', 'ei'],
			['00940', 'Kontula', 'ei']
		]);
		// Dictionary descriptions of the reading columns say what they hold.
		const dictionary = sheetRecords(workbook.getWorksheet('Tietokuvaus')!);
		expect(dictionary.rows.find((row) => row['Sarake']!.value === 'Poissaolot (%)')!['Kuvaus']!.value).toBe(m.export_dict_reading({ name: 'Poissaolot', unit: '%' }));
	});

	it('CSV for Excel: pilots and check-ins with `;`, a decimal comma in fi and a point in en, formulas defused', async () => {
		const checkIns = recordsOf((await programmeExcelCsv(world.programme.id, 'checkIns', 'fi'))!);
		expect(checkIns.header.slice(-5)).toEqual(['Harrastajat (hlö)', 'Poissaolot (%)', 'Työttömyysaste (%)', 'Työttömyysaste, 00940 (%)', 'Versio 2']);
		expect(checkIns.rows.map((row) => [row['Päivä'], row['Poissaolot (%)'], row['Työttömyysaste, 00940 (%)']])).toEqual([
			['2025-01-29', '18,25', ''],
			['2025-01-29', '19,5', ''],
			['2025-03-01', '', '-0,5']
		]);
		expect(checkIns.rows[1]!['Mitä opittiin']).toBe("'=1+1");
		expect(checkIns.rows.every((row) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(row['Kirjoitettu']!))).toBe(true);
		const english = recordsOf((await programmeExcelCsv(world.programme.id, 'checkIns', 'en'))!);
		expect(english.rows.map((row) => row['Poissaolot (%)'])).toEqual(['18.25', '19.5', '']);

		const pilots = recordsOf((await programmeExcelCsv(world.programme.id, 'pilots', 'fi'))!);
		const b = pilots.rows.find((row) => row['Kokeilun tunniste'] === world.pilots.b)!;
		expect(b['Kokeilu']).toBe(`'=HYPERLINK("http://evil.example","klikkaa")`);
		const a = pilots.rows.find((row) => row['Kokeilun tunniste'] === world.pilots.a)!;
		expect([a['Alkaa'], a['Budjetti (€)'], a['Alueet'], a[canvasFieldLabels.partners()]]).toEqual(['2025-01-01', '12000', '00420 Kannelmäki; 00940 Kontula', 'Seurakunta; nuorisotalo']);

		const dictionary = recordsOf((await programmeExcelCsv(world.programme.id, 'dictionary', 'fi'))!);
		expect(dictionary.rows.filter((row) => row['Taulukko'] === 'Seurantaraportit').map((row) => row['Sarake'])).toEqual(checkIns.header);
	});

	describe('on the production server', () => {
		let server: RunningServer;
		beforeAll(async () => {
			server = await startProductionServer({ env: { DATABASE_PATH: process.env.DATABASE_PATH! } });
		});
		afterAll(async () => {
			await server?.stop();
		});
		const get = (path: string, cookie?: string) => fetch(`${server.url}${path}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' });

		const programmeFiles = [
			['export.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', /^attachment; filename="Mukana-ohjelma\.xlsx"/],
			['pilots-excel.csv', 'text/csv; charset=utf-8', /^attachment; filename="Mukana-ohjelma-Kokeilut-Excel\.csv"/],
			['checkins-excel.csv', 'text/csv; charset=utf-8', /^attachment; filename="Mukana-ohjelma-Seurantaraportit-Excel\.csv"/],
			['data-dictionary-excel.csv', 'text/csv; charset=utf-8', /^attachment; filename="Mukana-ohjelma-Tietokuvaus-Excel\.csv"/]
		] as const;
		for (const [file, type, disposition] of programmeFiles) {
			it(`/programmes/{id}/${file}: a member downloads it; an outsider, nobody and an unknown programme are refused`, async () => {
				const ok = await get(`/programmes/${world.programme.id}/${file}`, world.member.cookie);
				expect(ok.status).toBe(200);
				expect(ok.headers.get('content-type')).toBe(type);
				expect(ok.headers.get('cache-control')).toBe('no-store');
				expect(ok.headers.get('content-disposition')).toMatch(disposition);
				const bytes = new Uint8Array(await ok.arrayBuffer());
				if (file.endsWith('.xlsx')) expect((await readWorkbook(bytes)).worksheets.map((sheet) => sheet.name)).toContain('Seurantaraportit');
				else expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);

				const refused = await get(`/programmes/${world.programme.id}/${file}`, world.outsider.cookie);
				expect(refused.status).toBe(403);
				expect(refused.headers.get('content-type')).toBe('text/plain; charset=utf-8');
				expect(await refused.text()).toBe(m.outcomes_forbidden());
				expect((await get(`/programmes/${world.programme.id}/${file}`)).status).toBe(403);
				expect((await get(`/programmes/no-such-programme/${file}`, world.member.cookie)).status).toBe(404);
			});
		}

		it('the language cookie chooses headers, sheet names and the decimal separator', async () => {
			const english = await get(`/programmes/${world.programme.id}/checkins-excel.csv`, `${world.lead.cookie}; PARAGLIDE_LOCALE=en`);
			const { header, rows } = recordsOf(utf8(await english.arrayBuffer()));
			expect(header.slice(0, 3)).toEqual(['Id', 'Series', 'Version']);
			expect(rows.map((row) => row['Poissaolot (%)'])).toEqual(['18.25', '19.5', '']);
			const swedish = await get(`/programmes/${world.programme.id}/export.xlsx`, `${world.lead.cookie}; PARAGLIDE_LOCALE=sv`);
			const workbook = await readWorkbook(new Uint8Array(await swedish.arrayBuffer()));
			expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Försök', 'Indikatorer', 'Uppföljningar', 'Områden', 'Databeskrivning']);
			const finnish = await get(`/programmes/${world.programme.id}/checkins-excel.csv`, world.lead.cookie);
			expect(recordsOf(utf8(await finnish.arrayBuffer())).rows.map((row) => row['Poissaolot (%)'])).toEqual(['18,25', '19,5', '']);
		});

		it('the workshop addresses: participants download them; others are refused', async () => {
			const { owner, workshop } = await buildWorkshop();
			const guest = await newGuest(workshop.id, 'Vieras');
			const stranger = await newUser('Ulkopuolinen');
			const files = [
				['export.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', /^attachment; filename="Jalostamo-Ita-Helsinki\.xlsx"/],
				['export-excel.csv', 'text/csv; charset=utf-8', /^attachment; filename="Jalostamo-Ita-Helsinki-Excel\.csv"/],
				['data-dictionary-excel.csv', 'text/csv; charset=utf-8', /^attachment; filename="Jalostamo-Ita-Helsinki-Tietokuvaus-Excel\.csv"/]
			] as const;
			for (const [file, type, disposition] of files) {
				const ok = await get(`/workshops/${workshop.id}/${file}`, guest.cookie);
				expect(ok.status, file).toBe(200);
				expect(ok.headers.get('content-type')).toBe(type);
				expect(ok.headers.get('content-disposition')).toMatch(disposition);
				const bytes = new Uint8Array(await ok.arrayBuffer());
				if (file.endsWith('.xlsx')) expect((await readWorkbook(bytes)).worksheets[0]!.name).toBe('Kohteet');
				else expect(readExcelCsv(utf8(bytes)).length).toBeGreaterThan(1);
				for (const cookie of [stranger.cookie, undefined, `${guestCookieName(workshop.id)}=forged.token`]) {
					const refused = await get(`/workshops/${workshop.id}/${file}`, cookie);
					expect(refused.status, `${file} ${cookie}`).toBe(403);
					expect(await refused.text()).toBe(m.report_forbidden());
				}
				expect((await get(`/workshops/no-such-workshop/${file}`, owner.cookie)).status).toBe(404);
			}
			const english = await get(`/workshops/${workshop.id}/export-excel.csv`, `${owner.cookie}; PARAGLIDE_LOCALE=en`);
			const { header } = recordsOf(utf8(await english.arrayBuffer()));
			expect(header.slice(0, 3)).toEqual(['type', 'id', 'perspective']);
		});

		it('the report and programme pages link every download', async () => {
			const { workshop } = await buildWorkshop();
			const guest = await newGuest(workshop.id, 'Vieras');
			const report = await (await get(`/workshops/${workshop.id}/report`, guest.cookie)).text();
			for (const file of ['export.xlsx', 'export-excel.csv', 'export.csv', 'data-dictionary-excel.csv']) expect(report).toContain(`href="/workshops/${workshop.id}/${file}"`);
			for (const path of ['', '/report']) {
				const html = await (await get(`/programmes/${world.programme.id}${path}`, world.lead.cookie)).text();
				for (const file of ['export.xlsx', 'pilots-excel.csv', 'checkins-excel.csv', 'pilots.csv', 'checkins.csv']) expect(html, `${path} ${file}`).toContain(`href="/programmes/${world.programme.id}/${file}"`);
				if (!path) expect(html).toContain(`href="/programmes/${world.programme.id}/data-dictionary-excel.csv"`);
			}
		});
	});
});
