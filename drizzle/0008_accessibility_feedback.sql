CREATE TABLE `accessibility_feedback` (
	`id` text PRIMARY KEY NOT NULL,
	`message` text NOT NULL,
	`concerns` text DEFAULT '' NOT NULL,
	`contact` text DEFAULT '' NOT NULL,
	`locale` text NOT NULL,
	`received_at` integer NOT NULL,
	`answered_at` integer,
	`answered_by` text,
	FOREIGN KEY (`answered_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `accessibility_feedback_received_idx` ON `accessibility_feedback` (`received_at`);