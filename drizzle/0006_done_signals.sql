CREATE TABLE `phase_done` (
	`workshop_id` text NOT NULL,
	`participant_id` text NOT NULL,
	`phase_run` integer NOT NULL,
	`done_at` integer NOT NULL,
	PRIMARY KEY(`workshop_id`, `participant_id`),
	FOREIGN KEY (`workshop_id`) REFERENCES `workshops`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`participant_id`) REFERENCES `participants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `workshop_live` ADD `phase_run` integer DEFAULT 0 NOT NULL;