ALTER TABLE "ticket_events" ADD COLUMN "actor_type" text;--> statement-breakpoint
ALTER TABLE "ticket_events" ADD COLUMN "actor_name" text;