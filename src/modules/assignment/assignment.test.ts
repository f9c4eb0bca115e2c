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
    assert.equal((await t.as(ana).post(`/api/v1/groups/${group.id}/rota/swap`, { dayA: '2026-03-02', dayB: '2026-03-03' })).status, 204);
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

  test("only today's triager (or an admin) writes the group's hand-over notes; anyone else gets a 403 that changes nothing", async () => {
    const group = await t.make.group('Hand-over', [ana, ben, cleo]);
    await t.as(admin).put(`/api/v1/groups/${group.id}/assignment`, { mode: 'triage', timeZone: 'Asia/Kolkata' });
    await t.as(ana).put(`/api/v1/groups/${group.id}/rota`, { entries: [{ day: '2026-03-10', userId: ana.user.id }, { day: '2026-03-11', userId: ben.user.id }] });
    // 20:00 UTC on the 10th is already the 11th in Kolkata: Ben's day.
    t.clock.set(new Date('2026-03-10T20:00:00Z'));
    const notes = async () => ((await t.as(admin).get(`/api/v1/groups/${group.id}/handover`)).body.notes as { body: string }[]).map((n) => n.body);
    const before = await notes();
    const light = await t.signIn('light_agent');
    await t.as(admin).put(`/api/v1/groups/${group.id}`, { memberIds: [ana.user.id, ben.user.id, cleo.user.id, light.user.id] });
    for (const who of [ana, cleo, light]) {
      const res = await t.as(who).post(`/api/v1/groups/${group.id}/handover`, { body: `planted by ${who.user.name}` });
      assert.deepEqual([res.status, res.body.code], [403, 'NOT_TODAYS_TRIAGER'], res.raw);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
      assert.match(res.body.detail, /Ben, 2026-03-11/);
    }
    assert.deepEqual(await notes(), before, 'nothing was written');
    // Nor can a colleague make today (or a past day) theirs to write the note in Ben's place and then put him back.
    const rotaOf = async () => (await t.as(admin).get(`/api/v1/groups/${group.id}/rota?from=2026-03-10&to=2026-03-12`)).body.items.map((i: { day: string; name: string }) => `${i.day} ${i.name}`);
    const rotaBefore = await rotaOf();
    for (const res of [
      await t.as(cleo).put(`/api/v1/groups/${group.id}/rota`, { entries: [{ day: '2026-03-11', userId: cleo.user.id }] }),
      await t.as(cleo).put(`/api/v1/groups/${group.id}/rota`, { entries: [{ day: '2026-03-12', userId: cleo.user.id }, { day: '2026-03-11', userId: cleo.user.id }] }),
      await t.as(ana).post(`/api/v1/groups/${group.id}/rota/swap`, { dayA: '2026-03-10', dayB: '2026-03-11' }),
    ]) {
      assert.deepEqual([res.status, res.body.code], [403, 'ROTA_DAY_SETTLED'], res.raw);
      assert.match(res.body.detail, /2026-03-11 is today and Ben holds it/);
    }
    assert.deepEqual(await rotaOf(), rotaBefore, 'the rota is unchanged');
    // An admin's token without the admin scope is no admin here.
    const scoped = (await t.as(admin).post('/api/v1/tokens', { name: 'script', scopes: ['tickets:write'] })).body.token as string;
    const byToken = await t.request('POST', `/api/v1/groups/${group.id}/handover`, { body: 'from a script' }, { authorization: `Bearer ${scoped}` });
    assert.deepEqual([byToken.status, byToken.body.code], [403, 'NOT_TODAYS_TRIAGER'], byToken.raw);
    const own = await t.as(ben).post(`/api/v1/groups/${group.id}/handover`, { body: 'Ben: the export bug is back' });
    assert.equal(own.status, 201, own.raw);
    assert.equal(own.body.day, '2026-03-11');
    assert.equal((await t.as(admin).post(`/api/v1/groups/${group.id}/handover`, { body: 'Admin: covered lunch' })).status, 201);
    // A day with nobody on the rota: only an admin.
    t.clock.set(new Date('2026-03-12T08:00:00Z'));
    const nobody = await t.as(ben).post(`/api/v1/groups/${group.id}/handover`, { body: 'late note' });
    assert.deepEqual([nobody.status, nobody.body.code], [403, 'NOT_TODAYS_TRIAGER']);
    assert.match(nobody.body.detail, /Nobody is on this group's rota today \(2026-03-12\)/);
    assert.deepEqual(await notes(), ['Ben: the export bug is back', 'Admin: covered lunch']);
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
  test("the assignee picker lists the group's members first and says why the others cannot take the ticket", async () => {
    const dora = await t.signIn('agent', { name: 'Dora Deactivated' });
    const lena = await t.signIn('light_agent', { name: 'Lena Light' });
    const group = await t.make.group('Picker', [ben, dora, lena]);
    assert.equal((await t.as(admin).patch(`/api/v1/users/${dora.user.id}`, { active: false })).status, 200);
    await t.as(ben).put('/api/v1/me/away', { away: true });
    const ticket = await t.make.ticket(admin, { subject: 'Who takes it', groupId: group.id, requesterId: customer.user.id });
    const res = await t.as(ana).get(`/api/v1/tickets/${ticket.id}/assignees`);
    assert.equal(res.status, 200, res.raw);
    assert.deepEqual(res.body.group, { id: group.id, name: 'Picker' });
    const items = res.body.items as { userId: string; available: boolean; inGroup: boolean; away: boolean; reason: string | null; why: string | null }[];
    const of = (s: Session) => items.find((i) => i.userId === s.user.id);
    assert.deepEqual(items[0], { ...of(ben), available: true, inGroup: true, away: true, reason: null, why: null }, 'the only available member comes first, away or not');
    assert.equal(items.filter((i) => i.available).length, 1, 'nobody outside the group is offered');
    assert.equal(of(ana)?.reason, 'not_in_group');
    assert.equal(of(ana)?.why, 'Not in Picker');
    assert.equal(of(dora)?.why, 'Deactivated');
    assert.equal(of(lena)?.reason, 'light_agent');
    // What the picker offers is what the ticket accepts.
    assert.equal((await t.as(ana).patch(`/api/v1/tickets/${ticket.id}`, { assigneeId: ana.user.id })).status, 422);
    await t.as(ben).put('/api/v1/me/away', { away: false });
    // No group: every active agent may take it.
    const loose = await t.make.ticket(admin, { subject: 'No group', requesterId: customer.user.id });
    const all = (await t.as(ana).get(`/api/v1/tickets/${loose.id}/assignees`)).body;
    assert.equal(all.group, null);
    assert.ok(all.items.find((i: { userId: string }) => i.userId === ana.user.id).available);
    // Bad input: not an id, an unknown ticket, a customer.
    assert.equal((await t.as(ana).get('/api/v1/tickets/1042/assignees')).status, 400);
    const unknown = await t.as(ana).get('/api/v1/tickets/00000000-0000-4000-8000-000000000000/assignees');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'TICKET_NOT_FOUND');
    assert.equal((await t.as(customer).get(`/api/v1/tickets/${ticket.id}/assignees`)).status, 403);
  });

  test('a public reply to an unassigned ticket assigns it to the agent replying, as an event; a note, a non-member or the setting switched off does not', async () => {
    const group = await t.make.group('Replies', [ana]);
    const reply = (s: Session, id: string, body: Record<string, unknown> = {}) => t.as(s).post(`/api/v1/tickets/${id}/messages`, { body: 'On it.', public: true, ...body });
    const events = async (id: string) => (await t.as(admin).get(`/api/v1/tickets/${id}/events`)).body.items as { kind: string; field: string | null; fromValue: unknown; toValue: unknown; actorId: string | null }[];

    const ticket = await t.make.ticket(admin, { subject: 'Reply takes it', groupId: group.id, requesterId: customer.user.id });
    assert.equal((await reply(ana, ticket.id, { public: false, body: 'Looking.' })).status, 201);
    assert.equal(await assigneeOf(ticket.id), null, 'an internal note takes nothing');
    const res = await reply(ana, ticket.id);
    assert.equal(res.status, 201, res.raw);
    assert.equal(res.body.ticket.assigneeId, ana.user.id);
    const taken = (await events(ticket.id)).find((e) => e.kind === 'field_changed' && e.field === 'assignee');
    assert.deepEqual({ from: taken?.fromValue ?? null, to: taken?.toValue, by: taken?.actorId }, { from: null, to: ana.user.id, by: ana.user.id });
    // Already assigned: another agent's reply leaves the assignee.
    await reply(admin, ticket.id);
    assert.equal(await assigneeOf(ticket.id), ana.user.id);

    // Someone who may not own it (not in its group) replies: it stays unassigned rather than being refused.
    const other = await t.make.ticket(admin, { subject: 'Not my group', groupId: group.id, requesterId: customer.user.id });
    assert.equal((await reply(ben, other.id)).status, 201);
    assert.equal(await assigneeOf(other.id), null);

    // Switched off in the desk's settings (bad values refused, changing nothing).
    assert.equal((await t.as(admin).get('/api/v1/ticket-settings')).body.replyAssigns, true, 'on by default');
    const bad = await t.as(admin).put('/api/v1/ticket-settings', { replyAssigns: 'yes' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].path, 'body.replyAssigns');
    assert.equal((await t.as(ana).put('/api/v1/ticket-settings', { replyAssigns: false })).status, 403);
    assert.equal((await t.as(admin).get('/api/v1/ticket-settings')).body.replyAssigns, true);
    assert.equal((await t.as(admin).put('/api/v1/ticket-settings', { replyAssigns: false })).status, 200);
    const off = await t.make.ticket(admin, { subject: 'Setting off', groupId: group.id, requesterId: customer.user.id });
    await reply(ana, off.id);
    assert.equal(await assigneeOf(off.id), null);
    assert.equal((await t.as(admin).put('/api/v1/ticket-settings', { replyAssigns: true })).status, 200);
  });
});
