// Words → index terms, for search and for grouping notes. Finnish words go through Voikko (the Debian packages
// libvoikko1 and voikko-fi, called through koffi) when it is installed: their base forms, and for a compound its
// parts, so "paikoissa" and "kohtaamispaikan" both give "paikka". A word Voikko does not know, and every word
// when Voikko is missing, is cut by a Snowball stemmer (Swedish, Finnish or English by the text's language).
// Analysis happens here in application code and only the terms are stored, so any database's full-text index
// can hold them.
import { createRequire } from 'node:module';
import snowball from 'snowball-stemmers';

export type TextLanguage = 'fi' | 'sv' | 'en';

/** A word of a text, where it is, and its index terms (none for words like "ja", "och", "the"). */
export type AnalysedWord = { word: string; start: number; end: number; terms: string[] };

// Letters and digits, with hyphens inside a word ("Meri-Rastila", "17-vuotias"); "kasvatus-" is "kasvatus".
const wordPattern = /[\p{L}\p{M}\p{N}]+(?:-[\p{L}\p{M}\p{N}]+)*/gu;
/** Voikko refuses longer words; nothing real is this long. */
const maxWordLength = 80;

// Voikko ------------------------------------------------------------------------------------------------------

type VoikkoAnalysis = { baseform: string; wordbases: string };
type Voikko = { analyse(word: string): VoikkoAnalysis[]; describe: string; close(): void };

let voikko: Voikko | null | undefined;
let voikkoProblem = '';

/**
 * Loads libvoikko and its Finnish dictionary once. Null when either is missing (or VERSTAS_VOIKKO=off): the
 * stemmers then do all the work. VERSTAS_VOIKKO_LIBRARY names another library file.
 */
function loadVoikko(): Voikko | null {
	if (voikko !== undefined) return voikko;
	voikko = null;
	if (process.env.VERSTAS_VOIKKO === 'off') {
		voikkoProblem = 'VERSTAS_VOIKKO=off';
		return null;
	}
	try {
		// Loaded on first use, so a machine without koffi's native part still starts (and stems).
		const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
		const lib = koffi.load(process.env.VERSTAS_VOIKKO_LIBRARY || 'libvoikko.so.1');
		const init = lib.func('void *voikkoInit(_Out_ const char **error, const char *langcode, const char *path)');
		const version = lib.func('const char *voikkoGetVersion()');
		const analyseWord = lib.func('void *voikkoAnalyzeWordCstr(void *handle, const char *word)');
		const terminate = lib.func('void voikkoTerminate(void *handle)');
		const freeAnalyses = lib.func('void voikko_free_mor_analysis(void *analyses)');
		const freeValue = lib.func('void voikko_free_mor_analysis_value_cstr(void *value)');
		// The value's memory is Voikko's: koffi copies the string out and then hands the pointer back to free.
		const ownedText = koffi.disposable('const char *', freeValue);
		const value = lib.func('voikko_mor_analysis_value_cstr', ownedText, ['void *', 'const char *']);
		const listDictionaries = lib.func('void *voikko_list_dicts(const char *path)');
		const dictionaryDescription = lib.func('const char *voikko_dict_description(void *dictionary)');
		const freeDictionaries = lib.func('void voikko_free_dicts(void *dictionaries)');
		const error: (string | null)[] = [null];
		const handle = init(error, 'fi', null);
		if (!handle) throw new Error(`no Finnish dictionary (${error[0] ?? 'voikkoInit failed'}); install voikko-fi`);
		const dictionaries = listDictionaries(null);
		const dictionary = dictionaries ? koffi.decode(dictionaries, 0, 'void *') : null;
		const described = dictionary ? dictionaryDescription(dictionary) : '';
		if (dictionaries) freeDictionaries(dictionaries);
		voikko = {
			describe: `voikko ${version()} ${described}`.trim(),
			close: () => terminate(handle),
			analyse(word) {
				const list = analyseWord(handle, word);
				if (!list) return [];
				const found: VoikkoAnalysis[] = [];
				try {
					for (let i = 0; ; i++) {
						const analysis = koffi.decode(list, i * koffi.sizeof('void *'), 'void *');
						if (!analysis) break;
						found.push({ baseform: value(analysis, 'BASEFORM') ?? '', wordbases: value(analysis, 'WORDBASES') ?? '' });
					}
				} finally {
					freeAnalyses(list);
				}
				return found;
			}
		};
	} catch (error) {
		voikkoProblem = error instanceof Error ? error.message : String(error);
		voikko = null;
	}
	return voikko;
}

/**
 * Which analyser is at work, e.g. "voikko 4.3.1 suomi (perussanasto) + snowball; terms 1" or "snowball; terms 1". The search index
 * records it and is rebuilt when it changes (terms from one analyser do not match queries from another).
 */
export function describeAnalyser() {
	const found = loadVoikko();
	return `${found ? `${found.describe} + snowball` : 'snowball'}; terms ${termsVersion}`;
}

