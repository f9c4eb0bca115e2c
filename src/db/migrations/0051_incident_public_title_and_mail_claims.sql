ALTER TABLE "incident_tickets" ADD COLUMN "held_from" text;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "public_title" text DEFAULT 'Service disruption' NOT NULL;--> statement-breakpoint
ALTER TABLE "status_deliveries" ADD COLUMN "claims" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "status_deliveries" ADD COLUMN "claimed_at" timestamp with time zone;--> statement-breakpoint
-- Incidents declared on their own were titled for the public; those declared from a ticket may carry its subject.
UPDATE "incidents" SET "public_title" = "title" WHERE "origin_ticket_id" IS NULL;
