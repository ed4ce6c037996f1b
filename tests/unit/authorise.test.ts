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
});
