import type { Phase } from '$lib/board/live.svelte';
import { qrCodePath } from '$lib/server/qr';
import { requireFacilitator } from '$lib/server/workshop-access';
import { voteView } from '$lib/server/voting';
import { getWorkshopDetails, listParticipants, resolveWorkshopAccess } from '$lib/server/workshops';
import type { PageServerLoad } from './$types';
import { liveApi } from '../board/live-api';

// The projector's view: facilitators only. The page reloads this every few seconds (`verstas:present`), so the
// participant count and whether joining is open follow the workshop page's changes.
export const load: PageServerLoad = async (event) => {
	event.depends('verstas:votes', 'verstas:present');
	const { workshop, user } = await requireFacilitator(event);
	const details = (await getWorkshopDetails(workshop.id))!;
	const api = await liveApi();
	const joinLink = `${event.url.origin}/w/${workshop.joinCode}`;
	const access = await resolveWorkshopAccess(workshop.id, { user, guestToken: undefined });
	const phases: Phase[] = details.phases.map(({ id, kind, title, durationMinutes }) => ({
		id,
		kind,
		title,
		durationMinutes,
		...(api ? api.phasePermissions(kind) : { addNotes: true, edit: true })
	}));
	return {
		room: true,
		workshop: { id: workshop.id, title: workshop.title, theme: workshop.theme, joinCode: workshop.joinCode, joiningOpen: workshop.joiningOpen },
		perspectives: details.perspectives.map(({ id, title, description }) => ({ id, title, description })),
		phases,
		participantCount: (await listParticipants(workshop.id)).length,
		joinLink,
		qr: qrCodePath(joinLink),
		vote: await voteView(workshop.id, null),
		live: api ? { state: await api.getLiveState(workshop.id), serverNow: Date.now() } : null,
		me: { authorId: access?.participantId ?? `user:${user.id}`, displayName: access?.displayName ?? user.name }
	};
};
