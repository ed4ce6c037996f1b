import { m } from '$lib/paraglide/messages.js';
import { formState, parseForm } from '$lib/server/forms';
import { requestPasswordReset, resetRequestSchema, resetRequestWaitMs } from '$lib/server/password-reset';
import { fail } from '@sveltejs/kit';
import type { Actions } from './$types';

export const actions: Actions = {
	request: async ({ request, getClientAddress }) => {
		const form = parseForm(resetRequestSchema, await request.formData());
		if (!form.ok) return fail(400, formState(form));
		const address = getClientAddress();
		const waitMs = await resetRequestWaitMs(address);
		if (waitMs > 0) {
			return fail(429, formState({ values: { email: form.data.email }, message: m.reset_rate_limited({ minutes: Math.max(1, Math.ceil(waitMs / 60_000)) }) }));
		}
		await requestPasswordReset(form.data.email, address);
		// The same answer whether or not the email has an account, and whether or not its hourly quota was used.
		return formState({ saved: m.reset_sent() });
	}
};
