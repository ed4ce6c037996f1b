import { m } from '$lib/paraglide/messages.js';
import { feedbackResponseDays, listFeedback, markFeedbackAnswered } from '$lib/server/accessibility';
import { requireAdmin } from '$lib/server/authorise';
import { formState } from '$lib/server/forms';
import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	requireAdmin(event);
	return { feedback: await listFeedback(), responseDays: feedbackResponseDays };
};

export const actions: Actions = {
	answered: async (event) => {
		const admin = requireAdmin(event);
		const id = String((await event.request.formData()).get('id') ?? '');
		if (!await markFeedbackAnswered(id, admin.id)) return fail(404, formState({ message: m.feedback_not_found() }));
		return formState({ saved: m.feedback_marked() });
	}
};
