// Suggested groups of board notes, computed on the server from the notes' own words: no outside service, nothing
// leaves the server. Each note's index terms (text-analysis.ts: base forms, compound parts) are cut into character
// 5-grams, weighted by TF-IDF: the 5-grams link two forms the analyser did not make alike (a stem and its compound,
// "harrastus" and "liikuntaharrastukset") as well as two equal terms. Two notes' similarity is the cosine of their
// vectors (0 unless they share two 5-grams: one is a coincidence, "kokeilu" and "urheilu"); average-linkage agglomerative clustering merges the most similar groups while they are similar enough,
// and a note that fits nowhere stays alone and is not suggested. Deterministic: the same notes in the same order give
// the same groups. Measured in tests/unit/grouping.test.ts (adjusted Rand index) and tests/bench/b15-grouping.mjs.
import type { Doc } from 'yjs';
import { viewBoard } from '../board/model';
import { analyseTerms, type TextLanguage } from './text-analysis';

export type GroupingNote = { id: string; text: string };
export type SuggestedGroup = {
	/** in the order the notes were given */
	noteIds: string[];
	/** a proposed name: the group's most characteristic word(s), as written in its notes */
	name: string;
};
export type GroupingOptions = {
	/** the analyser's language, when known (notes carry none: the analyser decides) */
	language?: TextLanguage;
	/** how similar (cosine, 0–1, average linkage) two groups must be to be merged: higher gives smaller, tighter groups */
	threshold?: number;
};

/** Chosen on the labelled notes with three analysers (stand-in, Snowball, Voikko): 0.15–0.25 were within 0.04 of the best. */
export const defaultThreshold = 0.2;
const gramLength = 5;
/** Two notes that share fewer 5-grams than this are not similar at all: one shared piece of a word is a coincidence. */
const minSharedGrams = 2;

// Words of sticky notes that say how much or what should happen, not what about: common to every theme, so they
// would pull unrelated notes together. Analysed with the same analyser as the notes (so they match its terms,
// whatever it makes of them). Grouping's own list: the analyser's stop words are for search.
const groupingStopWords = [
	// fi
	'lisää enemmän vähemmän paremmin parempi parempia hyvä hyviä uusi uusia uutta kaikki kaikille kaikkien jokainen ' +
		'jokaiselle myös vielä aina heti jo esim esimerkiksi tms yms kaikkia muita muu muut oma oman omaa omia ' +
		'tarvitaan tarvitsee pitäisi pitää voisi voi voida saada saa tehdä tehdään tulee olisi on ole ei eivät ' +
		'ilman kanssa jälkeen ennen kautta mukaan yli alle eri paljon vähän liian kuten jotta kun jos vain ' +
		'sekä tai ja että se ne ne jne jossa joka jotka mitä mikä',
	// sv
	'mer mera mindre bättre bra ny nya alla allt varje också ännu alltid redan t.ex. behövs borde kan kunna ' +
		'få göra ska skulle utan med efter före genom enligt över under olika mycket lite för som när om bara',
	// en
	'more less better good new all every also still always already need needs should could can get make ' +
		'without with after before more very too like so that when if only'
].join(' ');

let stopTermCache: { language: TextLanguage | undefined; terms: Set<string> } | undefined;
function stopTerms(language: TextLanguage | undefined) {
	if (!stopTermCache || stopTermCache.language !== language) {
		const terms = new Set(groupingStopWords.split(/\s+/).flatMap((word) => analyseTerms(word, language)));
		stopTermCache = { language, terms };
	}
	return stopTermCache.terms;
}

/** A sparse vector: feature ids ascending, weights L2-normalised. */
type Vector = { ids: Int32Array; weights: Float64Array };

