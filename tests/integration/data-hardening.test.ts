// Data handling gaps of issue 15, proven through the production server (server/ + build/, needs `npm run build`)
// on a real SQLite file: hostile area imports, CSV cells a spreadsheet would split or run, pilot references
// outside the programme, strangers at a board's address, anonymous votes in the raw database files, and who may
// change which areas' data.
import { parse } from 'devalue';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawGet } from '../../src/lib/server/db';
import { readCsv } from '../../src/lib/server/areas';
import { addMember, createOrganisation } from '../../src/lib/server/organisations';
import { createProgramme, getProgrammeDetails } from '../../src/lib/server/programmes';
import { newGuest, newUser, newWorkshop } from '../helpers/collab';
import { startProductionServer, type RunningServer } from '../helpers/server';

let server: RunningServer;
let admin: Awaited<ReturnType<typeof newUser>>;

beforeAll(async () => {
	admin = await newUser('Ylläpitäjä'); // the first account of the database: the administrator
	server = await startProductionServer({ env: { DATABASE_PATH: process.env.DATABASE_PATH! } });
});

afterAll(async () => {
	await server?.stop();
});

type ActionResult = { type: string; status: number; data?: Record<string, unknown>; location?: string };

/** Posts a form action as SvelteKit's `use:enhance` does (multipart when a file is sent) and decodes its answer. */
async function action(path: string, cookie: string, body: FormData | URLSearchParams) {
	const response = await fetch(`${server.url}${path}`, {
		method: 'POST',
		headers: { cookie, origin: server.url, 'x-sveltekit-action': 'true' },
		body
	});
	const json = (await response.json()) as ActionResult & { data?: string };
	return { ...json, status: json.status ?? response.status, data: json.data ? (parse(json.data) as Record<string, unknown>) : undefined } as ActionResult;
}

const count = async (sql: string, ...params: unknown[]) => Number((await rawGet<{ n: number | string }>(sql, ...params))!.n);

/**
 * Runs `work` while asking /healthz one request after another; the slowest answer is how long the server's event
 * loop was blocked for everyone else (plus a request's own few milliseconds).
 */
async function longestStall<T>(work: () => Promise<T>) {
	let done = false;
	const running = work().finally(() => (done = true));
	let longest = 0;
	let probes = 0;
	while (!done && probes < 10_000) {
		const started = performance.now();
		await (await fetch(`${server.url}/healthz`)).arrayBuffer();
		longest = Math.max(longest, performance.now() - started);
		probes++;
	}
	return { result: await running, longest, probes };
}

function areaFile(format: 'paavo' | 'plain', text: string, encoding: 'latin1' | 'utf8' = 'utf8') {
	const form = new FormData();
	form.set('format', format);
	form.set('file', new Blob([Buffer.from(text, encoding)], { type: 'text/csv' }), `${format}.csv`);
	return form;
}

