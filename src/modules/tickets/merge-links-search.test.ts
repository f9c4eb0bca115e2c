import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

let t: TestApp;
let agent: Session;
let customer: Session;

before(async () => {
  t = await startTestApp();
  agent = await t.signIn('agent');
  customer = await t.signIn('customer');
});
after(() => t.close());

describe('merging duplicates', () => {
  test('the source becomes merged, its conversation shows on the target, its requester follows the target', async () => {
    const other = await t.signIn('customer');
    const target = await t.make.ticket(customer, { subject: 'Sync broken' });
    const source = await t.make.ticket(other, { subject: 'Sync also broken for me', description: 'Same problem here, unique-word-zebra' });
    const res = await t.as(agent).post(`/api/v1/tickets/${source.id}/merge`, { targetId: target.id });
    assert.equal(res.status, 200);
    assert.equal(res.body.id, target.id);
    assert.ok(res.body.followerIds.includes(other.user.id));
    const src = await t.as(agent).get(`/api/v1/tickets/${source.id}`);
    assert.equal(src.body.status, 'merged');
    assert.equal(src.body.mergedIntoId, target.id);
    const msgs = await t.as(agent).get(`/api/v1/tickets/${target.id}/messages`);
    assert.ok(msgs.body.items.some((m: { bodyText: string }) => m.bodyText.includes('unique-word-zebra')));
    assert.ok(msgs.body.items.some((m: { public: boolean; bodyText: string }) => !m.public && m.bodyText.includes(`#${source.number}`)));
    const srcEvents = (await t.as(agent).get(`/api/v1/tickets/${source.id}/events`)).body.items.map((e: { kind: string }) => e.kind);
    const tgtEvents = (await t.as(agent).get(`/api/v1/tickets/${target.id}/events`)).body.items.map((e: { kind: string }) => e.kind);
    assert.ok(srcEvents.includes('merged_into'));
    assert.ok(tgtEvents.includes('merged_from'));
    // The source's requester, now a follower, sees the target; a search finds the target by the source's words.
    assert.equal((await t.as(other).get(`/api/v1/tickets/${target.id}`)).status, 200);
    const found = await t.as(agent).get('/api/v1/search?q=unique-word-zebra');
    assert.deepEqual(found.body.items.map((i: { id: string }) => i.id), [target.id]);
  });

  test('a merged ticket cannot be changed, replied to or merged again', async () => {
    const a = await t.make.ticket(customer);
    const b = await t.make.ticket(customer);
    const c = await t.make.ticket(customer);
    await t.as(agent).post(`/api/v1/tickets/${a.id}/merge`, { targetId: b.id });
    assert.equal((await t.as(agent).patch(`/api/v1/tickets/${a.id}`, { priority: 'P1' })).status, 422);
    assert.equal((await t.as(agent).post(`/api/v1/tickets/${a.id}/messages`, { body: 'x' })).status, 422);
    const again = await t.as(agent).post(`/api/v1/tickets/${a.id}/merge`, { targetId: c.id });
    assert.equal(again.status, 422);
    assert.equal(again.body.code, 'CANNOT_MERGE');
    const self = await t.as(agent).post(`/api/v1/tickets/${c.id}/merge`, { targetId: c.id });
    assert.equal(self.status, 422);
    const missing = await t.as(agent).post(`/api/v1/tickets/${c.id}/merge`, { targetId: '00000000-0000-4000-8000-000000000000' });
    assert.equal(missing.status, 404);
    assert.equal((await t.as(customer).post(`/api/v1/tickets/${c.id}/merge`, { targetId: b.id })).status, 403);
  });

  test('merged tickets leave the default lists', async () => {
    const a = await t.make.ticket(customer, { subject: 'list-check-merge' });
    const b = await t.make.ticket(customer, { subject: 'list-check-merge' });
    await t.as(agent).post(`/api/v1/tickets/${a.id}/merge`, { targetId: b.id });
    const list = await t.as(agent).get('/api/v1/search?q=list-check-merge');
    assert.deepEqual(list.body.items.map((i: { id: string }) => i.id), [b.id]);
    const withMerged = await t.as(agent).get('/api/v1/search?q=list-check-merge status:merged');
    assert.deepEqual(withMerged.body.items.map((i: { id: string }) => i.id), [a.id]);
  });
});

