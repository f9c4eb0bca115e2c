import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

describe('time: entries, timer, timesheet, report and CSV, locked periods, the end-of-day reminder', () => {
  let t: TestApp;
  let admin: Session;
  let ann: Session;
  let bo: Session;
  let customer: Session;
  let org: { id: string };
  let ticket: { id: string; number: number };

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    ann = await t.signIn('agent', { name: 'Ann Agent' });
    bo = await t.signIn('light_agent', { name: 'Bo Light' });
    org = await t.make.organization({ name: 'Beta, "Ltd"' });
    customer = await t.signIn('customer', { organizationId: org.id });
    ticket = await t.make.ticket(customer, { subject: 'Reports are blank' });
  });
  after(() => t.close());

  const log = (who: Session, body: Record<string, unknown>) => t.as(who).post('/api/v1/time/entries', body);

  test('entries against a ticket take its customer; bad durations, targets and locked days are refused and change nothing', async () => {
    const e = await log(ann, { ticketId: ticket.id, workDate: '2026-03-02', minutes: 90, description: 'Reproduced the blank report' });
    assert.equal(e.status, 201, e.raw);
    assert.equal(e.body.organizationId, org.id);
    assert.equal(e.body.ticketNumber, ticket.number);
    assert.equal((await log(bo, { organizationId: org.id, workDate: '2026-03-02', minutes: 30, description: '=cmd|calc', billable: false })).status, 201);
    const before = await t.count('time_entries');
    for (const [body, code, path] of [
      [{ ticketId: ticket.id, workDate: '2026-03-02', minutes: -5 }, 'DURATION_OUT_OF_RANGE', 'body.minutes'],
      [{ ticketId: ticket.id, workDate: '2026-03-02', minutes: 0 }, 'DURATION_OUT_OF_RANGE', 'body.minutes'],
      [{ ticketId: ticket.id, workDate: '2026-03-02', minutes: 25 * 60 }, 'DURATION_OUT_OF_RANGE', 'body.minutes'],
      [{ ticketId: ticket.id, workDate: '2026-03-02', minutes: 23 * 60 }, 'DURATION_OUT_OF_RANGE', 'body.minutes'], // the day would pass 24 h
      [{ workDate: '2026-03-02', minutes: 10 }, 'VALIDATION_FAILED', 'body.organizationId'],
      [{ organizationId: '00000000-0000-4000-8000-000000000000', workDate: '2026-03-02', minutes: 10 }, 'INVALID_REFERENCE', 'body.organizationId'],
      [{ ticketId: '00000000-0000-4000-8000-000000000000', workDate: '2026-03-02', minutes: 10 }, 'INVALID_REFERENCE', 'body.ticketId'],
    ] as const) {
      const res = await log(ann, body);
      assert.equal(res.body.code, code, `${JSON.stringify(body)}: ${res.raw}`);
      assert.equal(res.body.errors[0].path, path);
    }
    const otherOrg = await t.make.organization({ name: 'Gamma' });
    const mismatch = await log(ann, { ticketId: ticket.id, organizationId: otherOrg.id, workDate: '2026-03-02', minutes: 10 });
    assert.equal(mismatch.body.code, 'CARD_WRONG_ORGANIZATION');
    assert.equal((await log(bo, { userId: ann.user.id, organizationId: org.id, workDate: '2026-03-02', minutes: 10 })).status, 403, 'only an admin logs for someone else');
    assert.equal((await log(ann, { organizationId: org.id, workDate: '2026-02-30', minutes: 10 })).status, 400);
    assert.equal((await log(customer, { organizationId: org.id, workDate: '2026-03-02', minutes: 10 })).status, 403);

    // The admin locks February: entries there are refused, added, changed or deleted.
    const feb = await log(ann, { organizationId: org.id, workDate: '2026-02-27', minutes: 60, description: 'Call' });
    assert.equal(feb.status, 201);
    assert.equal((await t.as(ann).put('/api/v1/time/settings', { lockedThrough: '2026-02-28' })).status, 403);
    assert.equal((await t.as(admin).put('/api/v1/time/settings', { lockedThrough: '2026-02-28' })).status, 200);
    const locked = await log(ann, { organizationId: org.id, workDate: '2026-02-28', minutes: 10 });
    assert.equal(locked.body.code, 'PERIOD_LOCKED');
    assert.match(locked.body.detail, /locked up to 2026-02-28/);
    assert.equal((await t.as(ann).patch(`/api/v1/time/entries/${feb.body.id}`, { minutes: 30 })).body.code, 'PERIOD_LOCKED');
    assert.equal((await t.as(ann).delete(`/api/v1/time/entries/${feb.body.id}`)).body.code, 'PERIOD_LOCKED');
    assert.equal((await t.as(ann).patch(`/api/v1/time/entries/${e.body.id}`, { workDate: '2026-02-26' })).body.code, 'PERIOD_LOCKED', 'nor moved into it');
    assert.equal((await t.as(bo).patch(`/api/v1/time/entries/${e.body.id}`, { minutes: 5 })).status, 403, "not someone else's entry");
    assert.equal(await t.count('time_entries'), before + 1);
  });

  test('the timer, the timesheet, the report and its CSV agree with the entries', async () => {
    assert.equal((await t.as(ann).post('/api/v1/time/timer', { ticketId: ticket.id, description: 'Fixing the query' })).status, 200);
    assert.equal((await t.as(ann).post('/api/v1/time/timer', { ticketId: ticket.id })).body.code, 'TIMER_RUNNING');
    t.clock.advance(45 * 60_000);
    const stopped = await t.as(ann).post('/api/v1/time/timer/stop', {});
    assert.equal(stopped.status, 201, stopped.raw);
    assert.equal(stopped.body.minutes, 45);
    assert.equal(stopped.body.description, 'Fixing the query');
    assert.equal((await t.as(ann).post('/api/v1/time/timer/stop', {})).body.code, 'TIMER_NOT_RUNNING');

    const sheet = (await t.as(ann).get('/api/v1/time/timesheet?week=2026-03-04')).body;
    assert.equal(sheet.week, '2026-03-02');
    assert.equal(sheet.days.length, 7);
    assert.equal(sheet.days[0].minutes, 135);
    assert.equal(sheet.totalMinutes, 135, 'the locked February entry is last week');
    assert.equal((await t.as(bo).get(`/api/v1/time/timesheet?userId=${ann.user.id}`)).status, 403);
    assert.equal((await t.as(ann).get(`/api/v1/tickets/${ticket.id}/time`)).body.totalMinutes, 135);

    const report = await t.as(ann).get(`/api/v1/time/report?from=2026-03-01&to=2026-03-31&organizationId=${org.id}`);
    assert.equal(report.status, 200, report.raw);
    assert.deepEqual(report.body.customers, [{ organizationId: org.id, name: 'Beta, "Ltd"', minutes: 165, billableMinutes: 135, entries: 3 }]);
    assert.deepEqual(report.body.tickets.map((x: { ticketNumber: number; minutes: number }) => [x.ticketNumber, x.minutes]), [[ticket.number, 135]]);
    // Per type: the ticket's type now; time not on a ticket apart.
    assert.deepEqual(report.body.types.map((x: { label: string; minutes: number }) => [x.label, x.minutes]), [['No type', 135], ['Not on a ticket', 30]]);
    assert.equal((await t.as(ann).patch(`/api/v1/tickets/${ticket.id}`, { type: 'question' })).status, 200);
    const typed = (await t.as(ann).get(`/api/v1/time/report?from=2026-03-01&to=2026-03-31&organizationId=${org.id}`)).body;
    assert.deepEqual(typed.types, [{ type: 'question', label: 'Question', minutes: 135 }, { type: null, label: 'Not on a ticket', minutes: 30 }]);
    assert.equal((await t.as(bo).get('/api/v1/time/report?from=2026-03-01&to=2026-03-31')).status, 403);
    assert.equal((await t.as(ann).get('/api/v1/time/report?from=2026-03-31&to=2026-03-01')).body.code, 'INVALID_FIELD_VALUE');

    const csv = await t.as(ann).get(`/api/v1/time/report.csv?from=2026-03-01&to=2026-03-31&organizationId=${org.id}`);
    assert.equal(csv.status, 200);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    const lines = csv.raw.trim().split('\r\n');
    assert.equal(lines[0], 'date,person,customer,ticket,description,hours,billable');
    assert.equal(lines.length, 4);
    assert.ok(lines.includes(`2026-03-02,Ann Agent,"Beta, ""Ltd""",#${ticket.number},Reproduced the blank report,1.50,yes`), csv.raw);
    assert.ok(lines.includes(`2026-03-02,Bo Light,"Beta, ""Ltd""",,'=cmd|calc,0.50,no`), 'a formula is never a formula in a spreadsheet');
    const hours = lines.slice(1).reduce((n, l) => n + Number(l.split(',').at(-2)), 0);
    assert.equal(hours, 2.75);
    // Streamed in keyset batches: one entry a batch gives the same document, each entry once.
    let batched = '';
    for await (const chunk of t.services.time.csv({ from: '2026-03-01', to: '2026-03-31', organizationId: org.id }, 1)) batched += chunk;
    assert.equal(batched, csv.raw);
    // Per person, for the Reports screen.
    assert.deepEqual(
      report.body.people.map((x: { name: string; minutes: number; billableMinutes: number; entries: number }) => [x.name, x.minutes, x.billableMinutes, x.entries]),
      [['Ann Agent', 135, 135, 2], ['Bo Light', 30, 0, 1]],
    );
    assert.equal((await t.as(ann).get('/api/v1/time/report.csv?from=2026-03-31&to=2026-03-01')).body.code, 'INVALID_FIELD_VALUE', 'refused before anything streams');
  });

  test('the end-of-day reminder: once, at the end of the local day, only when nothing was logged', async () => {
    const prefs = await t.as(bo).put('/api/v1/time/preferences', { timeZone: 'Europe/Berlin', endOfDay: '17:00', reminders: true });
    assert.equal(prefs.status, 200, prefs.raw);
    assert.equal((await t.as(bo).put('/api/v1/time/preferences', { timeZone: 'Mars/Olympus', endOfDay: '17:00', reminders: true })).body.code, 'UNKNOWN_TIME_ZONE');
    assert.equal((await t.as(bo).put('/api/v1/time/preferences', { timeZone: 'UTC', endOfDay: '25:00', reminders: true })).status, 400);
    // Tuesday 3 March, 15:59 UTC = 16:59 in Berlin: not yet.
    t.clock.set(new Date('2026-03-03T15:59:00Z'));
    await t.services.time.sweepReminders();
    assert.deepEqual((await t.as(bo).get('/api/v1/time/reminders')).body.items, []);
    t.clock.set(new Date('2026-03-03T16:05:00Z'));
    await t.services.time.sweepReminders();
    await t.services.time.sweepReminders();
    assert.deepEqual((await t.as(bo).get('/api/v1/time/reminders')).body.items, [{ day: '2026-03-03' }]);
    assert.equal(await t.count("time_reminders where day = '2026-03-03'"), 1, 'exactly once');
    // Ann logged on the 3rd: no reminder for her.
    await log(ann, { organizationId: org.id, workDate: '2026-03-03', minutes: 60 });
    await t.services.time.sweepReminders();
    assert.deepEqual((await t.as(ann).get('/api/v1/time/reminders')).body.items, []);
    // Logging afterwards clears Bo's.
    await log(bo, { organizationId: org.id, workDate: '2026-03-03', minutes: 15 });
    assert.deepEqual((await t.as(bo).get('/api/v1/time/reminders')).body.items, []);
  });
});
