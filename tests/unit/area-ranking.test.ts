import { describe, expect, it } from 'vitest';
import { compositeScores, deriveIndicators, mean, needSign, slugify, splitPaavoArea, weightedMean, zScores } from '../../src/lib/server/areas';

// mulberry32: a seeded PRNG, so every run checks the same cases and a failure can be replayed.
function prng(seed: number) {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
const sum = (values: readonly number[]) => values.reduce((s, v) => s + v, 0);

describe('zScores', () => {
	it('standardises with the population standard deviation', () => {
		// mean 5, population sd 2
		expect(zScores([2, 4, 4, 4, 5, 5, 7, 9])).toEqual([-1.5, -0.5, -0.5, -0.5, 0, 0, 1, 2]);
	});

	it('gives zeros when every value is equal, and nothing for no values', () => {
		expect(zScores([3, 3, 3])).toEqual([0, 0, 0]);
		expect(zScores([7])).toEqual([0]);
		expect(zScores([])).toEqual([]);
	});

	it('always has mean 0 and standard deviation 1, whatever the scale and shift', () => {
		const random = prng(6);
		for (let run = 0; run < 200; run++) {
			const n = 2 + Math.floor(random() * 60);
			const scale = 10 ** (random() * 6 - 2);
			const values = Array.from({ length: n }, () => (random() - 0.3) * scale);
			const z = zScores(values);
			if (new Set(values).size === 1) continue;
			expect(Math.abs(sum(z) / n)).toBeLessThan(1e-9);
			expect(Math.sqrt(sum(z.map((v) => v * v)) / n)).toBeCloseTo(1, 9);
			// Same order as the values (a monotone transform).
			const shifted = zScores(values.map((v) => v * 3 + 1000));
			shifted.forEach((v, i) => expect(v).toBeCloseTo(z[i]!, 6));
		}
	});
});

describe('needSign', () => {
	it('counts high values as need unless higher is better', () => {
		expect(needSign(false)).toBe(1); // unemployment: higher is worse, so more need
		expect(needSign(null)).toBe(1); // no direction (e.g. share of children): more is more
		expect(needSign(true)).toBe(-1); // median income: higher is better, so less need
	});
});

describe('compositeScores', () => {
	it('is the weighted mean of the sign-adjusted z-scores, with components that sum to it', () => {
		const unemployment = [10, 20, 30]; // z: -1.2247, 0, 1.2247
		const income = [30_000, 20_000, 10_000]; // z: 1.2247, 0, -1.2247; higher is better
		const scores = compositeScores([
			{ values: unemployment, weight: 3, sign: 1 },
			{ values: income, weight: 1, sign: -1 }
		]);
		const k = Math.sqrt(3 / 2);
		expect(scores.map((s) => s.score)).toEqual([expect.closeTo(-k, 12), expect.closeTo(0, 12), expect.closeTo(k, 12)]);
		expect(scores[2]!.components).toEqual([
			{ z: expect.closeTo(k, 12), contribution: expect.closeTo((3 * k) / 4, 12) },
			{ z: expect.closeTo(-k, 12), contribution: expect.closeTo(k / 4, 12) }
		]);
	});

	it('turns the order around when the sign flips', () => {
		const values = [1, 5, 2, 8];
		const up = compositeScores([{ values, weight: 1, sign: 1 }]).map((s) => s.score);
		const down = compositeScores([{ values, weight: 1, sign: -1 }]).map((s) => s.score);
		down.forEach((v, i) => expect(v).toBeCloseTo(-up[i]!, 12));
		expect(up.indexOf(Math.max(...up))).toBe(3);
	});

	it('ignores zero weights, and scaling all weights changes nothing', () => {
		const random = prng(42);
		for (let run = 0; run < 100; run++) {
			const n = 3 + Math.floor(random() * 20);
			const criteria = Array.from({ length: 1 + Math.floor(random() * 4) }, () => ({
				values: Array.from({ length: n }, () => random() * 100),
				weight: Math.floor(random() * 5),
				sign: (random() < 0.5 ? 1 : -1) as 1 | -1
			}));
			const scores = compositeScores(criteria);
			const scaled = compositeScores(criteria.map((c) => ({ ...c, weight: c.weight * 7 })));
			const withoutZeros = compositeScores(criteria.filter((c) => c.weight > 0));
			scores.forEach((s, i) => {
				expect(scaled[i]!.score).toBeCloseTo(s.score, 9);
				expect(sum(s.components.map((c) => c.contribution))).toBeCloseTo(s.score, 9);
				if (withoutZeros.length) expect(withoutZeros[i]!.score).toBeCloseTo(s.score, 9);
				criteria.forEach((c, j) => c.weight === 0 && expect(s.components[j]!.contribution).toBe(0));
			});
			// Standardised scores: the mean score over the areas is 0.
			expect(Math.abs(sum(scores.map((s) => s.score)) / n)).toBeLessThan(1e-9);
		}
	});

	it('gives no score when every weight is zero, and refuses ragged input', () => {
		expect(compositeScores([{ values: [1, 2], weight: 0, sign: 1 }]).map((s) => s.score)).toEqual([0, 0]);
		expect(compositeScores([])).toEqual([]);
		expect(() => compositeScores([{ values: [1, 2], weight: 1, sign: 1 }, { values: [1], weight: 1, sign: 1 }])).toThrow();
	});
});

describe('means', () => {
	it('weights by population and falls back to nothing without weights', () => {
		expect(mean([1, 2, 3])).toBe(2);
		expect(mean([])).toBeNull();
		// Two areas: 10 % of 100 and 20 % of 300 people: 17.5 % of all 400.
		expect(weightedMean([10, 20], [100, 300])).toBe(17.5);
		expect(weightedMean([10, 20], [0, 0])).toBeNull();
		expect(weightedMean([10], [1, 2])).toBeNull();
	});
});

describe('derived indicators', () => {
	it("computes Kannelmäki's 2023 shares from its raw counts", () => {
		const raw = new Map([
			['employed', 5819],
			['unemployed', 1077],
			['basic_education_only', 3537],
			['adults_education', 11662],
			['lowest_income_inhabitants', 2643],
			['adults_income', 11662],
			['children_0_14', 2022],
			['inhabitants', 14030],
			['inhabitants_pt', 14030],
			['households_with_children', 1339],
			['one_parent_households', 382]
		]);
		const derived = deriveIndicators(raw);
		expect(derived.get('unemployment_rate')).toBeCloseTo(15.618, 3);
		expect(derived.get('labour_force')).toBe(6896);
		expect(derived.get('low_education_share')).toBeCloseTo(30.329, 3);
		expect(derived.get('low_income_share')).toBeCloseTo(22.663, 3);
		expect(derived.get('children_share')).toBeCloseTo(14.412, 3);
		expect(derived.get('one_parent_share')).toBeCloseTo(28.529, 3);
		expect(derived.get('inhabitants')).toBe(14030);
		expect(derived.has('inhabitants_pt')).toBe(false);
	});

	it('leaves a share out when its whole is zero or a part is missing', () => {
		const derived = deriveIndicators(new Map([['employed', 0], ['unemployed', 0], ['basic_education_only', 5]]));
		expect(derived.has('unemployment_rate')).toBe(false);
		expect(derived.has('low_education_share')).toBe(false);
		expect(derived.get('labour_force')).toBe(0);
		// No adults, no median income (PxWeb writes 0 there).
		expect(deriveIndicators(new Map([['adults_income', 0], ['median_income', 0]])).has('median_income')).toBe(false);
		expect(deriveIndicators(new Map([['adults_income', 10], ['median_income', 20_000]])).get('median_income')).toBe(20_000);
	});
});

describe('names', () => {
	it('splits the Paavo area label into code, name and municipality', () => {
		expect(splitPaavoArea('00100  Helsinki keskusta - Etu-Töölö (Helsinki)')).toEqual({ code: '00100', name: 'Helsinki keskusta - Etu-Töölö', municipality: 'Helsinki' });
		expect(splitPaavoArea('02100  Tapiola')).toEqual({ code: '02100', name: 'Tapiola', municipality: '' });
		expect(splitPaavoArea('0420 Kannelmäki (Helsinki)')).toBeNull();
	});

	it('slugs indicator names', () => {
		expect(slugify('Työttömyysaste (%)')).toBe('tyottomyysaste');
		expect(slugify('  Nuorisotalon kävijät / vko ')).toBe('nuorisotalon_kavijat_vko');
		expect(slugify('Åbo – andel')).toBe('abo_andel');
		expect(slugify('%%')).toBe('');
	});
});
