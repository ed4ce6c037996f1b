CREATE TABLE `calendar_feeds` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`secret_hash` blob NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `calendar_feeds_user_id_unique` ON `calendar_feeds` (`user_id`);--> statement-breakpoint
CREATE TABLE `workshop_invitations` (
	`id` text PRIMARY KEY NOT NULL,
	`workshop_id` text NOT NULL,
	`email` text NOT NULL,
	`locale` text NOT NULL,
	`state` text DEFAULT 'invited' NOT NULL,
	`invited_by` text,
	`invited_at` integer NOT NULL,
	`last_mail_id` text,
	FOREIGN KEY (`workshop_id`) REFERENCES `workshops`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`invited_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`last_mail_id`) REFERENCES `mail_outbox`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `workshop_invitations_workshop_email_idx` ON `workshop_invitations` (`workshop_id`,`email`);--> statement-breakpoint
ALTER TABLE `workshops` ADD `duration_minutes` integer DEFAULT 180 NOT NULL;--> statement-breakpoint
ALTER TABLE `workshops` ADD `location` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `workshops` ADD `calendar_sequence` integer DEFAULT 0 NOT NULL;