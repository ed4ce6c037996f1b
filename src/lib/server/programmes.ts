// Programmes: a city programme with a period, ordered goals (key themes), target areas and participating
// organisations. Who may do what follows the organisations: programme leads (role programme_lead) of the owner
// organisation lead its programmes; members of the owner or a participating organisation read them and may
// propose pilots; admins lead every programme.
import { and, asc, eq, inArray, notInArray, or } from 'drizzle-orm';
import { z } from 'zod';
import { m } from '../paraglide/messages.js';
import { db, type Executor, first, one } from './db';
import { areas, memberships, organisations, programmeAreas, programmeGoals, programmeOrganisations, programmes } from './db/schema';
import { requiredText } from './forms';
import { generateSecureRandomString, type SessionUser } from './session';

export const maxGoals = 12;

const isoDate = z
	.string()
	.trim()
	.transform((value) => value || null)
	.pipe(z.iso.date({ error: () => m.error_day_invalid() }).nullable());

export const programmeSchema = z
	.object({
		name: requiredText(160),
		ownerOrganisationId: z.string({ error: () => m.error_choose_option() }).min(1, { error: () => m.error_choose_option() }),
		startsOn: isoDate,
		endsOn: isoDate,
		description: z.string().trim().max(5000, { error: () => m.error_too_long({ max: 5000 }) }),
		goals: z
			.array(z.object({ id: z.string().max(100).optional(), title: requiredText(200), description: z.string().trim().max(1000) }))
			.min(1, { error: () => m.programme_error_goals({ max: maxGoals }) })
			.max(maxGoals, { error: () => m.programme_error_goals({ max: maxGoals }) }),
		organisationIds: z.array(z.string().max(100)).max(100),
		areaCodes: z.array(z.string().regex(/^\d{5}$/)).max(200)
	})
	.refine((input) => !input.startsOn || !input.endsOn || input.startsOn <= input.endsOn, {
		path: ['endsOn'],
		error: () => m.programme_error_period()
	});

export type ProgrammeInput = z.output<typeof programmeSchema>;
export type ProgrammeRole = 'lead' | 'member';

/** The organisations where the user has the role (admins: every organisation for 'programme_lead'). */
async function organisationsWithRole(userId: string, role?: 'programme_lead') {
	return (await db
		.select({ organisationId: memberships.organisationId })
		.from(memberships)
		.where(and(eq(memberships.userId, userId), role ? eq(memberships.role, role) : undefined)))
		.map((row) => row.organisationId);
}

/** Admins and programme leads may start programmes (owned by an organisation they lead). */
export async function leadOrganisations(user: Pick<SessionUser, 'id' | 'isAdmin'>) {
	if (user.isAdmin) return db.select({ id: organisations.id, name: organisations.name }).from(organisations).orderBy(asc(organisations.name));
	const ids = await organisationsWithRole(user.id, 'programme_lead');
	if (!ids.length) return [];
	return db.select({ id: organisations.id, name: organisations.name }).from(organisations).where(inArray(organisations.id, ids)).orderBy(asc(organisations.name));
}

export function getProgramme(programmeId: string) {
	return first(db.select().from(programmes).where(eq(programmes.id, programmeId)));
}

/**
 * The user's role in the programme: 'lead' (admin, or programme lead of the owner organisation), 'member'
 * (a member of the owner or a participating organisation), or null (no access: 403).
 */
export async function programmeRole(programmeId: string, user: Pick<SessionUser, 'id' | 'isAdmin'>): Promise<ProgrammeRole | null> {
	const programme = await getProgramme(programmeId);
	if (!programme) return null;
	if (user.isAdmin) return 'lead';
	const leads = await organisationsWithRole(user.id, 'programme_lead');
	if (leads.includes(programme.ownerOrganisationId)) return 'lead';
	const mine = new Set(await organisationsWithRole(user.id));
	if (mine.has(programme.ownerOrganisationId)) return 'member';
	const participating = await db
		.select({ id: programmeOrganisations.organisationId })
		.from(programmeOrganisations)
		.where(eq(programmeOrganisations.programmeId, programmeId));
	return participating.some((row) => mine.has(row.id)) ? 'member' : null;
}

/** The programmes the user can see, with their role in each. */
export async function listProgrammesForUser(user: Pick<SessionUser, 'id' | 'isAdmin'>) {
	const all = await db
		.select({ id: programmes.id, name: programmes.name, startsOn: programmes.startsOn, endsOn: programmes.endsOn, owner: organisations.name })
		.from(programmes)
		.innerJoin(organisations, eq(organisations.id, programmes.ownerOrganisationId))
		.orderBy(asc(programmes.name));
	if (user.isAdmin) return all.map((programme) => ({ ...programme, role: 'lead' as ProgrammeRole }));
	const mine = await organisationsWithRole(user.id);
	if (!mine.length) return [];
	const visible = new Set(
		(await db
			.select({ id: programmes.id })
			.from(programmes)
			.leftJoin(programmeOrganisations, eq(programmeOrganisations.programmeId, programmes.id))
			.where(or(inArray(programmes.ownerOrganisationId, mine), inArray(programmeOrganisations.organisationId, mine))))
			.map((row) => row.id)
	);
	const shown = [];
	for (const programme of all) if (visible.has(programme.id)) shown.push({ ...programme, role: (await programmeRole(programme.id, user))! });
	return shown;
}

