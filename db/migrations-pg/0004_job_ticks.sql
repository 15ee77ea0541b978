CREATE TABLE "job_ticks" (
	"tick" timestamp (3) with time zone NOT NULL,
	"job" text NOT NULL,
	"claimed_by" text NOT NULL,
	CONSTRAINT "job_ticks_tick_job_pk" PRIMARY KEY("tick","job")
);
