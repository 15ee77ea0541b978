CREATE TABLE `questionnaires` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`questions` text NOT NULL,
	`category` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `questionnaires_kind` ON `questionnaires` (`kind`,`category`);--> statement-breakpoint
CREATE TABLE `survey_answers` (
	`id` text PRIMARY KEY NOT NULL,
	`round_id` integer NOT NULL,
	`answered_on` text NOT NULL,
	`answers` text NOT NULL,
	`school` text,
	`role` text,
	FOREIGN KEY (`round_id`) REFERENCES `survey_rounds`(`id`) ON UPDATE no action ON DELETE no action
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `survey_answers_round` ON `survey_answers` (`round_id`);--> statement-breakpoint
CREATE TABLE `survey_invitations` (
	`round_id` integer NOT NULL,
	`teacher_id` integer NOT NULL,
	`token_hash` text NOT NULL,
	`answered` integer DEFAULT false NOT NULL,
	PRIMARY KEY(`round_id`, `teacher_id`),
	FOREIGN KEY (`round_id`) REFERENCES `survey_rounds`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`teacher_id`) REFERENCES `teachers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `survey_invitations_token` ON `survey_invitations` (`token_hash`);--> statement-breakpoint
CREATE TABLE `survey_rounds` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`questionnaire_id` integer,
	`questions` text NOT NULL,
	`session_id` integer,
	`audience` text,
	`title` text NOT NULL,
	`opened_at` integer NOT NULL,
	`closes_at` integer NOT NULL,
	`remind_at` integer,
	`reminded_at` integer,
	`results_notified_at` integer,
	`created_by` text NOT NULL,
	FOREIGN KEY (`questionnaire_id`) REFERENCES `questionnaires`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`session_id`) REFERENCES `training_sessions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `survey_rounds_session` ON `survey_rounds` (`session_id`);--> statement-breakpoint
CREATE INDEX `survey_rounds_closes` ON `survey_rounds` (`closes_at`);--> statement-breakpoint
ALTER TABLE `training_sessions` ADD `trainer` text;--> statement-breakpoint
ALTER TABLE `training_sessions` ADD `project` text;--> statement-breakpoint
CREATE UNIQUE INDEX `questionnaires_evaluation_category` ON `questionnaires` (coalesce(`category`, '')) WHERE `kind` = 'evaluation';--> statement-breakpoint
INSERT INTO `questionnaires` (`kind`, `title`, `questions`, `category`, `created_by`, `created_at`, `updated_at`)
VALUES ('evaluation', '培训评价', '[{"key": "overall", "kind": "rating", "prompt": "总体评价", "required": true}, {"key": "content", "kind": "rating", "prompt": "培训内容", "required": true}, {"key": "trainer", "kind": "rating", "prompt": "授课教师", "required": true}, {"key": "usefulness", "kind": "rating", "prompt": "实用性（对教学工作的帮助）", "required": true}, {"key": "comment", "kind": "text", "prompt": "意见和建议（选填）", "required": false}]', NULL, 'migration', cast(unixepoch('subsec') * 1000 as integer), cast(unixepoch('subsec') * 1000 as integer));