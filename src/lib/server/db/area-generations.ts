// The raw steps of an area import's generations (areas.ts importSteps), in each dialect. SQLite: prepared
// statements on the one connection, each batch its own transaction with foreign keys off (a new generation's
// values come before their new areas and indicators, which the switch inserts). PostgreSQL: the same statements
// as raw SQL; its foreign keys cannot be turned off, so a batch first inserts the areas and indicators it needs
// that do not exist yet (as the file names them; the switch then updates them as SQLite's does).
import type Database from 'better-sqlite3';
import { db, preparedOnceSync, rawAll, rawGet, rawRun, usesPostgres, withSqlite } from './index';

type Position = { areaCode: string; indicatorKey: string; year: number };
type Value = Position & { value: number };
type Area = { code: string; name: string; municipality: string };

const upsertValue =
	'INSERT INTO area_values (generation, area_code, indicator_key, year, value) VALUES (?, ?, ?, ?, ?) ON CONFLICT (generation, area_code, indicator_key, year) DO UPDATE SET value = excluded.value';
// A plain file without municipalities keeps the ones a Paavo import set.
const upsertArea =
	"INSERT INTO areas (code, name, municipality) VALUES (?, ?, ?) ON CONFLICT (code) DO UPDATE SET name = excluded.name, municipality = coalesce(nullif(excluded.municipality, ''), areas.municipality)";
const makeCurrent = 'INSERT INTO area_data_state (id, generation) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET generation = excluded.generation';
// Copies the next rows in key order (the primary key's index) after the last one copied.
const copySome = `INSERT INTO area_values (generation, area_code, indicator_key, year, value)
	SELECT ?, area_code, indicator_key, year, value FROM area_values
	WHERE generation = ? AND (area_code, indicator_key, year) > (?, ?, ?) ORDER BY area_code, indicator_key, year LIMIT ?`;
const lastCopied =
	'SELECT area_code AS "areaCode", indicator_key AS "indicatorKey", year FROM area_values WHERE generation = ? ORDER BY area_code DESC, indicator_key DESC, year DESC LIMIT 1';
const newer = 'SELECT generation FROM area_values WHERE generation > ? ORDER BY generation DESC LIMIT 1';
const older = 'SELECT generation FROM area_values WHERE generation < ? ORDER BY generation LIMIT 1';
const current = 'SELECT generation FROM area_data_state WHERE id = 1';

// SQLite's statements, prepared once: one prepared statement per row is far cheaper than building drizzle's
// multi-row inserts (~40 µs a row), and the switch runs in the one transaction that makes the import visible.
const sqliteQueries = preparedOnceSync((sync) => {
	const sqlite = sync.$client;
	return {
		current: sqlite.prepare<[], { generation: number }>(current),
		newer: sqlite.prepare<[number], { generation: number }>(newer),
		older: sqlite.prepare<[number], { generation: number }>(older),
		deleteSome: sqlite.prepare<[number, number]>('DELETE FROM area_values WHERE rowid IN (SELECT rowid FROM area_values WHERE generation = ? LIMIT ?)'),
		copySome: sqlite.prepare<[number, number, string, string, number, number]>(copySome),
		lastCopied: sqlite.prepare<[number], Position>(lastCopied),
		upsert: sqlite.prepare<[number, string, string, number, number]>(upsertValue),
		upsertArea: sqlite.prepare<[string, string, string]>(upsertArea),
		makeCurrent: sqlite.prepare<[number]>(makeCurrent)
	};
});

/** The generation readers see (0 before the first import). Never inside a caller's transaction. */
export async function currentAreaGeneration() {
	if (usesPostgres()) return (await rawGet<{ generation: number }>(current))?.generation ?? 0;
	const queries = sqliteQueries();
	return withSqlite((sqlite) => {
		// A caller's own open transaction (no other is open here): foreign_keys cannot change inside it.
		if (sqlite.inTransaction) throw new Error('an area import writes its own transactions');
		return queries.current.get()?.generation ?? 0;
	});
}