/** Raise it when the rules below change what terms a text gets: every index is then rebuilt at start-up. */
const termsVersion = 1;

/** Why Voikko is not in use ('' when it is), for the start-up log. */
export function voikkoUnavailableReason() {
	loadVoikko();
	return voikko ? '' : voikkoProblem;
}

/** Forgets the loaded analyser and the word cache (tests switch Voikko off and on through the environment). */
export function resetTextAnalysis() {
	voikko?.close();
	voikko = undefined;
	voikkoProblem = '';
	cache.clear();
}

/**
 * A word's segments from Voikko's WORDBASES, e.g. "+nuoriso(nuoriso)+työn(työ)+teki(tehdä)+jä(+jä)" → nuoriso,
 * työn (työ), tekijä: a derivational ending or a linking sound (käy+n+ti) belongs to the segment before it, so a
 * derivation ("+vierail(vierailla)+u(+u)") is one segment, not a compound.
 */
function segments(wordbases: string) {
	type Segment = { surface: string; base: string; derived: boolean };
	const found: Segment[] = [];
	let open = false;
	for (const [, surface = '', base] of wordbases.matchAll(/\+([^+(]*)(?:\(([^)]*)\))?/g)) {
		if (surface === '-') {
			// "perjantai-ilta": the hyphen ends a part (and stays in the tails: "mäki-malminkartano")
			if (found.length) found.at(-1)!.surface += '-';
			open = false;
			continue;
		}
		const last = found.at(-1);
		if (base && !base.startsWith('+')) {
			found.push({ surface, base, derived: false });
			open = true;
		} else if (last && open) {
			last.surface += surface;
			last.derived = true;
		}
	}
	return found;
}

/**
 * A Finnish word's readings: base form and, for a compound, its parts (nuoriso, työ, tekijä) and tails (työntekijä,
 * tekijä), so a search for any of them finds the compound. Only the base forms of the readings with the fewest
 * parts are kept: "oppilasta" is oppilas, not also oppi + lapsi.
 */
function analyseFinnish(word: string) {
	const readings = (loadVoikko()?.analyse(word) ?? []).map((analysis) => {
		const parts = segments(analysis.wordbases);
		const compound =
			parts.length < 2
				? []
				: [
						...parts.map((part) => (part.derived ? part.surface : part.base)),
						...parts.slice(1).map((_, index) => parts.slice(index + 1).map((part) => part.surface).join(''))
					];
		return { base: analysis.baseform.toLowerCase(), size: Math.max(1, parts.length), compound };
	});
	const fewest = Math.min(...readings.map((reading) => reading.size));
	const bases = new Set(readings.filter((reading) => reading.size === fewest).map((reading) => reading.base));
	// A lexicalised compound also read as its parts ("peruskoulu", "perus" + "koulu") keeps them.
	return [...bases].map((base) => ({ base, compound: readings.filter((reading) => reading.base === base).flatMap((reading) => reading.compound) }));
}

function voikkoTerms(word: string): string[] | null {
	const readings = analyseFinnish(word);
	if (!readings.length) return null;
	// "on", "ja", "kanssa": no use in a search or a group (every reading must be one: "kuusi" is also a tree).
	if (readings.every((reading) => stopwords.fi.has(reading.base))) return [];
	return [...readings.map((reading) => reading.base), ...readings.flatMap((reading) => reading.compound)];
}

// Stemmers ----------------------------------------------------------------------------------------------------

const stemmers = {
	fi: snowball.newStemmer('finnish'),
	sv: snowball.newStemmer('swedish'),
	en: snowball.newStemmer('english')
};

// Words too common to search for or group by. Finnish ones are base forms (Voikko gives "olla" for "ovat").
const stopwords: Record<TextLanguage, Set<string>> = {
	fi: new Set(
		// base forms, and the commonest inflected ones for the stemmer (which has no base forms)
		'ja ei eikä että jos kun kuin mutta sekä tai vaan niin myös vain jo nyt olla on ovat oli olivat ole ollut olleet olisi eivät se sen ne niiden tämä tämän nämä tuo nuo joka jonka jotka joiden mikä mitä mitkä kuka minä sinä hän me te he itse kanssa kautta mukaan sitten vielä'.split(' ')
	),
	sv: new Set(
		'och att det som en ett i på för med av till är var de den om men inte så har hade kan ska vill när från där här eller också bara sig sin sina han hon vi ni dem detta denna dessa alla'.split(' ')
	),
	en: new Set('the a an and or of to in on at for with by from is are was were be been it its this that these those as not but if then their they he she we you'.split(' '))
};

function stem(word: string, language: TextLanguage) {
	if (stopwords[language].has(word)) return [];
	return [stemmers[language].stem(word)];
}

