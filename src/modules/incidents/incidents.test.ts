import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { enqueue } from '../../platform/jobs.js';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';
import { NOTIFY_TICKET } from './incidents.service.js';

describe('incidents', () => {
  let t: TestApp;
  let admin: Session;
  let lead: Session;
  let support: Session;
  let customer: Session;
  let api: Component;
  let web: Component;
  const hooked: string[] = [];
  type Component = { id: string; name: string };

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    lead = await t.signIn('agent', { name: 'Dana Lead' });
    support = await t.signIn('agent', { name: 'Sam Support' });
    customer = await t.signIn('customer', { name: 'Jonas Berg' });
    api = (await t.as(admin).post('/api/v1/status-components', { name: 'Sync API', groupName: 'Mobile', position: 1 })).body;
    web = (await t.as(admin).post('/api/v1/status-components', { name: 'Web app', position: 2 })).body;
    // What the on-call module does: a subscriber that enqueues in the declaring transaction.
    t.services.incidents.onDeclared({
      name: 'test.page',
      run: async (tx, incident) => {
        hooked.push(incident.title);
        await enqueue(tx, t.clock, NOTIFY_TICKET, { key: `hook:${incident.id}`, ticketId: incident.originTicketId ?? incident.id, body: 'x', solve: false }, { key: `hook:${incident.id}`, runAt: new Date('2100-01-01') });
      },
    });
  });
  after(() => t.close());

  const declare = (who: Session, body: Record<string, unknown>) => t.as(who).post('/api/v1/incidents', body);
  const detail = async (id: string) => (await t.as(lead).get(`/api/v1/incidents/${id}`)).body;
  const messagesOf = async (ticketId: string) => ((await t.as(lead).get(`/api/v1/tickets/${ticketId}/messages`)).body.items as { bodyText: string; public: boolean }[]).map((m) => ({ body: m.bodyText, public: m.public }));

  test('declared from a ticket: severity from the priority scheme, roles, the origin linked, the timeline written, the hook called', async () => {
    const ticket = await t.make.ticket(customer, { subject: 'Nobody can sync', priority: 'P1' });
    const res = await declare(lead, { title: 'Sync is down', severity: 'P1', originTicketId: ticket.id, roles: { support_lead: support.user.id }, components: [{ id: api.id, status: 'major_outage' }] });
    assert.equal(res.status, 201, res.raw);
    assert.equal(res.body.state, 'investigating');
    assert.equal(res.body.acknowledgedAt, '2026-03-02T09:00:00.000Z');
    // CommCare's P1: an update every 30 minutes.
    assert.equal(res.body.nextUpdateDueAt, '2026-03-02T09:30:00.000Z');
    const d = await detail(res.body.id);
    assert.deepEqual(
      d.roles.map((r: { key: string; user: { name: string } | null }) => [r.key, r.user?.name ?? null]),
      [
        ['lead', 'Dana Lead'],
        ['response_manager', null],
        ['support_lead', 'Sam Support'],
        ['scribe', null],
      ],
    );
    assert.deepEqual(d.tickets.map((x: { id: string }) => x.id), [ticket.id]);
    assert.deepEqual(d.components, [{ id: api.id, name: 'Sync API', status: 'major_outage' }]);
    assert.deepEqual(d.timeline.map((e: { kind: string }) => e.kind), ['declared', 'role_change', 'role_change', 'ticket_linked']);
    assert.equal(d.timeline[0].actorName, 'Dana Lead');
    assert.ok(hooked.includes('Sync is down'));
    const banner = await t.as(lead).get(`/api/v1/tickets/${ticket.id}/incidents`);
    assert.deepEqual(banner.body.items.map((i: { title: string }) => i.title), ['Sync is down']);
    assert.equal((await t.as(customer).get(`/api/v1/tickets/${ticket.id}/incidents`)).status, 403, 'customers never see incidents');
  });

  test('bad declarations are refused with the field named and create nothing', async () => {
    const before = await t.count('incidents');
    const severity = await declare(lead, { title: 'x', severity: 'P4' });
    assert.equal(severity.status, 422);
    assert.equal(severity.body.errors[0].path, 'body.severity');
    assert.match(severity.body.detail, /not one of P1, P2/);
    const role = await declare(lead, { title: 'x', severity: 'P1', roles: { scribe: customer.user.id } });
    assert.equal(role.status, 422);
    assert.equal(role.body.errors[0].path, 'body.roles.scribe');
    const noRole = await declare(lead, { title: 'x', severity: 'P1', roles: { chef: lead.user.id } });
    assert.equal(noRole.body.errors[0].message, 'no role chef');
    const future = await declare(lead, { title: 'x', severity: 'P1', startedAt: '2026-03-03T00:00:00Z' });
    assert.equal(future.status, 422);
    assert.equal(future.body.errors[0].path, 'body.startedAt');
    const component = await declare(lead, { title: 'x', severity: 'P1', components: [{ id: '00000000-0000-4000-8000-000000000000' }] });
    assert.equal(component.status, 422);
    assert.equal((await declare(customer, { title: 'x', severity: 'P1' })).status, 403);
    assert.equal(await t.count('incidents'), before);
  });

  test('states move only along the allowed paths; a closed incident takes no more changes', async () => {
    const { body: inc } = await declare(lead, { title: 'Exports slow', severity: 'P2' });
    const retro = await t.as(lead).post(`/api/v1/incidents/${inc.id}/state`, { state: 'pending_retro' });
    assert.equal(retro.status, 422);
    assert.equal(retro.body.code, 'INVALID_TRANSITION');
    assert.match(retro.body.detail, /cannot go from investigating to pending_retro/);
    const resolved = await t.as(lead).post(`/api/v1/incidents/${inc.id}/updates`, { state: 'resolved', body: 'Fixed.' });
    assert.equal(resolved.status, 201, resolved.raw);
    assert.equal(resolved.body.incident.resolvedAt, '2026-03-02T09:00:00.000Z');
    assert.equal(resolved.body.incident.mitigatedAt, '2026-03-02T09:00:00.000Z');
    assert.equal(resolved.body.incident.nextUpdateDueAt, null);
    assert.equal((await t.as(lead).post(`/api/v1/incidents/${inc.id}/state`, { state: 'pending_retro' })).status, 200);
    assert.equal((await t.as(lead).post(`/api/v1/incidents/${inc.id}/state`, { state: 'closed' })).body.state, 'closed');
    const entries = (await detail(inc.id)).timeline.length;
    for (const [method, url, body] of [
      ['post', `/api/v1/incidents/${inc.id}/updates`, { state: 'investigating', body: 'Again?' }],
      ['post', `/api/v1/incidents/${inc.id}/timeline`, { kind: 'note', body: 'late note' }],
      ['patch', `/api/v1/incidents/${inc.id}`, { title: 'Renamed' }],
      ['post', `/api/v1/incidents/${inc.id}/state`, { state: 'investigating' }],
      ['put', `/api/v1/incidents/${inc.id}/roles/scribe`, { userId: support.user.id }],
    ] as const) {
      const res = await t.as(lead)[method](url, body);
      assert.equal(res.status, 422, `${url}: ${res.raw}`);
      assert.equal(res.body.code, 'INCIDENT_CLOSED');
    }
    const after = await detail(inc.id);
    assert.equal(after.title, 'Exports slow');
    assert.equal(after.timeline.length, entries);
  });

  test('an update marked "notify affected customers" puts one public reply on each linked ticket, as jobs, never twice', async () => {
    const tickets = [];
    for (let i = 0; i < 3; i++) tickets.push(await t.make.ticket(customer, { subject: `Forms lost ${i}` }));
    const { body: inc } = await declare(lead, { title: 'Form submissions lost', severity: 'P1' });
    const linked = await t.as(lead).post(`/api/v1/incidents/${inc.id}/tickets`, { ticketIds: tickets.slice(0, 2).map((x) => x.id) });
    assert.deepEqual(linked.body.linked.length, 2);
    // And from the ticket's side.
    assert.equal((await t.as(lead).post(`/api/v1/tickets/${tickets[2].id}/incidents`, { incidentId: inc.id })).status, 200);
    const before = await messagesOf(tickets[0].id);
    const posted = await t.as(lead).post(`/api/v1/incidents/${inc.id}/updates`, { state: 'identified', body: 'A bad deploy; rolling back.', eta: '2026-03-02T11:00:00Z', notifyCustomers: true });
    assert.equal(posted.status, 201, posted.raw);
    assert.equal(posted.body.notified, 3);
    assert.equal((await messagesOf(tickets[0].id)).length, before.length, 'the replies wait for the jobs');
    await t.runJobs();
    await t.runJobs();
    for (const ticket of tickets) {
      const notices = (await messagesOf(ticket.id)).filter((m) => m.body.includes('rolling back'));
      assert.equal(notices.length, 1, 'one reply per ticket');
      assert.equal(notices[0]?.public, true);
      assert.match(notices[0]?.body ?? '', /Identified/);
      assert.match(notices[0]?.body ?? '', /2026-03-02 11:00 UTC/);
    }
    // A retried job (same key) does not reply again.
    await t.services.incidents.notifyTicket({ key: `incident-update:${posted.body.update.id}:${tickets[0].id}`, ticketId: tickets[0].id, body: 'A bad deploy; rolling back.', solve: false });
    assert.equal((await messagesOf(tickets[0].id)).filter((m) => m.body.includes('rolling back')).length, 1);
    // Unlinking, then resolving: the resolution notice solves the tickets still linked.
    assert.equal((await t.as(lead).delete(`/api/v1/incidents/${inc.id}/tickets/${tickets[2].id}`)).status, 204);
    assert.equal((await t.as(lead).delete(`/api/v1/incidents/${inc.id}/tickets/${tickets[2].id}`)).status, 404);
    const early = await t.as(lead).post(`/api/v1/incidents/${inc.id}/solve-tickets`, { notice: 'Fixed.' });
    assert.equal(early.status, 422, 'not before it is resolved');
    await t.as(lead).post(`/api/v1/incidents/${inc.id}/updates`, { state: 'resolved', body: 'Rolled back; submissions flow again.' });
    const solve = await t.as(lead).post(`/api/v1/incidents/${inc.id}/solve-tickets`, { notice: 'The outage is over: your forms are safe.' });
    assert.equal(solve.status, 202, solve.raw);
    assert.equal(solve.body.queued, 2);
    await t.runJobs();
    for (const ticket of tickets.slice(0, 2)) {
      assert.equal((await t.as(lead).get(`/api/v1/tickets/${ticket.id}`)).body.status, 'solved');
      assert.equal((await messagesOf(ticket.id)).filter((m) => m.body.includes('forms are safe')).length, 1);
    }
    assert.notEqual((await t.as(lead).get(`/api/v1/tickets/${tickets[2].id}`)).body.status, 'solved', 'the unlinked ticket is left alone');
  });

  test('the cadence: the lead is reminded before an update is due and it is marked late after, once each', async () => {
    const { body: inc } = await declare(lead, { title: 'Login errors', severity: 'P1' });
    const start = t.clock.now().getTime();
    // Other tests' incidents are swept too: count this one's marks on its timeline.
    const marks = async () => (await detail(inc.id)).timeline.filter((e: { kind: string }) => e.kind === 'reminder' || e.kind === 'late').map((e: { body: string }) => e.body);
    const sweep = () => t.services.incidents.sweepCadence();
    t.clock.set(new Date(start + 24 * 60_000));
    await sweep();
    assert.deepEqual(await marks(), []);
    t.clock.set(new Date(start + 26 * 60_000));
    await sweep();
    await sweep();
    assert.deepEqual(await marks(), ['Next status update due in 4 min'], 'once');
    t.clock.set(new Date(start + 31 * 60_000));
    await sweep();
    await sweep();
    assert.deepEqual(await marks(), ['Next status update due in 4 min', 'Status update is late'], 'once');
    let d = await detail(inc.id);
    assert.deepEqual(d.timeline.find((e: { kind: string }) => e.kind === 'reminder').data.notify, [lead.user.id], 'the lead (and support lead) are told');
    assert.equal(d.lateSince, new Date(start + 30 * 60_000).toISOString());
    // An update clears the late mark and sets the next due time.
    await t.as(lead).post(`/api/v1/incidents/${inc.id}/updates`, { state: 'investigating', body: 'Still looking.' });
    d = await detail(inc.id);
    assert.equal(d.lateSince, null);
    assert.equal(d.nextUpdateDueAt, new Date(start + 61 * 60_000).toISOString());
    // The schedule is registered and runs the sweep.
    t.clock.set(new Date(start + 62 * 60_000));
    await t.services.schedules.runDue();
    assert.ok((await detail(inc.id)).lateSince);
    await t.as(lead).post(`/api/v1/incidents/${inc.id}/updates`, { state: 'resolved', body: 'Done.' });
  });

  test('the live document: notes, decisions and actions by whom, pins, summary fields, the Markdown export', async () => {
    const { body: inc } = await declare(lead, { title: 'Search index stale', severity: 'P2' });
    const note = await t.as(support).post(`/api/v1/incidents/${inc.id}/timeline`, { kind: 'decision', body: 'Rebuild the index tonight' });
    assert.equal(note.status, 201, note.raw);
    assert.equal((await t.as(lead).patch(`/api/v1/incidents/${inc.id}/timeline/${note.body.id}`, { pinned: true })).body.pinned, true);
    assert.equal((await t.as(lead).patch(`/api/v1/incidents/${inc.id}/timeline/999999`, { pinned: true })).status, 404);
    const patched = await t.as(lead).patch(`/api/v1/incidents/${inc.id}`, { impact: 'Search misses new tickets', currentTheory: 'Queue stuck', nextSteps: 'Restart the worker', version: 1 });
    assert.equal(patched.status, 200, patched.raw);
    const stale = await t.as(lead).patch(`/api/v1/incidents/${inc.id}`, { impact: 'x', version: 1 });
    assert.equal(stale.status, 409);
    const badTimes = await t.as(lead).patch(`/api/v1/incidents/${inc.id}`, { detectedAt: '2026-03-01T00:00:00Z', startedAt: '2026-03-02T08:00:00Z' });
    assert.equal(badTimes.status, 422);
    assert.equal(badTimes.body.errors[0].path, 'body.detectedAt');
    const noLead = await t.as(lead).put(`/api/v1/incidents/${inc.id}/roles/lead`, { userId: null });
    assert.equal(noLead.status, 422);
    assert.equal((await t.as(lead).put(`/api/v1/incidents/${inc.id}/roles/lead`, { userId: support.user.id })).status, 204);
    const md = await t.as(lead).get(`/api/v1/incidents/${inc.id}/markdown`);
    assert.equal(md.status, 200);
    assert.match(String(md.headers['content-type']), /text\/markdown/);
    assert.match(md.raw, /^# Incident #\d+: Search index stale/);
    assert.match(md.raw, /- Incident lead: Sam Support/);
    assert.match(md.raw, /\*\*Impact\.\*\* Search misses new tickets/);
    const timeline = md.raw.slice(md.raw.indexOf('## Timeline'));
    assert.match(timeline.split('\n')[1] ?? '', /Sam Support · decision: Rebuild the index tonight 📌/, 'pinned first');
  });

  test('the role list is editable; the lead role always exists', async () => {
    const none = await t.as(admin).put('/api/v1/incident-roles', { roles: [{ key: 'scribe', name: 'Scribe' }] });
    assert.equal(none.status, 422);
    const roles = [
      { key: 'lead', name: 'Incident commander', lead: true },
      { key: 'response_manager', name: 'Response manager' },
      { key: 'support_lead', name: 'Support lead' },
      { key: 'scribe', name: 'Scribe' },
      { key: 'comms', name: 'Communications' },
    ];
    const ok = await t.as(admin).put('/api/v1/incident-roles', { roles });
    assert.equal(ok.status, 200, ok.raw);
    assert.deepEqual(ok.body.items.map((r: { name: string }) => r.name), roles.map((r) => r.name));
    // A role someone holds in an open incident cannot go.
    const dropHeld = await t.as(admin).put('/api/v1/incident-roles', { roles: roles.filter((r) => r.key !== 'support_lead') });
    assert.equal(dropHeld.status, 409);
    assert.equal((await t.as(lead).put('/api/v1/incident-roles', { roles })).status, 403);
  });

  test('the public status page shows components, updates and history, and nothing internal', async () => {
    const ticket = await t.make.ticket(customer, { subject: 'SECRET-TICKET-SUBJECT' });
    const { body: inc } = await declare(lead, { title: 'Web app unreachable', severity: 'P1', originTicketId: ticket.id, components: [{ id: web.id, status: 'partial_outage' }], impact: 'SECRET-IMPACT' });
    await t.as(lead).post(`/api/v1/incidents/${inc.id}/timeline`, { kind: 'note', body: 'SECRET-NOTE' });
    const hidden = await t.as(null).get('/status');
    assert.doesNotMatch(hidden.raw, /Web app unreachable/, 'not public before its first status update');
    await t.as(lead).post(`/api/v1/incidents/${inc.id}/updates`, { state: 'investigating', body: 'We are looking into <errors> on the web app.' });
    const html = await t.as(null).get('/status');
    assert.equal(html.status, 200);
    assert.match(String(html.headers['content-type']), /text\/html/);
    assert.match(String(html.headers['content-security-policy']), /default-src 'none'/);
    assert.doesNotMatch(html.raw, /<script/i);
    assert.match(html.raw, /Web app unreachable/);
    assert.match(html.raw, /We are looking into &#60;errors&#62; on the web app\./);
    assert.match(html.raw, /Partial outage/);
    assert.equal((html.raw.match(/<div class="bars"/g) ?? []).length, 2);
    assert.match(html.raw, /<h3>Mobile<\/h3>/);
    const summary = (await t.as(null).get('/status/summary.json')).body;
    assert.deepEqual(Object.keys(summary), ['page', 'components', 'incidents', 'scheduled_maintenances', 'status']);
    assert.equal(summary.status.indicator, 'critical');
    const webJson = summary.components.find((c: { id: string }) => c.id === web.id);
    assert.equal(webJson.status, 'partial_outage');
    const group = summary.components.find((c: { group: boolean }) => c.group);
    assert.deepEqual([group.name, group.components], ['Mobile', [api.id]]);
    const active = summary.incidents.find((i: { id: string }) => i.id === inc.id);
    assert.equal(active.status, 'investigating');
    assert.equal(active.impact, 'critical');
    assert.equal(active.incident_updates[0].body, 'We are looking into <errors> on the web app.');
    const list = (await t.as(null).get('/status/incidents.json')).body;
    assert.ok(list.incidents.some((i: { id: string }) => i.id === inc.id));
    const feed = await t.as(null).get('/status/feed.atom');
    assert.match(String(feed.headers['content-type']), /application\/atom\+xml/);
    assert.match(feed.raw, /<feed xmlns="http:\/\/www.w3.org\/2005\/Atom"/);
    const one = await t.as(null).get(`/status/incidents/${inc.id}`);
    assert.equal(one.status, 200);
    assert.equal((await t.as(null).get('/status/incidents/nope')).status, 404);
    for (const out of [html.raw, JSON.stringify(summary), JSON.stringify(list), feed.raw, one.raw]) {
      for (const secret of ['SECRET-NOTE', 'SECRET-IMPACT', 'SECRET-TICKET-SUBJECT', 'Dana Lead', customer.user.email]) assert.ok(!out.includes(secret), `${secret} leaked`);
    }
    // Resolving moves it to the history, and the page re-renders on the change.
    await t.as(lead).post(`/api/v1/incidents/${inc.id}/updates`, { state: 'resolved', body: 'Back up.' });
    const after = await t.as(null).get('/status');
    assert.match(after.raw, /Past incidents<\/h2><ul><li><a href="\/status\/incidents\//);
    assert.equal((await t.as(null).get('/status/summary.json')).body.incidents.some((i: { id: string }) => i.id === inc.id), false);
  });

  test('components: admins edit them, with clear errors', async () => {
    const dup = await t.as(admin).post('/api/v1/status-components', { name: 'sync api' });
    assert.equal(dup.status, 409);
    const bad = await t.as(admin).post('/api/v1/status-components', { name: 'X', status: 'on_fire' });
    assert.equal(bad.status, 400);
    assert.equal((await t.as(lead).post('/api/v1/status-components', { name: 'Mine' })).status, 403);
    const maint = await t.as(admin).patch(`/api/v1/status-components/${api.id}`, { status: 'under_maintenance' });
    assert.equal(maint.body.status, 'under_maintenance');
    assert.match((await t.as(null).get('/status')).raw, /Under maintenance/);
    await t.as(admin).patch(`/api/v1/status-components/${api.id}`, { status: 'operational' });
  });
});
