CREATE TABLE "email_raw" (
	"sha256" text PRIMARY KEY NOT NULL,
	"data" "bytea" NOT NULL
);
