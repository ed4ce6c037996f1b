CREATE TABLE `workshop_templates` (
	`id` text PRIMARY KEY NOT NULL,
	`organisation_id` text NOT NULL,
	`name` text NOT NULL,
	`theme` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`perspectives` text NOT NULL,
	`phases` text NOT NULL,
	`created_by` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`organisation_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `workshop_templates_organisation_idx` ON `workshop_templates` (`organisation_id`);--> statement-breakpoint
ALTER TABLE `participants` ADD `device_id` text;--> statement-breakpoint
CREATE INDEX `participants_workshop_device_idx` ON `participants` (`workshop_id`,`device_id`);