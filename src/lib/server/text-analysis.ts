// STAND-IN for issue 18's text analysis (written by another engineer at the same time): the same signature, a much
// simpler method. The lead replaces this file with the real analyser (base forms, compound parts) at merge.
// Here: lower-case words, a short stop-word list, and a light suffix stripper for Finnish and Swedish.

export type Language = 'fi' | 'sv' | 'en';

const stopWords = new Set(
	(
		'ja tai sekä on ei ole oli ovat olla se ne että kun jos niin myös vain kuin mutta eli jo nyt joka jotka mikä mitä ' +
		'ett en och att det som är på för av med till den har inte om de var vi jag eller men så ' +
		'the a an and or of to in on for is are be with not'
	).split(' ')
);

// Longest first: the first that leaves a stem of at least four letters is stripped (once).
const finnishEndings = [
	'iksemme', 'issamme', 'illamme', 'iltamme', 'illaan', 'issaan', 'istaan', 'iltaan', 'ineen', 'ihinsa', 'eineen',
	'itten', 'ojen', 'iden', 'ista', 'istä', 'issa', 'issä', 'ilta', 'iltä', 'illa', 'illä', 'ille', 'iksi', 'ineen',
	'lla', 'llä', 'lta', 'ltä', 'lle', 'ssa', 'ssä', 'sta', 'stä', 'ksi', 'tta', 'ttä', 'nsa', 'nsä', 'mme', 'nne',
	'ien', 'jen', 'iin', 'ita', 'itä', 'ina', 'inä', 'ja', 'jä', 'ia', 'iä', 'ni', 'si', 'an', 'en', 'in', 'on', 'un',
	'yn', 'än', 'ön', 'na', 'nä', 'ta', 'tä', 'it', 'et', 'at', 'ät', 't', 'n', 'a', 'ä', 'i'
];
const swedishEndings = ['arnas', 'ernas', 'ornas', 'heten', 'arna', 'erna', 'orna', 'ande', 'ende', 'aste', 'ens', 'ets', 'are', 'ast', 'ar', 'er', 'or', 'en', 'et', 'na', 'a', 'e', 's'];

function strip(word: string, endings: string[]) {
	for (const ending of endings) if (word.length - ending.length >= 4 && word.endsWith(ending)) return word.slice(0, -ending.length);
	return word;
}

/** The normalised index terms of a text, in text order. */
export function analyseTerms(text: string, language?: Language): string[] {
	const words = text.toLocaleLowerCase('fi').match(/\p{L}+(?:-\p{L}+)*/gu) ?? [];
	const endings = language === 'sv' ? swedishEndings : language === 'en' ? [] : finnishEndings;
	return words.filter((word) => !stopWords.has(word)).map((word) => strip(word.replace(/-/g, ''), endings));
}
