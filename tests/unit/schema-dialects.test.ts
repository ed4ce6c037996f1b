// The two dialects' tables must stay in step: domain code is written once against SQLite's types and runs on
// PostgreSQL's tables (schema.ts chooses at import).
import { getTableColumns, getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { isPostgresUrl } from '../../src/lib/server/db/dialect';
import * as selected from '../../src/lib/server/db/schema';
import * as pg from '../../src/lib/server/db/schema.pg';
import * as sqlite from '../../src/lib/server/db/schema.sqlite';

const tables = <T>(module: Record<string, unknown>, kind: new (...args: never[]) => T) =>
	Object.fromEntries(Object.entries(module).filter(([, value]) => is(value, kind as never))) as Record<string, SQLiteTable & PgTable>;

/** A column as the domain code sees it: SQL name, JS value kind, nullability, default. */
const shape = (table: SQLiteTable | PgTable) =>
	Object.fromEntries(
		Object.entries(getTableColumns(table)).map(([key, column]) => [
			key,
			{
				name: column.name,
				// bytea is a custom type on PostgreSQL: Buffer, as SQLite's blob columns (mode buffer) give
				value: column.columnType === 'PgCustomColumn' ? 'buffer' : column.dataType,
				notNull: column.notNull,
				// SQLite's INTEGER PRIMARY KEY is the rowid, which has a default where PostgreSQL's integer key has none
				// (the domain gives those keys: area_data_state 1, audit_prune_gate 1); serial ids have one on both.
				hasDefault: column.primary && column.dataType === 'number' ? null : column.hasDefault,
				enum: column.enumValues ?? null
			}
		])
	);

describe('schema.sqlite.ts and schema.pg.ts', () => {
	const sqliteTables = tables(sqlite, SQLiteTable);
	const pgTables = tables(pg, PgTable);

	it('have the same tables under the same names', () => {
		expect(Object.keys(pgTables).sort()).toEqual(Object.keys(sqliteTables).sort());
		for (const [key, table] of Object.entries(sqliteTables)) expect(getTableName(pgTables[key]!), key).toBe(getTableName(table));
	});

	it('have the same columns with the same value kinds, nullability and defaults', () => {
		for (const [key, table] of Object.entries(sqliteTables)) expect(shape(pgTables[key]!), key).toEqual(shape(table));
	});

	it('schema.ts exports every table and view of the dialect', () => {
		const names = Object.keys(sqlite).filter((name) => typeof (sqlite as Record<string, unknown>)[name] === 'object' && !Array.isArray((sqlite as Record<string, unknown>)[name]));
		for (const name of names) expect(selected, name).toHaveProperty(name);
		expect(selected.users).toBe(isPostgresUrl() ? pg.users : sqlite.users);
	});
});
