CREATE TABLE "kb_category_translations" (
	"category_id" uuid NOT NULL,
	"locale" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "kb_category_translations_category_id_locale_pk" PRIMARY KEY("category_id","locale")
);
--> statement-breakpoint
CREATE TABLE "kb_section_translations" (
	"section_id" uuid NOT NULL,
	"locale" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "kb_section_translations_section_id_locale_pk" PRIMARY KEY("section_id","locale")
);
--> statement-breakpoint
ALTER TABLE "kb_article_translations" ADD COLUMN "review_version" integer;--> statement-breakpoint
ALTER TABLE "kb_article_translations" ADD COLUMN "review_requested_by" uuid;--> statement-breakpoint
ALTER TABLE "kb_article_translations" ADD COLUMN "review_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "kb_article_translations" ADD COLUMN "changes_requested" text;--> statement-breakpoint
ALTER TABLE "kb_article_translations" ADD COLUMN "changes_requested_by" uuid;--> statement-breakpoint
ALTER TABLE "kb_category_translations" ADD CONSTRAINT "kb_category_translations_category_id_kb_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."kb_categories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kb_section_translations" ADD CONSTRAINT "kb_section_translations_section_id_kb_sections_id_fk" FOREIGN KEY ("section_id") REFERENCES "public"."kb_sections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kb_article_translations" ADD CONSTRAINT "kb_article_translations_review_requested_by_users_id_fk" FOREIGN KEY ("review_requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kb_article_translations" ADD CONSTRAINT "kb_article_translations_changes_requested_by_users_id_fk" FOREIGN KEY ("changes_requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
-- Translation languages are enabled in the settings now (before, any well-formed code was taken): the languages
-- already translated into are the ones enabled.
INSERT INTO "kb_settings" ("id", "data", "updated_at")
SELECT 1, '{"name":"Help centre","intro":"Answers to common questions.","primaryColor":"#1c6dd0","accentColor":"#0b7285","language":"english"}'::jsonb || jsonb_build_object('locales', jsonb_agg(DISTINCT "locale" ORDER BY "locale")), now()
FROM "kb_article_translations" HAVING count(*) > 0
ON CONFLICT ("id") DO UPDATE SET "data" = "kb_settings"."data" || jsonb_build_object('locales', EXCLUDED."data"->'locales');
