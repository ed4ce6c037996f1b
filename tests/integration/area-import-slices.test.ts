// Issue 15: an area import never blocks others for more than 200 ms, and readers see all of a file or none of it.
// The largest file the import accepts (10 MB, maxImportValues values, maxImportAreas areas) goes through the
// production server (server/ + build/, needs `npm run build`) while /healthz and a reader in this process ask one
// request after another.
import { parse } from 'devalue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAreas, maxImportAreas, maxImportValues, parsePlainCsv } from '../../src/lib/server/areas';
import { rawGet } from '../../src/lib/server/db';
import { m } from '../../src/lib/paraglide/messages.js';
import { newUser } from '../helpers/collab';
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

const maxBytes = 10 * 1024 * 1024;
const indicatorsInFile = 10;
const yearsInFile = [2020, 2021, 2022, 2023];
const code = (n: number) => String(n).padStart(5, '0');
const valueOf = (area: number, indicator: number, year: number) => ((area * 7 + indicator * 13 + year) % 1000) / 10;

/** maxImportAreas areas × 10 indicators × 4 years = maxImportValues values, names padded up to 10 MB. */
function largestFile() {
	const header = 'area code;area name;municipality;indicator;year;value';
	const rows: string[] = [];
	for (let area = 0; area < maxImportAreas; area++)
		for (let indicator = 0; indicator < indicatorsInFile; indicator++)
			for (const year of yearsInFile) rows.push(`${code(area)};NAME;Kaupunki;mittari ${indicator};${year};${valueOf(area, indicator, year)}`);
	const unpadded = header.length + 1 + rows.reduce((sum, row) => sum + row.length - 'NAME'.length + 1, 0);
	const nameLength = Math.floor((maxBytes - unpadded) / rows.length);
	const text = [header, ...rows.map((row) => row.replace('NAME', `Alue ${row.slice(0, 5)} `.padEnd(nameLength, 'x')))].join('\n') + '\n';
	return { text, nameLength };
}

type ActionResult = { type: string; status: number; data?: Record<string, unknown> };

/** The multipart body made before it is sent, so that making it does not stall this process's probes. */
async function uploadBody(text: string) {
	const form = new FormData();
	form.set('format', 'plain');
	form.set('file', new Blob([Buffer.from(text)], { type: 'text/csv' }), 'alueet.csv');
	const request = new Request('http://127.0.0.1/', { method: 'POST', body: form });
	return { body: new Uint8Array(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}

async function importThroughServer(upload: string | Awaited<ReturnType<typeof uploadBody>>) {
	const { body, contentType } = typeof upload === 'string' ? await uploadBody(upload) : upload;
	const response = await fetch(`${server.url}/areas?/import`, {
		method: 'POST',
		headers: { cookie: admin.cookie, origin: server.url, 'x-sveltekit-action': 'true', 'content-type': contentType },
		body
	});
	const json = (await response.json()) as ActionResult & { data?: string };
	return { ...json, status: json.status ?? response.status, data: json.data ? (parse(json.data) as Record<string, unknown>) : undefined } as ActionResult;
}

/** What readers see, in one statement (one snapshot): a value the file changes, an area it adds, a name it changes. */
const readerView = async () => {
	const view = (await rawGet<{ changed: number; added: number | string; name: string }>(
		`SELECT (SELECT value FROM current_area_values WHERE area_code = '00001' AND indicator_key = 'mittari_0' AND year = 2023) AS changed,
		        (SELECT count(*) FROM current_area_values WHERE area_code = ?) AS added,
		        (SELECT name FROM areas WHERE code = '00001') AS name`,
		code(maxImportAreas - 1)
	))!;
	return { ...view, added: Number(view.added) }; // PostgreSQL's count is a bigint, given as a string
};

/** The whole visible data set, to compare before and after. */
async function fingerprint() {
	const row = (await rawGet<Record<string, number | string>>(
		'SELECT count(*) AS n, coalesce(sum(value), 0) AS sum, coalesce(sum(value * year), 0) AS weighted FROM current_area_values'
	))!;
	return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, Number(value)]));
}

const count = async (source: string) => Number((await rawGet<{ n: number | string }>(source))!.n);

/**
 * Runs `work` while asking /healthz and reading the data, one request after another: the slowest /healthz answer is
 * how long the server's event loop was blocked for everyone else (plus a request's own few milliseconds).
 */
async function whileProbing<T>(work: () => Promise<T>, probe: () => void | Promise<void> = () => {}) {
	let done = false;
	const running = work().finally(() => (done = true));
	let longest = 0;
	let probes = 0;
	while (!done && probes < 100_000) {
		probes++;
		const started = performance.now();
		try {
			await (await fetch(`${server.url}/healthz`)).arrayBuffer();
		} catch (error) {
			// A kept-alive socket the server closed just as it was reused: a race of the client's pool, not a stall.
			if ((error as { cause?: { code?: string } }).cause?.code === 'UND_ERR_SOCKET') continue;
			throw error;
		}
		longest = Math.max(longest, performance.now() - started);
		await probe();
	}
	return { result: await running, longest, probes };
}

