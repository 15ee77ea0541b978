-- What the verify page shows "as printed": name, 工号 and school join the certificate row. Certificates issued
-- before this migration take the teacher's values of today (the best record there is of what was printed).
-- SQLite cannot add a NOT NULL column without a default, so the table is rebuilt.
CREATE TABLE `__new_certificates` (
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
	`name` text NOT NULL,
	`employee_no` text NOT NULL,
	`school` text NOT NULL,
	`figures_hash` text NOT NULL,
	`issued_at` integer NOT NULL,
	`issued_by` text NOT NULL,
	`revoked_at` integer,
	`revoked_by` text,
	`revoke_reason` text,
	FOREIGN KEY (`teacher_id`) REFERENCES `teachers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_certificates` (`serial`, `teacher_id`, `year`, `as_of`, `cycle_start`, `cycle_end`, `required`, `earned`, `remaining`, `year_earned`, `name`, `employee_no`, `school`, `figures_hash`, `issued_at`, `issued_by`, `revoked_at`, `revoked_by`, `revoke_reason`)
SELECT c.`serial`, c.`teacher_id`, c.`year`, c.`as_of`, c.`cycle_start`, c.`cycle_end`, c.`required`, c.`earned`, c.`remaining`, c.`year_earned`, t.`name`, t.`employee_no`, t.`school`, c.`figures_hash`, c.`issued_at`, c.`issued_by`, c.`revoked_at`, c.`revoked_by`, c.`revoke_reason`
FROM `certificates` c JOIN `teachers` t ON t.`id` = c.`teacher_id`;
--> statement-breakpoint
DROP TABLE `certificates`;
--> statement-breakpoint
ALTER TABLE `__new_certificates` RENAME TO `certificates`;
--> statement-breakpoint
CREATE INDEX `certificates_teacher` ON `certificates` (`teacher_id`);
--> statement-breakpoint
CREATE INDEX `certificates_employee_no` ON `certificates` (`employee_no`);
--> statement-breakpoint
CREATE INDEX `certificates_issued_at` ON `certificates` (`issued_at`);
