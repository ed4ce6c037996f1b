import type { Locale } from './paraglide/runtime.js';

// Finnish-region variants: Swedish as written in Finland, English with day-month order.
// One time zone for server and browser, so a hydrated page shows the day the server rendered.
const timeZone = 'Europe/Helsinki';
const intlLocale: Record<Locale, string> = { fi: 'fi-FI', sv: 'sv-FI', en: 'en-GB' };

export function formatDate(value: Date | number | string, locale: Locale) {
	return new Intl.DateTimeFormat(intlLocale[locale], { dateStyle: 'long', timeZone }).format(new Date(value));
}

export function formatDateTime(value: Date | number | string, locale: Locale) {
	return new Intl.DateTimeFormat(intlLocale[locale], { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
		new Date(value)
	);
}

export function formatNumber(value: number, locale: Locale, options?: Intl.NumberFormatOptions) {
	return new Intl.NumberFormat(intlLocale[locale], options).format(value);
}

const wallClock = new Intl.DateTimeFormat('sv-SE', {
	timeZone,
	year: 'numeric',
	month: '2-digit',
	day: '2-digit',
	hour: '2-digit',
	minute: '2-digit',
	hourCycle: 'h23'
});

/** A date as Finnish wall-clock time for `<input type="datetime-local">` ("2026-11-22T18:30"). */
export function toDateTimeLocal(value: Date | number | string) {
	return wallClock.format(new Date(value)).replace(' ', 'T');
}

/** Reads `<input type="datetime-local">` as Finnish wall-clock time, whatever the server's own zone. */
export function fromDateTimeLocal(value: string): Date | null {
	const match = value.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/);
	if (!match) return null;
	const [, year, month, day, hour, minute] = match.map(Number) as [number, number, number, number, number, number];
	const asUtc = Date.UTC(year, month - 1, day, hour, minute);
	let instant = asUtc;
	// Twice, so a guess on the other side of a daylight-saving change settles.
	for (let i = 0; i < 2; i++) {
		const shown = Date.parse(toDateTimeLocal(instant) + ':00Z');
		instant = asUtc - (shown - instant);
	}
	return Number.isNaN(instant) ? null : new Date(instant);
}
