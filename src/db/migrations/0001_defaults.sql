-- Built-in ticket states, the two priority schemes from the handbooks, and the default ticket types.
INSERT INTO "ticket_states" ("key", "label", "category", "pauses_sla", "on_requester_reply", "position", "builtin") VALUES
  ('new', 'New', 'new', false, 'new', 10, true),
  ('open', 'Open', 'open', false, 'open', 20, true),
  ('pending', 'Pending', 'pending', true, 'open', 30, true),
  ('on_hold', 'On hold', 'on_hold', true, 'on_hold', 40, true),
  ('solved', 'Solved', 'solved', true, 'open', 50, true),
  ('closed', 'Closed', 'closed', true, 'closed', 60, true),
  ('merged', 'Merged', 'merged', true, 'merged', 70, true);
--> statement-breakpoint
INSERT INTO "priority_schemes" ("key", "name", "active") VALUES
  ('commcare', 'P1–P5 (CommCare support handbook)', true),
  ('pmerit', 'P0–P3 (PMERIT support process)', false);
--> statement-breakpoint
INSERT INTO "priorities" ("scheme_key", "key", "name", "rank", "definition", "examples", "expected_response", "color", "is_default") VALUES
  ('commcare', 'P1', 'Severe', 0, 'Severe (a blocker), don''t do anything else. May have to sleep less tonight. There is business loss already. The longer it''s not fixed, the longer the product and the team are in failure state.', ARRAY['Site down', 'Data loss', 'Security breakdown'], 'Immediately; follow the P1/P2 incident process', '#b42318', false),
  ('commcare', 'P2', 'Critical', 1, 'A problem which has made an important/critical function unusable or unavailable and no workaround exists.', ARRAY['All users not being able to sync with server'], 'Urgently; follow the P1/P2 incident process with relaxed urgency', '#d9480f', false),
  ('commcare', 'P3', 'High', 2, 'High (should be fixed); if not fixed, will lose integrity in product.', ARRAY['Pillows falling behind by a large backlog'], 'Soon, ahead of normal work', '#e8a317', false),
  ('commcare', 'P4', 'Normal', 3, 'Normal (should be fixed, time and resources permitting).', ARRAY[]::text[], 'In the normal course of work', '#2f6fde', true),
  ('commcare', 'P5', 'Low', 4, 'Low.', ARRAY[]::text[], 'When time allows; may go to the backlog', '#6b7280', false),
  ('pmerit', 'P0', 'Critical', 0, 'Site down, security breach, data loss.', ARRAY['Production site returning 500 errors', 'Database inaccessible', 'Security vulnerability being exploited', 'Data breach or privacy violation'], 'Immediate (all hands on deck); resolve in 2–4 hours; update every 30 minutes', '#b42318', false),
  ('pmerit', 'P1', 'High', 1, 'Major feature broken, affects many users.', ARRAY['Assessment submission fails', 'Results page doesn''t load', 'API consistently slow (>5s)', 'Major browser compatibility issue'], 'Under 2 hours; resolve in 8 hours; update every 2–4 hours', '#d9480f', false),
  ('pmerit', 'P2', 'Medium', 2, 'Feature partially broken, workaround exists.', ARRAY['PDF export occasionally fails', 'Styling issues on specific browser/device', 'Performance issues on older devices', 'Non-critical feature not working'], 'Under 4 hours; resolve in 48 hours', '#2f6fde', true),
  ('pmerit', 'P3', 'Low', 3, 'Cosmetic issue, minor inconvenience.', ARRAY['Minor alignment issues', 'Typos in text', 'Small animation glitches', 'Enhancement requests'], 'Under 24 hours; resolve by the next sprint', '#6b7280', false);
--> statement-breakpoint
INSERT INTO "ticket_types" ("key", "label", "position") VALUES
  ('bug', 'Bug', 10),
  ('feature_request', 'Feature request', 20),
  ('question', 'Question', 30),
  ('account_access', 'Account / access', 40),
  ('feedback', 'Feedback / complaint', 50),
  ('incident', 'Incident', 60);
