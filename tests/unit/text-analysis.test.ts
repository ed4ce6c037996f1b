// Words → index terms (src/lib/server/text-analysis.ts) with the real Voikko (Debian's libvoikko1 and voikko-fi)
// and the real Snowball stemmers, and without Voikko: a missing library must leave the stemmers working.
import { afterEach, describe, expect, it } from 'vitest';
import {
	analyseQuery,
	analyseTerms,
	analyseWords,
	describeAnalyser,
	guessLanguage,
	resetTextAnalysis,
	voikkoUnavailableReason
} from '../../src/lib/server/text-analysis';

afterEach(() => {
	delete process.env.VERSTAS_VOIKKO_LIBRARY;
	delete process.env.VERSTAS_VOIKKO;
	resetTextAnalysis();
});

describe('with Voikko', () => {
	it('is at work (CI installs libvoikko1 and voikko-fi)', () => {
		expect(describeAnalyser()).toMatch(/^voikko \d+(?:\.\d+)+ suomi .* \+ snowball; terms \d+$/);
		expect(voikkoUnavailableReason()).toBe('');
	});

	it('gives Finnish base forms in text order, with a compound’s parts, and leaves out small words', () => {
		expect(analyseTerms('Nuorisotaloilla on kerho')).toEqual(['nuorisotalo', 'nuoriso', 'talo', 'kerho']);
		// The words and their base forms (plural cases, gradation nt → nn, -nen → -is-).
		expect(analyseTerms('olohuoneissa')).toContain('olohuone');
		expect(analyseTerms('ikäihmisille')).toEqual(expect.arrayContaining(['ikäihminen', 'ihminen']));
		expect(analyseTerms('lukiolaisille')).toEqual(['lukiolainen']);
		expect(analyseTerms('vierailuista')).toEqual(['vierailu']); // a derivation is one word: not "vierailla"
		expect(analyseTerms('kotikäynneillä')).toEqual(expect.arrayContaining(['kotikäynti', 'koti', 'käynti']));
		// Consonant gradation: both readings of "paikoissa" (paikko, paikka) are kept, so it meets "paikka".
		expect(analyseTerms('paikoissa')).toContain('paikka');
		expect(analyseTerms('kohtaamispaikan')).toEqual(expect.arrayContaining(['kohtaamispaikka', 'paikka']));
		// A three-part compound gives its parts and its tails ("työntekijä" in nuorisotyöntekijä).
		expect(analyseTerms('nuorisotyöntekijöille')).toEqual(expect.arrayContaining(['nuorisotyöntekijä', 'nuoriso', 'työ', 'työntekijä', 'tekijä']));
		// Only the readings with the fewest parts: "oppilasta" is oppilas, not also oppi + lapsi.
		expect(analyseTerms('oppilasta')).toEqual(['oppilas']);
		// ... but a lexicalised compound keeps its parts.
		expect(analyseTerms('peruskoulun')).toEqual(expect.arrayContaining(['peruskoulu', 'koulu']));
		expect(analyseTerms('ja on sekä kanssa')).toEqual([]);
	});

	it('decides the language by the text: Voikko for Finnish, the Swedish or English stemmer otherwise', () => {
		expect(guessLanguage('Isät osallistuivat, kun toimintaa oli iltaisin.')).toBe('fi');
		expect(guessLanguage('Åtgärden fungerade bäst när föräldrarna deltog.')).toBe('sv');
		expect(guessLanguage('Young adults came when the coaches were their peers.')).toBe('en');
		expect(guessLanguage('Perheiden olohuone')).toBeUndefined(); // a title: no small words
		// Swedish plural definite and plural meet on the same stem; small words go.
		expect(analyseTerms('Åtgärden fungerade bäst när föräldrarna deltog.')).toEqual(analyseTerms('Åtgärd fungerade bäst när föräldrar deltog.'));
		expect(analyseTerms('Barnen och föräldrarna', 'sv')).toEqual(['barn', 'föräldr']);
		expect(analyseTerms('The coaches were their peers')).toEqual(['coach', 'peer']);
		// "mamman" is a Finnish word to Voikko too; in a Swedish text it is Swedish.
		expect(analyseTerms('mamman')).toEqual(['mamma']);
		expect(analyseTerms('Mamman och barnen')).toEqual(['mamman', 'barn']);
		expect(analyseTerms('mammorna', 'sv')).toEqual(['mamm']);
		// A word Voikko does not know in a Finnish text gets the Finnish stemmer; with no language told, Swedish.
		expect(analyseTerms('Xyzkerhoissa on lapsia')).toEqual(['xyzkerho', 'lapsi']);
		expect(analyseTerms('Ungdomsgårdarna')).toEqual(['ungdomsgård']);
	});

	it('gives each word its place in the text (for highlighting) and keeps hyphenated names whole', () => {
		const text = 'Meri-Rastilassa ja Kannelmäki-Malminkartanossa';
		const words = analyseWords(text);
		expect(words.map((word) => text.slice(word.start, word.end))).toEqual(['Meri-Rastilassa', 'ja', 'Kannelmäki-Malminkartanossa']);
		expect(words[0]!.terms).toEqual(['meri', 'rastila']);
		expect(words[1]!.terms).toEqual([]);
		expect(words[2]!.terms).toEqual(expect.arrayContaining(['kannelmäki', 'malminkartano', 'mäki', 'kartano']));
	});

	it('analyses a query into alternatives per word: base forms (not parts) and stems; small words ask nothing', () => {
		const [talo, ja, kerho] = analyseQuery('Nuorisotaloilla ja kerhoissa');
		expect(talo!.alternatives).toContain('nuorisotalo');
		expect(talo!.alternatives).not.toContain('talo');
		expect(talo!.known).toBe(true);
		expect(ja!.alternatives).toEqual([]);
		expect(kerho!.alternatives).toContain('kerho');
		const [swedish] = analyseQuery('föräldrarna');
		expect(swedish!.known).toBe(false);
		expect(swedish!.alternatives).toContain('föräldr');
		expect(analyseQuery('"NEAR(c" OR *').map((word) => word.word)).toEqual(['near', 'c', 'or']);
	});
});

