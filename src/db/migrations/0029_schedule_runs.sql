CREATE TABLE "schedule_runs" (
	"name" text PRIMARY KEY NOT NULL,
	"slot" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone NOT NULL
);
