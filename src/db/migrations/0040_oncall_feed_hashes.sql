ALTER TABLE "oncall_person_feeds" ADD COLUMN "token_hash" text;--> statement-breakpoint
ALTER TABLE "oncall_schedules" ADD COLUMN "feed_token_hash" text;