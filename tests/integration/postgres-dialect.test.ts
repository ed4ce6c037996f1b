// The PostgreSQL side of db/ against a real PostgreSQL (its own cluster, whatever database the rest of the run uses):
// two "nodes" (two pools on one database) as two app processes would have them.
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { driverError, isUniqueViolation } from '../../src/lib/server/db';
import { openPostgres } from '../../src/lib/server/db/postgres';
import { startPostgres, type Postgres } from '../helpers/postgres';

let server: Postgres;
let nodeA: ReturnType<typeof openPostgres>;
let nodeB: ReturnType<typeof openPostgres>;

beforeAll(async () => {
	server = await startPostgres();
	const url = await server.createDatabase('dialect');
	const { drizzle } = await import('drizzle-orm/node-postgres');
	const { migrate } = await import('drizzle-orm/node-postgres/migrator');
	const setup = new pg.Pool({ connectionString: url });
	await migrate(drizzle(setup), { migrationsFolder: 'drizzle-pg' });
	await setup.query('SELECT verstas_watch_writes()');
	await setup.query(`INSERT INTO workshops (id, title, theme, join_code) VALUES ('w1', 'Työpaja', 'Arki', 'CCCC3333')`);
	await setup.end();
	nodeA = openPostgres(url);
	nodeB = openPostgres(url);
	for (const node of [nodeA, nodeB]) node.pool.on('error', () => undefined);
});

/** The node's database for the caller: its open transaction when inside one (as db/index.ts's `db` gives it). */
const using = (node: typeof nodeA) => node.current() ?? node.db;

afterAll(async () => {
	await nodeA?.close();
	await nodeB?.close();
	await server?.stop();
});

