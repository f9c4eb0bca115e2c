/**
 * Issue 10, items 6 and 7: the live stream (GET /api/v1/stream) over real HTTP.
 *  6. A stream ends on sign-out, deactivation, a revoked token, an expired session, in any process; a caller whose
 *     role changed is served as the changed caller at once (a demoted agent gets no more internal events).
 *  7. Streams are capped per user and per process, and one query decides an event for every stream; the in-memory
 *     rule (`mayActorSee`) agrees with the SQL one (`visibleTo`) for every role × ticket relation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { and, eq, sql } from 'drizzle-orm';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { rowsOf } from '../../src/db/client.js';
import { mayActorSee, type TicketQueries, visibleTo } from '../../src/modules/tickets/tickets.queries.js';
import { tickets } from '../../src/modules/tickets/tickets.schema.js';
import type { Actor } from '../../src/platform/auth.js';
import { type Session, startTestApp, type TestApp } from '../../src/testing/harness.js';

let t: TestApp;
let address: string;
let admin: Session;

before(async () => {
  // A short re-check interval, so the expiry test need not wait 30 s; small caps, so the cap tests stay small.
  t = await startTestApp({ STREAM_RECHECK_SECONDS: '0.2', STREAM_MAX_PER_USER: '3' });
  address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  admin = await t.signIn('admin');
});
after(() => t.close());

type Stream = {
  status: number;
  headers: Headers;
  body: unknown;
  /** What arrived so far. */
  text: () => string;
  /** Reads until `predicate` holds on what arrived, or fails after a few seconds. */
  until: (predicate: (s: string) => boolean, what?: string) => Promise<string>;
  /** Resolves true when the server ends the stream within `ms`. */
  ended: (ms?: number) => Promise<boolean>;
  close: () => void;
};

async function openStream(headers: Record<string, string>, base = address): Promise<Stream> {
  const ctrl = new AbortController();
  const res = await fetch(`${base}/api/v1/stream`, { headers, signal: ctrl.signal });
  if (res.status !== 200) {
    const body = await res.json();
    return { status: res.status, headers: res.headers, body, text: () => '', until: async () => '', ended: async () => true, close: () => {} };
  }
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  let done = false;
  // One reader loop for the stream's life; `until` and `ended` poll what it collected.
  void (async () => {
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        text += decoder.decode(chunk.value);
      }
    } catch {}
    done = true;
  })();
  const wait = async (ok: () => boolean, ms: number) => {
    const deadline = Date.now() + ms;
    while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return ok();
  };
  const stream: Stream = {
    status: res.status,
    headers: res.headers,
    body: null,
    text: () => text,
    async until(predicate, what = 'the expected event') {
      if (!(await wait(() => predicate(text), 5000))) throw new Error(`stream did not deliver ${what} in time; got:\n${text}`);
      return text;
    },
    ended: (ms = 5000) => wait(() => done, ms),
    close: () => ctrl.abort(),
  };
  await stream.until((s) => s.includes(': connected'), 'its greeting');
  return stream;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function tokenFor(who: Session, scopes: string[] = ['tickets:read']): Promise<string> {
  const res = await t.as(who).post('/api/v1/tokens', { name: `stream ${Math.random()}`, scopes });
  assert.equal(res.status, 201, res.raw);
  return res.body.token;
}

