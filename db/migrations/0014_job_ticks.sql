CREATE TABLE `job_ticks` (
	`tick` integer NOT NULL,
	`job` text NOT NULL,
	`claimed_by` text NOT NULL,
	PRIMARY KEY(`tick`, `job`)
);
