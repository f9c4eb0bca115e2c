-- iCal feed tokens are kept only as their SHA-256 (hex, as src/platform/crypto.ts sha256): links already handed out keep working.
UPDATE "oncall_schedules" SET "feed_token_hash" = encode(sha256(convert_to("feed_token", 'UTF8')), 'hex');--> statement-breakpoint
UPDATE "oncall_person_feeds" SET "token_hash" = encode(sha256(convert_to("token", 'UTF8')), 'hex');
