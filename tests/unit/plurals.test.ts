import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as compiled from '../../src/lib/paraglide/messages.js';

const root = join(import.meta.dirname, '../..');
const locales = ['fi', 'sv', 'en'] as const;
type Locale = (typeof locales)[number];
type Variant = { declarations: string[]; selectors: string[]; match: Record<string, string> };
type Message = string | [Variant];
const catalogues = Object.fromEntries(
	locales.map((locale) => [locale, JSON.parse(readFileSync(join(root, 'messages', `${locale}.json`), 'utf8')) as Record<string, Message>])
) as Record<Locale, Record<string, Message>>;
const messages = compiled as unknown as Record<string, (params: Record<string, unknown>, options: { locale: Locale }) => string>;

/** Every message that chooses a form by a number (a `plural` declaration), with the inputs that do it. */
const pluralKeys = Object.keys(catalogues.fi).filter((key) => {
	const message = catalogues.fi[key]!;
	return typeof message !== 'string' && message[0].declarations.some((line) => / = \w+: plural$/.test(line));
});
const inputsOf = (message: Message) =>
	typeof message === 'string'
		? [...message.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!)
		: message[0].declarations.flatMap((line) => /^input (\w+)$/.exec(line)?.[1] ?? []);
const countsOf = (message: Message) =>
	typeof message === 'string' ? [] : message[0].declarations.flatMap((line) => / = (\w+): plural$/.exec(line)?.[1] ?? []);

/** The message with every number that chooses a form set to n and other params as ‹name›. */
function render(key: string, locale: Locale, n: number) {
	const message = catalogues[locale][key]!;
	const counts = countsOf(message);
	const params = Object.fromEntries(inputsOf(message).map((name) => [name, counts.includes(name) ? n : `‹${name}›`]));
	return messages[key]!(params, { locale });
}

const numbers = [0, 1, 2, 5];
const formatted = (n: number, locale: Locale) => new Intl.NumberFormat(locale).format(n);

// The forms a reader must see: `#` is the number. One entry per language: [with 1, with 0, 2 and 5].
const expected: Record<string, Record<Locale, [string, string]>> = {
	sign_in_rate_limited: { fi: ['# minuutin kuluttua', '# minuutin kuluttua'], sv: ['om # minut.', 'om # minuter.'], en: ['in # minute.', 'in # minutes.'] },
	pilot_cadence_value: { fi: ['joka viikko', '# viikon välein'], sv: ['varje vecka', 'med # veckors mellanrum'], en: ['every week', 'every # weeks'] },
	areas_finder_added: {
		fi: ['lisättiin # kohdealue; # alue oli', 'lisättiin # kohdealuetta; # aluetta oli'],
		sv: ['# målområde lades till', '# målområden lades till'],
		en: ['# target area to ‹programme›; # area was', '# target areas to ‹programme›; # areas were']
	},
	outcomes_report_filtered: { fi: ['mukana # kokeilu.', 'mukana # kokeilua.'], sv: ['# försök ingår', '# försök ingår'], en: ['# pilot included', '# pilots included'] },
	audit_count: { fi: ['# merkintä', '# merkintää'], sv: ['# post', '# poster'], en: ['# entry', '# entries'] },
	error_too_long: { fi: ['Enintään # merkki.', 'Enintään # merkkiä.'], sv: ['Högst # tecken.', 'Högst # tecken.'], en: ['At most # character.', 'At most # characters.'] },
	invitations_sent: { fi: ['# osoitteeseen', '# osoitteeseen'], sv: ['till # adress.', 'till # adresser.'], en: ['to # address.', 'to # addresses.'] },
	grouping_accepted: { fi: ['(# lappu)', '(# lappua)'], sv: ['(# lapp)', '(# lappar)'], en: ['(# note)', '(# notes)'] },
	privacy_retention_audit: { fi: ['säilytetään # päivän.', 'säilytetään # päivää.'], sv: ['i # dag.', 'i # dagar.'], en: ['for # day.', 'for # days.'] },
	workshop_start_template_hint: {
		fi: ['# näkökulma, # vaihe.', '# näkökulmaa, # vaihetta.'],
		sv: ['# perspektiv, # fas.', '# perspektiv, # faser.'],
		en: ['# perspective, # phase.', '# perspectives, # phases.']
	},
	areas_import_done: { fi: ['# alue, # arvo ', '# aluetta, # arvoa '], sv: ['# område, # värde ', '# områden, # värden '], en: ['# area, # value ', '# areas, # values '] },
	vote_dot_hint: { fi: ['enintään # piste.', 'enintään # pistettä.'], sv: ['Högst # poäng', 'Högst # poäng'], en: ['# point per item', '# points per item'] },
	outcomes_overdue_most: {
		fi: ['# seurantaraportti. Alla pisimpään myöhässä ollut.', '# seurantaraporttia. Alla # pisimpään myöhässä ollutta.'],
		sv: ['# uppföljning är försenad. Nedan den som', '# uppföljningar är försenade. Nedan de #'],
		en: ['# check-in is overdue. The most overdue is', '# check-ins are overdue. The # most overdue are']
	},
	vote_ranking_hint: { fi: ['Valitse paras kohde.', 'enintään # parasta'], sv: ['Välj det bästa förslaget.', 'högst # bästa förslag'], en: ['Pick the best item.', 'up to # best items'] },
	invitation_error_hourly: { fi: ['enintään # kutsun tunnissa', 'enintään # kutsua tunnissa'], sv: ['högst # inbjudan i timmen', 'högst # inbjudningar i timmen'], en: ['# invitation an hour', '# invitations an hour'] },
	sign_in_rate_limited_seconds: { fi: ['# sekunnin kuluttua', '# sekunnin kuluttua'], sv: ['om # sekund.', 'om # sekunder.'], en: ['in # second.', 'in # seconds.'] }
};

