// Data handling gaps of issue 15, proven through the production server (server/ + build/, needs `npm run build`)
// on a real SQLite file: hostile area imports, CSV cells a spreadsheet would split or run, pilot references
// outside the programme, strangers at a board's address, anonymous votes in the raw database files, and who may
// change which areas' data.
import { parse } from 'devalue';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '../../src/lib/server/db';
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

const count = (sql: string, ...params: unknown[]) => (getDb().$client.prepare(sql).get(...params) as { n: number }).n;

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
		const before = count('SELECT count(*) n FROM area_imports');
		const { result, longest, probes } = await longestStall(() => action('/areas?/import', admin.cookie, areaFile('paavo', craftedFile)));
		console.log(`crafted 3 kB label: longest event-loop stall seen by /healthz ${longest.toFixed(1)} ms over ${probes} probes`);
		expect(result.type).toBe('failure');
		expect(result.status).toBe(400);
		const errors = result.data!.importErrors as { row: number; column: string; message: string }[];
		expect(errors).toEqual([{ row: 2, column: 'Postal code area', message: `Teksti on liian pitkä: enintään 200 merkkiä (nyt ${craftedLabel.trim().length}).` }]);
		expect(count('SELECT count(*) n FROM area_imports')).toBe(before);
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
		expect(count("SELECT count(*) n FROM areas WHERE code IN ('00420', '00430', '00440', '00450')")).toBe(0);
	});

	it('still imports the real Paavo file, and prints how long it held the event loop', async () => {
		const bytes = readFileSync(join(process.cwd(), 'src/lib/server/demo-data/paavo/paavo_12f7_helsinki_2023.csv'));
		const form = new FormData();
		form.set('format', 'paavo');
		form.set('file', new Blob([bytes], { type: 'text/csv' }), 'paavo_12f7_helsinki_2023.csv');
		const { result, longest } = await longestStall(() => action('/areas?/import', admin.cookie, form));
		console.log(`real Paavo file (${(bytes.length / 1024).toFixed(0)} kB, 84 areas): longest stall ${longest.toFixed(1)} ms`);
		expect(result.type).toBe('success');
		expect(getDb().$client.prepare("SELECT name, municipality FROM areas WHERE code = '00420'").get()).toEqual({ name: 'Kannelmäki', municipality: 'Helsinki' });
	});
});
