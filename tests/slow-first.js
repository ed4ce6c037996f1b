// Vitest's order for a clone without its results cache (CI): the longest files first, so that no long file starts
// last and leaves one worker running alone at the end (measured: they take 10–20 s each, most others 1–5 s).
import { BaseSequencer } from 'vitest/node';

const longest = [
	'test-runner.test.ts',
	'backup.test.ts',
	'area-import-slices.test.ts',
	'collab-limits.test.ts',
	'auth-hardening.test.ts',
	'voting-server.test.ts',
	'mail-server.test.ts',
	'faults.test.ts'
];

/** @param {import('vitest/node').TestSpecification} file */
const rank = (file) => {
	const index = longest.findIndex((name) => file.moduleId.endsWith(`/${name}`));
	return index === -1 ? longest.length : index;
};

export default class SlowFirst extends BaseSequencer {
	/** @param {import('vitest/node').TestSpecification[]} files */
	async sort(files) {
		// Array sort is stable: the rest keep the base sequencer's order.
		return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
	}
}
