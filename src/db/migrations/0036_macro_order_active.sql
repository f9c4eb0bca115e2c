ALTER TABLE "macros" ADD COLUMN "position" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "macros" ADD COLUMN "active" boolean DEFAULT true NOT NULL;