// The learning library's index after a change of analyser (search-index-upgrade.test.ts: after an upgrade of
// SQLite's file).
import { beforeAll, describe, expect, it } from 'vitest';
import { rawGet, rawRun } from '../../src/lib/server/db';
import { deleteSearchRows, insertSearchRow } from '../../src/lib/server/db/search';
import { ensureSearchIndex } from '../../src/lib/server/pilots';
import { describeAnalyser } from '../../src/lib/server/text-analysis';
import { decidedPilot, foundIn, inflected } from '../helpers/learning';

let world: Awaited<ReturnType<typeof decidedPilot>>;

beforeAll(async () => {
	world = await decidedPilot();
});

const found = (q: string) => foundIn(world.programmeId, q);

describe('the index when the analyser changes', () => {
	it('is rebuilt only when the analyser that wrote it is not the one at work', async () => {
		await ensureSearchIndex();
		expect(await ensureSearchIndex()).toBeNull();
		expect(await rawGet("SELECT analyser FROM search_index_state WHERE name = 'pilot_search'")).toEqual({ analyser: describeAnalyser() });
		// Written without Voikko (stems only), then Voikko was installed: the terms no longer meet the queries.
		await rawRun("UPDATE search_index_state SET analyser = 'snowball; terms 1' WHERE name = 'pilot_search'");
		await deleteSearchRows();
		await insertSearchRow({ pilotId: world.pilotId, title: 'Perheiden olohuone Kontulan ostarilla', summary: '', learnings: '', reason: '', titleTerms: '', summaryTerms: '', learningsTerms: '', reasonTerms: '' });
		expect(await found('olohuoneissa')).toEqual([]);
		expect(await ensureSearchIndex()).toMatchObject({ analyser: describeAnalyser(), pilots: 1 });
		for (const q of inflected) expect(await found(q), q).toEqual([world.pilotId]);
	});
});
