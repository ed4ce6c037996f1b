import type { Locale } from './paraglide/runtime.js';

// Finnish-region variants: Swedish as written in Finland, English with day-month order.
// One time zone for server and browser, so a hydrated page shows the day the server rendered.
const timeZone = 'Europe/Helsinki';
const intlLocale: Record<Locale, string> = { fi: 'fi-FI', sv: 'sv-FI', en: 'en-GB' };

// Building an Intl formatter costs far more than using one (a dashboard formats thousands of numbers), so each
// locale-and-options pair is built once.
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
// Options passed as a constant object are serialised once (a dashboard page formats a thousand values).
const optionKeys = new WeakMap<object, string>();
function optionsKey(options: object | undefined) {
	if (!options) return '';
	let key = optionKeys.get(options);
	if (key === undefined) optionKeys.set(options, (key = JSON.stringify(options)));
	return key;
}
function formatter<T extends Intl.NumberFormat | Intl.DateTimeFormat>(kind: 'number' | 'date', locale: Locale, options: object | undefined, make: () => T): T {
	const key = `${kind}|${locale}|${optionsKey(options)}`;
	let found = formatters.get(key) as T | undefined;
	if (!found) formatters.set(key, (found = make()));
	return found;
}

const dateOptions: Intl.DateTimeFormatOptions = { dateStyle: 'long', timeZone };
const dateTimeOptions: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short', timeZone };

export function formatDate(value: Date | number | string, locale: Locale) {
	return formatter('date', locale, dateOptions, () => new Intl.DateTimeFormat(intlLocale[locale], dateOptions)).format(new Date(value));
}

export function formatDateTime(value: Date | number | string, locale: Locale) {
	return formatter('date', locale, dateTimeOptions, () => new Intl.DateTimeFormat(intlLocale[locale], dateTimeOptions)).format(new Date(value));
}

export function formatNumber(value: number, locale: Locale, options?: Intl.NumberFormatOptions) {
	return formatter('number', locale, options, () => new Intl.NumberFormat(intlLocale[locale], options)).format(value);
}

/** A period of ISO days ("1. tammikuuta 2024 – 31. joulukuuta 2027", an open end as "…"); null when both are open. */
export function formatPeriod(startsOn: string | null, endsOn: string | null, locale: Locale) {
	if (!startsOn && !endsOn) return null;
	return `${startsOn ? formatDate(startsOn, locale) : '…'} – ${endsOn ? formatDate(endsOn, locale) : '…'}`;
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