describe('links', () => {
  test('a ticket links to another ticket and to an external GitHub issue; removing records it', async () => {
    const a = await t.make.ticket(customer);
    const b = await t.make.ticket(customer);
    const rel = await t.as(agent).post(`/api/v1/tickets/${a.id}/links`, { kind: 'caused_by', targetTicketId: b.id });
    assert.equal(rel.status, 201);
    const ext = await t.as(agent).post(`/api/v1/tickets/${a.id}/links`, { kind: 'external', url: 'https://github.com/acme/app/issues/42', title: 'Sync fails on 2.53' });
    assert.equal(ext.status, 201);
    const detail = await t.as(agent).get(`/api/v1/tickets/${a.id}`);
    assert.equal(detail.body.links.length, 2);
    assert.equal(detail.body.links[0].targetNumber, b.number);
    assert.equal((await t.as(agent).delete(`/api/v1/tickets/${a.id}/links/${ext.body.id}`)).status, 204);
    const kinds = (await t.as(agent).get(`/api/v1/tickets/${a.id}/events`)).body.items.map((e: { kind: string }) => e.kind);
    assert.deepEqual(kinds.slice(-3), ['link_added', 'link_added', 'link_removed']);
  });

  test('bad links are refused: no url, javascript: url, unknown ticket, self link', async () => {
    const a = await t.make.ticket(customer);
    const before = await t.count('ticket_links');
    assert.equal((await t.as(agent).post(`/api/v1/tickets/${a.id}/links`, { kind: 'external' })).status, 400);
    assert.equal((await t.as(agent).post(`/api/v1/tickets/${a.id}/links`, { kind: 'external', url: 'javascript:alert(1)' })).status, 400);
    assert.equal((await t.as(agent).post(`/api/v1/tickets/${a.id}/links`, { kind: 'related', targetTicketId: '00000000-0000-4000-8000-000000000000' })).status, 422);
    assert.equal((await t.as(agent).post(`/api/v1/tickets/${a.id}/links`, { kind: 'related', targetTicketId: a.id })).status, 422);
    assert.equal(await t.count('ticket_links'), before);
  });
});

