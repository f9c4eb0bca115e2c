-- The key that signs per-recipient reply addresses (src/modules/email/identity.ts): made here, at random, once.
-- gen_random_uuid() draws from the server's strong random source; two of them, hashed, give 256 bits.
INSERT INTO "email_keys" ("name", "secret", "created_at")
VALUES ('reply_token', encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text || clock_timestamp()::text, 'UTF8')), 'base64'), now())
ON CONFLICT ("name") DO NOTHING;
