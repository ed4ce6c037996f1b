import { sveltekit } from '@sveltejs/kit/vite';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { defineConfig } from 'vitest/config';
import { verstasCollab } from './server/vite-collab-plugin.js';

export default defineConfig({
	plugins: [
		paraglideVitePlugin({
			project: './project.inlang',
			outdir: './src/lib/paraglide',
			// Finnish unless the person chose otherwise; signed-in users' choice is copied to the cookie at sign-in.
			strategy: ['cookie', 'baseLocale']
		}),
		sveltekit(),
		verstasCollab()
	],
	test: {
		include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
		setupFiles: ['tests/setup-db.ts'],
		testTimeout: 20_000,
		hookTimeout: 60_000
	}
});
