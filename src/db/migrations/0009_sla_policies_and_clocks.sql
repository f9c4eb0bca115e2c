CREATE TABLE "sla_clocks" (
	"ticket_id" uuid NOT NULL,
	"metric" text NOT NULL,
	"policy_id" uuid,
	"status" text NOT NULL,
	"target_minutes" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"running_since" timestamp with time zone,
	"elapsed_minutes" double precision DEFAULT 0 NOT NULL,
	"due_at" timestamp with time zone,
	"warn_at" timestamp with time zone,
	"achieved_at" timestamp with time zone,
	"warned_at" timestamp with time zone,
	"breached_at" timestamp with time zone,
	CONSTRAINT "sla_clocks_ticket_id_metric_pk" PRIMARY KEY("ticket_id","metric")
);
--> statement-breakpoint
CREATE TABLE "sla_policies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"condition" jsonb NOT NULL,
	"calendar_id" uuid NOT NULL,
	"targets" jsonb NOT NULL,
	"pauses" jsonb NOT NULL,
	"warn_percent" integer DEFAULT 75 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sla_clocks" ADD CONSTRAINT "sla_clocks_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_clocks" ADD CONSTRAINT "sla_clocks_policy_id_sla_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."sla_policies"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_policies" ADD CONSTRAINT "sla_policies_calendar_id_business_calendars_id_fk" FOREIGN KEY ("calendar_id") REFERENCES "public"."business_calendars"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sla_clocks_due_idx" ON "sla_clocks" USING btree ("due_at") WHERE "sla_clocks"."status" = 'running' and "sla_clocks"."breached_at" is null;--> statement-breakpoint
CREATE INDEX "sla_clocks_warn_idx" ON "sla_clocks" USING btree ("warn_at") WHERE "sla_clocks"."status" = 'running' and "sla_clocks"."warned_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "sla_policies_name_uq" ON "sla_policies" USING btree (lower("name"));