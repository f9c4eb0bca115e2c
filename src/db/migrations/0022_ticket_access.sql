ALTER TABLE "users" ADD COLUMN "ticket_access" text DEFAULT 'all' NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "escalated_from_group_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL;