#!/usr/bin/env node
// B15: suggested groups of a 300-note board (issue 18; target ≤ 200 ms). The notes: the labelled Finnish notes of
// tests/data/grouping-notes.json (263 different texts), the first 37 again with a neighbourhood added, 300 in all.
//   1. suggestGroups() in this process on all 300 notes as one lane (the worst case: one set of 300; a board asks lane
//      by lane), from src/lib/server/grouping.ts bundled as it is (esbuild, dependencies from node_modules), so the
//      text analyser in the checkout is the one measured;
//   2. the facilitator's "Ehdota ryhmiä" on the production server: the form action ?/suggestGroups for the whole
//      board (three lanes of 100 loose notes), from the request to the decoded answer (reading the stored board
//      included), one request at a time.
// Median and p95 over the runs, after two warm-up runs.
//
//   node tests/bench/b15-grouping.mjs [--runs 30] [--no-server]
// Needs `npm run build` for (2); VERSTAS_ROOT points it at another checkout. Not part of `npm test`.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as Y from 'yjs';
import { args, createDatabase, fmt, formAction, insertSession, insertUser, insertWorkshop, machine, numberArg, onDatabase, percentile, result, root, startVerstas, tempDir, verdict } from './lib/http.mjs';

const options = args();
const runs = numberArg(options.runs, 30);
const targetMs = 200;
const noteCount = 300;
const load = `${noteCount}-note board`;

// The notes ---------------------------------------------------------------------------------------------------------

const data = JSON.parse(readFileSync(join(root, 'tests/data/grouping-notes.json'), 'utf8'));
const themes = [...Object.values(data.board), data.broadThemes, data.conceptsOnly];
const texts = themes.flatMap((set) => Object.values(set).flat());
const places = ['Kontulassa', 'Mellunmäessä', 'Malmilla', 'Kannelmäessä', 'Malminkartanossa', 'Meri-Rastilassa'];
for (let i = 0; texts.length < noteCount; i++) texts.push(`${texts[i]} ${places[i % places.length]}`);
const notes = texts.slice(0, noteCount).map((text, index) => ({ id: `note-${String(index).padStart(3, '0')}`, text }));
console.log(`${machine()}; ${notes.length} notes, ${new Set(texts).size} different texts`);

const timed = async (what, fn) => {
	for (let i = 0; i < 2; i++) await fn();
	const times = [];
	let last;
	for (let i = 0; i < runs; i++) {
		const started = performance.now();
		last = await fn();
		times.push(performance.now() - started);
	}
	const median = percentile(times, 50);
	const p95 = percentile(times, 95);
	console.log(`${what}: median ${fmt(median, 1)} ms, p95 ${fmt(p95, 1)} ms, max ${fmt(Math.max(...times), 1)} ms (${runs} runs)`);
	return { median, p95, last };
};

// 1. In this process ----------------------------------------------------------------------------------------------

const dir = tempDir('verstas-b12-');
// The bundle sits under the checkout's node_modules, so its own imports (yjs, the analyser's packages) resolve there.
const bundle = join(root, 'node_modules', '.cache', 'verstas-b12', 'grouping.mjs');
process.on('exit', () => rmSync(dirname(bundle), { recursive: true, force: true }));
await build({
	entryPoints: [join(root, 'src/lib/server/grouping.ts')],
	outfile: bundle,
	bundle: true,
	format: 'esm',
	platform: 'node',
	packages: 'external',
	logLevel: 'warning'
});
const { suggestGroups } = await import(pathToFileURL(bundle).href);
const inProcess = await timed('suggestGroups, 300 notes in one lane', () => suggestGroups(notes));
const groups = inProcess.last;
console.log(`  ${groups.length} groups of ${groups.reduce((sum, group) => sum + group.noteIds.length, 0)} notes; the largest: ${groups.slice(0, 3).map((group) => `${group.name} (${group.noteIds.length})`).join(', ')}`);
result('B15', load, 'suggestGroups() in process, 300 notes as one lane: median (p95)', `${fmt(inProcess.median, 1)} ms (${fmt(inProcess.p95, 1)} ms, ${runs} runs)`, `median ≤ ${targetMs} ms`, verdict(inProcess.median <= targetMs));

// 2. Through the production server --------------------------------------------------------------------------------

if (!options['no-server']) {
	const db = await createDatabase({ dir });
	const server = await startVerstas({ database: db });
	try {
		const owner = await insertUser(db, { email: 'vetaja@bench.verstas.fi', name: 'Vetäjä' });
		const cookie = await insertSession(db, owner);
		const workshopId = await insertWorkshop(db, owner, { title: 'Ryhmittely', perspectives: ['Lapsiperheet', 'Nuoret aikuiset', 'Osallisuus ja demokratia'] });
		const laneIds = (await db.all('SELECT id FROM workshop_perspectives WHERE workshop_id = ? ORDER BY position', workshopId)).map((row) => row.id);
		const doc = new Y.Doc();
		doc.transact(() => {
			notes.forEach((note, index) => {
				const map = new Y.Map();
				const createdAt = 1_760_000_000_000 + index * 1000;
				const fields = { text: note.text, lane: laneIds[index % laneIds.length], color: 'yellow', clusterId: null, authorId: 'bench', authorName: 'Osallistuja', createdAt, order: createdAt };
				for (const [key, value] of Object.entries(fields)) map.set(key, value);
				doc.getMap('notes').set(note.id, map);
			});
		});
		await db.run('INSERT INTO board_updates (workshop_id, "update") VALUES (?, ?)', workshopId, Buffer.from(Y.encodeStateAsUpdate(doc)));
		await db.close();
		const path = `/workshops/${workshopId}/board?/suggestGroups`;
		const served = await timed('?/suggestGroups, whole board (3 lanes × 100)', async () => {
			const answer = await formAction(server.url, path, cookie, { lane: '' });
			if (answer.type !== 'success') throw new Error(`suggestGroups answered ${answer.type} ${answer.status}`);
			return answer.data.suggestions.groups;
		});
		console.log(`  ${served.last.length} groups`);
		result('B15', `${load}${onDatabase}`, 'facilitator asks (?/suggestGroups, 3 lanes × 100, production server): median (p95)', `${fmt(served.median, 1)} ms (${fmt(served.p95, 1)} ms, ${runs} runs)`, `median ≤ ${targetMs} ms`, verdict(served.median <= targetMs));
	} finally {
		await server.stop();
	}
}
