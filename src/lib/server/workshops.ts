import { and, asc, desc, eq, inArray, isNotNull, isNull, notInArray, or, sql } from 'drizzle-orm';
import { recordAudit } from './audit';
import { z } from 'zod';
import { fromDateTimeLocal } from '../format';
import { m } from '../paraglide/messages.js';
import { cacheUntilWrite, changedRows, db, type Executor, first, one, preparedOnce, unchangedSinceLastWrite } from './db';
import {
	memberships,
	organisations,
	participants,
	phaseKinds,
	users,
	workshopFacilitators,
	workshopOrganisations,
	workshopPerspectives,
	workshopPhases,
	workshops,
	type ParticipantRole,
	type PhaseKind,
	type Workshop
} from './db/schema';
import { enumField, requiredText } from './forms';
import { queueInvitationCancels, queueInvitationChanges } from './invitations';
import {
	generateSecureRandomString,
	hashSecret,
	secretMatches,
	sessionCookieName,
	splitToken,
	validateSessionToken,
	type SessionUser
} from './session';

// Join codes: no 0/1/I, so O and L cannot be mistaken; typed look-alikes are mapped back.
export const joinCodeAlphabet = 'ABCDEFGHJKLMNOPQRSTUVWXYZ23456789';
export const joinCodeLength = 6;
export const maxPerspectives = 6;
/** A workshop lasts this long unless the facilitator says otherwise (calendars need an end). */
export const defaultWorkshopMinutes = 180;
export const maxWorkshopMinutes = 24 * 60;
export const guestCookiePrefix = 'verstas_guest_';
/** A guest token works for 30 days after joining (a workshop and its follow-up), then the guest joins anew. */
export const guestTokenLifetimeMs = 1000 * 60 * 60 * 24 * 30;
/** A long-lived random id of the browser, set on the join page: a removed person cannot rejoin from it under a new name. */
export const deviceCookieName = 'verstas_device';
/** Chromium keeps no cookie longer than 400 days. */
export const deviceCookieMaxAge = 60 * 60 * 24 * 400;
const deviceIdPattern = /^[a-z0-9]{24,64}$/;

/** The device id from the cookie when it is one we could have set; anything else counts as no device. */
export function readDeviceId(value: string | undefined) {
	return value && deviceIdPattern.test(value) ? value : null;
}

export function newDeviceId() {
	return generateSecureRandomString(32);
}

export function guestCookieName(workshopId: string) {
	return guestCookiePrefix + workshopId;
}

export function normaliseJoinCode(input: string) {
	return input
		.toUpperCase()
		.replace(/[\s-]/g, '')
		.replace(/0/g, 'O')
		.replace(/[1I]/g, 'L');
}

function generateJoinCode() {
	const bytes = crypto.getRandomValues(new Uint8Array(joinCodeLength));
	return [...bytes].map((byte) => joinCodeAlphabet[byte % joinCodeAlphabet.length]).join('');
}

// Validation -----------------------------------------------------------------------------------------

const optionalText = (max: number) => z.string().trim().max(max, { error: () => m.error_too_long({ max }) }).default('');

export const perspectiveSchema = z.object({
	id: z.string().optional(), // empty for a new perspective
	title: requiredText(80),
	description: optionalText(300)
});
export const phaseSchema = z.object({
	id: z.string().optional(), // empty for a new phase
	kind: enumField(phaseKinds),
	title: requiredText(80),
	durationMinutes: z.coerce
		.number({ error: () => m.error_duration() })
		.int({ error: () => m.error_duration() })
		.min(1, { error: () => m.error_duration() })
		.max(480, { error: () => m.error_duration() })
});

