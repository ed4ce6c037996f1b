import { m } from '$lib/paraglide/messages.js';
import { getLocale } from '$lib/paraglide/runtime.js';
import { formState, parseForm } from '$lib/server/forms';
import { ssoRequiredFor } from '$lib/server/identities';
import { recordSignUp, signUpWaitMs } from '$lib/server/rate-limit';
import { createUser, EmailTakenError, signUpSchema } from '$lib/server/users';
import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
	if (locals.user) redirect(303, '/profile');
};

export const actions: Actions = {
	default: async ({ request, getClientAddress }) => {
		const form = parseForm(signUpSchema, await request.formData());
		if (!form.ok) return fail(400, formState(form));
		// The domain's organisation signs its people in with its own accounts: such an account is made at sign-in.
		if (await ssoRequiredFor(form.data.email)) {
			return fail(403, formState({ values: { name: form.data.name, email: form.data.email }, message: m.sign_up_sso_required() }));
		}
		const address = getClientAddress();
		const waitMs = await signUpWaitMs(address);
		if (waitMs > 0) {
			const minutes = Math.max(1, Math.ceil(waitMs / 60_000));
			return fail(429, formState({ values: { name: form.data.name, email: form.data.email }, message: m.sign_up_rate_limited({ minutes }) }));
		}
		await recordSignUp(address);

		// One answer whether or not the email already had an account (the password is hashed first either way, so
		// the time is the same too): sign-up must not tell who has an account. Nobody is signed in here; the new
		// account's owner signs in next, and the only way to learn that an email was taken is a failed sign-in,
		// which the sign-in limits count.
		try {
			await createUser({ ...form.data, locale: getLocale() });
		} catch (error) {
			if (!(error instanceof EmailTakenError)) throw error;
		}
		redirect(303, '/sign-in?signedUp=1');
	}
};
