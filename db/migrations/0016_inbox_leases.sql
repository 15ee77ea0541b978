ALTER TABLE `inbox` ADD `claimed_by` text;--> statement-breakpoint
ALTER TABLE `inbox` ADD `claimed_until` integer;