// Backups (issue 17): `npm run backup` while a live room writes and votes, `npm run restore` into a stopped instance,
// and the server's scheduled backups. The real scripts, the production server, real board clients.
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNote, notesOf } from '../../src/lib/board/model';
import { openRound } from '../../src/lib/server/voting';
import { authorOf, connectBoard, newGuest, newUser, newWorkshop, synced, waitFor, type BoardClient } from '../helpers/collab';
import { postAction, projectRoot, startProductionServer, type RunningServer } from '../helpers/server';

const run = promisify(execFile);
const script = (name: string) => join(projectRoot, 'scripts', name);
/** Runs `npm run backup|restore` as an operator would (the scripts npm runs), against the database `databasePath`. */
const npmScript = (name: 'backup' | 'restore', databasePath: string, ...args: string[]) =>
	run(process.execPath, [script(`${name}.js`), ...args], { cwd: projectRoot, env: { ...process.env, DATABASE_PATH: databasePath } });
const failureOf = (promise: Promise<unknown>) =>
	promise.then(
		() => null,
		(error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr })
	);

let dir: string;
beforeAll(() => {
	dir = mkdtempSync(join(tmpdir(), 'verstas-backup-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('backup and restore', () => {
	let server: RunningServer;
	const clients: BoardClient[] = [];
	afterAll(async () => {
		for (const client of clients) client.destroy();
		await server?.stop();
	});

	it('a backup taken while 20 people write and vote restores to a working instance with everything acknowledged before it', async () => {
		process.setMaxListeners(100);
		const live = process.env.DATABASE_PATH!;
		server = await startProductionServer({ env: { DATABASE_PATH: live } });
		const owner = await newUser('Varmistaja');
		const workshop = await newWorkshop(owner.id, 'Varmuuskopioitu työpaja');
		const items = ['a', 'b', 'c'].map((id) => ({ id, kind: 'idea' as const, text: `Idea ${id}` }));
		const round = await openRound(workshop.id, { method: 'dot', items, budget: 3, cap: 3 }, owner.id);
		const people = await Promise.all(Array.from({ length: 20 }, (_, i) => newGuest(workshop.id, `Osallistuja ${i}`)));
		const watcher = connectBoard(server.url, workshop.id, { cookie: owner.cookie, name: 'watcher' });
		clients.push(watcher, ...people.map((person) => connectBoard(server.url, workshop.id, { cookie: person.cookie, name: person.name })));
		await synced(...clients);

		// Everyone writes a note every ~15 ms and votes now and then until told to stop. A note counts as acknowledged
		// once another client has it (the server saves before it sends); a vote once its answer says so.
		const acknowledgedNotes = new Set<string>();
		const acknowledgedVotes: { voter: string; item: string }[] = [];
		notesOf(watcher.doc).observe((event) => {
			for (const key of event.keysChanged) acknowledgedNotes.add(key);
		});
		let writing = true;
		let written = 0;
		const writers = people.map(async (person, i) => {
			const client = clients[i + 1]!;
			for (let n = 0; writing && n < 2000; n++) {
				addNote(client.doc, { text: `${person.name}: ajatus ${n}`, lane: 'a', author: authorOf(person), id: `p${i}-n${n}` });
				written++;
				if (n % 10 === 3 && n < 30) {
					const item = items[(i + n) % items.length]!.id;
					const answer = await postAction(server.url, `/workshops/${workshop.id}/board?/vote`, person.cookie, {
						roundId: round.id,
						itemId: item,
						delta: '1',
						requestId: `${i}-${n}`
					});
					if (answer.type === 'success') acknowledgedVotes.push({ voter: person.id, item });
				}
				await new Promise((resolve) => setTimeout(resolve, 15));
			}
		});
		await waitFor(() => acknowledgedNotes.size >= 100 && acknowledgedVotes.length >= 20, 'the room at work', 15_000);

		const notesBefore = new Set(acknowledgedNotes);
		const votesBefore = [...acknowledgedVotes];
		const { stdout } = await npmScript('backup', live, join(dir, 'backups'));
		const writtenDuringBackup = written;
		writing = false;
		await Promise.all(writers);
		expect(stdout).toMatch(/backup written to .*verstas-.*\.db/);
		const [backupFile, ...others] = readdirSync(join(dir, 'backups'));
		expect(others).toEqual([]);
		expect(backupFile).toMatch(/^verstas-.*\.db$/);

		// Restoring under a running server is refused, and changes nothing.
		const refused = await failureOf(npmScript('restore', live, join(dir, 'backups', backupFile!)));
		expect(refused?.code).toBe(1);
		expect(refused?.stderr).toMatch(/running .*stop it before restoring/);

		// Into a stopped instance (a new one here; the next test restores over an existing database).
		const restoredPath = join(dir, 'restored', 'verstas.db');
		const { stdout: restoreOut } = await npmScript('restore', restoredPath, join(dir, 'backups', backupFile!));
		expect(restoreOut).toMatch(/restored from/);

		const restored = await startProductionServer({ env: { DATABASE_PATH: restoredPath } });
		try {
			const reader = connectBoard(restored.url, workshop.id, { cookie: owner.cookie, name: 'reader' });
			clients.push(reader);
			await synced(reader);
			const restoredNotes = new Set(notesOf(reader.doc).keys());
			const missing = [...notesBefore].filter((id) => !restoredNotes.has(id));
			expect(missing, 'notes acknowledged before the backup and missing after the restore').toEqual([]);
			expect(restoredNotes.size).toBeLessThanOrEqual(writtenDuringBackup);

			const db = new Database(restoredPath, { readonly: true });
			const votes = db.prepare('SELECT voter_id AS voter, item_id AS item, points FROM votes WHERE round_id = ?').all(round.id) as { voter: string; item: string; points: number }[];
			db.close();
			for (const vote of votesBefore) {
				expect(votes.some((row) => row.voter === vote.voter && row.item === vote.item), `vote of ${vote.voter} for ${vote.item}`).toBe(true);
			}
			// The restored instance works: a new note is saved and served.
			addNote(reader.doc, { text: 'palautuksen jälkeen', lane: 'a', author: authorOf(owner), id: 'after-restore' });
			const second = connectBoard(restored.url, workshop.id, { cookie: people[0]!.cookie, name: 'second' });
			clients.push(second);
			await waitFor(() => notesOf(second.doc).has('after-restore'), 'a note written after the restore');
		} finally {
			await restored.stop();
		}
		console.log(
			`backup under load: ${notesBefore.size} notes and ${votesBefore.length} votes acknowledged before it, ${writtenDuringBackup} notes written by its end`
		);
	}, 60_000);

	it('restore checks the file first: a damaged or foreign file is refused and the database is left as it was', async () => {
		const target = join(dir, 'checked', 'verstas.db');
		const source = new Database(process.env.DATABASE_PATH!, { readonly: true });
		await source.backup(join(dir, 'good.db'));
		source.close();
		await npmScript('restore', target, join(dir, 'good.db'));
		const before = new Database(target, { readonly: true });
		const usersBefore = (before.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
		before.close();

		writeFileSync(join(dir, 'notes.txt'), 'not a database at all');
		const foreign = new Database(join(dir, 'foreign.db'));
		foreign.exec('CREATE TABLE t (x)');
		foreign.close();
		copyFileSync(join(dir, 'good.db'), join(dir, 'damaged.db'));
		const damaged = new Database(join(dir, 'damaged.db'));
		// A table's pages overwritten in the middle: SQLite's integrity check finds it.
		const page = damaged.pragma('page_size', { simple: true }) as number;
		damaged.close();
		const fd = openSync(join(dir, 'damaged.db'), 'r+');
		writeSync(fd, Buffer.alloc(page * 4, 0x41), 0, page * 4, page * 3);
		closeSync(fd);

		for (const [file, reason] of [
			['notes.txt', /not a readable SQLite database|integrity/],
			['foreign.db', /not a Verstas database/],
			['damaged.db', /integrity|malformed|not a readable/],
			['missing.db', /does not exist/]
		] as const) {
			const failure = await failureOf(npmScript('restore', target, join(dir, file)));
			expect(failure?.code, file).toBe(1);
			expect(failure?.stderr, file).toMatch(reason);
		}
		const after = new Database(target, { readonly: true });
		expect((after.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n).toBe(usersBefore);
		after.close();
		expect(existsSync(`${target}.restoring`)).toBe(false);

		// A good file over an existing database: the one it replaces is kept beside it, whole.
		const { stdout } = await npmScript('restore', target, join(dir, 'good.db'));
		const keptAs = /kept as (\S+)\./.exec(stdout)?.[1];
		expect(keptAs).toMatch(/verstas\.db\.before-restore-/);
		const kept = new Database(keptAs!, { readonly: true });
		expect(kept.pragma('integrity_check', { simple: true })).toBe('ok');
		expect((kept.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n).toBe(usersBefore);
		kept.close();
	});

	it('the server backs up on its own schedule and keeps the newest N', async () => {
		const folder = join(dir, 'scheduled');
		const scheduled = await startProductionServer({
			// 0.0003 h ≈ 1.1 s between backups, for the test.
			env: { DATABASE_PATH: process.env.DATABASE_PATH!, VERSTAS_BACKUP_INTERVAL_HOURS: '0.0003', VERSTAS_BACKUP_DIR: folder, VERSTAS_BACKUP_KEEP: '2' }
		});
		try {
			await waitFor(() => (scheduled.output().match(/backup written to/g) ?? []).length >= 3, 'three scheduled backups', 20_000, 100);
			const files = readdirSync(folder);
			expect(files.filter((name) => /^verstas-.*\.db$/.test(name))).toHaveLength(2);
			expect(files.filter((name) => name.endsWith('.partial'))).toEqual([]);
		} finally {
			await scheduled.stop();
		}
		const badSetting = await startProductionServer({ env: { DATABASE_PATH: process.env.DATABASE_PATH!, VERSTAS_BACKUP_KEEP: 'many' } }).catch(
			(error: { output: string }) => error.output
		);
		expect(badSetting).toMatch(/VERSTAS_BACKUP_KEEP must be a whole number/);
	}, 40_000);
});
