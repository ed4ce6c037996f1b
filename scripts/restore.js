// `npm run restore -- FILE`: replaces the database that DATABASE_PATH names with a backup, after checking the file
// (integrity, a Verstas database, not from a newer version). Refuses while a server runs on the database; the
// database it replaces is kept beside it.
import { resolve } from 'node:path';
import { databasePath, restoreBackup } from '../server/backup.js';

const file = process.argv[2];
if (!file) {
	console.error('Usage: npm run restore -- FILE');
	process.exit(2);
}
try {
	const { restored, keptAs } = await restoreBackup(resolve(file), databasePath());
	console.log(`Verstas: ${restored} restored from ${resolve(file)}.${keptAs ? ` The database it replaced is kept as ${keptAs}.` : ''}`);
} catch (error) {
	console.error(`Verstas: ${/** @type {Error} */ (error).message}`);
	process.exit(1);
}
