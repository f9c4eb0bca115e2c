ALTER TABLE "kb_articles" ADD COLUMN "review_version" integer;--> statement-breakpoint
ALTER TABLE "kb_articles" ADD COLUMN "review_requested_by" uuid;--> statement-breakpoint
ALTER TABLE "kb_articles" ADD COLUMN "review_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "kb_articles" ADD COLUMN "changes_requested" text;--> statement-breakpoint
ALTER TABLE "kb_articles" ADD COLUMN "changes_requested_by" uuid;--> statement-breakpoint
ALTER TABLE "kb_articles" ADD CONSTRAINT "kb_articles_review_requested_by_users_id_fk" FOREIGN KEY ("review_requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kb_articles" ADD CONSTRAINT "kb_articles_changes_requested_by_users_id_fk" FOREIGN KEY ("changes_requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;