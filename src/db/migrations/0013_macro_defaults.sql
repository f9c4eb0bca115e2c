-- The handbooks' response templates, shared. Placeholders: ticket.number, ticket.subject, ticket.requester.name,
-- ticket.requester.first_name, current_user.name, current_user.first_name.
INSERT INTO "macros" ("name", "body", "public", "changes", "created_at", "updated_at") VALUES
  ('Acknowledgement',
   E'Hi {{ ticket.requester.first_name }},\n\nThank you for reporting this. We have logged it as ticket #{{ ticket.number }} and are looking into it; we will update you as soon as we know more.\n\n{{ current_user.name }}',
   true, '{"status":"open"}'::jsonb, now(), now()),
  ('Need more information',
   E'Hi {{ ticket.requester.first_name }},\n\nTo look into this we need a little more:\n\n- the steps that lead to the problem\n- what you expected and what happened instead\n- the app version and device (or browser)\n- screenshots or error messages, if any\n\n{{ current_user.name }}',
   true, '{"status":"pending"}'::jsonb, now(), now()),
  ('Resolution notice',
   E'Hi {{ ticket.requester.first_name }},\n\nThe problem you reported in #{{ ticket.number }} (“{{ ticket.subject }}”) is resolved. If anything still does not work, just reply and the ticket reopens.\n\n{{ current_user.name }}',
   true, '{"status":"solved"}'::jsonb, now(), now()),
  ('Cannot reproduce',
   E'Hi {{ ticket.requester.first_name }},\n\nWe tried to reproduce what you describe but could not. Could you tell us exactly what you did just before it happened, and whether it happens every time?\n\n{{ current_user.name }}',
   true, '{"status":"pending","addTags":["cannot-reproduce"]}'::jsonb, now(), now());
