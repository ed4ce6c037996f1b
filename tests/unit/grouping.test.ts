// Suggested groups of board notes: how well they match groups people made (the adjusted Rand index against a
// labelled set of Finnish notes, tests/data/grouping-notes.json), and what a board's suggestions leave alone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote, createCluster } from '../../src/lib/board/model';
import { suggestBoardGroups, suggestGroups, type SuggestedGroup } from '../../src/lib/server/grouping';

type Themes = Record<string, string[]>;
const data = JSON.parse(readFileSync(join(import.meta.dirname, '../data/grouping-notes.json'), 'utf8')) as {
	board: Record<string, Themes>;
	broadThemes: Themes;
	conceptsOnly: Themes;
};
type Labelled = { id: string; text: string; theme: string; lane: string };

function labelled(lanes: Record<string, Themes>): Labelled[] {
	const notes: Labelled[] = [];
	for (const [lane, themes] of Object.entries(lanes))
		for (const [theme, texts] of Object.entries(themes)) for (const text of texts) notes.push({ id: `n${notes.length}`, text, theme, lane });
	return notes;
}

/** Hubert and Arabie's adjusted Rand index of two partitions given as one label per item. */
export function adjustedRandIndex(a: string[], b: string[]) {
	const pairs = (count: number) => (count * (count - 1)) / 2;
	const tally = (labels: string[]) => labels.reduce((map, label) => map.set(label, (map.get(label) ?? 0) + 1), new Map<string, number>());
	const both = tally(a.map((label, i) => `${label}\u0000${b[i]}`));
	const index = [...both.values()].reduce((sum, count) => sum + pairs(count), 0);
	const sumA = [...tally(a).values()].reduce((sum, count) => sum + pairs(count), 0);
	const sumB = [...tally(b).values()].reduce((sum, count) => sum + pairs(count), 0);
	const expected = (sumA * sumB) / pairs(a.length);
	return (index - expected) / ((sumA + sumB) / 2 - expected);
}

/** The index of suggested groups against the labels; a note in no group is a group of its own. */
function scoreOf(notes: Labelled[], groups: SuggestedGroup[]) {
	const groupOf = new Map<string, string>();
	groups.forEach((group, index) => group.noteIds.forEach((id) => groupOf.set(id, `group ${index}`)));
	return adjustedRandIndex(
		notes.map((note) => note.theme),
		notes.map((note) => groupOf.get(note.id) ?? `alone ${note.id}`)
	);
}

/** As the board asks: lane by lane. */
function suggestByLane(notes: Labelled[]) {
	return [...new Set(notes.map((note) => note.lane))].flatMap((lane) => suggestGroups(notes.filter((note) => note.lane === lane)));
}

describe('suggested groups against groups people made', () => {
	it('the adjusted Rand index helper agrees with known values', () => {
		expect(adjustedRandIndex(['a', 'a', 'b', 'b'], ['x', 'x', 'y', 'y'])).toBe(1);
		expect(adjustedRandIndex(['a', 'a', 'b', 'b'], ['x', 'y', 'x', 'y'])).toBeCloseTo(-0.5);
		// sklearn's adjusted_rand_score([0, 0, 1, 2], [0, 0, 1, 1]) = 0.5714…
		expect(adjustedRandIndex(['0', '0', '1', '2'], ['0', '0', '1', '1'])).toBeCloseTo(4 / 7);
	});

	it('groups a board of Finnish notes as people did: adjusted Rand index at least 0.6', () => {
		const notes = labelled(data.board);
		expect(notes.length).toBeGreaterThanOrEqual(80);
		const score = scoreOf(notes, suggestByLane(notes));
		// The whole board as one lane, the broad themes and the concept-only notes are printed for RESULTS.md, not judged.
		const wholeBoard = scoreOf(notes, suggestGroups(notes));
		const broad = labelled({ one: data.broadThemes });
		const concepts = labelled({ one: data.conceptsOnly });
		console.log(
			`grouping ARI: board by lane ${score.toFixed(3)} (${notes.length} notes); as one lane ${wholeBoard.toFixed(3)}; ` +
				`broad themes ${scoreOf(broad, suggestGroups(broad)).toFixed(3)}; concepts only ${scoreOf(concepts, suggestGroups(concepts)).toFixed(3)}`
		);
		expect(score).toBeGreaterThanOrEqual(0.6);
	});

	it('leaves a note that fits nowhere alone, and names a group by a word its notes share', () => {
		const notes = labelled(data.board);
		const groups = suggestByLane(notes);
		const grouped = new Set(groups.flatMap((group) => group.noteIds));
		const alone = notes.filter((note) => note.theme.startsWith('yksittäinen'));
		expect(alone.filter((note) => grouped.has(note.id)).map((note) => note.text)).toEqual([]);
		for (const group of groups) {
			expect(group.noteIds.length).toBeGreaterThanOrEqual(2);
			const texts = group.noteIds.map((id) => notes.find((note) => note.id === id)!.text.toLocaleLowerCase('fi'));
			// Each word of the name is written in at least one of the group's notes.
			for (const word of group.name.toLocaleLowerCase('fi').split(', ')) expect(texts.some((text) => text.includes(word)), `${group.name}: ${texts.join(' | ')}`).toBe(true);
		}
		const byNote = new Map(groups.flatMap((group) => group.noteIds.map((id) => [id, group.noteIds.length])));
		expect(byNote.size).toBe(grouped.size);
	});

	it('gives the same groups every time and in any order of the notes, and none for fewer than two notes', () => {
		const notes = labelled(data.board).filter((note) => note.lane === 'Nuoret aikuiset');
		expect(suggestGroups(notes)).toEqual(suggestGroups(notes.map((note) => ({ ...note }))));
		const asSets = (groups: SuggestedGroup[]) => groups.map((group) => `${[...group.noteIds].sort().join(' ')} = ${group.name}`).sort();
		expect(asSets(suggestGroups([...notes].reverse()))).toEqual(asSets(suggestGroups(notes)));
		expect(suggestGroups([])).toEqual([]);
		expect(suggestGroups([{ id: 'a', text: 'Kesätyöt nuorille' }])).toEqual([]);
		expect(suggestGroups([{ id: 'a', text: '' }, { id: 'b', text: '!!!' }])).toEqual([]);
	});
});