/** The programme with its goals (in order), target areas and participating organisations. */
export async function getProgrammeDetails(programmeId: string) {
	const programme = await getProgramme(programmeId);
	if (!programme) return undefined;
	const [goals, targetAreas, participating, owner] = [
		await db.select().from(programmeGoals).where(eq(programmeGoals.programmeId, programmeId)).orderBy(asc(programmeGoals.position)),
		await db
			.select({ code: areas.code, name: areas.name })
			.from(programmeAreas)
			.innerJoin(areas, eq(areas.code, programmeAreas.areaCode))
			.where(eq(programmeAreas.programmeId, programmeId))
			.orderBy(asc(areas.code)),
		await db
			.select({ id: organisations.id, name: organisations.name })
			.from(programmeOrganisations)
			.innerJoin(organisations, eq(organisations.id, programmeOrganisations.organisationId))
			.where(eq(programmeOrganisations.programmeId, programmeId))
			.orderBy(asc(organisations.name)),
		await first(db.select({ id: organisations.id, name: organisations.name }).from(organisations).where(eq(organisations.id, programme.ownerOrganisationId)))
	];
	return { ...programme, owner: owner!, goals, targetAreas, organisations: participating };
}

async function writeProgrammeParts(tx: Executor, programmeId: string, input: ProgrammeInput) {
	// Goals keep their ids across edits: pilots point at them.
	const existing = new Set(
		(await tx.select({ id: programmeGoals.id }).from(programmeGoals).where(eq(programmeGoals.programmeId, programmeId))).map((row) => row.id)
	);
	const kept = input.goals.map((goal) => (goal.id && existing.has(goal.id) ? goal.id : undefined));
	await tx.delete(programmeGoals)
		.where(and(eq(programmeGoals.programmeId, programmeId), notInArray(programmeGoals.id, kept.filter((id) => id !== undefined))));
	for (const [position, goal] of input.goals.entries()) {
		const values = { title: goal.title, description: goal.description, position };
		const id = kept[position];
		if (id) await tx.update(programmeGoals).set(values).where(eq(programmeGoals.id, id));
		else await tx.insert(programmeGoals).values({ ...values, id: generateSecureRandomString(12), programmeId });
	}
	await tx.delete(programmeOrganisations).where(eq(programmeOrganisations.programmeId, programmeId));
	const organisationIds = [...new Set(input.organisationIds)];
	if (organisationIds.length) {
		const known = await tx.select({ id: organisations.id }).from(organisations).where(inArray(organisations.id, organisationIds));
		for (const { id } of known) await tx.insert(programmeOrganisations).values({ programmeId, organisationId: id });
	}
	await tx.delete(programmeAreas).where(eq(programmeAreas.programmeId, programmeId));
	const codes = [...new Set(input.areaCodes)];
	if (codes.length) {
		const known = await tx.select({ code: areas.code }).from(areas).where(inArray(areas.code, codes));
		for (const { code } of known) await tx.insert(programmeAreas).values({ programmeId, areaCode: code });
	}
}

/** Creates the programme with its goals, organisations and target areas in one transaction. */
export function createProgramme(input: ProgrammeInput, createdBy: string | null) {
	return db.transaction(
		async (tx) => {
			const programme = await one(tx
				.insert(programmes)
				.values({
					id: generateSecureRandomString(12),
					name: input.name,
					ownerOrganisationId: input.ownerOrganisationId,
					startsOn: input.startsOn,
					endsOn: input.endsOn,
					description: input.description,
					createdBy
				})
				.returning());
			await writeProgrammeParts(tx, programme.id, input);
			return programme;
		},
		{ behavior: 'immediate' }
	);
}

export async function updateProgramme(programmeId: string, input: ProgrammeInput) {
	await db.transaction(
		async (tx) => {
			await tx.update(programmes)
				.set({
					name: input.name,
					ownerOrganisationId: input.ownerOrganisationId,
					startsOn: input.startsOn,
					endsOn: input.endsOn,
					description: input.description
				})
				.where(eq(programmes.id, programmeId));
			await writeProgrammeParts(tx, programmeId, input);
		},
		{ behavior: 'immediate' }
	);
}

/** Shapes a submitted programme form (goals.N.title …, repeated organisationIds and areaCodes) for the schema. */
export function readProgrammeForm(formData: FormData) {
	const text = (key: string) => String(formData.get(key) ?? '');
	const goals: { id?: string; title: string; description: string }[] = [];
	for (let index = 0; formData.has(`goals.${index}.title`); index++) {
		const title = text(`goals.${index}.title`);
		const description = text(`goals.${index}.description`);
		// Rows left empty are dropped, so a form with spare rows submits cleanly.
		if (!title.trim() && !description.trim()) continue;
		goals.push({ id: text(`goals.${index}.id`) || undefined, title, description });
	}
	return {
		name: text('name'),
		ownerOrganisationId: text('ownerOrganisationId'),
		startsOn: text('startsOn'),
		endsOn: text('endsOn'),
		description: text('description'),
		goals,
		organisationIds: formData.getAll('organisationIds').map(String),
		areaCodes: formData.getAll('areaCodes').map(String)
	};
}