/** Another generation than `generation` that still has rows, if any. */
export async function otherAreaGeneration(generation: number) {
	if (usesPostgres()) return (await rawGet<{ generation: number }>(newer, generation)) ?? (await rawGet<{ generation: number }>(older, generation));
	const queries = sqliteQueries();
	return withSqlite(() => queries.newer.get(generation) ?? queries.older.get(generation));
}

/** Deletes up to `limit` rows of a generation in one transaction; returns how many went. */
export async function deleteAreaValues(generation: number, limit: number) {
	if (usesPostgres()) return rawRun('DELETE FROM area_values WHERE ctid IN (SELECT ctid FROM area_values WHERE generation = ? LIMIT ?)', generation, limit);
	const queries = sqliteQueries();
	return withSqlite((sqlite) => sqlite.transaction(() => queries.deleteSome.run(generation, limit).changes)());
}

/** Copies up to `limit` rows of generation `from` after `last` (key order) into generation `to`; returns the position copied last, or null when done. */
export async function copyAreaValues(to: number, from: number, last: Position, limit: number): Promise<Position | null> {
	const params = [to, from, last.areaCode, last.indicatorKey, last.year, limit] as const;
	if (usesPostgres()) return (await rawRun(copySome, ...params)) > 0 ? ((await rawGet<Position>(lastCopied, to)) ?? null) : null;
	const queries = sqliteQueries();
	return withSqlite((sqlite) => (sqlite.transaction(() => queries.copySome.run(...params).changes)() > 0 ? queries.lastCopied.get(to)! : null));
}

/** Upserts a batch of values into a generation nobody reads yet, in one transaction. */
export async function upsertAreaValues(generation: number, rows: readonly Value[], areas: readonly Area[], indicators: readonly { key: string; name: string }[]) {
	if (usesPostgres()) {
		const areaCodes = new Set(rows.map((row) => row.areaCode));
		const indicatorKeys = new Set(rows.map((row) => row.indicatorKey));
		await db.transaction(async () => {
			for (const area of areas.filter((area) => areaCodes.has(area.code)))
				await rawRun('INSERT INTO areas (code, name, municipality) VALUES (?, ?, ?) ON CONFLICT (code) DO NOTHING', area.code, area.name, area.municipality);
			for (const indicator of indicators.filter((indicator) => indicatorKeys.has(indicator.key)))
				await rawRun('INSERT INTO indicators (key, name) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', indicator.key, indicator.name);
			// One statement for the batch; a value the file states twice counts once, its last (as the row-by-row upserts).
			const unique = [...new Map(rows.map((row) => [`${row.areaCode}\u0000${row.indicatorKey}\u0000${row.year}`, row])).values()];
			const values = unique.map(() => '(?, ?, ?, ?, ?)').join(', ');
			await rawRun(
				`INSERT INTO area_values (generation, area_code, indicator_key, year, value) VALUES ${values}
				ON CONFLICT (generation, area_code, indicator_key, year) DO UPDATE SET value = excluded.value`,
				...unique.flatMap((row) => [generation, row.areaCode, row.indicatorKey, row.year, row.value])
			);
		});
		return;
	}
	const queries = sqliteQueries();
	await withSqlite((sqlite: Database.Database) => {
		sqlite.pragma('foreign_keys = OFF');
		try {
			sqlite.transaction(() => {
				for (const row of rows) queries.upsert.run(generation, row.areaCode, row.indicatorKey, row.year, row.value);
			})();
		} finally {
			sqlite.pragma('foreign_keys = ON');
		}
	});
}

/** Inside the switch's transaction: the file's areas, then the new generation made current. */
export async function switchAreaGeneration(generation: number, areas: readonly Area[]) {
	if (usesPostgres()) {
		for (const area of areas) await rawRun(upsertArea, area.code, area.name, area.municipality);
		await rawRun(makeCurrent, generation);
		return;
	}
	// The caller's transaction is open on the one connection: the statements run in it.
	const queries = sqliteQueries();
	for (const area of areas) queries.upsertArea.run(area.code, area.name, area.municipality);
	queries.makeCurrent.run(generation);
}