function vectorsOf(features: string[][]): Vector[] {
	const idOf = new Map<string, number>();
	const documentFrequency: number[] = [];
	const sets = features.map((list) => {
		const ids = new Set<number>();
		for (const feature of list) {
			let id = idOf.get(feature);
			if (id === undefined) {
				id = idOf.size;
				idOf.set(feature, id);
				documentFrequency.push(0);
			}
			if (!ids.has(id)) {
				ids.add(id);
				documentFrequency[id]! += 1;
			}
		}
		return ids;
	});
	const count = features.length;
	return sets.map((set) => {
		// Binary term frequency (a sticky note says a thing once), smoothed IDF; a feature only this note has cannot link
		// it to anything, and only lowers its other similarities: it is left out.
		const ids = Int32Array.from([...set].filter((id) => documentFrequency[id]! > 1).sort((a, b) => a - b));
		const weights = Float64Array.from(ids, (id) => Math.log((1 + count) / (1 + documentFrequency[id]!)) + 1);
		const norm = Math.hypot(...weights) || 1;
		for (let i = 0; i < weights.length; i++) weights[i]! /= norm;
		return { ids, weights };
	});
}

function cosine(a: Vector, b: Vector) {
	let sum = 0;
	let i = 0;
	let j = 0;
	let shared = 0;
	while (i < a.ids.length && j < b.ids.length) {
		const x = a.ids[i]!;
		const y = b.ids[j]!;
		if (x === y) {
			sum += a.weights[i++]! * b.weights[j++]!;
			shared++;
		} else if (x < y) i++;
		else j++;
	}
	return shared >= minSharedGrams ? sum : 0;
}

/**
 * A term's character 5-grams, its start marked ("^kesä", "kesät", "esäty" …). Its end is not: Finnish endings and derivations
 * ("-uus", "-minen") would tie unrelated words ("osallisuus", "turvallisuus") together.
 */
function gramsOf(term: string) {
	const padded = `^${term}`;
	if (padded.length <= gramLength) return [padded];
	const grams: string[] = [];
	for (let i = 0; i + gramLength <= padded.length; i++) grams.push(padded.slice(i, i + gramLength));
	return grams;
}

/** The index terms of each note that grouping uses: no stop words, no numbers, no single letters. */
function termsOf(notes: GroupingNote[], language: TextLanguage | undefined) {
	const stop = stopTerms(language);
	return notes.map((note) => analyseTerms(note.text, language).filter((term) => term.length > 1 && !stop.has(term) && !/^\d+$/.test(term)));
}

/**
 * Average-linkage agglomerative clustering over a similarity matrix, stopping when no two groups are at least
 * `threshold` similar. Each row keeps its best partner, so a merge costs O(n) but for the rows whose partner it took.
 */
function cluster(similarity: Float64Array, n: number, threshold: number): number[][] {
	const members: (number[] | null)[] = Array.from({ length: n }, (_, i) => [i]);
	const best = new Int32Array(n).fill(-1);
	const bestValue = new Float64Array(n).fill(-Infinity);
	const at = (i: number, j: number) => similarity[i * n + j]!;
	const findBest = (i: number) => {
		best[i] = -1;
		bestValue[i] = -Infinity;
		for (let j = 0; j < n; j++) {
			if (j === i || !members[j]) continue;
			if (at(i, j) > bestValue[i]!) {
				bestValue[i] = at(i, j);
				best[i] = j;
			}
		}
	};
	for (let i = 0; i < n; i++) findBest(i);

	for (;;) {
		let a = -1;
		for (let i = 0; i < n; i++) if (members[i] && best[i]! >= 0 && (a < 0 || bestValue[i]! > bestValue[a]!)) a = i;
		if (a < 0 || bestValue[a]! < threshold) break;
		const b = best[a]!;
		const [keep, gone] = a < b ? [a, b] : [b, a];
		const sizeKeep = members[keep]!.length;
		const sizeGone = members[gone]!.length;
		// Lance–Williams for average linkage: the merged group's similarity to k is the size-weighted mean.
		for (let k = 0; k < n; k++) {
			if (!members[k] || k === keep || k === gone) continue;
			const merged = (sizeKeep * at(keep, k) + sizeGone * at(gone, k)) / (sizeKeep + sizeGone);
			similarity[keep * n + k] = merged;
			similarity[k * n + keep] = merged;
		}
		members[keep] = [...members[keep]!, ...members[gone]!].sort((x, y) => x - y);
		members[gone] = null;
		for (let k = 0; k < n; k++) {
			if (!members[k]) continue;
			if (k === keep || best[k] === keep || best[k] === gone) findBest(k);
			else if (at(k, keep) > bestValue[k]! || (at(k, keep) === bestValue[k]! && keep < best[k]!)) {
				bestValue[k] = at(k, keep);
				best[k] = keep;
			}
		}
	}
	return members.filter((group): group is number[] => !!group);
}