describe('without Voikko', () => {
	it('falls back to the stemmers when the library is missing, and says why', () => {
		process.env.VERSTAS_VOIKKO_LIBRARY = '/nonexistent/libvoikko.so.1';
		resetTextAnalysis();
		expect(describeAnalyser()).toMatch(/^snowball; terms \d+$/);
		expect(voikkoUnavailableReason()).toMatch(/libvoikko|shared library|No such file/i);
		// Finnish by the Finnish stemmer (also a text of no known language), Swedish by the Swedish one.
		expect(analyseTerms('Perheet tulivat olohuoneisiin')).toEqual(analyseTerms('Perheet tulivat olohuoneisiin', 'fi'));
		expect(analyseTerms('olohuoneisiin')).toEqual(analyseTerms('olohuone'));
		expect(analyseTerms('Isät osallistuivat, kun toimintaa oli iltaisin.')).not.toContain('oli');
		expect(analyseTerms('Barnen och föräldrarna')).toEqual(['barn', 'föräldr']);
		const [query] = analyseQuery('olohuoneissa');
		expect(query!.known).toBe(false);
		expect(query!.alternatives).toContain(analyseTerms('olohuone')[0]);
	});

	it('can be turned off (VERSTAS_VOIKKO=off), and comes back after a reset', () => {
		process.env.VERSTAS_VOIKKO = 'off';
		resetTextAnalysis();
		expect(describeAnalyser()).toMatch(/^snowball; terms \d+$/);
		expect(voikkoUnavailableReason()).toBe('VERSTAS_VOIKKO=off');
		delete process.env.VERSTAS_VOIKKO;
		resetTextAnalysis();
		expect(describeAnalyser()).toMatch(/^voikko /);
		expect(analyseTerms('paikoissa')).toContain('paikka');
	});
});
