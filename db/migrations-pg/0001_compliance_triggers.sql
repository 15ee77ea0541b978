-- As SQLite's migration 0002: a changed or deleted record or teacher queues that teacher's compliance summary
-- for recomputation, whichever process or instance made the change. New rows are found by their ids instead.
CREATE FUNCTION admin_queue_record_teacher() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		INSERT INTO "admin_compliance_changes" ("teacher_id") VALUES (OLD."teacher_id");
	ELSE
		INSERT INTO "admin_compliance_changes" ("teacher_id") VALUES (NEW."teacher_id");
		IF OLD."teacher_id" <> NEW."teacher_id" THEN
			INSERT INTO "admin_compliance_changes" ("teacher_id") VALUES (OLD."teacher_id");
		END IF;
	END IF;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION admin_queue_teacher() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO "admin_compliance_changes" ("teacher_id") VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD."id" ELSE NEW."id" END);
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "admin_records_update" AFTER UPDATE ON "records" FOR EACH ROW EXECUTE FUNCTION admin_queue_record_teacher();
--> statement-breakpoint
CREATE TRIGGER "admin_records_delete" AFTER DELETE ON "records" FOR EACH ROW EXECUTE FUNCTION admin_queue_record_teacher();
--> statement-breakpoint
CREATE TRIGGER "admin_teachers_update" AFTER UPDATE ON "teachers" FOR EACH ROW EXECUTE FUNCTION admin_queue_teacher();
--> statement-breakpoint
CREATE TRIGGER "admin_teachers_delete" AFTER DELETE ON "teachers" FOR EACH ROW EXECUTE FUNCTION admin_queue_teacher();
