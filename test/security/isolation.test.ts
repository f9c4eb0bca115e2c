import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../src/testing/harness.js';

/**
 * Issue 10, ticket isolation: agents who see only their groups' tickets (on every read path, and every write),
 * customers who may add only their own organisation as followers (item 14), light agents who may not set on create
 * what they may not set by PATCH (item 15), and customers who learn nothing internal (item 16).
 */

const form = { impact: 'Every health worker of the block', tried: 'Reinstalled the app', needed: 'Program team to reset the server', urgency: 'high' };

/** Reads a live stream until `done` holds on what arrived (or a few seconds pass), then closes it. */
async function readStream(url: string, cookie: string, done: (text: string) => boolean): Promise<string> {
  const ctrl = new AbortController();
  const res = await fetch(url, { headers: { cookie }, signal: ctrl.signal });
  assert.equal(res.status, 200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + 5000;
  // One read outstanding at a time: a read that lost the race to the timer still delivers its chunk later.
  const read = () => {
    const r = reader.read();
    r.catch(() => {}); // the abort below rejects the last one
    return r;
  };
  let pending = read();
  while (!done(text) && Date.now() < deadline) {
    const chunk = await Promise.race([pending, new Promise<null>((r) => setTimeout(() => r(null), 200))]);
    if (!chunk) continue;
    if (chunk.done) break;
    text += decoder.decode(chunk.value);
    pending = read();
  }
  ctrl.abort();
  return text;
}

describe('agents who see only their groups’ tickets', () => {
  let t: TestApp;
  let admin: Session;
  let blockAgent: Session; // restricted, member of Block
  let lightBlock: Session; // restricted light agent, member of Block
  let programAgent: Session; // sees all, member of Program
  let customer: Session;
  let program = '';
  let block = '';
  let other = '';
  const tk: Record<'inGroup' | 'outside' | 'assigned' | 'followed' | 'escalated' | 'outside2', any> = {} as never;
  let outsideAttachment = '';
  let outsideMessage = '';

  const restrict = async (who: Session) => {
    const res = await t.as(admin).patch(`/api/v1/users/${who.user.id}`, { ticketAccess: 'groups' });
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.body.ticketAccess, 'groups');
  };

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    blockAgent = await t.signIn('agent');
    lightBlock = await t.signIn('light_agent');
    programAgent = await t.signIn('agent');
    customer = await t.signIn('customer');
    // Every ticket gets an SLA clock, so the clocks route has something to leak.
    const office = (await t.as(admin).get('/api/v1/calendars')).body.items[0].id;
    const every = { first_response: 480 };
    const policy = await t.as(admin).post('/api/v1/sla-policies', { name: 'All', calendarId: office, targets: { P1: every, P2: every, P3: every, P4: every } });
    assert.equal(policy.status, 201, policy.raw);
    program = (await t.make.group('Program team', [programAgent, admin])).id;
    block = (await t.make.group('Block Nanded', [blockAgent, lightBlock], program)).id;
    other = (await t.make.group('Block Latur', [programAgent], program)).id;
    const mk = (subject: string, extra: Record<string, unknown>) => t.make.ticket(programAgent, { subject, requesterId: customer.user.id, ...extra });
    tk.inGroup = await mk('Nanded: forms do not sync', { groupId: block });
    tk.outside = await mk('Latur: tablets lost', { groupId: other });
    tk.outside2 = await mk('Latur: second ticket', { groupId: other });
    tk.assigned = await mk('No group, assigned to the block agent', { assigneeId: blockAgent.user.id });
    tk.followed = await mk('Program ticket the block agent follows', { groupId: program, followerIds: [blockAgent.user.id] });
    tk.escalated = await mk('Nanded: server down, escalated', { groupId: block });
    // Content on the outside ticket: an internal note with a file, for the messages and attachment paths.
    const file = await t.request('POST', '/api/v1/attachments?filename=latur.txt', Buffer.from('district data'), { ...programAgent.headers, 'content-type': 'text/plain' });
    assert.equal(file.status, 201, file.raw);
    outsideAttachment = file.body.id;
    const note = await t.as(programAgent).post(`/api/v1/tickets/${tk.outside.id}/messages`, { body: 'Latur internal', public: false, attachmentIds: [outsideAttachment] });
    assert.equal(note.status, 201, note.raw);
    outsideMessage = note.body.messageId;
    await restrict(blockAgent);
    await restrict(lightBlock);
    // The block escalates its ticket to the program team: it leaves the block's group but not the block's view.
    const up = await t.as(blockAgent).post(`/api/v1/tickets/${tk.escalated.id}/escalate`, form);
    assert.equal(up.status, 200, up.raw);
    assert.equal(up.body.groupId, program);
  });
  after(() => t.close());

  const ids = (res: { body: any }) => (res.body.items as { id: string }[]).map((i) => i.id);

  test('an out-of-scope ticket is 404 on every ticket route, for reads and writes alike', async () => {
    const id = tk.outside.id;
    type Call = (s: Session) => ReturnType<ReturnType<TestApp['as']>['get']>;
    // [route, call, whether an unrestricted agent gets a non-404 from it (reads of an API-made ticket)]
    const routes: [string, Call, boolean][] = [
      ['GET ticket', (s) => t.as(s).get(`/api/v1/tickets/${id}`), true],
      ['GET ticket by number', (s) => t.as(s).get(`/api/v1/tickets/${tk.outside.number}`), true],
      ['GET messages', (s) => t.as(s).get(`/api/v1/tickets/${id}/messages`), true],
      ['GET events', (s) => t.as(s).get(`/api/v1/tickets/${id}/events`), true],
      ['GET sla', (s) => t.as(s).get(`/api/v1/tickets/${id}/sla`), true],
      ['GET presence', (s) => t.as(s).get(`/api/v1/tickets/${id}/presence`), true],
      ['POST presence', (s) => t.as(s).post(`/api/v1/tickets/${id}/presence`, { typing: true }), true],
      ['GET attachment', (s) => t.as(s).get(`/api/v1/attachments/${outsideAttachment}`), true],
      ['GET raw message', (s) => t.as(s).get(`/api/v1/tickets/${id}/messages/${outsideMessage}/raw`), false],
      ['POST note', (s) => t.as(s).post(`/api/v1/tickets/${id}/messages`, { body: 'peek', public: false }), false],
      ['PATCH', (s) => t.as(s).patch(`/api/v1/tickets/${id}`, { priority: 'P1' }), false],
      ['escalate', (s) => t.as(s).post(`/api/v1/tickets/${id}/escalate`, form), false],
      ['merge as source', (s) => t.as(s).post(`/api/v1/tickets/${id}/merge`, { targetId: tk.inGroup.id }), false],
      ['merge as target', (s) => t.as(s).post(`/api/v1/tickets/${tk.inGroup.id}/merge`, { targetId: id }), false],
      ['link from', (s) => t.as(s).post(`/api/v1/tickets/${id}/links`, { kind: 'external', url: 'https://example.org/x' }), false],
      ['unlink', (s) => t.as(s).delete(`/api/v1/tickets/${id}/links/00000000-0000-4000-8000-000000000000`), false],
    ];
    const before = (await t.as(admin).get(`/api/v1/tickets/${id}`)).body;
    for (const [name, call, readable] of routes) {
      for (const who of [blockAgent, lightBlock]) {
        const res = await call(who);
        if (who === lightBlock && res.status === 403 && res.body.code === 'FORBIDDEN') continue; // an agents-only route
        assert.equal(res.status, 404, `${name} as ${who.user.role}: ${res.status} ${res.raw}`);
        assert.match(res.body.code, /^(TICKET|ATTACHMENT)_NOT_FOUND$/, name);
      }
      // The same read answers an agent who sees everything: the 404 is the scope, not the route.
      if (readable) assert.equal((await call(programAgent)).status, 200, `${name} for an unrestricted agent`);
    }
    // Nothing changed: the outside ticket was not merged, linked, escalated or re-prioritised.
    const after = (await t.as(admin).get(`/api/v1/tickets/${id}`)).body;
    assert.equal(after.version, before.version);
    assert.equal(after.groupId, other);
    assert.equal(after.statusCategory, before.statusCategory);
    assert.equal((await t.as(admin).get(`/api/v1/tickets/${tk.inGroup.id}`)).body.statusCategory, 'new');
    // A link to an outside ticket is refused like a link to a ticket that does not exist.
    const link = await t.as(blockAgent).post(`/api/v1/tickets/${tk.inGroup.id}/links`, { kind: 'related', targetTicketId: tk.outside2.id });
    const nowhere = await t.as(blockAgent).post(`/api/v1/tickets/${tk.inGroup.id}/links`, { kind: 'related', targetTicketId: '00000000-0000-4000-8000-000000000000' });
    assert.equal(link.status, nowhere.status);
    assert.equal(link.body.code, nowhere.body.code);
  });

  test('lists, search, views, counts and SLA clocks hold only the tickets in scope', async () => {
    const visible = [tk.inGroup.id, tk.assigned.id, tk.followed.id, tk.escalated.id].sort();
    const unseen = [tk.outside.id, tk.outside2.id];
    const list = await t.as(blockAgent).get('/api/v1/tickets?limit=100');
    assert.equal(list.status, 200);
    assert.deepEqual(ids(list).sort(), visible);
    const search = await t.as(blockAgent).get(`/api/v1/search?q=${encodeURIComponent('Latur')}`);
    assert.deepEqual(ids(search), []);
    const byGroup = await t.as(blockAgent).get(`/api/v1/tickets?group=${other}`);
    assert.deepEqual(ids(byGroup), []);
    const all = await t.as(blockAgent).get('/api/v1/views/all/tickets?limit=100');
    assert.equal(all.status, 200, all.raw);
    assert.deepEqual(ids(all).sort(), visible);
    const counts = await t.as(blockAgent).get('/api/v1/views/counts');
    assert.equal(counts.body.counts.all, visible.length);
    assert.equal((await t.as(programAgent).get('/api/v1/views/counts')).body.counts.all, 6);
    const clocksOf = async (who: Session) =>
      new Set(((await t.as(who).get(`/api/v1/sla/clocks?ticketIds=${[...unseen, tk.inGroup.id].join(',')}`)).body.items as any[]).map((c) => c.ticketId));
    assert.deepEqual([...(await clocksOf(blockAgent))], [tk.inGroup.id]);
    assert.equal((await clocksOf(programAgent)).size, 3);
    // An unrestricted agent and an admin still see everything.
    assert.equal(ids(await t.as(programAgent).get('/api/v1/tickets?limit=100')).length, 6);
    assert.equal(ids(await t.as(admin).get('/api/v1/tickets?limit=100')).length, 6);
  });

  test('in-scope, assigned and followed tickets are fully visible and changeable', async () => {
    for (const ticket of [tk.inGroup, tk.assigned, tk.followed]) {
      assert.equal((await t.as(blockAgent).get(`/api/v1/tickets/${ticket.id}`)).status, 200);
      assert.equal((await t.as(blockAgent).get(`/api/v1/tickets/${ticket.id}/messages`)).status, 200);
      assert.equal((await t.as(blockAgent).get(`/api/v1/tickets/${ticket.id}/events`)).status, 200);
      const note = await t.as(blockAgent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'on it', public: false });
      assert.equal(note.status, 201, note.raw);
    }
    const bulk = await t.as(blockAgent).post('/api/v1/tickets/bulk', { ids: [tk.inGroup.id, tk.outside.id], changes: { addTags: ['triaged'] } });
    assert.equal(bulk.status, 200);
    const byId = Object.fromEntries((bulk.body.items as any[]).map((r) => [r.id, r]));
    assert.equal(byId[tk.inGroup.id].ok, true);
    assert.equal(byId[tk.outside.id].ok, false);
    assert.equal(byId[tk.outside.id].code, 'TICKET_NOT_FOUND');
    assert.ok(!(await t.as(admin).get(`/api/v1/tickets/${tk.outside.id}`)).body.tags.includes('triaged'));
  });

  test('the tier that escalated keeps reading the ticket, read-only by default', async () => {
    const read = await t.as(blockAgent).get(`/api/v1/tickets/${tk.escalated.id}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.groupId, program);
    assert.equal((await t.as(blockAgent).get(`/api/v1/tickets/${tk.escalated.id}/messages`)).status, 200);
    const change = await t.as(blockAgent).patch(`/api/v1/tickets/${tk.escalated.id}`, { priority: 'P1' });
    assert.equal(change.status, 403, change.raw);
    assert.equal(change.body.code, 'TICKET_READ_ONLY');
    const note = await t.as(blockAgent).post(`/api/v1/tickets/${tk.escalated.id}/messages`, { body: 'any news?', public: false });
    assert.equal(note.status, 403);
    // Reassigning to another group (not escalating) hands the ticket over: it leaves the agent's view.
    const mine = await t.make.ticket(programAgent, { subject: 'Handed over', requesterId: customer.user.id, groupId: block });
    assert.equal((await t.as(blockAgent).patch(`/api/v1/tickets/${mine.id}`, { groupId: other })).status, 200);
    assert.equal((await t.as(blockAgent).get(`/api/v1/tickets/${mine.id}`)).status, 404);
  });

  test('group membership changes apply at once (the cached actor is invalidated)', async () => {
    assert.equal((await t.as(blockAgent).get(`/api/v1/tickets/${tk.outside.id}`)).status, 404);
    const joined = await t.as(admin).patch(`/api/v1/groups/${other}`, { memberIds: [programAgent.user.id, blockAgent.user.id] });
    assert.equal(joined.status, 200, joined.raw);
    assert.equal((await t.as(blockAgent).get(`/api/v1/tickets/${tk.outside.id}`)).status, 200);
    await t.as(admin).patch(`/api/v1/groups/${other}`, { memberIds: [programAgent.user.id] });
    assert.equal((await t.as(blockAgent).get(`/api/v1/tickets/${tk.outside.id}`)).status, 404);
    // And back to "all tickets": everything again.
    await t.as(admin).patch(`/api/v1/users/${lightBlock.user.id}`, { ticketAccess: 'all' });
    assert.equal((await t.as(lightBlock).get(`/api/v1/tickets/${tk.outside.id}`)).status, 200);
    await restrict(lightBlock);
    assert.equal((await t.as(lightBlock).get(`/api/v1/tickets/${tk.outside.id}`)).status, 404);
  });

  test('the live stream, catching up and live, carries only events of tickets in scope', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const marker = await t.make.ticket(programAgent, { subject: 'Catch-up marker', requesterId: customer.user.id, groupId: block });
    const caughtUp = await readStream(`${address}/api/v1/stream?after=0`, blockAgent.headers.cookie as string, (s) => s.includes(marker.id));
    assert.ok(caughtUp.includes(marker.id), caughtUp);
    assert.ok(caughtUp.includes(tk.inGroup.id));
    for (const id of [tk.outside.id, tk.outside2.id]) assert.equal(caughtUp.includes(id), false, 'an outside ticket in the catch-up');

    const live = readStream(`${address}/api/v1/stream`, blockAgent.headers.cookie as string, (s) => s.includes('"live-marker"') || s.includes('live marker'));
    await new Promise((r) => setTimeout(r, 300));
    await t.as(programAgent).post(`/api/v1/tickets/${tk.outside.id}/messages`, { body: 'outside, live', public: false });
    const liveMarker = await t.make.ticket(programAgent, { subject: 'live marker', requesterId: customer.user.id, groupId: block });
    const text = await live;
    assert.ok(text.includes(liveMarker.id), text);
    assert.equal(text.includes(tk.outside.id), false, 'an outside ticket event streamed live');
  });
});

describe('an escalated ticket stays changeable for its tier when ESCALATED_TICKETS=write', () => {
  test('the block may still add notes after escalating', async () => {
    const t = await startTestApp({ ESCALATED_TICKETS: 'write' });
    try {
      const admin = await t.signIn('admin');
      const agent = await t.signIn('agent');
      const program = (await t.make.group('Program', [admin])).id;
      const block = (await t.make.group('Block', [agent], program)).id;
      await t.as(admin).patch(`/api/v1/users/${agent.user.id}`, { ticketAccess: 'groups' });
      const ticket = await t.make.ticket(admin, { groupId: block });
      assert.equal((await t.as(agent).post(`/api/v1/tickets/${ticket.id}/escalate`, form)).status, 200);
      const note = await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Called the district again', public: false });
      assert.equal(note.status, 201, note.raw);
    } finally {
      await t.close();
    }
  });
});

describe('item 14: customers add as followers only people of their own organisation', () => {
  let t: TestApp;
  let agent: Session;
  let ann: Session;
  let colleague: Session;
  let outsider: Session;
  let org = '';

  before(async () => {
    t = await startTestApp();
    agent = await t.signIn('agent', { email: 'agent.smith@example.org' });
    org = (await t.make.organization({ name: 'Acme', domains: ['acme.example'] })).id;
    const otherOrg = (await t.make.organization({ name: 'Globex', domains: ['globex.example'] })).id;
    ann = await t.signIn('customer', { email: 'ann@acme.example', organizationId: org });
    colleague = await t.signIn('customer', { email: 'bob@acme.example', organizationId: org });
    outsider = await t.signIn('customer', { email: 'eve@globex.example', organizationId: otherOrg });
  });
  after(() => t.close());

  test('the API refuses a Cc of staff or of another organisation, naming them, and creates nothing', async () => {
    const before = await t.count('tickets');
    const users = await t.count('users');
    for (const cc of [[agent.user.email], [outsider.user.email], ['stranger@nowhere.example'], [colleague.user.email, outsider.user.email]]) {
      const res = await t.as(ann).post('/api/v1/tickets', { subject: 'Invoice', description: 'Wrong total', cc });
      assert.equal(res.status, 422, `${cc}: ${res.raw}`);
      assert.equal(res.body.code, 'FOLLOWERS_NOT_ALLOWED');
      assert.ok(res.body.detail.includes(cc[cc.length - 1] as string), res.body.detail);
    }
    assert.equal(await t.count('tickets'), before);
    assert.equal(await t.count('users'), users, 'no user was made for a refused address');
    // The Cc'd outsider cannot read a ticket they were never added to.
    const ok = await t.as(ann).post('/api/v1/tickets', { subject: 'Invoice', description: 'Wrong total', cc: [colleague.user.email] });
    assert.equal(ok.status, 201, ok.raw);
    // Followers are the desk's field: the agent sees them, the customer's own answer does not carry them.
    assert.deepEqual((await t.as(agent).get(`/api/v1/tickets/${ok.body.id}`)).body.followerIds, [colleague.user.id]);
    assert.equal((await t.as(colleague).get(`/api/v1/tickets/${ok.body.id}`)).status, 200);
    assert.equal((await t.as(outsider).get(`/api/v1/tickets/${ok.body.id}`)).status, 404);
  });

  test('by mail, Cc’d people outside the organisation are left out silently; the ticket is still made', async () => {
    const smtp = await t.smtp();
    await smtp.send({ from: 'ann@acme.example', to: 'support@localhost', cc: ['bob@acme.example', 'eve@globex.example', 'agent.smith@example.org', 'attacker@evil.example'], subject: 'Cc test by mail', text: 'Hello' });
    await t.runJobs();
    const ticket = ((await t.as(agent).get('/api/v1/tickets?limit=100')).body.items as any[]).find((x) => x.subject === 'Cc test by mail');
    assert.ok(ticket, 'the mail became a ticket');
    const detail = (await t.as(agent).get(`/api/v1/tickets/${ticket.id}`)).body;
    assert.deepEqual(detail.followerIds, [colleague.user.id]);
    assert.equal((await t.as(outsider).get(`/api/v1/tickets/${ticket.id}`)).status, 404);
    // A reply by mail that Cc's an outsider does not add them either.
    await smtp.send({ from: 'ann@acme.example', to: 'support@localhost', cc: ['eve@globex.example'], subject: `Re: Cc test by mail [#${ticket.number}]`, text: 'Adding Eve' });
    await t.runJobs();
    assert.deepEqual((await t.as(agent).get(`/api/v1/tickets/${ticket.id}`)).body.followerIds, [colleague.user.id]);
    assert.equal((await t.as(outsider).get(`/api/v1/tickets/${ticket.id}`)).status, 404);
  });

  test('with CUSTOMER_FOLLOWERS=none a customer adds nobody, not even a colleague', async () => {
    const t2 = await startTestApp({ CUSTOMER_FOLLOWERS: 'none' });
    try {
      const o = (await t2.make.organization({ name: 'Acme' })).id;
      const a = await t2.signIn('customer', { organizationId: o });
      const b = await t2.signIn('customer', { organizationId: o });
      const res = await t2.as(a).post('/api/v1/tickets', { subject: 's', description: 'd', cc: [b.user.email] });
      assert.equal(res.status, 422);
      assert.equal(res.body.code, 'FOLLOWERS_NOT_ALLOWED');
    } finally {
      await t2.close();
    }
  });
});

