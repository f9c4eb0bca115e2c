CREATE TABLE "kb_related_articles" (
	"article_id" uuid NOT NULL,
	"related_id" uuid NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "kb_related_articles_article_id_related_id_pk" PRIMARY KEY("article_id","related_id"),
	CONSTRAINT "kb_related_articles_not_self" CHECK ("kb_related_articles"."article_id" <> "kb_related_articles"."related_id")
);
--> statement-breakpoint
CREATE TABLE "kb_topic_notices" (
	"key" text PRIMARY KEY NOT NULL,
	"label" text NOT NULL,
	"notified_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "kb_related_articles" ADD CONSTRAINT "kb_related_articles_article_id_kb_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."kb_articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kb_related_articles" ADD CONSTRAINT "kb_related_articles_related_id_kb_articles_id_fk" FOREIGN KEY ("related_id") REFERENCES "public"."kb_articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "kb_related_articles_related_idx" ON "kb_related_articles" USING btree ("related_id");