// Durable storage of boards on PostgreSQL (DATABASE_URL=postgres://…): the same tables and semantics as
// SqliteBoardStore (store.ts): an append-only log of Yjs updates plus a compacted snapshot, private rooms
// (`${workshopId}.private.${participantId}`) in private_board_updates/private_board_snapshots.
// Shared with the WebSocket upgrade path: no $app or $env imports, relative imports only.
import type pg from 'pg';
import * as Y from 'yjs';
import { parseRoomName, privateRoomName } from './live-state';
import type { BoardStore, StoredBoard } from './store';

/** First key of the per-workshop advisory locks (the second is the workshop id's hash). */
const boardLockClass = 0x426f617264 & 0x7fffffff; // "Board"

/**
 * Board tables on PostgreSQL, through the app's pool (its own connections per call: the board log is not part of
 * any domain transaction, and its writes do not count as the app's write generation, as on SQLite).
 *
 * Ids are strictly increasing per workshop in commit order: an append takes the workshop's advisory lock before
 * its ids are drawn and holds it until commit, so an update committed later (on any node) never has a smaller id
 * than one another node has already read, and catch-up after the last id read never misses one. Compaction takes
 * the same lock, so no append commits below its `upToId` while it folds and deletes.
 */
export class PostgresBoardStore implements BoardStore {
	#pool: pg.Pool;

	constructor(pool: pg.Pool) {
		this.#pool = pool;
	}

	async privateRooms(workshopId: string) {
		const { rows } = await this.#pool.query<{ participant_id: string }>(
			`SELECT participant_id FROM private_board_updates WHERE workshop_id = $1
			 UNION SELECT participant_id FROM private_board_snapshots WHERE workshop_id = $1`,
			[workshopId]
		);
		return rows.map((row) => privateRoomName(workshopId, row.participant_id));
	}

	async load(name: string): Promise<StoredBoard> {
		// One snapshot of the database for both reads: a compaction committing between them would otherwise leave
		// the old snapshot with its updates deleted.
		const client = await this.#pool.connect();
		try {
			await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
			const board = await loadBoard(client, name);
			await client.query('COMMIT');
			return board;
		} catch (error) {
			await client.query('ROLLBACK').catch(() => undefined);
			throw error;
		} finally {
			client.release();
		}
	}

	async append(name: string, updates: readonly Uint8Array[]): Promise<number> {
		if (!updates.length) return 0;
		const { workshopId, privateOf } = parseRoomName(name);
		// One statement, so one round trip (B1 on PostgreSQL: every flush of a busy board waits for it): its implicit
		// transaction takes the workshop's lock before any id is drawn and holds it until it commits (see above).
		const [table, owner, key] =
			privateOf === null ? ['board_updates', 'workshop_id', [workshopId]] : ['private_board_updates', 'workshop_id, participant_id', [workshopId, privateOf]];
		const n = key.length;
		const client = await this.#pool.connect();
		try {
			const { rows } = await client.query<{ id: number }>(
				`INSERT INTO ${table} (${owner}, "update")
				 SELECT ${key.map((_, index) => `$${index + 1}`).join(', ')}, given.bytes
				 FROM (SELECT pg_advisory_xact_lock(${boardLockClass}, hashtext($1))) AS locked, unnest($${n + 1}::bytea[]) WITH ORDINALITY AS given(bytes, position)
				 ORDER BY given.position
				 RETURNING id`,
				[...key, updates.map(toBuffer)]
			);
			return Math.max(...rows.map((row) => Number(row.id)));
		} finally {
			client.release();
		}
	}

	async compact(name: string, state: Uint8Array, upToId: number, mergeStored = false): Promise<void> {
		const { workshopId, privateOf } = parseRoomName(name);
		await this.#transaction(workshopId, async (client) => {
			if (mergeStored) ({ state, upToId } = mergedWithStored(await loadBoard(client, name), state, upToId));
			if (privateOf === null) {
				await client.query(
					`INSERT INTO board_snapshots (workshop_id, state, last_update_id, updated_at) VALUES ($1, $2, $3, now())
					 ON CONFLICT (workshop_id) DO UPDATE SET state = excluded.state, last_update_id = excluded.last_update_id, updated_at = excluded.updated_at`,
					[workshopId, toBuffer(state), upToId]
				);
				await client.query('DELETE FROM board_updates WHERE workshop_id = $1 AND id <= $2', [workshopId, upToId]);
			} else {
				await client.query(
					`INSERT INTO private_board_snapshots (workshop_id, participant_id, state, last_update_id, updated_at) VALUES ($1, $2, $3, $4, now())
					 ON CONFLICT (workshop_id, participant_id) DO UPDATE SET state = excluded.state, last_update_id = excluded.last_update_id, updated_at = excluded.updated_at`,
					[workshopId, privateOf, toBuffer(state), upToId]
				);
				await client.query('DELETE FROM private_board_updates WHERE workshop_id = $1 AND participant_id = $2 AND id <= $3', [workshopId, privateOf, upToId]);
			}
		});
	}

	/** One transaction holding the workshop's lock (see the class comment). */
	async #transaction<T>(workshopId: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
		const client = await this.#pool.connect();
		try {
			await client.query('BEGIN');
			await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [boardLockClass, workshopId]);
			const result = await work(client);
			await client.query('COMMIT');
			return result;
		} catch (error) {
			await client.query('ROLLBACK').catch(() => undefined);
			throw error;
		} finally {
			client.release();
		}
	}
}

async function loadBoard(client: pg.PoolClient, name: string): Promise<StoredBoard> {
	const { workshopId, privateOf } = parseRoomName(name);
	const key = privateOf === null ? [workshopId] : [workshopId, privateOf];
	const owner = privateOf === null ? 'workshop_id = $1' : 'workshop_id = $1 AND participant_id = $2';
	const table = privateOf === null ? 'board' : 'private_board';
	const snapshot = (
		await client.query<{ state: Buffer; last_update_id: number }>(`SELECT state, last_update_id FROM ${table}_snapshots WHERE ${owner}`, key)
	).rows[0];
	const snapshotUpdateId = Number(snapshot?.last_update_id ?? 0);
	const { rows } = await client.query<{ id: number; update: Buffer }>(
		`SELECT id, "update" FROM ${table}_updates WHERE ${owner} AND id > $${key.length + 1} ORDER BY id`,
		[...key, snapshotUpdateId]
	);
	return {
		updates: [...(snapshot ? [toBytes(snapshot.state)] : []), ...rows.map((row) => toBytes(row.update))],
		lastUpdateId: rows.length ? Number(rows[rows.length - 1]!.id) : snapshotUpdateId,
		snapshotUpdateId
	};
}

/** The snapshot to store when other nodes also write the log: everything stored merged with this node's state. */
function mergedWithStored(stored: StoredBoard, state: Uint8Array, upToId: number) {
	return { state: Y.mergeUpdates([...stored.updates, state]), upToId: Math.max(stored.lastUpdateId, upToId) };
}

function toBuffer(bytes: Uint8Array) {
	return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function toBytes(buffer: Buffer) {
	return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
