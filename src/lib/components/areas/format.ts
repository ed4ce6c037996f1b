import { formatNumber } from '$lib/format';
import type { Locale } from '$lib/paraglide/runtime.js';

/** An indicator value in its unit, the locale's way: "15,6 %", "24 397 €", "14 030". */
export function formatIndicatorValue(value: number | null | undefined, unit: string, locale: Locale) {
	if (value == null) return '–';
	if (unit === '%') return formatNumber(value / 100, locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
	if (unit === '€') return formatNumber(value, locale, { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });
	const number = formatNumber(value, locale, { maximumFractionDigits: Number.isInteger(value) ? 0 : 2 });
	return unit ? `${number} ${unit}` : number;
}

/** A z-score or composite score: signed, two decimals. */
export function formatScore(value: number, locale: Locale) {
	return formatNumber(value, locale, { minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: 'exceptZero' });
}
