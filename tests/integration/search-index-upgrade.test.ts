// The learning library's index after an upgrade of SQLite's file (SQLite only: the previous version's FTS5 index). The
// upgrade: a database as the previous version left it (the old index of original words only, no analyser
// recorded) is migrated, and the production server's start-up indexes every pilot again, so inflected words find
// them at once (needs `npm run build`).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '../../src/lib/server/db';
import { createSession } from '../../src/lib/server/session';
import { describeAnalyser } from '../../src/lib/server/text-analysis';
import { decidedPilot, foundIn, inflected } from '../helpers/learning';
import { startProductionServer, type RunningServer } from '../helpers/server';

let world: Awaited<ReturnType<typeof decidedPilot>>;

beforeAll(async () => {
	world = await decidedPilot();
});

const found = (q: string) => foundIn(world.programmeId, q);

describe('upgrading a database from the previous version', () => {
	let server: RunningServer | undefined;
	afterAll(async () => {
		await server?.stop();
	});

	it('the start-up indexes every pilot again and the inflected words find them', async () => {
		const sqlite = getDb().$client;
		// The previous version's state: its index (the original words only) and no analyser recorded.
		sqlite.exec(`
			DROP TABLE search_index_state;
			DROP TABLE pilot_search;
			CREATE VIRTUAL TABLE pilot_search USING fts5(pilot_id UNINDEXED, title, summary, learnings, decision_reason, tokenize = 'unicode61 remove_diacritics 2');
		`);
		sqlite
			.prepare('INSERT INTO pilot_search (pilot_id, title, summary, learnings, decision_reason) VALUES (?, ?, ?, ?, ?)')
			.run(world.pilotId, 'Perheiden olohuone Kontulan ostarilla', 'Matalan kynnyksen kohtaamispaikka lapsiperheille.', 'Kotikäynti toi perheet mukaan.', 'Laajennetaan Malmille.');
		// Then the migration that brings the terms, as the migrator runs it (found by what it does, whatever its number).
		const migration = readdirSync('drizzle')
			.filter((file) => file.endsWith('.sql'))
			.map((file) => readFileSync(join('drizzle', file), 'utf8'))
			.find((sql) => sql.includes('CREATE TABLE `search_index_state`'))!;
		for (const statement of migration.split('--> statement-breakpoint')) sqlite.exec(statement);

		expect(sqlite.prepare('SELECT count(*) AS n FROM pilot_search').get()).toEqual({ n: 0 }); // to be filled at start-up
		expect(await found('olohuone')).toEqual([]);

		server = await startProductionServer({ env: { DATABASE_PATH: process.env.DATABASE_PATH! } });
		expect(server.output()).toMatch(/Search index rebuilt: 1 pilots, \d+ words in \d+ ms; analyser: voikko /);
		expect(sqlite.prepare("SELECT analyser FROM search_index_state WHERE name = 'pilot_search'").get()).toEqual({ analyser: describeAnalyser() });
		for (const q of inflected) expect(await found(q), q).toEqual([world.pilotId]);
		// And through the page, as the programme lead sees it.
		const cookie = `verstas_session=${(await createSession(world.leadId)).token}`;
		const page = await fetch(`${server.url}/programmes/${world.programmeId}/learning?q=${encodeURIComponent('kotikäynneillä')}`, { headers: { cookie } });
		expect(page.status).toBe(200);
		const html = await page.text();
		expect(html).toContain(`href="/pilots/${world.pilotId}"`);
		expect(html).toMatch(/<mark[^>]*>Kotikäynti<\/mark>/);
	});
});
