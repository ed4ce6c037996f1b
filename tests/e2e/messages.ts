// The app's own message catalogues, so tests assert the exact texts users see without re-typing them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const locales = ['fi', 'sv', 'en'] as const;
export type Locale = (typeof locales)[number];

/** A simple text, or a variant message (plural forms) as the message-format plugin stores it. */
type Message = string | [{ declarations: string[]; selectors: string[]; match: Record<string, string> }];
type Params = Record<string, string | number>;

function load(locale: Locale): Record<string, Message> {
	const file = fileURLToPath(new URL(`../../messages/${locale}.json`, import.meta.url));
	return JSON.parse(readFileSync(file, 'utf8')) as Record<string, Message>;
}

const catalogues: Record<Locale, Record<string, Message>> = { fi: load('fi'), sv: load('sv'), en: load('en') };

function raw(locale: Locale, key: string): Message {
	const message = catalogues[locale][key];
	if (message === undefined) throw new Error(`Message ${key} is missing from messages/${locale}.json`);
	return message;
}

/**
 * The texts the message can show with these params, each with its locals filled in as the compiled message does
 * (`local xPlural = x: plural` picks the form, `local xText = x: number` formats x): one text when every number
 * that picks a form is given, otherwise every form.
 */
function forms(locale: Locale, key: string, params: Params): string[] {
	const message = raw(locale, key);
	const fillParams = (text: string) =>
		text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
	if (typeof message === 'string') return [fillParams(message)];
	const { declarations, selectors, match } = message[0];
	const locals: Record<string, { fn: string; input: string }> = {};
	for (const line of declarations) {
		const local = /^local (\w+) = (\w+): (\w+)$/.exec(line);
		if (local) locals[local[1]!] = { input: local[2]!, fn: local[3]! };
	}
	const values: Params = { ...params };
	const chosen: Record<string, string> = {};
	for (const [name, { input, fn }] of Object.entries(locals)) {
		if (!(input in params)) continue;
		const value = Number(params[input]);
		if (fn === 'plural') chosen[name] = new Intl.PluralRules(locale).select(value);
		if (fn === 'number') values[name] = new Intl.NumberFormat(locale).format(value);
	}
	const fill = (text: string) =>
		text.replace(/\{(\w+)\}/g, (whole, name: string) => {
			if (name in values) return String(values[name]);
			const local = locals[name];
			return local ? `{${local.input}}` : whole;
		});
	const matching = Object.entries(match).filter(([condition]) =>
		condition.split(',').every((part) => {
			const [selector, category] = part.trim().split('=') as [string, string];
			return !(selector in chosen) || category === '*' || category === chosen[selector];
		})
	);
	// The compiler takes the first variant that matches, as listed.
	if (selectors.every((selector) => selector in chosen)) return [fill(matching[0]![1])];
	return matching.map(([, text]) => fill(text));
}

/** The message with its {params} filled in (and its plural form chosen by them). */
export function t(locale: Locale, key: string, params: Params = {}): string {
	const texts = forms(locale, key, params);
	if (texts.length !== 1) throw new Error(`${key} needs the numbers that choose its plural form`);
	return texts[0]!;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A regex for the message in which every {param} not given matches any text (and any plural form not chosen). */
export function tRegex(locale: Locale, key: string, params: Params = {}): RegExp {
	const source = (text: string) =>
		text
			.split(/(\{\w+\})/)
			.map((part) => {
				const param = /^\{(\w+)\}$/.exec(part)?.[1];
				if (!param) return escapeRegExp(part);
				return param in params ? escapeRegExp(String(params[param])) : '.+?';
			})
			.join('');
	return new RegExp(forms(locale, key, params).map(source).join('|'));
}
