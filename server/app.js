// Production entry: one HTTP server for the SvelteKit handler (and, later, the boards' WebSocket upgrades).
import http from 'node:http';

export async function startServer() {
	const port = Number(process.env.PORT ?? 3000);
	const host = process.env.HOST || '0.0.0.0';

	// adapter-node assumes https when ORIGIN is unset, which would make SvelteKit's CSRF check refuse every
	// form post on plain http://localhost. This server speaks plain HTTP, so tell it so, overwriting any
	// client-sent value; behind a TLS proxy, operators set ORIGIN instead.
	const protocolHeader = 'x-verstas-connection-protocol';
	if (!process.env.ORIGIN) process.env.PROTOCOL_HEADER = protocolHeader;

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

	const server = http.createServer((req, res) => {
		if (!process.env.ORIGIN) req.headers[protocolHeader] = 'http';
		handler(req, res);
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, resolve);
	});
	const address = server.address();
	const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
	const url = `http://${shownHost}:${typeof address === 'object' && address ? address.port : port}`;
	console.log(`Verstas is running at ${url}`);

	const stop = () => server.close(() => process.exit(0));
	process.once('SIGTERM', stop);
	process.once('SIGINT', stop);
	return { server, url };
}
