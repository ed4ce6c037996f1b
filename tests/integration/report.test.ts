// The workshop report and its exports, on a real database: a board written through the board store (as the
// collab server saves it), vote rounds opened, voted, closed and revealed through voting.ts. A hidden round that
// was never revealed must leave no trace in any export; user text must not turn into formulas or Markdown.
// The last block runs the export routes on the production server (needs `npm run build` first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote, canvasFields, createCluster, editText, ideaText, promoteToIdea } from '../../src/lib/board/model';
import { canvasFieldLabels } from '../../src/lib/labels';
import { m } from '../../src/lib/paraglide/messages.js';
import { openBoardStore, shutdownCollab } from '../../src/lib/server/collab';
import { getDb } from '../../src/lib/server/db';
import { createOrganisation } from '../../src/lib/server/organisations';
import {
	assembleReport,
	attachmentHeader,
	buildWorkshopCsv,
	buildWorkshopMarkdown,
	csvCell,
	escapeMarkdown,
	resolveReportAccess
} from '../../src/lib/server/report';
import { castDotVote, closeRound, markChosen, openRound, revealRound, submitRating } from '../../src/lib/server/voting';
import { createWorkshop, getWorkshopDetails, guestCookieName, joinAsGuest, joinAsUser, setParticipantRole } from '../../src/lib/server/workshops';
import { newGuest, newMember, newUser } from '../helpers/collab';
import { startProductionServer, type RunningServer } from '../helpers/server';

afterAll(async () => {
	await shutdownCollab();
});

/** RFC 4180 parser for the checks (quoted fields with commas, quotes and line breaks; CRLF rows). */
function parseCsv(text: string) {
	const rows: string[][] = [];
	let row: string[] = [];
	let field = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i]!;
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
			else if (c === '"') quoted = false;
			else field += c;
		} else if (c === '"') quoted = true;
		else if (c === ',') row.push(field), (field = '');
		else if (c === '\r' && text[i + 1] === '\n') {
			row.push(field);
			rows.push(row);
			(row = []), (field = ''), i++;
		} else field += c;
	}
	if (field || row.length) throw new Error('the CSV does not end with CRLF');
	return rows;
}

let counter = 0;

/** The experiment canvas's fields, after the other columns of the comma CSV; empty on rows that are not idea cards. */
const canvasHeaders = canvasFields.map((field) => canvasFieldLabels[field]());
const noCanvas = canvasFields.map(() => '');

