import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type App, buildApp } from '../../app.js';
import { sql } from 'drizzle-orm';
import { openDatabase, rowsOf, type Database } from '../../db/client.js';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';
import { Lru } from './page-cache.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the LRU is bounded by entries and by characters, and evicts the least recently used first', () => {
  let now = 0;
  const lru = new Lru<string>({ maxEntries: 3, maxChars: 100, ttlMs: 1000 }, (v) => v.length, () => now);
  lru.set('a', 'x'.repeat(10));
  lru.set('b', 'x'.repeat(10));
  lru.set('c', 'x'.repeat(10));
  assert.ok(lru.get('a'), 'a read: now the most recent');
  lru.set('d', 'x'.repeat(10));
  assert.equal(lru.get('b'), undefined, 'b, the least recently used, went');
  assert.ok(lru.get('a') && lru.get('c') && lru.get('d'));
  assert.equal(lru.size.entries, 3);
  lru.set('e', 'x'.repeat(80));
  assert.ok(lru.size.chars <= 100, `chars ${lru.size.chars}`);
  assert.ok(lru.get('e'));
  lru.set('huge', 'x'.repeat(500));
  assert.equal(lru.get('huge'), undefined, 'bigger than the whole budget: not kept');
  assert.ok(lru.get('e'), 'and nothing evicted for it');
  now = 1000;
  assert.equal(lru.get('e'), undefined, 'past its TTL');
  assert.equal(lru.get('d'), undefined);
  assert.equal(lru.size.entries, 0);
  assert.equal(lru.size.chars, 0);
});

