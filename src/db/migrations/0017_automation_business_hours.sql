ALTER TABLE "automations" ADD COLUMN "calendar_id" uuid;--> statement-breakpoint
ALTER TABLE "automations" ADD CONSTRAINT "automations_calendar_id_business_calendars_id_fk" FOREIGN KEY ("calendar_id") REFERENCES "public"."business_calendars"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- The handbook says "3 business days" and "2 more": count the pending rules on office hours (8 h a day).
UPDATE "automations" SET "calendar_id" = (SELECT "id" FROM "business_calendars" WHERE "name" = 'Office hours'),
  "condition" = '{"all":[{"field":"status_category","op":"is","value":"pending"},{"field":"hours_since_status_changed","op":"gte","value":24},{"field":"hours_since_requester_replied","op":"gte","value":24}]}'::jsonb
  WHERE "name" = 'Remind the requester of a pending ticket';--> statement-breakpoint
UPDATE "automations" SET "calendar_id" = (SELECT "id" FROM "business_calendars" WHERE "name" = 'Office hours'),
  "condition" = '{"all":[{"field":"status_category","op":"is","value":"pending"},{"field":"hours_since_status_changed","op":"gte","value":40},{"field":"hours_since_requester_replied","op":"gte","value":40}]}'::jsonb
  WHERE "name" = 'Solve a pending ticket with no reply';