export const workshopSchema = z.object({
	title: requiredText(120),
	theme: requiredText(200),
	description: optionalText(2000),
	startsAt: z
		.string()
		.trim()
		.default('')
		.transform((value, ctx) => {
			if (!value) return null;
			const date = fromDateTimeLocal(value);
			if (!date) {
				ctx.addIssue({ code: 'custom', message: m.error_date_invalid() });
				return z.NEVER;
			}
			return date;
		}),
	durationMinutes: z.coerce
		.number({ error: () => m.error_workshop_duration({ max: maxWorkshopMinutes }) })
		.int({ error: () => m.error_workshop_duration({ max: maxWorkshopMinutes }) })
		.min(15, { error: () => m.error_workshop_duration({ max: maxWorkshopMinutes }) })
		.max(maxWorkshopMinutes, { error: () => m.error_workshop_duration({ max: maxWorkshopMinutes }) })
		.default(defaultWorkshopMinutes),
	location: optionalText(300),
	organisationIds: z.array(z.string()).default([]),
	/** the programme the workshop serves (optional; the route checks the facilitator may use it) */
	programmeId: z.string().max(100).nullish(),
	coFacilitatorEmails: z.array(z.string().trim().toLowerCase()).default([]),
	perspectives: z
		.array(perspectiveSchema)
		.min(1, { error: () => m.error_perspective_count({ max: maxPerspectives }) })
		.max(maxPerspectives, { error: () => m.error_perspective_count({ max: maxPerspectives }) }),
	phases: z.array(phaseSchema).max(30)
});

type WorkshopFields = z.output<typeof workshopSchema>;
/** The form's fields; the length and place may be left out (the default length, no place). */
export type WorkshopInput = Omit<WorkshopFields, 'durationMinutes' | 'location'> & Partial<Pick<WorkshopFields, 'durationMinutes' | 'location'>>;

export const guestJoinSchema = z.object({
	displayName: requiredText(60),
	organisationName: optionalText(120)
});

export function jalostamoTemplate() {
	return {
		perspectives: [
			{ title: m.template_perspective_families(), description: m.template_perspective_families_description() },
			{ title: m.template_perspective_young_adults(), description: m.template_perspective_young_adults_description() },
			{ title: m.template_perspective_participation(), description: m.template_perspective_participation_description() }
		],
		phases: [
			{ kind: 'orientation', title: m.template_phase_orientation(), durationMinutes: 15 },
			{ kind: 'ideas', title: m.template_phase_ideas(), durationMinutes: 20 },
			{ kind: 'grouping', title: m.template_phase_grouping(), durationMinutes: 15 },
			{ kind: 'voting', title: m.template_phase_voting(), durationMinutes: 10 },
			{ kind: 'canvas', title: m.template_phase_canvas(), durationMinutes: 40 },
			{ kind: 'commitments', title: m.template_phase_commitments(), durationMinutes: 15 }
		] satisfies { kind: PhaseKind; title: string; durationMinutes: number }[]
	};
}

// Workshops ------------------------------------------------------------------------------------------

export class UnknownFacilitatorError extends Error {
	constructor(public emails: string[]) {
		super(emails.join(', '));
	}
}

async function facilitatorIdsByEmail(tx: Executor, emails: string[]) {
	if (emails.length === 0) return [];
	const found = await tx.select({ id: users.id, email: users.email }).from(users).where(inArray(users.email, emails));
	const missing = emails.filter((email) => !found.some((user) => user.email === email));
	if (missing.length) throw new UnknownFacilitatorError(missing);
	return found.map((user) => user.id);
}

/** Updates listed rows in place (by id), inserts new ones, deletes the rest; positions follow the list. */
async function syncOrderedRows(
	tx: Executor,
	table: typeof workshopPerspectives | typeof workshopPhases,
	workshopId: string,
	rows: ({ id?: string } & Record<string, unknown>)[]
) {
	const existing = new Set((await tx.select({ id: table.id }).from(table).where(eq(table.workshopId, workshopId))).map((row) => row.id));
	const ids = rows.map((row) => (row.id && existing.has(row.id) ? row.id : undefined));
	await tx.delete(table)
		.where(and(eq(table.workshopId, workshopId), notInArray(table.id, ids.filter((id) => id !== undefined))));
	for (const [position, { id: _, ...values }] of rows.entries()) {
		const id = ids[position];
		// The two tables share id, workshopId and position; the other columns come from the validated form.
		const row = { ...values, position } as never;
		if (id) await tx.update(table).set(row).where(eq(table.id, id));
		else await tx.insert(table).values({ ...(row as object), id: generateSecureRandomString(12), workshopId } as never);
	}
}

