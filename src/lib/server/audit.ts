// The audit log (issue 17): security- and decision-relevant actions, who did them, when and from which address.
// Written in the same transaction as the action; append-only (triggers in the migration refuse UPDATE and DELETE);
// pruned after VERSTAS_AUDIT_RETENTION_DAYS by the only path the DELETE trigger lets through.
import { AsyncLocalStorage } from 'node:async_hooks';
import { and, count, desc, eq, gte, lt, lte } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { z } from 'zod';
import { changedRows, db, type Executor, first } from './db';
import { auditEvents, auditPruneGate, pilots, users, workshops } from './db/schema';
import { generateSecureRandomString } from './session';

/** Every action the log records (the other domains' actions are added here). */
export const auditActions = [
	'sign_in',
	'sign_in_failed',
	'membership_added',
	'membership_role_changed',
	'membership_removed',
	'pilot_transition',
	'vote_round_opened',
	'vote_round_closed',
	'vote_round_revealed',
	'participant_removed',
	'participant_role_changed',
	'areas_imported',
	'password_changed',
	'password_reset',
	'data_exported',
	'account_deleted',
	'guests_anonymised'
] as const;
export type AuditAction = (typeof auditActions)[number];

type Actor = { id: string | null; label: string };

/** Who is acting in the current request and from where; set by hooks.server.ts around every request. */
type Context = { actor: Actor | null; address: () => string | null };
const requestActor = new AsyncLocalStorage<Context>();

/** Runs a request with its actor (the signed-in user, if any) and client address known to recordAudit. */
export function withAuditContext<T>(context: Context, run: () => T): T {
	return requestActor.run(context, run);
}

export type AuditEntry = {
	action: AuditAction;
	/** default: the request's signed-in user, else "system" */
	actor?: Actor;
	subject?: { kind: string; id: string };
	details?: Record<string, unknown>;
	/** default: the request's client address */
	address?: string | null;
	at?: Date;
};

/** An account as the actor, by id (its name is the label that stays if the account goes). */
export async function userActor(executor: Executor, userId: string): Promise<Actor> {
	const user = await first(executor.select({ name: users.name }).from(users).where(eq(users.id, userId)));
	return { id: user ? userId : null, label: user?.name ?? 'system' };
}

/** Appends one event on `executor`: pass the action's transaction so both commit or neither does. */
export async function recordAudit(executor: Executor, entry: AuditEntry) {
	const context = requestActor.getStore();
	const actor = entry.actor ?? context?.actor ?? { id: null, label: 'system' };
	await executor
		.insert(auditEvents)
		.values({
			id: generateSecureRandomString(12),
			at: entry.at ?? new Date(),
			actorId: actor.id,
			actorLabel: actor.label,
			action: entry.action,
			subjectKind: entry.subject?.kind ?? null,
			subjectId: entry.subject?.id ?? null,
			details: entry.details ?? {},
			address: entry.address !== undefined ? entry.address : (context?.address() ?? null)
		});
}

const day = 86_400_000;

/** How long events are kept (VERSTAS_AUDIT_RETENTION_DAYS, default 365). */
export function auditRetentionDays(env: Record<string, string | undefined> = process.env) {
	const parsed = Number(env.VERSTAS_AUDIT_RETENTION_DAYS?.trim());
	return Number.isInteger(parsed) && parsed > 0 ? parsed : 365;
}

/** Deletes events older than the retention period; the gate row opens the DELETE trigger for this transaction only. */
export function pruneAudit(now = Date.now(), retentionDays = auditRetentionDays()) {
	return db.transaction(async (tx) => {
		await tx.insert(auditPruneGate).values({ open: 1 }).onConflictDoNothing();
		const changes = changedRows(await tx.delete(auditEvents).where(lt(auditEvents.at, new Date(now - retentionDays * day))));
		await tx.delete(auditPruneGate);
		return changes;
	});
}

/** Prunes now and then every hour; returns the stop function. */
export async function startAuditPruning(everyMs = 60 * 60_000) {
	const prune = async () => {
		try {
			await pruneAudit();
		} catch (error) {
			console.error('audit pruning failed', error);
		}
	};
	await prune();
	const timer = setInterval(prune, everyMs);
	timer.unref();
	return () => clearInterval(timer);
}

const isoDate = z.iso.date();
/** The admin view's filters, from the query string; anything invalid is ignored rather than refused. */
export const auditFilterSchema = z.object({
	action: z.enum(auditActions).optional().catch(undefined),
	actor: z.string().trim().max(254).optional().catch(undefined),
	from: isoDate.optional().catch(undefined),
	to: isoDate.optional().catch(undefined),
	page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1)
});
export type AuditFilter = z.output<typeof auditFilterSchema>;

export const auditPageSize = 50;

/** One page of events, newest first, with the total that match. Dates are whole UTC days, both ends included. */
export async function listAudit(filter: AuditFilter) {
	const conditions = [
		filter.action ? eq(auditEvents.action, filter.action) : undefined,
		filter.actor ? eq(users.email, filter.actor.toLowerCase()) : undefined,
		filter.from ? gte(auditEvents.at, new Date(`${filter.from}T00:00:00Z`)) : undefined,
		filter.to ? lte(auditEvents.at, new Date(new Date(`${filter.to}T00:00:00Z`).getTime() + day - 1)) : undefined
	];
	const where = and(...conditions);
	const [{ total }] = [(await first(db.select({ total: count() }).from(auditEvents).leftJoin(users, eq(users.id, auditEvents.actorId)).where(where)))!];
	// The subject by the name an admin knows it by (an account's email, a pilot's or workshop's title), where it still exists.
	const subjectUser = alias(users, 'subject_user');
	const rows = await db
		.select({ event: auditEvents, actorEmail: users.email, subjectEmail: subjectUser.email, pilotTitle: pilots.title, workshopTitle: workshops.title })
		.from(auditEvents)
		.leftJoin(users, eq(users.id, auditEvents.actorId))
		.leftJoin(subjectUser, and(eq(auditEvents.subjectKind, 'user'), eq(subjectUser.id, auditEvents.subjectId)))
		.leftJoin(pilots, and(eq(auditEvents.subjectKind, 'pilot'), eq(pilots.id, auditEvents.subjectId)))
		.leftJoin(workshops, and(eq(auditEvents.subjectKind, 'workshop'), eq(workshops.id, auditEvents.subjectId)))
		.where(where)
		.orderBy(desc(auditEvents.at), desc(auditEvents.id))
		.limit(auditPageSize)
		.offset((filter.page - 1) * auditPageSize);
	return {
		total,
		pages: Math.max(1, Math.ceil(total / auditPageSize)),
		events: rows.map(({ event, actorEmail, subjectEmail, pilotTitle, workshopTitle }) => ({ ...event, actorEmail, subjectName: subjectEmail ?? pilotTitle ?? workshopTitle }))
	};
}