describe('item 15: light agents set on create only what they could set by PATCH', () => {
  let t: TestApp;
  let light: Session;
  let agent: Session;
  let customer: Session;

  before(async () => {
    t = await startTestApp();
    light = await t.signIn('light_agent');
    agent = await t.signIn('agent');
    customer = await t.signIn('customer');
  });
  after(() => t.close());

  test('state, priority, assignee, group, type and due date are refused; the ticket is not made', async () => {
    const group = (await t.make.group('L1', [agent])).id;
    assert.equal((await t.as(light).patch('/api/v1/tickets/1001', { status: 'solved' })).status, 403, 'PATCH is agents-only');
    const before = await t.count('tickets');
    const cases: Record<string, unknown>[] = [
      { status: 'solved' },
      { status: 'pending' },
      { priority: 'P1' },
      { assigneeId: agent.user.id },
      { groupId: group },
      { dueAt: '2026-04-01T00:00:00Z' },
    ];
    for (const extra of cases) {
      const res = await t.as(light).post('/api/v1/tickets', { subject: 'On behalf', description: 'Phoned in', requesterId: customer.user.id, ...extra });
      assert.equal(res.status, 403, `${JSON.stringify(extra)}: ${res.raw}`);
      assert.equal(res.body.code, 'FORBIDDEN');
      assert.match(res.body.detail, new RegExp(Object.keys(extra)[0] as string));
    }
    assert.equal(await t.count('tickets'), before);
    // What a light agent may do: open a ticket for someone, with the defaults (nulls as the form sends them).
    const ok = await t.as(light).post('/api/v1/tickets', { subject: 'On behalf', description: 'Phoned in', requesterId: customer.user.id, groupId: null, assigneeId: null, type: null });
    assert.equal(ok.status, 201, ok.raw);
    assert.equal(ok.body.statusCategory, 'new');
    // Agents keep setting them.
    assert.equal((await t.as(agent).post('/api/v1/tickets', { subject: 's', description: 'd', status: 'open', priority: 'P1', assigneeId: agent.user.id })).status, 201);
  });
});

