import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { type Access, installAccessControl, SCOPES, type Scope } from '../../src/platform/auth.js';
import { type Res, type Session, startTestApp, type TestApp } from '../../src/testing/harness.js';

// Issue 10, item 10 and "a regression suite that keeps it closed": every route × every caller, from the route table.
//
// THE EXPECTATION TABLE. One row per API route: who may call it and what an API token needs. A route added without
// its row fails this test; so does a row whose route changed or went away. Rows: `public`, `<level> <scope>` or
// `<level> session` (only a signed-in session, never a token), `public own-credentials` (the route checks its own).
const EXPECTED: Record<string, string> = {
  'GET /api/v1/health': 'public',
  'GET /metrics': 'public own-credentials',
  'POST /api/v1/session': 'public',
  'GET /api/v1/setup': 'public',
  'POST /api/v1/setup': 'public',
  'DELETE /api/v1/session': 'signed_in session',
  'GET /api/v1/me': 'signed_in users:read',
  // people
  'GET /api/v1/users': 'staff users:read',
  'GET /api/v1/users/:id': 'staff users:read',
  'POST /api/v1/users': 'agent users:write',
  'PATCH /api/v1/users/:id': 'admin users:write',
  'GET /api/v1/organizations': 'staff users:read',
  'GET /api/v1/organizations/:id': 'signed_in users:read',
  'POST /api/v1/organizations': 'admin users:write',
  'PATCH /api/v1/organizations/:id': 'admin users:write',
  'GET /api/v1/groups': 'staff users:read',
  'GET /api/v1/groups/:id': 'staff users:read',
  'POST /api/v1/groups': 'admin users:write',
  'PATCH /api/v1/groups/:id': 'admin users:write',
  'POST /api/v1/tokens': 'agent admin',
  'GET /api/v1/tokens': 'agent admin',
  'DELETE /api/v1/tokens/:id': 'agent admin',
  // desk settings
  'GET /api/v1/states': 'signed_in tickets:read',
  'POST /api/v1/states': 'admin admin',
  'PATCH /api/v1/states/:key': 'admin admin',
  'GET /api/v1/priorities': 'signed_in tickets:read',
  'GET /api/v1/priority-schemes': 'signed_in tickets:read',
  'POST /api/v1/priority-schemes/:key/activate': 'admin admin',
  'POST /api/v1/priority-schemes/:key/priorities': 'admin admin',
  'PUT /api/v1/priority-schemes/:key/order': 'admin admin',
  'PATCH /api/v1/priorities/:id': 'admin admin',
  'GET /api/v1/types': 'signed_in tickets:read',
  'GET /api/v1/ticket-settings': 'staff tickets:read',
  'PUT /api/v1/ticket-settings': 'admin admin',
  'POST /api/v1/types': 'admin admin',
  'PATCH /api/v1/types/:key': 'admin admin',
  'GET /api/v1/custom-fields': 'staff tickets:read',
  'POST /api/v1/custom-fields': 'admin admin',
  'PATCH /api/v1/custom-fields/:id': 'admin admin',
  // tickets
  'POST /api/v1/tickets': 'signed_in tickets:write',
  'GET /api/v1/tickets': 'signed_in tickets:read',
  'GET /api/v1/search': 'signed_in tickets:read',
  'GET /api/v1/tags': 'staff tickets:read',
  'GET /api/v1/tickets/:id': 'signed_in tickets:read',
  'PATCH /api/v1/tickets/:id': 'agent tickets:write',
  'POST /api/v1/tickets/:id/messages': 'signed_in tickets:write',
  'GET /api/v1/tickets/:id/messages': 'signed_in tickets:read',
  'GET /api/v1/tickets/:id/events': 'signed_in tickets:read',
  'POST /api/v1/tickets/:id/merge': 'agent tickets:write',
  'POST /api/v1/tickets/:id/links': 'agent tickets:write',
  'DELETE /api/v1/tickets/:id/links/:linkId': 'agent tickets:write',
  'POST /api/v1/tickets/:id/escalate': 'agent tickets:write',
  'POST /api/v1/tickets/bulk': 'agent tickets:write',
  'POST /api/v1/messages/preview': 'signed_in tickets:read',
  'POST /api/v1/tickets/:id/presence': 'staff tickets:read',
  'GET /api/v1/tickets/:id/presence': 'staff tickets:read',
  'POST /api/v1/attachments': 'signed_in tickets:write',
  'GET /api/v1/attachments/:id': 'signed_in tickets:read',
  'GET /api/v1/stream': 'signed_in tickets:read',
  // SLAs
  'GET /api/v1/calendars': 'staff tickets:read',
  'POST /api/v1/calendars': 'admin admin',
  'GET /api/v1/calendars/:id': 'staff tickets:read',
  'PATCH /api/v1/calendars/:id': 'admin admin',
  'DELETE /api/v1/calendars/:id': 'admin admin',
  'GET /api/v1/calendars/:id/due': 'staff tickets:read',
  'GET /api/v1/calendars/:id/holidays': 'staff tickets:read',
  'GET /api/v1/sla-policies': 'staff tickets:read',
  'POST /api/v1/sla-policies': 'admin admin',
  'GET /api/v1/sla-policies/:id': 'staff tickets:read',
  'PATCH /api/v1/sla-policies/:id': 'admin admin',
  'DELETE /api/v1/sla-policies/:id': 'admin admin',
  'GET /api/v1/sla/clocks': 'staff tickets:read',
  'GET /api/v1/tickets/:id/sla': 'staff tickets:read',
  // rules
  'GET /api/v1/automations': 'staff tickets:read',
  'POST /api/v1/automations': 'admin admin',
  'GET /api/v1/automations/:id': 'staff tickets:read',
  'PATCH /api/v1/automations/:id': 'admin admin',
  'DELETE /api/v1/automations/:id': 'admin admin',
  'POST /api/v1/automations/sweep': 'admin admin',
  'GET /api/v1/macros': 'agent tickets:read',
  'POST /api/v1/macros': 'agent tickets:write',
  'GET /api/v1/macros/:id': 'agent tickets:read',
  'PATCH /api/v1/macros/:id': 'agent tickets:write',
  'DELETE /api/v1/macros/:id': 'agent tickets:write',
  'POST /api/v1/tickets/:ticketId/macros/:id/render': 'agent tickets:read',
  'POST /api/v1/tickets/:ticketId/macros/:id/apply': 'agent tickets:write',
  'PUT /api/v1/macros/order': 'agent tickets:write',
  'POST /api/v1/macros/preview': 'agent tickets:read',
  'POST /api/v1/conditions/matches': 'staff tickets:read',
  'POST /api/v1/macros/:id/duplicate': 'agent tickets:write',
  'GET /api/v1/triggers': 'staff tickets:read',
  'POST /api/v1/triggers': 'admin admin',
  'GET /api/v1/triggers/:id': 'staff tickets:read',
  'PATCH /api/v1/triggers/:id': 'admin admin',
  'DELETE /api/v1/triggers/:id': 'admin admin',
  // assignment
  'GET /api/v1/tickets/:id/assignees': 'staff tickets:read',
  'GET /api/v1/groups/:id/assignment': 'staff tickets:read',
  'PUT /api/v1/groups/:id/assignment': 'admin admin',
  'GET /api/v1/groups/:id/rota': 'staff tickets:read',
  'PUT /api/v1/groups/:id/rota': 'agent tickets:write',
  'POST /api/v1/groups/:id/rota/swap': 'agent tickets:write',
  'GET /api/v1/groups/:id/handover': 'staff tickets:read',
  'POST /api/v1/groups/:id/handover': 'staff tickets:write',
  'PUT /api/v1/me/away': 'agent tickets:write',
  // views
  'GET /api/v1/views': 'staff tickets:read',
  'GET /api/v1/views/counts': 'staff tickets:read',
  'GET /api/v1/views/saved': 'staff tickets:read',
  'PUT /api/v1/views/order': 'staff tickets:write',
  'GET /api/v1/views/:id/tickets': 'staff tickets:read',
  'POST /api/v1/views': 'staff tickets:write',
  'PATCH /api/v1/views/:id': 'staff tickets:write',
  'DELETE /api/v1/views/:id': 'staff tickets:write',
  // webhooks
  'GET /api/v1/webhooks': 'admin admin',
  'POST /api/v1/webhooks': 'admin admin',
  'PATCH /api/v1/webhooks/:id': 'admin admin',
  'DELETE /api/v1/webhooks/:id': 'admin admin',
  'GET /api/v1/webhooks/:id/deliveries': 'admin admin',
  // on-call
  'GET /api/v1/oncall/schedules': 'staff tickets:read',
  'GET /api/v1/oncall/schedules/:id': 'staff tickets:read',
  'GET /api/v1/oncall/schedules/:id/on-call': 'staff tickets:read',
  'POST /api/v1/oncall/schedules': 'admin admin',
  'PUT /api/v1/oncall/schedules/:id': 'admin admin',
  'DELETE /api/v1/oncall/schedules/:id': 'admin admin',
  'POST /api/v1/oncall/schedules/:id/overrides': 'agent tickets:write',
  'DELETE /api/v1/oncall/schedules/:id/overrides/:overrideId': 'agent tickets:write',
  'GET /api/v1/oncall/schedules/:id/handoff-notes': 'staff tickets:read',
  'POST /api/v1/oncall/schedules/:id/handoff-notes': 'staff tickets:write',
  'POST /api/v1/oncall/schedules/:id/feed': 'admin admin',
  'GET /api/v1/oncall/me/feed': 'staff session',
  'POST /api/v1/oncall/me/feed': 'staff session',
  'GET /api/v1/oncall/policies': 'staff tickets:read',
  'POST /api/v1/oncall/policies': 'admin admin',
  'PUT /api/v1/oncall/policies/:id': 'admin admin',
  'DELETE /api/v1/oncall/policies/:id': 'admin admin',
  'GET /api/v1/oncall/settings': 'admin admin',
  'PUT /api/v1/oncall/settings': 'admin admin',
  'GET /api/v1/oncall/pages': 'staff tickets:read',
  'GET /api/v1/oncall/pages/:id': 'staff tickets:read',
  'POST /api/v1/oncall/pages': 'agent tickets:write',
  'POST /api/v1/oncall/pages/:id/acknowledge': 'staff tickets:write',
  'POST /api/v1/oncall/pages/:id/resolve': 'staff tickets:write',
  // email
  'GET /api/v1/email/addresses': 'staff tickets:read',
  'POST /api/v1/email/addresses': 'admin admin',
  'GET /api/v1/email/addresses/:id': 'staff tickets:read',
  'PATCH /api/v1/email/addresses/:id': 'admin admin',
  'DELETE /api/v1/email/addresses/:id': 'admin admin',
  'GET /api/v1/channels/connections': 'admin admin',
  'GET /api/v1/admin/jobs': 'admin admin',
  'POST /api/v1/admin/jobs/:id/retry': 'admin admin',
  'GET /api/v1/users/:id/identities': 'admin admin',
  'POST /api/v1/users/:id/identities': 'admin admin',
  'DELETE /api/v1/users/:id/identities/:identityId': 'admin admin',
  'POST /api/v1/users/:id/merge': 'admin admin',
  // password reset (src/modules/password-reset): the link carries a signed token instead of a sign-in
  'POST /api/v1/users/:id/password-reset': 'admin admin',
  'POST /api/v1/password-reset/request': 'public',
  'POST /api/v1/password-reset/check': 'public',
  'POST /api/v1/password-reset': 'public',
  'GET /api/v1/email/mailboxes': 'admin admin',
  'POST /api/v1/email/mailboxes': 'admin admin',
  'GET /api/v1/email/mailboxes/:id': 'admin admin',
  'PATCH /api/v1/email/mailboxes/:id': 'admin admin',
  'POST /api/v1/email/mailboxes/:id/test': 'admin admin',
  'DELETE /api/v1/email/mailboxes/:id': 'admin admin',
  'POST /api/v1/inbound/email': 'admin inbound:email',
  'GET /api/v1/inbound/emails': 'admin admin',
  'GET /api/v1/inbound/emails/:id': 'admin admin',
  'POST /api/v1/inbound/emails/:id/retry': 'admin admin',
  'GET /api/v1/inbound/emails/:id/raw': 'admin admin',
  'GET /api/v1/tickets/:id/messages/:messageId/raw': 'staff tickets:read',
  'GET /api/v1/email/bouncing': 'admin admin',
  'GET /api/v1/outbox': 'admin admin',
  'GET /api/v1/outbox/:id': 'admin admin',
  'GET /api/v1/outbox/:id/raw': 'admin admin',
  // incidents and the public status page (src/modules/incidents)
  'GET /api/v1/reports': 'staff tickets:read',
  'GET /api/v1/reports/:metric': 'staff tickets:read',
  'GET /api/v1/reports/:metric/tickets': 'staff tickets:read',
  'GET /api/v1/reports/digests': 'staff session',
  'PUT /api/v1/reports/digests': 'staff session',
  'GET /api/v1/tickets/:id/metrics': 'staff tickets:read',
  'GET /api/v1/incidents': 'staff tickets:read',
  'POST /api/v1/incidents': 'agent tickets:write',
  'GET /api/v1/incidents/:id': 'staff tickets:read',
  'PATCH /api/v1/incidents/:id': 'agent tickets:write',
  'POST /api/v1/incidents/:id/state': 'agent tickets:write',
  'POST /api/v1/incidents/:id/updates': 'agent tickets:write',
  'POST /api/v1/incidents/:id/timeline': 'agent tickets:write',
  'PATCH /api/v1/incidents/:id/timeline/:entryId': 'agent tickets:write',
  'PUT /api/v1/incidents/:id/roles/:key': 'agent tickets:write',
  'POST /api/v1/incidents/:id/tickets': 'agent tickets:write',
  'GET /api/v1/incidents/:id/suggested-tickets': 'staff tickets:read',
  'DELETE /api/v1/incidents/:id/tickets/:ticketId': 'agent tickets:write',
  'POST /api/v1/incidents/:id/solve-tickets': 'agent tickets:write',
  'GET /api/v1/incidents/:id/markdown': 'staff tickets:read',
  'PUT /api/v1/incidents/:id/retro': 'agent tickets:write',
  'POST /api/v1/incidents/:id/retro/complete': 'agent tickets:write',
  'PATCH /api/v1/incidents/:id/retro/action-items/:itemId': 'agent tickets:write',
  'GET /api/v1/me/action-items': 'staff tickets:read',
  'GET /api/v1/tickets/:id/incidents': 'staff tickets:read',
  'POST /api/v1/tickets/:id/incidents': 'agent tickets:write',
  'DELETE /api/v1/tickets/:id/incidents/:incidentId': 'agent tickets:write',
  'GET /api/v1/incident-settings': 'staff tickets:read',
  'PUT /api/v1/incident-settings': 'admin admin',
  'PUT /api/v1/incident-roles': 'admin admin',
  'GET /api/v1/status-components': 'staff tickets:read',
  'POST /api/v1/status-components': 'admin admin',
  'PATCH /api/v1/status-components/:id': 'admin admin',
  'DELETE /api/v1/status-components/:id': 'admin admin',
  // monitors (src/modules/monitors): admins configure, staff read; the heartbeat's token is its credential
  'GET /api/v1/monitors': 'staff tickets:read',
  'POST /api/v1/monitors': 'admin admin',
  'GET /api/v1/monitors/:id': 'staff tickets:read',
  'PATCH /api/v1/monitors/:id': 'admin admin',
  'DELETE /api/v1/monitors/:id': 'admin admin',
  'POST /api/v1/monitors/:id/heartbeat-url': 'admin admin',
  'GET /api/v1/component-paging': 'staff tickets:read',
  'PUT /api/v1/component-paging/:id': 'admin admin',
  'GET /api/v1/heartbeats/:token': 'public',
  'POST /api/v1/heartbeats/:token': 'public',
  // boards, the epics board and time (src/modules/boards)
  'GET /api/v1/boards': 'staff tickets:read',
  'GET /api/v1/boards/epics': 'staff tickets:read',
  'GET /api/v1/boards/:id': 'staff tickets:read',
  'GET /api/v1/boards/:id/stream': 'staff tickets:read',
  'POST /api/v1/boards/:id/cards': 'staff tickets:write',
  'POST /api/v1/organizations/:id/board': 'staff tickets:write',
  'GET /api/v1/organizations/:id/board': 'signed_in tickets:read',
  'POST /api/v1/organizations/:id/board/reorder': 'signed_in tickets:write',
  'PATCH /api/v1/boards/:id': 'agent tickets:write',
  'GET /api/v1/cards/:id/comments': 'staff tickets:read',
  'POST /api/v1/cards/:id/comments': 'staff tickets:write',
  'GET /api/v1/planning': 'staff tickets:read',
  'PUT /api/v1/planning/goals': 'staff tickets:write',
  'PATCH /api/v1/board-columns/:id': 'admin admin',
  'GET /api/v1/board-settings': 'staff tickets:read',
  'PUT /api/v1/board-settings': 'admin admin',
  'GET /api/v1/cards/:id': 'staff tickets:read',
  'PATCH /api/v1/cards/:id': 'staff tickets:write',
  'POST /api/v1/cards/:id/move': 'staff tickets:write',
  'POST /api/v1/cards/:id/archive': 'staff tickets:write',
  'GET /api/v1/cards/:id/time': 'staff tickets:read',
  'GET /api/v1/tickets/:id/card': 'staff tickets:read',
  'POST /api/v1/tickets/:id/backlog': 'staff tickets:write',
  'GET /api/v1/tickets/:id/time': 'staff tickets:read',
  'POST /api/v1/time/entries': 'staff tickets:write',
  'PATCH /api/v1/time/entries/:id': 'staff tickets:write',
  'DELETE /api/v1/time/entries/:id': 'staff tickets:write',
  'GET /api/v1/time/timesheet': 'staff tickets:read',
  'GET /api/v1/time/report': 'agent tickets:read',
  'GET /api/v1/time/report.csv': 'agent tickets:read',
  'GET /api/v1/time/timer': 'staff tickets:read',
  'POST /api/v1/time/timer': 'staff tickets:write',
  'POST /api/v1/time/timer/stop': 'staff tickets:write',
  'DELETE /api/v1/time/timer': 'staff tickets:write',
  'GET /api/v1/time/preferences': 'staff tickets:read',
  'PUT /api/v1/time/preferences': 'staff tickets:write',
  'GET /api/v1/time/reminders': 'staff tickets:read',
  'POST /api/v1/time/reminders/dismiss': 'staff tickets:write',
  'GET /api/v1/time/settings': 'staff tickets:read',
  'PUT /api/v1/time/settings': 'admin admin',
  'GET /status': 'public',
  'GET /status/summary.json': 'public',
  'GET /status/incidents.json': 'public',
  'GET /status/feed.atom': 'public',
  'GET /status/incidents/:id': 'public',
  'GET /status/logo': 'public',
  'PUT /api/v1/status-page/logo': 'admin admin',
  'DELETE /api/v1/status-page/logo': 'admin admin',
  // the customer portal (src/modules/portal): signed_in, but staff are refused inside (FORBIDDEN)
  'POST /api/v1/portal/sign-in-link': 'public',
  'POST /api/v1/portal/sign-in': 'public',
  'POST /api/v1/portal/sign-in/check': 'public',
  'GET /api/v1/portal/home': 'signed_in tickets:read',
  'GET /api/v1/portal/tickets': 'signed_in tickets:read',
  'GET /api/v1/portal/tickets/:id': 'signed_in tickets:read',
  'POST /api/v1/portal/tickets': 'signed_in tickets:write',
  'POST /api/v1/portal/tickets/:id/replies': 'signed_in tickets:write',
  'POST /api/v1/portal/tickets/:id/confirm': 'signed_in tickets:write',
  'POST /api/v1/portal/tickets/:id/not-fixed': 'signed_in tickets:write',
  'POST /api/v1/portal/tickets/:id/satisfaction': 'signed_in tickets:write',
  'GET /api/v1/portal/settings': 'admin admin',
  'PUT /api/v1/portal/settings': 'admin admin',
  // satisfaction surveys (src/modules/csat): the mailed links carry a signed token instead of a sign-in
  'GET /api/v1/csat/survey': 'public',
  'POST /api/v1/csat/survey': 'public',
  'POST /api/v1/csat/opt-out': 'public',
  'GET /api/v1/tickets/:id/satisfaction': 'staff tickets:read',
  'GET /api/v1/csat/report': 'staff tickets:read',
  'GET /api/v1/csat/settings': 'staff tickets:read',
  'PUT /api/v1/csat/settings': 'admin admin',
  'POST /status/subscribe': 'public',
  'GET /status/subscribe/confirm': 'public',
  'POST /status/subscribe/confirm': 'public',
  'GET /status/subscription': 'public',
  'POST /status/subscription': 'public',
  'GET /status/unsubscribe': 'public',
  'POST /status/unsubscribe': 'public',
  'GET /api/v1/status-subscribers': 'agent tickets:read',
  'DELETE /api/v1/status-subscribers/:id': 'admin admin',
  'GET /api/v1/status-maintenances': 'agent tickets:read',
  'POST /api/v1/status-maintenances': 'agent tickets:write',
  'GET /api/v1/status-maintenances/:id': 'agent tickets:read',
  'PATCH /api/v1/status-maintenances/:id': 'agent tickets:write',
  'POST /api/v1/status-maintenances/:id/cancel': 'agent tickets:write',
  // knowledge base and the public help centre (src/modules/kb)
  'GET /api/v1/kb/settings': 'staff tickets:read',
  'PUT /api/v1/kb/settings': 'admin admin',
  'GET /api/v1/kb/tree': 'staff tickets:read',
  'POST /api/v1/kb/categories': 'agent tickets:write',
  'PATCH /api/v1/kb/categories/:id': 'agent tickets:write',
  'DELETE /api/v1/kb/categories/:id': 'agent tickets:write',
  'POST /api/v1/kb/sections': 'agent tickets:write',
  'PATCH /api/v1/kb/sections/:id': 'agent tickets:write',
  'DELETE /api/v1/kb/sections/:id': 'agent tickets:write',
  'POST /api/v1/kb/articles': 'agent tickets:write',
  'GET /api/v1/kb/articles/:id': 'staff tickets:read',
  'PATCH /api/v1/kb/articles/:id': 'agent tickets:write',
  'DELETE /api/v1/kb/articles/:id': 'agent tickets:write',
  'POST /api/v1/kb/articles/:id/publish': 'agent tickets:write',
  'POST /api/v1/kb/articles/:id/unpublish': 'agent tickets:write',
  'POST /api/v1/kb/articles/:id/review': 'agent tickets:write',
  'POST /api/v1/kb/articles/:id/review/approve': 'agent tickets:write',
  'POST /api/v1/kb/articles/:id/review/changes': 'agent tickets:write',
  'GET /api/v1/kb/articles/:id/versions': 'staff tickets:read',
  'GET /api/v1/kb/articles/:id/versions/:version': 'staff tickets:read',
  'POST /api/v1/kb/articles/:id/versions/:version/restore': 'agent tickets:write',
  'GET /api/v1/kb/articles/:id/diff': 'staff tickets:read',
  'GET /api/v1/kb/articles/:id/stats': 'staff tickets:read',
  'GET /api/v1/kb/articles/:id/related': 'staff tickets:read',
  'PUT /api/v1/kb/articles/:id/related': 'agent tickets:write',
  'GET /api/v1/kb/articles/:id/votes': 'staff tickets:read',
  'GET /api/v1/kb/articles/:id/translations': 'staff tickets:read',
  'GET /api/v1/kb/articles/:id/translations/:locale': 'staff tickets:read',
  'PUT /api/v1/kb/articles/:id/translations/:locale': 'agent tickets:write',
  'POST /api/v1/kb/articles/:id/translations/:locale/publish': 'agent tickets:write',
  'POST /api/v1/kb/articles/:id/translations/:locale/unpublish': 'agent tickets:write',
  'DELETE /api/v1/kb/articles/:id/translations/:locale': 'agent tickets:write',
  'POST /api/v1/kb/articles/:id/translations/:locale/review': 'agent tickets:write',
  'POST /api/v1/kb/articles/:id/translations/:locale/review/approve': 'agent tickets:write',
  'POST /api/v1/kb/articles/:id/translations/:locale/review/changes': 'agent tickets:write',
  'GET /api/v1/kb/articles/:id/translations/:locale/versions': 'staff tickets:read',
  'GET /api/v1/kb/articles/:id/translations/:locale/diff': 'staff tickets:read',
  'POST /api/v1/kb/articles/:id/translations/:locale/versions/:version/restore': 'agent tickets:write',
  'GET /api/v1/kb/categories/:id/translations': 'staff tickets:read',
  'PUT /api/v1/kb/categories/:id/translations/:locale': 'agent tickets:write',
  'DELETE /api/v1/kb/categories/:id/translations/:locale': 'agent tickets:write',
  'GET /api/v1/kb/sections/:id/translations': 'staff tickets:read',
  'PUT /api/v1/kb/sections/:id/translations/:locale': 'agent tickets:write',
  'DELETE /api/v1/kb/sections/:id/translations/:locale': 'agent tickets:write',
  'POST /api/v1/kb/preview': 'staff tickets:read',
  'POST /api/v1/kb/articles/:id/files': 'agent tickets:write',
  'GET /api/v1/kb/suggest': 'public',
  'POST /api/v1/kb/suggest/feedback': 'public',
  'POST /api/v1/kb/articles/:id/votes': 'public',
  'POST /api/v1/kb/articles/:id/uses': 'agent tickets:write',
  'GET /api/v1/kb/topics': 'staff tickets:read',
  'POST /api/v1/kb/topics/refresh': 'agent tickets:write',
  'GET /api/v1/tickets/:id/kb-articles': 'staff tickets:read',
  'GET /api/v1/tickets/:id/kb-draft': 'agent tickets:write',
  'GET /help': 'public',
  'GET /help/categories/:slug': 'public',
  'GET /help/sections/:slug': 'public',
  'GET /help/articles/:slug': 'public',
  'POST /help/articles/:slug/vote': 'public',
  'GET /help/search': 'public',
  'GET /help/sitemap.xml': 'public',
  'GET /help/files/:id': 'public',
  'GET /help/:locale': 'public',
  'GET /help/:locale/categories/:slug': 'public',
  'GET /help/:locale/sections/:slug': 'public',
  'GET /help/:locale/articles/:slug': 'public',
  'GET /help/:locale/search': 'public',
  // the "Report an issue" widget (src/modules/widget): sites for admins; reports and suggestions from allowed origins
  'GET /api/v1/widget/sites': 'admin admin',
  'POST /api/v1/widget/sites': 'admin admin',
  'GET /api/v1/widget/sites/:id': 'admin admin',
  'PATCH /api/v1/widget/sites/:id': 'admin admin',
  'DELETE /api/v1/widget/sites/:id': 'admin admin',
  'POST /api/v1/widget/sites/:id/rotate-secret': 'admin admin',
  'OPTIONS /api/v1/widget/:siteKey/reports': 'public',
  'POST /api/v1/widget/:siteKey/reports': 'public',
  'GET /api/v1/widget/:siteKey/suggest': 'public',
  'OPTIONS /api/v1/widget/:siteKey/suggest/feedback': 'public',
  'POST /api/v1/widget/:siteKey/suggest/feedback': 'public',
  'OPTIONS /api/v1/widget/:siteKey/surveys': 'public',
  'POST /api/v1/widget/:siteKey/surveys': 'public',
  'OPTIONS /api/v1/widget/:siteKey/surveys/answer': 'public',
  'POST /api/v1/widget/:siteKey/surveys/answer': 'public',
};

