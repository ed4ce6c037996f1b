// Percentiles, formatting, and the RESULT lines the runner collects into its table.

/** p in [0, 100] of a list of numbers (nearest rank); NaN for an empty list. */
export function percentile(values, p) {
	if (values.length === 0) return NaN;
	const sorted = Float64Array.from(values).sort();
	const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[rank];
}

export function summary(values) {
	if (values.length === 0) return { count: 0, p50: NaN, p99: NaN, max: NaN, mean: NaN };
	const sorted = Float64Array.from(values).sort();
	const at = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
	let sum = 0;
	for (const v of sorted) sum += v;
	return { count: sorted.length, p50: at(50), p99: at(99), max: sorted[sorted.length - 1], mean: sum / sorted.length };
}

export function ms(value) {
	if (!Number.isFinite(value)) return '–';
	if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
	if (value >= 100) return `${Math.round(value)} ms`;
	if (value >= 10) return `${value.toFixed(1)} ms`;
	return `${value.toFixed(2)} ms`;
}

export const pct = (value) => (Number.isFinite(value) ? `${Math.round(value)} %` : '–');
export const mb = (value) => (Number.isFinite(value) ? `${Math.round(value)} MB` : '–');
export const kb = (bytes) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.round(bytes / 1024)} kB`);

/** `pass` / `miss` for a measured value against a limit (`n/a` without one). */
export function verdict(ok) {
	return ok === null || ok === undefined ? 'n/a' : ok ? 'pass' : 'miss';
}

/** One row for the runner's table: RESULT|id|load|measure|value|target|pass|miss|n/a */
export function result(id, load, measure, value, target = '–', ok = null) {
	const clean = (text) => String(text).replace(/[|\n]/g, '/');
	console.log(`RESULT|${[id, load, measure, value, target].map(clean).join('|')}|${verdict(ok)}`);
}

export function log(...args) {
	console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...args);
}
