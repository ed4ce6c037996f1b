// Production entry: one HTTP server for the SvelteKit handler and the boards' WebSocket upgrades (/collab/…).
import http from 'node:http';
import { backupSettingsFromEnv, markRunning, scheduleBackups } from './backup.js';

export async function startServer() {
	const port = Number(process.env.PORT ?? 3000);
	const host = process.env.HOST || '0.0.0.0';

	// adapter-node assumes https when ORIGIN is unset, which would make SvelteKit's CSRF check refuse every
	// form post on plain http://localhost. This server speaks plain HTTP, so tell it so, overwriting any
	// client-sent value; behind a TLS proxy, operators set ORIGIN instead.
	const protocolHeader = 'x-verstas-connection-protocol';
	if (!process.env.ORIGIN) process.env.PROTOCOL_HEADER = protocolHeader;

	// adapter-node refuses bodies over 512 kB; a year of Statistics Finland's Paavo data for one city is about
	// 700 kB. The area import accepts up to 10 MB, so the limit sits just above (operators may lower it).
	process.env.BODY_SIZE_LIMIT ??= '12M';

	let backups;
	try {
		backups = backupSettingsFromEnv();
	} catch (error) {
		console.error(`Verstas could not start: ${error.message}`);
		process.exit(1);
	}

	let handler;
	try {
		// Importing the handler runs the server's init hook: pending migrations are applied here.
		({ handler } = await import('../build/handler.js'));
	} catch (error) {
		if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('build/handler.js')) {
			console.error('No production build found. Run `npm run build` first.');
		} else {
			console.error(`Verstas could not start: ${error?.message ?? error}`);
		}
		process.exit(1);
	}

	// The collab module is bundled inside the build; the hooks' init (run by the import above) publishes it.
	/** @type {{ handleUpgrade: (req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => void, shutdown: () => Promise<void> } | undefined} */
	const collab = /** @type {any} */ (globalThis)[Symbol.for('verstas.collab')];
	if (!collab) console.warn('Verstas: the board server was not registered; boards will not connect.');

	const server = http.createServer((req, res) => {
		if (!process.env.ORIGIN) req.headers[protocolHeader] = 'http';
		// RFC 8058 one-click unsubscribe: mail providers POST to the link without an Origin header, which SvelteKit's
		// CSRF check refuses. That action is authorised by the link's own signature, never by cookies, so there is
		// nothing for the check to protect on this one path: the request is let through as same-origin.
		if (req.method === 'POST' && (req.url ?? '').split('?')[0] === '/mail/unsubscribe') {
			req.headers.origin = process.env.ORIGIN ? new URL(process.env.ORIGIN).origin : `http://${req.headers.host}`;
		}
		handler(req, res);
	});
	server.on('upgrade', (req, socket, head) => {
		const path = (req.url ?? '').split('?')[0] ?? '';
		if (collab && path.startsWith('/collab/')) return collab.handleUpgrade(req, socket, head);
		socket.on('error', () => socket.destroy());
		socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', () => socket.destroy());
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, resolve);
	});
	const address = server.address();
	const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
	const url = `http://${shownHost}:${typeof address === 'object' && address ? address.port : port}`;
	console.log(`Verstas is running at ${url}`);
	// The SQLite file's backups and restore guard; on PostgreSQL its own tools (pg_dump) back up (README).
	const postgres = /^postgres(ql)?:\/\//i.test(process.env.DATABASE_URL ?? '');
	if (postgres && backups.intervalHours > 0) console.warn('VERSTAS_BACKUP_INTERVAL_HOURS backs up the SQLite file: on PostgreSQL, schedule pg_dump instead (README, "PostgreSQL").');
	// `npm run restore` refuses to replace the database under a running server: this marker says one runs.
	if (!postgres) process.once('exit', markRunning());
	const stopBackups = scheduleBackups(postgres ? { ...backups, intervalHours: 0 } : backups);

	/** @type {{ stop: () => Promise<void> } | undefined} */
	const mail = /** @type {any} */ (globalThis)[Symbol.for('verstas.mail')];
	// Where links in scheduled mail point when ORIGIN is unset (never the request's Host header, which a sender chooses).
	process.env.VERSTAS_LISTEN_URL = url;

	let stopping = false;
	const stop = async () => {
		if (stopping) return;
		stopping = true;
		stopBackups();
		// Never hang: whatever is still open after 5 s is cut off.
		setTimeout(() => process.exit(0), 5000).unref();
		/** @type {Promise<unknown>} */
		let drained = Promise.resolve();
		server.close(() => drained.then(() => process.exit(0)));
		server.closeIdleConnections();
		drained = Promise.all([
			// Boards are saved and compacted, and their sockets closed (1012: clients reconnect to the next server).
			collab?.shutdown().catch((error) => console.error('Verstas: board shutdown failed', error)),
			// A mail being sent is let finish (within the 5 s), so its outcome is recorded, not left uncertain.
			mail?.stop().catch((error) => console.error('Verstas: mail worker stop failed', error))
		]);
		await drained;
	};
	process.once('SIGTERM', stop);
	process.once('SIGINT', stop);
	return { server, url };
}
