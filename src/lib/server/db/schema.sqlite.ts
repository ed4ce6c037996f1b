import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, real, sqliteTable, sqliteView, text, uniqueIndex, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core';

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
	// Null for an account made by signing in with an organisation's account (OpenID Connect): no password works.
	passwordHash: text('password_hash'),
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

/**
 * One row per counted attempt (failed sign-in, unknown join code, guest created …) under a key such as
 * `sign-in:address:203.0.113.7`; rate-limit.ts reads recent rows per key and deletes old ones.
 */
export const rateLimitEvents = sqliteTable(
	'rate_limit_events',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		key: text('key').notNull(),
		at: integer('at', { mode: 'timestamp_ms' }).notNull()
	},
	(table) => [index('rate_limit_events_key_idx').on(table.key, table.at), index('rate_limit_events_at_idx').on(table.at)]
);

export const organisations = sqliteTable('organisations', {
	id: text('id').primaryKey(),
	name: text('name').notNull().unique(),
	kind: text('kind', { enum: organisationKinds }).notNull(),
	municipality: text('municipality').notNull(),
	// Single sign-on binding: people whose verified email is in this domain, or whose ID token / userinfo claim
	// `ssoClaimName` equals or contains `ssoClaimValue`, become members at every OpenID Connect sign-in.
	ssoDomain: text('sso_domain').unique(),
	ssoClaimName: text('sso_claim_name'),
	ssoClaimValue: text('sso_claim_value'),
	// Password sign-in and sign-up are refused for emails of ssoDomain.
	ssoRequired: integer('sso_required', { mode: 'boolean' }).notNull().default(false),
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

/** An account at an OpenID Connect provider (provider id from OIDC_PROVIDERS, its `sub`) linked to a user. */
export const userIdentities = sqliteTable(
	'user_identities',
	{
		provider: text('provider').notNull(),
		subject: text('subject').notNull(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		createdAt: createdAt()
	},
	(table) => [primaryKey({ columns: [table.provider, table.subject] }), index('user_identities_user_idx').on(table.userId)]
);

/**
 * An SSO sign-in whose email belongs to an existing password account: waits (15 minutes) for that account's
 * password before the identity is linked. Only a hash of the browser's secret is stored, as for sessions.
 */
export const pendingIdentityLinks = sqliteTable('pending_identity_links', {
	id: text('id').primaryKey(),
	secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
	provider: text('provider').notNull(),
	subject: text('subject').notNull(),
	userId: text('user_id')
		.notNull()
		.references(() => users.id, { onDelete: 'cascade' }),
	// The claims organisation bindings are matched against, as JSON.
	claims: text('claims').notNull(),
	expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull()
});

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
	/** how long it lasts from startsAt: calendar events end then */
	durationMinutes: integer('duration_minutes').notNull().default(180),
	/** a place or an online meeting link, for calendars and invitations */
	location: text('location').notNull().default(''),
	/** grows when the title, time or place changes: calendar apps replace an event only by a higher SEQUENCE */
	calendarSequence: integer('calendar_sequence').notNull().default(0),
	joinCode: text('join_code').notNull().unique(),
	joiningOpen: integer('joining_open', { mode: 'boolean' }).notNull().default(true),
	// The programme the workshop serves, if any: its chosen ideas become that programme's pilots.
	programmeId: text('programme_id').references((): AnySQLiteColumn => programmes.id, { onDelete: 'set null' }),
	createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
	createdAt: createdAt(),
	// When its guests' names were anonymised (retention.ts): each workshop is anonymised once.
	guestsAnonymisedAt: integer('guests_anonymised_at', { mode: 'timestamp_ms' })
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
		// Set when a facilitator removes them; the row stays (notes and votes keep their author), and a removal can be undone.
		removedAt: integer('removed_at', { mode: 'timestamp_ms' }),
		// The browser they joined from (the long-lived device cookie): a removed person cannot rejoin from it under another name.
		deviceId: text('device_id'),
		joinedAt: createdAt()
	},
	(table) => [
		index('participants_workshop_idx').on(table.workshopId),
		uniqueIndex('participants_workshop_user_idx').on(table.workshopId, table.userId),
		index('participants_workshop_device_idx').on(table.workshopId, table.deviceId)
	]
);

/**
 * A workshop plan saved for reuse by an organisation's facilitators: the theme, lanes and agenda only. Kept apart
 * from workshops so a template has no join code, board or participants, and no list or join path must skip it.
 */
export const workshopTemplates = sqliteTable(
	'workshop_templates',
	{
		id: text('id').primaryKey(),
		organisationId: text('organisation_id')
			.notNull()
			.references(() => organisations.id, { onDelete: 'cascade' }),
		name: text('name').notNull(),
		theme: text('theme').notNull(),
		description: text('description').notNull().default(''),
		perspectives: text('perspectives', { mode: 'json' }).$type<{ title: string; description: string }[]>().notNull(),
		phases: text('phases', { mode: 'json' }).$type<{ kind: PhaseKind; title: string; durationMinutes: number }[]>().notNull(),
		createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: createdAt()
	},
	(table) => [index('workshop_templates_organisation_idx').on(table.organisationId)]
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

/**
 * A person's iCalendar feed: the address is `/calendar/{id}.{secret}.ics` and only sha-256(secret) is stored, as for
 * sessions. One per person; a new one replaces the old, deleting it revokes the address.
 */
export const calendarFeeds = sqliteTable('calendar_feeds', {
	id: text('id').primaryKey(),
	userId: text('user_id')
		.notNull()
		.unique()
		.references(() => users.id, { onDelete: 'cascade' }),
	secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
	createdAt: createdAt()
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
	/** grows every time a phase is opened, re-opened or ended: "done" marks belong to one run */
	phaseRun: integer('phase_run').notNull().default(0),
	updatedAt: integer('updated_at').notNull().default(0)
});

/**
 * A participant's "valmis / klar / done" mark: one row per participant, counted only while its run is the
 * workshop's current `phase_run` (a new or re-opened phase starts from nobody done without deleting anything).
 */
export const phaseDone = sqliteTable(
	'phase_done',
	{
		workshopId: text('workshop_id')
			.notNull()
			.references(() => workshops.id, { onDelete: 'cascade' }),
		participantId: text('participant_id')
			.notNull()
			.references(() => participants.id, { onDelete: 'cascade' }),
		phaseRun: integer('phase_run').notNull(),
		doneAt: integer('done_at').notNull()
	},
	(table) => [primaryKey({ columns: [table.workshopId, table.participantId] })]
);

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

// Areas: neighbourhoods keyed by postal code, with yearly indicator values -----------------------------------

export const areas = sqliteTable('areas', {
	/** five-digit postal code, e.g. 00420 */
	code: text('code').primaryKey(),
	name: text('name').notNull(),
	municipality: text('municipality').notNull().default('')
});

/** What is measured: the derived Paavo indicators (translated names in code) and any imported by name. */
export const indicators = sqliteTable('indicators', {
	key: text('key').primaryKey(),
	name: text('name').notNull(),
	unit: text('unit').notNull().default(''),
	/** true: higher is better; false: lower is better; null: neither (a count, a size) */
	higherIsBetter: integer('higher_is_better', { mode: 'boolean' }),
	source: text('source').notNull().default('')
});

/**
 * Every stored value with the generation it belongs to. Readers use `areaValues` (the current generation only): an
 * import writes a new generation in short slices that nobody sees, then makes it current in one short transaction
 * (areas.ts, importAreasInSlices), and the old generation is deleted in slices after it.
 */
export const storedAreaValues = sqliteTable(
	'area_values',
	{
		generation: integer('generation').notNull().default(0),
		areaCode: text('area_code')
			.notNull()
			.references(() => areas.code, { onDelete: 'cascade' }),
		indicatorKey: text('indicator_key')
			.notNull()
			.references(() => indicators.key, { onDelete: 'cascade' }),
		year: integer('year').notNull(),
		value: real('value').notNull()
	},
	(table) => [
		// Re-importing a year updates its values, never duplicates them.
		primaryKey({ columns: [table.generation, table.areaCode, table.indicatorKey, table.year] }),
		index('area_values_indicator_idx').on(table.generation, table.indicatorKey, table.year)
	]
);

/** One row (id 1): the generation of area_values that readers see; 0 until the first import. */
export const areaDataState = sqliteTable('area_data_state', {
	id: integer('id').primaryKey(),
	generation: integer('generation').notNull()
});

/** The area values readers see: the current generation's. */
export const areaValues = sqliteView('current_area_values', {
	areaCode: text('area_code').notNull(),
	indicatorKey: text('indicator_key').notNull(),
	year: integer('year').notNull(),
	value: real('value').notNull()
}).as(
	sql`SELECT area_code, indicator_key, year, value FROM area_values WHERE generation = coalesce((SELECT generation FROM area_data_state WHERE id = 1), 0)`
);

export const areaImports = sqliteTable('area_imports', {
	id: text('id').primaryKey(),
	filename: text('filename').notNull(),
	format: text('format', { enum: ['paavo', 'plain'] }).notNull(),
	rows: integer('rows').notNull(),
	importedBy: text('imported_by').references(() => users.id, { onDelete: 'set null' }),
	importedAt: createdAt()
});

// Programmes ------------------------------------------------------------------------------------------------

export const programmes = sqliteTable('programmes', {
	id: text('id').primaryKey(),
	name: text('name').notNull(),
	ownerOrganisationId: text('owner_organisation_id')
		.notNull()
		.references(() => organisations.id, { onDelete: 'restrict' }),
	/** ISO dates (yyyy-mm-dd) */
	startsOn: text('starts_on'),
	endsOn: text('ends_on'),
	description: text('description').notNull().default(''),
	createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
	createdAt: createdAt()
});

export const programmeGoals = sqliteTable(
	'programme_goals',
	{
		id: text('id').primaryKey(),
		programmeId: text('programme_id')
			.notNull()
			.references(() => programmes.id, { onDelete: 'cascade' }),
		position: integer('position').notNull(),
		title: text('title').notNull(),
		description: text('description').notNull().default('')
	},
	(table) => [index('programme_goals_programme_idx').on(table.programmeId, table.position)]
);

export const programmeAreas = sqliteTable(
	'programme_areas',
	{
		programmeId: text('programme_id')
			.notNull()
			.references(() => programmes.id, { onDelete: 'cascade' }),
		areaCode: text('area_code')
			.notNull()
			.references(() => areas.code, { onDelete: 'cascade' })
	},
	(table) => [primaryKey({ columns: [table.programmeId, table.areaCode] })]
);

export const programmeOrganisations = sqliteTable(
	'programme_organisations',
	{
		programmeId: text('programme_id')
			.notNull()
			.references(() => programmes.id, { onDelete: 'cascade' }),
		organisationId: text('organisation_id')
			.notNull()
			.references(() => organisations.id, { onDelete: 'cascade' })
	},
	(table) => [primaryKey({ columns: [table.programmeId, table.organisationId] })]
);

// Pilots (kokeilut) and their check-ins -----------------------------------------------------------------------

export const pilotStatuses = ['proposed', 'changes_requested', 'declined', 'approved', 'running', 'evaluating', 'decided'] as const;
export const pilotDecisions = ['scale', 'adapt', 'stop'] as const;
export const checkInStatuses = ['on_track', 'at_risk', 'off_track'] as const;

export const pilots = sqliteTable(
	'pilots',
	{
		id: text('id').primaryKey(),
		programmeId: text('programme_id')
			.notNull()
			.references(() => programmes.id, { onDelete: 'cascade' }),
		goalId: text('goal_id').references(() => programmeGoals.id, { onDelete: 'set null' }),
		title: text('title').notNull(),
		summary: text('summary').notNull().default(''),
		hypothesis: text('hypothesis').notNull().default(''),
		/** the experiment canvas's fields (board/model.ts canvasFields) as JSON */
		canvas: text('canvas', { mode: 'json' }).$type<Record<string, string>>().notNull().default({}),
		ownerOrganisationId: text('owner_organisation_id').references(() => organisations.id, { onDelete: 'set null' }),
		responsibleUserId: text('responsible_user_id').references(() => users.id, { onDelete: 'set null' }),
		targetGroup: text('target_group').notNull().default(''),
		perspective: text('perspective').notNull().default(''),
		startsOn: text('starts_on'),
		endsOn: text('ends_on'),
		cadenceWeeks: integer('cadence_weeks').notNull().default(4),
		budgetEuros: integer('budget_euros'),
		status: text('status', { enum: pilotStatuses }).notNull().default('proposed'),
		decision: text('decision', { enum: pilotDecisions }),
		decisionReason: text('decision_reason').notNull().default(''),
		/** the programme lead's latest review comment (changes asked, or why declined) */
		reviewComment: text('review_comment').notNull().default(''),
		// Where it came from: a workshop's vote round and idea card (traceability both ways).
		sourceWorkshopId: text('source_workshop_id').references(() => workshops.id, { onDelete: 'set null' }),
		sourceRoundId: text('source_round_id').references(() => voteRounds.id, { onDelete: 'set null' }),
		sourceIdeaId: text('source_idea_id'),
		proposedBy: text('proposed_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: createdAt(),
		updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull()
	},
	(table) => [
		index('pilots_programme_idx').on(table.programmeId, table.status),
		index('pilots_source_workshop_idx').on(table.sourceWorkshopId)
	]
);

/** The pilot's team: they edit the pilot and write its check-ins. */
export const pilotTeam = sqliteTable(
	'pilot_team',
	{
		pilotId: text('pilot_id')
			.notNull()
			.references(() => pilots.id, { onDelete: 'cascade' }),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' })
	},
	(table) => [primaryKey({ columns: [table.pilotId, table.userId] }), index('pilot_team_user_idx').on(table.userId)]
);

export const pilotAreas = sqliteTable(
	'pilot_areas',
	{
		pilotId: text('pilot_id')
			.notNull()
			.references(() => pilots.id, { onDelete: 'cascade' }),
		areaCode: text('area_code')
			.notNull()
			.references(() => areas.code, { onDelete: 'cascade' })
	},
	(table) => [primaryKey({ columns: [table.pilotId, table.areaCode] })]
);

/** Every status change, with who and when (never edited). */
export const pilotStatusHistory = sqliteTable(
	'pilot_status_history',
	{
		id: text('id').primaryKey(),
		pilotId: text('pilot_id')
			.notNull()
			.references(() => pilots.id, { onDelete: 'cascade' }),
		fromStatus: text('from_status', { enum: pilotStatuses }),
		toStatus: text('to_status', { enum: pilotStatuses }).notNull(),
		decision: text('decision', { enum: pilotDecisions }),
		comment: text('comment').notNull().default(''),
		byUserId: text('by_user_id').references(() => users.id, { onDelete: 'set null' }),
		at: integer('at', { mode: 'timestamp_ms' }).notNull()
	},
	(table) => [index('pilot_status_history_pilot_idx').on(table.pilotId, table.at)]
);

export const pilotIndicators = sqliteTable(
	'pilot_indicators',
	{
		id: text('id').primaryKey(),
		pilotId: text('pilot_id')
			.notNull()
			.references(() => pilots.id, { onDelete: 'cascade' }),
		position: integer('position').notNull(),
		name: text('name').notNull(),
		unit: text('unit').notNull().default(''),
		/** linked to an area indicator (its baseline from the latest area data), or null: custom */
		indicatorKey: text('indicator_key').references(() => indicators.key, { onDelete: 'set null' }),
		areaCode: text('area_code').references(() => areas.code, { onDelete: 'set null' }),
		baseline: real('baseline'),
		target: real('target'),
		higherIsBetter: integer('higher_is_better', { mode: 'boolean' }).notNull().default(true)
	},
	(table) => [index('pilot_indicators_pilot_idx').on(table.pilotId, table.position)]
);

/**
 * Check-ins as written: a correction is a new row of the same series with the next version, so what was
 * reported stays as it was. The latest version of each series is the check-in's current text.
 */
export const checkIns = sqliteTable(
	'check_ins',
	{
		id: text('id').primaryKey(),
		pilotId: text('pilot_id')
			.notNull()
			.references(() => pilots.id, { onDelete: 'cascade' }),
		seriesId: text('series_id').notNull(),
		version: integer('version').notNull().default(1),
		/** the day the check-in reports on (yyyy-mm-dd) */
		reportedOn: text('reported_on').notNull(),
		status: text('status', { enum: checkInStatuses }).notNull(),
		happened: text('happened').notNull().default(''),
		learned: text('learned').notNull().default(''),
		nextSteps: text('next_steps').notNull().default(''),
		impactResidents: text('impact_residents').notNull().default(''),
		impactLocalActors: text('impact_local_actors').notNull().default(''),
		impactInstitutions: text('impact_institutions').notNull().default(''),
		writtenBy: text('written_by').references(() => users.id, { onDelete: 'set null' }),
		writtenAt: integer('written_at', { mode: 'timestamp_ms' }).notNull()
	},
	(table) => [
		uniqueIndex('check_ins_series_version_idx').on(table.seriesId, table.version),
		index('check_ins_pilot_idx').on(table.pilotId, table.reportedOn)
	]
);

export const checkInReadings = sqliteTable(
	'check_in_readings',
	{
		checkInId: text('check_in_id')
			.notNull()
			.references(() => checkIns.id, { onDelete: 'cascade' }),
		indicatorId: text('indicator_id')
			.notNull()
			.references(() => pilotIndicators.id, { onDelete: 'cascade' }),
		value: real('value').notNull()
	},
	(table) => [primaryKey({ columns: [table.checkInId, table.indicatorId] })]
);

/**
 * Which text analyser wrote each full-text index (text-analysis.ts describeAnalyser): terms from one analyser do
 * not match queries from another, so an index is rebuilt at start-up when the analyser changes (Voikko installed
 * or removed, a new version) or was never recorded (the index is new).
 */
export const searchIndexState = sqliteTable('search_index_state', {
	name: text('name').primaryKey(),
	analyser: text('analyser').notNull()
});

/** Programme leads' (and the team's) comments on a pilot. */
export const pilotComments = sqliteTable(
	'pilot_comments',
	{
		id: text('id').primaryKey(),
		pilotId: text('pilot_id')
			.notNull()
			.references(() => pilots.id, { onDelete: 'cascade' }),
		authorId: text('author_id').references(() => users.id, { onDelete: 'set null' }),
		text: text('text').notNull(),
		at: integer('at', { mode: 'timestamp_ms' }).notNull()
	},
	(table) => [index('pilot_comments_pilot_idx').on(table.pilotId, table.at)]
);

/**
 * Accessibility feedback from anyone (Act 306/2019 § 15: answered within 14 days), read and marked answered by admins.
 * The contact is what the sender chose to give, if anything.
 */
export const accessibilityFeedback = sqliteTable(
	'accessibility_feedback',
	{
		id: text('id').primaryKey(),
		message: text('message').notNull(),
		/** the page or part of the service the feedback is about, as the sender wrote it */
		concerns: text('concerns').notNull().default(''),
		contact: text('contact').notNull().default(''),
		locale: text('locale', { enum: locales }).notNull(),
		receivedAt: integer('received_at', { mode: 'timestamp_ms' }).notNull(),
		answeredAt: integer('answered_at', { mode: 'timestamp_ms' }),
		answeredBy: text('answered_by').references(() => users.id, { onDelete: 'set null' })
	},
	(table) => [index('accessibility_feedback_received_idx').on(table.receivedAt)]
);

/**
 * The audit log (issue 17): who did what, when, from which address. Append-only: triggers in the migration refuse
 * UPDATE, and DELETE unless the retention pruning has opened `audit_prune_gate` in the same transaction.
 */
export const auditEvents = sqliteTable(
	'audit_events',
	{
		id: text('id').primaryKey(),
		at: integer('at', { mode: 'timestamp_ms' }).notNull(),
		/** null for guests and the system; kept as a label so the event still says who after an account goes */
		actorId: text('actor_id').references(() => users.id, { onDelete: 'set null' }),
		actorLabel: text('actor_label').notNull(),
		/** one of auditActions in audit.ts */
		action: text('action').notNull(),
		subjectKind: text('subject_kind'),
		subjectId: text('subject_id'),
		details: text('details', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default({}),
		address: text('address')
	},
	(table) => [index('audit_events_at_idx').on(table.at), index('audit_events_action_idx').on(table.action, table.at)]
);

/** One row while the retention pruning deletes old audit events; the DELETE trigger lets rows go only then. */
export const auditPruneGate = sqliteTable('audit_prune_gate', { open: integer('open').primaryKey() });

export type Area = typeof areas.$inferSelect;
export type Programme = typeof programmes.$inferSelect;
export type Pilot = typeof pilots.$inferSelect;
export type PilotStatus = (typeof pilotStatuses)[number];
export type PilotDecision = (typeof pilotDecisions)[number];
export type CheckIn = typeof checkIns.$inferSelect;
export type CheckInStatus = (typeof checkInStatuses)[number];

// Mail ------------------------------------------------------------------------------------------------

/**
 * queued → sending (claimed under a lease by one worker) → sent | queued again (the server refused it; retried
 * with backoff) | failed (refused for good, or out of attempts) | uncertain (the sender died or the connection
 * broke after the message was handed over: never resent by itself, an admin decides).
 */
export const mailStatuses = ['queued', 'sending', 'sent', 'failed', 'uncertain'] as const;
export type MailStatus = (typeof mailStatuses)[number];

export const mailOutbox = sqliteTable(
	'mail_outbox',
	{
		id: text('id').primaryKey(),
		kind: text('kind').notNull(),
		to: text('to').notNull(),
		userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
		locale: text('locale', { enum: locales }).notNull(),
		subject: text('subject').notNull(),
		text: text('text').notNull(),
		html: text('html').notNull(),
		// JSON: extra headers (List-Unsubscribe …) and attachments ({ filename, contentType, content (base64) }).
		headers: text('headers', { mode: 'json' }).$type<Record<string, string>>().notNull().default({}),
		attachments: text('attachments', { mode: 'json' })
			.$type<{ filename: string; contentType: string; content: string }[]>()
			.notNull()
			.default([]),
		// What the message is about (e.g. `workshop:ID`), so the people responsible for it can see its fate.
		about: text('about'),
		// A message that must exist once (a reminder for one due date): a second queueing is ignored.
		dedupeKey: text('dedupe_key').unique(),
		messageId: text('message_id').notNull(),
		status: text('status', { enum: mailStatuses }).notNull().default('queued'),
		attempts: integer('attempts').notNull().default(0),
		nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull(),
		leaseOwner: text('lease_owner'),
		leaseUntil: integer('lease_until', { mode: 'timestamp_ms' }),
		lastError: text('last_error'),
		sentAt: integer('sent_at', { mode: 'timestamp_ms' }),
		createdAt: createdAt()
	},
	(table) => [
		index('mail_outbox_due_idx').on(table.status, table.nextAttemptAt),
		index('mail_outbox_about_idx').on(table.about),
		index('mail_outbox_created_idx').on(table.createdAt)
	]
);

export const mailFrequencies = ['immediate', 'daily', 'weekly', 'off'] as const;
export type MailFrequency = (typeof mailFrequencies)[number];

/** A person's choice per kind of non-essential mail; no row means the kind's default. */
export const mailPreferences = sqliteTable(
	'mail_preferences',
	{
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		kind: text('kind').notNull(),
		frequency: text('frequency', { enum: mailFrequencies }).notNull()
	},
	(table) => [primaryKey({ columns: [table.userId, table.kind] })]
);

/** Server-side secrets made on first use (the key that signs unsubscribe links), shared by every process. */
export const appSecrets = sqliteTable('app_secrets', {
	name: text('name').primaryKey(),
	value: blob('value', { mode: 'buffer' }).notNull()
});

export const passwordResetTokens = sqliteTable(
	'password_reset_tokens',
	{
		id: text('id').primaryKey(),
		// Only a hash of the secret is stored, as for sessions.
		secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
		createdAt: createdAt()
	},
	(table) => [index('password_reset_tokens_user_idx').on(table.userId)]
);

/**
 * A facilitator's invitation of an email address to a workshop (invitations.ts). `state` says whether the invitee's
 * calendar should hold the event: invited, or cancelled (the workshop lost its time). Each message sent about it
 * (the invitation, updates, the cancellation) is an outbox row; `lastMailId` is the latest, whose delivery the
 * facilitator sees. Deleting the workshop deletes its invitations after their cancellations are queued.
 */
export const invitationStates = ['invited', 'cancelled'] as const;
export type InvitationState = (typeof invitationStates)[number];

export const workshopInvitations = sqliteTable(
	'workshop_invitations',
	{
		id: text('id').primaryKey(),
		workshopId: text('workshop_id')
			.notNull()
			.references(() => workshops.id, { onDelete: 'cascade' }),
		email: text('email').notNull(),
		/** the inviter's language: the invitation and every later message about it are written in it */
		locale: text('locale', { enum: locales }).notNull(),
		state: text('state', { enum: invitationStates }).notNull().default('invited'),
		invitedBy: text('invited_by').references(() => users.id, { onDelete: 'set null' }),
		invitedAt: integer('invited_at', { mode: 'timestamp_ms' }).notNull(),
		lastMailId: text('last_mail_id').references(() => mailOutbox.id, { onDelete: 'set null' })
	},
	(table) => [uniqueIndex('workshop_invitations_workshop_email_idx').on(table.workshopId, table.email)]
);