async function writeWorkshopParts(tx: Executor, workshopId: string, ownerId: string | null, input: WorkshopInput) {
	// Perspectives and phases keep their ids: notes point at lanes, and the live state at the current phase.
	await syncOrderedRows(tx, workshopPerspectives, workshopId, input.perspectives);
	await syncOrderedRows(tx, workshopPhases, workshopId, input.phases);
	await tx.delete(workshopOrganisations).where(eq(workshopOrganisations.workshopId, workshopId));
	await tx.delete(workshopFacilitators).where(eq(workshopFacilitators.workshopId, workshopId));
	const organisationIds = [...new Set(input.organisationIds)];
	if (organisationIds.length) {
		const known = await tx.select({ id: organisations.id }).from(organisations).where(inArray(organisations.id, organisationIds));
		for (const { id } of known) await tx.insert(workshopOrganisations).values({ workshopId, organisationId: id });
	}
	const facilitatorIds = new Set(await facilitatorIdsByEmail(tx, [...new Set(input.coFacilitatorEmails)]));
	if (ownerId) facilitatorIds.add(ownerId);
	for (const userId of facilitatorIds) await tx.insert(workshopFacilitators).values({ workshopId, userId });
}

/** Creates the workshop with its perspectives, agenda, organisations and facilitators in one transaction. */
export function createWorkshop(input: WorkshopInput, ownerId: string, joinCode?: string) {
	return db.transaction(async (tx) => {
		let code = joinCode ?? generateJoinCode();
		while (await first(tx.select({ id: workshops.id }).from(workshops).where(eq(workshops.joinCode, code)))) code = generateJoinCode();
		const workshop = await one(tx
			.insert(workshops)
			.values({
				id: generateSecureRandomString(12),
				title: input.title,
				theme: input.theme,
				description: input.description,
				startsAt: input.startsAt,
				durationMinutes: input.durationMinutes ?? defaultWorkshopMinutes,
				location: input.location ?? '',
				programmeId: input.programmeId || null,
				joinCode: code,
				createdBy: ownerId
			})
			.returning());
		await writeWorkshopParts(tx, workshop.id, ownerId, input);
		return workshop;
	});
}

/** What a calendar shows of a workshop: a change to any of these is a new version of its event. */
function calendarFields(workshop: Pick<Workshop, 'title' | 'startsAt' | 'durationMinutes' | 'location'>) {
	return JSON.stringify([workshop.title, workshop.startsAt?.getTime() ?? null, workshop.durationMinutes, workshop.location]);
}

/** Saves the form; returns the workshop before and after, so a caller can tell invitees what changed. */
export async function updateWorkshop(workshopId: string, input: WorkshopInput, tx: Executor = db) {
	const write = async (tx: Executor) => {
		const before = (await first(tx.select().from(workshops).where(eq(workshops.id, workshopId))))!;
		const changes = {
			title: input.title,
			theme: input.theme,
			description: input.description,
			startsAt: input.startsAt,
			durationMinutes: input.durationMinutes ?? before.durationMinutes,
			location: input.location ?? before.location,
			programmeId: input.programmeId || null
		};
		const calendarChanged = calendarFields(before) !== calendarFields(changes);
		const after = await one(tx
			.update(workshops)
			.set({ ...changes, calendarSequence: before.calendarSequence + (calendarChanged ? 1 : 0) })
			.where(eq(workshops.id, workshopId))
			.returning());
		await writeWorkshopParts(tx, workshopId, before.createdBy, input);
		// Invitees hear of it in the same transaction: the saved change and its messages come together or not at all.
		if (calendarChanged) await queueInvitationChanges(tx, before, after);
		return { before, after, calendarChanged };
	};
	// Immediate: it reads then writes, and another process (a mail worker) may write in between.
	return tx === db ? await db.transaction(write, { behavior: 'immediate' }) : await write(tx);
}

/**
 * A new workshop with this one's plan: title (with the suffix), theme, description, programme, organisations,
 * facilitators, perspectives and agenda. Not its board, participants or votes; a new join code, no date.
 */
export async function duplicateWorkshop(workshopId: string, ownerId: string, title: (original: string) => string) {
	const details = await getWorkshopDetails(workshopId);
	if (!details) return undefined;
	const { workshop } = details;
	return createWorkshop(
		{
			title: title(workshop.title).slice(0, 120),
			theme: workshop.theme,
			description: workshop.description,
			startsAt: null,
			durationMinutes: workshop.durationMinutes,
			location: workshop.location,
			programmeId: workshop.programmeId,
			organisationIds: details.organisations.map((organisation) => organisation.id),
			coFacilitatorEmails: details.facilitators.filter((facilitator) => facilitator.id !== ownerId).map((facilitator) => facilitator.email),
			perspectives: details.perspectives.map(({ title, description }) => ({ title, description })),
			phases: details.phases.map(({ kind, title, durationMinutes }) => ({ kind, title, durationMinutes }))
		},
		ownerId
	);
}

