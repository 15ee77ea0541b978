CREATE TABLE `attendance` (
	`session_id` integer NOT NULL,
	`teacher_id` integer NOT NULL,
	`checked_in_at` integer NOT NULL,
	`checked_out_at` integer,
	`via` text NOT NULL,
	PRIMARY KEY(`session_id`, `teacher_id`),
	FOREIGN KEY (`session_id`) REFERENCES `training_sessions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`teacher_id`) REFERENCES `teachers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `broadcast_recipients` (
	`broadcast_id` integer NOT NULL,
	`teacher_id` integer NOT NULL,
	`outbox_id` integer,
	PRIMARY KEY(`broadcast_id`, `teacher_id`),
	FOREIGN KEY (`broadcast_id`) REFERENCES `broadcasts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`teacher_id`) REFERENCES `teachers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`outbox_id`) REFERENCES `outbox`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `broadcast_recipients_outbox` ON `broadcast_recipients` (`outbox_id`);--> statement-breakpoint
CREATE TABLE `broadcasts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`text` text NOT NULL,
	`audience` text NOT NULL,
	`status` text DEFAULT 'preview' NOT NULL,
	`recipient_count` integer DEFAULT 0 NOT NULL,
	`created_by` text NOT NULL,
	`requested_via` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`confirmed_at` integer
);
--> statement-breakpoint
CREATE TABLE `deadline_filings` (
	`deadline_id` integer NOT NULL,
	`school` text NOT NULL,
	`filed_at` integer NOT NULL,
	`filed_by` integer,
	PRIMARY KEY(`deadline_id`, `school`),
	FOREIGN KEY (`deadline_id`) REFERENCES `deadlines`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`filed_by`) REFERENCES `teachers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `deadlines` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`title` text NOT NULL,
	`due_at` integer NOT NULL,
	`audience` text DEFAULT '{"all":true}' NOT NULL,
	`offsets` text DEFAULT '[30,7,3,1,0]' NOT NULL,
	`overdue_every_days` integer DEFAULT 3 NOT NULL,
	`escalate` integer DEFAULT true NOT NULL,
	`source_key` text,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`cancelled_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deadlines_source_key` ON `deadlines` (`source_key`);--> statement-breakpoint
CREATE INDEX `deadlines_due` ON `deadlines` (`due_at`);--> statement-breakpoint
CREATE TABLE `signin_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`platform` text NOT NULL,
	`account_id` text NOT NULL,
	`at` integer NOT NULL,
	`ok` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `signin_attempts_account` ON `signin_attempts` (`platform`,`account_id`,`at`);--> statement-breakpoint
CREATE TABLE `teacher_prefs` (
	`teacher_id` integer PRIMARY KEY NOT NULL,
	`reminders_off` integer DEFAULT false NOT NULL,
	`updated_at` integer,
	FOREIGN KEY (`teacher_id`) REFERENCES `teachers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `training_sessions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`title` text NOT NULL,
	`category` text NOT NULL,
	`hours` real NOT NULL,
	`date` text NOT NULL,
	`checkin_start` integer NOT NULL,
	`checkin_end` integer NOT NULL,
	`checkout_start` integer,
	`checkout_end` integer,
	`audience` text DEFAULT '{"all":true}' NOT NULL,
	`mode` text NOT NULL,
	`static_code` text,
	`secret` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `training_sessions_date` ON `training_sessions` (`date`);