type Row = { level: Access['level']; scope?: Scope; sessionOnly?: true; ownCredentials?: true };
function rowOf(spec: string): Row {
  const [level, need] = spec.split(' ') as [Access['level'], string | undefined];
  if (need === 'session') return { level, sessionOnly: true };
  if (need === 'own-credentials') return { level, ownCredentials: true };
  return need ? { level, scope: need as Scope } : { level };
}

type Caller = { name: string; role: 'anonymous' | 'customer' | 'light_agent' | 'agent' | 'admin'; scope?: Scope; headers: () => Promise<Record<string, string>> };
const RANK = { anonymous: -1, customer: 0, light_agent: 1, agent: 2, admin: 3 } as const;
const NEEDED = { public: -1, signed_in: 0, staff: 1, agent: 2, admin: 3 } as const;

type Outcome = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'INSUFFICIENT_SCOPE' | 'passes';
function expectedOutcome(row: Row, caller: Caller): Outcome {
  if (row.level === 'public') return 'passes';
  if (caller.role === 'anonymous') return 'UNAUTHENTICATED';
  if (RANK[caller.role] < NEEDED[row.level]) return 'FORBIDDEN';
  if (caller.scope && (row.sessionOnly || (caller.scope !== 'admin' && caller.scope !== row.scope))) return 'INSUFFICIENT_SCOPE';
  return 'passes';
}

