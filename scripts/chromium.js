// The machine's own Chromium, for Playwright where it cannot download its browsers. The old headless shell comes
// first: the same engine without the desktop browser around it, and about a third faster through the e2e suite.
import { existsSync } from 'node:fs';

/** @returns {string | undefined} */
export function systemChromium() {
	return [process.env.CHROMIUM_PATH, '/usr/bin/chromium-headless-shell', '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
		(candidate) => !!candidate && existsSync(candidate)
	);
}
