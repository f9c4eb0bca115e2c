CREATE TABLE "kb_article_translation_versions" (
	"article_id" uuid NOT NULL,
	"locale" text NOT NULL,
	"version" integer NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"author_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "kb_article_translation_versions_article_id_locale_version_pk" PRIMARY KEY("article_id","locale","version")
);
--> statement-breakpoint
CREATE TABLE "kb_article_translations" (
	"article_id" uuid NOT NULL,
	"locale" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"published_version" integer,
	"published_title" text,
	"published_html" text,
	"published_text" text,
	"published_at" timestamp with time zone,
	"search" "tsvector",
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "kb_article_translations_article_id_locale_pk" PRIMARY KEY("article_id","locale")
);
--> statement-breakpoint
ALTER TABLE "kb_article_translation_versions" ADD CONSTRAINT "kb_article_translation_versions_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kb_article_translation_versions" ADD CONSTRAINT "kb_translation_versions_translation_fk" FOREIGN KEY ("article_id","locale") REFERENCES "public"."kb_article_translations"("article_id","locale") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kb_article_translations" ADD CONSTRAINT "kb_article_translations_article_id_kb_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."kb_articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "kb_article_translations_locale_idx" ON "kb_article_translations" USING btree ("locale");--> statement-breakpoint
CREATE INDEX "kb_article_translations_search_idx" ON "kb_article_translations" USING gin ("search");--> statement-breakpoint
CREATE INDEX "kb_article_translations_title_trgm_idx" ON "kb_article_translations" USING gin ("published_title" gin_trgm_ops);