describe('the largest area file', () => {
	const previous = [
		'area code;area name;municipality;indicator;year;value',
		// A value the big file changes, one it leaves alone (another year), an area it does not name.
		'00001;Vanha nimi;Kaupunki;mittari 0;2023;-1',
		'00001;Vanha nimi;Kaupunki;mittari 0;2019;5',
		'09999;Muu alue;Kaupunki;mittari 0;2023;7'
	].join('\n');

	beforeAll(async () => {
		const parsed = parsePlainCsv(previous, 'vanha.csv');
		if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
		await importAreas(parsed, { filename: 'vanha.csv', format: 'plain', importedBy: null });
		// The route's code is loaded on its first use: that one-time cost is not the import's.
		await (await fetch(`${server.url}/healthz`)).arrayBuffer();
		await importThroughServer('area code;area name;indicator;year;value\n');
	});

	it('is refused with a translated error when a row past the middle is bad, and nothing changes', async () => {
		const { text } = largestFile();
		const lines = text.split('\n');
		const bad = Math.floor(lines.length * 0.6);
		lines[bad] = lines[bad]!.replace(/;[^;]*$/, ';12,5x');
		const before = await fingerprint();
		const result = await importThroughServer(lines.join('\n'));
		expect(result.status).toBe(400);
		expect(result.data!.importErrors).toEqual([{ row: bad + 1, column: 'value', message: 'Arvon pitää olla luku (nyt: 12,5x).' }]);
		expect(await fingerprint()).toEqual(before);
		expect(await readerView()).toEqual({ changed: -1, added: 0, name: 'Vanha nimi' });
	}, 60_000);

	it('imports exactly, never blocking others for more than 200 ms, and readers see the old data or the new, never a mix', async () => {
		const { text, nameLength } = largestFile();
		expect(Buffer.byteLength(text)).toBeLessThanOrEqual(maxBytes);
		expect(Buffer.byteLength(text)).toBeGreaterThan(maxBytes - 200_000);
		const imports = await count('SELECT count(*) AS n FROM area_imports');
		const old = { changed: -1, added: 0, name: 'Vanha nimi' };
		const now = { changed: valueOf(1, 0, 2023), added: indicatorsInFile * yearsInFile.length, name: 'Alue 00001 '.padEnd(nameLength, 'x') };
		const seen: string[] = [];
		const upload = await uploadBody(text);
		// The same probes with nothing else to do: on a machine shared by many processes the scheduler alone delays
		// some answers (up to ~150 ms seen at a load average of 12 on 2 cores).
		const idle = await whileProbing(() => new Promise((resolve) => setTimeout(resolve, 4000)));
		const { result, longest, probes } = await whileProbing(
			() => importThroughServer(upload),
			async () => {
				const view = await readerView();
				seen.push(JSON.stringify(view) === JSON.stringify(old) ? 'old' : JSON.stringify(view) === JSON.stringify(now) ? 'new' : JSON.stringify(view));
			}
		);
		const mixed = seen.filter((state) => state !== 'old' && state !== 'new');
		console.log(
			`largest area file (${(Buffer.byteLength(text) / 1024 / 1024).toFixed(2)} MB, ${maxImportValues} values, ${maxImportAreas} areas): ` +
				`longest /healthz ${longest.toFixed(1)} ms over ${probes} probes (idle: ${idle.longest.toFixed(1)} ms over ${idle.probes}); reader saw old ${seen.filter((s) => s === 'old').length}×, new ${seen.filter((s) => s === 'new').length}×, mixed ${mixed.length}×`
		);
		expect(result.type).toBe('success');
		expect(mixed).toEqual([]);
		expect(seen.slice(seen.indexOf('new'))).not.toContain('old');

		// Exactly the file's values, plus the earlier ones it did not name; one import recorded; no other generation left.
		let sum = 0;
		for (let area = 0; area < maxImportAreas; area++)
			for (let indicator = 0; indicator < indicatorsInFile; indicator++) for (const year of yearsInFile) sum += valueOf(area, indicator, year);
		const after = await fingerprint();
		expect(after.n).toBe(maxImportValues + 2);
		expect(after.sum).toBeCloseTo(sum + 5 + 7, 6);
		expect(await readerView()).toEqual(now);
		const value = (area: string, indicator: string, year: number) =>
			rawGet('SELECT value FROM current_area_values WHERE area_code = ? AND indicator_key = ? AND year = ?', area, indicator, year);
		expect(await value('00001', 'mittari_0', 2019)).toEqual({ value: 5 });
		expect(await value('09999', 'mittari_0', 2023)).toEqual({ value: 7 });
		expect(await value(code(4321), 'mittari_9', 2021)).toEqual({ value: valueOf(4321, 9, 2021) });
		expect(await count('SELECT count(*) AS n FROM area_values')).toBe(maxImportValues + 2);
		expect(await count('SELECT count(*) AS n FROM area_imports')).toBe(imports + 1);
		// The bound, plus what the machine's own load adds to an idle server's answers in the same run.
		expect(longest).toBeLessThanOrEqual(200 + idle.longest);
	}, 90_000);

	it('refuses a file with one value too many, with a translated message', async () => {
		const text = ['area code;area name;indicator;year;value', ...Array.from({ length: maxImportValues + 1 }, (_, i) => `${code(i % maxImportAreas)};A;m${Math.floor(i / maxImportAreas)};2023;1`)].join('\n');
		const result = await importThroughServer(text);
		expect(result.status).toBe(400);
		expect(result.data!.importErrors).toEqual([{ row: maxImportValues + 2, column: 'value', message: m.areas_error_too_many_values({ max: maxImportValues }, { locale: 'fi' }) }]);
		expect(m.areas_error_too_many_values({ max: maxImportValues }, { locale: 'fi' })).toMatch(/^Tiedostossa on yli 200\s000 arvoa\./);
	}, 60_000);
});
