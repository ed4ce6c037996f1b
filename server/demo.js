// `npm run demo`: a fresh demo database at every start, seeded by the server's init hook. With DATABASE_URL set to
// PostgreSQL the demo is seeded there unless it already has the demo accounts, and never reset (nothing is dropped).
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { startServer } from './app.js';

const postgresUrl = /^postgres(ql)?:\/\//i.test(process.env.DATABASE_URL ?? '') ? new URL(process.env.DATABASE_URL) : null;
const databasePath = resolve(process.env.DATABASE_PATH || 'data/demo.db');
if (!postgresUrl) for (const suffix of ['', '-wal', '-shm']) rmSync(databasePath + suffix, { force: true });
process.env.DATABASE_PATH = databasePath;
process.env.VERSTAS_DEMO = '1';

const { url } = await startServer();
console.log(`
Demo database: ${postgresUrl ? `PostgreSQL ${postgresUrl.host}${postgresUrl.pathname} (seeded unless it has the demo accounts; never reset)` : `${databasePath} (reset at each start)`}
Open ${url} and sign in with one of these (password: verstas-demo):
  facilitator@demo.verstas.fi   facilitator
  lead@demo.verstas.fi          programme lead
  team@demo.verstas.fi          city team member
  admin@demo.verstas.fi         administrator
`);
