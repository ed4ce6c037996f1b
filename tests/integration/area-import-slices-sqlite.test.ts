// Issue 15, on SQLite's own file: an area import that fails while writing (the file reaches its size ceiling,
// VERSTAS_DB_MAX_MB's max_page_count) leaves the data readers see as it was. SQLite only (vite.config.ts).
import { describe, expect, it } from 'vitest';
import { importAreas, parsePlainCsv } from '../../src/lib/server/areas';
import { getDb } from '../../src/lib/server/db';

const sqlite = () => getDb().$client;
const code = (n: number) => String(n).padStart(5, '0');
const fingerprint = () =>
	sqlite().prepare('SELECT count(*) AS n, total(value) AS sum, total(value * year) AS weighted FROM current_area_values').get() as Record<string, number>;

describe('an import that fails while writing', () => {
	it('leaves the data readers see as it was, and removes what it had written', async () => {
		const before = fingerprint();
		const stored = (sqlite().prepare('SELECT count(*) AS n FROM area_values').get() as { n: number }).n;
		const rows = ['area code;area name;indicator;year;value', ...Array.from({ length: 50_000 }, (_, i) => `${code(i % 5000)};Täysi;t${Math.floor(i / 5000)};2030;1`)];
		const parsed = parsePlainCsv(rows.join('\n'), 'täysi.csv');
		if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
		// A ceiling on the file (as VERSTAS_DB_MAX_MB sets) that the new generation's values reach half-way.
		const pages = Number(sqlite().pragma('page_count', { simple: true }));
		sqlite().pragma(`max_page_count = ${pages + 300}`);
		try {
			await expect(importAreas(parsed, { filename: 'täysi.csv', format: 'plain', importedBy: null })).rejects.toThrow(/full/);
		} finally {
			sqlite().pragma('max_page_count = 4294967294');
		}
		expect(fingerprint()).toEqual(before);
		expect(sqlite().prepare("SELECT count(*) AS n FROM areas WHERE name = 'Täysi'").get()).toEqual({ n: 0 });
		expect(sqlite().prepare('SELECT count(*) AS n FROM area_values').get()).toEqual({ n: stored });
	}, 60_000);
});
