CREATE TABLE `vote_requests` (
	`round_id` text NOT NULL,
	`voter_id` text NOT NULL,
	`request_id` text NOT NULL,
	PRIMARY KEY(`round_id`, `voter_id`, `request_id`),
	FOREIGN KEY (`round_id`) REFERENCES `vote_rounds`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `vote_round_choices` (
	`round_id` text NOT NULL,
	`item_id` text NOT NULL,
	PRIMARY KEY(`round_id`, `item_id`),
	FOREIGN KEY (`round_id`) REFERENCES `vote_rounds`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `vote_round_items` (
	`round_id` text NOT NULL,
	`item_id` text NOT NULL,
	`kind` text NOT NULL,
	`text` text NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`round_id`, `item_id`),
	FOREIGN KEY (`round_id`) REFERENCES `vote_rounds`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `vote_rounds` (
	`id` text PRIMARY KEY NOT NULL,
	`workshop_id` text NOT NULL,
	`method` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`anonymous` integer DEFAULT false NOT NULL,
	`results_hidden` integer DEFAULT false NOT NULL,
	`allow_changes` integer DEFAULT true NOT NULL,
	`budget` integer DEFAULT 5 NOT NULL,
	`cap` integer DEFAULT 3 NOT NULL,
	`ranking_size` integer,
	`opened_by` text,
	`opened_at` integer NOT NULL,
	`closed_at` integer,
	`revealed_at` integer,
	FOREIGN KEY (`workshop_id`) REFERENCES `workshops`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`opened_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `vote_rounds_workshop_idx` ON `vote_rounds` (`workshop_id`,`opened_at`);--> statement-breakpoint
CREATE TABLE `votes` (
	`round_id` text NOT NULL,
	`voter_id` text NOT NULL,
	`item_id` text NOT NULL,
	`points` integer,
	`rank` integer,
	`impact` integer,
	`feasibility` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`round_id`, `voter_id`, `item_id`),
	FOREIGN KEY (`round_id`) REFERENCES `vote_rounds`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `votes_round_item_idx` ON `votes` (`round_id`,`item_id`);