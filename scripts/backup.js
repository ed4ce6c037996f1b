// `npm run backup -- [FOLDER] [--keep N]`: an online snapshot of the database that DATABASE_PATH names, safe while the
// server runs (SQLite's backup API, not a file copy). FOLDER defaults to `backups` beside the database; with --keep,
// only the newest N backups stay.
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { backupDatabase, databasePath, defaultBackupFolder, pruneBackups } from '../server/backup.js';

const { values, positionals } = parseArgs({ options: { keep: { type: 'string' } }, allowPositionals: true });
const keep = values.keep === undefined ? null : Number(values.keep);
if (keep !== null && (!Number.isInteger(keep) || keep < 1)) {
	console.error('--keep must be a whole number ≥ 1');
	process.exit(2);
}
const database = databasePath();
if (!existsSync(database)) {
	console.error(`No database at ${database} (set DATABASE_PATH).`);
	process.exit(1);
}
const folder = resolve(positionals[0] ?? defaultBackupFolder(database));
const sqlite = new Database(database, { fileMustExist: true });
try {
	const file = await backupDatabase(sqlite, folder);
	const pruned = keep === null ? [] : pruneBackups(folder, keep);
	const megabytes = (statSync(file).size / 1024 / 1024).toFixed(1);
	console.log(`Verstas: backup written to ${file} (${megabytes} MB)${pruned.length ? `; ${pruned.length} older removed` : ''}`);
} catch (error) {
	console.error(`Verstas: the backup failed: ${/** @type {Error} */ (error).message}`);
	process.exitCode = 1;
} finally {
	sqlite.close();
}
