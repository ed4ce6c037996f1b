import { test, expectAccessible } from './fixtures';
test('probe', async ({ page }) => {
	const msgs: string[] = [];
	page.on('console', (m) => msgs.push(m.type() + ' ' + m.text()));
	await page.goto('/');
	await expectAccessible(page);
	console.log(msgs);
});
