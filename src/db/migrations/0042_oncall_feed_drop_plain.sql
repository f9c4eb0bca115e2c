ALTER TABLE "oncall_person_feeds" ALTER COLUMN "token_hash" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "oncall_schedules" ALTER COLUMN "feed_token_hash" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "oncall_person_feeds" DROP COLUMN "token";--> statement-breakpoint
ALTER TABLE "oncall_schedules" DROP COLUMN "feed_token";