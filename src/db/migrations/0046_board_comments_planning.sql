CREATE TABLE "card_comments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"card_id" uuid NOT NULL,
	"author_id" uuid,
	"body" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "planning_goals" (
	"organization_id" uuid NOT NULL,
	"week" date NOT NULL,
	"goal" text NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "planning_goals_organization_id_week_pk" PRIMARY KEY("organization_id","week")
);
--> statement-breakpoint
ALTER TABLE "time_people" ADD COLUMN "weekly_hours" double precision DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE "card_comments" ADD CONSTRAINT "card_comments_card_id_cards_id_fk" FOREIGN KEY ("card_id") REFERENCES "public"."cards"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "card_comments" ADD CONSTRAINT "card_comments_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "planning_goals" ADD CONSTRAINT "planning_goals_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "planning_goals" ADD CONSTRAINT "planning_goals_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "card_comments_card_idx" ON "card_comments" USING btree ("card_id","created_at");--> statement-breakpoint
CREATE INDEX "cards_week_idx" ON "cards" USING btree ("week") WHERE "cards"."week" is not null;--> statement-breakpoint
-- The epics board exists from the start, so reading it never writes (created here if an older install has none).
WITH made AS (
	INSERT INTO "boards" ("kind", "organization_id", "name", "created_at")
	SELECT 'epics', NULL, 'Support epics', now()
	WHERE NOT EXISTS (SELECT 1 FROM "boards" WHERE "kind" = 'epics')
	RETURNING "id"
)
INSERT INTO "board_columns" ("board_id", "name", "position", "role", "state_key")
SELECT made."id", c.name, c.position, c.role, NULL
FROM made, (VALUES ('Up next', 0, 'up_next'), ('In progress', 1, 'in_progress'), ('Recently completed', 2, 'done')) AS c(name, position, role);
