CREATE TABLE `bind_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`platform` text NOT NULL,
	`account_id` text NOT NULL,
	`chat_id` text NOT NULL,
	`employee_no` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `bind_attempts_account` ON `bind_attempts` (`platform`,`account_id`,`at`);--> statement-breakpoint
CREATE INDEX `bind_attempts_chat` ON `bind_attempts` (`platform`,`chat_id`,`at`);--> statement-breakpoint
CREATE INDEX `bind_attempts_employee` ON `bind_attempts` (`employee_no`,`at`);--> statement-breakpoint
CREATE TABLE `bind_codes` (
	`code_hash` text PRIMARY KEY NOT NULL,
	`teacher_id` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`teacher_id`) REFERENCES `teachers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `bind_codes_teacher` ON `bind_codes` (`teacher_id`);