// The asynchronous database on SQLite's one connection (src/lib/server/db/index.ts): a transaction's steps interleave
// with other requests' at every await, and nothing of theirs may run inside it.
import { eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { db, first, preparedOnce, rawAll, usesPostgres } from '../../src/lib/server/db';
import { organisations } from '../../src/lib/server/db/schema';

const organisation = (id: string) => ({ id, name: `Järjestö ${id}`, kind: 'ngo' as const, municipality: 'Helsinki' });
const stored = async (ids: string[]) =>
	(await db.select({ id: organisations.id }).from(organisations).where(inArray(organisations.id, ids))).map((row) => row.id).sort();

describe('transactions on the asynchronous database', () => {
	it('keeps another request’s write out of an open transaction: the rollback takes only its own rows', async () => {
		const ids = ['tx-rolled-back', 'outside-write', 'outside-raw'];
		const failing = db.transaction(async (tx) => {
			await tx.insert(organisations).values(organisation('tx-rolled-back'));
			// Steps of the transaction still to come: the writes below are started while it is open.
			await first(tx.select().from(organisations).where(eq(organisations.id, 'tx-rolled-back')));
			await tx.select().from(organisations);
			throw new Error('the request failed');
		});
		const outside = db.insert(organisations).values(organisation('outside-write'));
		const raw = rawAll("INSERT INTO organisations (id, name, kind, municipality) VALUES ('outside-raw', 'Raaka', 'ngo', 'Helsinki') RETURNING id");
		await expect(failing).rejects.toThrow('the request failed');
		await outside;
		await raw;
		expect(await stored(ids)).toEqual(['outside-raw', 'outside-write']);
	});

	it('runs concurrent transactions one after another, each whole', async () => {
		const results = await Promise.allSettled(
			Array.from({ length: 10 }, (_, i) =>
				db.transaction(async (tx) => {
					await tx.insert(organisations).values(organisation(`concurrent-${i}-a`));
					await tx.select().from(organisations);
					await tx.insert(organisations).values(organisation(`concurrent-${i}-b`));
					if (i % 2) throw new Error(`transaction ${i} fails`);
				})
			)
		);
		expect(results.map((result) => result.status)).toEqual(Array.from({ length: 10 }, (_, i) => (i % 2 ? 'rejected' : 'fulfilled')));
		const all = Array.from({ length: 10 }, (_, i) => [`concurrent-${i}-a`, `concurrent-${i}-b`]).flat();
		expect(await stored(all)).toEqual(all.filter((id) => Number(id.split('-')[1]) % 2 === 0).sort());
	});

	it('a transaction opened inside another is a savepoint: its failure undoes only its own rows', async () => {
		await db.transaction(async (tx) => {
			await tx.insert(organisations).values(organisation('outer'));
			await expect(
				db.transaction(async (inner) => {
					await inner.insert(organisations).values(organisation('inner'));
					throw new Error('inner fails');
				})
			).rejects.toThrow('inner fails');
		});
		expect(await stored(['outer', 'inner'])).toEqual(['outer']);
	});

	it('a query prepared once is reused; on PostgreSQL the server keeps it prepared under its name', async () => {
		await db.insert(organisations).values(organisation('prepared-once'));
		const byId = preparedOnce((database) => database.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, sql.placeholder('id'))).prepare());
		await db.transaction(async () => {
			// Inside a transaction the query runs on the transaction's own connection: what that connection has prepared.
			const [built, again] = [byId(), byId()];
			expect(again).toBe(built);
			expect(await built.execute({ id: 'prepared-once' })).toEqual([{ name: 'Järjestö prepared-once' }]);
			if (usesPostgres()) {
				const prepared = await rawAll<{ statement: string }>("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'verstas\\_%'");
				expect(prepared.map((row) => row.statement)).toContainEqual(expect.stringContaining('from "organisations" where "organisations"."id" = $1'));
			}
		});
	});
});
