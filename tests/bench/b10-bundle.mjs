#!/usr/bin/env node
// B10: the participant board route's initial JavaScript, gzipped, from the production build.
//
// "Initial" = what the browser must fetch before the board page is interactive: SvelteKit's start + app entries and
// the static imports of the route's nodes (root layout + board page), i.e. exactly the modules the server-rendered
// page lists as <link rel="modulepreload">. Two independent readings that must agree:
//   1. from the build: build/server/chunks/manifest.js-* (route → layout/leaf nodes, entry imports) and each node's
//      `imports` list in build/server/chunks/nodes/<n>.js-*;
//   2. from a running server: the board page's HTML fetched as a guest, every modulepreload / import() it references.
// Sizes are the precompressed .gz files adapter-node serves (zlib level 9), or gzip -9 computed here if absent.
// Dynamically imported chunks (loaded later, on demand) are listed separately from the Vite manifest when present.
//
//   node tests/bench/b10-bundle.mjs [--no-server]      (VERSTAS_ROOT=/path/to/checkout to measure another build)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import {
	args,
	createDatabase,
	fmt,
	insertGuests,
	insertUser,
	insertWorkshop,
	onDatabase,
	request,
	result,
	root,
	startVerstas,
	tempDir,
	verdict
} from './lib/http.mjs';

const options = args();
const targetKb = 100;
const routeId = '/workshops/[id]/board';
const clientDir = join(root, 'build', 'client');

function findOne(dir, prefix) {
	const file = readdirSync(dir).find((name) => name.startsWith(prefix) && name.endsWith('.js'));
	if (!file) throw new Error(`no ${prefix}* in ${dir}`);
	return join(dir, file);
}

const parseList = (text) => JSON.parse(text.replace(/,\s*\]$/, ']'));

/** The route's modules according to the build's own server manifest. */
function fromBuild() {
	const chunks = join(root, 'build', 'server', 'chunks');
	const manifest = readFileSync(findOne(chunks, 'manifest.js-'), 'utf8');
	const clientImports = parseList(manifest.match(/client:\s*\{[^}]*?imports:(\[[^\]]*\])/)[1]);
	const at = manifest.indexOf(`id: "${routeId}"`);
	if (at < 0) throw new Error(`route ${routeId} not in the build manifest`);
	const page = manifest.slice(at).match(/page:\s*\{\s*layouts:\s*(\[[^\]]*\]),\s*errors:\s*(\[[^\]]*\]),\s*leaf:\s*(\d+)/);
	const layouts = parseList(page[1].replace(/,\s*(?=,|\])/g, '')).filter((n) => n !== null);
	const leaf = Number(page[3]);
	const nodeFiles = [...layouts, leaf].map((n) => findOne(join(chunks, 'nodes'), `${n}.js-`));
	const js = new Set(clientImports);
	const css = new Set();
	for (const file of nodeFiles) {
		const text = readFileSync(file, 'utf8');
		for (const entry of parseList(text.match(/const imports = (\[[^\]]*\])/)[1])) js.add(entry);
		const styles = text.match(/const stylesheets = (\[[^\]]*\])/);
		if (styles) for (const entry of parseList(styles[1])) css.add(entry);
	}
	return { js: [...js], css: [...css], nodes: [...layouts, leaf] };
}

/** Compressed sizes of one built file: the served .gz (or gzip -9 here), brotli, raw. */
function sizes(relative) {
	const file = join(clientDir, relative);
	const raw = readFileSync(file);
	const gz = existsSync(`${file}.gz`) ? statSync(`${file}.gz`).size : gzipSync(raw, { level: 9 }).length;
	const br = existsSync(`${file}.br`)
		? statSync(`${file}.br`).size
		: brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
	return { file: relative, raw: raw.length, gz, br, precompressed: existsSync(`${file}.gz`) };
}

const total = (list, key) => list.reduce((sum, entry) => sum + entry[key], 0);

/** Chunks only reachable through dynamic import() from the route's modules (Vite manifest, when present). */
function lazyChunks(initial) {
	const manifestPath = join(root, '.svelte-kit', 'output', 'client', '.vite', 'manifest.json');
	if (!existsSync(manifestPath)) return null;
	const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
	const byFile = new Map(Object.entries(manifest).map(([key, entry]) => [`_app/immutable/${entry.file.replace(/^_app\/immutable\//, '')}`, key]));
	// The manifest must describe this build: every initial file must be in it.
	if (!initial.every((file) => byFile.has(file))) return { stale: true };
	const seen = new Set(initial);
	// app.js lazily imports every route's node: those belong to other routes, not to this one.
	const otherRoute = (key) => /client-optimized\/(nodes\/\d+|app)\.js$/.test(key);
	const queue = initial
		.filter((file) => !otherRoute(byFile.get(file)))
		.flatMap((file) => manifest[byFile.get(file)].dynamicImports ?? [])
		.filter((key) => !otherRoute(key));
	const lazy = new Set();
	while (queue.length) {
		const key = queue.pop();
		const entry = manifest[key];
		if (!entry || otherRoute(key)) continue;
		const file = entry.file;
		if (seen.has(file)) continue;
		seen.add(file);
		lazy.add(file);
		queue.push(...(entry.imports ?? []), ...(entry.dynamicImports ?? []));
	}
	return { stale: false, files: [...lazy] };
}

