import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	// No `window.__svelte.v` script: it tells the world the Svelte version and costs every page a request (B10).
	compilerOptions: { discloseVersion: false },
	kit: {
		adapter: adapter({ out: 'build' }),
		// A fresh nonce per response for SvelteKit's own inline start-up script (a page answered again gets a new one,
		// src/lib/server/page-cache.ts); no inline code of ours is allowed. Nonces, not hashes: SvelteKit hashes in
		// JavaScript, 4 % of a board page's server time.
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:', 'blob:'],
				'font-src': ['self'],
				'connect-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['none']
			}
		}
	}
};

export default config;
