import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

describe('assignment: triage rota, rotation, load, away', () => {
  let t: TestApp;
  let admin: Session;
  let ana: Session;
  let ben: Session;
  let cleo: Session;
  let customer: Session;

  before(async () => {
    t = await startTestApp({ SESSION_TTL_HOURS: '100000' });
    admin = await t.signIn('admin');
    ana = await t.signIn('agent', { name: 'Ana' });
    ben = await t.signIn('agent', { name: 'Ben' });
    cleo = await t.signIn('agent', { name: 'Cleo' });
    customer = await t.signIn('customer');
  });
  after(() => t.close());

  const assigneeOf = async (id: string) => (await t.as(admin).get(`/api/v1/tickets/${id}`)).body.assigneeId as string | null;

  test("new tickets go to today's triage agent; a swap changes who; hand-over notes carry to the next day", async () => {
    const group = await t.make.group('Triage', [ana, ben]);
    assert.equal((await t.as(admin).put(`/api/v1/groups/${group.id}/assignment`, { mode: 'triage', timeZone: 'Europe/London' })).status, 200);
    const rota = await t.as(ana).put(`/api/v1/groups/${group.id}/rota`, {
      entries: [
        { day: '2026-03-02', userId: ana.user.id },
        { day: '2026-03-03', userId: ben.user.id },
      ],
    });
    assert.equal(rota.status, 204, rota.raw);
    t.clock.set(new Date('2026-03-02T10:00:00Z'));
    const first = await t.make.ticket(admin, { subject: 'Monday', groupId: group.id, requesterId: customer.user.id });
    assert.equal(await assigneeOf(first.id), ana.user.id);
    await t.as(ana).post(`/api/v1/groups/${group.id}/handover`, { body: 'Watch #1001, the sync issue may come back.' });
    assert.equal((await t.as(ben).post(`/api/v1/groups/${group.id}/rota/swap`, { dayA: '2026-03-02', dayB: '2026-03-03' })).status, 204);
    const second = await t.make.ticket(admin, { subject: 'Monday, after the swap', groupId: group.id, requesterId: customer.user.id });
    assert.equal(await assigneeOf(second.id), ben.user.id);
    t.clock.set(new Date('2026-03-03T08:00:00Z'));
    const handover = (await t.as(ben).get(`/api/v1/groups/${group.id}/handover`)).body;
    assert.equal(handover.day, '2026-03-02');
    assert.match(handover.notes[0].body, /sync issue/);
    // Nobody on the rota: left for a person to pick.
    t.clock.set(new Date('2026-03-04T10:00:00Z'));
    const third = await t.make.ticket(admin, { subject: 'Wednesday', groupId: group.id, requesterId: customer.user.id });
    assert.equal(await assigneeOf(third.id), null);
  });

  test('round robin takes turns and passes over agents who are away', async () => {
    const group = await t.make.group('Rotation', [ana, ben, cleo]);
    await t.as(admin).put(`/api/v1/groups/${group.id}/assignment`, { mode: 'round_robin' });
    assert.equal((await t.as(cleo).put('/api/v1/me/away', { away: true })).status, 200);
    const got = [];
    for (let i = 0; i < 4; i++) got.push(await assigneeOf((await t.make.ticket(admin, { subject: `R${i}`, groupId: group.id, requesterId: customer.user.id })).id));
    assert.equal(new Set(got).size, 2, 'two available agents share the work');
    assert.ok(!got.includes(cleo.user.id), 'away means no new tickets');
    assert.notEqual(got[0], got[1]);
    assert.equal(got[0], got[2]);
    await t.as(cleo).put('/api/v1/me/away', { away: false });
  });

  test('least open load goes to whoever has the fewest open tickets', async () => {
    const group = await t.make.group('Load', [ana, ben, cleo]);
    await t.as(admin).put(`/api/v1/groups/${group.id}/assignment`, { mode: 'least_open' });
    const loads = new Map<string, number>();
    for (const s of [ana, ben, cleo]) {
      const open = ((await t.as(admin).get(`/api/v1/tickets?assignee=${s.user.id}&limit=100`)).body.items as any[]).filter((x) => ['new', 'open', 'pending', 'on_hold'].includes(x.statusCategory)).length;
      loads.set(s.user.id, open);
    }
    const lightest = [...loads.entries()].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0]?.[0];
    const ticket = await t.make.ticket(admin, { subject: 'Load', groupId: group.id, requesterId: customer.user.id });
    assert.equal(await assigneeOf(ticket.id), lightest);
  });

  test('bad settings and rotas are refused', async () => {
    const group = await t.make.group('Strict', [ana]);
    assert.equal((await t.as(admin).put(`/api/v1/groups/${group.id}/assignment`, { mode: 'lottery' })).status, 400);
    const zone = await t.as(admin).put(`/api/v1/groups/${group.id}/assignment`, { mode: 'triage', timeZone: 'Moon/Base' });
    assert.equal(zone.status, 400);
    assert.equal(zone.body.errors[0].path, 'body.timeZone');
    const stranger = await t.as(ana).put(`/api/v1/groups/${group.id}/rota`, { entries: [{ day: '2026-03-05', userId: ben.user.id }] });
    assert.equal(stranger.status, 422);
    assert.equal(stranger.body.errors[0].path, 'body.entries.0.userId');
    assert.equal((await t.as(ana).put(`/api/v1/groups/${group.id}/rota`, { entries: [{ day: '5 March', userId: ana.user.id }] })).status, 400);
    assert.equal((await t.as(ana).post(`/api/v1/groups/${group.id}/rota/swap`, { dayA: '2026-03-05', dayB: '2026-03-06' })).status, 404);
    assert.equal((await t.as(ana).put(`/api/v1/groups/${group.id}/assignment`, { mode: 'manual' })).status, 403);
    assert.equal((await t.as(customer).get(`/api/v1/groups/${group.id}/rota?from=2026-03-01&to=2026-03-31`)).status, 403);
  });
});