/** A workshop with two perspectives, an invited organisation, four people, a board and three vote rounds. */
async function buildWorkshop() {
	const n = ++counter;
	const owner = await newUser('Fasilitaattori');
	const city = await createOrganisation({ name: `Vantaan kaupunki ${n}`, kind: 'city', municipality: 'Vantaa' });
	const workshop = await createWorkshop(
		{
			title: 'Jalostamo: Itä-Helsinki / kevät "2026"',
			theme: 'Nuorten osallisuus',
			description: 'Kuvaus | jossa *tähtiä*',
			startsAt: null,
			organisationIds: [city.id],
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
	const anna = await joinAsGuest(workshop.id, { displayName: 'Anna Guest', organisationName: city.name });
	await joinAsGuest(workshop.id, { displayName: 'Ville', organisationName: city.name });
	await joinAsGuest(workshop.id, { displayName: 'Nimetön' });
	const bertil = await newUser('Bertil');
	await joinAsUser(workshop.id, bertil);

	// The board, as a client would write it and the collab server would save it.
	const doc = new Y.Doc();
	const by = (name: string) => ({ id: `author-${name}`, name });
	const park = addNote(doc, { text: 'Puistot auki iltaisin', lane: families, author: by('Anna Guest'), createdAt: 1 });
	const club = addNote(doc, { text: 'Kerhot kouluille', lane: families, author: by('Ville'), createdAt: 2 });
	const formula = addNote(doc, { text: '=HYPERLINK("http://evil.example","klikkaa")', lane: families, author: by('Anna Guest'), createdAt: 3 });
	const minus = addNote(doc, { text: '-5 astetta, "kylmä", ja\nuusi rivi', lane: youth, author: { id: 'anon', name: '' }, createdAt: 4 });
	const heading = addNote(doc, { text: '# Otsikko | putki *tähti* [linkki](http://x) <b>', lane: youth, author: by('Bertil'), createdAt: 5 });
	const at = addNote(doc, { text: '@SUM(A1)', lane: youth, author: by('Bertil'), createdAt: 6 });
	const cluster = createCluster(doc, [park, club], 'Vapaa-aika', families);
	const idea = promoteToIdea(doc, { kind: 'cluster', id: cluster }, 'Avoimet illat', families);
	editText(ideaText(doc, idea, 'hypothesis')!, { index: 0, remove: 0, insert: 'Jos avaamme koulut iltaisin,\nniin nuoret viihtyvät' });
	editText(ideaText(doc, idea, 'firstStep')!, { index: 0, remove: 0, insert: '# Ei otsikko\n| ei | taulukko |' });
	const otherIdea = promoteToIdea(doc, { kind: 'note', id: minus }, 'Lämpimät tilat', youth);
	await openBoardStore().append(workshop.id, [Y.encodeStateAsUpdate(doc)]);
	doc.destroy();

	// Round 1: dot, results hidden, closed and revealed; a tie; the cluster chosen; an item since deleted.
	const revealed = await openRound(
		workshop.id,
		{
			method: 'dot',
			resultsHidden: true,
			items: [
				{ id: cluster, kind: 'cluster', text: 'Vapaa-aika' },
				{ id: formula, kind: 'note', text: '=HYPERLINK("http://evil.example","klikkaa")' },
				{ id: heading, kind: 'note', text: '# Otsikko | putki *tähti* [linkki](http://x) <b>' },
				{ id: 'poistettu-lappu', kind: 'note', text: 'Poistettu lappu' }
			]
		},
		owner.id
	);
	for (const voter of ['v1', 'v2']) await castDotVote(revealed.id, voter, cluster, 1);
	await castDotVote(revealed.id, 'v1', heading, 1);
	await castDotVote(revealed.id, 'v3', heading, 1);
	await castDotVote(revealed.id, 'v3', 'poistettu-lappu', 1);
	await closeRound(revealed.id);
	await revealRound(revealed.id);
	await markChosen(revealed.id, [cluster]);

	// Round 2: dot, results hidden, closed but never revealed; a choice made on it must not show either.
	const hidden = await openRound(
		workshop.id,
		{
			method: 'dot',
			resultsHidden: true,
			anonymous: true,
			items: [
				{ id: minus, kind: 'note', text: '-5 astetta' },
				{ id: 'salainen', kind: 'note', text: 'Salainen kohde' }
			]
		},
		owner.id
	);
	await castDotVote(hidden.id, 'v1', 'salainen', 1);
	await castDotVote(hidden.id, 'v2', 'salainen', 1);
	await closeRound(hidden.id);
	await markChosen(hidden.id, ['salainen', minus]);

	// Round 3: rating over the idea cards, visible, closed.
	const rating = await openRound(
		workshop.id,
		{
			method: 'rating',
			items: [
				{ id: idea, kind: 'idea', text: 'Avoimet illat' },
				{ id: otherIdea, kind: 'idea', text: 'Lämpimät tilat' }
			]
		},
		owner.id
	);
	await submitRating(rating.id, 'v1', idea, 5, 3);
	await submitRating(rating.id, 'v2', idea, 4, 4);
	await submitRating(rating.id, 'v1', otherIdea, 2, 5);
	await closeRound(rating.id);

	return { owner, workshop, families, youth, anna, bertil, ids: { park, club, formula, minus, heading, at, cluster, idea, otherIdea } };
}

describe('cells and text', () => {
	it('quotes CSV fields per RFC 4180 and defuses formulas', () => {
		expect(csvCell('plain')).toBe('plain');
		expect(csvCell('a,b')).toBe('"a,b"');
		expect(csvCell('sanoi "hei"')).toBe('"sanoi ""hei"""');
		expect(csvCell('rivi\r\nrivi')).toBe('"rivi\r\nrivi"');
		for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(csvCell(`${start}1+1`).startsWith(`'${start}`) || csvCell(`${start}1+1`).startsWith(`"'${start}`)).toBe(true);
		expect(csvCell('=A1,B1')).toBe(`"'=A1,B1"`);
		// Finnish Excel splits on `;` (and any spreadsheet may on a tab): text after one must stay in its cell.
		expect(csvCell('hei;=HYPERLINK("http://evil.example")')).toBe('"hei;=HYPERLINK(""http://evil.example"")"');
		expect(csvCell('hei\t=1+1')).toBe('"hei\t=1+1"');
		expect(csvCell('hei\r=1+1')).toBe('"hei\r=1+1"');
		expect(csvCell('＝1+1')).toBe("'＝1+1");
		expect(csvCell('\n=1+1')).toBe(`"'\n=1+1"`);
		expect(csvCell(3.5)).toBe('3.5');
		expect(csvCell(null)).toBe('');
	});

	it('escapes Markdown so user text stays text on one line', () => {
		expect(escapeMarkdown('# Otsikko')).toBe('\\# Otsikko');
		expect(escapeMarkdown('a | b')).toBe('a \\| b');
		expect(escapeMarkdown('*x* _y_ `z` [l](u) <i> ~s~')).toBe('\\*x\\* \\_y\\_ \\`z\\` \\[l\\](u) \\<i\\> \\~s\\~');
		expect(escapeMarkdown('- lista')).toBe('\\- lista');
		expect(escapeMarkdown('+ lista')).toBe('\\+ lista');
		expect(escapeMarkdown('1. lista')).toBe('1\\. lista');
		expect(escapeMarkdown('> lainaus')).toBe('\\> lainaus');
		expect(escapeMarkdown('rivi\n\n# toinen')).toBe('rivi \\# toinen');
		expect(escapeMarkdown('&amp; & x')).toBe('\\&amp; & x');
		expect(escapeMarkdown('a\\b')).toBe('a\\\\b');
	});

	it('names downloads after the workshop, ASCII-safe with the exact name in filename*', () => {
		const header = attachmentHeader('Jalostamo: Itä-Helsinki / kevät "2026"', 'csv');
		expect(header).toMatch(/^attachment; filename="[A-Za-z0-9._-]+\.csv"; filename\*=UTF-8''[A-Za-z0-9%._~!-]+$/);
		expect(header).toContain('filename="Jalostamo-Ita-Helsinki-kevat-2026.csv"');
		expect(decodeURIComponent(header.split("UTF-8''")[1]!)).toBe('Jalostamo Itä-Helsinki kevät 2026.csv');
		expect(attachmentHeader('"""', 'md')).toContain('filename="verstas.md"');
		expect(attachmentHeader('a\ud800b', 'csv')).toContain("filename*=UTF-8''ab.csv");
		expect(decodeURIComponent(attachmentHeader('ä'.repeat(300), 'md').split("UTF-8''")[1]!)).toBe('ä'.repeat(100) + '.md');
	});
});

describe('the workshop report', () => {
	it('allows facilitators, participants and observers; refuses others; 404 for an unknown workshop', async () => {
		const { owner, workshop, anna } = await buildWorkshop();
		const stranger = await newUser('Ulkopuolinen');
		const guest = await newGuest(workshop.id, 'Tarkkailija');
		await setParticipantRole(workshop.id, guest.id, 'observer');
		const who = (user: { id: string; name: string } | null, guestToken?: string) => resolveReportAccess(workshop.id, { user, guestToken });
		expect((await who(owner)).ok).toBe(true);
		expect((await who(null, anna.token)).ok).toBe(true);
		expect((await who(null, guest.cookie.split('=')[1])).ok).toBe(true);
		expect(await who(stranger)).toEqual({ ok: false, status: 403 });
		expect(await who(null)).toEqual({ ok: false, status: 403 });
		expect(await resolveReportAccess('no-such-workshop', { user: owner, guestToken: undefined })).toEqual({ ok: false, status: 404 });
		expect(await buildWorkshopCsv('no-such-workshop')).toBeUndefined();
	});

	it('reports an empty workshop (no board, no rounds) without failing', async () => {
		const owner = await newUser('Tyhjä');
		const workshop = await createWorkshop(
			{ title: 'Tyhjä', theme: 'Teema', description: '', startsAt: null, organisationIds: [], coFacilitatorEmails: [], perspectives: [{ title: 'Yksi', description: '' }], phases: [] },
			owner.id
		);
		expect(await buildWorkshopCsv(workshop.id)).toBe(`\uFEFFtyyppi,tunniste,näkökulma,ryhmä,teksti,kirjoittaja,valittu jatkoon,${canvasHeaders.join(',')}\r\n`);
		const md = (await buildWorkshopMarkdown(workshop.id))!;
		expect(md).toContain(m.report_organisations_empty());
		expect(md).toContain(`*${m.report_lane_empty()}*`);
		expect(md).toContain(`*${m.report_rounds_empty()}*`);
		expect(md).toContain(`*${m.report_chosen_empty()}*`);
	});

	it('assembles lanes, clusters, organisations, visible rounds only and the chosen idea with its canvas', async () => {
		const { workshop, ids } = await buildWorkshop();
		const report = (await assembleReport(workshop.id))!;
		expect(report.lanes.map((lane) => lane.title)).toEqual(['Lapsiperheet', 'Nuoret aikuiset']);
		expect(report.lanes[0]!.clusters.map((c) => [c.name, c.notes.map((n) => n.text)])).toEqual([
			['Vapaa-aika', ['Puistot auki iltaisin', 'Kerhot kouluille']]
		]);
		expect(report.organisations).toEqual([
			{ name: expect.stringMatching(/^Vantaan kaupunki/), count: 2 },
			{ name: m.report_organisation_none(), count: 2 }
		]);
		expect(report.participantCount).toBe(4);
		expect(report.rounds.map((r) => [r.number, r.method, r.visible, r.results?.length ?? null])).toEqual([
			[1, 'dot', true, 4],
			[2, 'dot', false, null],
			[3, 'rating', true, 2]
		]);
		expect(report.rounds[0]!.results!.map((r) => [r.text, r.score, r.rank, r.chosen])).toEqual([
			['Vapaa-aika', 2, 1, true],
			['# Otsikko | putki *tähti* [linkki](http://x) <b>', 2, 1, false],
			['Poistettu lappu', 1, 3, false],
			['=HYPERLINK("http://evil.example","klikkaa")', 0, 4, false]
		]);
		// Chosen: the cluster (round 1) through its idea card; not what was chosen on the hidden round 2.
		expect(report.chosen.map((c) => c.title)).toEqual(['Avoimet illat']);
		// Its idea card, from which the report offers to propose a pilot.
		expect(report.chosen[0]!.ideaId).toBe(ids.idea);
		expect(report.chosen[0]!.canvas!.find((f) => f.field === 'hypothesis')!.text).toBe('Jos avaamme koulut iltaisin,\nniin nuoret viihtyvät');
		expect(report.chosenItemIds).toEqual([ids.cluster]);
	});

	it('exports CSV: BOM, CRLF, a row per cluster, note and idea, visible rounds only, defused formulas', async () => {
		const { workshop, ids } = await buildWorkshop();
		const csv = (await buildWorkshopCsv(workshop.id))!;
		expect(csv.startsWith('\uFEFF')).toBe(true);
		expect(csv.replace(/"[^"]*"/g, '').split('\n').every((line, i, all) => i === all.length - 1 || line.endsWith('\r'))).toBe(true);
		const [header, ...rows] = parseCsv(csv.slice(1));
		expect(header).toEqual([
			'tyyppi',
			'tunniste',
			'näkökulma',
			'ryhmä',
			'teksti',
			'kirjoittaja',
			'Äänestys 1: pisteet',
			'Äänestys 1: sija',
			'Äänestys 3: pisteet',
			'Äänestys 3: sija',
			'Äänestys 3: vaikuttavuus (ka.)',
			'Äänestys 3: toteutettavuus (ka.)',
			'valittu jatkoon',
			...canvasHeaders
		]);
		expect(rows.every((row) => row.length === header!.length)).toBe(true);
		const byId = Object.fromEntries(rows.map((row) => [row[1], row]));
		expect(rows.map((row) => row[1])).toEqual([
			ids.cluster,
			ids.park,
			ids.club,
			ids.formula,
			ids.idea,
			ids.minus,
			ids.heading,
			ids.at,
			ids.otherIdea,
			'poistettu-lappu'
		]);
		expect(byId[ids.cluster]).toEqual(['ryhmä', ids.cluster, 'Lapsiperheet', 'Vapaa-aika', 'Vapaa-aika', '', '2', '1', '', '', '', '', 'kyllä', ...noCanvas]);
		expect(byId[ids.park]).toEqual(['lappu', ids.park, 'Lapsiperheet', 'Vapaa-aika', 'Puistot auki iltaisin', 'Anna Guest', '', '', '', '', '', '', '', ...noCanvas]);
		// Formulas are defused; quotes, commas and line breaks survive the round trip.
		expect(byId[ids.formula]![4]).toBe(`'=HYPERLINK("http://evil.example","klikkaa")`);
		expect(byId[ids.formula]!.slice(6, 8)).toEqual(['0', '4']);
		expect(byId[ids.at]![4]).toBe(`'@SUM(A1)`);
		expect(byId[ids.minus]![4]).toBe(`'-5 astetta, "kylmä", ja\nuusi rivi`);
		// The anonymous note has no author; the hidden round's choice does not make it chosen.
		expect(byId[ids.minus]![5]).toBe('');
		expect(byId[ids.minus]![12]).toBe('');
		// Tie: both items with 2 points rank 1.
		expect(byId[ids.heading]!.slice(5, 8)).toEqual(['Bertil', '2', '1']);
		// Idea cards: the one from the chosen cluster is chosen; ratings as means with a dot.
		// …with their whole canvas after the other columns, each field's text as written.
		const canvas = canvasFields.map((field) => ({ hypothesis: 'Jos avaamme koulut iltaisin,\nniin nuoret viihtyvät', firstStep: '# Ei otsikko\n| ei | taulukko |' }[field as string] ?? ''));
		expect(byId[ids.idea]).toEqual(['idea', ids.idea, 'Lapsiperheet', 'Vapaa-aika', 'Avoimet illat', '', '', '', '8', '1', '4.5', '3.5', 'kyllä', ...canvas]);
		expect(byId[ids.otherIdea]!.slice(8)).toEqual(['7', '2', '2', '5', '', ...noCanvas]);
		// A deleted item keeps its result with the text frozen in the round.
		expect(byId['poistettu-lappu']).toEqual(['lappu', 'poistettu-lappu', '', '', 'Poistettu lappu', '', '1', '3', '', '', '', '', '', ...noCanvas]);
		// Nothing of the unrevealed round 2.
		expect(csv).not.toContain('Salainen');
		expect(csv).not.toContain('salainen');
		expect(csv).not.toContain('Äänestys 2');
	});

	it('exports Markdown with details, organisations, clusters, results tables with ties, hidden rounds hidden, escaped text', async () => {
		const { workshop } = await buildWorkshop();
		const md = (await buildWorkshopMarkdown(workshop.id))!;
		const lines = md.split('\n');
		expect(lines[0]).toBe('# Jalostamo: Itä-Helsinki / kevät "2026"');
		expect(md).toContain('**Teema:** Nuorten osallisuus');
		expect(md).toContain('Kuvaus \\| jossa \\*tähtiä\\*');
		expect(md).toContain('1. **Lapsiperheet** – Arki ja palvelut\n2. **Nuoret aikuiset**');
		expect(md).toMatch(/\| Vantaan kaupunki \d+ \| 2 \|/);
		expect(md).toContain(`| ${m.report_organisation_none()} | 2 |`);
		expect(md).toContain('Osallistujia yhteensä: 4');
		expect(md).toContain('### Lapsiperheet\n\n#### Ryhmä: Vapaa-aika\n\n- Puistot auki iltaisin\n- Kerhot kouluille');
		// Notes stay list items: no heading, table, link or HTML from user text.
		expect(md).toContain('- \\# Otsikko \\| putki \\*tähti\\* \\[linkki\\](http://x) \\<b\\>');
		expect(md).toContain('- \\-5 astetta, "kylmä", ja uusi rivi');
		expect(lines.filter((line) => line.startsWith('#')).every((line) => /^#{1,4} /.test(line) && !line.includes('Otsikko'))).toBe(true);
		// Round 1 with the tie shown as a tie, the chosen item marked in text.
		expect(md).toContain('### Äänestys 1: Pisteäänestys');
		expect(md).toContain('| 1. | Vapaa-aika **(valittu jatkoon)** | 2 |');
		expect(md).toContain('| 1. | \\# Otsikko \\| putki \\*tähti\\* \\[linkki\\](http://x) \\<b\\> | 2 |');
		expect(md).toContain('| 3. | Poistettu lappu | 1 |');
		expect(md).toContain("| 4. | \\=HYPERLINK(\"http://evil.example\",\"klikkaa\") | 0 |");
		// Round 2: only that its results are hidden.
		const round2 = md.slice(md.indexOf('### Äänestys 2'), md.indexOf('### Äänestys 3'));
		expect(round2).toContain(m.report_round_hidden());
		expect(round2).toContain('Nimetön äänestys');
		expect(md).not.toContain('Salainen');
		// Round 3: rating means with the decimal comma of Finnish.
		expect(md).toContain('| 1. | Avoimet illat | 8 | 4,5 | 3,5 |');
		// The chosen idea with its canvas; a field's lines stay text (hard breaks, escaped line starts).
		const chosen = md.slice(md.indexOf('## Jatkoon valitut ideat'));
		expect(chosen).toContain('### Avoimet illat');
		expect(chosen).toContain('Lähtökohta: Vapaa-aika');
		expect(chosen).toContain('**Hypoteesi**\n\nJos avaamme koulut iltaisin,\\\nniin nuoret viihtyvät');
		expect(chosen).toContain('**Ensimmäinen askel**\n\n\\# Ei otsikko\\\n\\| ei \\| taulukko \\|');
		expect(chosen).not.toContain('Lämpimät tilat');
		expect(md.endsWith('\n')).toBe(true);
	});
});

// The routes on the production entry (server/ + build/), sharing this test's database file.
describe('export routes on the production server', () => {
	let server: RunningServer;

	beforeAll(async () => {
		server = await startProductionServer({ env: { DATABASE_PATH: process.env.DATABASE_PATH! } });
	});

	afterAll(async () => {
		await server?.stop();
	});

	const get = (path: string, cookie?: string) => fetch(server.url + path, { redirect: 'manual', headers: cookie ? { cookie } : {} });

	it('serves CSV and Markdown to participants and facilitators; 403 for others, 404 for an unknown workshop', async () => {
		const { owner, workshop } = await buildWorkshop();
		const guest = await newGuest(workshop.id, 'Vieras');
		const member = await newMember(workshop.id, 'Jäsen');
		const stranger = await newUser('Ulkopuolinen');

		const csv = await get(`/workshops/${workshop.id}/export.csv`, guest.cookie);
		expect(csv.status).toBe(200);
		expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
		expect(csv.headers.get('cache-control')).toBe('no-store');
		expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="Jalostamo-Ita-Helsinki-kevat-2026\.csv"; filename\*=UTF-8''/);
		const bytes = new Uint8Array(await csv.arrayBuffer());
		expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		const text = new TextDecoder().decode(bytes);
		expect(text).toContain('Puistot auki iltaisin');
		expect(text).toContain('Äänestys 1: pisteet');
		expect(text).not.toContain('Salainen');

		const md = await get(`/workshops/${workshop.id}/export.md`, member.cookie);
		expect(md.status).toBe(200);
		expect(md.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
		expect(md.headers.get('content-disposition')).toMatch(/filename="Jalostamo-Ita-Helsinki-kevat-2026\.md"/);
		const markdown = await md.text();
		expect(markdown).toContain('## Äänestykset');
		expect(markdown).toContain('### Avoimet illat');
		expect(markdown).not.toContain('Salainen');

		expect((await get(`/workshops/${workshop.id}/export.md`, owner.cookie)).status).toBe(200);
		// English when the language cookie says so.
		const english = await get(`/workshops/${workshop.id}/export.csv`, `${owner.cookie}; PARAGLIDE_LOCALE=en`);
		const en = { locale: 'en' } as const;
		const englishHeader = [m.report_csv_type({}, en), m.report_csv_id({}, en), m.report_csv_lane({}, en), m.report_csv_cluster({}, en), m.report_csv_text({}, en), m.report_csv_author({}, en), m.report_csv_round_score({ number: 1 }, en)];
		expect(await english.text()).toContain(englishHeader.join(','));

		for (const path of ['export.csv', 'export.md']) {
			for (const cookie of [stranger.cookie, undefined, `${guestCookieName(workshop.id)}=forged.token`]) {
				const refused = await get(`/workshops/${workshop.id}/${path}`, cookie);
				expect(refused.status, `${path} ${cookie}`).toBe(403);
				expect(refused.headers.get('content-type')).toBe('text/plain; charset=utf-8');
				expect(await refused.text()).toBe(m.report_forbidden());
			}
			const unknown = await get(`/workshops/no-such-workshop/${path}`, owner.cookie);
			expect(unknown.status).toBe(404);
			expect(await unknown.text()).toBe(m.workshop_not_found());
		}
		expect((await fetch(`${server.url}/workshops/${workshop.id}/export.csv`, { method: 'POST', headers: { cookie: owner.cookie, origin: server.url } })).status).toBe(405);
	});

	it('shows the print-ready report page to participants; others are refused or sent to sign in', async () => {
		const { workshop } = await buildWorkshop();
		const guest = await newGuest(workshop.id, 'Vieras');
		const stranger = await newUser('Ulkopuolinen');

		const page = await get(`/workshops/${workshop.id}/report`, guest.cookie);
		expect(page.status).toBe(200);
		const html = await page.text();
		expect(html).toContain(m.report_print());
		expect(html).toContain(`href="/workshops/${workshop.id}/export.csv"`);
		expect(html).toContain('Avoimet illat');
		expect(html).toContain('<table');
		expect(html).toContain('role="img"');
		expect(html).toContain(m.report_round_hidden());
		expect(html).not.toContain('Salainen');
		// User text is escaped, never markup.
		expect(html).not.toContain('<b>');

		expect((await get(`/workshops/${workshop.id}/report`, stranger.cookie)).status).toBe(403);
		const visitor = await get(`/workshops/${workshop.id}/report`);
		expect(visitor.status).toBe(303);
		expect(visitor.headers.get('location')).toBe(`/sign-in?redirectTo=${encodeURIComponent(`/workshops/${workshop.id}/report`)}`);
		expect((await get('/workshops/no-such-workshop/report', guest.cookie)).status).toBe(404);
	});
});
