#!/usr/bin/env node
// B14: the learning library's search with Finnish and Swedish analysis (src/lib/server/text-analysis.ts).
//   - index rebuild at start-up: `--pilots` (500) decided pilots with `--checkins` (4) check-ins each, their texts
//     from the search test set (tests/data/search-set.json), indexed again by the server's start-up, which prints
//     pilots, words and milliseconds; words/s is analysis and writing together;
//   - search answers: every query of the test set, `--rounds` (3) times, one at a time, as the programme lead asks
//     the learning library page: p50 / p99 latency of the whole page.
// Both with Voikko (when installed) and with the stemmers alone (VERSTAS_VOIKKO=off). Printed, not judged.
//
//   node tests/bench/b14-search.mjs [--pilots 500] [--checkins 4] [--rounds 3]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as lib from './lib/http.mjs';

const { args, numberArg, fmt, summary, result } = lib;
const options = args();
const pilotCount = numberArg(options.pilots, 500);
const checkInsPerPilot = numberArg(options.checkins, 4);
const rounds = numberArg(options.rounds, 3);
const set = JSON.parse(readFileSync(join(lib.projectRoot, 'tests', 'data', 'search-set.json'), 'utf8'));

async function seed(db) {
	const owner = await lib.insertOrganisation(db, { name: 'Helsingin kaupunki' });
	const lead = await lib.insertUser(db, { email: 'lead@bench.verstas.fi', name: 'Ohjelmavastaava' });
	await lib.insertMembership(db, lead, owner, 'programme_lead');
	const cookie = await lib.insertSession(db, lead);
	const programmeId = lib.randomId(12);
	const insertPilot = db.prepare(
		`INSERT INTO pilots (id, programme_id, title, summary, hypothesis, canvas, owner_organisation_id, target_group, perspective, cadence_weeks, status, decision, decision_reason, review_comment, updated_at)
		 VALUES (?, ?, ?, ?, ?, '{}', ?, '', '', 4, 'decided', 'scale', ?, '', ?)`
	);
	const insertCheckIn = db.prepare(
		`INSERT INTO check_ins (id, pilot_id, series_id, version, reported_on, status, happened, learned, next_steps, impact_residents, impact_local_actors, impact_institutions, written_at)
		 VALUES (?, ?, ?, 1, ?, 'on_track', ?, ?, ?, ?, ?, ?, ?)`
	);
	await db.transaction(async () => {
		await db.run(
			'INSERT INTO programmes (id, name, owner_organisation_id, starts_on, ends_on, description, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)',
			programmeId,
			'Mukana-ohjelma',
			owner,
			'2024-01-01',
			'2027-12-31',
			'',
			lead
		);
		for (let p = 0; p < pilotCount; p++) {
			// Each pilot's texts from one pilot of the set, its check-ins' from the next ones: realistic words, mixed.
			const source = set.pilots[p % set.pilots.length];
			const id = lib.randomId(12);
			await insertPilot.run(id, programmeId, `${source.title} ${p + 1}`, source.summary, source.hypothesis, owner, source.decisionReason, Date.now() - p * 1000);
			for (let c = 0; c < checkInsPerPilot; c++) {
				const other = set.pilots[(p + c + 1) % set.pilots.length].checkIn;
				const reportedOn = new Date(Date.parse('2025-01-06') + c * 28 * 86_400_000).toISOString().slice(0, 10);
				await insertCheckIn.run(lib.randomId(12), id, lib.randomId(12), reportedOn, other.happened ?? '', other.learned ?? '', other.nextSteps ?? '', other.impactResidents ?? '', other.impactLocalActors ?? '', other.impactInstitutions ?? '', Date.now());
			}
		}
	});
	return { programmeId, cookie };
}

async function measure(label, db, env, { programmeId, cookie }) {
	// No analyser recorded: the start-up indexes every pilot again.
	await db.run('DELETE FROM search_index_state');
	await db.close();
	const server = await lib.startVerstas({ database: db, env });
	try {
		const line = server.output().match(/Search index rebuilt: (\d+) pilots, (\d+) words in (\d+) ms; analyser: (.*)/);
		if (!line) throw new Error(`no rebuild line in the server's output:\n${server.output()}`);
		const [, pilots, words, ms, analyser] = line;
		const agent = lib.keepAliveAgent(4);
		const latencies = [];
		let found = 0;
		for (let round = 0; round < rounds; round++)
			for (const query of set.queries) {
				const started = lib.now();
				const response = await lib.request(`${server.url}/programmes/${programmeId}/learning?q=${encodeURIComponent(query.q)}`, { headers: { cookie }, agent, startedAt: started });
				if (response.status !== 200) throw new Error(`${query.q}: ${response.status}`);
				latencies.push(lib.now() - started);
				if (round === 0) found += (String(response.body).match(/<article /g) ?? []).length;
			}
		agent.destroy();
		const stats = summary(latencies);
		const wordsPerSecond = Number(words) / (Number(ms) / 1000);
		console.log(`  ${label} (${analyser}): rebuilt ${pilots} pilots, ${words} words in ${ms} ms (${fmt(wordsPerSecond, 0)} words/s)`);
		console.log(`    ${set.queries.length} queries × ${rounds}: p50 ${fmt(stats.p50)} / p99 ${fmt(stats.p99)} / max ${fmt(stats.max)} ms a page; ${found} results in the first round`);
		result('B14', `${label}: rebuild ${pilots} pilots${lib.onDatabase}`, 'index rebuild at start-up', `${ms} ms (${fmt(wordsPerSecond / 1000, 1)}k words/s)`, '–', 'n/a');
		result('B14', `${label}: ${set.queries.length} queries${lib.onDatabase}`, 'learning page p50 / p99', `${fmt(stats.p50)} / ${fmt(stats.p99)} ms`, '–', 'n/a');
	} finally {
		await server.stop();
	}
}

const dir = lib.tempDir('verstas-bench-search-');
const db = await lib.createDatabase({ dir });
// The first start creates the schema.
await (await lib.startVerstas({ database: db })).stop();
const world = await seed(db);
await db.close();
console.log(`B14: ${pilotCount} decided pilots with ${checkInsPerPilot} check-ins each; ${set.queries.length} queries from the search test set (${db.label})`);
try {
	await measure('Voikko + Snowball', db, {}, world);
	await measure('Snowball only', db, { VERSTAS_VOIKKO: 'off' }, world);
} finally {
	await db.close();
}
