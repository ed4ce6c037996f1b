// Backups of the SQLite database: online snapshots through SQLite's backup API (consistent while the server writes),
// scheduled backups in the server process, and a checked restore into a stopped instance. Plain JavaScript: used by
// server/app.js and by the `npm run backup` / `npm run restore` scripts, neither of which goes through the build.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const prefix = 'verstas-';
const suffix = '.db';
// better-sqlite3 copies this many pages per step: all of them.
const allPages = 0x7fffffff;

export function databasePath() {
	return resolve(process.env.DATABASE_PATH || 'data/verstas.db');
}

/** Where backups go unless told: a `backups` folder beside the database. */
export function defaultBackupFolder(database = databasePath()) {
	return join(dirname(database), 'backups');
}

/** Reads the backup settings; a setting that is not a whole number is an error the operator sees at start-up. */
export function backupSettingsFromEnv(env = process.env) {
	const number = (/** @type {string} */ name, /** @type {number} */ fallback, /** @type {boolean} */ whole) => {
		const raw = env[name];
		if (raw === undefined || raw === '') return fallback;
		const value = Number(raw);
		if (!Number.isFinite(value) || value < 0 || (whole && !Number.isInteger(value))) {
			throw new Error(`${name} must be a ${whole ? 'whole ' : ''}number ≥ 0 (got "${raw}")`);
		}
		return value;
	};
	return {
		// Hours, fractions allowed (0.25: every 15 minutes); 0 turns scheduled backups off.
		intervalHours: number('VERSTAS_BACKUP_INTERVAL_HOURS', 0, false),
		keep: Math.max(1, number('VERSTAS_BACKUP_KEEP', 7, true)),
		folder: resolve(env.VERSTAS_BACKUP_DIR || defaultBackupFolder())
	};
}

/**
 * Writes a snapshot of `sqlite` into `folder` and returns its path. The whole file is copied in one step of the backup
 * API, that is in one read transaction: another process writing meanwhile (WAL) is neither blocked nor able to make
 * the copy start over. Written under a temporary name and renamed when complete, so a backup that was cut off never
 * looks like a whole one.
 * @param {import('better-sqlite3').Database} sqlite @param {string} folder @param {Date} [now]
 */
export async function backupDatabase(sqlite, folder, now = new Date()) {
	mkdirSync(folder, { recursive: true });
	const stamp = now.toISOString().replace(/[:.]/g, '-');
	let file = join(folder, `${prefix}${stamp}${suffix}`);
	for (let n = 2; existsSync(file); n++) file = join(folder, `${prefix}${stamp}-${n}${suffix}`);
	const partial = `${file}.partial`;
	rmSync(partial, { force: true });
	try {
		await sqlite.backup(partial, { progress: () => allPages });
		renameSync(partial, file);
	} catch (error) {
		rmSync(partial, { force: true });
		throw error;
	}
	return file;
}

/** The backups in `folder`, newest first. @param {string} folder */
export function listBackups(folder) {
	if (!existsSync(folder)) return [];
	return readdirSync(folder)
		.filter((name) => name.startsWith(prefix) && name.endsWith(suffix))
		.map((name) => join(folder, name))
		.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs || b.localeCompare(a));
}

/** Deletes all but the newest `keep` backups; returns the deleted paths. @param {string} folder @param {number} keep */
export function pruneBackups(folder, keep) {
	const old = listBackups(folder).slice(Math.max(1, keep));
	for (const file of old) rmSync(file, { force: true });
	return old;
}

/** The migrations this version of Verstas knows (drizzle's journal beside the code). */
function knownMigrations() {
	const journal = JSON.parse(readFileSync(new URL('../drizzle/meta/_journal.json', import.meta.url), 'utf8'));
	return /** @type {{ when: number }[]} */ (journal.entries);
}

/**
 * Checks that `file` is a whole, uncorrupted Verstas database this version can run: SQLite's integrity check, the
 * migration table, and no migration newer than this version knows. Returns a list of problems (empty when fine).
 * @param {string} file
 */
