-- PostgreSQL commits transactions in any order, so new records and teachers cannot be found by id as on SQLite
-- (a look that saw id 101 would miss id 100 committed a moment later). Every write to records and teachers now
-- queues its teacher here, inserts too, and each change row carries the writing transaction's id: the compliance
-- cache's mark is a database snapshot, and what changed since is every row whose transaction it did not see.
-- `at` lets several instances prune by age (each keeps its own cache and marks). Neither column is in
-- db/schema.pg.ts: SQLite has no equivalent and the stores read them only in raw SQL.
ALTER TABLE "admin_compliance_changes" ADD COLUMN "xid" xid8 DEFAULT pg_current_xact_id() NOT NULL;
--> statement-breakpoint
ALTER TABLE "admin_compliance_changes" ADD COLUMN "at" timestamptz DEFAULT now() NOT NULL;
--> statement-breakpoint
CREATE INDEX "admin_compliance_changes_xid" ON "admin_compliance_changes" USING btree ("xid");
--> statement-breakpoint
CREATE INDEX "admin_compliance_changes_at" ON "admin_compliance_changes" USING btree ("at");
--> statement-breakpoint
-- One statement-level trigger per table: an import inserting 10,000 rows in one statement queues each teacher
-- once, not a row per record.
CREATE FUNCTION admin_queue_inserted_records() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO "admin_compliance_changes" ("teacher_id") SELECT DISTINCT "teacher_id" FROM inserted;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION admin_queue_inserted_teachers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO "admin_compliance_changes" ("teacher_id") SELECT "id" FROM inserted;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "admin_records_insert" AFTER INSERT ON "records" REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION admin_queue_inserted_records();
--> statement-breakpoint
CREATE TRIGGER "admin_teachers_insert" AFTER INSERT ON "teachers" REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION admin_queue_inserted_teachers();