/** A workshop from scratch: one lane to name (a workshop needs at least one), no agenda. */
export function emptyWorkshopPlan() {
	return { perspectives: [{ title: '', description: '' }], phases: [] as { kind: PhaseKind; title: string; durationMinutes: number }[] };
}

/** Deletes the workshop (everything in it goes with it); its invitees' cancellations are queued first, in the same transaction. */
export function deleteWorkshop(workshopId: string) {
	return db.transaction(async (tx) => {
		const workshop = await first(tx.select().from(workshops).where(eq(workshops.id, workshopId)));
		if (!workshop) return false;
		await queueInvitationCancels(tx, workshop);
		return changedRows((await tx.delete(workshops).where(eq(workshops.id, workshopId)))) > 0;
	}, { behavior: 'immediate' });
}

// Read on every board page, vote and WebSocket upgrade: built and prepared once.
const workshopById = preparedOnce((db) => db.select().from(workshops).where(eq(workshops.id, sql.placeholder('id'))).prepare());
const perspectivesOf = preparedOnce((db) =>
	db
		.select({ id: workshopPerspectives.id, title: workshopPerspectives.title, description: workshopPerspectives.description })
		.from(workshopPerspectives)
		.where(eq(workshopPerspectives.workshopId, sql.placeholder('workshopId')))
		.orderBy(asc(workshopPerspectives.position))
		.prepare()
);
const phasesOf = preparedOnce((db) =>
	db
		.select()
		.from(workshopPhases)
		.where(eq(workshopPhases.workshopId, sql.placeholder('workshopId')))
		.orderBy(asc(workshopPhases.position))
		.prepare()
);

export async function getWorkshop(workshopId: string) {
	const [workshop] = await workshopById().execute({ id: workshopId });
	return workshop;
}

export function getWorkshopByCode(code: string) {
	return first(db.select().from(workshops).where(eq(workshops.joinCode, normaliseJoinCode(code))));
}

/**
 * What the board page shows of its workshop (title, lanes, agenda), read once and reused until the next write:
 * a room joining at once from the code on the screen asks for it hundreds of times. Shared: not to be changed.
 */
export function getBoardFrame(workshopId: string) {
	return unchangedSinceLastWrite(`board-frame:${workshopId}`, async () => {
		const workshop = await getWorkshop(workshopId);
		return workshop && { workshop, perspectives: await listPerspectives(workshopId), phases: await listPhases(workshopId) };
	});
}

/** Everything the edit form shows. */
export async function getWorkshopDetails(workshopId: string) {
	const workshop = await getWorkshop(workshopId);
	if (!workshop) return undefined;
	return {
		workshop,
		perspectives: await listPerspectives(workshopId),
		phases: await listPhases(workshopId),
		organisations: await db
			.select({ id: organisations.id, name: organisations.name })
			.from(workshopOrganisations)
			.innerJoin(organisations, eq(organisations.id, workshopOrganisations.organisationId))
			.where(eq(workshopOrganisations.workshopId, workshopId))
			.orderBy(asc(organisations.name)),
		facilitators: await db
			.select({ id: users.id, name: users.name, email: users.email })
			.from(workshopFacilitators)
			.innerJoin(users, eq(users.id, workshopFacilitators.userId))
			.where(eq(workshopFacilitators.workshopId, workshopId))
			.orderBy(asc(users.name))
	};
}

// execute, not all: PostgreSQL's prepared all() gives the driver's rows unmapped (duration_minutes, not durationMinutes).
export function listPerspectives(workshopId: string) {
	return perspectivesOf().execute({ workshopId });
}

export function listPhases(workshopId: string) {
	return phasesOf().execute({ workshopId });
}

/** Workshops the user facilitates or takes part in, newest first. */
export function listWorkshopsForUser(userId: string) {
	const facilitated = db.select({ id: workshopFacilitators.workshopId }).from(workshopFacilitators).where(eq(workshopFacilitators.userId, userId));
	const joined = db
		.select({ id: participants.workshopId })
		.from(participants)
		.where(and(eq(participants.userId, userId), isNull(participants.removedAt)));
	return db
		.select({
			id: workshops.id,
			title: workshops.title,
			theme: workshops.theme,
			startsAt: workshops.startsAt,
			joinCode: workshops.joinCode,
			facilitating: sql<boolean>`${workshops.id} IN ${facilitated}`.mapWith(Boolean)
		})
		.from(workshops)
		.where(or(inArray(workshops.id, facilitated), inArray(workshops.id, joined)))
		.orderBy(desc(workshops.startsAt), desc(workshops.createdAt));
}

