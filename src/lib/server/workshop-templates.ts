// Workshop templates: a workshop's plan (theme, description, perspectives, agenda) saved for an organisation, so
// that its facilitators can start the next workshop from it. Kept in their own table rather than as flagged
// workshops: a template has no join code, board, participants or votes, and no workshop list or join path must
// learn to skip it. Admins may use every organisation's templates.
import { and, asc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { db, first, one } from './db';
import { memberships, organisations, workshopTemplates } from './db/schema';
import { requiredText } from './forms';
import { generateSecureRandomString, type SessionUser } from './session';
import { getWorkshopDetails } from './workshops';

export const templateSchema = z.object({
	name: requiredText(120),
	organisationId: z.string().min(1).max(100)
});

/** The organisations whose templates the user may save and use: those they facilitate in (admins: all). */
export function templateOrganisations(user: Pick<SessionUser, 'id' | 'isAdmin'>) {
	const query = db.select({ id: organisations.id, name: organisations.name }).from(organisations);
	if (user.isAdmin) return query.orderBy(asc(organisations.name));
	return query
		.innerJoin(memberships, eq(memberships.organisationId, organisations.id))
		.where(and(eq(memberships.userId, user.id), eq(memberships.role, 'facilitator')))
		.orderBy(asc(organisations.name));
}

/** The templates the user may start from, by organisation and name. */
export async function listWorkshopTemplates(user: Pick<SessionUser, 'id' | 'isAdmin'>) {
	const mine = await templateOrganisations(user);
	if (!mine.length) return [];
	return (await db
		.select({
			id: workshopTemplates.id,
			name: workshopTemplates.name,
			theme: workshopTemplates.theme,
			organisationId: workshopTemplates.organisationId,
			organisationName: organisations.name,
			perspectives: workshopTemplates.perspectives,
			phases: workshopTemplates.phases
		})
		.from(workshopTemplates)
		.innerJoin(organisations, eq(organisations.id, workshopTemplates.organisationId))
		.where(inArray(workshopTemplates.organisationId, mine.map((organisation) => organisation.id)))
		.orderBy(asc(organisations.name), asc(workshopTemplates.name)))
		.map(({ perspectives, phases, ...template }) => ({ ...template, perspectiveCount: perspectives.length, phaseCount: phases.length }));
}

/** The template, if the user may use it (undefined otherwise, as for one that does not exist). */
export async function getWorkshopTemplate(templateId: string, user: Pick<SessionUser, 'id' | 'isAdmin'>) {
	const template = await first(db.select().from(workshopTemplates).where(eq(workshopTemplates.id, templateId)));
	if (!template || !(await templateOrganisations(user)).some((organisation) => organisation.id === template.organisationId)) return undefined;
	return template;
}

/**
 * Saves the workshop's plan as a template of the organisation. The caller checks that the user facilitates the
 * workshop; here, that they may keep templates for that organisation. Undefined when they may not.
 */
export async function saveWorkshopTemplate(workshopId: string, input: z.output<typeof templateSchema>, user: Pick<SessionUser, 'id' | 'isAdmin'>) {
	const organisation = (await templateOrganisations(user)).find((candidate) => candidate.id === input.organisationId);
	const details = await getWorkshopDetails(workshopId);
	if (!organisation || !details) return undefined;
	const template = await one(db
		.insert(workshopTemplates)
		.values({
			id: generateSecureRandomString(12),
			organisationId: organisation.id,
			name: input.name,
			theme: details.workshop.theme,
			description: details.workshop.description,
			perspectives: details.perspectives.map(({ title, description }) => ({ title, description })),
			phases: details.phases.map(({ kind, title, durationMinutes }) => ({ kind, title, durationMinutes })),
			createdBy: user.id
		})
		.returning());
	return { template, organisation };
}
