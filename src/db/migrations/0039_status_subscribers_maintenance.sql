CREATE TABLE "status_deliveries" (
	"notice_key" text NOT NULL,
	"subscriber_id" uuid NOT NULL,
	"batch" integer NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"error" text,
	"sent_at" timestamp with time zone,
	CONSTRAINT "status_deliveries_notice_key_subscriber_id_pk" PRIMARY KEY("notice_key","subscriber_id")
);
--> statement-breakpoint
CREATE TABLE "status_maintenance_components" (
	"maintenance_id" uuid NOT NULL,
	"component_id" uuid NOT NULL,
	CONSTRAINT "status_maintenance_components_maintenance_id_component_id_pk" PRIMARY KEY("maintenance_id","component_id")
);
--> statement-breakpoint
CREATE TABLE "status_maintenances" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'scheduled' NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"notify_subscribers" boolean DEFAULT false NOT NULL,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"created_by_id" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "status_notices" (
	"key" text PRIMARY KEY NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"component_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"recipients" integer,
	"created_at" timestamp with time zone NOT NULL,
	"fanned_out_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "status_subscribe_attempts" (
	"key" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "status_subscribe_attempts_key_window_start_pk" PRIMARY KEY("key","window_start")
);
--> statement-breakpoint
CREATE TABLE "status_subscriber_components" (
	"subscriber_id" uuid NOT NULL,
	"component_id" uuid NOT NULL,
	CONSTRAINT "status_subscriber_components_subscriber_id_component_id_pk" PRIMARY KEY("subscriber_id","component_id")
);
--> statement-breakpoint
CREATE TABLE "status_subscribers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"all_components" boolean DEFAULT true NOT NULL,
	"confirm_nonce" text,
	"confirm_sent_at" timestamp with time zone,
	"confirmed_at" timestamp with time zone,
	"unsubscribed_at" timestamp with time zone,
	"soft_bounces" integer DEFAULT 0 NOT NULL,
	"bounced_at" timestamp with time zone,
	"bounce_reason" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "incident_updates" ADD COLUMN "notify_subscribers" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "status_deliveries" ADD CONSTRAINT "status_deliveries_notice_key_status_notices_key_fk" FOREIGN KEY ("notice_key") REFERENCES "public"."status_notices"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_deliveries" ADD CONSTRAINT "status_deliveries_subscriber_id_status_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."status_subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_maintenance_components" ADD CONSTRAINT "status_maintenance_components_maintenance_id_status_maintenances_id_fk" FOREIGN KEY ("maintenance_id") REFERENCES "public"."status_maintenances"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_maintenance_components" ADD CONSTRAINT "status_maintenance_components_component_id_status_components_id_fk" FOREIGN KEY ("component_id") REFERENCES "public"."status_components"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_maintenances" ADD CONSTRAINT "status_maintenances_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_subscriber_components" ADD CONSTRAINT "status_subscriber_components_subscriber_id_status_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."status_subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_subscriber_components" ADD CONSTRAINT "status_subscriber_components_component_id_status_components_id_fk" FOREIGN KEY ("component_id") REFERENCES "public"."status_components"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "status_deliveries_batch_idx" ON "status_deliveries" USING btree ("notice_key","batch");--> statement-breakpoint
CREATE INDEX "status_maintenances_status_idx" ON "status_maintenances" USING btree ("status","starts_at");--> statement-breakpoint
CREATE INDEX "status_subscriber_components_component_idx" ON "status_subscriber_components" USING btree ("component_id");--> statement-breakpoint
CREATE UNIQUE INDEX "status_subscribers_email_uq" ON "status_subscribers" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "status_subscribers_status_idx" ON "status_subscribers" USING btree ("status","id");