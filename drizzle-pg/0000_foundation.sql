CREATE TABLE "accessibility_feedback" (
	"id" text PRIMARY KEY NOT NULL,
	"message" text NOT NULL,
	"concerns" text DEFAULT '' NOT NULL,
	"contact" text DEFAULT '' NOT NULL,
	"locale" text NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"answered_at" timestamp (3) with time zone,
	"answered_by" text
);
--> statement-breakpoint
CREATE TABLE "app_secrets" (
	"name" text PRIMARY KEY NOT NULL,
	"value" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "area_data_state" (
	"id" integer PRIMARY KEY NOT NULL,
	"generation" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "area_imports" (
	"id" text PRIMARY KEY NOT NULL,
	"filename" text NOT NULL,
	"format" text NOT NULL,
	"rows" integer NOT NULL,
	"imported_by" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "areas" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"municipality" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" text PRIMARY KEY NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"actor_id" text,
	"actor_label" text NOT NULL,
	"action" text NOT NULL,
	"subject_kind" text,
	"subject_id" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"address" text
);
--> statement-breakpoint
CREATE TABLE "audit_prune_gate" (
	"open" integer PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE "board_snapshots" (
	"workshop_id" text PRIMARY KEY NOT NULL,
	"state" "bytea" NOT NULL,
	"last_update_id" bigint NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "board_updates" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workshop_id" text NOT NULL,
	"update" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "calendar_feeds" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"secret_hash" "bytea" NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "calendar_feeds_user_id_unique" UNIQUE("user_id")
);
--> statement-breakpoint
CREATE TABLE "check_in_readings" (
	"check_in_id" text NOT NULL,
	"indicator_id" text NOT NULL,
	"value" double precision NOT NULL,
	CONSTRAINT "check_in_readings_check_in_id_indicator_id_pk" PRIMARY KEY("check_in_id","indicator_id")
);
--> statement-breakpoint
CREATE TABLE "check_ins" (
	"id" text PRIMARY KEY NOT NULL,
	"pilot_id" text NOT NULL,
	"series_id" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"reported_on" text NOT NULL,
	"status" text NOT NULL,
	"happened" text DEFAULT '' NOT NULL,
	"learned" text DEFAULT '' NOT NULL,
	"next_steps" text DEFAULT '' NOT NULL,
	"impact_residents" text DEFAULT '' NOT NULL,
	"impact_local_actors" text DEFAULT '' NOT NULL,
	"impact_institutions" text DEFAULT '' NOT NULL,
	"written_by" text,
	"written_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "indicators" (
	"key" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"unit" text DEFAULT '' NOT NULL,
	"higher_is_better" boolean,
	"source" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mail_outbox" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"to" text NOT NULL,
	"user_id" text,
	"locale" text NOT NULL,
	"subject" text NOT NULL,
	"text" text NOT NULL,
	"html" text NOT NULL,
	"headers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"attachments" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"about" text,
	"dedupe_key" text,
	"message_id" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp (3) with time zone NOT NULL,
	"lease_owner" text,
	"lease_until" timestamp (3) with time zone,
	"last_error" text,
	"sent_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mail_outbox_dedupe_key_unique" UNIQUE("dedupe_key")
);
--> statement-breakpoint
CREATE TABLE "mail_preferences" (
	"user_id" text NOT NULL,
	"kind" text NOT NULL,
	"frequency" text NOT NULL,
	CONSTRAINT "mail_preferences_user_id_kind_pk" PRIMARY KEY("user_id","kind")
);
--> statement-breakpoint
CREATE TABLE "memberships" (
	"user_id" text NOT NULL,
	"organisation_id" text NOT NULL,
	"role" text DEFAULT 'member' NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "memberships_user_id_organisation_id_pk" PRIMARY KEY("user_id","organisation_id")
);
--> statement-breakpoint
CREATE TABLE "organisations" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"municipality" text NOT NULL,
	"sso_domain" text,
	"sso_claim_name" text,
	"sso_claim_value" text,
	"sso_required" boolean DEFAULT false NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organisations_name_unique" UNIQUE("name"),
	CONSTRAINT "organisations_sso_domain_unique" UNIQUE("sso_domain")
);
--> statement-breakpoint
CREATE TABLE "participants" (
	"id" text PRIMARY KEY NOT NULL,
	"workshop_id" text NOT NULL,
	"user_id" text,
	"display_name" text NOT NULL,
	"organisation_name" text DEFAULT '' NOT NULL,
	"role" text DEFAULT 'participant' NOT NULL,
	"guest_secret_hash" "bytea",
	"removed_at" timestamp (3) with time zone,
	"device_id" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "password_reset_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"secret_hash" "bytea" NOT NULL,
	"user_id" text NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pending_identity_links" (
	"id" text PRIMARY KEY NOT NULL,
	"secret_hash" "bytea" NOT NULL,
	"provider" text NOT NULL,
	"subject" text NOT NULL,
	"user_id" text NOT NULL,
	"claims" text NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "phase_done" (
	"workshop_id" text NOT NULL,
	"participant_id" text NOT NULL,
	"phase_run" integer NOT NULL,
	"done_at" bigint NOT NULL,
	CONSTRAINT "phase_done_workshop_id_participant_id_pk" PRIMARY KEY("workshop_id","participant_id")
);
--> statement-breakpoint
CREATE TABLE "pilot_areas" (
	"pilot_id" text NOT NULL,
	"area_code" text NOT NULL,
	CONSTRAINT "pilot_areas_pilot_id_area_code_pk" PRIMARY KEY("pilot_id","area_code")
);
--> statement-breakpoint
CREATE TABLE "pilot_comments" (
	"id" text PRIMARY KEY NOT NULL,
	"pilot_id" text NOT NULL,
	"author_id" text,
	"text" text NOT NULL,
	"at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pilot_indicators" (
	"id" text PRIMARY KEY NOT NULL,
	"pilot_id" text NOT NULL,
	"position" integer NOT NULL,
	"name" text NOT NULL,
	"unit" text DEFAULT '' NOT NULL,
	"indicator_key" text,
	"area_code" text,
	"baseline" double precision,
	"target" double precision,
	"higher_is_better" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pilot_status_history" (
	"id" text PRIMARY KEY NOT NULL,
	"pilot_id" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"decision" text,
	"comment" text DEFAULT '' NOT NULL,
	"by_user_id" text,
	"at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pilot_team" (
	"pilot_id" text NOT NULL,
	"user_id" text NOT NULL,
	CONSTRAINT "pilot_team_pilot_id_user_id_pk" PRIMARY KEY("pilot_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "pilots" (
	"id" text PRIMARY KEY NOT NULL,
	"programme_id" text NOT NULL,
	"goal_id" text,
	"title" text NOT NULL,
	"summary" text DEFAULT '' NOT NULL,
	"hypothesis" text DEFAULT '' NOT NULL,
	"canvas" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"owner_organisation_id" text,
	"responsible_user_id" text,
	"target_group" text DEFAULT '' NOT NULL,
	"perspective" text DEFAULT '' NOT NULL,
	"starts_on" text,
	"ends_on" text,
	"cadence_weeks" integer DEFAULT 4 NOT NULL,
	"budget_euros" integer,
	"status" text DEFAULT 'proposed' NOT NULL,
	"decision" text,
	"decision_reason" text DEFAULT '' NOT NULL,
	"review_comment" text DEFAULT '' NOT NULL,
	"source_workshop_id" text,
	"source_round_id" text,
	"source_idea_id" text,
	"proposed_by" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "private_board_snapshots" (
	"workshop_id" text NOT NULL,
	"participant_id" text NOT NULL,
	"state" "bytea" NOT NULL,
	"last_update_id" bigint NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "private_board_snapshots_workshop_id_participant_id_pk" PRIMARY KEY("workshop_id","participant_id")
);
--> statement-breakpoint
CREATE TABLE "private_board_updates" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workshop_id" text NOT NULL,
	"participant_id" text NOT NULL,
	"update" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "programme_areas" (
	"programme_id" text NOT NULL,
	"area_code" text NOT NULL,
	CONSTRAINT "programme_areas_programme_id_area_code_pk" PRIMARY KEY("programme_id","area_code")
);
--> statement-breakpoint
CREATE TABLE "programme_goals" (
	"id" text PRIMARY KEY NOT NULL,
	"programme_id" text NOT NULL,
	"position" integer NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "programme_organisations" (
	"programme_id" text NOT NULL,
	"organisation_id" text NOT NULL,
	CONSTRAINT "programme_organisations_programme_id_organisation_id_pk" PRIMARY KEY("programme_id","organisation_id")
);
--> statement-breakpoint
CREATE TABLE "programmes" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"owner_organisation_id" text NOT NULL,
	"starts_on" text,
	"ends_on" text,
	"description" text DEFAULT '' NOT NULL,
	"created_by" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rate_limit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "search_index_state" (
	"name" text PRIMARY KEY NOT NULL,
	"analyser" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"secret_hash" "bytea" NOT NULL,
	"user_id" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_verified_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "area_values" (
	"generation" integer DEFAULT 0 NOT NULL,
	"area_code" text NOT NULL,
	"indicator_key" text NOT NULL,
	"year" integer NOT NULL,
	"value" double precision NOT NULL,
	CONSTRAINT "area_values_generation_area_code_indicator_key_year_pk" PRIMARY KEY("generation","area_code","indicator_key","year")
);
--> statement-breakpoint
CREATE TABLE "user_identities" (
	"provider" text NOT NULL,
	"subject" text NOT NULL,
	"user_id" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_identities_provider_subject_pk" PRIMARY KEY("provider","subject")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"password_hash" text,
	"locale" text DEFAULT 'fi' NOT NULL,
	"is_admin" boolean DEFAULT false NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "vote_requests" (
	"round_id" text NOT NULL,
	"voter_id" text NOT NULL,
	"request_id" text NOT NULL,
	CONSTRAINT "vote_requests_round_id_voter_id_request_id_pk" PRIMARY KEY("round_id","voter_id","request_id")
);
--> statement-breakpoint
CREATE TABLE "vote_round_choices" (
	"round_id" text NOT NULL,
	"item_id" text NOT NULL,
	CONSTRAINT "vote_round_choices_round_id_item_id_pk" PRIMARY KEY("round_id","item_id")
);
--> statement-breakpoint
CREATE TABLE "vote_round_items" (
	"round_id" text NOT NULL,
	"item_id" text NOT NULL,
	"kind" text NOT NULL,
	"text" text NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "vote_round_items_round_id_item_id_pk" PRIMARY KEY("round_id","item_id")
);
--> statement-breakpoint
CREATE TABLE "vote_rounds" (
	"id" text PRIMARY KEY NOT NULL,
	"workshop_id" text NOT NULL,
	"method" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"anonymous" boolean DEFAULT false NOT NULL,
	"results_hidden" boolean DEFAULT false NOT NULL,
	"allow_changes" boolean DEFAULT true NOT NULL,
	"budget" integer DEFAULT 5 NOT NULL,
	"cap" integer DEFAULT 3 NOT NULL,
	"ranking_size" integer,
	"opened_by" text,
	"opened_at" timestamp (3) with time zone NOT NULL,
	"closed_at" timestamp (3) with time zone,
	"revealed_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "votes" (
	"round_id" text NOT NULL,
	"voter_id" text NOT NULL,
	"item_id" text NOT NULL,
	"points" integer,
	"rank" integer,
	"impact" integer,
	"feasibility" integer,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "votes_round_id_voter_id_item_id_pk" PRIMARY KEY("round_id","voter_id","item_id")
);
--> statement-breakpoint
CREATE TABLE "workshop_facilitators" (
	"workshop_id" text NOT NULL,
	"user_id" text NOT NULL,
	CONSTRAINT "workshop_facilitators_workshop_id_user_id_pk" PRIMARY KEY("workshop_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "workshop_invitations" (
	"id" text PRIMARY KEY NOT NULL,
	"workshop_id" text NOT NULL,
	"email" text NOT NULL,
	"locale" text NOT NULL,
	"state" text DEFAULT 'invited' NOT NULL,
	"invited_by" text,
	"invited_at" timestamp (3) with time zone NOT NULL,
	"last_mail_id" text
);
--> statement-breakpoint
CREATE TABLE "workshop_live" (
	"workshop_id" text PRIMARY KEY NOT NULL,
	"phase_id" text,
	"phase_started_at" bigint,
	"locked" boolean DEFAULT false NOT NULL,
	"private_writing" boolean DEFAULT false NOT NULL,
	"anonymous_reveal" boolean DEFAULT false NOT NULL,
	"timer_ends_at" bigint,
	"timer_remaining_ms" bigint DEFAULT 0 NOT NULL,
	"timer_duration_ms" bigint DEFAULT 0 NOT NULL,
	"focus_kind" text,
	"focus_id" text,
	"focus_seq" integer DEFAULT 0 NOT NULL,
	"reveal_seq" integer DEFAULT 0 NOT NULL,
	"phase_run" integer DEFAULT 0 NOT NULL,
	"updated_at" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workshop_organisations" (
	"workshop_id" text NOT NULL,
	"organisation_id" text NOT NULL,
	CONSTRAINT "workshop_organisations_workshop_id_organisation_id_pk" PRIMARY KEY("workshop_id","organisation_id")
);
--> statement-breakpoint
CREATE TABLE "workshop_perspectives" (
	"id" text PRIMARY KEY NOT NULL,
	"workshop_id" text NOT NULL,
	"position" integer NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workshop_phases" (
	"id" text PRIMARY KEY NOT NULL,
	"workshop_id" text NOT NULL,
	"position" integer NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"duration_minutes" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workshop_templates" (
	"id" text PRIMARY KEY NOT NULL,
	"organisation_id" text NOT NULL,
	"name" text NOT NULL,
	"theme" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"perspectives" jsonb NOT NULL,
	"phases" jsonb NOT NULL,
	"created_by" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workshops" (
	"id" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"theme" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"starts_at" timestamp (3) with time zone,
	"duration_minutes" integer DEFAULT 180 NOT NULL,
	"location" text DEFAULT '' NOT NULL,
	"calendar_sequence" integer DEFAULT 0 NOT NULL,
	"join_code" text NOT NULL,
	"joining_open" boolean DEFAULT true NOT NULL,
	"programme_id" text,
	"created_by" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"guests_anonymised_at" timestamp (3) with time zone,
	CONSTRAINT "workshops_join_code_unique" UNIQUE("join_code")
);
--> statement-breakpoint
ALTER TABLE "accessibility_feedback" ADD CONSTRAINT "accessibility_feedback_answered_by_users_id_fk" FOREIGN KEY ("answered_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "area_imports" ADD CONSTRAINT "area_imports_imported_by_users_id_fk" FOREIGN KEY ("imported_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "board_snapshots" ADD CONSTRAINT "board_snapshots_workshop_id_workshops_id_fk" FOREIGN KEY ("workshop_id") REFERENCES "public"."workshops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "board_updates" ADD CONSTRAINT "board_updates_workshop_id_workshops_id_fk" FOREIGN KEY ("workshop_id") REFERENCES "public"."workshops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "calendar_feeds" ADD CONSTRAINT "calendar_feeds_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_in_readings" ADD CONSTRAINT "check_in_readings_check_in_id_check_ins_id_fk" FOREIGN KEY ("check_in_id") REFERENCES "public"."check_ins"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_in_readings" ADD CONSTRAINT "check_in_readings_indicator_id_pilot_indicators_id_fk" FOREIGN KEY ("indicator_id") REFERENCES "public"."pilot_indicators"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_ins" ADD CONSTRAINT "check_ins_pilot_id_pilots_id_fk" FOREIGN KEY ("pilot_id") REFERENCES "public"."pilots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_ins" ADD CONSTRAINT "check_ins_written_by_users_id_fk" FOREIGN KEY ("written_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mail_outbox" ADD CONSTRAINT "mail_outbox_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mail_preferences" ADD CONSTRAINT "mail_preferences_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "participants" ADD CONSTRAINT "participants_workshop_id_workshops_id_fk" FOREIGN KEY ("workshop_id") REFERENCES "public"."workshops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "participants" ADD CONSTRAINT "participants_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "password_reset_tokens" ADD CONSTRAINT "password_reset_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pending_identity_links" ADD CONSTRAINT "pending_identity_links_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "phase_done" ADD CONSTRAINT "phase_done_workshop_id_workshops_id_fk" FOREIGN KEY ("workshop_id") REFERENCES "public"."workshops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "phase_done" ADD CONSTRAINT "phase_done_participant_id_participants_id_fk" FOREIGN KEY ("participant_id") REFERENCES "public"."participants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pilot_areas" ADD CONSTRAINT "pilot_areas_pilot_id_pilots_id_fk" FOREIGN KEY ("pilot_id") REFERENCES "public"."pilots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pilot_areas" ADD CONSTRAINT "pilot_areas_area_code_areas_code_fk" FOREIGN KEY ("area_code") REFERENCES "public"."areas"("code") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pilot_comments" ADD CONSTRAINT "pilot_comments_pilot_id_pilots_id_fk" FOREIGN KEY ("pilot_id") REFERENCES "public"."pilots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pilot_comments" ADD CONSTRAINT "pilot_comments_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pilot_indicators" ADD CONSTRAINT "pilot_indicators_pilot_id_pilots_id_fk" FOREIGN KEY ("pilot_id") REFERENCES "public"."pilots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pilot_indicators" ADD CONSTRAINT "pilot_indicators_indicator_key_indicators_key_fk" FOREIGN KEY ("indicator_key") REFERENCES "public"."indicators"("key") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pilot_indicators" ADD CONSTRAINT "pilot_indicators_area_code_areas_code_fk" FOREIGN KEY ("area_code") REFERENCES "public"."areas"("code") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pilot_status_history" ADD CONSTRAINT "pilot_status_history_pilot_id_pilots_id_fk" FOREIGN KEY ("pilot_id") REFERENCES "public"."pilots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pilot_status_history" ADD CONSTRAINT "pilot_status_history_by_user_id_users_id_fk" FOREIGN KEY ("by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pilot_team" ADD CONSTRAINT "pilot_team_pilot_id_pilots_id_fk" FOREIGN KEY ("pilot_id") REFERENCES "public"."pilots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pilot_team" ADD CONSTRAINT "pilot_team_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pilots" ADD CONSTRAINT "pilots_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pilots" ADD CONSTRAINT "pilots_goal_id_programme_goals_id_fk" FOREIGN KEY ("goal_id") REFERENCES "public"."programme_goals"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pilots" ADD CONSTRAINT "pilots_owner_organisation_id_organisations_id_fk" FOREIGN KEY ("owner_organisation_id") REFERENCES "public"."organisations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pilots" ADD CONSTRAINT "pilots_responsible_user_id_users_id_fk" FOREIGN KEY ("responsible_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pilots" ADD CONSTRAINT "pilots_source_workshop_id_workshops_id_fk" FOREIGN KEY ("source_workshop_id") REFERENCES "public"."workshops"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pilots" ADD CONSTRAINT "pilots_source_round_id_vote_rounds_id_fk" FOREIGN KEY ("source_round_id") REFERENCES "public"."vote_rounds"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pilots" ADD CONSTRAINT "pilots_proposed_by_users_id_fk" FOREIGN KEY ("proposed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "private_board_snapshots" ADD CONSTRAINT "private_board_snapshots_workshop_id_workshops_id_fk" FOREIGN KEY ("workshop_id") REFERENCES "public"."workshops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "private_board_snapshots" ADD CONSTRAINT "private_board_snapshots_participant_id_participants_id_fk" FOREIGN KEY ("participant_id") REFERENCES "public"."participants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "private_board_updates" ADD CONSTRAINT "private_board_updates_workshop_id_workshops_id_fk" FOREIGN KEY ("workshop_id") REFERENCES "public"."workshops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "private_board_updates" ADD CONSTRAINT "private_board_updates_participant_id_participants_id_fk" FOREIGN KEY ("participant_id") REFERENCES "public"."participants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "programme_areas" ADD CONSTRAINT "programme_areas_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "programme_areas" ADD CONSTRAINT "programme_areas_area_code_areas_code_fk" FOREIGN KEY ("area_code") REFERENCES "public"."areas"("code") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "programme_goals" ADD CONSTRAINT "programme_goals_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "programme_organisations" ADD CONSTRAINT "programme_organisations_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "programme_organisations" ADD CONSTRAINT "programme_organisations_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "programmes" ADD CONSTRAINT "programmes_owner_organisation_id_organisations_id_fk" FOREIGN KEY ("owner_organisation_id") REFERENCES "public"."organisations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "programmes" ADD CONSTRAINT "programmes_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "area_values" ADD CONSTRAINT "area_values_area_code_areas_code_fk" FOREIGN KEY ("area_code") REFERENCES "public"."areas"("code") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "area_values" ADD CONSTRAINT "area_values_indicator_key_indicators_key_fk" FOREIGN KEY ("indicator_key") REFERENCES "public"."indicators"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_identities" ADD CONSTRAINT "user_identities_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vote_requests" ADD CONSTRAINT "vote_requests_round_id_vote_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."vote_rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vote_round_choices" ADD CONSTRAINT "vote_round_choices_round_id_vote_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."vote_rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vote_round_items" ADD CONSTRAINT "vote_round_items_round_id_vote_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."vote_rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vote_rounds" ADD CONSTRAINT "vote_rounds_workshop_id_workshops_id_fk" FOREIGN KEY ("workshop_id") REFERENCES "public"."workshops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vote_rounds" ADD CONSTRAINT "vote_rounds_opened_by_users_id_fk" FOREIGN KEY ("opened_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "votes" ADD CONSTRAINT "votes_round_id_vote_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."vote_rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workshop_facilitators" ADD CONSTRAINT "workshop_facilitators_workshop_id_workshops_id_fk" FOREIGN KEY ("workshop_id") REFERENCES "public"."workshops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workshop_facilitators" ADD CONSTRAINT "workshop_facilitators_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workshop_invitations" ADD CONSTRAINT "workshop_invitations_workshop_id_workshops_id_fk" FOREIGN KEY ("workshop_id") REFERENCES "public"."workshops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workshop_invitations" ADD CONSTRAINT "workshop_invitations_invited_by_users_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workshop_invitations" ADD CONSTRAINT "workshop_invitations_last_mail_id_mail_outbox_id_fk" FOREIGN KEY ("last_mail_id") REFERENCES "public"."mail_outbox"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workshop_live" ADD CONSTRAINT "workshop_live_workshop_id_workshops_id_fk" FOREIGN KEY ("workshop_id") REFERENCES "public"."workshops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workshop_live" ADD CONSTRAINT "workshop_live_phase_id_workshop_phases_id_fk" FOREIGN KEY ("phase_id") REFERENCES "public"."workshop_phases"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workshop_organisations" ADD CONSTRAINT "workshop_organisations_workshop_id_workshops_id_fk" FOREIGN KEY ("workshop_id") REFERENCES "public"."workshops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workshop_organisations" ADD CONSTRAINT "workshop_organisations_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workshop_perspectives" ADD CONSTRAINT "workshop_perspectives_workshop_id_workshops_id_fk" FOREIGN KEY ("workshop_id") REFERENCES "public"."workshops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workshop_phases" ADD CONSTRAINT "workshop_phases_workshop_id_workshops_id_fk" FOREIGN KEY ("workshop_id") REFERENCES "public"."workshops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workshop_templates" ADD CONSTRAINT "workshop_templates_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workshop_templates" ADD CONSTRAINT "workshop_templates_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workshops" ADD CONSTRAINT "workshops_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workshops" ADD CONSTRAINT "workshops_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "accessibility_feedback_received_idx" ON "accessibility_feedback" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "audit_events_at_idx" ON "audit_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_events_action_idx" ON "audit_events" USING btree ("action","at");--> statement-breakpoint
CREATE INDEX "board_updates_workshop_idx" ON "board_updates" USING btree ("workshop_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "check_ins_series_version_idx" ON "check_ins" USING btree ("series_id","version");--> statement-breakpoint
CREATE INDEX "check_ins_pilot_idx" ON "check_ins" USING btree ("pilot_id","reported_on");--> statement-breakpoint
CREATE INDEX "mail_outbox_due_idx" ON "mail_outbox" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "mail_outbox_about_idx" ON "mail_outbox" USING btree ("about");--> statement-breakpoint
CREATE INDEX "mail_outbox_created_idx" ON "mail_outbox" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "memberships_organisation_idx" ON "memberships" USING btree ("organisation_id");--> statement-breakpoint
CREATE INDEX "participants_workshop_idx" ON "participants" USING btree ("workshop_id");--> statement-breakpoint
CREATE UNIQUE INDEX "participants_workshop_user_idx" ON "participants" USING btree ("workshop_id","user_id");--> statement-breakpoint
CREATE INDEX "participants_workshop_device_idx" ON "participants" USING btree ("workshop_id","device_id");--> statement-breakpoint
CREATE INDEX "password_reset_tokens_user_idx" ON "password_reset_tokens" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "pilot_comments_pilot_idx" ON "pilot_comments" USING btree ("pilot_id","at");--> statement-breakpoint
CREATE INDEX "pilot_indicators_pilot_idx" ON "pilot_indicators" USING btree ("pilot_id","position");--> statement-breakpoint
CREATE INDEX "pilot_status_history_pilot_idx" ON "pilot_status_history" USING btree ("pilot_id","at");--> statement-breakpoint
CREATE INDEX "pilot_team_user_idx" ON "pilot_team" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "pilots_programme_idx" ON "pilots" USING btree ("programme_id","status");--> statement-breakpoint
CREATE INDEX "pilots_source_workshop_idx" ON "pilots" USING btree ("source_workshop_id");--> statement-breakpoint
CREATE INDEX "private_board_updates_owner_idx" ON "private_board_updates" USING btree ("workshop_id","participant_id","id");--> statement-breakpoint
CREATE INDEX "programme_goals_programme_idx" ON "programme_goals" USING btree ("programme_id","position");--> statement-breakpoint
CREATE INDEX "rate_limit_events_key_idx" ON "rate_limit_events" USING btree ("key","at");--> statement-breakpoint
CREATE INDEX "rate_limit_events_at_idx" ON "rate_limit_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "area_values_indicator_idx" ON "area_values" USING btree ("generation","indicator_key","year");--> statement-breakpoint
CREATE INDEX "user_identities_user_idx" ON "user_identities" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "vote_rounds_workshop_idx" ON "vote_rounds" USING btree ("workshop_id","opened_at");--> statement-breakpoint
CREATE INDEX "votes_round_item_idx" ON "votes" USING btree ("round_id","item_id");--> statement-breakpoint
CREATE INDEX "workshop_facilitators_user_idx" ON "workshop_facilitators" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "workshop_invitations_workshop_email_idx" ON "workshop_invitations" USING btree ("workshop_id","email");--> statement-breakpoint
CREATE INDEX "workshop_perspectives_workshop_idx" ON "workshop_perspectives" USING btree ("workshop_id","position");--> statement-breakpoint
CREATE INDEX "workshop_phases_workshop_idx" ON "workshop_phases" USING btree ("workshop_id","position");--> statement-breakpoint
CREATE INDEX "workshop_templates_organisation_idx" ON "workshop_templates" USING btree ("organisation_id");--> statement-breakpoint
CREATE VIEW "public"."current_area_values" AS (SELECT area_code, indicator_key, year, value FROM area_values WHERE generation = coalesce((SELECT generation FROM area_data_state WHERE id = 1), 0));