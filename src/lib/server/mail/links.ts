/**
 * The address links in mail point to: ORIGIN (the public URL, as for adapter-node), else the address this server
 * listens on (server/app.js), else localhost:3000. Never the request's Host header: anyone can send any Host, and a
 * reset link to their host would hand them the token.
 */
export function publicOrigin(env: NodeJS.ProcessEnv = process.env) {
	return (env.ORIGIN || env.VERSTAS_LISTEN_URL || `http://localhost:${env.PORT || 3000}`).replace(/\/+$/, '');
}

export function publicUrl(path: string, env: NodeJS.ProcessEnv = process.env) {
	return publicOrigin(env) + path;
}
