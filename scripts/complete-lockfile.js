// The npm registry mirror on our machines serves only this platform's builds of native packages, so
// `npm install` leaves other platforms' optional packages (rollup, lix, jco …) out of package-lock.json,
// and `npm ci` then refuses the lock as out of sync. This adds the missing optional entries with the
// os/cpu/libc npm uses to skip them, so `npm ci` works here and the lock stays valid everywhere.
// Run after any `npm install` that changes the lock:  node scripts/complete-lockfile.js
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const path = join(import.meta.dirname, '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;

const osNames = ['darwin', 'linux', 'win32', 'freebsd', 'openbsd', 'netbsd', 'android', 'openharmony', 'sunos', 'aix'];
const cpuNames = ['x64', 'arm64', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'arm', 'wasm32'];

function platformOf(name) {
	const parts = name.split('/').pop().split('-');
	const os = osNames.find((candidate) => parts.includes(candidate));
	const cpu = cpuNames.find((candidate) => parts.includes(candidate)) ?? (parts.some((p) => p.startsWith('arm')) ? 'arm' : undefined);
	const libc = parts.some((p) => p.startsWith('musl')) ? 'musl' : os === 'linux' && parts.some((p) => p.startsWith('gnu')) ? 'glibc' : undefined;
	return { os, cpu, libc };
}

let added = 0;
for (const [location, entry] of Object.entries(packages)) {
	for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
		const nested = `${location ? location + '/' : ''}node_modules/${name}`;
		if (packages[nested] || packages[`node_modules/${name}`]) continue;
		const { os, cpu, libc } = platformOf(name);
		if (!os && !cpu) continue; // not a platform build: leave it to npm
		packages[`node_modules/${name}`] = {
			version,
			optional: true,
			...(os ? { os: [os] } : {}),
			...(cpu ? { cpu: [cpu] } : {}),
			...(libc ? { libc: [libc] } : {})
		};
		added++;
	}
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
console.log(`package-lock.json: added ${added} optional platform entries`);
