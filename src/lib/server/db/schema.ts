import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

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

// Workshops -------------------------------------------------------------------------------------------

export const phaseKinds = ['orientation', 'ideas', 'grouping', 'voting', 'canvas', 'commitments', 'free'] as const;
export const participantRoles = ['participant', 'observer'] as const;

export const workshops = sqliteTable('workshops', {
	id: text('id').primaryKey(),
	title: text('title').notNull(),
	theme: text('theme').notNull(),
	description: text('description').notNull().default(''),
	startsAt: integer('starts_at', { mode: 'timestamp_ms' }),
	joinCode: text('join_code').notNull().unique(),
	joiningOpen: integer('joining_open', { mode: 'boolean' }).notNull().default(true),
	createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
	createdAt: createdAt()
});

export const workshopPerspectives = sqliteTable(
	'workshop_perspectives',
	{
		id: text('id').primaryKey(),
		workshopId: text('workshop_id')
			.notNull()
			.references(() => workshops.id, { onDelete: 'cascade' }),
		position: integer('position').notNull(),
		title: text('title').notNull(),
		description: text('description').notNull().default('')
	},
	(table) => [index('workshop_perspectives_workshop_idx').on(table.workshopId, table.position)]
);

export const workshopPhases = sqliteTable(
	'workshop_phases',
	{
		id: text('id').primaryKey(),
		workshopId: text('workshop_id')
			.notNull()
			.references(() => workshops.id, { onDelete: 'cascade' }),
		position: integer('position').notNull(),
		kind: text('kind', { enum: phaseKinds }).notNull(),
		title: text('title').notNull(),
		durationMinutes: integer('duration_minutes').notNull()
	},
	(table) => [index('workshop_phases_workshop_idx').on(table.workshopId, table.position)]
);

export const workshopOrganisations = sqliteTable(
	'workshop_organisations',
	{
		workshopId: text('workshop_id')
			.notNull()
			.references(() => workshops.id, { onDelete: 'cascade' }),
		organisationId: text('organisation_id')
			.notNull()
			.references(() => organisations.id, { onDelete: 'cascade' })
	},
	(table) => [primaryKey({ columns: [table.workshopId, table.organisationId] })]
);

export const workshopFacilitators = sqliteTable(
	'workshop_facilitators',
	{
		workshopId: text('workshop_id')
			.notNull()
			.references(() => workshops.id, { onDelete: 'cascade' }),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' })
	},
	(table) => [primaryKey({ columns: [table.workshopId, table.userId] }), index('workshop_facilitators_user_idx').on(table.userId)]
);

/** Everyone who joined a workshop: signed-in users and guests (a guest session is scoped to one workshop). */
export const participants = sqliteTable(
	'participants',
	{
		id: text('id').primaryKey(),
		workshopId: text('workshop_id')
			.notNull()
			.references(() => workshops.id, { onDelete: 'cascade' }),
		userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
		displayName: text('display_name').notNull(),
		organisationName: text('organisation_name').notNull().default(''),
		role: text('role', { enum: participantRoles }).notNull().default('participant'),
		// Guests only: sha-256 of the guest token's secret, as for sessions.
		guestSecretHash: blob('guest_secret_hash', { mode: 'buffer' }),
		removedAt: integer('removed_at', { mode: 'timestamp_ms' }),
		joinedAt: createdAt()
	},
	(table) => [
		index('participants_workshop_idx').on(table.workshopId),
		uniqueIndex('participants_workshop_user_idx').on(table.workshopId, table.userId)
	]
);

// Boards: the Yjs update log and its compacted snapshot --------------------------------------------------

export const boardUpdates = sqliteTable(
	'board_updates',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		workshopId: text('workshop_id')
			.notNull()
			.references(() => workshops.id, { onDelete: 'cascade' }),
		update: blob('update', { mode: 'buffer' }).notNull()
	},
	(table) => [index('board_updates_workshop_idx').on(table.workshopId, table.id)]
);

export const boardSnapshots = sqliteTable('board_snapshots', {
	workshopId: text('workshop_id')
		.primaryKey()
		.references(() => workshops.id, { onDelete: 'cascade' }),
	state: blob('state', { mode: 'buffer' }).notNull(),
	// Updates with an id up to this one are folded into the state.
	lastUpdateId: integer('last_update_id').notNull(),
	updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull()
});

export type Workshop = typeof workshops.$inferSelect;
export type PhaseKind = (typeof phaseKinds)[number];
export type ParticipantRole = (typeof participantRoles)[number];
export type Participant = typeof participants.$inferSelect;

// Running a workshop live: the facilitator's cockpit state (one row per workshop, created on first use) -----

export const liveFocusKinds = ['lane', 'note', 'idea'] as const;

export const workshopLive = sqliteTable('workshop_live', {
	workshopId: text('workshop_id')
		.primaryKey()
		.references(() => workshops.id, { onDelete: 'cascade' }),
	phaseId: text('phase_id').references(() => workshopPhases.id, { onDelete: 'set null' }),
	/** ms epoch, server clock */
	phaseStartedAt: integer('phase_started_at'),
	locked: integer('locked', { mode: 'boolean' }).notNull().default(false),
	privateWriting: integer('private_writing', { mode: 'boolean' }).notNull().default(false),
	anonymousReveal: integer('anonymous_reveal', { mode: 'boolean' }).notNull().default(false),
	/** ms epoch while the timer runs, null while paused */
	timerEndsAt: integer('timer_ends_at'),
	/** the remaining time while paused */
	timerRemainingMs: integer('timer_remaining_ms').notNull().default(0),
	timerDurationMs: integer('timer_duration_ms').notNull().default(0),
	focusKind: text('focus_kind', { enum: liveFocusKinds }),
	focusId: text('focus_id'),
	focusSeq: integer('focus_seq').notNull().default(0),
	revealSeq: integer('reveal_seq').notNull().default(0),
	updatedAt: integer('updated_at').notNull().default(0)
});

