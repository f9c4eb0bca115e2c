CREATE TABLE "report_rollup_months" (
	"month" date PRIMARY KEY NOT NULL,
	"version_sum" integer NOT NULL,
	"built_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "report_rollups" ADD COLUMN "grain" text DEFAULT 'day' NOT NULL;