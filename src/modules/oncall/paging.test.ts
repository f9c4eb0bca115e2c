import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { handle, JobRunner } from '../../platform/jobs.js';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';
import { ONCALL_TICKET } from './oncall.service.js';
import { ONCALL_ESCALATE, ONCALL_NOTIFY } from './pages.js';

type Mail = { to: string; subject: string; text: string };

/**
 * Pages end to end: PMERIT's P0 paging on a fake clock (out of hours, the on-call engineer does not acknowledge,
 * management is paged exactly once, with two job runners on one database), acknowledge / resolve links, manual
 * pages, the rule action, and the outgoing webhook for SMS providers. Mail goes through a real SMTP server.
 */
describe('pages and escalation', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let eng1: Session;
  let eng2: Session;
  let manager: Session;
  let relay: SMTPServer;
  let receiver: http.Server;
  let receiverUrl: string;
  const mails: Mail[] = [];
  const posts: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  let policyId: string;

  before(async () => {
    relay = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        simpleParser(stream).then(
          (m) => {
            mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), subject: m.subject ?? '', text: m.text ?? '' });
            callback();
          },
          (err: Error) => callback(err),
        );
      },
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        posts.push({ headers: req.headers, body });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/sms`;
    t = await startTestApp({ SMTP_URL: `smtp://127.0.0.1:${(relay.server.address() as AddressInfo).port}?ignoreTLS=true`, WEBHOOK_ALLOW_PRIVATE: '127.0.0.1/32' });
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
    eng1 = await t.signIn('agent', { name: 'Engineer One', email: 'eng1@example.org' });
    eng2 = await t.signIn('agent', { name: 'Engineer Two', email: 'eng2@example.org' });
    manager = await t.signIn('admin', { name: 'Manager', email: 'manager@example.org' });
    assert.equal((await t.as(admin).post('/api/v1/priority-schemes/pmerit/activate')).status, 200);
    // PMERIT: a weekly out-of-hours rotation; a P0 pages it, then management after an hour (Kleros's rule too).
    const schedule = await t.as(admin).post('/api/v1/oncall/schedules', {
      name: 'PMERIT on-call',
      timeZone: 'Europe/London',
      layers: [{ name: 'Weekly', memberIds: [eng1.user.id, eng2.user.id], turnHours: 168, handoffTime: '09:00', handoffWeekday: 1, startsOn: '2026-03-02' }],
    });
    assert.equal(schedule.status, 201, schedule.raw);
    const policy = await t.as(admin).post('/api/v1/oncall/policies', {
      name: 'P0 / P1',
      steps: [
        { delayMinutes: 60, targets: [{ type: 'schedule', id: schedule.body.id }] },
        { delayMinutes: 60, targets: [{ type: 'user', id: manager.user.id }] },
      ],
    });
    assert.equal(policy.status, 201, policy.raw);
    policyId = policy.body.id;
    const settings = await t.as(admin).put('/api/v1/oncall/settings', { ticketPriorities: ['P0', 'P1'], ticketPolicyId: policyId, webhookUrl: null });
    assert.equal(settings.status, 200, settings.raw);
  });
  after(async () => {
    await t.close();
    await new Promise<void>((r) => relay.close(() => r()));
    await new Promise((r) => receiver.close(r));
  });

  const mailsTo = (address: string) => mails.filter((m) => m.to === address);
  const linkIn = (m: Mail, action: 'acknowledge' | 'resolve') => new URL(new RegExp(`https?://\\S+/oncall/link/\\S+/${action}\\?token=\\S+`).exec(m.text)?.[0] ?? 'http://x/none');
  const useLink = (url: URL) => t.request('POST', url.pathname, `token=${encodeURIComponent(url.searchParams.get('token') ?? '')}`, { 'content-type': 'application/x-www-form-urlencoded' });
  const manualPage = async (title: string, targets = [{ type: 'user', id: eng2.user.id }]) => {
    const policy = await t.as(admin).post('/api/v1/oncall/policies', { name: `Only ${title}`, steps: [{ delayMinutes: 15, targets }, { delayMinutes: 15, targets: [{ type: 'user', id: manager.user.id }] }] });
    const page = await t.as(agent).post('/api/v1/oncall/pages', { policyId: policy.body.id, title, body: 'Look now' });
    assert.equal(page.status, 201, page.raw);
    await t.runJobs();
    return page.body as { id: string; number: number };
  };

  test("done: PMERIT's P0 out of hours pages the on-call engineer; unacknowledged, management is paged after the wait exactly once", async (ctx) => {
    t.clock.set('2026-03-04T22:30:00Z'); // Wednesday night: Engineer One's week.
    const startedAt = performance.now();
    const ticket = await t.make.ticket(agent, { subject: 'Production down for all users', priority: 'P0', requester: { email: 'grace@example.org' } });
    await t.runJobs();
    const toEmailMs = performance.now() - startedAt;
    const pages = (await t.as(eng1).get('/api/v1/oncall/pages?mine=true')).body.items;
    assert.equal(pages.length, 1);
    assert.equal(pages[0].source, 'ticket');
    assert.equal(pages[0].ticketId, ticket.id);
    assert.match(pages[0].title, /^P0 ticket #\d+: Production down/);
    assert.equal(mailsTo('eng1@example.org').length, 1);
    assert.match(mailsTo('eng1@example.org')[0]?.subject ?? '', /\[Page #\d+\] P0 ticket/);
    assert.equal(mailsTo('eng2@example.org').length, 0, 'not their week');
    const detail = (await t.as(eng1).get(`/api/v1/oncall/pages/${pages[0].id}`)).body;
    assert.deepEqual(detail.notifications.map((n: { channel: string; status: string }) => `${n.channel}:${n.status}`).sort(), ['email:sent', 'in_app:sent']);
    // Raising it again (or another event) does not page twice.
    await t.as(agent).patch(`/api/v1/tickets/${ticket.id}`, { priority: 'P1' }, { 'if-match': `"${ticket.version}"` });
    await t.runJobs();
    assert.equal((await t.as(eng1).get('/api/v1/oncall/pages?mine=true')).body.items.length, 1);

    t.clock.advance(59 * 60_000);
    await t.runJobs();
    assert.equal(mailsTo('manager@example.org').length, 0, 'not before the wait is over');

    // The wait expires; two job runners (two processes) on one database race for the escalation.
    t.clock.advance(60_000);
    const second = new JobRunner(t.database, t.clock);
    const oncall = t.services.oncall;
    second.add(
      handle(ONCALL_ESCALATE, (p, job) => oncall.pages.escalate(p, job)),
      handle(ONCALL_NOTIFY, (p, job) => oncall.pages.deliver(p.notificationId, job)),
      handle(ONCALL_TICKET, (p) => oncall.pageTicket(p)),
    );
    const escalationStart = performance.now();
    await Promise.all([t.services.jobs.runDue(1), second.runDue(1), t.services.jobs.runDue(1), second.runDue(1)]);
    await Promise.all([t.runJobs(), second.runDue(50)]);
    const escalationMs = performance.now() - escalationStart;
    // Even run again by hand (a stale lock re-run), the step acts once.
    await oncall.pages.escalate({ pageId: pages[0].id, round: 0, step: 0 }, { completeWithin: async () => {} });
    await t.runJobs();
    assert.equal(mailsTo('manager@example.org').length, 1, 'management paged exactly once');
    const after = (await t.as(manager).get(`/api/v1/oncall/pages/${pages[0].id}`)).body;
    assert.equal(after.step, 1);
    assert.equal(after.status, 'triggered');
    assert.equal(after.notifications.filter((n: { userId: string }) => n.userId === manager.user.id).length, 2, 'in-app and email, once each');
    // The last step's wait ends with nobody left: the page says so, and nobody is paged again.
    t.clock.advance(61 * 60_000);
    await t.runJobs();
    assert.equal((await t.as(manager).get(`/api/v1/oncall/pages/${pages[0].id}`)).body.exhausted, true);
    assert.equal(mails.filter((m) => m.subject.includes(`#${after.number}]`)).length, 2);
    ctx.diagnostic(`P0 ticket created → page email sent: ${toEmailMs.toFixed(0)} ms; wait expired → next step's email sent: ${escalationMs.toFixed(0)} ms`);
  });

  test("a customer's own P0 does not page; an agent raising it does", async () => {
    const customer = await t.signIn('customer', { email: 'noisy@example.org' });
    const before = (await t.as(admin).get('/api/v1/oncall/pages')).body.items.length;
    const own = await t.make.ticket(customer, { subject: 'URGENT!!! P0 please', priority: 'P0' });
    await t.runJobs();
    assert.equal((await t.as(admin).get('/api/v1/oncall/pages')).body.items.length, before, "a requester's priority pages no one");
    const raised = await t.as(agent).patch(`/api/v1/tickets/${own.id}`, { priority: 'P1', version: own.version });
    assert.equal(raised.status, 200, raised.raw);
    await t.runJobs();
    const after = (await t.as(admin).get('/api/v1/oncall/pages')).body.items;
    assert.equal(after.length, before + 1, 'triage raising it to a paging priority pages');
  });

  test('an acknowledge link from the mail works without signing in, once; it stops the escalation', async () => {
    const page = await manualPage('Disk full');
    const mail = mails.filter((m) => m.to === 'eng2@example.org').at(-1) as Mail;
    const ack = linkIn(mail, 'acknowledge');
    assert.equal(ack.pathname, `/oncall/link/${page.id}/acknowledge`);
    const confirm = await t.request('GET', ack.pathname + ack.search);
    assert.equal(confirm.status, 200);
    assert.match(confirm.raw, /<form method="post">/);
    assert.equal((await t.as(eng2).get(`/api/v1/oncall/pages/${page.id}`)).body.status, 'triggered', 'looking changes nothing');
    const used = await useLink(ack);
    assert.equal(used.status, 200, used.raw);
    assert.match(used.raw, /data-status="acknowledged"/);
    const acked = (await t.as(eng2).get(`/api/v1/oncall/pages/${page.id}`)).body;
    assert.equal(acked.status, 'acknowledged');
    assert.equal(acked.acknowledgedById, eng2.user.id);
    const again = await useLink(ack);
    assert.equal(again.status, 409);
    assert.match(again.raw, /data-code="PAGE_LINK_USED"/);
    const before = mailsTo('manager@example.org').length;
    t.clock.advance(16 * 60_000);
    await t.runJobs();
    assert.equal(mailsTo('manager@example.org').length, before, 'acknowledged: no escalation');
    // The resolve link still works (a different link, for the same page).
    const resolved = await useLink(linkIn(mail, 'resolve'));
    assert.match(resolved.raw, /data-status="resolved"/);
  });

  test("bad links: another page's, an expired one, a forged one — each a specific error, and the page does not change", async () => {
    const a = await manualPage('Queue backlog');
    const b = await manualPage('Certificate expiring');
    const mailA = mails.filter((m) => m.to === 'eng2@example.org' && m.subject.includes(`#${a.number}]`)).at(-1) as Mail;
    const mailB = mails.filter((m) => m.to === 'eng2@example.org' && m.subject.includes(`#${b.number}]`)).at(-1) as Mail;
    const ackA = linkIn(mailA, 'acknowledge');
    const wrong = new URL(ackA.toString());
    wrong.pathname = `/oncall/link/${b.id}/acknowledge`;
    const other = await useLink(wrong);
    assert.equal(other.status, 403);
    assert.match(other.raw, /data-code="PAGE_LINK_WRONG_PAGE"/);
    const forged = new URL(ackA.toString());
    forged.searchParams.set('token', 'x'.repeat(43));
    assert.match((await useLink(forged)).raw, /data-code="PAGE_LINK_INVALID"/);
    const swapped = new URL(ackA.toString());
    swapped.pathname = `/oncall/link/${a.id}/resolve`;
    assert.match((await useLink(swapped)).raw, /data-code="PAGE_LINK_INVALID"/, 'an acknowledge link does not resolve');
    t.clock.advance(25 * 3600_000);
    const expired = await useLink(linkIn(mailB, 'acknowledge'));
    assert.equal(expired.status, 410);
    assert.match(expired.raw, /data-code="PAGE_LINK_EXPIRED"/);
    assert.equal((await t.request('GET', `${ackA.pathname}${ackA.search}`)).status, 410, 'the confirmation page says so too');
    for (const id of [a.id, b.id]) assert.equal((await t.as(eng2).get(`/api/v1/oncall/pages/${id}`)).body.status, 'triggered');
    assert.equal(await t.count('oncall_page_links where used_at is not null'), 2, 'only the two links used in the previous test');
    // In the app, the same person acknowledges and resolves with a session.
    assert.equal((await t.as(eng2).post(`/api/v1/oncall/pages/${a.id}/acknowledge`)).body.status, 'acknowledged');
    assert.equal((await t.as(eng2).post(`/api/v1/oncall/pages/${a.id}/resolve`)).body.status, 'resolved');
    const late = await t.as(eng2).post(`/api/v1/oncall/pages/${a.id}/acknowledge`);
    assert.equal(late.status, 409);
    assert.equal(late.body.code, 'PAGE_ALREADY_RESOLVED');
  });

  test('a trigger pages a policy ("page" action, e.g. on sla_breached) once while that page is open; unknown policies are refused', async () => {
    const breach = await t.as(admin).post('/api/v1/triggers', { name: 'Page on breach', events: ['sla_breached'], actions: [{ type: 'page', policyId }] });
    assert.equal(breach.status, 201, breach.raw);
    const trigger = await t.as(admin).post('/api/v1/triggers', {
      name: 'Page on outage tag',
      events: ['created', 'message'],
      condition: { field: 'tags', op: 'includes_any', value: ['outage'] },
      actions: [{ type: 'page', policyId }],
    });
    assert.equal(trigger.status, 201, trigger.raw);
    const ticket = await t.make.ticket(agent, { subject: 'Outage in EU', priority: 'P2', tags: ['outage'], requester: { email: 'grace@example.org' } });
    await t.runJobs();
    await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Still down', public: false });
    await t.runJobs();
    const pages = (await t.as(admin).get('/api/v1/oncall/pages')).body.items.filter((p: { ticketId: string | null }) => p.ticketId === ticket.id);
    assert.equal(pages.length, 1);
    assert.equal(pages[0].source, 'rule');
    const unknown = await t.as(admin).post('/api/v1/triggers', { name: 'Nowhere', events: ['created'], actions: [{ type: 'page', policyId: '00000000-0000-4000-8000-000000000000' }] });
    assert.equal(unknown.status, 422);
    assert.equal(unknown.body.errors[0].path, 'body.actions.0.policyId');
  });

  test('the outgoing webhook (SMS / phone bridge) gets each notification, signed, with the links; private targets need the allow-list', async () => {
    const set = await t.as(admin).put('/api/v1/oncall/settings', { ticketPriorities: ['P0'], ticketPolicyId: policyId, webhookUrl: receiverUrl });
    assert.equal(set.status, 200, set.raw);
    const secret = set.body.webhookSecret as string;
    const page = await manualPage('Payments failing');
    const post = posts.at(-1);
    assert.ok(post);
    const payload = JSON.parse(post.body);
    assert.equal(payload.page.id, page.id);
    assert.equal(payload.person.email, 'eng2@example.org');
    assert.match(payload.acknowledgeUrl, new RegExp(`/oncall/link/${page.id}/acknowledge\\?token=`));
    const [, ts, mac] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(post.headers['x-lifeline-signature'])) ?? [];
    assert.equal(mac, createHmac('sha256', secret).update(`${ts}.${post.body}`).digest('hex'));
    const bad = await t.as(admin).put('/api/v1/oncall/settings', { ticketPriorities: ['P0'], ticketPolicyId: policyId, webhookUrl: 'http://169.254.169.254/latest' });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].path, 'body.webhookUrl');
    const unknownPriority = await t.as(admin).put('/api/v1/oncall/settings', { ticketPriorities: ['P9'], ticketPolicyId: policyId, webhookUrl: null });
    assert.equal(unknownPriority.body.code, 'INVALID_REFERENCE');
    assert.equal((await t.as(admin).get('/api/v1/oncall/settings')).body.webhookUrl, receiverUrl, 'unchanged');
    assert.equal((await t.as(agent).get('/api/v1/oncall/settings')).status, 403);
  });

  test('a declared incident pages the incident policy, once, in the declaring transaction', async () => {
    const set = await t.as(admin).put('/api/v1/oncall/settings', { ticketPriorities: ['P0'], ticketPolicyId: policyId, incidentPolicyId: policyId, webhookUrl: null });
    assert.equal(set.status, 200, set.raw);
    assert.equal(set.body.incidentPolicyId, policyId);
    const incident = await t.as(agent).post('/api/v1/incidents', { title: 'Login outage', severity: 'P0' });
    assert.equal(incident.status, 201, incident.raw);
    await t.runJobs();
    const pages = (await t.as(admin).get('/api/v1/oncall/pages')).body.items.filter((p: { incidentId: string | null }) => p.incidentId === incident.body.id);
    assert.equal(pages.length, 1);
    assert.equal(pages[0].source, 'incident');
    assert.match(pages[0].title, /^P0 incident #\d+: Login outage/);
    const unknown = await t.as(admin).put('/api/v1/oncall/settings', { ticketPriorities: ['P0'], ticketPolicyId: policyId, incidentPolicyId: '00000000-0000-4000-8000-000000000000', webhookUrl: null });
    assert.equal(unknown.body.errors[0].path, 'body.incidentPolicyId');
  });

  test('someone deactivated but still in a policy or rotation is not paged, and the admin lists say so', async () => {
    const gone = await t.signIn('agent', { name: 'Gone Person', email: 'gone@example.org' });
    const stay = await t.signIn('agent', { name: 'Stay Person', email: 'stay@example.org' });
    const night = await t.as(admin).post('/api/v1/oncall/schedules', { name: 'Gone nights', timeZone: 'UTC', layers: [{ name: 'Daily', memberIds: [gone.user.id], turnHours: 24, handoffTime: '00:00', startsOn: '2026-03-01' }] });
    assert.equal(night.status, 201, night.raw);
    const policy = await t.as(admin).post('/api/v1/oncall/policies', {
      name: 'With a leaver',
      steps: [{ delayMinutes: 15, targets: [{ type: 'user', id: gone.user.id }, { type: 'user', id: stay.user.id }, { type: 'schedule', id: night.body.id }] }],
    });
    assert.equal(policy.status, 201, policy.raw);
    assert.deepEqual(policy.body.notPaged, []);
    // Paged while still active, delivered after: the pending mail is not sent.
    const before = await t.as(agent).post('/api/v1/oncall/pages', { policyId: policy.body.id, title: 'Queue stuck before the leaving' });
    assert.equal(before.status, 201, before.raw);
    assert.equal((await t.as(admin).patch(`/api/v1/users/${gone.user.id}`, { active: false })).status, 200);
    const page = await t.as(agent).post('/api/v1/oncall/pages', { policyId: policy.body.id, title: 'Queue stuck after the leaving' });
    assert.equal(page.status, 201, page.raw);
    await t.runJobs();
    assert.equal(mailsTo('gone@example.org').length, 0, 'no page mail to the deactivated person');
    assert.equal(mailsTo('stay@example.org').length, 2, 'the others are paged as before');
    const first = (await t.as(admin).get(`/api/v1/oncall/pages/${before.body.id}`)).body.notifications.filter((n: { userId: string }) => n.userId === gone.user.id);
    assert.deepEqual(first.filter((n: { channel: string }) => n.channel === 'email').map((n: { status: string }) => n.status), ['failed']);
    const second = (await t.as(admin).get(`/api/v1/oncall/pages/${page.body.id}`)).body.notifications;
    assert.ok(!second.some((n: { userId: string }) => n.userId === gone.user.id), 'not even an in-app entry once deactivated');
    const listed = (await t.as(admin).get('/api/v1/oncall/policies')).body.items.find((p: { id: string }) => p.id === policy.body.id);
    assert.deepEqual(listed.notPaged, [{ userId: gone.user.id, name: 'Gone Person' }]);
    const schedules = (await t.as(admin).get('/api/v1/oncall/schedules')).body.items;
    assert.deepEqual(schedules.find((x: { id: string }) => x.id === night.body.id).notPaged, [{ userId: gone.user.id, name: 'Gone Person' }]);
    assert.deepEqual(schedules.find((x: { id: string }) => x.id !== night.body.id).notPaged, []);
  });

  test("a hand-off summary lists only the open pages its recipient may see (a page's title is its ticket's subject)", async () => {
    const limited = await t.signIn('agent', { name: 'Limited', email: 'limited@example.org' });
    const mine = (await t.make.group('Hand-off mine', [limited])).id;
    const theirs = (await t.make.group('Hand-off theirs', [agent])).id;
    assert.equal((await t.as(admin).patch(`/api/v1/users/${limited.user.id}`, { ticketAccess: 'groups' })).status, 200);
    const shift = await t.as(admin).post('/api/v1/oncall/schedules', { name: 'Limited days', timeZone: 'UTC', layers: [{ name: 'Daily', memberIds: [limited.user.id], turnHours: 24, handoffTime: '00:00', startsOn: '2026-03-01' }] });
    assert.equal(shift.status, 201, shift.raw);
    const managerOnly = await t.as(admin).post('/api/v1/oncall/policies', { name: 'Manager only', steps: [{ delayMinutes: 15, targets: [{ type: 'user', id: manager.user.id }] }] });
    const hidden = await t.make.ticket(agent, { subject: 'Secret merger: payroll leak', requester: { email: 'cfo@example.org' }, groupId: theirs });
    const shown = await t.make.ticket(agent, { subject: 'Printer on fire', requester: { email: 'clerk@example.org' }, groupId: mine });
    for (const ticket of [hidden, shown]) {
      await t.database.db.transaction((tx) => t.services.oncall.pages.create(tx, { policyId: managerOnly.body.id, title: `#${ticket.number} ${ticket.subject}`, body: '', source: 'rule', ticketId: ticket.id }));
    }
    await t.runJobs();
    await t.services.oncall.sendHandoff({ scheduleId: shift.body.id, shiftStart: t.clock.now().toISOString(), userId: limited.user.id });
    const summary = mailsTo('limited@example.org').at(-1);
    assert.ok(summary, 'the summary went out');
    assert.match(summary.text, /Printer on fire/);
    assert.doesNotMatch(summary.text, /Secret merger/, 'a page about a ticket they may not see is not listed');
  });
});
