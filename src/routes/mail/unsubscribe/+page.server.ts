import { checkUnsubscribeLink, kindLabel, unsubscribe } from '$lib/server/mail/preferences';
import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

// Works without signing in: the link's signature names the person and the kind. Opening the page changes nothing
// (mail scanners open links); the button, or a mail client's RFC 8058 one-click POST to the same address, does.
export const load: PageServerLoad = async ({ url }) => {
	const link = await checkUnsubscribeLink(url.searchParams);
	return { kind: link ? kindLabel(link.kind) : null };
};

export const actions: Actions = {
	default: async ({ url }) => {
		const link = await checkUnsubscribeLink(url.searchParams);
		if (!link) return fail(400, { done: false, kind: null });
		await unsubscribe(link.userId, link.kind);
		return { done: true, kind: kindLabel(link.kind) };
	}
};
