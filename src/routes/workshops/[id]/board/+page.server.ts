import { m } from '$lib/paraglide/messages.js';
import { getWorkshop, guestCookieName, listPerspectives, resolveWorkshopAccess } from '$lib/server/workshops';
import { error, redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ params, locals, cookies }) => {
	const workshop = getWorkshop(params.id);
	if (!workshop) error(404, m.workshop_not_found());
	const guestToken = cookies.get(guestCookieName(params.id));
	const access = resolveWorkshopAccess(params.id, { user: locals.user, guestToken });
	if (!access) {
		// Someone with nothing to show for themselves is sent to join; a signed-in non-member (or a guest whose
		// token no longer works, e.g. removed by the facilitator) is told why they cannot see the board.
		if (!locals.user && !guestToken) redirect(303, `/w/${workshop.joinCode}`);
		error(403, m.board_forbidden());
	}
	return {
		workshop: { id: workshop.id, title: workshop.title, theme: workshop.theme },
		perspectives: listPerspectives(params.id).map(({ id, title, description }) => ({ id, title, description })),
		me: {
			participantId: access.participantId,
			// Notes and comments carry who wrote them: the participant, or a facilitator who has not joined as one.
			authorId: access.participantId ?? `user:${access.userId}`,
			displayName: access.displayName,
			role: access.role
		}
	};
};
