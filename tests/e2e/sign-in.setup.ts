// Signs each demo account in once, through the sign-in form's action, and keeps its browser state for the run:
// tests that are not about signing in start from it (fixtures.ts `signInAs`) instead of paying for a sign-in each.
// Signing in through the page itself is what accounts.spec.ts tests.
import { demo, demoPassword, expect, newContext, postForm, sessionFile, test, type Role } from './fixtures';

for (const role of Object.keys(demo) as Role[]) {
	test(`sign in as the demo ${role}`, async ({ browser }) => {
		const context = await newContext(browser);
		try {
			const response = await postForm(context.request, '/sign-in', { email: demo[role], password: demoPassword });
			expect(response.status(), `sign-in of ${demo[role]}`).toBe(303);
			await context.storageState({ path: sessionFile(role) });
		} finally {
			await context.close();
		}
	});
}
