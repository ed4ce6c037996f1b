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