/** Admins and members with the facilitator role in some organisation may prepare workshops. */
export async function canCreateWorkshops(user: Pick<SessionUser, 'id' | 'isAdmin'>) {
	if (user.isAdmin) return true;
	return !!await first(db
		.select({ one: sql`1` })
		.from(memberships)
		.where(and(eq(memberships.userId, user.id), eq(memberships.role, 'facilitator'))));
}

const facilitatorRow = preparedOnce((db) =>
	db
		.select({ one: sql`1` })
		.from(workshopFacilitators)
		.where(and(eq(workshopFacilitators.workshopId, sql.placeholder('workshopId')), eq(workshopFacilitators.userId, sql.placeholder('userId'))))
		.prepare()
);

export async function isFacilitator(workshopId: string, userId: string) {
	return (await facilitatorRow().execute({ workshopId, userId })).length > 0;
}

export async function setJoiningOpen(workshopId: string, open: boolean) {
	await db.update(workshops).set({ joiningOpen: open }).where(eq(workshops.id, workshopId));
}

// Participants and guest sessions ----------------------------------------------------------------------

export function listParticipants(workshopId: string) {
	return db
		.select({
			id: participants.id,
			displayName: participants.displayName,
			organisationName: participants.organisationName,
			role: participants.role,
			isGuest: sql<boolean>`${participants.userId} IS NULL`.mapWith(Boolean),
			joinedAt: participants.joinedAt
		})
		.from(participants)
		.where(and(eq(participants.workshopId, workshopId), isNull(participants.removedAt)))
		.orderBy(asc(participants.joinedAt));
}

/** Those a facilitator removed, most recently removed first: the workshop page offers to restore them. */
export async function listRemovedParticipants(workshopId: string) {
	return (await db
		.select({
			id: participants.id,
			displayName: participants.displayName,
			organisationName: participants.organisationName,
			isGuest: sql<boolean>`${participants.userId} IS NULL`.mapWith(Boolean),
			removedAt: participants.removedAt
		})
		.from(participants)
		.where(and(eq(participants.workshopId, workshopId), isNotNull(participants.removedAt)))
		.orderBy(desc(participants.removedAt)))
		.map((participant) => ({ ...participant, removedAt: participant.removedAt! }));
}

/**
 * A guest joins with a display name; the token (participant id + secret) is their session for this workshop only.
 * The device id (see deviceCookieName) is kept with them, so that removing them also keeps that browser out.
 */
export async function joinAsGuest(workshopId: string, guest: { displayName: string; organisationName?: string }, deviceId: string | null = null) {
	const id = generateSecureRandomString();
	const secret = generateSecureRandomString();
	await db.insert(participants)
		.values({
			id,
			workshopId,
			displayName: guest.displayName,
			organisationName: guest.organisationName ?? '',
			guestSecretHash: hashSecret(secret),
			deviceId
		});
	return { participantId: id, token: `${id}.${secret}` };
}

/** Signed-in users join once; joining again returns the same participant (unless a facilitator removed them). */
export async function joinAsUser(workshopId: string, user: Pick<SessionUser, 'id' | 'name'>, deviceId: string | null = null) {
	const existing = await first(db
		.select()
		.from(participants)
		.where(and(eq(participants.workshopId, workshopId), eq(participants.userId, user.id))));
	if (existing) return existing.removedAt ? null : existing;
	const organisationName =
		(await first(db
			.select({ name: organisations.name })
			.from(memberships)
			.innerJoin(organisations, eq(organisations.id, memberships.organisationId))
			.where(eq(memberships.userId, user.id))
			.orderBy(asc(organisations.name))))?.name ?? '';
	return one(db
		.insert(participants)
		.values({ id: generateSecureRandomString(), workshopId, userId: user.id, displayName: user.name, organisationName, deviceId })
		.returning());
}