describe('search and lists', () => {
  test('the query language combines filters and full text', async () => {
    const l2 = await t.make.group('Search-L2', [agent]);
    const org = await t.make.organization({ name: 'Searchco' });
    const req = await t.signIn('customer', { organizationId: org.id });
    const hit = await t.make.ticket(agent, { subject: 'Phones cannot sync', description: 'Sync fails for all FLWs', requesterId: req.user.id, groupId: l2.id, assigneeId: agent.user.id, priority: 'P1', tags: ['sync'], status: 'open' });
    await t.make.ticket(agent, { subject: 'Phones cannot sync', description: 'same words, other priority', requesterId: req.user.id, groupId: l2.id, priority: 'P3', tags: ['sync'], status: 'open' });
    await t.make.ticket(agent, { subject: 'Password reset', description: 'nothing to do with it', requesterId: req.user.id, groupId: l2.id, priority: 'P1', status: 'open' });
    const res = await t.as(agent).get(`/api/v1/search?q=${encodeURIComponent('status:open priority:P1 assignee:me group:Search-L2 tag:sync org:searchco "cannot sync"')}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.items.map((i: { id: string }) => i.id), [hit.id]);
    const stem = await t.as(agent).get(`/api/v1/search?q=${encodeURIComponent('syncing org:Searchco')}`);
    assert.equal(stem.body.items.length, 2);
    const byRequester = await t.as(agent).get(`/api/v1/search?q=${encodeURIComponent(req.user.email)}`);
    assert.equal(byRequester.body.items.length, 3);
  });

  test('org: finds an organisation by a word of its name or its domain, as people type it (org:acme → "Acme Health")', async () => {
    const acme = await t.make.organization({ name: 'Acme Health', domains: ['acmehealth.example'] });
    const other = await t.make.organization({ name: 'Northwind Labs' });
    const fromAcme = await t.signIn('customer', { organizationId: acme.id });
    const fromOther = await t.signIn('customer', { organizationId: other.id });
    const mine = await t.make.ticket(agent, { subject: 'Acme cannot print', description: 'x', requesterId: fromAcme.user.id });
    await t.make.ticket(agent, { subject: 'Northwind cannot print', description: 'x', requesterId: fromOther.user.id });
    const ids = async (q: string) => ((await t.as(agent).get(`/api/v1/search?q=${encodeURIComponent(q)}`)).body.items as { id: string }[]).map((i) => i.id);
    assert.deepEqual(await ids('org:acme'), [mine.id]);
    assert.deepEqual(await ids('org:health'), [mine.id], 'a later word of the name');
    assert.deepEqual(await ids('org:acmehealth.example'), [mine.id], 'a domain');
    assert.deepEqual(await ids('org:"acme health"'), [mine.id], 'the whole name');
    assert.deepEqual(await ids('org:%'), [], 'LIKE wildcards are literal');
  });

  test('a misspelt search finds tickets with similar words in the subject, marked approximate; filters still apply; tag: suggestions', async () => {
    const a = await t.make.ticket(customer, { subject: 'Tablet cannot synchronise forms', tags: ['tablet-sync'] });
    await t.make.ticket(customer, { subject: 'Invoice address wrong', tags: ['billing'] });
    const exact = (await t.as(agent).get(`/api/v1/search?q=${encodeURIComponent('synchronise')}`)).body;
    assert.equal(exact.approximate, undefined, 'words that match need no fallback');
    const typo = (await t.as(agent).get(`/api/v1/search?q=${encodeURIComponent('synchronyse')}`)).body;
    assert.equal(typo.approximate, true);
    assert.deepEqual(typo.items.map((i: { id: string }) => i.id), [a.id]);
    // The filters still narrow it, and nothing similar is still nothing.
    assert.deepEqual((await t.as(agent).get(`/api/v1/search?q=${encodeURIComponent('synchronyse tag:billing')}`)).body.items, []);
    assert.deepEqual((await t.as(agent).get(`/api/v1/search?q=${encodeURIComponent('qqqxxzz')}`)).body.items, []);
    const tags = await t.as(agent).get('/api/v1/tags?prefix=TAB');
    assert.equal(tags.status, 200);
    assert.deepEqual(tags.body.items, ['tablet-sync']);
    assert.equal((await t.as(customer).get('/api/v1/tags?prefix=tab')).status, 403);
    assert.equal((await t.as(agent).get(`/api/v1/tags?prefix=${'x'.repeat(101)}`)).status, 400);
  });

  test('bad queries say what is wrong', async () => {
    const unknownKey = await t.as(agent).get(`/api/v1/search?q=${encodeURIComponent('colour:red')}`);
    assert.equal(unknownKey.status, 400);
    assert.equal(unknownKey.body.code, 'INVALID_QUERY');
    // An unknown group answers like a group with no tickets: filters do not tell who or what exists.
    const unknownGroup = await t.as(agent).get(`/api/v1/search?q=${encodeURIComponent('group:Nope')}`);
    assert.equal(unknownGroup.status, 200);
    assert.deepEqual(unknownGroup.body.items, []);
    assert.equal((await t.as(agent).get('/api/v1/search?q=')).status, 400);
    assert.equal((await t.as(agent).get('/api/v1/tickets?cursor=garbage')).status, 400);
    assert.equal((await t.as(agent).get('/api/v1/tickets?limit=1000')).status, 400);
  });

  test('the queue pages by priority then age with a cursor, visiting every ticket once', async () => {
    const g = await t.make.group('Paging', [agent]);
    const made: string[] = [];
    for (const p of ['P3', 'P1', 'P5', 'P1', 'P2', 'P4', 'P3']) {
      made.push((await t.make.ticket(agent, { groupId: g.id, priority: p, status: 'open' })).id);
      t.clock.advance(60_000);
    }
    const seen: { priority: { rank: number }; createdAt: string; id: string }[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/tickets?group=${g.id}&status=open&sort=priority&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await t.as(agent).get(url);
      assert.equal(page.status, 200);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.equal(seen.length, 7);
    assert.deepEqual(new Set(seen.map((s) => s.id)), new Set(made));
    const keys = seen.map((s) => [s.priority.rank, s.createdAt] as const);
    const sorted = [...keys].sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
    assert.deepEqual(keys, sorted);
  });

  test('customers search only their own tickets', async () => {
    const mine = await t.make.ticket(customer, { subject: 'zanzibar printer' });
    const other = await t.signIn('customer');
    await t.make.ticket(other, { subject: 'zanzibar printer' });
    const res = await t.as(customer).get('/api/v1/search?q=zanzibar');
    assert.deepEqual(res.body.items.map((i: { id: string }) => i.id), [mine.id]);
  });
});
