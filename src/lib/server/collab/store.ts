// Durable storage of a board: an append-only log of Yjs updates plus a compacted snapshot.
// Shared with the WebSocket upgrade path: no $app or $env imports, relative imports only.
import type Database from 'better-sqlite3';
import * as Y from 'yjs';
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
	load(workshopId: string): StoredBoard;
	/** Appends the updates in one transaction and returns the id of the last one. */
	append(workshopId: string, updates: readonly Uint8Array[]): number;
	/**
	 * Replaces the snapshot with `state` and drops the logged updates it covers (id ≤ upToId). With `mergeStored`
	 * (several nodes write the log), the stored snapshot and log up to there are merged into the new snapshot: an
	 * update another node logged below upToId may not have reached this node's `state` yet.
	 */
	compact(workshopId: string, state: Uint8Array, upToId: number, mergeStored?: boolean): void;
	/** Room names of the workshop's stored private documents (`${workshopId}.private.${participantId}`). */
	privateRooms?(workshopId: string): string[];
}

/**
 * The board tables of the app's SQLite database (board_updates, board_snapshots), through prepared statements.
 * Private rooms (`${workshopId}.private.${participantId}`) go to private_board_updates/private_board_snapshots.
 */
export class SqliteBoardStore implements BoardStore {
	#private;
	#selectPrivateRooms;

	#selectSnapshot;
	#selectUpdates;
	#insertUpdate;
	#upsertSnapshot;
	#deleteUpdates;
	#append;
	#compact;

	constructor(sqlite: Database.Database) {
		this.#selectSnapshot = sqlite.prepare<[string], { state: Buffer; last_update_id: number }>(
			'SELECT state, last_update_id FROM board_snapshots WHERE workshop_id = ?'
		);
		this.#selectUpdates = sqlite.prepare<[string, number], { id: number; update: Buffer }>(
			'SELECT id, "update" FROM board_updates WHERE workshop_id = ? AND id > ? ORDER BY id'
		);
		this.#insertUpdate = sqlite.prepare<[string, Uint8Array]>('INSERT INTO board_updates (workshop_id, "update") VALUES (?, ?)');
		this.#upsertSnapshot = sqlite.prepare<[string, Uint8Array, number, number]>(
			`INSERT INTO board_snapshots (workshop_id, state, last_update_id, updated_at) VALUES (?, ?, ?, ?)
			 ON CONFLICT (workshop_id) DO UPDATE SET state = excluded.state, last_update_id = excluded.last_update_id,
			 updated_at = excluded.updated_at`
		);
		this.#deleteUpdates = sqlite.prepare<[string, number]>('DELETE FROM board_updates WHERE workshop_id = ? AND id <= ?');
		this.#append = sqlite.transaction((workshopId: string, updates: readonly Uint8Array[]) => {
			let last = 0;
			for (const update of updates) last = Number(this.#insertUpdate.run(workshopId, update).lastInsertRowid);
			countBoardChanges(sqlite, updates.length);
			return last;
		});
		this.#compact = sqlite.transaction((workshopId: string, state: Uint8Array, upToId: number, mergeStored: boolean) => {
			if (mergeStored) ({ state, upToId } = mergedWithStored(this.load(workshopId), state, upToId));
			const rows = this.#upsertSnapshot.run(workshopId, state, upToId, Date.now()).changes + this.#deleteUpdates.run(workshopId, upToId).changes;
			countBoardChanges(sqlite, rows);
		});
		this.#private = new PrivateBoardStore(sqlite);
		this.#selectPrivateRooms = sqlite.prepare<[string, string], { participant_id: string }>(
			`SELECT participant_id FROM private_board_updates WHERE workshop_id = ?
			 UNION SELECT participant_id FROM private_board_snapshots WHERE workshop_id = ?`
		);
	}

	privateRooms(workshopId: string) {
		return this.#selectPrivateRooms.all(workshopId, workshopId).map((row) => privateRoomName(workshopId, row.participant_id));
	}

	load(name: string): StoredBoard {
		const { workshopId, privateOf } = parseRoomName(name);
		if (privateOf !== null) return this.#private.load(workshopId, privateOf);
		const snapshot = this.#selectSnapshot.get(workshopId);
		const snapshotUpdateId = snapshot?.last_update_id ?? 0;
		const rows = this.#selectUpdates.all(workshopId, snapshotUpdateId);
		return {
			updates: [...(snapshot ? [toBytes(snapshot.state)] : []), ...rows.map((row) => toBytes(row.update))],
			lastUpdateId: rows.length ? rows[rows.length - 1]!.id : snapshotUpdateId,
			snapshotUpdateId
		};
	}

	append(name: string, updates: readonly Uint8Array[]): number {
		const { workshopId, privateOf } = parseRoomName(name);
		if (privateOf !== null) return this.#private.append(workshopId, privateOf, updates);
		return this.#append.immediate(workshopId, updates);
	}

	compact(name: string, state: Uint8Array, upToId: number, mergeStored = false) {
		const { workshopId, privateOf } = parseRoomName(name);
		if (privateOf !== null) return this.#private.compact(workshopId, privateOf, state, upToId, mergeStored);
		this.#compact.immediate(workshopId, state, upToId, mergeStored);
	}
}

