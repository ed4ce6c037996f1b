CREATE TABLE `calendar_feeds` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`secret_hash` blob NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `calendar_feeds_user_id_unique` ON `calendar_feeds` (`user_id`);--> statement-breakpoint
ALTER TABLE `workshops` ADD `duration_minutes` integer DEFAULT 180 NOT NULL;--> statement-breakpoint
ALTER TABLE `workshops` ADD `location` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `workshops` ADD `calendar_sequence` integer DEFAULT 0 NOT NULL;