describe('area import: no regex backtracking on untrusted labels, label limits', () => {
	// The old label pattern /^(\d{5})\s+(.*?)\s*(?:\(([^()]*)\))?$/ tried every split of the spaces among its three
	// quantifiers, and again for every line of the quoted label: growth ~cubic, ~5 s here for these 3 kB.
	const craftedLabel = `00420 ${' '.repeat(2000)}(${'\nx'.repeat(500)}x`;
	const craftedFile = `"Postal code area","Information","2023"\r\n"${craftedLabel}","Unemployed (PT)",1077\r\n`;

	beforeAll(async () => {
		// The route's code is loaded on its first use: that one-time cost is not the import's.
		await (await fetch(`${server.url}/healthz`)).arrayBuffer();
		await action('/areas?/import', admin.cookie, areaFile('paavo', '"Postal code area","Information","2023"\r\n'));
	});

	it('answers a 3 kB crafted label with a translated error, never blocking others for more than 200 ms', async () => {
		expect(craftedFile.length).toBeGreaterThan(3000);
		const before = await count('SELECT count(*) n FROM area_imports');
		const { result, longest, probes } = await longestStall(() => action('/areas?/import', admin.cookie, areaFile('paavo', craftedFile)));
		console.log(`crafted 3 kB label: longest event-loop stall seen by /healthz ${longest.toFixed(1)} ms over ${probes} probes`);
		expect(result.type).toBe('failure');
		expect(result.status).toBe(400);
		const errors = result.data!.importErrors as { row: number; column: string; message: string }[];
		expect(errors).toEqual([{ row: 2, column: 'Postal code area', message: `Teksti on liian pitkä: enintään 200 merkkiä (nyt ${craftedLabel.trim().length}).` }]);
		expect(await count('SELECT count(*) n FROM area_imports')).toBe(before);
		expect(longest).toBeLessThanOrEqual(200);
	});

	it('refuses over-long names, municipalities, indicators and units in a plain file, naming row and column', async () => {
		const long = 'A'.repeat(101);
		const text = [
			'area code;area name;municipality;indicator;year;value;unit',
			`00420;${long};Helsinki;Nuoret;2023;1;%`,
			`00430;Malminkartano;${long};Nuoret;2023;1;%`,
			`00440;Lassila;Helsinki;${long};2023;1;%`,
			`00450;Lassila;Helsinki;Nuoret;2023;1;${'%'.repeat(21)}`
		].join('\n');
		const result = await action('/areas?/import', admin.cookie, areaFile('plain', text));
		expect(result.status).toBe(400);
		expect((result.data!.importErrors as { row: number; column: string }[]).map((e) => `${e.row} ${e.column}`)).toEqual([
			'2 area name',
			'3 municipality',
			'4 indicator',
			'5 unit'
		]);
		expect(await count("SELECT count(*) n FROM areas WHERE code IN ('00420', '00430', '00440', '00450')")).toBe(0);
	});

	it('still imports the real Paavo file, and prints how long it held the event loop', async () => {
		const bytes = readFileSync(join(process.cwd(), 'src/lib/server/demo-data/paavo/paavo_12f7_helsinki_2023.csv'));
		const form = new FormData();
		form.set('format', 'paavo');
		form.set('file', new Blob([bytes], { type: 'text/csv' }), 'paavo_12f7_helsinki_2023.csv');
		const { result, longest } = await longestStall(() => action('/areas?/import', admin.cookie, form));
		console.log(`real Paavo file (${(bytes.length / 1024).toFixed(0)} kB, 84 areas): longest stall ${longest.toFixed(1)} ms`);
		expect(result.type).toBe('success');
		expect(await rawGet("SELECT name, municipality FROM areas WHERE code = '00420'")).toEqual({ name: 'Kannelmäki', municipality: 'Helsinki' });
	});
});

// A programme world: Helsinki owns the programme, Vantaa takes part, Espoo does not.
async function programmeWorld() {
	const suffix = Math.random().toString(36).slice(2, 8);
	const helsinki = await createOrganisation({ name: `Helsingin kaupunki ${suffix}`, kind: 'city', municipality: 'Helsinki' });
	const vantaa = await createOrganisation({ name: `Vantaan kaupunki ${suffix}`, kind: 'city', municipality: 'Vantaa' });
	const espoo = await createOrganisation({ name: `Espoon kaupunki ${suffix}`, kind: 'city', municipality: 'Espoo' });
	const [lead, partner, outsider] = [await newUser('Liisa'), await newUser('Pekka'), await newUser('Ulla')];
	await addMember(helsinki.id, lead.id, 'programme_lead');
	await addMember(vantaa.id, partner.id, 'member');
	await addMember(espoo.id, outsider.id, 'programme_lead');
	const programme = await createProgramme(
		{
			name: `Mukana ${suffix}`,
			ownerOrganisationId: helsinki.id,
			startsOn: '2025-01-01',
			endsOn: '2027-12-31',
			description: '',
			goals: [{ title: 'Jokaisella on turvallinen aikuinen', description: '' }],
			organisationIds: [vantaa.id],
			areaCodes: []
		},
		lead.id
	);
	return { helsinki, vantaa, espoo, lead, partner, outsider, programme: (await getProgrammeDetails(programme.id))! };
}

