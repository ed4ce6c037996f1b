// `vite dev` and `vite preview`: the boards' WebSocket upgrades (/collab/…) on Vite's own HTTP server, handled by
// the same collab module SvelteKit uses. Vite's HMR socket and every other upgrade are left to Vite.

const collabModule = '/src/lib/server/collab/index.ts';
const collabKey = Symbol.for('verstas.collab');

/** @param {import('node:http').IncomingMessage} req */
function isCollab(req) {
	return (req.url ?? '').split('?')[0]?.startsWith('/collab/') ?? false;
}

/**
 * @param {import('node:stream').Duplex} socket
 * @param {number} status
 */
function refuse(socket, status) {
	socket.end(`HTTP/1.1 ${status} Error\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
}

/** @returns {import('vite').Plugin} */
export function verstasCollab() {
	return {
		name: 'verstas-collab',
		configureServer(server) {
			server.httpServer?.on('upgrade', async (req, socket, head) => {
				if (!isCollab(req)) return;
				socket.on('error', () => socket.destroy());
				try {
					// ssrLoadModule: the very module instance SvelteKit's SSR (hooks, form actions) uses.
					const collab = await server.ssrLoadModule(collabModule);
					collab.handleUpgrade(req, socket, head);
				} catch (error) {
					server.config.logger.error(`verstas-collab: ${error instanceof Error ? error.stack : error}`);
					refuse(socket, 500);
				}
			});
		},
		configurePreviewServer(server) {
			server.httpServer.on('upgrade', (req, socket, head) => {
				if (!isCollab(req)) return;
				// The built server registered itself from the hooks' init when SvelteKit's preview started it.
				const collab = /** @type {any} */ (globalThis)[collabKey];
				if (collab) collab.handleUpgrade(req, socket, head);
				else refuse(socket, 503);
			});
		}
	};
}
