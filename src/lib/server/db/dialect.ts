// Shared with the WebSocket upgrade path in server/: no $app or $env imports here.

/** A PostgreSQL address in DATABASE_URL (postgres:// or postgresql://) runs the app on PostgreSQL; otherwise SQLite. */
export function isPostgresUrl(url = process.env.DATABASE_URL) {
	return !!url && /^postgres(ql)?:\/\//i.test(url);
}
