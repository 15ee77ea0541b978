CREATE TABLE `evidence_files` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`declaration_id` integer,
	`teacher_id` integer NOT NULL,
	`platform` text NOT NULL,
	`message_id` text NOT NULL,
	`account_id` text NOT NULL,
	`platform_key` text NOT NULL,
	`kind` text NOT NULL,
	`file_name` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`sha256` text,
	`size` integer,
	`mime` text,
	`error` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`claimed_until` integer,
	`created_at` integer NOT NULL,
	`stored_at` integer,
	FOREIGN KEY (`declaration_id`) REFERENCES `declarations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`teacher_id`) REFERENCES `teachers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `evidence_files_message_key` ON `evidence_files` (`platform`,`message_id`,`platform_key`);--> statement-breakpoint
CREATE INDEX `evidence_files_due` ON `evidence_files` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `evidence_files_declaration` ON `evidence_files` (`declaration_id`);--> statement-breakpoint
CREATE INDEX `evidence_files_sha256` ON `evidence_files` (`sha256`);