describe('item 16: customers learn nothing internal, and filters do not tell who exists', () => {
  let t: TestApp;
  let agent: Session;
  let customer: Session;
  let org = '';

  before(async () => {
    t = await startTestApp();
    agent = await t.signIn('agent', { email: 'known.agent@example.org' });
    org = (await t.make.organization({ name: 'Acme', notes: 'Late payer; churn risk', domains: ['acme.example'], customFields: {} })).id;
    customer = await t.signIn('customer', { organizationId: org });
    await t.make.group('Secret escalations', [agent]);
    await t.make.organization({ name: 'Globex' });
    await t.make.ticket(customer, { subject: 'Mine' });
  });
  after(() => t.close());

  test("a customer's own organisation comes without its internal notes, domains or fields", async () => {
    const res = await t.as(customer).get(`/api/v1/organizations/${org}`);
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.body.name, 'Acme');
    assert.equal(res.body.notes, undefined);
    assert.equal(res.body.domains, undefined);
    assert.equal(res.body.customFields, undefined);
    assert.doesNotMatch(res.raw, /churn/);
    // Staff still see the notes.
    assert.equal((await t.as(agent).get(`/api/v1/organizations/${org}`)).body.notes, 'Late payer; churn risk');
  });

  test('an unknown requester, assignee, group or organisation answers like an empty result', async () => {
    const pairs: [string, string][] = [
      [`requester=${encodeURIComponent('known.agent@example.org')}`, `requester=${encodeURIComponent('nobody@example.org')}`],
      [`assignee=${encodeURIComponent('known.agent@example.org')}`, `assignee=${encodeURIComponent('nobody@example.org')}`],
      ['group=Secret%20escalations', 'group=No%20such%20group'],
      ['org=Globex', 'org=No%20such%20org'],
      [`q=${encodeURIComponent('requester:known.agent@example.org')}`, `q=${encodeURIComponent('requester:nobody@example.org')}`],
      [`q=${encodeURIComponent('group:"Secret escalations"')}`, `q=${encodeURIComponent('group:Nope')}`],
    ];
    for (const [known, unknown] of pairs) {
      const a = await t.as(customer).get(`/api/v1/tickets?${known}`);
      const b = await t.as(customer).get(`/api/v1/tickets?${unknown}`);
      assert.equal(a.status, 200, `${known}: ${a.raw}`);
      assert.equal(b.status, 200, `${unknown}: ${b.raw}`);
      assert.deepEqual(a.body.items, []);
      assert.deepEqual(b.body, a.body, `${known} vs ${unknown}`);
    }
  });
});