// What access control answers when it refuses (src/platform/auth.ts); a handler's own 403 is not one of these.
const REFUSALS = /^(Sign in or send an API token|This API token is unknown|This needs the \w+ role|This token lacks the|Only a signed-in session can use)/;
function outcomeOf(res: Res): Outcome | `other ${number}` {
  const code = res.body?.code as string | undefined;
  if (res.status === 401) return 'UNAUTHENTICATED';
  if (res.status === 403 && (code === 'FORBIDDEN' || code === 'INSUFFICIENT_SCOPE') && REFUSALS.test(res.body.detail ?? '')) return code;
  if (res.status === 403 && code === 'CSRF_TOKEN_INVALID') return `other ${res.status}`;
  return 'passes';
}

let t: TestApp;
let callers: Caller[];
let ids: { ticket: string; user: string; org: string; group: string };
let base: string;

before(async () => {
  t = await startTestApp();
  await t.app.ready(); // routes registered in plugins (raw-body doors) join the table at ready
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const orgA = await t.make.organization({ name: 'Org A' });
  const orgB = await t.make.organization({ name: 'Org B' });
  const admin = await t.signIn('admin');
  const agent = await t.signIn('agent');
  const restricted = await t.signIn('agent');
  // A group-restricted agent (sees only their groups' tickets): the same access level as any agent; tickets
  // outside their groups answer 404, which is not a refusal by access control.
  const restrict = await t.as(admin).patch(`/api/v1/users/${restricted.user.id}`, { ticketAccess: 'groups' });
  assert.equal(restrict.body.ticketAccess, 'groups', restrict.raw);
  const light = await t.signIn('light_agent');
  const customerA = await t.signIn('customer', { organizationId: orgA.id });
  const customerB = await t.signIn('customer', { organizationId: orgB.id });
  const group = await t.make.group('Walkers', [agent, restricted]);
  const ticket = await t.make.ticket(customerA);
  ids = { ticket: ticket.id, user: customerA.user.id, org: orgA.id, group: group.id };
  assert.equal((await t.as(restricted).get(`/api/v1/tickets/${ticket.id}`)).status, 404, 'the restricted agent is restricted');
  const session = (s: Session) => async () => s.headers;
  callers = [
    { name: 'anonymous', role: 'anonymous', headers: async () => ({}) },
    { name: 'customer of org A', role: 'customer', headers: session(customerA) },
    { name: 'customer of org B', role: 'customer', headers: session(customerB) },
    { name: 'light agent', role: 'light_agent', headers: session(light) },
    { name: 'restricted agent', role: 'agent', headers: session(restricted) },
    { name: 'agent', role: 'agent', headers: session(agent) },
    { name: 'admin', role: 'admin', headers: session(admin) },
  ];
  // A token with each scope, held by an admin, so only the scope limits it.
  for (const scope of SCOPES) {
    const res = await t.as(admin).post('/api/v1/tokens', { name: `walk ${scope}`, scopes: [scope] });
    assert.equal(res.status, 201, res.raw);
    callers.push({ name: `token with ${scope}`, role: 'admin', scope, headers: async () => ({ authorization: `Bearer ${res.body.token}` }) });
  }
});
after(() => t.close());

