import { describe, expect, it } from 'vitest';
import { formatDate, formatNumber, fromDateTimeLocal, shortenMiddle, toDateTimeLocal } from '../../src/lib/format';

describe('locale formatting', () => {
	it('formats dates and numbers per language', () => {
		const date = new Date('2026-03-05T10:00:00Z');
		expect(formatDate(date, 'fi')).toBe('5. maaliskuuta 2026');
		expect(formatDate(date, 'sv')).toBe('5 mars 2026');
		expect(formatDate(date, 'en')).toBe('5 March 2026');
		expect(formatNumber(1234.5, 'fi')).toBe('1\u00a0234,5');
		expect(formatNumber(1234.5, 'en')).toBe('1,234.5');
	});

	it('keeps each language and option set apart when answers are remembered', () => {
		const twoDecimals = { maximumFractionDigits: 2 };
		for (let round = 0; round < 2; round++) {
			expect(formatNumber(2.345, 'fi', twoDecimals)).toBe('2,35');
			expect(formatNumber(2.345, 'fi')).toBe('2,345');
			expect(formatNumber(2.345, 'en', twoDecimals)).toBe('2.35');
			expect(formatNumber(-0, 'fi')).toBe('0');
			expect(formatDate('2026-03-05', 'sv')).toBe('5 mars 2026');
			expect(formatDate(new Date('2026-03-05T10:00:00Z'), 'fi')).toBe('5. maaliskuuta 2026');
		}
	});

	it('shows the Finnish calendar day even when UTC is still on the previous one', () => {
		expect(formatDate(new Date('2026-11-22T22:30:00Z'), 'fi')).toBe('23. marraskuuta 2026');
	});
});

describe('datetime-local in Finnish time', () => {
	it('round-trips winter and summer times', () => {
		expect(fromDateTimeLocal('2026-01-15T09:30')!.toISOString()).toBe('2026-01-15T07:30:00.000Z');
		expect(fromDateTimeLocal('2026-06-15T09:30')!.toISOString()).toBe('2026-06-15T06:30:00.000Z');
		expect(toDateTimeLocal(new Date('2026-06-15T06:30:00Z'))).toBe('2026-06-15T09:30');
	});

	it('refuses what is not a datetime-local value', () => {
		expect(fromDateTimeLocal('huomenna')).toBeNull();
		expect(fromDateTimeLocal('')).toBeNull();
	});
});

describe('shortenMiddle', () => {
	it('keeps a short name whole and cuts a long one in its middle, so names that start alike stay apart', () => {
		expect(shortenMiddle('Malmi', 24)).toBe('Malmi');
		const hobby = shortenMiddle('Jokaisella lapsella ja nuorella on mieluisa harrastus', 24);
		const adult = shortenMiddle('Jokaisella lapsella ja nuorella on turvallinen aikuinen', 24);
		expect(hobby).not.toBe(adult);
		expect(hobby.length).toBeLessThanOrEqual(24);
		expect(adult).toBe('Jokaisella … aikuinen');
		expect(shortenMiddle('Lasten ja nuorten harrastamisen Suomen malli', 24)).toBe('Lasten ja … Suomen malli');
		// A first word that does not fit beside a long last word is left out, never a word cut in two.
		expect(shortenMiddle('Lapsuuden köyhyys ei määritä liiaksi tulevaisuutta ja mahdollisuuksia', 24)).toBe('… mahdollisuuksia');
		expect(shortenMiddle('Yhdyskuntasuunnittelukokonaisuudet', 24).length).toBeLessThanOrEqual(24);
	});
});