/** The surface words of a text (lower-case), as the analyser would see them one by one. */
const wordsOf = (text: string) => text.toLocaleLowerCase('fi').match(/\p{L}+(?:-\p{L}+)*/gu) ?? [];

/**
 * Whether two terms are alike: equal, or sharing two 5-grams (as notes are similar): "kielikurss", "kielikursse".
 * Remembers each term's 5-grams and each pair's answer (naming asks about the same pairs many times).
 */
function alikeTerms() {
	const grams = new Map<string, Set<string>>();
	const answers = new Map<string, boolean>();
	const gramSet = (term: string) => {
		let set = grams.get(term);
		if (!set) grams.set(term, (set = new Set(gramsOf(term))));
		return set;
	};
	return (a: string, b: string) => {
		if (a === b) return true;
		const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
		let answer = answers.get(key);
		if (answer === undefined) {
			const of = gramSet(a);
			let shared = 0;
			for (const gram of gramSet(b)) if (of.has(gram)) shared++;
			answers.set(key, (answer = shared >= minSharedGrams));
		}
		return answer;
	};
}

/**
 * A group's name: the term in the most of its notes (counting alike terms), rarest on the board among equals, and a
 * second one, not alike to it, when that is in at least half of them; each shown as written in the notes (the
 * analyser's term may be a stem): the term itself if someone wrote it, else the word most used for it, then the
 * shortest. Null when no term is in two of its notes.
 */
function nameOf(
	group: number[],
	terms: string[][],
	notes: GroupingNote[],
	language: TextLanguage | undefined,
	df: Map<string, number>,
	alike: (a: string, b: string) => boolean
) {
	const candidates = [...new Set(group.flatMap((index) => terms[index]!))];
	const ranked = candidates
		.map((term) => {
			const count = group.filter((index) => terms[index]!.some((other) => alike(term, other))).length;
			return { term, count, score: count * Math.log((notes.length + 1) / (df.get(term)! + 1)) };
		})
		.filter(({ count }) => count >= 2)
		.sort((x, y) => y.score - x.score || y.count - x.count || (x.term < y.term ? -1 : x.term > y.term ? 1 : 0));
	const first = ranked[0];
	if (!first) return null;
	// Not a part of the first either ("kesä" of "kesätyö"): the name would say the same twice.
	const second = ranked.find(({ term }) => !alike(term, first.term) && !term.includes(first.term) && !first.term.includes(term));
	const chosen = second && second.count * 2 >= group.length ? [first, second] : [first];

	const wordTerms = new Map<string, string[]>();
	const shown = chosen.map(({ term }) => {
		// Words whose own term (their first) it is are preferred to words that only contain it (a compound, a
		// derivation: "nuorisotalo" for "talo"); the term itself is shown only if someone wrote it.
		const own = new Map<string, number>();
		const containing = new Map<string, number>();
		for (const index of group)
			for (const word of wordsOf(notes[index]!.text)) {
				let analysed = wordTerms.get(word);
				if (!analysed) wordTerms.set(word, (analysed = analyseTerms(word, language)));
				const found = analysed[0] !== undefined && alike(analysed[0], term) ? own : analysed.some((other) => alike(other, term)) ? containing : null;
				found?.set(word, (found.get(word) ?? 0) + 1);
			}
		if (own.has(term)) return term;
		const byUse = ([x, a]: [string, number], [y, b]: [string, number]) => b - a || x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
		return ([...own].sort(byUse)[0] ?? [...containing].sort(byUse)[0] ?? [term])[0];
	});
	const name = [...new Set(shown)].join(', ');
	return name.charAt(0).toLocaleUpperCase('fi') + name.slice(1);
}

