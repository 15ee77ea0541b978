CREATE TABLE `admin_compliance_changes` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`teacher_id` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `admin_login_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ip` text NOT NULL,
	`at` integer NOT NULL,
	`ok` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `admin_login_attempts_ip` ON `admin_login_attempts` (`ip`,`at`);--> statement-breakpoint
CREATE TABLE `admin_login_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`teacher_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer
);
--> statement-breakpoint
CREATE INDEX `admin_login_tokens_expires` ON `admin_login_tokens` (`expires_at`);--> statement-breakpoint
CREATE TABLE `admin_sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`teacher_id` integer,
	`actor` text NOT NULL,
	`csrf_token` text NOT NULL,
	`ip` text,
	`user_agent` text,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE INDEX `admin_sessions_expires` ON `admin_sessions` (`expires_at`);--> statement-breakpoint
-- Hand-written: the console's compliance cache learns which teachers changed from any process (a credit
-- cancelled in chat, a roster re-import from the CLI). Inserts are found by id, so imports pay nothing per row.
CREATE TRIGGER `admin_records_update` AFTER UPDATE ON `records` BEGIN
	INSERT INTO `admin_compliance_changes` (`teacher_id`) VALUES (NEW.`teacher_id`);
	INSERT INTO `admin_compliance_changes` (`teacher_id`) SELECT OLD.`teacher_id` WHERE OLD.`teacher_id` <> NEW.`teacher_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `admin_records_delete` AFTER DELETE ON `records` BEGIN
	INSERT INTO `admin_compliance_changes` (`teacher_id`) VALUES (OLD.`teacher_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `admin_teachers_update` AFTER UPDATE ON `teachers` BEGIN
	INSERT INTO `admin_compliance_changes` (`teacher_id`) VALUES (NEW.`id`);
END;
--> statement-breakpoint
CREATE TRIGGER `admin_teachers_delete` AFTER DELETE ON `teachers` BEGIN
	INSERT INTO `admin_compliance_changes` (`teacher_id`) VALUES (OLD.`id`);
END;
