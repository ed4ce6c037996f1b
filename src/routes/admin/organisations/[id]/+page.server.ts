import { m } from '$lib/paraglide/messages.js';
import { requireAdmin } from '$lib/server/authorise';
import { formState, parseForm } from '$lib/server/forms';
import {
	addMember,
	addMemberSchema,
	deleteOrganisation,
	getOrganisation,
	listMembers,
	memberRoleSchema,
	OrganisationNameTakenError,
	organisationSchema,
	removeMember,
	setMemberRole,
	setSsoBinding,
	SsoDomainTakenError,
	ssoBindingSchema,
	updateOrganisation
} from '$lib/server/organisations';
import { getUserByEmail } from '$lib/server/users';
import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

/** Every load and action: an admin, and an organisation that exists. */
async function authorise(event: RequestEvent<{ id: string }>) {
	requireAdmin(event);
	const organisation = await getOrganisation(event.params.id);
	if (!organisation) error(404, m.org_not_found());
	return organisation;
}

export const load: PageServerLoad = async (event) => {
	const organisation = await authorise(event);
	return { organisation, members: await listMembers(organisation.id) };
};

export const actions: Actions = {
	update: async (event) => {
		const organisation = await authorise(event);
		const form = parseForm(organisationSchema, await event.request.formData());
		if (!form.ok) return fail(400, { details: formState(form) });
		try {
			await updateOrganisation(organisation.id, form.data);
		} catch (caught) {
			if (!(caught instanceof OrganisationNameTakenError)) throw caught;
			return fail(409, { details: formState({ values: form.data, errors: { name: m.org_name_taken() } }) });
		}
		return { details: formState({ saved: m.org_saved() }) };
	},

	sso: async (event) => {
		const organisation = await authorise(event);
		const submitted = await event.request.formData();
		const form = parseForm(ssoBindingSchema, submitted);
		if (!form.ok) return fail(400, { sso: formState(form) });
		try {
			await setSsoBinding(organisation.id, form.data);
		} catch (caught) {
			if (!(caught instanceof SsoDomainTakenError)) throw caught;
			const values = Object.fromEntries([...submitted].map(([key, value]) => [key, String(value)]));
			return fail(409, { sso: formState({ values, errors: { ssoDomain: m.org_sso_domain_taken() } }) });
		}
		return { sso: formState({ saved: m.org_sso_saved() }) };
	},

	delete: async (event) => {
		const organisation = await authorise(event);
		await deleteOrganisation(organisation.id);
		redirect(303, '/admin/organisations');
	},

	addMember: async (event) => {
		const organisation = await authorise(event);
		const form = parseForm(addMemberSchema, await event.request.formData());
		if (!form.ok) return fail(400, { member: formState(form) });
		const user = await getUserByEmail(form.data.email);
		if (!user) {
			return fail(404, { member: formState({ values: form.data, errors: { email: m.member_unknown_email() } }) });
		}
		await addMember(organisation.id, user.id, form.data.role);
		return { member: formState({ saved: m.member_added({ name: user.name }) }) };
	},

	setRole: async (event) => {
		const organisation = await authorise(event);
		const form = parseForm(memberRoleSchema, await event.request.formData());
		if (!form.ok) return fail(400, { members: formState({ message: Object.values(form.errors)[0] }) });
		const member = (await listMembers(organisation.id)).find((candidate) => candidate.userId === form.data.userId);
		if (!member || !await setMemberRole(organisation.id, member.userId, form.data.role)) {
			return fail(404, { members: formState({ message: m.member_not_found() }) });
		}
		return { members: formState({ saved: m.member_role_saved({ name: member.name }) }) };
	},

	removeMember: async (event) => {
		const organisation = await authorise(event);
		const userId = String((await event.request.formData()).get('userId') ?? '');
		const member = (await listMembers(organisation.id)).find((candidate) => candidate.userId === userId);
		if (!member || !await removeMember(organisation.id, member.userId)) {
			return fail(404, { members: formState({ message: m.member_not_found() }) });
		}
		return { members: formState({ saved: m.member_removed({ name: member.name }) }) };
	}
};