/**
 * Groups of similar notes among `notes`: each group has at least two notes, a note is in at most one group, notes
 * that fit nowhere are in none. Largest groups first (ties: the group whose first note comes first).
 */
export function suggestGroups(notes: GroupingNote[], options: GroupingOptions = {}): SuggestedGroup[] {
	const { language, threshold = defaultThreshold } = options;
	const n = notes.length;
	if (n < 2) return [];
	const terms = termsOf(notes, language);
	const vectors = vectorsOf(terms.map((list) => list.flatMap(gramsOf)));
	const similarity = new Float64Array(n * n);
	for (let i = 0; i < n; i++)
		for (let j = i + 1; j < n; j++) {
			const value = cosine(vectors[i]!, vectors[j]!);
			similarity[i * n + j] = value;
			similarity[j * n + i] = value;
		}
	const groups = cluster(similarity, n, threshold).filter((group) => group.length >= 2);

	const df = new Map<string, number>();
	for (const list of terms) for (const term of new Set(list)) df.set(term, (df.get(term) ?? 0) + 1);
	const alike = alikeTerms();
	return groups
		.sort((a, b) => b.length - a.length || a[0]! - b[0]!)
		.map((group) => ({
			noteIds: group.map((index) => notes[index]!.id),
			name: nameOf(group, terms, notes, language, df, alike) ?? shorten(notes[group[0]!]!.text)
		}));
}

/** A note's first words as a group's name, when its notes share no word (rare: they are grouped for shared words). */
function shorten(text: string) {
	const flat = text.replace(/\s+/g, ' ').trim();
	return flat.length <= 40 ? flat : `${flat.slice(0, 39).replace(/\s+\S*$/, '')}…`;
}

export type BoardSuggestion = SuggestedGroup & { lane: string };

/**
 * Suggestions for a board (a copy of its document; nothing is written): the loose notes of one lane, or of each lane
 * in turn (a group never spans lanes: a cluster lives in one). Notes already in a group are left out: the
 * facilitator or the room has grouped them already, and a suggestion never takes a note out of a group. Lanes come
 * in `laneOrder` (the workshop's perspectives).
 */
export function suggestBoardGroups(doc: Doc, scope: { lane?: string; laneOrder?: readonly string[] } = {}): BoardSuggestion[] {
	const { notes, clusters } = viewBoard(doc);
	const clusterIds = new Set(clusters.map((cluster) => cluster.id));
	const loose = notes.filter((note) => !(note.clusterId && clusterIds.has(note.clusterId)) && note.text.trim());
	const lanes = new Map<string, GroupingNote[]>();
	for (const note of loose) {
		if (scope.lane && note.lane !== scope.lane) continue;
		const list = lanes.get(note.lane) ?? [];
		list.push({ id: note.id, text: note.text });
		lanes.set(note.lane, list);
	}
	// Lane by lane in the board's order of perspectives (notes' positions are per lane: they cannot order lanes).
	const rank = (lane: string) => {
		const index = scope.laneOrder?.indexOf(lane) ?? -1;
		return index === -1 ? Number.MAX_SAFE_INTEGER : index;
	};
	return [...lanes]
		.sort(([a], [b]) => rank(a) - rank(b))
		.flatMap(([lane, laneNotes]) => suggestGroups(laneNotes).map((group) => ({ ...group, lane })));
}