describe('PostgreSQL in db/', () => {
	it("changes the write generation on every node when any node commits a write, and not for board logs", async () => {
		// The listener connects in the background: its LISTEN is in place once a write made now is heard.
		await vi.waitFor(async () => {
			const before = nodeA.generation.value();
			await nodeB.pool.query(`UPDATE workshops SET description = 'kuultu' WHERE id = 'w1'`);
			await vi.waitFor(() => expect(nodeA.generation.value()).not.toBe(before), { timeout: 500, interval: 5 });
		}, { timeout: 5000 });

		const before = nodeA.generation.value();
		await nodeB.db.transaction(async (tx) => {
			await tx.execute(sql`UPDATE workshops SET title = 'Toinen nimi' WHERE id = 'w1'`);
		});
		await vi.waitFor(() => expect(nodeA.generation.value()).not.toBe(before), { timeout: 2000, interval: 5 });

		// A board's update log is written every second during a workshop: it does not count (as on SQLite).
		const quiet = nodeA.generation.value();
		const client = await nodeB.pool.connect();
		await client.query(`INSERT INTO board_updates (workshop_id, "update") VALUES ('w1', '\\x00')`);
		client.release();
		// Then a write that does count: heard after the board write, so the board write had its chance to be heard.
		await nodeB.pool.query(`UPDATE workshops SET description = 'taas' WHERE id = 'w1'`);
		await vi.waitFor(() => expect(nodeA.generation.value()).not.toBe(quiet), { timeout: 2000, interval: 5 });
		const [ours, theirs] = nodeA.generation.value().split(':').map(Number);
		const [oursBefore, theirsBefore] = quiet.split(':').map(Number);
		expect([ours! - oursBefore!, theirs! - theirsBefore!]).toEqual([0, 1]);
	});

	it("counts this node's own writes at once (its next request must not reuse what it computed before them)", async () => {
		const before = nodeA.generation.value();
		await nodeA.db.execute(sql`UPDATE workshops SET theme = 'Oma kirjoitus' WHERE id = 'w1'`);
		expect(nodeA.generation.value()).not.toBe(before);
	});

	it('runs transactions one at a time across nodes, so read-then-write steps see each other', async () => {
		await nodeA.pool.query(`UPDATE workshops SET calendar_sequence = 0 WHERE id = 'w1'`);
		// Each reads the counter, then writes it back one higher: interleaved they would lose increments.
		const increment = (node: typeof nodeA) =>
			node.db.transaction(async (tx) => {
				const [row] = (await tx.execute<{ n: number }>(sql`SELECT calendar_sequence AS n FROM workshops WHERE id = 'w1'`)).rows;
				await new Promise((resolve) => setImmediate(resolve));
				await tx.execute(sql`UPDATE workshops SET calendar_sequence = ${row!.n + 1} WHERE id = 'w1'`);
			});
		await Promise.all(Array.from({ length: 20 }, (_, index) => increment(index % 2 ? nodeA : nodeB)));
		expect((await nodeA.pool.query(`SELECT calendar_sequence AS n FROM workshops WHERE id = 'w1'`)).rows[0].n).toBe(20);
	});

	it('runs transactions of different scopes side by side; one of the same scope, or one that must run alone, waits', async () => {
		await nodeA.pool.query(`UPDATE workshops SET calendar_sequence = 0 WHERE id = 'w1'`);
		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		let holding!: () => void;
		const locked = new Promise<void>((resolve) => (holding = resolve));
		const order: string[] = [];
		const held = nodeA.transactionWithin(['ballot:r1:p1'], async (tx) => {
			await tx.execute(sql`SELECT 1`);
			holding();
			await gate;
			order.push('p1 first');
		});
		// Its locks are taken before its work starts: only from here on may the others meet them (on a loaded
		// machine nodeA's new connection can be slower than all of nodeB's transactions).
		await locked;
		// Another voter's ballot, on the other node, commits while the first is still open.
		await nodeB.transactionWithin(['ballot:r1:p2'], async (tx) => {
			await tx.execute(sql`UPDATE workshops SET calendar_sequence = calendar_sequence + 1 WHERE id = 'w1'`);
			order.push('p2');
		});
		const sameScope = nodeB.transactionWithin(['ballot:r1:p1'], async () => void order.push('p1 again'));
		const alone = nodeB.db.transaction(async () => void order.push('alone'));
		try {
			// Both are waiting for a lock the first one holds (what PostgreSQL itself says), not merely slow.
			await vi.waitFor(async () => {
				const { rows } = await nodeA.pool.query(`SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
				expect(rows[0].n).toBe(2);
			}, { timeout: 5000, interval: 10 });
			expect(order).toEqual(['p2']);
		} finally {
			// Also on failure: the open transaction would hold its locks against the tests after this one.
			release();
		}
		await Promise.all([held, sameScope, alone]);
		expect(order[1]).toBe('p1 first');
		expect(order.slice(2).sort()).toEqual(['alone', 'p1 again']);
	});

	it('keeps read-then-write steps of one scope one at a time across nodes, and refuses work that must run alone inside a scope', async () => {
		await nodeA.pool.query(`UPDATE workshops SET calendar_sequence = 0 WHERE id = 'w1'`);
		const increment = (node: typeof nodeA) =>
			node.transactionWithin(['ballot:r1:p3'], async (tx) => {
				const [row] = (await tx.execute<{ n: number }>(sql`SELECT calendar_sequence AS n FROM workshops WHERE id = 'w1'`)).rows;
				await new Promise((resolve) => setImmediate(resolve));
				await tx.execute(sql`UPDATE workshops SET calendar_sequence = ${row!.n + 1} WHERE id = 'w1'`);
			});
		await Promise.all(Array.from({ length: 20 }, (_, index) => increment(index % 2 ? nodeA : nodeB)));
		expect((await nodeA.pool.query(`SELECT calendar_sequence AS n FROM workshops WHERE id = 'w1'`)).rows[0].n).toBe(20);

		await expect(nodeA.transactionWithin(['ballot:r1:p3'], () => using(nodeA).transaction(async () => undefined))).rejects.toThrow(/cannot open another/);
	});

	it('takes several scopes in one order, whatever order they are named in: crossing transactions on two nodes never deadlock', async () => {
		await nodeA.pool.query(`UPDATE workshops SET calendar_sequence = 0 WHERE id = 'w1'`);
		const voters = ['ballot:r2:p1', 'ballot:r2:p2', 'ballot:r2:p3', 'ballot:r2:p4'];
		const increment = (node: typeof nodeA, scopes: string[]) =>
			node.transactionWithin(scopes, async (tx) => {
				const [row] = (await tx.execute<{ n: number }>(sql`SELECT calendar_sequence AS n FROM workshops WHERE id = 'w1'`)).rows;
				await new Promise((resolve) => setTimeout(resolve, 2));
				await tx.execute(sql`UPDATE workshops SET calendar_sequence = ${row!.n + 1} WHERE id = 'w1'`);
			});
		// Every transaction shares p2 with every other, so they run one at a time; half name the scopes backwards.
		await Promise.all(
			Array.from({ length: 20 }, (_, index) => {
				const scopes = index % 2 ? voters : [...voters].reverse();
				return increment(index % 4 < 2 ? nodeA : nodeB, index % 3 ? scopes : ['ballot:r2:p2']);
			})
		);
		expect((await nodeA.pool.query(`SELECT calendar_sequence AS n FROM workshops WHERE id = 'w1'`)).rows[0].n).toBe(20);
	});

	it('makes a transaction opened inside another a savepoint: its failure rolls back only its own writes', async () => {
		await nodeA.db.transaction(async () => {
			await using(nodeA).execute(sql`UPDATE workshops SET location = 'Kirjasto' WHERE id = 'w1'`);
			await expect(
				using(nodeA).transaction(async () => {
					await using(nodeA).execute(sql`UPDATE workshops SET location = 'Nuorisotila' WHERE id = 'w1'`);
					throw new Error('peruttu');
				})
			).rejects.toThrow('peruttu');
			// `db` inside the transaction is the transaction: it sees its own uncommitted write.
			expect((await using(nodeA).execute<{ location: string }>(sql`SELECT location FROM workshops WHERE id = 'w1'`)).rows[0]!.location).toBe('Kirjasto');
		});
		expect((await nodeB.pool.query(`SELECT location FROM workshops WHERE id = 'w1'`)).rows[0].location).toBe('Kirjasto');
	});

	it("recognises PostgreSQL's unique violations by table and column", async () => {
		const error = await nodeA.db.execute(sql`INSERT INTO workshops (id, title, theme, join_code) VALUES ('w2', 'T', 'T', 'CCCC3333')`).catch((caught) => caught);
		expect((driverError(error) as { code?: string }).code).toBe('23505');
		expect(isUniqueViolation(error, 'workshops', 'join_code')).toBe(true);
		expect(isUniqueViolation(error, 'users', 'email')).toBe(false);
	});
});
