CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
DROP INDEX "tickets_tags_idx";--> statement-breakpoint
DROP INDEX "tickets_search_idx";--> statement-breakpoint
CREATE INDEX "tickets_search_filters_idx" ON "tickets" USING gin ("search_vector","tags","status_category","priority_id","group_id","assignee_id","organization_id");