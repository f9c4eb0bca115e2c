CREATE TABLE "kb_impressions" (
	"id" uuid NOT NULL,
	"article_id" uuid NOT NULL,
	"user_id" uuid,
	"shown_at" timestamp with time zone NOT NULL,
	"requested_at" timestamp with time zone,
	"solved_at" timestamp with time zone,
	CONSTRAINT "kb_impressions_id_article_id_pk" PRIMARY KEY("id","article_id")
);
--> statement-breakpoint
ALTER TABLE "kb_impressions" ADD CONSTRAINT "kb_impressions_article_id_kb_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."kb_articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kb_impressions" ADD CONSTRAINT "kb_impressions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "kb_impressions_article_idx" ON "kb_impressions" USING btree ("article_id","shown_at");