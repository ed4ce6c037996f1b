import { m } from '$lib/paraglide/messages.js';
import { participantRoleLabels } from '$lib/labels';
import { disconnectParticipant, setConnectionRole, closeRoom } from '$lib/server/collab';
import { formState, parseInput } from '$lib/server/forms';
import { saveWorkshopTemplate, templateOrganisations, templateSchema } from '$lib/server/workshop-templates';
import { viewBoard } from '$lib/board/model';
import { readBoardDoc } from '$lib/server/collab';
import { InvitationError, invitationSchema, inviteToWorkshop, listInvitations, maxInvitationsPerSubmission, maxInvitationsPerWorkshop } from '$lib/server/invitations';
import { getLocale } from '$lib/paraglide/runtime.js';
import { pilotsFromWorkshop } from '$lib/server/pilots';
import { listProgrammesForUser } from '$lib/server/programmes';
import { qrCodePath } from '$lib/server/qr';
import { requireFacilitator } from '$lib/server/workshop-access';
import {
	deleteWorkshop,
	duplicateWorkshop,
	getWorkshopDetails,
	listParticipants,
	listRemovedParticipants,
	removeParticipant,
	restoreParticipant,
	setJoiningOpen,
	setParticipantRole
} from '$lib/server/workshops';
import { participantRoles } from '$lib/server/db/schema';
import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { workshop, user } = await requireFacilitator(event);
	const details = (await getWorkshopDetails(workshop.id))!;
	const pilots = await pilotsFromWorkshop(workshop.id);
	const joinLink = `${event.url.origin}/w/${workshop.joinCode}`;
	return {
		workshop,
		perspectives: details.perspectives,
		phases: details.phases,
		organisations: details.organisations,
		facilitators: details.facilitators,
		participants: await listParticipants(workshop.id),
		removedParticipants: await listRemovedParticipants(workshop.id),
		joinLink,
		qr: qrCodePath(joinLink),
		// Traceability: the board's idea cards, which of them became pilots, and where a new one can go.
		ideas: viewBoard(await readBoardDoc(workshop.id)).ideas.map(({ id, title }) => ({ id, title, pilot: pilots.find((pilot) => pilot.ideaId === id) ?? null })),
		pilots,
		programmes: (await listProgrammesForUser(user)).map(({ id, name }) => ({ id, name })),
		// Where this facilitator may keep the workshop's plan as a template.
		templateOrganisations: await templateOrganisations(user),
		duplicated: event.url.searchParams.has('duplicated'),
		invitations: (await listInvitations(workshop.id)).map(({ deliveryError: _, ...invitation }) => invitation),
		invitationLimits: { perWorkshop: maxInvitationsPerWorkshop, perSubmission: maxInvitationsPerSubmission }
	};
};

const participantAction = z.object({ participantId: z.string().min(1), role: z.enum(participantRoles).optional() });

async function findParticipant(workshopId: string, participantId: string) {
	return (await listParticipants(workshopId)).find((participant) => participant.id === participantId);
}

export const actions: Actions = {
	setJoining: async (event) => {
		const { workshop } = await requireFacilitator(event);
		const open = (await event.request.formData()).get('open') === 'true';
		await setJoiningOpen(workshop.id, open);
		return { participants: formState({ saved: open ? m.joining_status_open() : m.joining_status_closed() }) };
	},

	removeParticipant: async (event) => {
		const { workshop } = await requireFacilitator(event);
		const input = participantAction.safeParse(Object.fromEntries(await event.request.formData()));
		const participant = input.success ? await findParticipant(workshop.id, input.data.participantId) : undefined;
		const removed = participant ? await removeParticipant(workshop.id, participant.id) : [];
		if (!participant || !removed.length) {
			return fail(404, { participants: formState({ message: m.participant_not_found() }) });
		}
		// Removed means gone now, not at their next reconnect (with any other name joined from the same phone).
		for (const id of removed) disconnectParticipant(workshop.id, id);
		return { participants: formState({ saved: m.participant_removed({ name: participant.displayName }) }) };
	},

	restoreParticipant: async (event) => {
		const { workshop } = await requireFacilitator(event);
		const input = participantAction.safeParse(Object.fromEntries(await event.request.formData()));
		const participant = input.success ? (await listRemovedParticipants(workshop.id)).find((removed) => removed.id === input.data.participantId) : undefined;
		if (!participant || !await restoreParticipant(workshop.id, participant.id)) {
			return fail(404, { participants: formState({ message: m.participant_not_found() }) });
		}
		return { participants: formState({ saved: m.participant_restored({ name: participant.displayName }) }) };
	},

	setRole: async (event) => {
		const { workshop } = await requireFacilitator(event);
		const input = participantAction.safeParse(Object.fromEntries(await event.request.formData()));
		const participant = input.success ? await findParticipant(workshop.id, input.data.participantId) : undefined;
		const role = input.success ? input.data.role : undefined;
		if (!participant || !role || !await setParticipantRole(workshop.id, participant.id, role)) {
			return fail(404, { participants: formState({ message: m.participant_not_found() }) });
		}
		setConnectionRole(workshop.id, participant.id, role);
		return {
			participants: formState({
				saved: m.participant_role_changed({ name: participant.displayName, role: participantRoleLabels[role]() })
			})
		};
	},

	duplicate: async (event) => {
		const { workshop, user } = await requireFacilitator(event);
		const copy = await duplicateWorkshop(workshop.id, user.id, (title) => m.workshop_copy_title({ title }));
		if (!copy) return fail(404, { reuse: formState({ message: m.workshop_not_found() }) });
		redirect(303, `/workshops/${copy.id}?duplicated`);
	},

	saveTemplate: async (event) => {
		const { workshop, user } = await requireFacilitator(event);
		const values = Object.fromEntries(await event.request.formData()) as Record<string, string>;
		const input = parseInput(templateSchema, values, values);
		if (!input.ok) return fail(400, { reuse: formState({ errors: input.errors, values }) });
		const saved = await saveWorkshopTemplate(workshop.id, input.data, user);
		if (!saved) return fail(403, { reuse: formState({ errors: { organisationId: m.error_choose_option() }, values }) });
		return { reuse: formState({ saved: m.workshop_template_saved({ name: saved.template.name, organisation: saved.organisation.name }) }) };
	},

	invite: async (event) => {
		const { workshop, user } = await requireFacilitator(event);
		const values = { emails: String((await event.request.formData()).get('emails') ?? '') };
		const form = parseInput(invitationSchema, values, values);
		if (!form.ok) return fail(400, { invitations: formState({ errors: form.errors, values }) });
		try {
			// In the inviter's language: the page's, which is the one they are writing in.
			const { added, skipped } = await inviteToWorkshop(workshop.id, form.data, user, getLocale());
			const saved = [m.invitations_sent({ count: added.length }), skipped.length ? m.invitations_skipped({ addresses: skipped.join(', ') }) : '']
				.filter(Boolean)
				.join(' ');
			return { invitations: formState({ saved }) };
		} catch (caught) {
			if (!(caught instanceof InvitationError)) throw caught;
			return fail(400, { invitations: formState({ errors: { emails: caught.message }, values }) });
		}
	},

	delete: async (event) => {
		const { workshop } = await requireFacilitator(event);
		closeRoom(workshop.id);
		await deleteWorkshop(workshop.id);
		redirect(303, '/workshops');
	}
};
