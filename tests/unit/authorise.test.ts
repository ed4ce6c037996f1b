import { describe, expect, it } from 'vitest';
import { safeRedirectTarget } from '../../src/lib/server/authorise';

describe('safeRedirectTarget', () => {
	it('keeps same-site paths', () => {
		expect(safeRedirectTarget('/admin/organisations?x=1')).toBe('/admin/organisations?x=1');
	});

	it('refuses anything that could leave the site', () => {
		for (const target of ['https://evil.example', '//evil.example', '/\\evil.example', 'javascript:alert(1)', '', null]) {
			expect(safeRedirectTarget(target)).toBe('/');
		}
	});

	it('refuses what a browser would read as another host, and control characters', () => {
		// Browsers strip tab and newlines from a Location: `/\t/evil.example/x` becomes `//evil.example/x`.
		for (const target of ['/\t/evil.example/x', '/\n/evil.example', '/\r\nSet-Cookie:x=1', '/.//evil.example', '/\\/evil.example', '/\u0000x']) {
			expect(safeRedirectTarget(target)).toBe('/');
		}
		expect(safeRedirectTarget('/workshops/abc/board#top')).toBe('/workshops/abc/board#top');
	});
});
