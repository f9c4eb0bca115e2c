CREATE TABLE "automation_runs" (
	"automation_id" uuid NOT NULL,
	"ticket_id" uuid NOT NULL,
	"ticket_version" integer NOT NULL,
	"fired_at" timestamp with time zone NOT NULL,
	CONSTRAINT "automation_runs_automation_id_ticket_id_pk" PRIMARY KEY("automation_id","ticket_id")
);
--> statement-breakpoint
CREATE TABLE "automations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"condition" jsonb NOT NULL,
	"actions" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "status_changed_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "requester_replied_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "automation_runs" ADD CONSTRAINT "automation_runs_automation_id_automations_id_fk" FOREIGN KEY ("automation_id") REFERENCES "public"."automations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "automation_runs" ADD CONSTRAINT "automation_runs_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "automations_name_uq" ON "automations" USING btree (lower("name"));--> statement-breakpoint
-- Existing tickets: the best known times (the events hold the exact history).
UPDATE "tickets" SET "status_changed_at" = "updated_at", "requester_replied_at" = "created_at";