// Words right after a number that read the same whatever the number: units, and words that do not agree with it.
const unchanging: Record<Locale, string[]> = {
	fi: ['min', 'Mt', 'pv', 'paikalla', 'valmiina', 'kerralla'],
	sv: ['min', 'MB', 'd', 'av', 'och', 'åt', 'närvarande', 'klara'],
	en: ['min', 'MB', 'd', 'of', 'to', 'at', 'in', 'present', 'done', 'voted']
};
const countNames = /^(count|minutes|seconds|days|weeks|years|pages|max|min|total|left|shown|cap|added|existing|areas|values|perspectives|phases|voters|present|done|created)$/;

function sourceFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (name === 'paraglide') return [];
		if (statSync(path).isDirectory()) return sourceFiles(path);
		return /\.(ts|svelte)$/.test(name) ? [path] : [];
	});
}

describe('plural forms', () => {
	it('the counts the issue names choose their form by the number', () => {
		for (const key of ['sign_in_rate_limited', 'pilot_cadence_value', 'areas_finder_added', 'outcomes_report_filtered'])
			expect(pluralKeys, key).toContain(key);
	});

	it('every count message renders 0, 1, 2 and 5 in every language with the number formatted and no placeholder left', () => {
		expect(pluralKeys.length).toBeGreaterThanOrEqual(Object.keys(expected).length);
		for (const key of pluralKeys)
			for (const locale of locales) {
				expect(countsOf(catalogues[locale][key]!).length, `${locale}.${key} chooses a form by a number`).toBeGreaterThan(0);
				for (const n of numbers) {
					const text = render(key, locale, n);
					expect(text, `${locale}.${key}(${n})`).not.toBe(key); // no variant matched
					expect(text, `${locale}.${key}(${n})`).not.toMatch(/[{}]|undefined|NaN/);
					if (n !== 1) expect(text, `${locale}.${key}(${n})`).toContain(formatted(n, locale));
				}
				// A large number is written the reader's way (fi and sv: a narrow space between thousands).
				expect(render(key, locale, 12345), `${locale}.${key}`).toContain(formatted(12345, locale));
			}
	});

	it('singular with 1, plural with 0, 2 and 5', () => {
		for (const [key, forms] of Object.entries(expected))
			for (const locale of locales) {
				const [one, other] = forms[locale];
				expect(render(key, locale, 1), `${locale}.${key}(1)`).toContain(one.replaceAll('#', '1'));
				for (const n of [0, 2, 5]) expect(render(key, locale, n), `${locale}.${key}(${n})`).toContain(other.replaceAll('#', String(n)));
			}
	});

	it('no simple message puts a count right before a word that agrees with it', () => {
		const offenders = locales.flatMap((locale) =>
			Object.entries(catalogues[locale]).flatMap(([key, message]) => {
				if (typeof message !== 'string') return [];
				return [...message.matchAll(/(–?)\{(\w+)\}[- ]?(\p{L}+)/gu)]
					.filter(([, range, name, word]) => !range && countNames.test(name!) && !unchanging[locale].includes(word!))
					.map(([text]) => `${locale}.${key}: ${text}`);
			})
		);
		expect(offenders).toEqual([]);
	});

	it('callers pass a count message the number itself, which it formats, never a formatted string', () => {
		const calls = new RegExp(`m\\.(${pluralKeys.join('|')})\\(\\{[^}]*(formatNumber|toLocaleString|String\\()`, 'g');
		const offenders = sourceFiles(join(root, 'src')).flatMap((file) =>
			[...readFileSync(file, 'utf8').matchAll(calls)].map((match) => `${file.slice(root.length + 1)}: ${match[0]}`)
		);
		expect(offenders).toEqual([]);
	});
});
