CREATE TABLE `area_data_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`generation` integer NOT NULL
);
--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_area_values` (
	`generation` integer DEFAULT 0 NOT NULL,
	`area_code` text NOT NULL,
	`indicator_key` text NOT NULL,
	`year` integer NOT NULL,
	`value` real NOT NULL,
	PRIMARY KEY(`generation`, `area_code`, `indicator_key`, `year`),
	FOREIGN KEY (`area_code`) REFERENCES `areas`(`code`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`indicator_key`) REFERENCES `indicators`(`key`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_area_values`("area_code", "indicator_key", "year", "value") SELECT "area_code", "indicator_key", "year", "value" FROM `area_values`;--> statement-breakpoint
DROP TABLE `area_values`;--> statement-breakpoint
ALTER TABLE `__new_area_values` RENAME TO `area_values`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `area_values_indicator_idx` ON `area_values` (`generation`,`indicator_key`,`year`);--> statement-breakpoint
CREATE VIEW `current_area_values` AS SELECT area_code, indicator_key, year, value FROM area_values WHERE generation = coalesce((SELECT generation FROM area_data_state WHERE id = 1), 0);