// Language of a text without a tag: its small words tell Finnish, Swedish and English apart; none → Finnish.
const markers: Record<TextLanguage, Set<string>> = {
	fi: new Set('ja on ei että oli ovat kun jos se ne myös mutta sekä tai niin kanssa joka jotka'.split(' ')),
	sv: new Set('och är att det som en ett på för med av till var de den om men inte så har när från också'.split(' ')),
	en: new Set('the and is are of to in for with was were it this that on at by from when their'.split(' '))
};

/** The language of a text by its small words; undefined when it has none of them (a title, a query). */
export function guessLanguage(text: string): TextLanguage | undefined {
	const counts = { fi: 0, sv: 0, en: 0 };
	for (const [word] of text.toLowerCase().matchAll(wordPattern))
		for (const language of ['fi', 'sv', 'en'] as const) if (markers[language].has(word)) counts[language]++;
	const best = (['fi', 'sv', 'en'] as const).reduce((a, b) => (counts[b] > counts[a] ? b : a));
	return counts[best] ? best : undefined;
}

// Words → terms -----------------------------------------------------------------------------------------------

const cache = new Map<string, string[]>();
const cacheLimit = 50_000;

function wordTerms(word: string, language: TextLanguage | undefined): string[] {
	const key = `${language ?? ''}|${word}`;
	const cached = cache.get(key);
	if (cached) return cached;
	let terms: string[];
	if (word.length > maxWordLength) terms = [word];
	else if (language === 'sv' || language === 'en') terms = stem(word, language);
	// A word Voikko does not know in a text of no known language: Voikko has had the Finnish words, so Swedish is
	// likelier (and serves English well enough); without Voikko, Finnish is (most texts here are).
	else terms = voikkoTerms(word) ?? stem(word, language ?? (loadVoikko() ? 'sv' : 'fi'));
	// One term per distinct token: "Meri-Rastila" → meri, rastila.
	terms = [...new Set(terms.flatMap((term) => term.toLowerCase().split(/[^\p{L}\p{M}\p{N}]+/u)).filter(Boolean))];
	if (cache.size >= cacheLimit) cache.clear();
	cache.set(key, terms);
	return terms;
}

/**
 * The words of a text with their index terms. Language: as given, else as the text's small words tell it.
 * Finnish or unknown: a word Voikko knows is analysed as Finnish, any other is stemmed (the Finnish stemmer for
 * a Finnish text; see wordTerms for a text of no known language). Swedish or English: that stemmer only.
 */
export function analyseWords(text: string, language?: TextLanguage): AnalysedWord[] {
	const normalised = text.normalize('NFC');
	const textLanguage = language ?? guessLanguage(normalised);
	const words: AnalysedWord[] = [];
	for (const match of normalised.matchAll(wordPattern)) {
		const word = match[0].toLowerCase();
		let terms = wordTerms(word, textLanguage);
		// A hyphenated word Voikko does not know: its pieces may be words it knows ("Kannelmäki-Malminkartano").
		if (word.includes('-') && !voikkoKnows(word, textLanguage))
			terms = [...new Set(word.split('-').flatMap((piece) => wordTerms(piece, textLanguage)))];
		words.push({ word: match[0], start: match.index, end: match.index + match[0].length, terms });
	}
	return words;
}

const voikkoKnows = (word: string, language: TextLanguage | undefined) =>
	language !== 'sv' && language !== 'en' && word.length <= maxWordLength && !!loadVoikko()?.analyse(word).length;

/**
 * The normalised index terms of a text, in text order: base forms (and a Finnish compound's parts) or stems.
 * The same function serves indexing and queries, so a word and its inflections meet on the same terms.
 */
export function analyseTerms(text: string, language?: TextLanguage): string[] {
	return analyseWords(text, language).flatMap((word) => word.terms);
}

/**
 * A search query's words, each with the terms any of which may match: the word's base forms (not a compound's
 * parts: "nuorisotaloilla" looks for nuorisotalo, not every talo), and its stems in Swedish and English (a query
 * has no language), or in all three for a word Voikko does not know. Small words have no terms.
 */
export function analyseQuery(text: string) {
	const words: { word: string; alternatives: string[]; known: boolean }[] = [];
	for (const match of text.normalize('NFC').matchAll(wordPattern)) {
		const word = match[0].toLowerCase();
		const bases = word.length <= maxWordLength ? analyseFinnish(word).map((reading) => reading.base) : [];
		let alternatives: string[];
		const small = (['sv', 'en'] as const).some((language) => stopwords[language].has(word));
		if (bases.length ? bases.every((base) => stopwords.fi.has(base)) : small) alternatives = [];
		// A word Voikko knows may still be Swedish or English ("session"): their stems too.
		else if (bases.length) alternatives = [...bases, ...stem(word, 'sv'), ...stem(word, 'en')];
		else alternatives = (['sv', 'fi', 'en'] as const).flatMap((language) => stem(word, language));
		alternatives = [...new Set(alternatives.map((term) => term.split(/[^\p{L}\p{M}\p{N}]+/u).filter(Boolean).join(' ')).filter(Boolean))];
		words.push({ word, alternatives, known: bases.length > 0 });
	}
	return words;
}
