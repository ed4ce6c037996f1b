import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const locales = ['fi', 'sv', 'en'] as const;
export const organisationKinds = ['city', 'agency', 'ngo'] as const;
export const membershipRoles = ['member', 'programme_lead', 'facilitator'] as const;

const createdAt = () =>
	integer('created_at', { mode: 'timestamp_ms' })
		.notNull()
		.default(sql`(unixepoch('subsec') * 1000)`);

export const users = sqliteTable('users', {
	id: text('id').primaryKey(),
	email: text('email').notNull().unique(),
	name: text('name').notNull(),
	passwordHash: text('password_hash').notNull(),
	locale: text('locale', { enum: locales }).notNull().default('fi'),
	isAdmin: integer('is_admin', { mode: 'boolean' }).notNull().default(false),
	createdAt: createdAt()
});

export const sessions = sqliteTable(
	'sessions',
	{
		id: text('id').primaryKey(),
		// Only a hash of the token's secret is stored: a leaked database does not leak sessions.
		secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		createdAt: createdAt(),
		lastVerifiedAt: integer('last_verified_at', { mode: 'timestamp_ms' }).notNull()
	},
	(table) => [index('sessions_user_idx').on(table.userId)]
);

export const failedSignIns = sqliteTable(
	'failed_sign_ins',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		email: text('email').notNull(),
		attemptedAt: integer('attempted_at', { mode: 'timestamp_ms' }).notNull()
	},
	(table) => [index('failed_sign_ins_email_idx').on(table.email, table.attemptedAt)]
);

export const organisations = sqliteTable('organisations', {
	id: text('id').primaryKey(),
	name: text('name').notNull().unique(),
	kind: text('kind', { enum: organisationKinds }).notNull(),
	municipality: text('municipality').notNull(),
	createdAt: createdAt()
});

export const memberships = sqliteTable(
	'memberships',
	{
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		organisationId: text('organisation_id')
			.notNull()
			.references(() => organisations.id, { onDelete: 'cascade' }),
		role: text('role', { enum: membershipRoles }).notNull().default('member'),
		createdAt: createdAt()
	},
	(table) => [
		primaryKey({ columns: [table.userId, table.organisationId] }),
		index('memberships_organisation_idx').on(table.organisationId)
	]
);

export type User = typeof users.$inferSelect;
export type Session = typeof sessions.$inferSelect;
export type Organisation = typeof organisations.$inferSelect;
export type Locale = (typeof locales)[number];
export type OrganisationKind = (typeof organisationKinds)[number];
export type MembershipRole = (typeof membershipRoles)[number];
