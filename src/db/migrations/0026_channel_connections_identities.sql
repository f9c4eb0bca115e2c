CREATE TABLE "channel_connections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"secrets" jsonb NOT NULL,
	"cursor" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"sync_state" text DEFAULT 'idle' NOT NULL,
	"last_success_at" timestamp with time zone,
	"last_error" text,
	"last_error_at" timestamp with time zone,
	"failure_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contact_identities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"scope" text DEFAULT '' NOT NULL,
	"value" text NOT NULL,
	"verified_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "contact_identities" ADD CONSTRAINT "contact_identities_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "channel_connections_kind_idx" ON "channel_connections" USING btree ("kind","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "contact_identities_uq" ON "contact_identities" USING btree ("kind","scope","value");--> statement-breakpoint
CREATE INDEX "contact_identities_user_idx" ON "contact_identities" USING btree ("user_id");--> statement-breakpoint
-- Every user's email becomes their email identity.
INSERT INTO "contact_identities" ("user_id", "kind", "scope", "value", "verified_at", "created_at")
SELECT "id", 'email', '', lower("email"), NULL, "created_at" FROM "users"
ON CONFLICT DO NOTHING;--> statement-breakpoint
-- IMAP mailboxes become channel connections with the same ids. SQL cannot encrypt with the application's key, so
-- the password is held as { plain } here and sealed by the first start-up (ChannelsService.sealPending) before any
-- poller runs; the old table, password and all, is dropped by the next migration.
INSERT INTO "channel_connections" ("id", "kind", "name", "config", "secrets", "cursor", "status", "sync_state", "last_success_at", "last_error", "last_error_at", "failure_count", "created_at", "updated_at")
SELECT m."id", 'imap', m."username" || '@' || m."host",
  jsonb_build_object('addressId', m."address_id", 'host', m."host", 'port', m."port", 'secure', m."secure", 'tlsVerify', m."tls_verify",
    'username', m."username", 'folder', m."folder", 'afterStore', m."after_store", 'moveTo', m."move_to"),
  jsonb_build_object('plain', jsonb_build_object('password', m."password")),
  CASE WHEN m."uid_validity" IS NULL THEN jsonb_build_object('lastUid', m."last_uid") ELSE jsonb_build_object('uidValidity', m."uid_validity", 'lastUid', m."last_uid") END,
  CASE WHEN m."active" THEN 'active' ELSE 'disabled' END, 'idle', m."last_sync_at", m."last_error", m."last_error_at", m."failure_count", m."created_at", m."created_at"
FROM "email_mailboxes" m;--> statement-breakpoint
UPDATE "email_mailboxes" SET "password" = '';
