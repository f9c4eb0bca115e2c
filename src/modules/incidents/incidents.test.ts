import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
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
    assert.equal((await t.as(lead).get(`/api/v1/incidents/${res.body.number}`)).body.id, res.body.id, 'by number too (links say /incidents/<number>)');
    assert.equal((await t.as(lead).get('/api/v1/incidents/999999')).status, 404);
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
    const noRetro = await t.as(lead).post(`/api/v1/incidents/${inc.id}/state`, { state: 'closed' });
    assert.equal(noRetro.status, 422);
    assert.equal(noRetro.body.code, 'RETRO_NOT_DONE');
    const notDone = await t.as(lead).post(`/api/v1/incidents/${inc.id}/retro/complete`, { done: true });
    assert.equal(notDone.status, 422, 'a retro is done with a root cause and a why');
    assert.deepEqual(notDone.body.errors.map((e: { path: string }) => e.path), ['retro.rootCause', 'retro.whys']);
    assert.equal((await t.as(lead).post(`/api/v1/incidents/${inc.id}/retro/complete`, { skipReason: '' })).status, 400, 'skipping needs a reason');
    assert.equal((await t.as(lead).post(`/api/v1/incidents/${inc.id}/retro/complete`, { skipReason: 'A known slow export, tracked in #88' })).body.status, 'skipped');
    assert.equal((await t.as(lead).post(`/api/v1/incidents/${inc.id}/state`, { state: 'closed' })).body.state, 'closed');
    const entries = (await detail(inc.id)).timeline.length;
    for (const [method, url, body] of [
      ['post', `/api/v1/incidents/${inc.id}/updates`, { state: 'investigating', body: 'Again?' }],
      ['post', `/api/v1/incidents/${inc.id}/timeline`, { kind: 'note', body: 'late note' }],
      ['patch', `/api/v1/incidents/${inc.id}`, { title: 'Renamed' }],
      ['post', `/api/v1/incidents/${inc.id}/state`, { state: 'investigating' }],
      ['put', `/api/v1/incidents/${inc.id}/roles/scribe`, { userId: support.user.id }],
      ['put', `/api/v1/incidents/${inc.id}/retro`, { rootCause: 'late' }],
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
    // …in the app (the entry names them) and by mail, once each.
    const cadenceMails = ((await t.as(admin).get('/api/v1/outbox?limit=200')).body.items as { kind: string; subject: string; toAddress: string }[])
      .filter((m) => m.kind === 'notification' && m.subject.startsWith(`Incident #${inc.number}:`))
      .map((m) => `${m.toAddress}: ${m.subject}`);
    assert.deepEqual(cadenceMails.sort(), [`${lead.user.email}: Incident #${inc.number}: status update due in 4 min`, `${lead.user.email}: Incident #${inc.number}: status update is late`]);
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
    // Declared from the ticket under its subject (what the form pre-fills): the public title is what the page shows.
    const { body: inc } = await declare(lead, { title: 'SECRET-TICKET-SUBJECT', publicTitle: 'Web app unreachable', severity: 'P1', originTicketId: ticket.id, components: [{ id: web.id, status: 'partial_outage' }], impact: 'SECRET-IMPACT' });
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

  test('suggested tickets: unsolved, created since the incident began, matching its titles or components, not linked yet', async () => {
    const earlier = await t.make.ticket(customer, { subject: 'CSV export broken since this morning', description: 'It broke at eight.' });
    t.clock.advance(60_000);
    const { body: inc } = await declare(lead, { title: 'CSV export failing', severity: 'P2', components: [{ id: web.id, status: 'degraded_performance' }] });
    t.clock.advance(60_000);
    const byTitle = await t.make.ticket(customer, { subject: 'The export gives me an empty file', description: 'Zero bytes.' });
    const byComponent = await t.make.ticket(customer, { subject: 'Web app is slow today', description: 'Pages take ages.' });
    const unrelated = await t.make.ticket(customer, { subject: 'Invoice question', description: 'When is my invoice due?' });
    const solved = await t.make.ticket(customer, { subject: 'Export failed once', description: 'It worked later.' });
    assert.equal((await t.as(lead).patch(`/api/v1/tickets/${solved.id}`, { status: 'solved' })).status, 200);
    const linked = await t.make.ticket(customer, { subject: 'Export is failing for us', description: 'Since noon.' });
    await t.as(lead).post(`/api/v1/incidents/${inc.id}/tickets`, { ticketIds: [linked.id] });
    const suggested = async () => {
      const res = await t.as(lead).get(`/api/v1/incidents/${inc.id}/suggested-tickets`);
      assert.equal(res.status, 200, res.raw);
      return res.body.items.map((i: { id: string }) => i.id) as string[];
    };
    const ids = await suggested();
    const subjects = new Map([earlier, byTitle, byComponent, unrelated, solved, linked].map((x) => [x.id, x.subject]));
    assert.deepEqual(new Set(ids.map((id) => subjects.get(id) ?? id)), new Set([byTitle.subject, byComponent.subject]));
    for (const left of [earlier, unrelated, solved, linked]) assert.ok(!ids.includes(left.id), `#${left.number} (${left.subject}) is not suggested`);
    assert.equal((await t.as(customer).get(`/api/v1/incidents/${inc.id}/suggested-tickets`)).status, 403);
    assert.equal((await t.as(lead).get('/api/v1/incidents/00000000-0000-4000-8000-000000000000/suggested-tickets')).status, 404);
    // One click links it; it is no longer suggested.
    await t.as(lead).post(`/api/v1/incidents/${inc.id}/tickets`, { ticketIds: [byTitle.id] });
    assert.deepEqual(await suggested(), [byComponent.id]);
  });

  test('the status page is limited per client (an IPv6 /64 is one client), served from memory, and others are not held back', async () => {
    const get = (url: string, from: string) => t.app.inject({ method: 'GET', url, remoteAddress: from });
    const flooder = '2001:db8:5:6::1';
    const paths = ['/status', '/status/summary.json', '/status/incidents.json', '/status/feed.atom', '/status/incidents/none'];
    for (let i = 0; i < 600; i++) {
      const res = await get(paths[i % paths.length] as string, i % 2 ? flooder : `2001:db8:5:6::${(i % 97).toString(16)}`);
      assert.ok(res.statusCode === 200 || res.statusCode === 404, `request ${i}: ${res.statusCode}`);
    }
    for (const path of paths) {
      const over = await get(path, '2001:db8:5:6:ffff::2');
      assert.equal(over.statusCode, 429, path);
      assert.equal(over.json().code, 'TOO_MANY_ATTEMPTS');
      assert.match(String(over.headers['retry-after']), /^\d+$/);
    }
    assert.equal((await get('/status', '198.51.100.20')).statusCode, 200, 'another client is served');
    t.clock.advance(60_000);
    assert.equal((await get('/status', flooder)).statusCode, 200, 'a new minute starts afresh');
  });

  test('per setting, the resolution notice asks each requester to confirm the fix and the ticket waits as pending instead of solved', async () => {
    const settings = (await t.as(admin).get('/api/v1/incident-settings')).body.settings;
    assert.equal((await t.as(admin).put('/api/v1/incident-settings', { ...settings, confirmFixOnResolve: true })).status, 200);
    const { body: inc } = await declare(lead, { title: 'Reports are empty', severity: 'P2' });
    const tickets = [await t.make.ticket(customer, { subject: 'My report is empty' }), await t.make.ticket(customer, { subject: 'Dashboard shows nothing' })];
    await t.as(lead).post(`/api/v1/incidents/${inc.id}/tickets`, { ticketIds: tickets.map((x) => x.id) });
    await t.as(lead).post(`/api/v1/incidents/${inc.id}/updates`, { state: 'resolved', body: 'Reports are back.' });
    assert.equal((await t.as(lead).post(`/api/v1/incidents/${inc.id}/solve-tickets`, { notice: 'Reports work again.' })).body.queued, 2);
    await t.runJobs();
    for (const ticket of tickets) {
      assert.equal((await t.as(lead).get(`/api/v1/tickets/${ticket.id}`)).body.status, 'pending', 'waits on the requester');
      const notices = (await messagesOf(ticket.id)).filter((m) => m.body.includes('Reports work again.'));
      assert.equal(notices.length, 1);
      assert.ok(notices[0]?.public);
      assert.match(notices[0]?.body ?? '', /Please reply to confirm/);
    }
    await t.as(admin).put('/api/v1/incident-settings', settings);
  });

  test('per setting, a ticket that becomes P1 declares an incident from itself, once; a requester choosing P1 on their own ticket does not', async () => {
    const settings = (await t.as(admin).get('/api/v1/incident-settings')).body.settings;
    const bad = await t.as(admin).put('/api/v1/incident-settings', { ...settings, autoDeclarePriorities: ['P7'] });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].path, 'body.autoDeclarePriorities.0');
    assert.equal((await t.as(admin).put('/api/v1/incident-settings', { ...settings, autoDeclarePriorities: ['P1'] })).status, 200);
    const incidentsOf = async (ticketId: string) => (await t.as(lead).get(`/api/v1/tickets/${ticketId}/incidents`)).body.items as { title: string; severity: string; state: string }[];
    const triaged = await t.make.ticket(lead, { subject: 'Checkout fails for everyone', priority: 'P1', requester: { email: 'shop@example.org' } });
    const own = await t.make.ticket(customer, { subject: 'URGENT my printer', priority: 'P1' });
    const raised = await t.make.ticket(customer, { subject: 'Payments time out', priority: 'P3' });
    await t.runJobs();
    assert.deepEqual((await incidentsOf(triaged.id)).map((i) => [i.title, i.severity, i.state]), [['Checkout fails for everyone', 'P1', 'investigating']]);
    assert.deepEqual(await incidentsOf(own.id), [], "a requester's own choice declares nothing");
    assert.deepEqual(await incidentsOf(raised.id), []);
    // Raised by an agent: declared; raised again later: still the one incident.
    await t.as(lead).patch(`/api/v1/tickets/${raised.id}`, { priority: 'P1' });
    await t.runJobs();
    await t.as(lead).patch(`/api/v1/tickets/${raised.id}`, { priority: 'P2' });
    await t.as(lead).patch(`/api/v1/tickets/${raised.id}`, { priority: 'P1' });
    await t.runJobs();
    const declared = await incidentsOf(raised.id);
    assert.equal(declared.length, 1);
    const d = await detail((await t.as(lead).get(`/api/v1/tickets/${raised.id}/incidents`)).body.items[0].id);
    assert.equal(d.publicTitle, 'Service disruption', "the ticket's subject stays off the status page");
    assert.match(d.impact, /Declared automatically: ticket #\d+ became P1/);
    for (const id of [triaged.id, raised.id]) {
      const inc = (await incidentsOf(id))[0] as unknown as { id: string };
      await t.as(lead).post(`/api/v1/incidents/${inc.id}/updates`, { state: 'resolved', body: 'Fixed.' });
    }
    await t.as(admin).put('/api/v1/incident-settings', settings);
  });

  test('status update templates: built-in until an admin sets their own; bad ones are refused and change nothing', async () => {
    const before = (await t.as(lead).get('/api/v1/incident-settings')).body;
    assert.match(before.templates.identified, /identified the cause/);
    for (const bad of [{ identified: 'x'.repeat(5001) }, { on_fire: 'Everything is on fire' }]) {
      const res = await t.as(admin).put('/api/v1/incident-settings', { ...before.settings, updateTemplates: bad });
      assert.equal(res.status, 400, JSON.stringify(bad));
    }
    assert.equal((await t.as(lead).put('/api/v1/incident-settings', { ...before.settings, updateTemplates: { identified: 'x' } })).status, 403, 'admins only');
    assert.deepEqual((await t.as(lead).get('/api/v1/incident-settings')).body.templates, before.templates, 'nothing changed');
    const set = await t.as(admin).put('/api/v1/incident-settings', { ...before.settings, updateTemplates: { identified: 'Found it: {what}. Fix under way.' } });
    assert.equal(set.status, 200, set.raw);
    const after = (await t.as(lead).get('/api/v1/incident-settings')).body.templates;
    assert.equal(after.identified, 'Found it: {what}. Fix under way.');
    assert.equal(after.resolved, before.templates.resolved, 'the others stay built-in');
    await t.as(admin).put('/api/v1/incident-settings', before.settings);
  });

  test("the status page carries the organisation's logo: a small raster image, checked, served from memory with the page; removed again", async () => {
    // A 1×1 PNG.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
    const put = (who: Session, body: Buffer | string, type: string) => t.as(who).put('/api/v1/status-page/logo', body, { 'content-type': type });
    const refused: [Session, Buffer | string, string, number, string][] = [
      [lead, png, 'image/png', 403, 'FORBIDDEN'],
      [admin, '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'image/svg+xml', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [admin, Buffer.from('GIF89a but really a PNG?'), 'image/png', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [admin, Buffer.concat([png, Buffer.alloc(256 * 1024)]), 'image/png', 413, 'PAYLOAD_TOO_LARGE'],
      [admin, Buffer.alloc(0), 'image/png', 400, 'VALIDATION_FAILED'],
    ];
    for (const [who, body, type, status, code] of refused) {
      const res = await put(who, body, type);
      assert.equal(res.status, status, `${type} ${body.length} bytes: ${res.raw}`);
      assert.equal(res.body.code, code);
    }
    assert.doesNotMatch((await t.as(null).get('/status')).raw, /class="logo"/, 'nothing stored');
    const ok = await put(admin, png, 'image/png');
    assert.equal(ok.status, 200, ok.raw);
    const html = (await t.as(null).get('/status')).raw;
    const src = /<img class="logo" src="([^"]+)" alt="[^"]+ logo"/.exec(html)?.[1];
    assert.ok(src, 'the page shows it');
    const image = await t.app.inject({ method: 'GET', url: src });
    assert.equal(image.statusCode, 200);
    assert.equal(image.headers['content-type'], 'image/png');
    assert.equal(image.headers['x-content-type-options'], 'nosniff');
    assert.ok(image.rawPayload.equals(png));
    assert.equal((await t.as(admin).delete('/api/v1/status-page/logo')).status, 204);
    assert.doesNotMatch((await t.as(null).get('/status')).raw, /class="logo"/);
    assert.equal((await t.app.inject({ method: 'GET', url: '/status/logo' })).statusCode, 404);
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
  test("CommCare's P1 process end to end on the fake clock: mail in, declare with three roles, status page, 20 tickets told, cadence, resolve, notices, pending retro, retro with five whys, closed", async () => {
    const responseManager = await t.signIn('agent', { name: 'Rita Response' });
    const smtp = await t.smtp();
    t.clock.set('2026-03-09T09:00:00Z');
    // 0. Settings: linked tickets wait On hold while the incident is open; the origin ticket goes to "Pending Retro", a state the admin added.
    assert.equal((await t.as(admin).post('/api/v1/states', { key: 'pending_retro', label: 'Pending Retro', category: 'on_hold' })).status, 201);
    const settings = (await t.as(admin).get('/api/v1/incident-settings')).body.settings;
    for (const [field, value] of [['linkedTicketState', 'solved'], ['linkedTicketState', 'nope'], ['originTicketStateOnResolve', 'closed']]) {
      const bad = await t.as(admin).put('/api/v1/incident-settings', { ...settings, [field as string]: value });
      assert.equal(bad.status, 422, `${field}: ${value}`);
      assert.equal(bad.body.errors[0].path, `body.${field}`);
    }
    const set = await t.as(admin).put('/api/v1/incident-settings', { ...settings, linkedTicketState: 'on_hold', originTicketStateOnResolve: 'pending_retro' });
    assert.equal(set.status, 200, set.raw);
    const statusOf = async (id: string) => (await t.as(lead).get(`/api/v1/tickets/${id}`)).body.status as string;
    // 1. A P1 arrives by email and is triaged as P1.
    await smtp.send({ from: 'ops@district.example.org', to: 'support@localhost', subject: 'URGENT: nobody in the district can sync', text: 'All 300 health workers see sync errors since 08:50.' });
    await t.runJobs();
    const list = (await t.as(lead).get('/api/v1/tickets?limit=100')).body.items as { id: string; subject: string }[];
    const p1 = list.find((x) => x.subject === 'URGENT: nobody in the district can sync');
    assert.ok(p1, 'the mail became a ticket');
    assert.equal((await t.as(lead).patch(`/api/v1/tickets/${p1.id}`, { priority: 'P1' })).status, 200);
    // 2. Declared with CommCare's three roles: developer lead, response manager, support lead.
    const declared = await declare(lead, {
      title: 'Sync outage',
      severity: 'P1',
      originTicketId: p1.id,
      roles: { response_manager: responseManager.user.id, support_lead: support.user.id },
      components: [{ id: api.id, status: 'major_outage' }],
      startedAt: '2026-03-09T08:50:00Z',
    });
    assert.equal(declared.status, 201, declared.raw);
    const inc = declared.body;
    // 3. Twenty affected customers' tickets, linked in one go.
    const affected = [];
    for (let i = 0; i < 20; i++) affected.push((await t.make.ticket(customer, { subject: `Cannot sync (${i})` })).id);
    assert.equal((await t.as(support).post(`/api/v1/incidents/${inc.id}/tickets`, { ticketIds: affected })).body.linked.length, 20);
    // 4. The first status update: on the status page, to every linked requester, and to the status page's subscribers
    // (two who confirmed earlier: one following Sync API, one another component only; status-subscribers.test covers opting in).
    await t.database.db.execute(sql`
      insert into status_subscribers (email, status, all_components, confirmed_at, created_at, updated_at) values
        ('district-it@example.org', 'active', false, now(), now(), now()), ('web-only@example.org', 'active', false, now(), now(), now())`);
    await t.database.db.execute(sql`
      insert into status_subscriber_components (subscriber_id, component_id)
      select id, case when email = 'district-it@example.org' then ${api.id}::uuid else ${web.id}::uuid end from status_subscribers where email in ('district-it@example.org', 'web-only@example.org')`);
    t.clock.set('2026-03-09T09:10:00Z');
    const first = await t.as(responseManager).post(`/api/v1/incidents/${inc.id}/updates`, {
      state: 'identified',
      body: 'Sync fails after a database migration; we are rolling it back.',
      eta: '2026-03-09T10:30:00Z',
      notifyCustomers: true,
      notifySubscribers: true,
    });
    assert.equal(first.status, 201, first.raw);
    assert.equal(first.body.notified, 21, 'the origin ticket and the twenty');
    const summary = (await t.as(null).get('/status/summary.json')).body;
    assert.equal(summary.incidents.find((i: { id: string }) => i.id === inc.id).incident_updates[0].body, 'Sync fails after a database migration; we are rolling it back.');
    await t.runJobs();
    for (const id of [p1.id, ...affected]) assert.equal((await messagesOf(id)).filter((m) => m.body.includes('rolling it back')).length, 1);
    const delivered = (await t.database.db.execute(sql`
      select s.email, d.status from status_deliveries d join status_subscribers s on s.id = d.subscriber_id where d.notice_key = ${`incident-update:${first.body.update.id}`}`)) as unknown as { rows: { email: string; status: string }[] };
    assert.deepEqual(delivered.rows, [{ email: 'district-it@example.org', status: 'sent' }], "the update went to the Sync API's subscriber, not to another component's");
    for (const id of [p1.id, ...affected]) assert.equal(await statusOf(id), 'on_hold', 'linked tickets wait while the incident is open');
    // An agent moves one on by hand: resolving does not overrule them.
    assert.equal((await t.as(support).patch(`/api/v1/tickets/${affected[0]}`, { status: 'pending' })).status, 200);
    // 5. The cadence (P1: every 30 min): reminded at 09:35, late at 09:40, cleared by the next update.
    t.clock.set('2026-03-09T09:36:00Z');
    await t.services.incidents.sweepCadence();
    t.clock.set('2026-03-09T09:41:00Z');
    await t.services.incidents.sweepCadence();
    let d = await detail(inc.id);
    assert.deepEqual(d.timeline.filter((e: { kind: string }) => ['reminder', 'late'].includes(e.kind)).map((e: { body: string }) => e.body), ['Next status update due in 4 min', 'Status update is late']);
    assert.deepEqual(new Set(d.timeline.find((e: { kind: string }) => e.kind === 'reminder').data.notify), new Set([lead.user.id, support.user.id]));
    await t.as(responseManager).post(`/api/v1/incidents/${inc.id}/updates`, { state: 'monitoring', body: 'Rolled back; sync is recovering.' });
    // 6. Resolved; the linked tickets get the resolution notice and are solved.
    t.clock.set('2026-03-09T10:20:00Z');
    await t.as(lead).post(`/api/v1/incidents/${inc.id}/updates`, { state: 'resolved', body: 'Sync works again for everyone.', notifyCustomers: false });
    await t.runJobs();
    assert.equal(await statusOf(affected[1] as string), 'open', 'back from On hold (a New ticket comes back Open)');
    assert.equal(await statusOf(affected[0] as string), 'pending', "the agent's choice stands");
    assert.equal(await statusOf(p1.id), 'pending_retro', 'the origin ticket follows the incident to its retro');
    assert.equal((await t.as(support).post(`/api/v1/incidents/${inc.id}/solve-tickets`, { notice: 'Sync works again. Sorry for the disruption.' })).body.queued, 21);
    await t.runJobs();
    for (const id of affected) assert.equal((await t.as(lead).get(`/api/v1/tickets/${id}`)).body.status, 'solved');
    // 7. "Pending Retro" for the incident too; the origin ticket is already there (the resolution notice did not solve it).
    assert.equal(await statusOf(p1.id), 'pending_retro');
    assert.equal((await t.as(lead).post(`/api/v1/incidents/${inc.id}/state`, { state: 'pending_retro' })).status, 200);
    // 8. The retro: five whys and two action items, then closed.
    const badOwner = await t.as(lead).put(`/api/v1/incidents/${inc.id}/retro`, { actionItems: [{ title: 'x', ownerId: customer.user.id }] });
    assert.equal(badOwner.status, 422);
    assert.equal(badOwner.body.errors[0].path, 'body.actionItems.0.ownerId');
    const retro = await t.as(lead).put(`/api/v1/incidents/${inc.id}/retro`, {
      summary: 'Sync was down for 90 minutes.',
      rootCause: 'A migration locked the forms table.',
      whys: ['Sync failed', 'The forms table was locked', 'A migration ran in business hours', 'The deploy checklist has no migration review', 'Nobody owned the checklist'],
      wentWell: 'Fast rollback',
      wentBadly: 'Late first update',
      actionItems: [
        { title: 'Review migrations before deploy', ownerId: lead.user.id, dueOn: '2026-03-16', link: 'https://github.com/example/commcare/issues/1' },
        { title: 'Own the deploy checklist', ownerId: responseManager.user.id, dueOn: '2026-03-20' },
      ],
    });
    assert.equal(retro.status, 200, retro.raw);
    assert.equal(retro.body.dueAt, '2026-03-11T10:20:00.000Z', '48 hours after resolving');
    assert.equal((await t.as(lead).post(`/api/v1/incidents/${inc.id}/retro/complete`, { done: true })).body.status, 'done');
    const closed = await t.as(lead).post(`/api/v1/incidents/${inc.id}/state`, { state: 'closed' });
    assert.equal(closed.body.state, 'closed');
    d = await detail(inc.id);
    assert.equal(d.acknowledgedAt, '2026-03-09T09:00:00.000Z');
    assert.equal(d.mitigatedAt, '2026-03-09T09:41:00.000Z');
    assert.equal(d.resolvedAt, '2026-03-09T10:20:00.000Z');
    const md = (await t.as(lead).get(`/api/v1/incidents/${inc.id}/markdown`)).raw;
    assert.match(md, /## Retrospective \(done\)/);
    assert.match(md, /5\. Nobody owned the checklist/);
    assert.match(md, /- \[ \] Review migrations before deploy \(due 2026-03-16\) https:\/\/github.com/);
    await t.as(admin).put('/api/v1/incident-settings', settings);
  });
  test('overdue action items: each owner is reminded once (in the app and by mail), again for a new due date, never once done; items change after the retro is done and closed', async () => {
    t.clock.set('2026-03-10T09:00:00Z');
    const { body: inc } = await declare(lead, { title: 'Exports time out', severity: 'P2', roles: { support_lead: support.user.id } });
    await t.as(lead).post(`/api/v1/incidents/${inc.id}/updates`, { state: 'resolved', body: 'Exports work again.' });
    const items = [
      { title: 'Add an export timeout alarm', ownerId: support.user.id, dueOn: '2026-03-11' },
      { title: 'Write the runbook', ownerId: null, dueOn: '2026-03-11' },
      { title: 'Load-test exports', ownerId: lead.user.id, dueOn: '2026-03-13' },
      { title: 'Already done', ownerId: lead.user.id, dueOn: '2026-03-10', done: true },
    ];
    const saved = await t.as(lead).put(`/api/v1/incidents/${inc.id}/retro`, { rootCause: 'A slow query', whys: ['It was slow'], actionItems: items });
    assert.equal(saved.status, 200, saved.raw);
    const ids = saved.body.actionItems.map((a: { id: string }) => a.id) as string[];
    assert.equal(new Set(ids).size, 4, 'each item has its own id');
    assert.ok(saved.body.actionItems.every((a: { remindedFor: unknown }) => a.remindedFor === null));
    // Saving again with the ids keeps them; an id the retro does not hold, or the same id twice, is refused and changes nothing.
    const again = await t.as(lead).put(`/api/v1/incidents/${inc.id}/retro`, { rootCause: 'A slow query', whys: ['It was slow'], actionItems: items.map((a, i) => ({ ...a, id: ids[i] })) });
    assert.deepEqual(again.body.actionItems.map((a: { id: string }) => a.id), ids);
    const stranger = await t.as(lead).put(`/api/v1/incidents/${inc.id}/retro`, { actionItems: [{ title: 'x', id: '00000000-0000-4000-8000-000000000000' }] });
    assert.equal(stranger.status, 422);
    assert.equal(stranger.body.errors[0].path, 'body.actionItems.0.id');
    const twice = await t.as(lead).put(`/api/v1/incidents/${inc.id}/retro`, { actionItems: [{ title: 'x', id: ids[0] }, { title: 'y', id: ids[0] }] });
    assert.equal(twice.status, 422);
    assert.equal(twice.body.errors[0].path, 'body.actionItems.1.id');
    assert.equal((await detail(inc.id)).retro.actionItems.length, 4, 'nothing changed');

    const reminders = async () => (await detail(inc.id)).timeline.filter((e: { kind: string; data: { actionItemId?: string } }) => e.kind === 'reminder' && e.data.actionItemId).map((e: { body: string; data: { notify: string[] } }) => [e.body, e.data.notify]);
    const mails = async () =>
      ((await t.as(admin).get('/api/v1/outbox?limit=200')).body.items as { kind: string; subject: string; toAddress: string }[])
        .filter((m) => m.kind === 'notification' && m.subject.includes(`incident #${inc.number}:`))
        .map((m) => `${m.toAddress} ${m.subject.replace(/^.*: /, '')}`)
        .sort();
    const mine = async (who: Session) => ((await t.as(who).get('/api/v1/me/action-items')).body.items as { title: string; incidentId: string }[]).filter((a) => a.incidentId === inc.id).map((a) => a.title);
    const sweep = () => t.services.incidents.sweepActionItems();
    // The due day is not over yet (UTC): nothing.
    t.clock.set('2026-03-11T23:59:00Z');
    await sweep();
    assert.deepEqual(await reminders(), []);
    // The day after: two sweeps at once (two processes) remind each overdue item once; the lead stands in for the ownerless one.
    t.clock.set('2026-03-12T00:01:00Z');
    await Promise.all([sweep(), sweep()]);
    await sweep();
    await t.services.schedules.runDue();
    assert.deepEqual(await reminders(), [
      ['Action item overdue (due 2026-03-11): Add an export timeout alarm', [support.user.id]],
      ['Action item overdue (due 2026-03-11): Write the runbook', [lead.user.id]],
    ]);
    assert.deepEqual(await mails(), [`${lead.user.email} Write the runbook`, `${support.user.email} Add an export timeout alarm`]);
    assert.deepEqual(await mine(support), ['Add an export timeout alarm'], "in the app: the owner's notice");
    assert.deepEqual(await mine(lead), ['Write the runbook']);
    // A new due date ends the notice and re-arms the reminder for that date.
    const moved = await t.as(support).patch(`/api/v1/incidents/${inc.id}/retro/action-items/${ids[0]}`, { dueOn: '2026-03-12' });
    assert.equal(moved.status, 200, moved.raw);
    assert.deepEqual(await mine(support), []);
    t.clock.set('2026-03-13T08:00:00Z');
    await sweep();
    await sweep();
    assert.equal((await reminders()).length, 3);
    assert.equal((await mails()).filter((m) => m.startsWith(support.user.email)).length, 2, 'reminded again, once, for the new date');
    // Done ends it: no notice, and never a reminder again.
    assert.equal((await t.as(support).patch(`/api/v1/incidents/${inc.id}/retro/action-items/${ids[0]}`, { done: true })).status, 200);
    assert.deepEqual(await mine(support), []);
    // Bad input: each a specific error, nothing changed.
    assert.equal((await t.as(lead).patch(`/api/v1/incidents/${inc.id}/retro/action-items/${ids[1]}`, {})).status, 400);
    const badOwner = await t.as(lead).patch(`/api/v1/incidents/${inc.id}/retro/action-items/${ids[1]}`, { ownerId: customer.user.id });
    assert.equal(badOwner.status, 422);
    assert.equal(badOwner.body.errors[0].path, 'body.ownerId');
    const missing = await t.as(lead).patch(`/api/v1/incidents/${inc.id}/retro/action-items/00000000-0000-4000-8000-000000000000`, { done: true });
    assert.equal(missing.status, 404);
    assert.equal((await detail(inc.id)).retro.actionItems[1].ownerId, null);
    // The retro is done and the incident closed: the items are still followed up.
    assert.equal((await t.as(lead).post(`/api/v1/incidents/${inc.id}/retro/complete`, { done: true })).status, 200);
    assert.equal((await t.as(lead).post(`/api/v1/incidents/${inc.id}/state`, { state: 'closed' })).status, 200);
    assert.equal((await t.as(lead).patch(`/api/v1/incidents/${inc.id}/retro/action-items/${ids[1]}`, { done: true })).status, 200);
    assert.deepEqual(await mine(lead), []);
    t.clock.set('2026-03-14T08:00:00Z');
    await sweep();
    assert.deepEqual((await reminders()).at(-1), ['Action item overdue (due 2026-03-13): Load-test exports', [lead.user.id]]);
    assert.deepEqual(await mine(lead), ['Load-test exports']);
    const retro = (await detail(inc.id)).retro;
    assert.equal(retro.actionItems.find((a: { id: string }) => a.id === ids[3]).remindedFor, null, 'a done item is never reminded');
    assert.equal((await mails()).length, 4);
  });

  // The retro's reminder timeline entries and mails of one incident.
  const remindersOf = async (incidentId: string) =>
    ((await detail(incidentId)).timeline as { kind: string; body: string; data: { actionItemId?: string } }[]).filter((e) => e.kind === 'reminder' && e.data.actionItemId).map((e) => e.body);
  const reminderMails = async (number: number) =>
    ((await t.as(admin).get('/api/v1/outbox?limit=200')).body.items as { kind: string; subject: string }[]).filter((m) => m.kind === 'notification' && m.subject.includes(`incident #${number}:`)).length;

  test('flipping an overdue item between past due dates reminds nobody again: only a later date re-arms it, and never within 24 h', async () => {
    t.clock.set('2026-04-01T09:00:00Z');
    // Sessions from the earlier tests' clock have expired.
    [admin, lead, support] = [await t.signIn('admin'), await t.signIn('agent', { name: 'Dana Lead' }), await t.signIn('agent', { name: 'Sam Support' })];
    const declared = await declare(lead, { title: 'Flip-flop', severity: 'P2' });
    assert.equal(declared.status, 201, declared.raw);
    const inc = declared.body;
    await t.as(lead).post(`/api/v1/incidents/${inc.id}/updates`, { state: 'resolved', body: 'Fixed.' });
    const saved = await t.as(lead).put(`/api/v1/incidents/${inc.id}/retro`, { actionItems: [{ title: 'Rotate the keys', ownerId: support.user.id, dueOn: '2026-04-05' }] });
    const itemId = saved.body.actionItems[0].id as string;
    const move = async (dueOn: string) => assert.equal((await t.as(lead).patch(`/api/v1/incidents/${inc.id}/retro/action-items/${itemId}`, { dueOn })).status, 200);
    const sweep = () => t.services.incidents.sweepActionItems();
    t.clock.set('2026-04-10T08:00:00Z');
    await sweep();
    assert.equal((await remindersOf(inc.id)).length, 1);
    // Moved to an earlier past date, back, and earlier again (through the retro form too), with a sweep after each: no mail.
    for (const dueOn of ['2026-04-03', '2026-04-05', '2026-04-02']) {
      await move(dueOn);
      t.clock.advance(5 * 60_000);
      await sweep();
    }
    const retro = (await detail(inc.id)).retro;
    await t.as(lead).put(`/api/v1/incidents/${inc.id}/retro`, { actionItems: [{ id: itemId, title: 'Rotate the keys', ownerId: support.user.id, dueOn: '2026-04-01' }] });
    await sweep();
    assert.equal(retro.actionItems[0].remindedFor, '2026-04-05');
    assert.equal((await remindersOf(inc.id)).length, 1, 'a due date moved between past days reminded again');
    assert.equal(await reminderMails(inc.number), 1);
    // Still overdue and reminded: the owner's notice stays.
    assert.ok(((await t.as(support).get('/api/v1/me/action-items')).body.items as { id: string }[]).some((a) => a.id === itemId));
    // A later date, already past: re-armed, but not within 24 h of the last reminder.
    await move('2026-04-08');
    await sweep();
    assert.equal((await remindersOf(inc.id)).length, 1, 'reminded twice within 24 h');
    t.clock.set('2026-04-11T08:00:00Z');
    await sweep();
    await sweep();
    assert.deepEqual((await remindersOf(inc.id)).at(-1), 'Action item overdue (due 2026-04-08): Rotate the keys');
    assert.equal((await remindersOf(inc.id)).length, 2);
    assert.equal(await reminderMails(inc.number), 2);
  });

  test('migration 0055 marks items already past due as reminded, so the first sweep after the upgrade mails none of them', async () => {
    // The migration's "today" is the database's real date, so the sweep runs on it too.
    t.clock.set(new Date().toISOString());
    [admin, lead, support] = [await t.signIn('admin'), await t.signIn('agent', { name: 'Dana Lead' }), await t.signIn('agent', { name: 'Sam Support' })];
    const { body: inc } = await declare(lead, { title: 'Before the upgrade', severity: 'P2' });
    await t.as(lead).post(`/api/v1/incidents/${inc.id}/updates`, { state: 'resolved', body: 'Fixed.' });
    // Items as they were stored before 0055 (no id, no marker): one long overdue, one due in the future, one without a date.
    const old = [
      { title: 'Historical', ownerId: support.user.id, dueOn: '2020-01-01', link: null, done: false },
      { title: 'Upcoming', ownerId: support.user.id, dueOn: '2999-01-01', link: null, done: false },
      { title: 'Whenever', ownerId: null, dueOn: null, link: null, done: false },
    ];
    await t.database.db.execute(sql`update incident_retros set action_items = ${JSON.stringify(old)}::jsonb where incident_id = ${inc.id}`);
    const migration = readFileSync(new URL('../../db/migrations/0055_action_item_ids.sql', import.meta.url), 'utf8');
    await t.database.db.execute(sql.raw(migration));
    const items = (await detail(inc.id)).retro.actionItems as { id: string; title: string; remindedFor: string | null }[];
    assert.deepEqual(items.map((a) => [a.title, a.remindedFor]), [['Historical', '2020-01-01'], ['Upcoming', null], ['Whenever', null]]);
    assert.ok(items.every((a) => /^[0-9a-f-]{36}$/.test(a.id)));
    await t.services.incidents.sweepActionItems();
    assert.deepEqual(await remindersOf(inc.id), []);
    assert.equal(await reminderMails(inc.number), 0);
  });
});
