-- The handbooks' time-based rules, editable under /api/v1/automations. Hours are calendar hours: 3 days = 72.
INSERT INTO "automations" ("name", "position", "active", "condition", "actions", "created_at", "updated_at") VALUES
  ('Remind the requester of a pending ticket', 10, true,
   '{"all":[{"field":"status_category","op":"is","value":"pending"},{"field":"hours_since_status_changed","op":"gte","value":72},{"field":"hours_since_requester_replied","op":"gte","value":72}]}'::jsonb,
   '[{"type":"reply","body":"Hello {{ ticket.requester.first_name }},\n\nwe are still waiting for your reply on ticket #{{ ticket.number }} (“{{ ticket.subject }}”). Reply to this message and we will pick it up again; without a reply we will close the ticket in two days."}]'::jsonb,
   now(), now()),
  ('Solve a pending ticket with no reply', 20, true,
   '{"all":[{"field":"status_category","op":"is","value":"pending"},{"field":"hours_since_status_changed","op":"gte","value":120},{"field":"hours_since_requester_replied","op":"gte","value":120}]}'::jsonb,
   '[{"type":"note","body":"Solved automatically: no reply from the requester for five days, two after a reminder."},{"type":"set","field":"status","value":"solved"}]'::jsonb,
   now(), now()),
  ('Escalate open tickets untouched for five days', 30, true,
   '{"all":[{"field":"status_category","op":"is","value":"open"},{"field":"hours_since_updated","op":"gte","value":120}]}'::jsonb,
   '[{"type":"escalate","urgency":"medium"}]'::jsonb,
   now(), now()),
  ('Escalate P0/P1 not acknowledged within an hour', 40, true,
   '{"all":[{"field":"priority","op":"in","value":["P0","P1"]},{"field":"status_category","op":"is","value":"new"},{"field":"hours_since_created","op":"gte","value":1}]}'::jsonb,
   '[{"type":"escalate","urgency":"critical"}]'::jsonb,
   now(), now());
