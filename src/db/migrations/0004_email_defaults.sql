-- A fresh install serves one address, so mail sent to the SMTP port becomes a ticket with no configuration.
-- Admins rename it (and add feedback@, hi@, …) under /api/v1/email/addresses.
INSERT INTO "email_addresses" ("address", "name", "auto_reply", "is_default", "created_at")
VALUES ('support@localhost', 'Lifeline Support', true, true, now());
