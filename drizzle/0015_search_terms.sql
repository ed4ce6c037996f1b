CREATE TABLE `search_index_state` (
	`name` text PRIMARY KEY NOT NULL,
	`analyser` text NOT NULL
);
--> statement-breakpoint
-- Hand-written (drizzle cannot express FTS5): the learning library's index gets the analysed terms of each text
-- (base forms, compound parts, stems: text-analysis.ts) beside the original text, which stays for exact words,
-- prefixes and highlighting. The rows are written by the application (the analysis is not SQL): with no
-- search_index_state row, the start-up (ensureSearchIndex) indexes every pilot again.
DROP TABLE IF EXISTS `pilot_search`;--> statement-breakpoint
CREATE VIRTUAL TABLE `pilot_search` USING fts5(`pilot_id` UNINDEXED, `title`, `summary`, `learnings`, `decision_reason`, `title_terms`, `summary_terms`, `learnings_terms`, `reason_terms`, tokenize = 'unicode61 remove_diacritics 2');