function pilotForm(fields: Record<string, string>) {
	return new URLSearchParams({
		title: 'Kerho',
		summary: '',
		hypothesis: '',
		goalId: '',
		ownerOrganisationId: '',
		responsibleUserId: '',
		teamEmails: '',
		targetGroup: '',
		perspective: '',
		startsOn: '',
		endsOn: '',
		cadenceWeeks: '4',
		budgetEuros: '',
		...fields
	});
}

describe('CSV exports stay in their cells in a spreadsheet that splits on ; or tab', () => {
	it("pilots.csv: a title with ';=cmd|…' is one quoted cell, whichever delimiter Excel picks", async () => {
		const world = await programmeWorld();
		// No `,` or `"` in it: those were quoted already; `;` and tab were not.
		const title = "Kerho;=cmd|' /C calc'!A0;@SUM(1+1)\t=2+2";
		const proposed = await action(`/programmes/${world.programme.id}/pilots/new`, world.lead.cookie, pilotForm({ title, ownerOrganisationId: world.helsinki.id }));
		expect(proposed.type).toBe('redirect');
		const response = await fetch(`${server.url}/programmes/${world.programme.id}/pilots.csv`, { headers: { cookie: world.lead.cookie } });
		expect(response.status).toBe(200);
		const text = (await response.text()).replace(/^\uFEFF/, '');
		for (const delimiter of [',', ';', '\t']) {
			const cells = readCsv(text, delimiter).flatMap((record) => record.fields);
			expect(cells.filter((cell) => /^[=+\-@]/.test(cell)), `split on ${JSON.stringify(delimiter)}`).toEqual([]);
		}
		expect(readCsv(text, ',')[1]!.fields).toContain(title);
	});
});

describe("a pilot's owner organisation and responsible person belong to its programme", () => {
	it('refuses an unknown or outside organisation and person with a translated field error, writing nothing', async () => {
		const world = await programmeWorld();
		const pilotsBefore = await count('SELECT count(*) n FROM pilots');
		const cases: { fields: Record<string, string>; field: string; message: string }[] = [
			{ fields: { ownerOrganisationId: 'no-such-organisation' }, field: 'ownerOrganisationId', message: 'Valitse omistajaksi ohjelman organisaatio.' },
			{ fields: { ownerOrganisationId: world.espoo.id }, field: 'ownerOrganisationId', message: 'Valitse omistajaksi ohjelman organisaatio.' },
			{ fields: { responsibleUserId: 'no-such-user' }, field: 'responsibleUserId', message: 'Valitse vastuuhenkilö ohjelman organisaatioiden jäsenistä.' },
			{ fields: { responsibleUserId: world.outsider.id }, field: 'responsibleUserId', message: 'Valitse vastuuhenkilö ohjelman organisaatioiden jäsenistä.' }
		];
		for (const { fields, field, message } of cases) {
			const result = await action(`/programmes/${world.programme.id}/pilots/new`, world.lead.cookie, pilotForm(fields));
			expect(result.status, JSON.stringify(fields)).toBe(400);
			expect((result.data!.errors as Record<string, string>)[field]).toBe(message);
		}
		expect(await count('SELECT count(*) n FROM pilots')).toBe(pilotsBefore);

		// The participating organisation and its member are accepted; an edit with a bogus person is refused too.
		const ok = await action(
			`/programmes/${world.programme.id}/pilots/new`,
			world.lead.cookie,
			pilotForm({ ownerOrganisationId: world.vantaa.id, responsibleUserId: world.partner.id })
		);
		expect(ok.type).toBe('redirect');
		const pilotId = ok.location!.split('/').at(-1)!;
		const edit = await action(`/pilots/${pilotId}/edit`, world.lead.cookie, pilotForm({ ownerOrganisationId: world.vantaa.id, responsibleUserId: 'no-such-user' }));
		expect(edit.status).toBe(400);
		expect((edit.data!.errors as Record<string, string>).responsibleUserId).toBe('Valitse vastuuhenkilö ohjelman organisaatioiden jäsenistä.');
		expect(await rawGet('SELECT responsible_user_id r FROM pilots WHERE id = ?', pilotId)).toEqual({ r: world.partner.id });
	});
});