describe('item 6: a stream does not outlive its caller', () => {
  test('signing out ends the stream at once', async () => {
    const agent = await t.signIn('agent');
    const s = await openStream(agent.headers);
    assert.equal((await t.as(agent).delete('/api/v1/session')).status, 204);
    assert.equal(await s.ended(), true, `the stream stayed open after sign-out:\n${s.text()}`);
    assert.match(s.text(), /event: closed\ndata: \{"reason":"UNAUTHENTICATED"\}/);
  });

  test('deactivating a user ends their streams, session and token alike', async () => {
    const agent = await t.signIn('agent');
    const token = await tokenFor(agent);
    const bySession = await openStream(agent.headers);
    const byToken = await openStream(bearer(token));
    const res = await t.as(admin).patch(`/api/v1/users/${agent.user.id}`, { active: false });
    assert.equal(res.status, 200, res.raw);
    assert.equal(await bySession.ended(), true, 'the session stream stayed open');
    assert.equal(await byToken.ended(), true, 'the token stream stayed open');
  });

  test('revoking a token ends its stream', async () => {
    const agent = await t.signIn('agent');
    const token = await tokenFor(agent);
    const s = await openStream(bearer(token));
    const list = await t.as(agent).get('/api/v1/tokens');
    const id = list.body.items.at(-1).id;
    assert.equal((await t.as(agent).delete(`/api/v1/tokens/${id}`)).status, 204);
    assert.equal(await s.ended(), true);
  });

  test('an agent demoted to customer gets no more internal events, at once', async () => {
    const demoted = await t.signIn('agent');
    const colleague = await t.signIn('agent');
    const token = await tokenFor(demoted);
    const bySession = await openStream(demoted.headers);
    const byToken = await openStream(bearer(token));
    // A ticket the demoted person asked for, so as a customer they still see its public side.
    const tk = await t.make.ticket(colleague, { requesterId: demoted.user.id, subject: 'demotion' });
    await t.as(colleague).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'before: internal', public: false });
    await byToken.until((s) => s.includes('"public":false'), 'the internal event while still an agent');
    const seenBefore = byToken.text().length;

    assert.equal((await t.as(admin).patch(`/api/v1/users/${demoted.user.id}`, { role: 'customer' })).status, 200);
    // The same instant: no waiting for a re-check interval.
    await t.as(colleague).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'after: internal', public: false });
    await t.as(colleague).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'after: public', public: true });
    await byToken.until((s) => s.slice(seenBefore).includes('"kind":"message_added"'), 'the public reply after the demotion');
    assert.doesNotMatch(byToken.text().slice(seenBefore), /"public":false/, 'an internal event reached the demoted caller');
    // Their session ended with the role change (sessions are dropped); the token carries on as a customer.
    assert.equal(await bySession.ended(), true);
    assert.equal(await byToken.ended(300), false);
    byToken.close();
  });

  test('a sign-out in another process ends the stream here (through NOTIFY)', async () => {
    // A second Lifeline on the same database: its own caches and LISTEN connections, as a second process has.
    const other = await buildApp(loadConfig({ DATA_DIR: t.config.dataDir, LOG_LEVEL: 'silent' }), t.database, { clock: t.clock, logger: false });
    let there: Stream | undefined;
    try {
      const otherAddress = await other.app.listen({ port: 0, host: '127.0.0.1' });
      const agent = await t.signIn('agent');
      there = await openStream(agent.headers, otherAddress);
      // Signed out through this process; the stream lives in the other.
      assert.equal((await t.as(agent).delete('/api/v1/session')).status, 204);
      assert.equal(await there.ended(), true, `the other process kept the stream:\n${there.text()}`);
    } finally {
      there?.close();
      await other.app.close();
    }
  });

  test('a session that expires ends its stream within the re-check interval', async () => {
    const agent = await t.signIn('agent');
    const s = await openStream(agent.headers);
    assert.equal(await s.ended(400), false);
    t.clock.advance(t.config.sessionTtlMs + 1000);
    assert.equal(await s.ended(2000), true, 'an expired session kept its stream');
    // Every session of this test app expired with it; the tests after this one need an admin.
    admin = await t.signIn('admin');
  });
});

