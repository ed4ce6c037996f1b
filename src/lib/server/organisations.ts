import { and, asc, count, eq, ne, sql } from 'drizzle-orm';
import { recordAudit, type AuditAction } from './audit';
import { z } from 'zod';
import { changedRows, db, type Executor, first, isUniqueViolation, one } from './db';
import { memberships, membershipRoles, organisationKinds, organisations, users, type MembershipRole } from './db/schema';
import { m } from '../paraglide/messages.js';
import { emailField, enumField, requiredText } from './forms';
import { generateSecureRandomString } from './session';

export const organisationSchema = z.object({
	name: requiredText(120),
	kind: enumField(organisationKinds),
	municipality: requiredText(80)
});

export const addMemberSchema = z.object({
	email: emailField(),
	role: enumField(membershipRoles)
});

export const memberRoleSchema = z.object({
	userId: z.string().min(1),
	role: enumField(membershipRoles)
});

const domainPattern = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** An admin binds an organisation to an email domain and/or a claim; SSO can be required only for a domain. */
export const ssoBindingSchema = z
	.object({
		ssoDomain: z
			.string()
			.trim()
			.toLowerCase()
			.refine((domain) => domain === '' || domainPattern.test(domain), { error: () => m.error_domain_invalid() }),
		ssoClaimName: z
			.string()
			.trim()
			.max(100, { error: () => m.error_too_long({ max: 100 }) })
			.regex(/^[A-Za-z0-9_.:/-]*$/, { error: () => m.error_sso_claim_name_invalid() }),
		ssoClaimValue: z.string().trim().max(200, { error: () => m.error_too_long({ max: 200 }) }),
		ssoRequired: z.literal('on').optional()
	})
	.superRefine((input, context) => {
		if (!input.ssoClaimName !== !input.ssoClaimValue) {
			const path = input.ssoClaimName ? 'ssoClaimValue' : 'ssoClaimName';
			context.addIssue({ code: 'custom', path: [path], message: m.error_sso_claim_pair() });
		}
		if (input.ssoRequired && !input.ssoDomain) {
			context.addIssue({ code: 'custom', path: ['ssoDomain'], message: m.error_sso_required_needs_domain() });
		}
	})
	.transform((input) => ({
		ssoDomain: input.ssoDomain || null,
		ssoClaimName: input.ssoClaimName || null,
		ssoClaimValue: input.ssoClaimValue || null,
		ssoRequired: input.ssoRequired === 'on'
	}));

export class SsoDomainTakenError extends Error {}

export async function setSsoBinding(id: string, binding: z.output<typeof ssoBindingSchema>) {
	try {
		await db.update(organisations).set(binding).where(eq(organisations.id, id));
	} catch (error) {
		if (isUniqueViolation(error, 'organisations', 'sso_domain')) {
			throw new SsoDomainTakenError(binding.ssoDomain ?? '');
		}
		throw error;
	}
}

export type OrganisationInput = z.output<typeof organisationSchema>;

export class OrganisationNameTakenError extends Error {}

async function assertNameFree(name: string, exceptId?: string) {
	const clash = await first(db
		.select({ id: organisations.id })
		.from(organisations)
		.where(
			and(
				sql`lower(${organisations.name}) = lower(${name})`,
				exceptId ? ne(organisations.id, exceptId) : undefined
			)
		));
	if (clash) throw new OrganisationNameTakenError(name);
}

export function listOrganisations() {
	return db
		.select({
			id: organisations.id,
			name: organisations.name,
			kind: organisations.kind,
			municipality: organisations.municipality,
			memberCount: count(memberships.userId)
		})
		.from(organisations)
		.leftJoin(memberships, eq(memberships.organisationId, organisations.id))
		.groupBy(organisations.id)
		.orderBy(asc(organisations.name));
}

export function getOrganisation(id: string) {
	return first(db.select().from(organisations).where(eq(organisations.id, id)));
}

export function createOrganisation(input: OrganisationInput) {
	return db.transaction(async () => {
		await assertNameFree(input.name);
		return one(db
			.insert(organisations)
			.values({ id: generateSecureRandomString(12), ...input })
			.returning());
	});
}

export async function updateOrganisation(id: string, input: OrganisationInput) {
	await db.transaction(async () => {
		await assertNameFree(input.name, id);
		await db.update(organisations).set(input).where(eq(organisations.id, id));
	});
}

/** Memberships go with the organisation (ON DELETE CASCADE). */
export async function deleteOrganisation(id: string) {
	return changedRows((await db.delete(organisations).where(eq(organisations.id, id)))) > 0;
}

export function listMembers(organisationId: string) {
	return db
		.select({
			userId: users.id,
			name: users.name,
			email: users.email,
			role: memberships.role,
			since: memberships.createdAt
		})
		.from(memberships)
		.innerJoin(users, eq(users.id, memberships.userId))
		.where(eq(memberships.organisationId, organisationId))
		.orderBy(asc(users.name));
}

/** Adds the user, or changes their role when they already belong to the organisation. */
export async function addMember(organisationId: string, userId: string, role: MembershipRole) {
	await db.transaction(async (tx) => {
		const before = await roleIn(tx, organisationId, userId);
		await tx.insert(memberships)
			.values({ organisationId, userId, role })
			.onConflictDoUpdate({ target: [memberships.userId, memberships.organisationId], set: { role } });
		if (before !== role) await auditMembership(tx, before ? 'membership_role_changed' : 'membership_added', organisationId, userId, { from: before, to: role });
	});
}

export function setMemberRole(organisationId: string, userId: string, role: MembershipRole) {
	return db.transaction(async (tx) => {
		const before = await roleIn(tx, organisationId, userId);
		if (!before) return false;
		await tx.update(memberships)
			.set({ role })
			.where(and(eq(memberships.organisationId, organisationId), eq(memberships.userId, userId)));
		if (before !== role) await auditMembership(tx, 'membership_role_changed', organisationId, userId, { from: before, to: role });
		return true;
	});
}

export function removeMember(organisationId: string, userId: string) {
	return db.transaction(async (tx) => {
		const before = await roleIn(tx, organisationId, userId);
		if (!before) return false;
		await tx.delete(memberships)
			.where(and(eq(memberships.organisationId, organisationId), eq(memberships.userId, userId)));
		await auditMembership(tx, 'membership_removed', organisationId, userId, { from: before });
		return true;
	});
}

async function roleIn(tx: Executor, organisationId: string, userId: string) {
	return (await first(tx
		.select({ role: memberships.role })
		.from(memberships)
		.where(and(eq(memberships.organisationId, organisationId), eq(memberships.userId, userId)))))?.role;
}

async function auditMembership(tx: Executor, action: AuditAction, organisationId: string, userId: string, details: Record<string, unknown>) {
	await recordAudit(tx, { action, subject: { kind: 'user', id: userId }, details: { organisationId, ...details } });
}

export function listMembershipsOfUser(userId: string) {
	return db
		.select({ organisationId: organisations.id, name: organisations.name, role: memberships.role })
		.from(memberships)
		.innerJoin(organisations, eq(organisations.id, memberships.organisationId))
		.where(eq(memberships.userId, userId))
		.orderBy(asc(organisations.name));
}