/** Each participant's private notes (private writing): a Yjs document per participant, stored like a board. */
export const privateBoardUpdates = sqliteTable(
	'private_board_updates',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		workshopId: text('workshop_id')
			.notNull()
			.references(() => workshops.id, { onDelete: 'cascade' }),
		participantId: text('participant_id')
			.notNull()
			.references(() => participants.id, { onDelete: 'cascade' }),
		update: blob('update', { mode: 'buffer' }).notNull()
	},
	(table) => [index('private_board_updates_owner_idx').on(table.workshopId, table.participantId, table.id)]
);

export const privateBoardSnapshots = sqliteTable(
	'private_board_snapshots',
	{
		workshopId: text('workshop_id')
			.notNull()
			.references(() => workshops.id, { onDelete: 'cascade' }),
		participantId: text('participant_id')
			.notNull()
			.references(() => participants.id, { onDelete: 'cascade' }),
		state: blob('state', { mode: 'buffer' }).notNull(),
		lastUpdateId: integer('last_update_id').notNull(),
		updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull()
	},
	(table) => [primaryKey({ columns: [table.workshopId, table.participantId] })]
);

export type WorkshopLive = typeof workshopLive.$inferSelect;
export type LiveFocusKind = (typeof liveFocusKinds)[number];

// Voting rounds: server-authoritative votes over board items frozen when the round opens ---------------------

export const voteMethods = ['dot', 'ranking', 'rating'] as const;
export const voteRoundStatuses = ['open', 'closed', 'revealed'] as const;
export const voteItemKinds = ['note', 'cluster', 'idea'] as const;

export const voteRounds = sqliteTable(
	'vote_rounds',
	{
		id: text('id').primaryKey(),
		workshopId: text('workshop_id')
			.notNull()
			.references(() => workshops.id, { onDelete: 'cascade' }),
		method: text('method', { enum: voteMethods }).notNull(),
		status: text('status', { enum: voteRoundStatuses }).notNull().default('open'),
		anonymous: integer('anonymous', { mode: 'boolean' }).notNull().default(false),
		resultsHidden: integer('results_hidden', { mode: 'boolean' }).notNull().default(false),
		allowChanges: integer('allow_changes', { mode: 'boolean' }).notNull().default(true),
		budget: integer('budget').notNull().default(5),
		cap: integer('cap').notNull().default(3),
		rankingSize: integer('ranking_size'),
		/** a user id ('user:<id>' is not needed here: only facilitators open rounds) */
		openedBy: text('opened_by').references(() => users.id, { onDelete: 'set null' }),
		openedAt: integer('opened_at', { mode: 'timestamp_ms' }).notNull(),
		closedAt: integer('closed_at', { mode: 'timestamp_ms' }),
		revealedAt: integer('revealed_at', { mode: 'timestamp_ms' })
	},
	(table) => [index('vote_rounds_workshop_idx').on(table.workshopId, table.openedAt)]
);

export const voteRoundItems = sqliteTable(
	'vote_round_items',
	{
		roundId: text('round_id')
			.notNull()
			.references(() => voteRounds.id, { onDelete: 'cascade' }),
		/** the board item's id (Yjs note, cluster or idea card) */
		itemId: text('item_id').notNull(),
		kind: text('kind', { enum: voteItemKinds }).notNull(),
		/** the item's text frozen when the round opened */
		text: text('text').notNull(),
		position: integer('position').notNull()
	},
	(table) => [primaryKey({ columns: [table.roundId, table.itemId] })]
);

export const votes = sqliteTable(
	'votes',
	{
		roundId: text('round_id')
			.notNull()
			.references(() => voteRounds.id, { onDelete: 'cascade' }),
		/** a participant id, or 'user:<id>' for a facilitator voting without a participant row */
		voterId: text('voter_id').notNull(),
		itemId: text('item_id').notNull(),
		points: integer('points'),
		rank: integer('rank'),
		impact: integer('impact'),
		feasibility: integer('feasibility'),
		updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull()
	},
	(table) => [
		primaryKey({ columns: [table.roundId, table.voterId, table.itemId] }),
		index('votes_round_item_idx').on(table.roundId, table.itemId)
	]
);

/** Client request ids already applied: a repeated submission is ignored. */
export const voteRequests = sqliteTable(
	'vote_requests',
	{
		roundId: text('round_id')
			.notNull()
			.references(() => voteRounds.id, { onDelete: 'cascade' }),
		voterId: text('voter_id').notNull(),
		requestId: text('request_id').notNull()
	},
	(table) => [primaryKey({ columns: [table.roundId, table.voterId, table.requestId] })]
);

export const voteRoundChoices = sqliteTable(
	'vote_round_choices',
	{
		roundId: text('round_id')
			.notNull()
			.references(() => voteRounds.id, { onDelete: 'cascade' }),
		itemId: text('item_id').notNull()
	},
	(table) => [primaryKey({ columns: [table.roundId, table.itemId] })]
);

export type VoteRound = typeof voteRounds.$inferSelect;
export type VoteMethod = (typeof voteMethods)[number];
export type VoteRoundStatus = (typeof voteRoundStatuses)[number];
export type VoteItemKind = (typeof voteItemKinds)[number];
