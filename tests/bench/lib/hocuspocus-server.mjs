// The Hocuspocus peer for B13, run as its own process: `node hocuspocus-server.mjs <sqlite file> [port]`.
// @hocuspocus/server 3.4.4 with its Database extension storing into SQLite exactly as @hocuspocus/extension-sqlite
// 3.4.4 does (its schema and its two queries), over better-sqlite3: extension-sqlite depends on `sqlite3`, whose
// install script downloads a prebuilt binary or Node's headers, which neither this machine nor CI can fetch.
// Hocuspocus's defaults otherwise: stores debounced 2 s, at most 10 s; no authentication.
import { Database } from '@hocuspocus/extension-database';
import { Server } from '@hocuspocus/server';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const BetterSqlite = require('better-sqlite3');

const [file, port = '0'] = process.argv.slice(2);
if (!file) throw new Error('usage: hocuspocus-server.mjs <sqlite file> [port]');

// extension-sqlite's schema, SELECT and upsert (rollback journal, synchronous FULL: sqlite3's defaults too)
const db = new BetterSqlite(file);
db.exec(`CREATE TABLE IF NOT EXISTS "documents" ("name" varchar(255) NOT NULL, "data" blob NOT NULL, UNIQUE(name))`);
const select = db.prepare(`SELECT data FROM "documents" WHERE name = $name ORDER BY rowid DESC`);
const upsert = db.prepare(`INSERT INTO "documents" ("name", "data") VALUES ($name, $data) ON CONFLICT(name) DO UPDATE SET data = $data`);

const server = new Server({
	address: '127.0.0.1',
	port: Number(port),
	quiet: true,
	extensions: [
		new Database({
			fetch: async ({ documentName }) => select.get({ name: documentName })?.data ?? null,
			store: async ({ documentName, state }) => {
				upsert.run({ name: documentName, data: state });
			}
		})
	]
});
// Server.listen() passes `address` where Node's listen() reads `host`, so it would listen on every interface: listen
// on 127.0.0.1 here and run its onListen hooks as listen() does.
await new Promise((resolve) => server.httpServer.listen({ port: Number(port), host: '127.0.0.1' }, resolve));
await server.hocuspocus.hooks('onListen', { instance: server.hocuspocus, configuration: server.configuration, port: server.address.port });
console.log(`running at http://127.0.0.1:${server.address.port}`);