function apiRoutes() {
  // The public surfaces outside /api (the status page) are walked too: they must stay public and declare it; so is
  // /metrics (public to access control: it checks its own METRICS_TOKEN, and is a 404 without one).
  return t.routes.filter((r) => (r.url.startsWith('/api/') || r.url === '/metrics' || r.url === '/status' || r.url.startsWith('/status/') || r.url === '/help' || r.url.startsWith('/help/')) && r.method !== 'HEAD');
}

/** The route's URL with real ids where one matters (a ticket of org A), random ones where a 404 is as good. */
function urlOf(method: string, pattern: string): string {
  return pattern.replace(/:(\w+)/g, (_m, name: string) => {
    if (name === 'key') return 'no-such-key';
    if (name === 'ticketId') return ids.ticket;
    if (name !== 'id' || method === 'DELETE') return randomUUID();
    if (pattern.startsWith('/api/v1/tickets/')) return ids.ticket;
    if (pattern.startsWith('/api/v1/users/')) return ids.user;
    if (pattern.startsWith('/api/v1/organizations/')) return ids.org;
    if (pattern.startsWith('/api/v1/groups/')) return ids.group;
    return randomUUID();
  });
}

async function call(method: string, pattern: string, caller: Caller): Promise<Res> {
  let headers = await caller.headers();
  if (method === 'DELETE' && pattern === '/api/v1/session' && !caller.scope && caller.role !== 'anonymous') {
    // Signing out ends the caller's session: walk it with a session of its own.
    headers = (await t.signIn(caller.role)).headers;
  }
  const url = urlOf(method, pattern);
  if (pattern === '/api/v1/stream') {
    // A stream never ends: read the status, then hang up.
    const ctrl = new AbortController();
    const res = await fetch(`${base}${url}`, { headers, signal: ctrl.signal });
    const body = res.headers.get('content-type')?.includes('json') ? await res.json() : null;
    ctrl.abort();
    return { status: res.status, body, headers: {}, raw: JSON.stringify(body) };
  }
  const body = method === 'GET' || method === 'DELETE' ? undefined : {};
  return t.request(method, url, body, headers);
}