describe('issue 12 follow-up: incident changes ride the one stream, to staff only', () => {
  test('declaring an incident sends `incidents` (no id) to staff streams, never to a customer, nor to a token demoted to customer', async () => {
    const agent = await t.signIn('agent');
    const demoted = await t.signIn('agent');
    const customer = await t.signIn('customer');
    const staffStream = await openStream(agent.headers);
    const customerStream = await openStream(customer.headers);
    const byToken = await openStream(bearer(await tokenFor(demoted)));
    const declared = await t.as(agent).post('/api/v1/incidents', { title: 'stream: first', severity: 'P2' });
    assert.equal(declared.status, 201, declared.raw);
    await staffStream.until((s) => s.includes('event: incidents'), 'the incidents signal');
    await byToken.until((s) => s.includes('event: incidents'), 'the incidents signal while still an agent');
    // A signal carries no id: it must not move the EventSource's Last-Event-ID past ticket events.
    assert.doesNotMatch(staffStream.text(), /id: \d+\nevent: incidents/);

    assert.equal((await t.as(admin).patch(`/api/v1/users/${demoted.user.id}`, { role: 'customer' })).status, 200);
    const seenBefore = byToken.text().length;
    const staffSeen = staffStream.text().length;
    assert.equal((await t.as(agent).post('/api/v1/incidents', { title: 'stream: second', severity: 'P2' })).status, 201);
    await staffStream.until((s) => s.slice(staffSeen).includes('event: incidents'), 'the second incidents signal');
    // The customer's own stream is open and delivering: a ticket they asked for reaches it, the signals never do.
    const tk = await t.make.ticket(agent, { requesterId: customer.user.id, subject: 'incident stream' });
    await customerStream.until((s) => s.includes(tk.id), "the customer's own ticket event");
    assert.doesNotMatch(customerStream.text(), /event: incidents/, 'a customer got the incidents signal');
    assert.doesNotMatch(byToken.text().slice(seenBefore), /event: incidents/, 'a token demoted to customer kept getting incident signals');
    assert.equal(await byToken.ended(200), false, 'the demoted token stream carries on as a customer');
    for (const s of [staffStream, customerStream, byToken]) s.close();
  });

  test('there is no separate incidents stream (one connection per tab, one pool)', async () => {
    const agent = await t.signIn('agent');
    const res = await t.as(agent).get('/api/v1/incidents/stream');
    // Only GET /api/v1/incidents/:id is left to match it, and "stream" is no incident id.
    assert.equal(res.status, 400, res.raw);
    assert.equal(res.body.code, 'VALIDATION_FAILED');
  });
});

