// Durable storage of a board: an append-only log of Yjs updates plus a compacted snapshot.
// Shared with the WebSocket upgrade path: no $app or $env imports, relative imports only.
import type Database from 'better-sqlite3';
import * as Y from 'yjs';
import { postgres, usesPostgres, withSqlite } from '../db';
import { PostgresBoardStore } from './store-postgres';
import { countBoardChanges } from '../db/board-changes';
import { parseRoomName, privateRoomName } from './live-state';

export type StoredBoard = {
	/** The snapshot (if any) first, then the logged updates after it, oldest first. */
	updates: Uint8Array[];
	/** The id of the newest logged update folded into `updates` (0 when none). */
	lastUpdateId: number;
	/** The id up to which the log is folded into the snapshot (0 without a snapshot). */
	snapshotUpdateId: number;
};

export interface BoardStore {
	load(name: string): Promise<StoredBoard>;
	/** Appends the updates in one transaction and returns the id of the last one. */
	append(name: string, updates: readonly Uint8Array[]): Promise<number>;
	/**
	 * Replaces the snapshot with `state` and drops the logged updates it covers (id ≤ upToId). With `mergeStored`
	 * (several nodes write the log), the stored snapshot and log up to there are merged into the new snapshot: an
	 * update another node logged below upToId may not have reached this node's `state` yet.
	 */
	compact(name: string, state: Uint8Array, upToId: number, mergeStored?: boolean): Promise<void>;
	/** Room names of the workshop's stored private documents (`${workshopId}.private.${participantId}`). */
	privateRooms?(workshopId: string): Promise<string[]>;
}

/**
 * The board tables of the app's SQLite database (board_updates, board_snapshots), through prepared statements
 * (the hot path: B13's 1,000 editors append ~60 batches a second), prepared once per connection and run through
 * `withSqlite`: never inside another request's open transaction. Private rooms
 * (`${workshopId}.private.${participantId}`) go to private_board_updates/private_board_snapshots.
 */
export class SqliteBoardStore implements BoardStore {
	#statements = new WeakMap<Database.Database, ReturnType<typeof prepareStatements>>();

	#run<T>(work: (statements: ReturnType<typeof prepareStatements>) => T): Promise<T> {
		return withSqlite((sqlite) => {
			let statements = this.#statements.get(sqlite);
			if (!statements) this.#statements.set(sqlite, (statements = prepareStatements(sqlite)));
			return work(statements);
		});
	}

	privateRooms(workshopId: string) {
		return this.#run((q) => q.selectPrivateRooms.all(workshopId, workshopId).map((row) => privateRoomName(workshopId, row.participant_id)));
	}

	load(name: string): Promise<StoredBoard> {
		return this.#run((q) => q.load(name));
	}

	append(name: string, updates: readonly Uint8Array[]): Promise<number> {
		const { workshopId, privateOf } = parseRoomName(name);
		return this.#run((q) => (privateOf !== null ? q.privateAppend.immediate(workshopId, privateOf, updates) : q.append.immediate(workshopId, updates)));
	}

	compact(name: string, state: Uint8Array, upToId: number, mergeStored = false): Promise<void> {
		const { workshopId, privateOf } = parseRoomName(name);
		return this.#run((q) => {
			if (privateOf !== null) q.privateCompact.immediate(workshopId, privateOf, state, upToId, mergeStored);
			else q.compact.immediate(workshopId, state, upToId, mergeStored);
		});
	}
}

type Readers = Pick<ReturnType<typeof prepareStatements>, 'snapshot' | 'updates' | 'privateSnapshot' | 'privateUpdates'>;

function loadWith(q: Readers, name: string): StoredBoard {
	const { workshopId, privateOf } = parseRoomName(name);
	const snapshot = privateOf !== null ? q.privateSnapshot.get(workshopId, privateOf) : q.snapshot.get(workshopId);
	const snapshotUpdateId = snapshot?.last_update_id ?? 0;
	const rows = privateOf !== null ? q.privateUpdates.all(workshopId, privateOf, snapshotUpdateId) : q.updates.all(workshopId, snapshotUpdateId);
	return {
		updates: [...(snapshot ? [toBytes(snapshot.state)] : []), ...rows.map((row) => toBytes(row.update))],
		lastUpdateId: rows.length ? rows[rows.length - 1]!.id : snapshotUpdateId,
		snapshotUpdateId
	};
}