describe('the route table', () => {
  test('every API route has its row in the expectation table, and the table has no row without a route', () => {
    const routes = apiRoutes();
    assert.ok(routes.length > 100, `only ${routes.length} routes`);
    const missing = routes.filter((r) => !EXPECTED[`${r.method} ${r.url}`]).map((r) => `${r.method} ${r.url} ${JSON.stringify(r.access)}`);
    assert.deepEqual(missing, [], 'routes without a row in EXPECTED (add one: who may call it, and the token scope it needs)');
    const present = new Set(routes.map((r) => `${r.method} ${r.url}`));
    assert.deepEqual(
      Object.keys(EXPECTED).filter((k) => !present.has(k)),
      [],
      'rows for routes that no longer exist',
    );
    const differing = routes
      .filter((r) => JSON.stringify(r.access) !== JSON.stringify(rowOf(EXPECTED[`${r.method} ${r.url}`] as string)))
      .map((r) => `${r.method} ${r.url}: declares ${JSON.stringify(r.access)}, expected ${EXPECTED[`${r.method} ${r.url}`]}`);
    assert.deepEqual(differing, []);
  });

  test('a route that is not public and names no token scope is refused at start-up', async () => {
    const fresh = Fastify();
    installAccessControl(fresh, async () => null);
    assert.throws(() => fresh.post('/api/v1/anything', { config: { access: { level: 'agent' } } }, async () => 'x'), /declares no token scope/);
    fresh.get('/api/v1/scoped', { config: { access: { level: 'agent', scope: 'tickets:read' } } }, async () => 'x');
    fresh.get('/api/v1/mine', { config: { access: { level: 'signed_in', sessionOnly: true } } }, async () => 'x');
    await fresh.close();
  });
});

