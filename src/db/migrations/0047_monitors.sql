CREATE TABLE "component_paging" (
	"component_id" uuid PRIMARY KEY NOT NULL,
	"policy_id" uuid NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "monitor_alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"monitor_id" uuid NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"last_error" text,
	"recovered_at" timestamp with time zone,
	"recovery_noted_at" timestamp with time zone,
	"incident_id" uuid,
	"incident_number" integer,
	"page_id" uuid
);
--> statement-breakpoint
CREATE TABLE "monitor_results" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"monitor_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"ok" boolean NOT NULL,
	"latency_ms" integer,
	"status_code" integer,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "monitors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"component_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"url" text,
	"method" text DEFAULT 'GET' NOT NULL,
	"interval_seconds" integer NOT NULL,
	"timeout_seconds" integer NOT NULL,
	"expected_status_min" integer DEFAULT 200 NOT NULL,
	"expected_status_max" integer DEFAULT 299 NOT NULL,
	"keyword" text,
	"grace_seconds" integer DEFAULT 0 NOT NULL,
	"failure_threshold" integer DEFAULT 3 NOT NULL,
	"paused" boolean DEFAULT false NOT NULL,
	"token_hash" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"next_check_at" timestamp with time zone NOT NULL,
	"last_checked_at" timestamp with time zone,
	"last_ping_at" timestamp with time zone,
	"created_by_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "component_paging" ADD CONSTRAINT "component_paging_component_id_status_components_id_fk" FOREIGN KEY ("component_id") REFERENCES "public"."status_components"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "component_paging" ADD CONSTRAINT "component_paging_policy_id_oncall_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."oncall_policies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitor_alerts" ADD CONSTRAINT "monitor_alerts_monitor_id_monitors_id_fk" FOREIGN KEY ("monitor_id") REFERENCES "public"."monitors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitor_alerts" ADD CONSTRAINT "monitor_alerts_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitor_alerts" ADD CONSTRAINT "monitor_alerts_page_id_oncall_pages_id_fk" FOREIGN KEY ("page_id") REFERENCES "public"."oncall_pages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitor_results" ADD CONSTRAINT "monitor_results_monitor_id_monitors_id_fk" FOREIGN KEY ("monitor_id") REFERENCES "public"."monitors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitors" ADD CONSTRAINT "monitors_component_id_status_components_id_fk" FOREIGN KEY ("component_id") REFERENCES "public"."status_components"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitors" ADD CONSTRAINT "monitors_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "monitor_alerts_open_uq" ON "monitor_alerts" USING btree ("monitor_id") WHERE "monitor_alerts"."recovered_at" is null;--> statement-breakpoint
CREATE INDEX "monitor_alerts_monitor_idx" ON "monitor_alerts" USING btree ("monitor_id","opened_at");--> statement-breakpoint
CREATE INDEX "monitor_results_monitor_idx" ON "monitor_results" USING btree ("monitor_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "monitors_name_uq" ON "monitors" USING btree (lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "monitors_token_uq" ON "monitors" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "monitors_due_idx" ON "monitors" USING btree ("next_check_at") WHERE not "monitors"."paused";