describe('suggestions for a board', () => {
	const author = { id: 'p1', name: 'Anna' };
	function board() {
		const doc = new Y.Doc();
		const write = (text: string, lane: string) => addNote(doc, { text, lane, author });
		const ids = {
			bus1: write('Bussilippu liian kallis nuorille', 'nuoret'),
			bus2: write('Ilmainen bussilippu alle 25-vuotiaille', 'nuoret'),
			bus3: write('Bussiliput halvemmiksi opiskelijoille', 'nuoret'),
			job1: write('Kesätyöseteli jokaiselle ysiluokkalaiselle', 'nuoret'),
			job2: write('Kesätyöpaikkoja kaupungilta', 'nuoret'),
			job3: write('Kesätyöt alueen yrityksistä', 'nuoret'),
			family1: write('Bussilla harrastuksiin: perheille lippuja', 'perheet'),
			family2: write('Harrastusten hinta liian kova perheille', 'perheet'),
			family3: write('Maksuton harrastus jokaiselle lapselle', 'perheet')
		};
		return { doc, ids };
	}

	it('groups each lane on its own, never across lanes', () => {
		const { doc, ids } = board();
		const suggestions = suggestBoardGroups(doc);
		const sets = suggestions.map((group) => [group.lane, new Set(group.noteIds)] as const);
		expect(sets).toContainEqual(['nuoret', new Set([ids.bus1, ids.bus2, ids.bus3])]);
		expect(sets).toContainEqual(['nuoret', new Set([ids.job1, ids.job2, ids.job3])]);
		for (const group of suggestions) expect(group.noteIds.includes(ids.family1)).toBe(group.lane === 'perheet' && group.noteIds.includes(ids.family1));
		expect(suggestBoardGroups(doc, { lane: 'perheet' }).every((group) => group.lane === 'perheet')).toBe(true);
		expect(suggestBoardGroups(doc, { lane: 'nobody' })).toEqual([]);
		// Lane by lane in the board's order of perspectives, whatever order the notes were written in.
		const lanesIn = (laneOrder: string[]) => [...new Set(suggestBoardGroups(doc, { laneOrder }).map((group) => group.lane))];
		expect(lanesIn(['perheet', 'nuoret'])).toEqual(['perheet', 'nuoret']);
		expect(lanesIn(['nuoret', 'perheet'])).toEqual(['nuoret', 'perheet']);
	});

	it('leaves out notes that are already in a group, and writes nothing', () => {
		const { doc, ids } = board();
		createCluster(doc, [ids.job1, ids.job2], 'Kesätyöt', 'nuoret');
		const before = Y.encodeStateAsUpdate(doc);
		const suggestions = suggestBoardGroups(doc, { lane: 'nuoret' });
		expect(suggestions.flatMap((group) => group.noteIds)).not.toContain(ids.job1);
		expect(suggestions.flatMap((group) => group.noteIds)).not.toContain(ids.job2);
		// One kesätyö note is left: alone, not suggested.
		expect(suggestions.flatMap((group) => group.noteIds)).not.toContain(ids.job3);
		expect(suggestions.map((group) => new Set(group.noteIds))).toContainEqual(new Set([ids.bus1, ids.bus2, ids.bus3]));
		expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
	});
});