/**
 * Whether a facilitator removed this requester from the workshop: their account, their guest token (a genuine one:
 * the secret must match), or anyone who joined from their browser (device cookie). Joining is refused then, and
 * the join page says why. Asked only when the requester has no working place in the workshop (resolveWorkshopAccess).
 */
export async function isRemoved(
	workshopId: string,
	who: { user: Pick<SessionUser, 'id'> | null; guestToken: string | undefined; deviceId: string | null }
) {
	const removed = and(eq(participants.workshopId, workshopId), isNotNull(participants.removedAt));
	if (who.user && await first(db.select({ one: sql`1` }).from(participants).where(and(removed, eq(participants.userId, who.user.id))))) return true;
	const parts = splitToken(who.guestToken);
	if (parts) {
		const [guest] = await guestById().execute({ id: parts.id, workshopId });
		if (guest?.removedAt && guest.guestSecretHash && secretMatches(parts.secret, guest.guestSecretHash)) return true;
	}
	return !!who.deviceId && !!await first(db.select({ one: sql`1` }).from(participants).where(and(removed, eq(participants.deviceId, who.deviceId))));
}

// Every request of every guest checks their token.
const guestById = preparedOnce((db) =>
	db
		.select()
		.from(participants)
		.where(and(eq(participants.id, sql.placeholder('id')), eq(participants.workshopId, sql.placeholder('workshopId'))))
		.prepare()
);

// A room's guests each load the board and open its socket (re-authorised every minute): their rows are read
// once until the next write, which any removal, rename or role change is (on PostgreSQL one round trip fewer a page).
const guestRows = cacheUntilWrite(1000);

export async function validateGuestToken(workshopId: string, token: string | undefined, now = Date.now()) {
	const parts = splitToken(token);
	if (!parts) return null;
	const [participant] = await guestRows(`${workshopId}|${parts.id}`, () => guestById().execute({ id: parts.id, workshopId }));
	if (!participant?.guestSecretHash || participant.removedAt) return null;
	// Expired on the server, whatever the cookie's own expiry says (a copied cookie has none).
	if (now - participant.joinedAt.getTime() >= guestTokenLifetimeMs) return null;
	return secretMatches(parts.secret, participant.guestSecretHash) ? participant : null;
}

/**
 * Marks the participant removed (the row stays: what they wrote keeps its author, and the removal can be undone).
 * Guests who joined from the same browser under other names go with them: it is the same phone. Returns the ids
 * removed now (empty when there was no such participant), so their live connections can be closed.
 */
export function removeParticipant(workshopId: string, participantId: string) {
	return db.transaction(async (tx) => {
		const active = and(eq(participants.workshopId, workshopId), isNull(participants.removedAt));
		const participant = await first(tx.select().from(participants).where(and(active, eq(participants.id, participantId))));
		if (!participant) return [];
		const sameDevice = participant.deviceId ? and(active, isNull(participants.userId), eq(participants.deviceId, participant.deviceId)) : undefined;
		const removed = (await tx
			.update(participants)
			.set({ removedAt: new Date() })
			.where(sameDevice ? or(and(active, eq(participants.id, participantId)), sameDevice) : and(active, eq(participants.id, participantId)))
			.returning({ id: participants.id }))
			.map((row) => row.id);
		await recordAudit(tx, { action: 'participant_removed', subject: { kind: 'participant', id: participantId }, details: { workshopId, removed } });
		return removed;
	});
}

/** Undoes a removal: the person gets back in as before (the same guest token or account, the same name). */
export async function restoreParticipant(workshopId: string, participantId: string) {
	return (
		changedRows((await db
			.update(participants)
			.set({ removedAt: null })
			.where(and(eq(participants.workshopId, workshopId), eq(participants.id, participantId), isNotNull(participants.removedAt))))) > 0
	);
}

export function setParticipantRole(workshopId: string, participantId: string, role: ParticipantRole) {
	return db.transaction(async (tx) => {
		const changed =
			changedRows((await tx
				.update(participants)
				.set({ role })
				.where(and(eq(participants.workshopId, workshopId), eq(participants.id, participantId), isNull(participants.removedAt))))) > 0;
		if (changed) await recordAudit(tx, { action: 'participant_role_changed', subject: { kind: 'participant', id: participantId }, details: { workshopId, to: role } });
		return changed;
	});
}

// Access ---------------------------------------------------------------------------------------------

