CREATE TABLE `private_board_snapshots` (
	`workshop_id` text NOT NULL,
	`participant_id` text NOT NULL,
	`state` blob NOT NULL,
	`last_update_id` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`workshop_id`, `participant_id`),
	FOREIGN KEY (`workshop_id`) REFERENCES `workshops`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`participant_id`) REFERENCES `participants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `private_board_updates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workshop_id` text NOT NULL,
	`participant_id` text NOT NULL,
	`update` blob NOT NULL,
	FOREIGN KEY (`workshop_id`) REFERENCES `workshops`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`participant_id`) REFERENCES `participants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `private_board_updates_owner_idx` ON `private_board_updates` (`workshop_id`,`participant_id`,`id`);--> statement-breakpoint
CREATE TABLE `workshop_live` (
	`workshop_id` text PRIMARY KEY NOT NULL,
	`phase_id` text,
	`phase_started_at` integer,
	`locked` integer DEFAULT false NOT NULL,
	`private_writing` integer DEFAULT false NOT NULL,
	`anonymous_reveal` integer DEFAULT false NOT NULL,
	`timer_ends_at` integer,
	`timer_remaining_ms` integer DEFAULT 0 NOT NULL,
	`timer_duration_ms` integer DEFAULT 0 NOT NULL,
	`focus_kind` text,
	`focus_id` text,
	`focus_seq` integer DEFAULT 0 NOT NULL,
	`reveal_seq` integer DEFAULT 0 NOT NULL,
	`updated_at` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`workshop_id`) REFERENCES `workshops`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`phase_id`) REFERENCES `workshop_phases`(`id`) ON UPDATE no action ON DELETE set null
);
