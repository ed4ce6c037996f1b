// The app's own message catalogues, so tests assert the exact texts users see without re-typing them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const locales = ['fi', 'sv', 'en'] as const;
export type Locale = (typeof locales)[number];

function load(locale: Locale): Record<string, string> {
	const file = fileURLToPath(new URL(`../../messages/${locale}.json`, import.meta.url));
	return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
}

const catalogues: Record<Locale, Record<string, string>> = { fi: load('fi'), sv: load('sv'), en: load('en') };

function raw(locale: Locale, key: string): string {
	const text = catalogues[locale][key];
	if (typeof text !== 'string') throw new Error(`Message ${key} is missing from messages/${locale}.json`);
	return text;
}

/** The message with its {params} filled in. */
export function t(locale: Locale, key: string, params: Record<string, string | number> = {}): string {
	return raw(locale, key).replace(/\{(\w+)\}/g, (whole, name: string) =>
		name in params ? String(params[name]) : whole
	);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A regex for the message in which every {param} not given matches any text. */
export function tRegex(locale: Locale, key: string, params: Record<string, string | number> = {}): RegExp {
	const parts = raw(locale, key).split(/(\{\w+\})/);
	const source = parts
		.map((part) => {
			const param = /^\{(\w+)\}$/.exec(part)?.[1];
			if (!param) return escapeRegExp(part);
			return param in params ? escapeRegExp(String(params[param])) : '.+?';
		})
		.join('');
	return new RegExp(source);
}
