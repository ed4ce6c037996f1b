CREATE TABLE `audit_events` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`actor_id` text,
	`actor_label` text NOT NULL,
	`action` text NOT NULL,
	`subject_kind` text,
	`subject_id` text,
	`details` text DEFAULT '{}' NOT NULL,
	`address` text,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `audit_events_at_idx` ON `audit_events` (`at`);--> statement-breakpoint
CREATE INDEX `audit_events_action_idx` ON `audit_events` (`action`,`at`);--> statement-breakpoint
CREATE TABLE `audit_prune_gate` (
	`open` integer PRIMARY KEY NOT NULL
);
--> statement-breakpoint
-- The only change allowed: an account's deletion unlinking its events (ON DELETE SET NULL); the label stays.
CREATE TRIGGER `audit_events_no_update` BEFORE UPDATE ON `audit_events`
WHEN NOT (OLD.`actor_id` IS NOT NULL AND NEW.`actor_id` IS NULL AND NEW.`id` = OLD.`id` AND NEW.`at` = OLD.`at` AND NEW.`actor_label` = OLD.`actor_label` AND NEW.`action` = OLD.`action` AND NEW.`subject_kind` IS OLD.`subject_kind` AND NEW.`subject_id` IS OLD.`subject_id` AND NEW.`details` = OLD.`details` AND NEW.`address` IS OLD.`address`)
BEGIN
	SELECT RAISE(ABORT, 'audit_events is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_events_no_delete` BEFORE DELETE ON `audit_events`
WHEN NOT EXISTS (SELECT 1 FROM `audit_prune_gate`)
BEGIN
	SELECT RAISE(ABORT, 'audit_events is append-only');
END;