describe('the help centre caches for anonymous readers', () => {
  let t: TestApp;
  let agent: Session;
  let sectionId: string;
  // A second Lifeline process on the same database: its own connections on PostgreSQL, the same database on PGlite.
  let otherDb: Database;
  let other: App;

  before(async () => {
    t = await startTestApp();
    agent = await t.signIn('agent');
    const cat = await t.as(agent).post('/api/v1/kb/categories', { name: 'Cache', description: '' });
    sectionId = (await t.as(agent).post('/api/v1/kb/sections', { categoryId: cat.body.id, name: 'Pages' })).body.id;
    otherDb = t.databaseUrl ? await openDatabase({ url: t.databaseUrl }) : t.database;
    other = await buildApp(t.config, otherDb, { clock: t.clock, logger: false });
  });
  after(async () => {
    await other.app.close();
    if (otherDb !== t.database) await otherDb.close();
    await t.close();
  });

  const article = async (title: string, body: string, extra: Record<string, unknown> = {}) => {
    const res = await t.as(agent).post('/api/v1/kb/articles', { sectionId, title, body, ...extra });
    assert.equal(res.status, 201, res.raw);
    return res.body as { id: string; slug: string; version: number };
  };
  const publish = async (id: string) => assert.equal((await t.as(agent).post(`/api/v1/kb/articles/${id}/publish`, {})).status, 200);
  const fromOther = async (url: string) => {
    const res = await other.app.inject({ method: 'GET', url });
    return { status: res.statusCode, raw: res.body };
  };

  test('a publish is visible on the next anonymous request here, and in a second process within a second; ETag and 304', async () => {
    const a = await article('Cache me', 'First words.');
    await publish(a.id);
    const first = await t.request('GET', `/help/articles/${a.slug}`);
    assert.equal(first.status, 200);
    assert.match(first.raw, /First words/);
    const etag = String(first.headers.etag);
    assert.match(etag, /^"[\w-]{22}"$/);
    assert.equal((await t.request('GET', `/help/articles/${a.slug}`, undefined, { 'if-none-match': etag })).status, 304);
    assert.match((await fromOther(`/help/articles/${a.slug}`)).raw, /First words/, 'the other process caches it too');
    assert.match((await fromOther('/help/search?q=words')).raw, /Cache me/);
    assert.equal((await t.as(agent).patch(`/api/v1/kb/articles/${a.id}`, { body: 'Second words.', version: a.version })).status, 200);
    await publish(a.id);
    const next = await t.request('GET', `/help/articles/${a.slug}`, undefined, { 'if-none-match': etag });
    assert.equal(next.status, 200, 'the old ETag no longer matches');
    assert.match(next.raw, /Second words/, 'the next request here');
    assert.notEqual(next.headers.etag, etag);
    // The documented bound: the NOTIFY reaches the other process in milliseconds; a second is plenty here.
    let seen = false;
    for (let i = 0; i < 20 && !seen; i++) {
      seen = /Second words/.test((await fromOther(`/help/articles/${a.slug}`)).raw);
      if (!seen) await sleep(50);
    }
    assert.ok(seen, 'the other process serves the new version within a second');
    // Unpublished: gone from both (the listing and search too).
    assert.equal((await t.as(agent).post(`/api/v1/kb/articles/${a.id}/unpublish`, {})).status, 200);
    assert.equal((await t.request('GET', `/help/articles/${a.slug}`)).status, 404);
    let gone = false;
    for (let i = 0; i < 20 && !gone; i++) {
      gone = (await fromOther(`/help/articles/${a.slug}`)).status === 404 && !/Cache me/.test((await fromOther('/help/search?q=words')).raw);
      if (!gone) await sleep(50);
    }
    assert.ok(gone, 'unpublished in the other process within a second');
  });

  test('one cached search results page per normalised query, and each reader sees the query they typed, escaped', async () => {
    const a = await article('Headings per reader', 'Searching for headingword finds this.');
    await publish(a.id);
    const cache = t.services.kb.pageCache();
    const first = await t.request('GET', `/help/search?q=${encodeURIComponent('<B>HeadingWord</B>')}`);
    assert.equal(first.status, 200);
    assert.match(first.raw, /1 result for “&lt;B&gt;HeadingWord&lt;\/B&gt;”/);
    const entries = cache.searches.size.entries;
    const second = await t.request('GET', `/help/search?q=${encodeURIComponent('  <b>headingword</b> ')}`);
    assert.equal(cache.searches.size.entries, entries, 'the same normalised query: the same cached page');
    assert.match(second.raw, /1 result for “&lt;b&gt;headingword&lt;\/b&gt;”/, 'the second reader sees their own words');
    assert.match(second.raw, /<title>&lt;b&gt;headingword&lt;\/b&gt; – Search/);
    assert.match(second.raw, /value=" {2}&lt;b&gt;headingword&lt;\/b&gt; "/, 'the search box holds what they typed');
    assert.match(second.raw, /<link rel="canonical" href="[^"]*\/help\/search\?q=%20%20%3Cb%3Eheadingword%3C%2Fb%3E%20">/);
    assert.doesNotMatch(second.raw, /HeadingWord|<b>|\u0000/, "nor the first reader's, nor a slot's marker, nor markup");
    assert.match(second.raw, /Headings per reader/);
    assert.notEqual(first.headers.etag, second.headers.etag, 'different bytes, different ETags');
    const again = await t.request('GET', `/help/search?q=${encodeURIComponent('<B>HeadingWord</B>')}`, undefined, { 'if-none-match': String(first.headers.etag) });
    assert.equal(again.status, 304);
    assert.equal((await t.request('GET', `/help/search?q=${encodeURIComponent('<b>headingword</b>')}`, undefined, { 'if-none-match': String(first.headers.etag) })).status, 200, "another reader's ETag is not theirs");
  });

  test('internal and organisation articles never enter the anonymous cache', async () => {
    const cache = t.services.kb.pageCache();
    const internal = await article('Internal runbook secret', 'Staff only: secretword.', { visibility: 'internal' });
    await publish(internal.id);
    // A signed-in agent reads it (rendered for them, not kept); an anonymous reader gets the 404.
    const seen = await t.as(agent).get(`/help/articles/${internal.slug}`);
    assert.equal(seen.status, 200, seen.raw);
    assert.equal(seen.headers.etag, undefined);
    assert.match(String(seen.headers['cache-control']), /private/);
    assert.equal(cache.pages.get(`a:${internal.slug}`), undefined);
    assert.equal((await t.request('GET', `/help/articles/${internal.slug}`)).status, 404);
    assert.equal((await t.as(agent).get('/help/search?q=secretword')).status, 200);
    assert.doesNotMatch((await t.request('GET', '/help/search?q=secretword')).raw, /Internal runbook/);
    assert.doesNotMatch((await t.request('GET', '/help')).raw, /Internal runbook/);
    assert.deepEqual((await t.as(null).get('/api/v1/kb/suggest?q=secretword')).body.items, []);
    for (const key of ['a:internal-runbook-secret', 'q:secretword', 'home']) {
      assert.doesNotMatch(cache.pages.get(key)?.html ?? '', /Internal runbook/, key);
      assert.doesNotMatch(cache.searches.get(key)?.template.parts.join('') ?? '', /Internal runbook/, key);
    }
  });
  test('the per-address limit is one count across processes, and a window that ended starts again from one', async () => {
    const limit = t.config.kbPublicRequestsPerMinute;
    const who = '203.0.113.77';
    const code = (p: Promise<void>) =>
      p.then(
        () => 'ok',
        (err: { code?: string }) => err.code ?? String(err),
      );
    // Hits alternate between the two processes: the limit is theirs together, not each one's.
    for (let i = 0; i < limit; i++) assert.equal(await code((i % 2 ? other.services : t.services).kb.limit('test', who)), 'ok', `hit ${i + 1}`);
    assert.equal(await code(other.services.kb.limit('test', who)), 'RATE_LIMITED');
    assert.equal(await code(t.services.kb.limit('test', who)), 'RATE_LIMITED');
    assert.equal(await code(t.services.kb.limit('other-thing', who)), 'ok', 'each kind of request has its own count');
    t.clock.advance(59_000);
    assert.equal(await code(t.services.kb.limit('test', who)), 'RATE_LIMITED', 'the window is fixed: hits inside it do not reset it');
    t.clock.advance(1_000);
    // The window ended: the next hit counts one and opens a new minute, from now.
    for (let i = 0; i < limit; i++) assert.equal(await code(t.services.kb.limit('test', who)), 'ok', `new window, hit ${i + 1}`);
    assert.equal(await code(t.services.kb.limit('test', who)), 'RATE_LIMITED');
    const [row] = rowsOf<{ hits: number; expires_at: string }>(await t.database.db.execute(sql`select hits, expires_at::text from kb_rate_limits where key = ${`test:${who}`}`));
    assert.equal(row?.hits, limit + 1);
    assert.equal(new Date(row?.expires_at ?? 0).getTime(), t.clock.now().getTime() + 60_000, 'the new window ends a minute after its first hit');
    t.clock.advance(59_999);
    assert.equal(await code(other.services.kb.limit('test', who)), 'RATE_LIMITED');
    t.clock.advance(1);
    assert.equal(await code(other.services.kb.limit('test', who)), 'ok');
  });
});
