-- Two calendars to start from: around the clock, and office hours. Admins edit them or add their own.
INSERT INTO "business_calendars" ("name", "time_zone", "always_open", "weekly", "holidays", "created_at", "updated_at") VALUES
  ('24/7', 'UTC', true, '{}'::jsonb, '[]'::jsonb, now(), now()),
  ('Office hours', 'UTC', false,
   '{"1":[{"start":"09:00","end":"17:00"}],"2":[{"start":"09:00","end":"17:00"}],"3":[{"start":"09:00","end":"17:00"}],"4":[{"start":"09:00","end":"17:00"}],"5":[{"start":"09:00","end":"17:00"}]}'::jsonb,
   '[]'::jsonb, now(), now());
