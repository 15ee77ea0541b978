-- As SQLite's migration 0012 (written by hand there too): one evaluation template per category, the NULL category
-- (the default template) counted as one value, and that default template.
CREATE UNIQUE INDEX "questionnaires_evaluation_category" ON "questionnaires" (coalesce("category", '')) WHERE "kind" = 'evaluation';
--> statement-breakpoint
INSERT INTO "questionnaires" ("kind", "title", "questions", "category", "created_by", "created_at", "updated_at")
VALUES ('evaluation', '培训评价', '[{"key": "overall", "kind": "rating", "prompt": "总体评价", "required": true}, {"key": "content", "kind": "rating", "prompt": "培训内容", "required": true}, {"key": "trainer", "kind": "rating", "prompt": "授课教师", "required": true}, {"key": "usefulness", "kind": "rating", "prompt": "实用性（对教学工作的帮助）", "required": true}, {"key": "comment", "kind": "text", "prompt": "意见和建议（选填）", "required": false}]', NULL, 'migration', now(), now());
