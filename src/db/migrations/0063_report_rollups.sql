CREATE TABLE "report_rollup_days" (
	"day" date PRIMARY KEY NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	"built_version" integer,
	"built_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "report_rollups" (
	"metric" text NOT NULL,
	"day" date NOT NULL,
	"dim" text NOT NULL,
	"value" text,
	"sums" bigint[] NOT NULL,
	"hist0_buckets" integer[],
	"hist0_counts" integer[],
	"hist1_buckets" integer[],
	"hist1_counts" integer[]
);
--> statement-breakpoint
CREATE INDEX "report_rollups_read_idx" ON "report_rollups" USING btree ("metric","dim","day");