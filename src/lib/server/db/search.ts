// The learning library's full-text index in each dialect: SQLite's FTS5 table, PostgreSQL's table with `simple`
// tsvectors and GIN indexes (drizzle-pg/0001). The terms are analysed in code (text-analysis.ts), so neither
// database stems them again; both fold case and diacritics (FTS5's unicode61 tokenizer; on PostgreSQL, `fold` here).
import { rawAll, rawRun, usesPostgres } from './index';

/** A query word: every one must match, by any of its analysed alternatives or as written (a prefix if `prefix`). */
export type SearchWord = { word: string; alternatives: string[]; prefix: boolean };

export type SearchRow = {
	pilotId: string;
	title: string;
	summary: string;
	learnings: string;
	reason: string;
	titleTerms: string;
	summaryTerms: string;
	learningsTerms: string;
	reasonTerms: string;
};

/** Case and diacritics folded as FTS5's unicode61 tokenizer (remove_diacritics 2) folds them. */
export const fold = (text: string) =>
	text
		.toLowerCase()
		.normalize('NFD')
		.replace(/\p{M}/gu, '');

export async function deleteSearchRows(pilotId?: string) {
	if (pilotId === undefined) await rawRun('DELETE FROM pilot_search');
	else await rawRun('DELETE FROM pilot_search WHERE pilot_id = ?', pilotId);
}

export async function insertSearchRow(row: SearchRow) {
	const texts = [row.pilotId, row.title, row.summary, row.learnings, row.reason, row.titleTerms, row.summaryTerms, row.learningsTerms, row.reasonTerms];
	if (!usesPostgres()) {
		await rawRun(
			`INSERT INTO pilot_search (pilot_id, title, summary, learnings, decision_reason, title_terms, summary_terms, learnings_terms, reason_terms)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			...texts
		);
		return;
	}
	const weighted = `setweight(to_tsvector('simple', ?), 'A') || setweight(to_tsvector('simple', ?), 'B') || setweight(to_tsvector('simple', ?), 'B') || setweight(to_tsvector('simple', ?), 'C')`;
	await rawRun(
		`INSERT INTO pilot_search (pilot_id, title, summary, learnings, decision_reason, title_terms, summary_terms, learnings_terms, reason_terms, terms, words)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ${weighted}, ${weighted})`,
		...texts,
		...[row.titleTerms, row.learningsTerms, row.reasonTerms, row.summaryTerms].map(fold),
		...[row.title, row.learnings, row.reason, row.summary].map(fold)
	);
}

const textColumns = '{title summary learnings decision_reason}';
const termColumns = '{title_terms summary_terms learnings_terms reason_terms}';
const quoted = (text: string) => `"${text.replace(/"/g, '""')}"`;

/**
 * The words as a safe FTS5 query. Each word must match (AND), either by any of its analysed terms in the terms
 * columns (so "paikoissa" finds "paikka" and "kohtaamispaikan") or as written in the text columns (so a word
 * the analyser does not know still finds itself, and "paatos" finds "päätös": the tokenizer folds case and
 * diacritics). Every term is a quoted FTS5 string (its quotes doubled): operators, parentheses, column filters
 * and stars in the user's text are only text. Null: nothing to search for.
 */
export function ftsMatch(words: readonly SearchWord[]) {
	if (!words.length) return null;
	return words
		.map((word) => {
			const terms = word.alternatives.map(quoted).join(' OR ');
			return `(${termColumns} : (${terms}) OR ${textColumns} : ${quoted(word.word)}${word.prefix ? '*' : ''})`;
		})
		.join(' AND ');
}

/** A folded word as a tsquery of its tokens in a row, the last a prefix: `'kohtaamis' <-> 'paik':*`. */
const prefixQuery = (word: string) => {
	const tokens = fold(word).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
	return tokens.length ? tokens.map((token) => `'${token.replace(/'/g, "''")}'`).join(' <-> ') + ':*' : null;
};

/**
 * The pilots whose index row matches every word, best first (the title weighted highest, then learnings and the
 * decision's reason, then the summary), at most `limit`, with the texts as indexed (for highlights).
 */
export async function matchSearchRows(words: readonly SearchWord[], limit: number) {
	type Found = { pilotId: string; title: string; summary: string; learnings: string; reason: string; rank: number };
	if (!words.length) return [];
	if (!usesPostgres()) {
		return rawAll<Found>(
			`SELECT pilot_id AS "pilotId", bm25(pilot_search, 0, 10, 2, 5, 5, 10, 2, 5, 5) AS rank,
				title, summary, learnings, decision_reason AS reason
			FROM pilot_search WHERE pilot_search MATCH ? ORDER BY rank LIMIT ?`,
			ftsMatch(words),
			limit
		);
	}
	const params: unknown[] = [];
	const conditions: string[] = [];
	const ranks: string[] = [];
	for (const word of words) {
		const alternatives = word.alternatives.map(() => `phraseto_tsquery('simple', ?)`).join(' || ');
		const terms = alternatives ? `(${alternatives})` : `''::tsquery`;
		const prefix = word.prefix ? prefixQuery(word.word) : null;
		const written = prefix ? `to_tsquery('simple', ?)` : `phraseto_tsquery('simple', ?)`;
		const writtenValue = prefix ?? fold(word.word);
		conditions.push(`(terms @@ ${terms} OR words @@ ${written})`);
		params.push(...word.alternatives.map(fold), writtenValue);
		ranks.push(`ts_rank('{0.1, 0.2, 0.5, 1.0}', terms, ${terms}) + ts_rank('{0.1, 0.2, 0.5, 1.0}', words, ${written})`);
	}
	// The rank expressions repeat the conditions' queries: their parameters come again, after the conditions'.
	const rankParams = [...params];
	return rawAll<Found>(
		`SELECT pilot_id AS "pilotId", -(${ranks.join(' + ')}) AS rank,
			title, summary, learnings, decision_reason AS reason
		FROM pilot_search WHERE ${conditions.join(' AND ')} ORDER BY rank, pilot_id LIMIT ?`,
		...rankParams,
		...params,
		limit
	);
}

/** The indexed learnings of these pilots (the text the search looks at). */
export async function searchLearningsOf(pilotIds: readonly string[]) {
	if (!pilotIds.length) return [];
	return rawAll<{ pilotId: string; learnings: string }>(
		`SELECT pilot_id AS "pilotId", learnings FROM pilot_search WHERE pilot_id IN (${pilotIds.map(() => '?').join(',')})`,
		...pilotIds
	);
}
