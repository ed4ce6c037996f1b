// SQLite only: reads SQLite's own file and WAL from disk (secure_delete and the erasure of old page versions).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { databasePath } from '../../src/lib/server/db';
import { castDotVote, closeRound, openRound, tally } from '../../src/lib/server/voting';
import { items, round } from '../helpers/voting';

/** Where the bytes of `text` occur in the database file and its WAL, read raw from disk. */
function rawOccurrences(text: string) {
	const found: string[] = [];
	for (const path of [databasePath(), `${databasePath()}-wal`]) {
		if (!existsSync(path)) continue;
		const bytes = readFileSync(path);
		for (let at = bytes.indexOf(text), n = 0; at >= 0 && n < 100; at = bytes.indexOf(text, at + 1), n++) found.push(`${path.slice(-8)}@${at}`);
	}
	return found;
}

describe('anonymity in the raw database files', () => {
	it("leaves no voter id of a closed anonymous round in the database file or the WAL, old page versions included", async () => {
		const tag = Math.random().toString(36).slice(2, 10);
		const voters = [`participant-wal-${tag}-a`, `participant-wal-${tag}-b`];
		const requests = [`request-wal-${tag}-1`, `request-wal-${tag}-2`];
		const opened = await round({ method: 'dot', anonymous: true, items: items(3), budget: 3 });
		// Each vote a transaction of its own (WAL frames), and changed votes (overwritten cells): the places old
		// copies linger.
		await castDotVote(opened.id, voters[0]!, 'note-0', 1, requests[0]);
		await castDotVote(opened.id, voters[1]!, 'note-1', 1, requests[1]);
		await castDotVote(opened.id, voters[0]!, 'note-0', -1);
		await castDotVote(opened.id, voters[0]!, 'note-2', 1);
		for (const text of [...voters, ...requests]) expect(rawOccurrences(text).length, text).toBeGreaterThan(0);
		expect(await closeRound(opened.id)).toBe(true);
		for (const text of [...voters, ...requests]) expect(rawOccurrences(text), text).toEqual([]);
		expect((await tally(opened.id)).turnout).toBe(2);

		// The same when opening the next round closes it.
		const next = await round({ method: 'dot', anonymous: true, items: items(2) });
		const voter = `participant-wal-${tag}-c`;
		await castDotVote(next.id, voter, 'note-0', 1);
		expect(rawOccurrences(voter).length).toBeGreaterThan(0);
		await openRound(next.workshopId, { method: 'dot', items: items(2) }, null);
		expect(rawOccurrences(voter)).toEqual([]);
	});
});
