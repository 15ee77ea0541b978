PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_inbox` (
	`id` integer PRIMARY KEY NOT NULL,
	`claim_key` text NOT NULL,
	`event_key` text NOT NULL,
	`platform` text NOT NULL,
	`payload` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`handled_at` integer
);
--> statement-breakpoint
-- Keys already claimed stay claimed: a message's claim is its message id, anything else its event id.
INSERT INTO `__new_inbox`("claim_key", "event_key", "platform", "payload", "status", "attempts", "last_error", "created_at", "handled_at") SELECT CASE WHEN "message_key" IS NOT NULL THEN 'm:' || "message_key" ELSE 'e:' || "event_key" END, "event_key", "platform", "payload", "status", "attempts", "last_error", "created_at", "handled_at" FROM `inbox` ORDER BY "created_at";--> statement-breakpoint
DROP TABLE `inbox`;--> statement-breakpoint
ALTER TABLE `__new_inbox` RENAME TO `inbox`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `inbox_claim_key` ON `inbox` (`claim_key`);--> statement-breakpoint
CREATE INDEX `inbox_status` ON `inbox` (`status`,`created_at`);