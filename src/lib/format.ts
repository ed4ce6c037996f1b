import type { Locale } from './paraglide/runtime.js';

// Finnish-region variants: Swedish as written in Finland, English with day-month order.
// One time zone for server and browser, so a hydrated page shows the day the server rendered.
const timeZone = 'Europe/Helsinki';
const intlLocale: Record<Locale, string> = { fi: 'fi-FI', sv: 'sv-FI', en: 'en-GB' };

// Building an Intl formatter costs far more than using one, and using one (~1 µs) adds up on a dashboard that
// formats the same thousand numbers and dates on every view: each locale-and-options pair gets one formatter and
// remembers its latest answers.
type Format = (value: number | string) => string;
const formats = new Map<string, Format>();
const rememberedAnswers = 2000;
// Options passed as a constant object are serialised once.
const optionKeys = new WeakMap<object, string>();
function optionsKey(options: object | undefined) {
	if (!options) return '';
	let key = optionKeys.get(options);
	if (key === undefined) optionKeys.set(options, (key = JSON.stringify(options)));
	return key;
}
function format(kind: 'number' | 'date', locale: Locale, options: object | undefined, make: () => Format): Format {
	const key = `${kind}|${locale}|${optionsKey(options)}`;
	let found = formats.get(key);
	if (!found) {
		const answers = new Map<number | string, string>();
		const formatValue = make();
		found = (value) => {
			let answer = answers.get(value);
			if (answer === undefined) {
				if (answers.size >= rememberedAnswers) answers.clear();
				answers.set(value, (answer = formatValue(value)));
			}
			return answer;
		};
		formats.set(key, found);
	}
	return found;
}
const dateFormat = (locale: Locale, options: Intl.DateTimeFormatOptions) =>
	format('date', locale, options, () => {
		const intl = new Intl.DateTimeFormat(intlLocale[locale], options);
		return (value) => intl.format(new Date(value));
	});
const instant = (value: Date | number | string) => (value instanceof Date ? value.getTime() : value);

const dateOptions: Intl.DateTimeFormatOptions = { dateStyle: 'long', timeZone };
const dateTimeOptions: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short', timeZone };

export function formatDate(value: Date | number | string, locale: Locale) {
	return dateFormat(locale, dateOptions)(instant(value));
}

export function formatDateTime(value: Date | number | string, locale: Locale) {
	return dateFormat(locale, dateTimeOptions)(instant(value));
}

const timeOptions: Intl.DateTimeFormatOptions = { timeStyle: 'short', timeZone };

/** The wall-clock time in Helsinki ("18.30"), e.g. the end of an event on the day it starts. */
export function formatTime(value: Date | number | string, locale: Locale) {
	return dateFormat(locale, timeOptions)(instant(value));
}

export function formatNumber(value: number, locale: Locale, options?: Intl.NumberFormatOptions) {
	return format('number', locale, options, () => {
		const intl = new Intl.NumberFormat(intlLocale[locale], options);
		return (value) => intl.format(value as number);
	})(value + 0); // -0 shows as 0 (and shares its remembered answer)
}

/** A period of ISO days ("1. tammikuuta 2024 – 31. joulukuuta 2027", an open end as "…"); null when both are open. */
export function formatPeriod(startsOn: string | null, endsOn: string | null, locale: Locale) {
	if (!startsOn && !endsOn) return null;
	return `${startsOn ? formatDate(startsOn, locale) : '…'} – ${endsOn ? formatDate(endsOn, locale) : '…'}`;
}

/**
 * A name cut to `max` characters in its middle, not at its end: a programme's goals often start alike ("Jokaisella
 * lapsella ja nuorella …") and differ at the end, which a cut at the end would make the same label.
 */
export function shortenMiddle(text: string, max: number) {
	if (text.length <= max) return text;
	const words = text.split(' ');
	let head = words[0]!;
	let tail = words.at(-1)!;
	// Only a word longer than the room is cut (from the end it keeps); a first word that does not fit beside the
	// last is left out, the last word being what tells names apart.
	if (tail.length > max - 2) return `… ${tail.slice(-(max - 2))}`;
	if (head.length + tail.length + 3 > max) return `… ${tail}`;
	// Whole words added at either end while they fit, the shorter end first.
	for (let first = 1, last = words.length - 2; first <= last; ) {
		const growTail = tail.length <= head.length;
		const grown = growTail ? `${words[last]} ${tail}` : `${head} ${words[first]}`;
		if (grown.length + (growTail ? head.length : tail.length) + 3 > max) break;
		if (growTail) {
			tail = grown;
			last--;
		} else {
			head = grown;
			first++;
		}
	}
	return `${head} … ${tail}`;
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
