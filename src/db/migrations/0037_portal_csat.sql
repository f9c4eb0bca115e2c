CREATE TABLE "csat_opt_outs" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "csat_settings" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"data" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "csat_surveys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"ticket_id" uuid NOT NULL,
	"requester_id" uuid NOT NULL,
	"solve_event_id" bigint NOT NULL,
	"status" text NOT NULL,
	"send_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"rating" text,
	"comment" text,
	"reason" text,
	"answered_at" timestamp with time zone,
	"cancelled_reason" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "portal_confirmations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"ticket_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"outcome" text NOT NULL,
	"comment" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "portal_settings" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"data" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "portal_sign_in_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"token_hash" text,
	"user_id" uuid,
	"email_hash" text NOT NULL,
	"client_hash" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "organization_supervisor" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "csat_opt_outs" ADD CONSTRAINT "csat_opt_outs_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "csat_surveys" ADD CONSTRAINT "csat_surveys_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "csat_surveys" ADD CONSTRAINT "csat_surveys_requester_id_users_id_fk" FOREIGN KEY ("requester_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portal_confirmations" ADD CONSTRAINT "portal_confirmations_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portal_confirmations" ADD CONSTRAINT "portal_confirmations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portal_sign_in_links" ADD CONSTRAINT "portal_sign_in_links_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "csat_surveys_solve_uq" ON "csat_surveys" USING btree ("solve_event_id");--> statement-breakpoint
CREATE INDEX "csat_surveys_ticket_idx" ON "csat_surveys" USING btree ("ticket_id","created_at");--> statement-breakpoint
CREATE INDEX "csat_surveys_answered_idx" ON "csat_surveys" USING btree ("answered_at");--> statement-breakpoint
CREATE INDEX "csat_surveys_sent_idx" ON "csat_surveys" USING btree ("sent_at");--> statement-breakpoint
CREATE INDEX "portal_confirmations_ticket_idx" ON "portal_confirmations" USING btree ("ticket_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "portal_sign_in_links_token_uq" ON "portal_sign_in_links" USING btree ("token_hash") WHERE "portal_sign_in_links"."token_hash" is not null;--> statement-breakpoint
CREATE INDEX "portal_sign_in_links_email_idx" ON "portal_sign_in_links" USING btree ("email_hash","created_at");--> statement-breakpoint
CREATE INDEX "portal_sign_in_links_client_idx" ON "portal_sign_in_links" USING btree ("client_hash","created_at");--> statement-breakpoint
INSERT INTO "ticket_states" ("key", "label", "category", "pauses_sla", "on_requester_reply", "position", "builtin") VALUES
  ('fix_provided', 'Fix provided — awaiting confirmation', 'pending', true, 'open', 35, true)
  ON CONFLICT ("key") DO NOTHING;
