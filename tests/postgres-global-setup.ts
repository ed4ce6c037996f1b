// With VERSTAS_TEST_DATABASE=postgres: one PostgreSQL cluster for the whole run (tests/helpers/postgres.js), in
// which tests/setup-db.ts gives each test file its own database. Otherwise nothing (each file gets a SQLite file).
import type { TestProject } from 'vitest/node';
import { startPostgres } from './helpers/postgres';

declare module 'vitest' {
	export interface ProvidedContext {
		postgresUrl: string;
	}
}

export default async function setup(project: TestProject) {
	if (process.env.VERSTAS_TEST_DATABASE !== 'postgres') return;
	const server = await startPostgres();
	project.provide('postgresUrl', server.url);
	return () => server.stop();
}
