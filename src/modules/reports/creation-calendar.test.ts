import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../db/client.js';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

/**
 * A new ticket's reporting row is written by the creation statement, before the SLA clocks exist; its business
 * calendar must be the one the SLA step then picks for the ticket (the policy on its clocks), which is what the
 * rebuild reads. Two policies: one for an organisation, on its own calendar, and one for everything else, on the
 * office hours; a third starts no clock at creation (its only target is next response).
 */
describe('reports: the calendar of a new ticket’s row is the SLA engine’s', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let member: Session;
  let outsider: Session;
  let orgId = '';
  let orgCalendar = '';
  let office = '';
  const created = { own: '', forMember: '', stale: '', outside: '', nextOnly: '' };

  /** The ticket's row, and the calendar of the policy its clocks run under (null: no clock, the 24/7 clock). */
  const rowAndClocks = async (id: string) => {
    const [r] = rowsOf<{ calendar_id: string | null; clocks_calendar: string | null }>(
      await t.database.db.execute(sql`
        select m.calendar_id,
               (select p.calendar_id from sla_clocks c join sla_policies p on p.id = c.policy_id where c.ticket_id = m.ticket_id limit 1) as clocks_calendar
        from ticket_metrics m where m.ticket_id = ${id}::uuid`),
    );
    assert.ok(r, 'the creation wrote the ticket’s row');
    return r;
  };
  const rows = async () => rowsOf<Record<string, unknown>>(await t.database.db.execute(sql`select * from ticket_metrics order by number`));

  before(async () => {
    t = await startTestApp();
    t.clock.set(new Date('2026-03-02T09:00:00Z'));
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
    orgId = (await t.make.organization({ name: 'Riverside' })).id;
    member = await t.signIn('customer', { organizationId: orgId });
    outsider = await t.signIn('customer');
    office = (await t.as(agent).get('/api/v1/calendars')).body.items.find((c: { name: string }) => c.name === 'Office hours').id;
    const cal = await t.as(admin).post('/api/v1/calendars', { name: 'Riverside hours', timeZone: 'UTC', weekly: { '1': [{ start: '13:00', end: '15:00' }] } });
    assert.equal(cal.status, 201, cal.raw);
    orgCalendar = cal.body.id;
    const policies = [
      { name: 'Next response only', position: 0, condition: { field: 'tags', op: 'includes_any', value: ['next-only'] }, calendarId: orgCalendar, targets: { P4: { next_response: 30 } } },
      { name: 'Riverside', position: 1, condition: { field: 'organization', op: 'is', value: orgId }, calendarId: orgCalendar, targets: { P4: { first_response: 60, resolution: 480 } } },
      { name: 'Everything', position: 2, calendarId: office, targets: { P4: { first_response: 120, resolution: 960 } } },
    ];
    for (const p of policies) {
      const res = await t.as(admin).post('/api/v1/sla-policies', p);
      assert.equal(res.status, 201, res.raw);
    }
  });
  after(() => t.close());

  test('a requester of the organisation opening their own ticket: the organisation’s calendar', async () => {
    created.own = (await t.make.ticket(member, { subject: 'Own' })).id;
    const r = await rowAndClocks(created.own);
    assert.equal(r.clocks_calendar, orgCalendar, 'the SLA engine chose the organisation’s policy');
    assert.equal(r.calendar_id, orgCalendar);
  });

  test('staff opening a ticket for a requester of the organisation without naming it: the organisation’s calendar', async () => {
    created.forMember = (await t.make.ticket(agent, { subject: 'For a member', requesterId: member.user.id })).id;
    const r = await rowAndClocks(created.forMember);
    assert.equal(r.clocks_calendar, orgCalendar);
    assert.equal(r.calendar_id, orgCalendar);
  });

  test('a requester who moved organisation while their request was under way: the organisation the ticket got', async () => {
    // The actor still says no organisation (as a session read before the move would); the ticket takes the
    // requester's organisation from the database, and so must the row.
    const user = (await t.services.people.getUsers([member.user.id]))[0];
    assert.ok(user);
    const stale = { ...(await t.services.people.actorFor(user)), organizationId: null };
    const { ticket } = await t.services.tickets.create(stale, { subject: 'Stale', description: 'x', format: 'text', tags: [], customFields: {}, followerIds: [], cc: [], attachmentIds: [] });
    created.stale = ticket.id;
    assert.equal(ticket.organizationId, orgId);
    const r = await rowAndClocks(ticket.id);
    assert.equal(r.clocks_calendar, orgCalendar);
    assert.equal(r.calendar_id, orgCalendar);
  });

  test('outside the organisation: the office hours; a policy that starts no clock at creation: the 24/7 clock', async () => {
    created.outside = (await t.make.ticket(outsider, { subject: 'Outside' })).id;
    const outside = await rowAndClocks(created.outside);
    assert.equal(outside.clocks_calendar, office);
    assert.equal(outside.calendar_id, office);
    created.nextOnly = (await t.make.ticket(outsider, { subject: 'Next only', tags: ['next-only'] })).id;
    const nextOnly = await rowAndClocks(created.nextOnly);
    assert.equal(nextOnly.clocks_calendar, null, 'no clock started at creation');
    assert.equal(nextOnly.calendar_id, null);
  });

  test('business time counts on that calendar, and the rebuild gives the same rows', async () => {
    // Monday 09:00 → 14:00: five hours on the clock, one hour (13:00–14:00) of Riverside's hours.
    t.clock.set(new Date('2026-03-02T14:00:00Z'));
    const solved = await t.as(agent).patch(`/api/v1/tickets/${created.own}`, { status: 'solved' });
    assert.equal(solved.status, 200, solved.raw);
    const live = await rows();
    assert.equal(live.length, Object.keys(created).length);
    const own = live.find((r) => r.ticket_id === created.own);
    assert.equal(own?.first_resolution_s, 5 * 3600);
    assert.equal(own?.first_resolution_bs, 3600);
    await t.database.db.execute(sql`delete from ticket_metrics`);
    await t.services.reportsStore.rebuild();
    assert.deepEqual(await rows(), live);
  });
});
