import { sveltekit } from '@sveltejs/kit/vite';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { configDefaults, defineConfig } from 'vitest/config';
import SlowFirst from './tests/slow-first.js';
import { verstasCollab } from './server/vite-collab-plugin.js';

/** Tests of SQLite's own file: not run on PostgreSQL (pg_dump and PostgreSQL's own tools do that job there). */
const sqliteOnlyTests = [
	// npm run backup/restore copy and check the SQLite file
	'tests/integration/backup.test.ts',
	// SQLite's busy lock, its file size ceiling and WAL truncation
	'tests/integration/faults.test.ts',
	// an upgrade of SQLite's file from the previous version's FTS5 index (search-index.test.ts runs on both)
	'tests/integration/search-index-upgrade.test.ts',
	// drizzle-kit's SQLite table rebuilds with foreign keys (PostgreSQL's migrations run in setup-db.ts)
	'tests/integration/migrate.test.ts',
	// an area import stopped by SQLite's page-count ceiling (area-import-slices.test.ts runs on both)
	'tests/integration/area-import-slices-sqlite.test.ts',
	// an anonymous round's voter ids erased from SQLite's file and WAL, read raw from disk
	'tests/integration/voting-sqlite.test.ts',
	// another node on the same SQLite file, as a worker thread with its own connection (PostgreSQL's store reads in
	// one REPEATABLE READ transaction: board-store-postgres.test.ts)
	'tests/integration/board-store-sqlite.test.ts'
];

export default defineConfig({
	plugins: [
		// `npm test` compiles the messages once before the type check and the build run side by side (scripts/test.js).
		...(process.env.VERSTAS_PARAGLIDE_COMPILED
			? []
			: [
					paraglideVitePlugin({
						project: './project.inlang',
						outdir: './src/lib/paraglide',
						// Finnish unless the person chose otherwise; signed-in users' choice is copied to the cookie at sign-in.
						strategy: ['cookie', 'baseLocale']
					})
				]),
		sveltekit(),
		verstasCollab()
	],
	test: {
		include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
		// VERSTAS_TEST_DATABASE=postgres runs the same files on PostgreSQL, except those about SQLite's own file.
		exclude: [...configDefaults.exclude, ...(process.env.VERSTAS_TEST_DATABASE === 'postgres' ? sqliteOnlyTests : [])],
		globalSetup: ['tests/postgres-global-setup.ts'],
		setupFiles: ['tests/setup-db.ts'],
		// Vitest's default on a 2-core machine is one worker; these files spend much of their time waiting on their
		// own servers and sockets, and two workers finish in ~2/3 of the time (three were slower here).
		maxWorkers: 2,
		// Files share their worker's modules instead of importing the app afresh each (measured: the Vitest stage
		// 211 → 121 s, CPU 248 → 141 s). Each file still gets its own database; tests/setup-db.ts closes it and the
		// collab server that holds it after the file.
		isolate: false,
		sequence: { sequencer: SlowFirst },
		testTimeout: 20_000,
		hookTimeout: 60_000
	}
});
