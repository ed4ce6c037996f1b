import { describe, expect, it } from 'vitest';
import { rankWithTies, tallyBorda, tallyDot } from '../../src/lib/server/voting';

// mulberry32: a small seeded PRNG, so every run checks the same cases and a failure can be replayed.
function prng(seed: number) {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
const int = (random: () => number, min: number, max: number) => min + Math.floor(random() * (max - min + 1));
function shuffle<T>(random: () => number, list: readonly T[]) {
	const copy = [...list];
	for (let i = copy.length - 1; i > 0; i--) {
		const j = int(random, 0, i);
		[copy[i], copy[j]] = [copy[j]!, copy[i]!];
	}
	return copy;
}
const items = (count: number) => Array.from({ length: count }, (_, i) => `item-${i}`);
const sum = (values: Iterable<number>) => [...values].reduce((total, value) => total + value, 0);
const sorted = (map: Map<string, number>) => [...map].sort(([a], [b]) => a.localeCompare(b));

describe('Borda count', () => {
	it('scores the first of a top n with n points down to 1 for the n-th', () => {
		expect(sorted(tallyBorda([['a', 'b', 'c']], 3))).toEqual([['a', 3], ['b', 2], ['c', 1]]);
		expect(sorted(tallyBorda([['a', 'b', 'c', 'd']], 2))).toEqual([['a', 2], ['b', 1]]);
		expect(sorted(tallyBorda([['a'], ['b', 'a']], 2))).toEqual([['a', 3], ['b', 2]]);
	});

	it('totals n(n+1)/2 per voter for full rankings (randomised)', () => {
		const random = prng(20261123);
		for (let round = 0; round < 200; round++) {
			const pool = items(int(random, 1, 12));
			const n = int(random, 1, pool.length);
			const voters = int(random, 0, 40);
			const rankings = Array.from({ length: voters }, () => shuffle(random, pool).slice(0, n));
			expect(sum(tallyBorda(rankings, n).values())).toBe((voters * n * (n + 1)) / 2);
		}
	});

	it('does not depend on the order of the voters (randomised)', () => {
		const random = prng(42);
		for (let round = 0; round < 200; round++) {
			const pool = items(int(random, 1, 10));
			const n = int(random, 1, pool.length);
			const rankings = Array.from({ length: int(random, 1, 30) }, () => shuffle(random, pool).slice(0, int(random, 1, n)));
			const once = tallyBorda(rankings, n);
			const again = tallyBorda(shuffle(random, rankings), n);
			expect(sorted(again)).toEqual(sorted(once));
			expect(rankWithTies(sorted(again))).toEqual(rankWithTies(sorted(once)));
		}
	});
});

describe('dot totals', () => {
	it('equal the sum of the points given (randomised)', () => {
		const random = prng(7);
		for (let round = 0; round < 200; round++) {
			const pool = items(int(random, 1, 15));
			const dots = Array.from({ length: int(random, 0, 300) }, () => ({ itemId: pool[int(random, 0, pool.length - 1)]!, points: int(random, 1, 3) }));
			const totals = tallyDot(dots);
			expect(sum(totals.values())).toBe(sum(dots.map((dot) => dot.points)));
			for (const itemId of pool)
				expect(totals.get(itemId) ?? 0).toBe(sum(dots.filter((dot) => dot.itemId === itemId).map((dot) => dot.points)));
		}
	});
});

describe('ranking with ties', () => {
	it('gives equal scores an equal rank and skips the next rank (competition ranking)', () => {
		expect(rankWithTies([['a', 5], ['b', 7], ['c', 5], ['d', 1]])).toEqual([
			{ itemId: 'b', score: 7, rank: 1 },
			{ itemId: 'a', score: 5, rank: 2 },
			{ itemId: 'c', score: 5, rank: 2 },
			{ itemId: 'd', score: 1, rank: 4 }
		]);
		expect(rankWithTies([['a', 3], ['b', 3], ['c', 1]]).map((entry) => entry.rank)).toEqual([1, 1, 3]);
		expect(rankWithTies([])).toEqual([]);
	});

	it('holds for random scores: sorted, tied scores share a rank, rank = 1 + how many scored higher', () => {
		const random = prng(99);
		for (let round = 0; round < 300; round++) {
			const scores = items(int(random, 1, 20)).map((id) => [id, int(random, 0, 6)] as const);
			const ranked = rankWithTies(scores);
			expect(ranked).toHaveLength(scores.length);
			for (const [index, entry] of ranked.entries()) {
				expect(entry.rank).toBe(1 + scores.filter(([, score]) => score > entry.score).length);
				const before = ranked[index - 1];
				if (!before) continue;
				expect(before.score).toBeGreaterThanOrEqual(entry.score);
				expect(entry.rank).toBe(before.score === entry.score ? before.rank : index + 1);
			}
		}
	});
});
