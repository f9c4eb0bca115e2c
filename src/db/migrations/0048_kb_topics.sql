CREATE TABLE "kb_topics" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"label" text NOT NULL,
	"words" text[] NOT NULL,
	"ticket_count" integer NOT NULL,
	"tickets" jsonb NOT NULL,
	"explanation" jsonb NOT NULL,
	"article_id" uuid,
	"flagged" boolean NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	"computed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "kb_topics" ADD CONSTRAINT "kb_topics_article_id_kb_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."kb_articles"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "kb_topics_key_uq" ON "kb_topics" USING btree ("key");--> statement-breakpoint
CREATE INDEX "kb_topics_count_idx" ON "kb_topics" USING btree ("flagged","ticket_count");