/** The store's statements on one connection (the shared board's tables, then the private documents'). */
function prepareStatements(sqlite: Database.Database) {
	const insertUpdate = sqlite.prepare<[string, Uint8Array]>('INSERT INTO board_updates (workshop_id, "update") VALUES (?, ?)');
	const upsertSnapshot = sqlite.prepare<[string, Uint8Array, number, number]>(
		`INSERT INTO board_snapshots (workshop_id, state, last_update_id, updated_at) VALUES (?, ?, ?, ?)
		 ON CONFLICT (workshop_id) DO UPDATE SET state = excluded.state, last_update_id = excluded.last_update_id,
		 updated_at = excluded.updated_at`
	);
	const deleteUpdates = sqlite.prepare<[string, number]>('DELETE FROM board_updates WHERE workshop_id = ? AND id <= ?');
	const insertPrivateUpdate = sqlite.prepare<[string, string, Uint8Array]>(
		'INSERT INTO private_board_updates (workshop_id, participant_id, "update") VALUES (?, ?, ?)'
	);
	const upsertPrivateSnapshot = sqlite.prepare<[string, string, Uint8Array, number, number]>(
		`INSERT INTO private_board_snapshots (workshop_id, participant_id, state, last_update_id, updated_at) VALUES (?, ?, ?, ?, ?)
		 ON CONFLICT (workshop_id, participant_id) DO UPDATE SET state = excluded.state,
		 last_update_id = excluded.last_update_id, updated_at = excluded.updated_at`
	);
	const deletePrivateUpdates = sqlite.prepare<[string, string, number]>(
		'DELETE FROM private_board_updates WHERE workshop_id = ? AND participant_id = ? AND id <= ?'
	);
	const readers = {
		snapshot: sqlite.prepare<[string], { state: Buffer; last_update_id: number }>('SELECT state, last_update_id FROM board_snapshots WHERE workshop_id = ?'),
		updates: sqlite.prepare<[string, number], { id: number; update: Buffer }>(
			'SELECT id, "update" FROM board_updates WHERE workshop_id = ? AND id > ? ORDER BY id'
		),
		privateSnapshot: sqlite.prepare<[string, string], { state: Buffer; last_update_id: number }>(
			'SELECT state, last_update_id FROM private_board_snapshots WHERE workshop_id = ? AND participant_id = ?'
		),
		privateUpdates: sqlite.prepare<[string, string, number], { id: number; update: Buffer }>(
			'SELECT id, "update" FROM private_board_updates WHERE workshop_id = ? AND participant_id = ? AND id > ? ORDER BY id'
		)
	};
	return {
		...readers,
		// One read transaction, so one snapshot of the file: another node's compaction committing between the two
		// reads would leave the old snapshot without the logged updates it deleted.
		load: sqlite.transaction((name: string) => loadWith(readers, name)),
		selectPrivateRooms: sqlite.prepare<[string, string], { participant_id: string }>(
			`SELECT participant_id FROM private_board_updates WHERE workshop_id = ?
			 UNION SELECT participant_id FROM private_board_snapshots WHERE workshop_id = ?`
		),
		append: sqlite.transaction((workshopId: string, updates: readonly Uint8Array[]) => {
			let last = 0;
			for (const update of updates) last = Number(insertUpdate.run(workshopId, update).lastInsertRowid);
			countBoardChanges(sqlite, updates.length);
			return last;
		}),
		compact: sqlite.transaction((workshopId: string, state: Uint8Array, upToId: number, mergeStored: boolean) => {
			if (mergeStored) ({ state, upToId } = mergedWithStored(loadWith(readers, workshopId), state, upToId));
			const rows = upsertSnapshot.run(workshopId, state, upToId, Date.now()).changes + deleteUpdates.run(workshopId, upToId).changes;
			countBoardChanges(sqlite, rows);
		}),
		privateAppend: sqlite.transaction((workshopId: string, participantId: string, updates: readonly Uint8Array[]) => {
			let last = 0;
			for (const update of updates) last = Number(insertPrivateUpdate.run(workshopId, participantId, update).lastInsertRowid);
			countBoardChanges(sqlite, updates.length);
			return last;
		}),
		privateCompact: sqlite.transaction((workshopId: string, participantId: string, state: Uint8Array, upToId: number, mergeStored: boolean) => {
			if (mergeStored) ({ state, upToId } = mergedWithStored(loadWith(readers, privateRoomName(workshopId, participantId)), state, upToId));
			const rows =
				upsertPrivateSnapshot.run(workshopId, participantId, state, upToId, Date.now()).changes +
				deletePrivateUpdates.run(workshopId, participantId, upToId).changes;
			countBoardChanges(sqlite, rows);
		})
	};
}

/** The snapshot to store when other nodes also write the log: everything stored merged with this node's state. */
function mergedWithStored(stored: StoredBoard, state: Uint8Array, upToId: number) {
	return { state: Y.mergeUpdates([...stored.updates, state]), upToId: Math.max(stored.lastUpdateId, upToId) };
}

function toBytes(buffer: Buffer) {
	return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** The board store of the database in use: SQLite's file, or PostgreSQL's tables when DATABASE_URL says so. */
export function openBoardStore(): BoardStore {
	return usesPostgres() ? new PostgresBoardStore(postgres().pool) : new SqliteBoardStore();
}