export function checkBackup(file) {
	if (!existsSync(file)) return [`${file} does not exist`];
	/** @type {string[]} */
	const problems = [];
	let sqlite;
	try {
		sqlite = new Database(file, { readonly: true, fileMustExist: true });
		const integrity = sqlite.pragma('integrity_check', { simple: true });
		if (integrity !== 'ok') problems.push(`SQLite's integrity check failed: ${integrity}`);
		const hasMigrations = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
		if (!hasMigrations) problems.push('not a Verstas database (no migration table)');
		else {
			const latest = /** @type {{ latest: number | null }} */ (sqlite.prepare('SELECT max(created_at) AS latest FROM __drizzle_migrations').get()).latest ?? 0;
			const newest = Math.max(...knownMigrations().map((entry) => entry.when));
			if (latest > newest) problems.push('written by a newer version of Verstas than this one');
		}
	} catch (error) {
		problems.push(`not a readable SQLite database: ${/** @type {Error} */ (error).message}`);
	} finally {
		sqlite?.close();
	}
	return problems;
}

/** The file a running server keeps beside its database (its process id), so that a restore can refuse to run under it. */
export function runningMarker(database = databasePath()) {
	return `${database}.running`;
}

/** Marks the database as in use by this process until `release` is called. */
export function markRunning(database = databasePath()) {
	const marker = runningMarker(database);
	writeFileSync(marker, String(process.pid));
	return () => rmSync(marker, { force: true });
}

/** The process id of a live server using the database, if any (a marker left by a crash does not count). */
export function runningServer(database = databasePath()) {
	const marker = runningMarker(database);
	if (!existsSync(marker)) return null;
	const pid = Number(readFileSync(marker, 'utf8'));
	if (!Number.isInteger(pid) || pid <= 0) return null;
	try {
		process.kill(pid, 0);
		return pid;
	} catch (error) {
		// EPERM: the process exists but belongs to someone else; still running.
		return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM' ? pid : null;
	}
}

/**
 * Replaces the database with a checked backup. Refuses while a server runs on it; the database it replaces is kept
 * beside it (`….before-restore-{time}`), so a restore can itself be undone.
 * @param {string} file @param {string} [database]
 */
export async function restoreBackup(file, database = databasePath(), now = new Date()) {
	const problems = checkBackup(file);
	if (problems.length) throw new Error(`${file} cannot be restored:\n- ${problems.join('\n- ')}`);
	const pid = runningServer(database);
	if (pid !== null) throw new Error(`Verstas is running on ${database} (process ${pid}): stop it before restoring.`);
	mkdirSync(dirname(database), { recursive: true });
	let keptAs = null;
	if (existsSync(database)) {
		keptAs = `${database}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
		// Through the backup API too, so the WAL's committed pages are in the kept copy.
		const current = new Database(database, { fileMustExist: true });
		try {
			await current.backup(keptAs, { progress: () => allPages });
		} finally {
			current.close();
		}
	}
	const source = new Database(file, { readonly: true, fileMustExist: true });
	const partial = `${database}.restoring`;
	rmSync(partial, { force: true });
	try {
		await source.backup(partial, { progress: () => allPages });
	} finally {
		source.close();
	}
	for (const leftover of [`${database}-wal`, `${database}-shm`]) rmSync(leftover, { force: true });
	renameSync(partial, database);
	return { restored: database, keptAs, from: basename(file) };
}

/**
 * Backs up every `intervalHours` by running `scripts/backup.js` as a child process: its own connection and its own
 * event loop, so the copy never stalls the server. Keeps the newest `keep`; failures are logged, never fatal.
 * Returns a function that stops the schedule.
 * @param {{ intervalHours: number, keep: number, folder: string }} settings
 * @param {{ log?: Pick<Console, 'log' | 'error'> }} [options]
 */
export function scheduleBackups(settings, { log = console } = {}) {
	if (settings.intervalHours <= 0) return () => {};
	const script = fileURLToPath(new URL('../scripts/backup.js', import.meta.url));
	/** @type {import('node:child_process').ChildProcess | null} */
	let running = null;
	const run = () => {
		if (running) return;
		running = execFile(process.execPath, [script, settings.folder, '--keep', String(settings.keep)], (error, stdout, stderr) => {
			running = null;
			if (error) log.error(`Verstas: the scheduled backup failed: ${stderr.trim() || error.message}`);
			else log.log(stdout.trim());
		});
	};
	const timer = setInterval(run, settings.intervalHours * 3_600_000);
	timer.unref();
	return () => {
		clearInterval(timer);
		running?.kill();
	};
}
