CREATE TABLE `area_imports` (
	`id` text PRIMARY KEY NOT NULL,
	`filename` text NOT NULL,
	`format` text NOT NULL,
	`rows` integer NOT NULL,
	`imported_by` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`imported_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE TABLE `area_values` (
	`area_code` text NOT NULL,
	`indicator_key` text NOT NULL,
	`year` integer NOT NULL,
	`value` real NOT NULL,
	PRIMARY KEY(`area_code`, `indicator_key`, `year`),
	FOREIGN KEY (`area_code`) REFERENCES `areas`(`code`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`indicator_key`) REFERENCES `indicators`(`key`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `area_values_indicator_idx` ON `area_values` (`indicator_key`,`year`);--> statement-breakpoint
CREATE TABLE `areas` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`municipality` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE `check_in_readings` (
	`check_in_id` text NOT NULL,
	`indicator_id` text NOT NULL,
	`value` real NOT NULL,
	PRIMARY KEY(`check_in_id`, `indicator_id`),
	FOREIGN KEY (`check_in_id`) REFERENCES `check_ins`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`indicator_id`) REFERENCES `pilot_indicators`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `check_ins` (
	`id` text PRIMARY KEY NOT NULL,
	`pilot_id` text NOT NULL,
	`series_id` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`reported_on` text NOT NULL,
	`status` text NOT NULL,
	`happened` text DEFAULT '' NOT NULL,
	`learned` text DEFAULT '' NOT NULL,
	`next_steps` text DEFAULT '' NOT NULL,
	`impact_residents` text DEFAULT '' NOT NULL,
	`impact_local_actors` text DEFAULT '' NOT NULL,
	`impact_institutions` text DEFAULT '' NOT NULL,
	`written_by` text,
	`written_at` integer NOT NULL,
	FOREIGN KEY (`pilot_id`) REFERENCES `pilots`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`written_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `check_ins_series_version_idx` ON `check_ins` (`series_id`,`version`);--> statement-breakpoint
CREATE INDEX `check_ins_pilot_idx` ON `check_ins` (`pilot_id`,`reported_on`);--> statement-breakpoint
CREATE TABLE `indicators` (
	`key` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`unit` text DEFAULT '' NOT NULL,
	`higher_is_better` integer,
	`source` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE `pilot_areas` (
	`pilot_id` text NOT NULL,
	`area_code` text NOT NULL,
	PRIMARY KEY(`pilot_id`, `area_code`),
	FOREIGN KEY (`pilot_id`) REFERENCES `pilots`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`area_code`) REFERENCES `areas`(`code`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `pilot_comments` (
	`id` text PRIMARY KEY NOT NULL,
	`pilot_id` text NOT NULL,
	`author_id` text,
	`text` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`pilot_id`) REFERENCES `pilots`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `pilot_comments_pilot_idx` ON `pilot_comments` (`pilot_id`,`at`);--> statement-breakpoint
CREATE TABLE `pilot_indicators` (
	`id` text PRIMARY KEY NOT NULL,
	`pilot_id` text NOT NULL,
	`position` integer NOT NULL,
	`name` text NOT NULL,
	`unit` text DEFAULT '' NOT NULL,
	`indicator_key` text,
	`area_code` text,
	`baseline` real,
	`target` real,
	`higher_is_better` integer DEFAULT true NOT NULL,
	FOREIGN KEY (`pilot_id`) REFERENCES `pilots`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`indicator_key`) REFERENCES `indicators`(`key`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`area_code`) REFERENCES `areas`(`code`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `pilot_indicators_pilot_idx` ON `pilot_indicators` (`pilot_id`,`position`);--> statement-breakpoint
CREATE TABLE `pilot_status_history` (
	`id` text PRIMARY KEY NOT NULL,
	`pilot_id` text NOT NULL,
	`from_status` text,
	`to_status` text NOT NULL,
	`decision` text,
	`comment` text DEFAULT '' NOT NULL,
	`by_user_id` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`pilot_id`) REFERENCES `pilots`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `pilot_status_history_pilot_idx` ON `pilot_status_history` (`pilot_id`,`at`);--> statement-breakpoint
CREATE TABLE `pilot_team` (
	`pilot_id` text NOT NULL,
	`user_id` text NOT NULL,
	PRIMARY KEY(`pilot_id`, `user_id`),
	FOREIGN KEY (`pilot_id`) REFERENCES `pilots`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `pilot_team_user_idx` ON `pilot_team` (`user_id`);--> statement-breakpoint
CREATE TABLE `pilots` (
	`id` text PRIMARY KEY NOT NULL,
	`programme_id` text NOT NULL,
	`goal_id` text,
	`title` text NOT NULL,
	`summary` text DEFAULT '' NOT NULL,
	`hypothesis` text DEFAULT '' NOT NULL,
	`canvas` text DEFAULT '{}' NOT NULL,
	`owner_organisation_id` text,
	`responsible_user_id` text,
	`target_group` text DEFAULT '' NOT NULL,
	`perspective` text DEFAULT '' NOT NULL,
	`starts_on` text,
	`ends_on` text,
	`cadence_weeks` integer DEFAULT 4 NOT NULL,
	`budget_euros` integer,
	`status` text DEFAULT 'proposed' NOT NULL,
	`decision` text,
	`decision_reason` text DEFAULT '' NOT NULL,
	`review_comment` text DEFAULT '' NOT NULL,
	`source_workshop_id` text,
	`source_round_id` text,
	`source_idea_id` text,
	`proposed_by` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`programme_id`) REFERENCES `programmes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`goal_id`) REFERENCES `programme_goals`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`owner_organisation_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`responsible_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`source_workshop_id`) REFERENCES `workshops`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`source_round_id`) REFERENCES `vote_rounds`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`proposed_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `pilots_programme_idx` ON `pilots` (`programme_id`,`status`);--> statement-breakpoint
CREATE INDEX `pilots_source_workshop_idx` ON `pilots` (`source_workshop_id`);--> statement-breakpoint
CREATE TABLE `programme_areas` (
	`programme_id` text NOT NULL,
	`area_code` text NOT NULL,
	PRIMARY KEY(`programme_id`, `area_code`),
	FOREIGN KEY (`programme_id`) REFERENCES `programmes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`area_code`) REFERENCES `areas`(`code`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `programme_goals` (
	`id` text PRIMARY KEY NOT NULL,
	`programme_id` text NOT NULL,
	`position` integer NOT NULL,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	FOREIGN KEY (`programme_id`) REFERENCES `programmes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `programme_goals_programme_idx` ON `programme_goals` (`programme_id`,`position`);--> statement-breakpoint
CREATE TABLE `programme_organisations` (
	`programme_id` text NOT NULL,
	`organisation_id` text NOT NULL,
	PRIMARY KEY(`programme_id`, `organisation_id`),
	FOREIGN KEY (`programme_id`) REFERENCES `programmes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`organisation_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `programmes` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`owner_organisation_id` text NOT NULL,
	`starts_on` text,
	`ends_on` text,
	`description` text DEFAULT '' NOT NULL,
	`created_by` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`owner_organisation_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
ALTER TABLE `workshops` ADD `programme_id` text REFERENCES programmes(id) ON DELETE set null;--> statement-breakpoint
-- The learning library's full-text index (kept by pilots.ts; one row per pilot). unicode61 with diacritics
-- folded so "paatos" finds "päätös" and Swedish and English texts are searched alike.
CREATE VIRTUAL TABLE `pilot_search` USING fts5(`pilot_id` UNINDEXED, `title`, `summary`, `learnings`, `decision_reason`, tokenize = 'unicode61 remove_diacritics 2');