describe('every route × every caller', () => {
  test('access control answers as the table says (401 anonymous, 403 FORBIDDEN below the level, 403 INSUFFICIENT_SCOPE without the scope)', async () => {
    const wrong: string[] = [];
    for (const route of apiRoutes()) {
      const spec = EXPECTED[`${route.method} ${route.url}`];
      if (!spec) continue; // reported by the table test
      const row = rowOf(spec);
      for (const caller of callers) {
        const res = await call(route.method, route.url, caller);
        const expected = expectedOutcome(row, caller);
        const got = outcomeOf(res);
        if (got !== expected) wrong.push(`${route.method} ${route.url} as ${caller.name}: expected ${expected}, got ${got} (${res.status} ${res.body?.code ?? ''} ${res.body?.detail ?? ''})`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  test('a tickets:read token cannot create a macro or a view, nor set "away" (the reported case), and changes nothing', async () => {
    const reader = callers.find((c) => c.scope === 'tickets:read') as Caller;
    const h = await reader.headers();
    const [macros, views] = [await t.count('macros'), await t.count('views')];
    const macro = await t.request('POST', '/api/v1/macros', { name: 'm', actions: [] }, h);
    const view = await t.request('POST', '/api/v1/views', { name: 'v', conditions: { all: [] } }, h);
    const away = await t.request('PUT', '/api/v1/me/away', { away: true }, h);
    for (const res of [macro, view, away]) {
      assert.equal(res.status, 403);
      assert.equal(res.body.code, 'INSUFFICIENT_SCOPE');
    }
    assert.equal(await t.count('macros'), macros);
    assert.equal(await t.count('views'), views);
  });

  test('a token cannot sign a session out (session-only routes refuse every token)', async () => {
    const adminToken = callers.find((c) => c.scope === 'admin') as Caller;
    const res = await t.request('DELETE', '/api/v1/session', undefined, await adminToken.headers());
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 'INSUFFICIENT_SCOPE');
  });
});
