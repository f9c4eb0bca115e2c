import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../db/client.js';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';
import { appendEvents, parseEvent, TICKET_EVENT_KINDS, type TicketEvent } from './events.js';

/** The typed ticket event stream: one writer, kinds that parse, SLA events triggers act on, what reports read. */
describe('ticket event stream', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let customer: Session;
  let office = '';

  const rows = async (ticketId?: string) =>
    rowsOf<Record<string, unknown>>(
      await t.database.db.execute(
        ticketId ? sql`select * from ticket_events where ticket_id = ${ticketId} order by id` : sql`select * from ticket_events order by id`,
      ),
    ).map(
      (r) =>
        ({
          id: Number(r.id),
          ticketId: r.ticket_id,
          actorId: r.actor_id,
          actorType: r.actor_type,
          actorName: r.actor_name,
          kind: r.kind,
          field: r.field,
          fromValue: r.from_value,
          toValue: r.to_value,
          public: r.public,
          at: r.at,
          ticketVersion: r.ticket_version === null ? null : Number(r.ticket_version),
        }) as TicketEvent,
    );
  const at = (iso: string) => t.clock.set(new Date(iso));

  before(async () => {
    t = await startTestApp({ SESSION_TTL_HOURS: '100000' });
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
    customer = await t.signIn('customer', { name: 'Kofi Mensah', email: 'kofi@example.org' });
    office = (await t.as(agent).get('/api/v1/calendars')).body.items.find((c: any) => c.name === 'Office hours').id;
    const policy = await t.as(admin).post('/api/v1/sla-policies', {
      name: 'P1 only',
      condition: { field: 'priority', op: 'is', value: 'P1' },
      calendarId: office,
      targets: { P1: { first_response: 60, resolution: 480 } },
    });
    assert.equal(policy.status, 201, policy.raw);
  });
  after(() => t.close());

  test('create writes the ticket version and the actor; every kind the code writes parses', async () => {
    at('2026-03-02T08:00:00Z');
    const l1 = await t.make.group('Tier 1', [agent]);
    const l2 = await t.make.group('Tier 2', [admin]);
    await t.as(admin).patch(`/api/v1/groups/${l1.id}`, { escalatesToId: l2.id });
    const ticket = await t.make.ticket(customer, { subject: 'Sync broken' });
    const created = await rows(ticket.id);
    assert.deepEqual(
      created.map((e) => [e.kind, e.ticketVersion, e.actorType, e.actorId]),
      [
        ['created', 1, 'person', customer.user.id],
        ['message_added', 1, 'person', customer.user.id],
      ],
    );
    const id = ticket.id as string;
    // Every command that writes events, once.
    assert.equal((await t.as(agent).patch(`/api/v1/tickets/${id}`, { groupId: l1.id, addTags: ['sync'], priority: 'P2' })).status, 200);
    assert.equal((await t.as(agent).post(`/api/v1/tickets/${id}/messages`, { body: 'Looking into it', public: true })).status, 201);
    assert.equal((await t.as(agent).post(`/api/v1/tickets/${id}/messages`, { body: 'note', public: false })).status, 201);
    const fresh = (await t.as(agent).get(`/api/v1/tickets/${id}`)).body;
    const esc = await t.as(agent).post(`/api/v1/tickets/${id}/escalate`, { impact: 'All users', tried: 'Restart', needed: 'A fix', urgency: 'high', version: fresh.version });
    assert.equal(esc.status, 200, esc.raw);
    const other = await t.make.ticket(customer, { subject: 'Also broken' });
    assert.equal((await t.as(agent).post(`/api/v1/tickets/${id}/links`, { kind: 'related', targetTicketId: other.id })).status, 201);
    const links = (await t.as(agent).get(`/api/v1/tickets/${id}`)).body.links as any[];
    assert.equal((await t.as(agent).delete(`/api/v1/tickets/${id}/links/${links[0].id}`)).status, 204);
    assert.equal((await t.as(admin).post(`/api/v1/tickets/${other.id}/merge`, { targetId: id })).status, 200);
    const colleague = await t.signIn('customer', { organizationId: null });
    assert.equal((await t.as(agent).patch(`/api/v1/tickets/${id}`, { followerIds: [colleague.user.id] })).status, 200);
    assert.equal((await t.as(agent).patch(`/api/v1/tickets/${id}`, { status: 'solved' })).status, 200);
    assert.equal((await t.as(customer).post(`/api/v1/tickets/${id}/messages`, { body: 'Still broken', cc: [] })).status, 201);
    assert.equal((await t.as(agent).patch(`/api/v1/tickets/${id}`, { status: 'solved' })).status, 200);
    assert.equal((await t.as(agent).patch(`/api/v1/tickets/${id}`, { status: 'closed' })).status, 200);
    assert.equal((await t.as(customer).post(`/api/v1/tickets/${id}/messages`, { body: 'Again!' })).status, 201);
    // The SLA sweep's events.
    const p1 = await t.make.ticket(customer, { subject: 'Down' });
    at('2026-03-02T09:00:00Z');
    await t.as(agent).patch(`/api/v1/tickets/${p1.id}`, { priority: 'P1' });
    at('2026-03-02T10:30:00Z');
    await t.services.sla.sweep();
    const mail = await t.services.tickets.receiveMessage(null, p1.id, { body: 'x', format: 'text', attachmentIds: [], note: true, followerIds: [], channel: 'email' });
    assert.ok(mail.messageId);
    // Solving meets the resolution clock (sla_met), in the solve's transaction.
    assert.equal((await t.as(agent).patch(`/api/v1/tickets/${p1.id}`, { status: 'solved' })).status, 200);
    // A satisfaction answer (the csat module records it through this use case).
    await t.services.tickets.recordSatisfaction(customer.user.id, p1.id, { surveyId: '00000000-0000-4000-8000-000000000001', rating: 'bad', reason: null, comment: null });

    const all = await rows();
    const seen = new Set<string>();
    for (const e of all) {
      assert.doesNotThrow(() => parseEvent(e), `event ${e.id} (${e.kind}) parses`);
      assert.notEqual(e.ticketVersion, null, `event ${e.id} (${e.kind}) carries the ticket version`);
      assert.ok(e.actorType, `event ${e.id} (${e.kind}) names its actor`);
      seen.add(e.kind);
    }
    // follow_up_created on a closed ticket, followers_added on a channel's Cc: both written by the code too.
    const missing = TICKET_EVENT_KINDS.filter((k) => !seen.has(k) && k !== 'followers_added');
    assert.deepEqual(missing, [], 'every kind was written and parsed');
    const system = all.find((e) => e.kind === 'sla_warning');
    assert.equal(system?.actorType, 'system');
  });

  test('rows stored before the typed stream still parse; a bad payload is refused and nothing is written', async () => {
    // As 0027 and earlier wrote them: no actor type, SLA payloads without deadline or elapsed time.
    assert.equal(parseEvent({ kind: 'created', field: null, fromValue: null, toValue: { number: 1001, status: 'new', priority: 'P4', channel: 'portal' } }).kind, 'created');
    assert.equal(parseEvent({ kind: 'message_added', field: null, fromValue: null, toValue: { messageId: 'm1', public: true } }).kind, 'message_added');
    assert.equal(
      parseEvent({ kind: 'sla_breached', field: 'first_response', fromValue: null, toValue: { metric: 'first_response', at: '2026-03-02T10:00:00+00:00', targetMinutes: 60 } }).kind,
      'sla_breached',
    );
    assert.throws(() => parseEvent({ kind: 'nonsense', field: null, fromValue: null, toValue: null }));
    const ticket = await t.make.ticket(customer, {});
    const before = await t.count('ticket_events');
    await assert.rejects(
      appendEvents(t.database.db, { ticketId: ticket.id, version: 1, actor: { type: 'system' }, at: new Date(), events: [{ kind: 'sla_breached', field: 'first_response', to: { metric: 'lunch' } } as never] }),
      /Invalid ticket event "sla_breached": to\.metric/,
    );
    await assert.rejects(
      appendEvents(t.database.db, { ticketId: ticket.id, version: 1, actor: { type: 'system' }, at: new Date(), events: [{ kind: 'field_changed', field: 'mood', from: 1, to: 2 } as never] }),
      /Invalid ticket event "field_changed": field/,
    );
    assert.equal(await t.count('ticket_events'), before);
  });

  test('when the P1 first-response clock breaches, a trigger adds a tag and pages management, once per breach', async () => {
    const res = await t.as(admin).post('/api/v1/triggers', {
      name: 'P1 first response breached',
      events: ['sla_breached'],
      condition: { all: [{ field: 'priority', op: 'is', value: 'P1' }, { field: 'sla.metric', op: 'is', value: 'first_response' }] },
      actions: [
        { type: 'add_tags', tags: ['breached'] },
        { type: 'email', to: 'oncall-managers@example.org', subject: 'Breach on #{{ ticket.number }}', body: 'First response missed on {{ ticket.subject }}' },
      ],
    });
    assert.equal(res.status, 201, res.raw);
    const warned = await t.as(admin).post('/api/v1/triggers', { name: 'Warned', events: ['sla_warning'], actions: [{ type: 'add_tags', tags: ['warned'] }] });
    assert.equal(warned.status, 201, warned.raw);
    const pages = async (ticketId: string) =>
      ((await t.as(admin).get('/api/v1/outbox?limit=200')).body.items as any[]).filter((m) => m.ticketId === ticketId && /Breach on/.test(m.subject));

    at('2026-03-09T09:00:00Z');
    const p1 = await t.make.ticket(customer, { subject: 'Everything is down' });
    await t.as(agent).patch(`/api/v1/tickets/${p1.id}`, { priority: 'P1' });
    const p2 = await t.make.ticket(customer, { subject: 'Minor glitch' });
    await t.runJobs();
    at('2026-03-09T09:50:00Z');
    await t.services.sla.sweep();
    await t.runJobs();
    let view = (await t.as(agent).get(`/api/v1/tickets/${p1.id}`)).body;
    assert.deepEqual(view.tags, ['warned'], 'the warning fired the warning trigger only');
    at('2026-03-09T10:01:00Z');
    await t.services.sla.sweep();
    await t.services.sla.sweep();
    await t.runJobs();
    await t.runJobs();
    view = (await t.as(agent).get(`/api/v1/tickets/${p1.id}`)).body;
    assert.deepEqual([...view.tags].sort(), ['breached', 'warned']);
    const sent = await pages(p1.id);
    assert.equal(sent.length, 1, 'management paged once');
    assert.deepEqual(sent[0].recipients, ['oncall-managers@example.org']);
    // Later sweeps and later breaches of other clocks (resolution) do not page again for first response.
    at('2026-03-10T10:00:00Z');
    await t.services.sla.sweep();
    await t.runJobs();
    assert.equal((await pages(p1.id)).length, 1);
    const tagEvents = (await rows(p1.id)).filter((e) => e.kind === 'field_changed' && e.field === 'tags');
    assert.equal(tagEvents.filter((e) => JSON.stringify(e.toValue).includes('breached')).length, 1);
    assert.equal(tagEvents.at(-1)?.actorType, 'rule');
    assert.equal(tagEvents.at(-1)?.actorName, 'Trigger “P1 first response breached”');
    // A P4 without a P1 clock never breaches here.
    assert.deepEqual((await t.as(agent).get(`/api/v1/tickets/${p2.id}`)).body.tags, []);
    // The breach event carries what reports read.
    const breach = (await rows(p1.id)).find((e) => e.kind === 'sla_breached' && e.field === 'first_response');
    const payload = parseEvent(breach as TicketEvent);
    assert.equal(payload.kind, 'sla_breached');
    assert.deepEqual(
      payload.kind === 'sla_breached' ? { t: payload.to.targetMinutes, e: payload.to.elapsedMinutes, due: payload.to.dueAt } : null,
      { t: 60, e: 60, due: '2026-03-09T10:00:00.000Z' },
    );
    const warning = parseEvent((await rows(p1.id)).find((e) => e.kind === 'sla_warning') as TicketEvent);
    assert.equal(warning.kind === 'sla_warning' ? warning.to.elapsedMinutes : null, 45);
    await t.as(admin).delete(`/api/v1/triggers/${res.body.id}`);
    await t.as(admin).delete(`/api/v1/triggers/${warned.body.id}`);
  });

  test('a target met in time is an sla_met event of the change that met it, and triggers act on it; a breached clock is never also met', async () => {
    const trigger = await t.as(admin).post('/api/v1/triggers', {
      name: 'First response met',
      events: ['sla_met'],
      condition: { field: 'sla.metric', op: 'is', value: 'first_response' },
      actions: [{ type: 'add_tags', tags: ['met'] }],
    });
    assert.equal(trigger.status, 201, trigger.raw);
    at('2026-03-16T09:00:00Z');
    const p1 = async (subject: string) => {
      const ticket = await t.make.ticket(customer, { subject });
      assert.equal((await t.as(agent).patch(`/api/v1/tickets/${ticket.id}`, { priority: 'P1' })).status, 200);
      return ticket.id as string;
    };
    const inTime = await p1('Answered in time');
    const swept = await p1('Breach stamped by the sweep');
    const late = await p1('Late, sweep not run yet');
    await t.runJobs();

    at('2026-03-16T09:20:00Z');
    assert.equal((await t.as(agent).post(`/api/v1/tickets/${inTime}/messages`, { body: 'On it', public: true })).status, 201);
    await t.runJobs();
    const events = await rows(inTime);
    const met = events.filter((e) => e.kind === 'sla_met');
    const policyId = ((await t.as(admin).get('/api/v1/sla-policies')).body.items as any[]).find((p) => p.name === 'P1 only').id;
    assert.deepEqual(
      met.map((e) => parseEvent(e)),
      [{ kind: 'sla_met', field: 'first_response', to: { metric: 'first_response', at: '2026-03-16T09:20:00.000Z', targetMinutes: 60, dueAt: '2026-03-16T10:00:00.000Z', elapsedMinutes: 20, policyId } }],
    );
    const reply = events.find((e) => e.kind === 'message_added' && (e.toValue as { author?: string }).author === 'agent');
    assert.equal(met[0]?.ticketVersion, reply?.ticketVersion, 'written with the reply that met it');
    assert.equal(met[0]?.actorType, 'system');
    assert.deepEqual((await t.as(agent).get(`/api/v1/tickets/${inTime}`)).body.tags, ['met'], 'the trigger fired on the met clock');

    // Past the deadline: stamped by the sweep or not, a late reply meets nothing.
    at('2026-03-16T10:01:00Z');
    await t.services.sla.sweep();
    await t.runJobs();
    assert.ok((await rows(swept)).some((e) => e.kind === 'sla_breached' && e.field === 'first_response'));
    // The sweep stamps every due clock: take the late ticket's stamp back, as if this reply came before the sweep.
    await t.database.db.execute(sql`update sla_clocks set breached_at = null where ticket_id = ${late} and metric = 'first_response'`);
    at('2026-03-16T10:05:00Z');
    for (const id of [swept, late]) {
      assert.equal((await t.as(agent).post(`/api/v1/tickets/${id}/messages`, { body: 'Sorry for the wait', public: true })).status, 201);
    }
    await t.runJobs();
    for (const id of [swept, late]) {
      assert.deepEqual((await rows(id)).filter((e) => e.kind === 'sla_met').map((e) => e.field), [], 'a breached first response is not met');
      assert.deepEqual((await t.as(agent).get(`/api/v1/tickets/${id}`)).body.tags, []);
    }
    const clocks = (await t.as(agent).get(`/api/v1/tickets/${late}/sla`)).body.items as any[];
    assert.equal(clocks.find((c) => c.metric === 'first_response')?.status, 'achieved', 'the clock itself stops as before');

    // Solving within the resolution target meets it; the trigger (first response only) does not fire again.
    at('2026-03-16T11:00:00Z');
    assert.equal((await t.as(agent).patch(`/api/v1/tickets/${inTime}`, { status: 'solved' })).status, 200);
    await t.runJobs();
    const resolution = parseEvent((await rows(inTime)).find((e) => e.kind === 'sla_met' && e.field === 'resolution') as TicketEvent);
    assert.deepEqual(resolution.kind === 'sla_met' ? [resolution.to.targetMinutes, resolution.to.elapsedMinutes] : null, [480, 120]);
    assert.deepEqual((await t.as(agent).get(`/api/v1/tickets/${inTime}`)).body.tags, ['met']);
    await t.as(admin).delete(`/api/v1/triggers/${trigger.body.id}`);
  });

  test('the stream says who replied (requester or agent), the first public agent reply, each solve and reopen, and the channel', async () => {
    const ticket = await t.make.ticket(customer, { subject: 'Reports' });
    const id = ticket.id as string;
    await t.as(agent).post(`/api/v1/tickets/${id}/messages`, { body: 'First', public: true });
    await t.as(agent).post(`/api/v1/tickets/${id}/messages`, { body: 'Second', public: true });
    await t.as(customer).post(`/api/v1/tickets/${id}/messages`, { body: 'Thanks' });
    await t.as(agent).patch(`/api/v1/tickets/${id}`, { status: 'solved' });
    await t.as(customer).post(`/api/v1/tickets/${id}/messages`, { body: 'No, it is back' });
    const payloads = (await rows(id)).map(parseEvent);
    const messages = payloads.flatMap((p) => (p.kind === 'message_added' ? [[p.to.author, p.to.direction, p.to.channel, p.to.firstAgentReply ?? null]] : []));
    assert.deepEqual(messages, [
      ['requester', 'inbound', 'portal', null],
      ['agent', 'outbound', 'api', true],
      ['agent', 'outbound', 'api', false],
      ['requester', 'inbound', 'api', null],
      ['requester', 'inbound', 'api', null],
    ]);
    const states = payloads.flatMap((p) => (p.kind === 'field_changed' && p.field === 'status' ? [`${p.from}→${p.to}`] : []));
    assert.deepEqual(states, ['new→open', 'open→solved', 'solved→open']);
  });

  test('auto-assignment is a step of the command, not a ticket command run inside another', async () => {
    const group = await t.make.group('Rotation', [agent]);
    assert.equal((await t.as(admin).put(`/api/v1/groups/${group.id}/assignment`, { mode: 'round_robin', timeZone: 'UTC' })).status, 200);
    const tickets = t.services.tickets;
    const calls: string[] = [];
    const originals = { update: tickets.update, escalate: tickets.escalate, addSystemMessage: tickets.addSystemMessage };
    for (const name of Object.keys(originals) as (keyof typeof originals)[]) {
      (tickets as any)[name] = function (this: unknown, ...args: unknown[]) {
        calls.push(name);
        return (originals[name] as any).apply(tickets, args);
      };
    }
    try {
      const ticket = await t.make.ticket(admin, { subject: 'Route me', groupId: group.id, requesterId: customer.user.id });
      const view = (await t.as(admin).get(`/api/v1/tickets/${ticket.id}`)).body;
      assert.equal(view.assigneeId, agent.user.id);
      assert.deepEqual(calls, [], 'no command ran inside the create');
      const assigned = (await rows(ticket.id)).filter((e) => e.kind === 'field_changed' && e.field === 'assignee');
      assert.deepEqual(
        assigned.map((e) => [e.toValue, e.ticketVersion, e.actorType]),
        [[agent.user.id, 2, 'system']],
      );
    } finally {
      Object.assign(tickets, originals);
      delete (tickets as any).update;
      delete (tickets as any).escalate;
      delete (tickets as any).addSystemMessage;
    }
  });
});
