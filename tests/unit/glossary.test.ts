// The glossary (messages/GLOSSARY.md) as a test: a message may not use a variant the glossary replaced.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

type Locale = 'fi' | 'sv' | 'en';
const root = join(import.meta.dirname, '../..');
type Message = string | [{ match: Record<string, string> }];
/** Every message as one text: a plural message's forms joined, so each form is checked. */
const messages = Object.fromEntries(
	(['fi', 'sv', 'en'] as const).map((locale) => {
		const file = JSON.parse(readFileSync(join(root, 'messages', `${locale}.json`), 'utf8')) as Record<string, Message>;
		const flat = Object.entries(file).map(([key, message]) => [key, typeof message === 'string' ? message : Object.values(message[0].match).join(' / ')]);
		return [locale, Object.fromEntries(flat)];
	})
) as Record<Locale, Record<string, string>>;

type Rule = { variant: RegExp; use: string; keys?: RegExp };

// Finnish builds compounds ("kokeilukangas"), so its variants match anywhere in a word;
// Swedish and English variants start a word (a stem) unless the pattern says otherwise.
const anywhere = (text: string, use: string): Rule => ({ variant: new RegExp(text, 'iu'), use });
const stem = (text: string, use: string, flags = 'iu'): Rule => ({ variant: new RegExp(`(?<!\\p{L})${text}`, flags), use });
const word = (text: string, use: string, flags = 'iu'): Rule => ({
	variant: new RegExp(`(?<!\\p{L})${text}(?!\\p{L})`, flags),
	use
});

const forbidden: Record<Locale, Rule[]> = {
	fi: [
		anywhere('ohjelmavastaav', 'ohjelmajohtaja'),
		anywhere('vetäjä', 'fasilitaattori (työpaja) tai ohjelmajohtaja (ohjelma)'),
		anywhere('seuraaja', 'tarkkailija'),
		anywhere('kangas|kankaa', 'kokeilukanvaasi'),
		anywhere('kanvas', 'kanvaasi'),
		anywhere('pilot', 'kokeilu'),
		anywhere('tilannekatsau|tarkistuspiste', 'seurantaraportti'),
		anywhere('klusteri', 'ryhmä'),
		anywhere('indikaattor', 'mittari (kokeilu) tai tunnusluku (alue)'),
		anywhere('anonyymi', 'nimetön'),
		anywhere('vapaaehtoi', 'valinnainen'),
		anywhere('kausi avoin|ajankohta avoin', 'ei asetettu / ei ajankohtaa'),
		// A pilot has a status (tila); a phase (vaihe) belongs to a workshop.
		{ variant: /vaihe/iu, use: 'tila', keys: /^(outcomes_by_status|outcomes_dict_status|outcomes_filter_status|export_col_status)$/ }
	],
	sv: [
		anywhere('verkstad|verkstäd', 'workshop, workshoppar'),
		anywhere('försöksduk', 'försökskanvas'),
		{ variant: /(?<!om)röstning/iu, use: 'omröstning' },
		anywhere('egen fil', 'egen spalt'),
		anywhere('programansvarig', 'programledare'),
		stem('objekt', 'förslag'),
		anywhere('gå med med', 'gå med i'),
		stem('förföll', 'skulle ha lämnats'),
		anywhere('över 18 år', 'som fyllt 18 år'),
		stem('frivillig', 'valfri'),
		anywhere('utgångsläge', 'utgångsnivå'),
		stem('kluster', 'grupp'),
		stem('pilot', 'försök'),
		anywhere('lägesrapport', 'uppföljning')
	],
	en: [
		stem('experiment', 'pilot'),
		word('Kind', 'Type', 'u'),
		word('kind', 'type', 'u'),
		stem('cluster', 'group'),
		anywhere('period open', 'Dates not set'),
		stem('give (a|an|the|your)(?!\\p{L})', 'Enter …'),
		{ variant: /^Ideas$/u, use: 'Ideation', keys: /^phase_kind_ideas$/ }
	]
};

/** Placeholders ({kind}) and code-like tokens (pilots.csv, pilot_id, indicator_key) name fields and files, not things. */
const prose = (text: string) => text.replace(/\{[^}]*\}/g, '').replace(/\S*(_|\.csv)\S*/g, '');

function offences(locale: Locale) {
	const found: string[] = [];
	for (const [key, text] of Object.entries(messages[locale])) {
		if (key === '$schema') continue;
		for (const rule of forbidden[locale]) {
			if (rule.keys && !rule.keys.test(key)) continue;
			const match = prose(text).match(rule.variant);
			if (match) found.push(`${locale}.${key}: "${match[0]}" → ${rule.use}`);
		}
	}
	return found;
}

describe.each(['fi', 'sv', 'en'] as const)('glossary in %s', (locale) => {
	it('no message uses a variant the glossary replaced', () => {
		expect(offences(locale)).toEqual([]);
	});

	it('the agenda and a programme never share a word', () => {
		// The agenda is "Työpajan kulku" / "upplägg" / "agenda"; "ohjelma" / "program" / "programme" is only a programme.
		const programme = { fi: /ohjelm/iu, sv: /program/iu, en: /programme/iu }[locale];
		const agendaKeys = Object.keys(messages.en).filter((key) => /\bagenda\b/iu.test(messages.en[key]!));
		expect(agendaKeys.length).toBeGreaterThan(0);
		expect(agendaKeys.filter((key) => programme.test(messages[locale][key]!)).map((key) => `${locale}.${key}`)).toEqual([]);
	});
});

// English says "check-in" and may use "report" as a verb, so this rule is for Finnish and Swedish.
describe.each(['fi', 'sv'] as const)('check-ins in %s', (locale) => {
	it('a check-in is never just a report (the workshop has a report)', () => {
		const bareReport = { fi: /(?<!seuranta)raport/iu, sv: /rapport/iu }[locale];
		const checkInKeys = Object.keys(messages.en).filter((key) => /check-in/iu.test(messages.en[key]!));
		expect(checkInKeys.length).toBeGreaterThan(0);
		expect(checkInKeys.filter((key) => bareReport.test(messages[locale][key]!)).map((key) => `${locale}.${key}`)).toEqual([]);
	});
});

describe('the glossary test itself', () => {
	it('catches a replaced variant inside a Finnish compound and leaves the chosen word alone', () => {
		const rules = forbidden.fi;
		expect(rules.some((rule) => rule.variant.test('Jalosta idea kokeilukankaalle.'))).toBe(true);
		expect(rules.some((rule) => rule.variant.test('Jalosta idea kokeilukanvaasiin.'))).toBe(false);
		expect(forbidden.sv.some((rule) => rule.variant.test('Röstning pågår'))).toBe(true);
		expect(forbidden.sv.some((rule) => rule.variant.test('Omröstningen pågår'))).toBe(false);
	});
});