describe('item 7: fan-out', () => {
  test('a user has at most STREAM_MAX_PER_USER streams: opening one more closes their oldest', async () => {
    const agent = await t.signIn('agent');
    const bystander = await openStream((await t.signIn('agent')).headers);
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push(await openStream(agent.headers));
    const fourth = await openStream(agent.headers);
    assert.equal(fourth.status, 200);
    assert.equal(await mine[0]?.ended(), true, 'the oldest stream stayed open');
    assert.match(mine[0]?.text() ?? '', /retry: \d+\nevent: closed\ndata: \{"reason":"TOO_MANY_STREAMS"\}/);
    for (const s of [mine[1], mine[2], fourth, bystander]) assert.equal(await s?.ended(200), false);
    for (const s of [...mine, fourth, bystander]) s.close();
  });

  test('a process holds at most STREAM_MAX_PER_PROCESS streams: the next gets 503 with Retry-After', async () => {
    const capped = await buildApp(loadConfig({ DATA_DIR: t.config.dataDir, LOG_LEVEL: 'silent', STREAM_MAX_PER_PROCESS: '2' }), t.database, { clock: t.clock, logger: false });
    const open: Stream[] = [];
    try {
      const base = await capped.app.listen({ port: 0, host: '127.0.0.1' });
      open.push(await openStream((await t.signIn('agent')).headers, base));
      open.push(await openStream((await t.signIn('customer')).headers, base));
      const c = await openStream((await t.signIn('agent')).headers, base);
      open.push(c);
      assert.equal(c.status, 503);
      assert.equal(c.headers.get('retry-after'), '30');
      assert.equal((c.body as { code: string }).code, 'TOO_MANY_STREAMS');
    } finally {
      for (const s of open) s.close();
      await capped.app.close();
    }
  });

  test('one event is decided for many streams with one query, and each gets what it may see', async () => {
    // Count the stream's reads of events; the rest of the request path is not what this is about.
    const queries = t.services.queries as TicketQueries & Record<string, unknown>;
    const counted = ['visibleEvents', 'visibleEventsAfter', 'eventsWithFacts'].filter((m) => typeof queries[m] === 'function');
    const calls: string[] = [];
    const originals = counted.map((m) => [m, queries[m]] as const);
    for (const [m, fn] of originals) {
      queries[m] = function (this: unknown, ...args: unknown[]) {
        calls.push(m);
        return (fn as (...a: unknown[]) => unknown).apply(this, args);
      };
    }
    const streams: { s: Stream; staff: boolean }[] = [];
    try {
      const requester = await t.signIn('customer');
      for (let i = 0; i < 12; i++) {
        const who = await t.signIn(i % 3 === 0 ? 'customer' : 'agent');
        streams.push({ s: await openStream(who.headers), staff: i % 3 !== 0 });
      }
      streams.push({ s: await openStream(requester.headers), staff: false });
      const tk = await t.make.ticket(admin, { requesterId: requester.user.id, subject: 'fan-out' });
      await t.as(admin).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'internal', public: false });
      await t.as(admin).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'public marker', public: true });
      const last = streams.at(-1)?.s as Stream;
      await last.until((s) => (s.match(/"kind":"message_added"/g) ?? []).length >= 1);
      for (const { s, staff } of streams.filter((x) => x.staff)) {
        await s.until((x) => (x.match(/"kind":"message_added"/g) ?? []).length >= 2, 'both messages');
        assert.ok(staff);
      }
      for (const { s } of streams.slice(0, -1).filter((x) => !x.staff)) assert.equal(s.text().includes(tk.id), false, 'a customer heard of a ticket not theirs');
      assert.doesNotMatch(last.text(), /"public":false/);
      // Three commands (create, internal note, reply), a notice each: a read per notice for all 13 streams, not one
      // per stream (39 and more).
      assert.ok(calls.length <= 6, `${calls.length} reads for 3 events and ${streams.length} streams: ${calls.join(', ')}`);
    } finally {
      for (const [m, fn] of originals) queries[m] = fn;
      for (const { s } of streams) s.close();
    }
  });

  test('mayActorSee (memory) and visibleTo (SQL) agree for every role × ticket relation', async () => {
    const db = t.database.db;
    const shared = await t.make.organization({ sharedTickets: true });
    const closed = await t.make.organization({ sharedTickets: false });
    const people = {
      sharedA: await t.services.people.createUser({ email: 'sa@x.example', name: 'sa', role: 'customer', organizationId: shared.id }),
      sharedB: await t.services.people.createUser({ email: 'sb@x.example', name: 'sb', role: 'customer', organizationId: shared.id }),
      closedA: await t.services.people.createUser({ email: 'ca@x.example', name: 'ca', role: 'customer', organizationId: closed.id }),
      closedB: await t.services.people.createUser({ email: 'cb@x.example', name: 'cb', role: 'customer', organizationId: closed.id }),
      loner: await t.services.people.createUser({ email: 'lo@x.example', name: 'lo', role: 'customer', organizationId: null }),
      agent: await t.services.people.createUser({ email: 'ag@x.example', name: 'ag', role: 'agent' }),
      light: await t.services.people.createUser({ email: 'li@x.example', name: 'li', role: 'light_agent' }),
      admin: await t.services.people.createUser({ email: 'ad@x.example', name: 'ad', role: 'admin' }),
    };
    const mine = await t.make.group('Mine');
    const theirs = await t.make.group('Theirs');
    const actorOf = (u: (typeof people)[keyof typeof people], extra: Partial<Actor> & Record<string, unknown> = {}): Actor =>
      ({ userId: u.id, role: u.role, organizationId: u.organizationId, email: u.email, name: u.name, via: 'session', scopes: null, csrfToken: null, ...extra }) as Actor;
    const actors: Record<string, Actor> = {
      admin: actorOf(people.admin),
      agent: actorOf(people.agent),
      light: actorOf(people.light),
      // Group-restricted agents (issue 10, "agents who see only their groups' tickets"): fields the Actor may carry.
      restrictedAgent: actorOf(people.agent, { ticketAccess: 'groups', groupIds: [mine.id] }),
      restrictedLight: actorOf(people.light, { ticketAccess: 'groups', groupIds: [mine.id] }),
      restrictedAdmin: actorOf(people.admin, { ticketAccess: 'groups', groupIds: [] }),
      sharedA: actorOf(people.sharedA),
      sharedB: actorOf(people.sharedB),
      closedA: actorOf(people.closedA),
      closedB: actorOf(people.closedB),
      loner: actorOf(people.loner),
    };
    // Every relation a ticket can have to someone: asked for it, follows it, same organisation (sharing or not),
    // its group, a group it was escalated from, assigned to it, none.
    const relations: Record<string, { requester: string; org: string | null; group?: string | null; escalatedFrom?: string[]; assignee?: string | null; followers?: string[] }> = {
      sharedOwn: { requester: people.sharedA.id, org: shared.id },
      closedOwn: { requester: people.closedA.id, org: closed.id },
      lonerOwn: { requester: people.loner.id, org: null },
      followedByLoner: { requester: people.sharedA.id, org: shared.id, followers: [people.loner.id] },
      followedByClosedB: { requester: people.closedA.id, org: closed.id, followers: [people.closedB.id] },
      otherOrgOfShared: { requester: people.loner.id, org: shared.id },
      inMyGroup: { requester: people.loner.id, org: null, group: mine.id },
      inTheirGroup: { requester: people.loner.id, org: null, group: theirs.id },
      escalatedFromMine: { requester: people.loner.id, org: null, group: theirs.id, escalatedFrom: [mine.id] },
      assignedToAgent: { requester: people.loner.id, org: null, group: theirs.id, assignee: people.agent.id },
      assignedToLight: { requester: people.closedA.id, org: closed.id, group: null, assignee: people.light.id },
      followedByAgent: { requester: people.loner.id, org: null, group: theirs.id, followers: [people.agent.id, people.light.id] },
      noGroupNoOne: { requester: people.closedB.id, org: closed.id, group: null },
    };
    const ticketIds: Record<string, string> = {};
    for (const [name, r] of Object.entries(relations)) {
      const created = await t.make.ticket(admin, { requesterId: r.requester, subject: `relation ${name}` });
      await db
        .update(tickets)
        .set({ organizationId: r.org, groupId: r.group ?? null, assigneeId: r.assignee ?? null, escalatedFromGroupIds: r.escalatedFrom ?? [] })
        .where(eq(tickets.id, created.id));
      await db.execute(sql`delete from ticket_followers where ticket_id = ${created.id}`);
      for (const f of r.followers ?? []) await db.execute(sql`insert into ticket_followers (ticket_id, user_id) values (${created.id}, ${f})`);
      ticketIds[name] = created.id;
    }
    // The facts come from the stream's own query, through each ticket's first event.
    const firstEvents = rowsOf<{ id: number; ticket_id: string }>(
      await db.execute(sql`select min(id)::int as id, ticket_id from ticket_events where ticket_id = any(${sql.param(Object.values(ticketIds))}::uuid[]) group by ticket_id`),
    );
    const withFacts = await t.services.queries.eventsWithFacts(firstEvents.map((e) => e.id));
    const factsOf = new Map(withFacts.map((w) => [w.event.ticketId, w.facts]));
    const disagreements: string[] = [];
    let seen = 0;
    for (const [who, actor] of Object.entries(actors)) {
      for (const [relation, id] of Object.entries(ticketIds)) {
        const bySql = (await db.select({ id: tickets.id }).from(tickets).where(and(eq(tickets.id, id), visibleTo(actor)))).length === 1;
        const facts = factsOf.get(id);
        assert.ok(facts, `no facts for ${relation}`);
        const inMemory = mayActorSee(actor, facts);
        if (bySql) seen++;
        if (bySql !== inMemory) disagreements.push(`${who} × ${relation}: visibleTo ${bySql}, mayActorSee ${inMemory}`);
      }
    }
    assert.deepEqual(disagreements, []);
    // Not vacuous: some pairs see, some do not.
    assert.ok(seen > 0 && seen < Object.keys(actors).length * Object.keys(ticketIds).length);
  });
});
