// Shared with the WebSocket upgrade path (the board store): no $app or $env imports, relative imports only.
import type Database from 'better-sqlite3';

// Rows the board store has changed, per connection. The database's write generation leaves them out: nothing that
// is reused until the next write (dashboards, access answers, a round's vote figures) is read from a board's update
// log, and during a workshop that log is written every second.
const boardRows = new WeakMap<Database.Database, number>();

export function countBoardChanges(sqlite: Database.Database, rows: number) {
	boardRows.set(sqlite, (boardRows.get(sqlite) ?? 0) + rows);
}

export function boardChanges(sqlite: Database.Database) {
	return boardRows.get(sqlite) ?? 0;
}