/** The board page's HTML as a guest sees it, and the JS it references. */
async function fromServer() {
	const dir = tempDir();
	let server;
	const db = await createDatabase({ dir });
	try {
		server = await startVerstas({ database: db });
		const owner = await insertUser(db, { email: 'vetaja@bench.verstas.fi', name: 'Vetäjä' });
		const workshopId = await insertWorkshop(db, owner);
		const [guest] = await insertGuests(db, workshopId, 1);
		await db.close();
		const response = await request(`${server.url}/workshops/${workshopId}/board`, { headers: { cookie: guest.cookie } });
		if (response.status !== 200) throw new Error(`board page answered ${response.status}`);
		const html = response.body;
		const refs = new Set();
		// SvelteKit sends the modulepreloads as a Link header (and as <link> tags when configured so).
		for (const match of String(response.headers.link ?? '').matchAll(/<([^>]+)>;\s*rel="modulepreload"/g)) refs.add(match[1]);
		for (const match of html.matchAll(/<link[^>]+rel="modulepreload"[^>]*href="([^"]+)"/g)) refs.add(match[1]);
		for (const match of html.matchAll(/import\("([^"]+\.js)"\)/g)) refs.add(match[1]);
		for (const match of html.matchAll(/<script[^>]+src="([^"]+\.js)"/g)) refs.add(match[1]);
		const js = [...refs].map((ref) => ref.replace(/^(\.\.\/|\.\/|\/)+/, '')).map((ref) => ref.slice(ref.indexOf('_app/')));
		return { js: [...new Set(js)], htmlBytes: Buffer.byteLength(html) };
	} finally {
		await server?.stop();
		await db.close();
	}
}

const build = fromBuild();
const initial = build.js.map(sizes);
const css = build.css.map(sizes);
const gzKb = total(initial, 'gz') / 1024;

console.log(`B10 — initial JS of ${routeId} (build in ${root})`);
console.log(`  nodes: layouts + leaf = ${build.nodes.join(', ')}; ${initial.length} JS files`);
console.log('  file                                               raw B    gzip B   brotli B');
for (const entry of [...initial].sort((a, b) => b.gz - a.gz))
	console.log(`  ${entry.file.padEnd(48)} ${String(entry.raw).padStart(8)} ${String(entry.gz).padStart(9)} ${String(entry.br).padStart(10)}`);
console.log(
	`  total JS: ${fmt(total(initial, 'raw') / 1024)} kB raw, ${fmt(gzKb)} kB gzip, ${fmt(total(initial, 'br') / 1024)} kB brotli` +
		` (${initial.every((entry) => entry.precompressed) ? 'served .gz files' : 'gzip -9 computed'})`
);
console.log(`  CSS (not counted): ${fmt(total(css, 'gz') / 1024)} kB gzip in ${css.length} file(s)`);

let agree = null;
if (!options['no-server']) {
	const served = await fromServer();
	const missing = served.js.filter((file) => !build.js.includes(file));
	const extra = build.js.filter((file) => !served.js.includes(file));
	agree = missing.length === 0 && extra.length === 0;
	console.log(`  served HTML (${served.htmlBytes} B) references ${served.js.length} JS files: ${agree ? 'same set as the build manifest' : 'DIFFERENT'}`);
	if (missing.length) {
		const missingSizes = missing.filter((file) => existsSync(join(clientDir, file))).map(sizes);
		console.log(`    only in the HTML: ${missing.join(', ')} (+${fmt(total(missingSizes, 'gz') / 1024)} kB gzip)`);
		initial.push(...missingSizes);
	}
	if (extra.length) console.log(`    only in the manifest: ${extra.join(', ')}`);
}

const lazy = lazyChunks(build.js);
if (lazy?.stale) console.log('  lazy chunks: .svelte-kit Vite manifest does not match this build, skipped');
else if (lazy) {
	const lazySizes = lazy.files.filter((file) => file.endsWith('.js')).map(sizes);
	console.log(`  loaded later by import() (not initial): ${lazySizes.length} files, ${fmt(total(lazySizes, 'gz') / 1024)} kB gzip`);
}

const finalKb = total(initial, 'gz') / 1024;
result('B10', `production build${onDatabase}`, 'board route initial JS (gzip)', `${fmt(finalKb)} kB`, `<= ${targetKb} kB`, verdict(finalKb <= targetKb));
result('B10', `production build${onDatabase}`, 'board route initial JS (brotli)', `${fmt(total(initial, 'br') / 1024)} kB`, '-', 'n/a');
if (agree === false) process.exitCode = 1;