export type WorkshopAccess = {
	workshopId: string;
	role: 'facilitator' | ParticipantRole;
	participantId: string | null;
	userId: string | null;
	displayName: string;
	/** a guest's: when their token stops working (30 days after joining) */
	guestExpiresAt?: number;
};

/**
 * Who the requester is in this workshop: a facilitator, a participant (signed in or guest), an observer,
 * or nobody (null). Signed-in users are not joined here; joining is an explicit step (/w/{code}).
 */
export async function resolveWorkshopAccess(
	workshopId: string,
	who: { user: Pick<SessionUser, 'id' | 'name'> | null; guestToken: string | undefined }
): Promise<WorkshopAccess | null> {
	if (who.user) {
		if (await isFacilitator(workshopId, who.user.id)) {
			const participant = await first(
				db
					.select({ id: participants.id })
					.from(participants)
					.where(and(eq(participants.workshopId, workshopId), eq(participants.userId, who.user.id)))
			);
			return { workshopId, role: 'facilitator', participantId: participant?.id ?? null, userId: who.user.id, displayName: who.user.name };
		}
		const participant = await first(
			db
				.select()
				.from(participants)
				.where(and(eq(participants.workshopId, workshopId), eq(participants.userId, who.user.id), isNull(participants.removedAt)))
		);
		if (participant) {
			return { workshopId, role: participant.role, participantId: participant.id, userId: who.user.id, displayName: participant.displayName };
		}
	}
	const guest = await validateGuestToken(workshopId, who.guestToken);
	if (guest)
		return { workshopId, role: guest.role, participantId: guest.id, userId: null, displayName: guest.displayName, guestExpiresAt: guest.joinedAt.getTime() + guestTokenLifetimeMs };
	return null;
}

function readCookie(header: string | undefined, name: string) {
	for (const part of (header ?? '').split(';')) {
		const [key, ...value] = part.trim().split('=');
		if (key === name) return decodeURIComponent(value.join('='));
	}
	return undefined;
}

/** For the WebSocket upgrade (and its periodic re-authorisation): the same decision as page loads, from the raw Cookie header. */
export async function resolveBoardAccess(workshopId: string, cookieHeader: string | undefined) {
	if (!(await getWorkshop(workshopId))) return { ok: false as const, status: 404 as const };
	const sessionToken = readCookie(cookieHeader, sessionCookieName);
	const session = sessionToken ? await validateSessionToken(sessionToken) : null;
	const user = session?.user ?? null;
	const guestToken = readCookie(cookieHeader, guestCookieName(workshopId));
	const access = await resolveWorkshopAccess(workshopId, { user, guestToken });
	if (access) {
		// When this access ends by time alone: the session's expiry, or the guest token's.
		const expiresAt = access.userId !== null ? session?.session.expiresAt.getTime() : access.guestExpiresAt;
		return { ok: true as const, ...access, expiresAt };
	}
	return { ok: false as const, status: user ? (403 as const) : (401 as const) };
}

/** Shapes the workshop form's flat fields (`perspectives.0.title`, `phases.2.kind` …) into the schema's input. */
export function readWorkshopForm(formData: FormData) {
	const text = (key: string) => String(formData.get(key) ?? '');
	const rows = <Field extends string>(prefix: string, fields: readonly Field[]) => {
		const indices = new Set<number>();
		for (const key of formData.keys()) {
			const match = key.match(new RegExp(`^${prefix}\\.(\\d+)\\.`));
			if (match) indices.add(Number(match[1]));
		}
		return [...indices]
			.sort((a, b) => a - b)
			.map((index) => Object.fromEntries(fields.map((field) => [field, text(`${prefix}.${index}.${field}`)])) as Record<Field, string>);
	};
	return {
		title: text('title'),
		theme: text('theme'),
		description: text('description'),
		startsAt: text('startsAt'),
		durationMinutes: text('durationMinutes') || undefined,
		location: text('location'),
		programmeId: text('programmeId'),
		organisationIds: formData.getAll('organisationIds').map(String),
		coFacilitatorEmails: text('coFacilitators')
			.split(/[\s,;]+/)
			.filter(Boolean),
		perspectives: rows('perspectives', ['id', 'title', 'description'] as const),
		phases: rows('phases', ['id', 'kind', 'title', 'durationMinutes'] as const)
	};
}

export type WorkshopFormInput = ReturnType<typeof readWorkshopForm>;