describe("a board's address is no key to its join code", () => {
	it('sends a stranger to the neutral code form, for a real and an unknown workshop alike', async () => {
		const workshop = await newWorkshop(admin.id, 'Salainen työpaja');
		const get = (path: string, cookie?: string) => fetch(`${server.url}${path}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
		for (const id of [workshop.id, 'no-such-workshop']) {
			const response = await get(`/workshops/${id}/board`);
			expect(response.status).toBe(303);
			expect(response.headers.get('location')).toBe('/w');
			expect(await response.text()).not.toContain(workshop.joinCode);
		}
		// A signed-in outsider is told why, without the code; a guest of the workshop gets the board.
		const outsider = await newUser('Utelias');
		const refused = await get(`/workshops/${workshop.id}/board`, outsider.cookie);
		expect(refused.status).toBe(403);
		expect(await refused.text()).not.toContain(workshop.joinCode);
		const guest = await newGuest(workshop.id, 'Vieras');
		expect((await get(`/workshops/${workshop.id}/board`, guest.cookie)).status).toBe(200);
	});
});

describe('area data is scoped to the importer: admins any area, a programme lead their own municipalities', () => {
	const plain = (rows: string[], header = 'area code;area name;municipality;indicator;year;value') => areaFile('plain', [header, ...rows].join('\n'));
	const stored = (code: string) => rawGet('SELECT a.municipality, v.value FROM areas a JOIN area_values v ON v.area_code = a.code WHERE a.code = ?', code);

	it("refuses another municipality's areas, as the file names them or as they are stored, with a translated error", async () => {
		const world = await programmeWorld(); // `outsider` leads Espoo's organisation, `lead` Helsinki's, `partner` is no lead
		expect((await action('/areas?/import', admin.cookie, plain(['99901;Testilä;Helsinki;Nuorisotalon kävijät;2023;10']))).type).toBe('success');

		const espoo = world.outsider.cookie;
		expect((await action('/areas?/import', espoo, plain(['99902;Testiniemi;Espoo;Nuorisotalon kävijät;2023;5']))).type).toBe('success');
		const scope = 'Voit tuoda vain näiden kuntien alueita: Espoo.';
		for (const [rows, header, message] of [
			[['99901;Testilä;Helsinki;Nuorisotalon kävijät;2023;99'], undefined, `Alue 99901 kuuluu kuntaan Helsinki. ${scope}`],
			// Re-labelled as Espoo's, it would still overwrite Helsinki's area.
			[['99901;Testilä;espoo;Nuorisotalon kävijät;2023;99'], undefined, `Alue 99901 kuuluu kuntaan Helsinki. ${scope}`],
			[['99901;Testilä;Nuorisotalon kävijät;2023;99'], 'area code;area name;indicator;year;value', `Alue 99901 kuuluu kuntaan Helsinki. ${scope}`],
			[['99903;Tuntematon;Nuorisotalon kävijät;2023;1'], 'area code;area name;indicator;year;value', 'Alueen 99903 kuntaa ei tiedetä. Lisää tiedostoon kunta-sarake (voit tuoda vain näiden kuntien alueita: Espoo).']
		] as const) {
			const result = await action('/areas?/import', espoo, plain([...rows], header));
			expect(result.status, rows[0]).toBe(400);
			expect((result.data!.importErrors as { row: number; message: string }[]).map((e) => [e.row, e.message])).toEqual([[2, message]]);
		}
		expect(await stored('99901')).toEqual({ municipality: 'Helsinki', value: 10 });
		expect(await count("SELECT count(*) n FROM areas WHERE code = '99903'")).toBe(0);

		// Helsinki's lead may update it; someone who leads nothing may not import at all.
		expect((await action('/areas?/import', world.lead.cookie, plain(['99901;Testilä;Helsinki;Nuorisotalon kävijät;2023;11']))).type).toBe('success');
		expect(await stored('99901')).toEqual({ municipality: 'Helsinki', value: 11 });
		expect((await action('/areas?/import', world.partner.cookie, plain(['99901;Testilä;Helsinki;Nuorisotalon kävijät;2023;12']))).status).toBe(403);
	});
});
