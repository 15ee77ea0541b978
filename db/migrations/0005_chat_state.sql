CREATE TABLE `chat_state` (
	`platform` text NOT NULL,
	`account_id` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`platform`, `account_id`, `key`)
);
