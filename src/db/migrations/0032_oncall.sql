CREATE TABLE "oncall_handoff_notes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"schedule_id" uuid NOT NULL,
	"author_id" uuid,
	"body" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "oncall_handoffs" (
	"schedule_id" uuid NOT NULL,
	"shift_start" timestamp with time zone NOT NULL,
	"user_id" uuid NOT NULL,
	"sent_at" timestamp with time zone NOT NULL,
	CONSTRAINT "oncall_handoffs_schedule_id_shift_start_pk" PRIMARY KEY("schedule_id","shift_start")
);
--> statement-breakpoint
CREATE TABLE "oncall_layers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"schedule_id" uuid NOT NULL,
	"name" text NOT NULL,
	"rank" integer NOT NULL,
	"member_ids" jsonb NOT NULL,
	"turn_hours" integer NOT NULL,
	"handoff_time" text NOT NULL,
	"handoff_weekday" integer,
	"starts_on" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "oncall_notifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"page_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"round" integer NOT NULL,
	"step" integer NOT NULL,
	"channel" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"error" text,
	"created_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "oncall_overrides" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"schedule_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"created_by_id" uuid,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "oncall_page_links" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"page_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"action" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "oncall_pages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"number" integer GENERATED ALWAYS AS IDENTITY (sequence name "oncall_pages_number_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"title" text NOT NULL,
	"body" text DEFAULT '' NOT NULL,
	"source" text NOT NULL,
	"ticket_id" uuid,
	"incident_id" uuid,
	"dedupe_key" text,
	"policy_id" uuid NOT NULL,
	"status" text DEFAULT 'triggered' NOT NULL,
	"step" integer DEFAULT 0 NOT NULL,
	"round" integer DEFAULT 0 NOT NULL,
	"exhausted" boolean DEFAULT false NOT NULL,
	"created_by_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"escalated_at" timestamp with time zone,
	"acknowledged_at" timestamp with time zone,
	"acknowledged_by_id" uuid,
	"resolved_at" timestamp with time zone,
	"resolved_by_id" uuid
);
--> statement-breakpoint
CREATE TABLE "oncall_person_feeds" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"token" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "oncall_policies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"repeat" integer DEFAULT 0 NOT NULL,
	"steps" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "oncall_schedules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"time_zone" text NOT NULL,
	"feed_token" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "oncall_settings" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"ticket_priorities" jsonb NOT NULL,
	"ticket_policy_id" uuid,
	"webhook_url" text,
	"webhook_secret" text,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "oncall_handoff_notes" ADD CONSTRAINT "oncall_handoff_notes_schedule_id_oncall_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."oncall_schedules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oncall_handoff_notes" ADD CONSTRAINT "oncall_handoff_notes_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oncall_handoffs" ADD CONSTRAINT "oncall_handoffs_schedule_id_oncall_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."oncall_schedules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oncall_layers" ADD CONSTRAINT "oncall_layers_schedule_id_oncall_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."oncall_schedules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oncall_notifications" ADD CONSTRAINT "oncall_notifications_page_id_oncall_pages_id_fk" FOREIGN KEY ("page_id") REFERENCES "public"."oncall_pages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oncall_notifications" ADD CONSTRAINT "oncall_notifications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oncall_overrides" ADD CONSTRAINT "oncall_overrides_schedule_id_oncall_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."oncall_schedules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oncall_overrides" ADD CONSTRAINT "oncall_overrides_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oncall_overrides" ADD CONSTRAINT "oncall_overrides_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oncall_page_links" ADD CONSTRAINT "oncall_page_links_page_id_oncall_pages_id_fk" FOREIGN KEY ("page_id") REFERENCES "public"."oncall_pages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oncall_page_links" ADD CONSTRAINT "oncall_page_links_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oncall_pages" ADD CONSTRAINT "oncall_pages_policy_id_oncall_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."oncall_policies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oncall_person_feeds" ADD CONSTRAINT "oncall_person_feeds_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oncall_settings" ADD CONSTRAINT "oncall_settings_ticket_policy_id_oncall_policies_id_fk" FOREIGN KEY ("ticket_policy_id") REFERENCES "public"."oncall_policies"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "oncall_handoff_notes_schedule_idx" ON "oncall_handoff_notes" USING btree ("schedule_id","created_at");--> statement-breakpoint
CREATE INDEX "oncall_layers_schedule_idx" ON "oncall_layers" USING btree ("schedule_id","rank");--> statement-breakpoint
CREATE UNIQUE INDEX "oncall_notifications_uq" ON "oncall_notifications" USING btree ("page_id","round","step","user_id","channel");--> statement-breakpoint
CREATE INDEX "oncall_notifications_user_idx" ON "oncall_notifications" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "oncall_overrides_schedule_idx" ON "oncall_overrides" USING btree ("schedule_id","starts_at");--> statement-breakpoint
CREATE UNIQUE INDEX "oncall_pages_dedupe_uq" ON "oncall_pages" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "oncall_pages_status_idx" ON "oncall_pages" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "oncall_policies_name_uq" ON "oncall_policies" USING btree (lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "oncall_schedules_name_uq" ON "oncall_schedules" USING btree (lower("name"));