import type { LayoutServerLoad } from './$types';

// Only what the header shows; pages authorise for themselves.
export const load: LayoutServerLoad = ({ locals }) => ({
	user: locals.user ? { name: locals.user.name, isAdmin: locals.user.isAdmin } : null
});
