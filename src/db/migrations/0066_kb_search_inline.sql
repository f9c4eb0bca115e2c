-- Search vectors stay in the row (compressed if need be) instead of the TOAST table: every full-text match and rank
-- read each candidate's vector through the TOAST index, twice (the @@ filter, then ts_rank), and that was most of a
-- search's, a suggestion's and a related-articles lookup's database time (pgbench, 10,000 articles: 16-19 -> 6 ms).
-- The bulky columns (body, HTML, text) move out of line first. Existing vectors are rewritten to take the new storage.
ALTER TABLE "kb_articles" ALTER COLUMN "search" SET STORAGE MAIN;
--> statement-breakpoint
ALTER TABLE "kb_article_translations" ALTER COLUMN "search" SET STORAGE MAIN;
--> statement-breakpoint
UPDATE "kb_articles" SET "search" = "search" || ''::tsvector WHERE "search" IS NOT NULL;
--> statement-breakpoint
UPDATE "kb_article_translations" SET "search" = "search" || ''::tsvector WHERE "search" IS NOT NULL;