/** The same log + snapshot scheme for private documents, keyed by (workshop, participant). */
class PrivateBoardStore {
	#selectSnapshot;
	#selectUpdates;
	#append;
	#compact;

	constructor(sqlite: Database.Database) {
		this.#selectSnapshot = sqlite.prepare<[string, string], { state: Buffer; last_update_id: number }>(
			'SELECT state, last_update_id FROM private_board_snapshots WHERE workshop_id = ? AND participant_id = ?'
		);
		this.#selectUpdates = sqlite.prepare<[string, string, number], { id: number; update: Buffer }>(
			'SELECT id, "update" FROM private_board_updates WHERE workshop_id = ? AND participant_id = ? AND id > ? ORDER BY id'
		);
		const insertUpdate = sqlite.prepare<[string, string, Uint8Array]>(
			'INSERT INTO private_board_updates (workshop_id, participant_id, "update") VALUES (?, ?, ?)'
		);
		const upsertSnapshot = sqlite.prepare<[string, string, Uint8Array, number, number]>(
			`INSERT INTO private_board_snapshots (workshop_id, participant_id, state, last_update_id, updated_at) VALUES (?, ?, ?, ?, ?)
			 ON CONFLICT (workshop_id, participant_id) DO UPDATE SET state = excluded.state,
			 last_update_id = excluded.last_update_id, updated_at = excluded.updated_at`
		);
		const deleteUpdates = sqlite.prepare<[string, string, number]>(
			'DELETE FROM private_board_updates WHERE workshop_id = ? AND participant_id = ? AND id <= ?'
		);
		this.#append = sqlite.transaction((workshopId: string, participantId: string, updates: readonly Uint8Array[]) => {
			let last = 0;
			for (const update of updates) last = Number(insertUpdate.run(workshopId, participantId, update).lastInsertRowid);
			countBoardChanges(sqlite, updates.length);
			return last;
		});
		this.#compact = sqlite.transaction((workshopId: string, participantId: string, state: Uint8Array, upToId: number, mergeStored: boolean) => {
			if (mergeStored) ({ state, upToId } = mergedWithStored(this.load(workshopId, participantId), state, upToId));
			const rows =
				upsertSnapshot.run(workshopId, participantId, state, upToId, Date.now()).changes + deleteUpdates.run(workshopId, participantId, upToId).changes;
			countBoardChanges(sqlite, rows);
		});
	}

	load(workshopId: string, participantId: string): StoredBoard {
		const snapshot = this.#selectSnapshot.get(workshopId, participantId);
		const snapshotUpdateId = snapshot?.last_update_id ?? 0;
		const rows = this.#selectUpdates.all(workshopId, participantId, snapshotUpdateId);
		return {
			updates: [...(snapshot ? [toBytes(snapshot.state)] : []), ...rows.map((row) => toBytes(row.update))],
			lastUpdateId: rows.length ? rows[rows.length - 1]!.id : snapshotUpdateId,
			snapshotUpdateId
		};
	}

	append(workshopId: string, participantId: string, updates: readonly Uint8Array[]) {
		return this.#append.immediate(workshopId, participantId, updates);
	}

	compact(workshopId: string, participantId: string, state: Uint8Array, upToId: number, mergeStored: boolean) {
		this.#compact.immediate(workshopId, participantId, state, upToId, mergeStored);
	}
}

/** The snapshot to store when other nodes also write the log: everything stored merged with this node's state. */
function mergedWithStored(stored: StoredBoard, state: Uint8Array, upToId: number) {
	return { state: Y.mergeUpdates([...stored.updates, state]), upToId: Math.max(stored.lastUpdateId, upToId) };
}

function toBytes(buffer: Buffer) {
	return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
