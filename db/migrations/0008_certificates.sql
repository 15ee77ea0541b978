CREATE TABLE `certificates` (
	`serial` text PRIMARY KEY NOT NULL,
	`teacher_id` integer NOT NULL,
	`year` integer,
	`as_of` text NOT NULL,
	`cycle_start` text,
	`cycle_end` text,
	`required` real,
	`earned` real NOT NULL,
	`remaining` real,
	`year_earned` real,
	`figures_hash` text NOT NULL,
	`issued_at` integer NOT NULL,
	`issued_by` text NOT NULL,
	`revoked_at` integer,
	`revoked_by` text,
	`revoke_reason` text,
	FOREIGN KEY (`teacher_id`) REFERENCES `teachers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `certificates_teacher` ON `certificates` (`teacher_id`);