CREATE TABLE `declaration_assignees` (
	`declaration_id` integer NOT NULL,
	`teacher_id` integer NOT NULL,
	PRIMARY KEY(`declaration_id`, `teacher_id`),
	FOREIGN KEY (`declaration_id`) REFERENCES `declarations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`teacher_id`) REFERENCES `teachers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `declaration_assignees_teacher` ON `declaration_assignees` (`teacher_id`);--> statement-breakpoint
CREATE TABLE `declaration_flags` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`declaration_id` integer NOT NULL,
	`kind` text NOT NULL,
	`other_declaration_id` integer,
	`other_record_id` integer,
	`other_key` text NOT NULL,
	`detail` text DEFAULT '' NOT NULL,
	FOREIGN KEY (`declaration_id`) REFERENCES `declarations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`other_declaration_id`) REFERENCES `declarations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`other_record_id`) REFERENCES `records`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `declaration_flags_unique` ON `declaration_flags` (`declaration_id`,`kind`,`other_key`,`detail`);--> statement-breakpoint
CREATE TABLE `declaration_steps` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`declaration_id` integer NOT NULL,
	`step` text,
	`action` text NOT NULL,
	`actor` text NOT NULL,
	`actor_teacher_id` integer,
	`to_teacher_id` integer,
	`reason` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`declaration_id`) REFERENCES `declarations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`actor_teacher_id`) REFERENCES `teachers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`to_teacher_id`) REFERENCES `teachers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `declaration_steps_declaration` ON `declaration_steps` (`declaration_id`,`id`);--> statement-breakpoint
CREATE TABLE `declarations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`teacher_id` integer NOT NULL,
	`project` text NOT NULL,
	`project_key` text NOT NULL,
	`organiser` text NOT NULL,
	`start_date` text NOT NULL,
	`end_date` text NOT NULL,
	`hours` real NOT NULL,
	`category` text NOT NULL,
	`certificate_no` text,
	`state` text NOT NULL,
	`current_step` text,
	`record_id` integer,
	`return_reason` text,
	`record_revoked_at` integer,
	`record_revoke_reason` text,
	`created_at` integer NOT NULL,
	`submitted_at` integer,
	`decided_at` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`teacher_id`) REFERENCES `teachers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`record_id`) REFERENCES `records`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `declarations_exact_repeat` ON `declarations` (`teacher_id`,`project_key`,`start_date`,`end_date`,`hours`) WHERE state <> 'withdrawn';--> statement-breakpoint
CREATE INDEX `declarations_teacher` ON `declarations` (`teacher_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `declarations_state` ON `declarations` (`state`,`submitted_at`);--> statement-breakpoint
CREATE INDEX `declarations_certificate_no` ON `declarations` (`certificate_no`);