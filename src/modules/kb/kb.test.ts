import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../db/client.js';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';
import { diffLines } from './diff.js';
import { renderArticle } from './markdown.js';

describe('knowledge base and help centre', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let customer: Session;
  let orgCustomer: Session;
  let otherCustomer: Session;
  let section: { id: string; slug: string };
  let orgId: string;
  let otherOrgId: string;

  before(async () => {
    t = await startTestApp({ KB_PUBLIC_REQUESTS_PER_MINUTE: '8' });
    admin = await t.signIn('admin');
    agent = await t.signIn('agent', { name: 'Ana Agent' });
    orgId = (await t.make.organization({ name: 'Acme' })).id;
    otherOrgId = (await t.make.organization({ name: 'Globex' })).id;
    customer = await t.signIn('customer', { name: 'Cleo Customer' });
    orgCustomer = await t.signIn('customer', { organizationId: orgId });
    otherCustomer = await t.signIn('customer', { organizationId: otherOrgId });
    const cat = await t.as(agent).post('/api/v1/kb/categories', { name: 'Getting started', description: 'First steps' });
    assert.equal(cat.status, 201, cat.raw);
    const sec = await t.as(agent).post('/api/v1/kb/sections', { categoryId: cat.body.id, name: 'Accounts' });
    assert.equal(sec.status, 201, sec.raw);
    section = sec.body;
  });
  after(() => t.close());

  const article = async (title: string, body: string, extra: Record<string, unknown> = {}) => {
    const res = await t.as(agent).post('/api/v1/kb/articles', { sectionId: section.id, title, body, ...extra });
    assert.equal(res.status, 201, res.raw);
    return res.body as { id: string; slug: string; version: number; status: string };
  };
  const publish = async (id: string, body: Record<string, unknown> = {}) => {
    const res = await t.as(agent).post(`/api/v1/kb/articles/${id}/publish`, body);
    assert.equal(res.status, 200, res.raw);
    return res.body;
  };
  const page = (who: Session | null, url: string) => t.as(who).get(url);

  test('hostile Markdown is sanitised: no script, iframe, event handler, javascript: or data: link survives; code and tables stay', () => {
    const { html, text } = renderArticle(
      [
        '# Title',
        '',
        '<script>alert(1)</script>',
        '',
        '<iframe src="https://evil.example"></iframe>',
        '',
        '<img src="x" onerror="alert(2)">',
        '',
        'Links: <a href="javascript:alert(3)">click</a> [md](javascript:alert(4)) [data](data:text/html;base64,PHNjcmlwdD4=) [ok](https://example.org) [sneaky](jav&#x09;ascript:alert(6))',
        '',
        '<p onclick="alert(5)" style="position:fixed">para</p>',
        '',
        '![pic](/help/files/0b9f4a3e-8c1d-4c57-9d4e-0d1f2a3b4c5d) ![remote](http://insecure.example/a.png) ![tracker](/api/v1/users)',
        '',
        '```js',
        'const a = "<b>";',
        '```',
        '',
        '| a | b |',
        '|---|---|',
        '| 1 | 2 |',
      ].join('\n'),
    );
    for (const bad of ['<script', '<iframe', 'onerror', 'onclick', 'javascript:', 'data:text', 'style=', 'insecure.example', '/api/v1/users']) assert.ok(!html.includes(bad), `${bad} in ${html}`);
    assert.match(html, /<h2>Title<\/h2>/);
    assert.match(html, /<pre><code class="language-js">const a = "&lt;b&gt;";/);
    assert.match(html, /<table>/);
    assert.ok(!html.includes('dropped'), html);
    assert.match(html, /<img src="\/help\/files\/0b9f4a3e-8c1d-4c57-9d4e-0d1f2a3b4c5d"/);
    assert.match(html, /<a href="https:\/\/example.org\/" rel="noopener noreferrer nofollow">ok<\/a>/);
    assert.ok(!/[\u0001\u0002]/.test(text));
    assert.deepEqual(diffLines('a\nb\nc', 'a\nc\nd'), [
      { op: '=', text: 'a' },
      { op: '-', text: 'b' },
      { op: '=', text: 'c' },
      { op: '+', text: 'd' },
    ]);
  });

  test('drafts, publishing, versions with diff and restore, and the help centre pages with SEO metadata and sitemap', async () => {
    const a = await article('Reset your password', 'To reset your password, open **Settings** and choose *Reset*.\n\n```\nlifeline reset\n```');
    assert.equal(a.status, 'draft');
    assert.equal((await page(null, `/help/articles/${a.slug}`)).status, 404, 'a draft is not public');
    assert.equal((await t.as(null).get('/api/v1/kb/suggest?q=password')).body.items.length, 0);
    const published = await publish(a.id);
    assert.equal(published.status, 'published');
    const res = await page(null, `/help/articles/${a.slug}`);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.match(String(res.headers['content-security-policy']), /default-src 'none'/);
    assert.ok(!res.raw.includes('<script'), 'no JavaScript on the page');
    assert.match(res.raw, /<title>Reset your password · Help centre<\/title>/);
    assert.match(res.raw, /<meta name="description" content="To reset your password, open Settings/);
    assert.match(res.raw, /<link rel="canonical" href="http:\/\/localhost:3000\/help\/articles\/reset-your-password">/);
    assert.match(res.raw, /<pre><code>lifeline reset/);
    // The draft moves on; readers keep the published version until the next publish.
    const edited = await t.as(agent).patch(`/api/v1/kb/articles/${a.id}`, { body: 'To reset your password, open **Account** and choose *Reset*.', version: 1, note: 'Menu renamed' });
    assert.equal(edited.status, 200, edited.raw);
    assert.equal(edited.body.version, 2);
    assert.equal(edited.body.status, 'published_with_changes');
    const stale = await t.as(agent).patch(`/api/v1/kb/articles/${a.id}`, { body: 'lost update', version: 1 });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.code, 'VERSION_CONFLICT');
    assert.match((await page(null, `/help/articles/${a.slug}`)).raw, /<strong>Settings<\/strong>/);
    await publish(a.id);
    assert.match((await page(null, `/help/articles/${a.slug}`)).raw, /<strong>Account<\/strong>/, 'the page cache was cleared by publishing');
    const diff = (await t.as(agent).get(`/api/v1/kb/articles/${a.id}/diff?from=1&to=2`)).body;
    assert.ok(diff.lines.some((l: { op: string; text: string }) => l.op === '-' && l.text.includes('**Settings**')));
    assert.ok(diff.lines.some((l: { op: string; text: string }) => l.op === '+' && l.text.includes('**Account**')));
    const restored = await t.as(agent).post(`/api/v1/kb/articles/${a.id}/versions/1/restore`);
    assert.equal(restored.status, 200, restored.raw);
    assert.equal(restored.body.version, 3);
    assert.match(restored.body.body, /\*\*Settings\*\*/);
    const versions = (await t.as(agent).get(`/api/v1/kb/articles/${a.id}/versions`)).body.items;
    assert.deepEqual(
      versions.map((v: { version: number; note: string }) => [v.version, v.note]),
      [
        [3, 'Restored version 1'],
        [2, 'Menu renamed'],
        [1, 'Created'],
      ],
    );
    assert.equal((await t.as(agent).get(`/api/v1/kb/articles/${a.id}/diff?from=1&to=99`)).status, 404);
    // Home, category, section, sitemap.
    const home = await page(null, '/help');
    assert.match(home.raw, /Getting started/);
    assert.match(home.raw, /--p:#1c6dd0/);
    assert.match((await page(null, '/help/categories/getting-started')).raw, /href="\/help\/sections\/accounts"/);
    assert.match((await page(null, '/help/sections/accounts')).raw, /href="\/help\/articles\/reset-your-password"/);
    assert.equal((await page(null, '/help/sections/nope')).status, 404);
    const sitemap = await page(null, '/help/sitemap.xml');
    assert.match(String(sitemap.headers['content-type']), /xml/);
    assert.match(sitemap.raw, /<loc>http:\/\/localhost:3000\/help\/articles\/reset-your-password<\/loc>/);
    // Branding from the settings.
    const bad = await t.as(admin).put('/api/v1/kb/settings', { name: 'Acme Help', intro: '', primaryColor: 'red;}</style><script>', accentColor: '#000000', language: 'english' });
    assert.equal(bad.status, 400);
    const noLang = await t.as(admin).put('/api/v1/kb/settings', { name: 'Acme Help', intro: '', primaryColor: '#112233', accentColor: '#000000', language: 'klingon' });
    assert.equal(noLang.status, 422);
    assert.equal((await t.as(agent).put('/api/v1/kb/settings', { name: 'x', intro: '', primaryColor: '#112233', accentColor: '#000000', language: 'english' })).status, 403);
    assert.equal((await t.as(admin).put('/api/v1/kb/settings', { name: 'Acme <Help>', intro: 'Hi', primaryColor: '#112233', accentColor: '#445566', language: 'english' })).status, 200);
    const branded = await page(null, '/help');
    assert.match(branded.raw, /<title>Acme &lt;Help&gt;<\/title>/);
    assert.match(branded.raw, /--p:#112233;--a:#445566/);
  });

  test('visibility: public, signed-in customers, one organisation, internal (staff only); in pages, search and suggestions', async () => {
    const signedIn = await article('Billing portal login', 'Customers sign in to the billing portal with SSO.', { visibility: 'signed_in' });
    const org = await article('Acme VPN configuration', 'The Acme VPN needs the billing certificate.', { visibility: 'organization', organizationIds: [orgId] });
    const internal = await article('Billing escalation runbook', 'Internal: escalate billing bugs to finance.', { visibility: 'internal' });
    for (const a of [signedIn, org, internal]) await publish(a.id);
    const sees = async (who: Session | null) => {
      const out: string[] = [];
      for (const a of [signedIn, org, internal]) if ((await page(who, `/help/articles/${a.slug}`)).status === 200) out.push(a.slug);
      return out;
    };
    assert.deepEqual(await sees(null), []);
    assert.deepEqual(await sees(customer), [signedIn.slug]);
    assert.deepEqual(await sees(orgCustomer), [signedIn.slug, org.slug]);
    assert.deepEqual(await sees(otherCustomer), [signedIn.slug]);
    assert.deepEqual(await sees(agent), [signedIn.slug, org.slug, internal.slug]);
    const titles = async (who: Session | null) => ((await t.as(who).get('/api/v1/kb/suggest?q=billing')).body.items as { title: string }[]).map((i) => i.title).sort();
    assert.deepEqual(await titles(null), []);
    assert.deepEqual(await titles(orgCustomer), ['Acme VPN configuration', 'Billing portal login']);
    assert.deepEqual(await titles(agent), ['Acme VPN configuration', 'Billing escalation runbook', 'Billing portal login']);
    // The search page for a signed-in customer lists theirs only, and is not cached for others.
    const results = await page(orgCustomer, '/help/search?q=billing');
    assert.match(results.raw, /Acme VPN configuration/);
    assert.doesNotMatch(results.raw, /escalation runbook/);
    assert.doesNotMatch((await page(null, '/help/search?q=billing')).raw, /Acme VPN/);
    assert.doesNotMatch((await page(null, '/help/sitemap.xml')).raw, /acme-vpn/);
    // A file of the organisation's article: the organisation's people and staff only.
    const up = await t.request('POST', `/api/v1/kb/articles/${org.id}/files?filename=diagram.png`, Buffer.from('\x89PNG fake'), { ...agent.headers, 'content-type': 'image/png' });
    assert.equal(up.status, 201, up.raw);
    assert.equal((await page(orgCustomer, up.body.url)).status, 200);
    assert.equal((await page(null, up.body.url)).status, 404);
    assert.equal((await page(otherCustomer, up.body.url)).status, 404);
    assert.equal((await page(null, '/help/files/not-a-uuid')).status, 404);
  });

  test('search: stemming, typos by trigram, snippets escaped, operators neutralised, huge input refused, shareable URL', async () => {
    const a = await article('Syncing forms offline', 'When the phone is offline, forms are synced later. <b>Sync</b> resumes automatically.');
    await publish(a.id);
    t.clock.advance(61_000); // a fresh minute of the per-client search limit (8 here)
    const stemmed = await page(null, '/help/search?q=sync');
    assert.match(stemmed.raw, /Syncing forms offline/, 'sync finds syncing and synced');
    assert.match(stemmed.raw, /<mark>/);
    assert.match(stemmed.raw, /value="sync"/, 'the query stays in the box: the URL is shareable');
    assert.match((await page(null, '/help/search?q=pasword')).raw, /Reset your password/, 'a typo still finds it');
    assert.deepEqual(((await t.as(agent).get('/api/v1/kb/suggest?q=offline%20form%20sync')).body.items as { title: string }[]).map((x) => x.title), ['Syncing forms offline']);
    assert.deepEqual(((await t.as(agent).get('/api/v1/kb/suggest?q=forms%20offl')).body.items as { title: string }[]).map((x) => x.title), ['Syncing forms offline'], 'the word being typed matches as a prefix');
    const sentence = (await t.as(agent).get(`/api/v1/kb/suggest?q=${encodeURIComponent('my phone will not sync the forms when I am offline in the village')}`)).body.items as { title: string }[];
    assert.equal(sentence[0]?.title, 'Syncing forms offline', 'a sentence suggests articles with some of its words');
    t.clock.advance(61_000);
    for (const q of ["sync & !forms | ('x'", 'sync:* <-> forms', '%_\\', "'; drop table kb_articles; --"]) {
      const res = await page(null, `/help/search?q=${encodeURIComponent(q)}`);
      assert.equal(res.status, 200, `${q}: ${res.raw.slice(0, 200)}`);
      assert.ok(!res.raw.includes("<script"), q);
    }
    assert.match((await page(null, `/help/search?q=${encodeURIComponent('<script>alert(1)</script>')}`)).raw, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    const huge = await page(null, `/help/search?q=${'a'.repeat(5000)}`);
    assert.equal(huge.status, 400);
    const hugeApi = await t.as(null).get(`/api/v1/kb/suggest?q=${'a'.repeat(201)}`);
    assert.equal(hugeApi.status, 400);
    assert.equal(hugeApi.body.code, 'VALIDATION_FAILED');
    assert.equal((await t.as(null).get('/api/v1/kb/suggest?q=%26%7C%21')).body.items.length, 0, 'only operators: nothing to search');
  });

  test('votes (form without JavaScript and JSON), suggestion feedback, rate limits, uses in tickets, draft from a ticket, stats', async () => {
    const a = await article('Export a report', 'Open Reports and choose Export.');
    await publish(a.id);
    const form = await t.request('POST', `/help/articles/${a.slug}/vote`, 'helpful=yes&comment=Great%20<b>', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 303);
    assert.equal(form.headers.location, `/help/articles/${a.slug}?voted=1`);
    assert.match((await page(null, String(form.headers.location))).raw, /Thank you for your feedback/);
    assert.equal((await t.request('POST', `/help/articles/${a.slug}/vote`, 'helpful=maybe', { 'content-type': 'application/x-www-form-urlencoded' })).status, 400);
    assert.equal((await t.as(customer).post(`/api/v1/kb/articles/${a.id}/votes`, { helpful: false, comment: 'Missing CSV' })).status, 204);
    assert.equal((await t.as(null).post(`/api/v1/kb/articles/${a.id}/votes`, { helpful: 'yes' })).status, 400);
    const draft = await article('Unpublished', 'x');
    assert.equal((await t.as(null).post(`/api/v1/kb/articles/${draft.id}/votes`, { helpful: true })).status, 404, 'no votes on what a reader cannot see');
    const fb = await t.as(customer).post('/api/v1/kb/suggest/feedback', { articleId: a.id, outcome: 'solved', query: 'export report' });
    assert.equal(fb.status, 204, fb.raw);
    assert.equal((await t.as(customer).post('/api/v1/kb/suggest/feedback', { articleId: a.id, outcome: 'great' })).status, 400);
    // The limit is per address across suggestions (8 a minute here); staff are not limited. A question already
    // answered for an anonymous reader comes from memory and does not count.
    const before = await t.count('kb_suggestion_feedback');
    assert.equal((await t.as(null).get('/api/v1/kb/suggest?q=export')).status, 200);
    let limited = 0;
    for (let i = 0; i < 10; i++) if ((await t.as(null).get(`/api/v1/kb/suggest?q=export+w${i}`)).status === 429) limited++;
    assert.ok(limited >= 2, `limited ${limited}`);
    const over = await t.as(null).get('/api/v1/kb/suggest?q=export+over');
    assert.equal(over.body.code, 'RATE_LIMITED');
    assert.equal((await t.as(null).get('/api/v1/kb/suggest?q=EXPORT')).status, 200, 'a cached answer is served without counting');
    assert.equal((await t.as(null).get(`/api/v1/kb/suggest?q=export&impression=${crypto.randomUUID()}`)).status, 429, 'recording an impression writes: it counts');
    assert.equal((await t.as(agent).get('/api/v1/kb/suggest?q=export')).status, 200);
    assert.equal(await t.count('kb_suggestion_feedback'), before);
    t.clock.advance(61_000);
    assert.equal((await t.as(null).get('/api/v1/kb/suggest?q=export')).status, 200, 'a new window');
    // Help-centre searches not answered from the page cache count too (each is a full-text and trigram query).
    t.clock.advance(61_000);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await t.request('GET', `/help/search?q=distinct${i}`)).status);
    assert.ok(statuses.filter((x) => x === 429).length >= 2, statuses.join(','));
    assert.equal((await t.request('GET', '/help/search?q=distinct0')).status, 200, 'a cached page is served without counting');
    t.clock.advance(61_000);
    // An agent links the article in a ticket, then solves it.
    const ticket = await t.make.ticket(customer, { subject: 'How do I export?', description: 'I need the numbers in a spreadsheet.' });
    const reply = await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'See https://example.org/help/articles/export-a-report — open Reports, then Export.', public: true });
    assert.ok(reply.status < 300, reply.raw);
    assert.deepEqual((await t.as(agent).post(`/api/v1/kb/articles/${a.id}/uses`, { ticketId: ticket.id })).body, { recorded: true });
    assert.deepEqual((await t.as(agent).post(`/api/v1/kb/articles/${a.id}/uses`, { ticketId: ticket.id })).body, { recorded: false });
    assert.equal((await t.as(agent).post(`/api/v1/kb/articles/${a.id}/uses`, { ticketId: '00000000-0000-4000-8000-000000000000' })).status, 404);
    assert.deepEqual(((await t.as(agent).get(`/api/v1/tickets/${ticket.id}/kb-articles`)).body.items as { title: string }[]).map((x) => x.title), ['Export a report']);
    const solved = await t.as(agent).patch(`/api/v1/tickets/${ticket.id}`, { status: 'solved' });
    assert.ok(solved.status < 300, solved.raw);
    const d = await t.as(agent).get(`/api/v1/tickets/${ticket.id}/kb-draft`);
    assert.equal(d.body.title, 'How do I export?');
    assert.match(d.body.body, /## The question\n\nI need the numbers in a spreadsheet\./);
    assert.match(d.body.body, /## The answer\n\nSee https:\/\/example.org/);
    assert.equal((await t.as(customer).get(`/api/v1/tickets/${ticket.id}/kb-draft`)).status, 403);
    const fromTicket = await article(d.body.title, d.body.body, { sourceTicketId: ticket.id });
    assert.equal((await t.as(agent).get(`/api/v1/kb/articles/${fromTicket.id}`)).body.sourceTicketId, ticket.id);
    // Views are counted in memory and flushed (the thank-you page is not a second view).
    await page(null, `/help/articles/${a.slug}`);
    await page(customer, `/help/articles/${a.slug}`);
    await t.services.kb.flushViews();
    const stats = (await t.as(agent).get(`/api/v1/kb/articles/${a.id}/stats`)).body;
    assert.deepEqual(stats, { views: 2, suggested: 0, deflections: 0, helpful: 1, notHelpful: 1, linkedInTickets: 1, solvedAfterLinking: 1, suggestionFeedback: { solved: 1, not_related: 0, not_answered: 0 } });
    assert.deepEqual(((await t.as(agent).get(`/api/v1/kb/articles/${a.id}/votes`)).body.items as { comment: string }[]).map((v) => v.comment), ['Missing CSV', 'Great <b>']);
  });

  test('recurring topics: similar tickets grouped (typos folded), why explained, covered by an article or flagged past the threshold; a background job', async () => {
    const subjects = ['Dashboard totals are stale', 'Stale numbers on the dashboard', 'Dashbord shows stale data', 'Dashboard stale since the update', 'Export report fails', 'Report export times out', 'Printer on fire'];
    for (const [i, subject] of subjects.entries()) {
      // Two requesters: the words their messages share count, their own names (indexed with the message) do not.
      const requester = i % 2 ? orgCustomer : customer;
      await t.make.ticket(agent, { subject, description: 'Our supervisors see old numbers every morning.', requesterId: requester.user.id, type: subject.startsWith('Dash') ? 'bug' : undefined });
    }
    assert.equal((await t.as(admin).post('/api/v1/email/addresses', { address: 'help@example.org', name: 'Help' })).status, 201);
    assert.equal((await t.as(customer).get('/api/v1/kb/topics')).status, 403);
    assert.equal((await t.as(customer).post('/api/v1/kb/topics/refresh')).status, 403);
    const queued = await t.as(agent).post('/api/v1/kb/topics/refresh');
    assert.equal(queued.status, 202, queued.raw);
    assert.ok((await t.runJobs()) >= 1, 'the grouping runs as a job');
    type Topic = { label: string; words: string[]; ticketCount: number; flagged: boolean; tickets: { subject: string }[]; article: { title: string } | null; explanation: { typos: { from: string; to: string }[]; type: { key: string; count: number } | null; bodyWords: string[] } };
    const list = async () => (await t.as(agent).get('/api/v1/kb/topics')).body as { items: Topic[]; settings: { topicDays: number; topicMinTickets: number } };
    const { items, settings } = await list();
    assert.deepEqual(settings, { topicDays: 30, topicMinTickets: 3 });
    const dash = items.find((x) => x.words.includes('dashboard'));
    assert.ok(dash, JSON.stringify(items));
    assert.equal(dash.ticketCount, 4, 'the misspelt "Dashbord" is in the group');
    assert.equal(dash.flagged, true, 'seen 4 times in 30 days with no article');
    assert.equal(dash.article, null);
    assert.deepEqual(dash.words.sort(), ['dashboard', 'stale']);
    assert.deepEqual(dash.explanation.typos, [{ from: 'dashbord', to: 'dashboard' }]);
    assert.deepEqual(dash.explanation.type, { key: 'bug', count: 3 }, JSON.stringify(dash));
    assert.ok(dash.explanation.bodyWords.includes('supervisor'), JSON.stringify(dash.explanation));
    assert.ok(!dash.explanation.bodyWords.includes('cleo'), JSON.stringify(dash.explanation));
    assert.equal(items[0]?.label, dash.label, 'flagged topics first');
    const exp = items.find((x) => x.words.includes('export'));
    assert.equal(exp?.ticketCount, 2);
    assert.equal(exp?.article?.title, 'Export a report', 'an article with the shared words covers it');
    assert.equal(exp?.flagged, false);
    assert.ok(!items.some((x) => x.tickets.some((tk) => tk.subject === 'Printer on fire')), 'a ticket like no other is in no topic');
    // An agent restricted to their groups (these tickets are in none of theirs) sees no topic at all: labels, words and
    // explanations are made of the tickets' subjects.
    const restricted = await t.signIn('agent');
    assert.equal((await t.as(admin).patch(`/api/v1/users/${restricted.user.id}`, { ticketAccess: 'groups' })).status, 200);
    const theirs = await t.as(restricted).get('/api/v1/kb/topics');
    assert.equal(theirs.status, 200, theirs.raw);
    assert.deepEqual(theirs.body.items, []);
    // The admins are told once by mail (the outbox); a later run does not tell them again.
    const notices = async () =>
      rowsOf<{ subject: string; body_text: string }>(await t.database.db.execute(sql`select subject, body_text from outbound_emails where kind = 'notification' and to_address = ${admin.user.email} order by created_at, id`));
    assert.equal((await notices()).length, 1);
    assert.equal((await notices())[0]?.subject, `Recurring topic with no article: ${dash.label}`);
    assert.match((await notices())[0]?.body_text ?? '', /\(4 tickets\)[\s\S]*\/kb\/topics/);
    assert.equal(rowsOf<{ n: number }>(await t.database.db.execute(sql`select count(*)::int as n from outbound_emails where kind = 'notification' and to_address = ${agent.user.email}`))[0]?.n, 0, 'agents are not mailed');
    await t.services.kbTopics.refresh();
    assert.equal((await notices()).length, 1, 'not told again');
    // Covered by an article, then the article goes: flagged anew, told again.
    const cover = await article('Dashboard shows stale totals', 'Refresh the dashboard cache when totals are stale.');
    await publish(cover.id);
    await t.services.kbTopics.refresh();
    assert.equal((await list()).items.find((x) => x.words.includes('dashboard'))?.flagged, false);
    assert.equal(await t.count('kb_topic_notices'), 0, 'a covered topic forgets its notice');
    assert.equal((await t.as(agent).delete(`/api/v1/kb/articles/${cover.id}`)).status, 204);
    await t.services.kbTopics.refresh();
    assert.equal((await notices()).length, 2, 're-flagged after it was covered: told again');
    // Both numbers are settings: more than 4 times → not flagged any more; outside the window → no topic.
    const put = await t.as(admin).put('/api/v1/kb/settings', { name: 'Acme <Help>', intro: 'Hi', primaryColor: '#112233', accentColor: '#445566', language: 'english', topicDays: 30, topicMinTickets: 4 });
    assert.equal(put.status, 200, put.raw);
    await t.services.kbTopics.refresh();
    assert.equal((await list()).items.find((x) => x.words.includes('dashboard'))?.flagged, false);
    assert.equal((await t.as(admin).put('/api/v1/kb/settings', { ...put.body, topicDays: 0 })).status, 400);
    t.clock.advance(31 * 86_400_000);
    await t.services.kbTopics.refresh();
    assert.equal(await t.count('kb_topics'), 0);
    // A month on, the sessions have expired: fresh ones for the tests that follow.
    admin = await t.signIn('admin');
    agent = await t.signIn('agent', { name: 'Ana Agent' });
    customer = await t.signIn('customer', { name: 'Cleo Customer' });
  });

  test('the email auto-reply lists public articles that match the subject well, and none when nothing does', async () => {
    const smtp = await t.smtp();
    const ack = async (subject: string, text: string) => {
      await smtp.send({ from: 'grace@navy.example.org', to: 'support@localhost', subject, text });
      await t.runJobs();
      const items = (await t.as(admin).get('/api/v1/outbox?limit=200')).body.items as { id: string; kind: string; subject: string }[];
      const mine = items.find((m) => m.kind === 'auto_reply' && m.subject.includes(subject));
      assert.ok(mine, `an auto-reply to ${subject}`);
      return (await t.as(admin).get(`/api/v1/outbox/${mine.id}/raw`)).raw;
    };
    const good = await ack('How do I export a report?', 'I need the monthly numbers in a spreadsheet.');
    assert.match(good, /These articles from our help centre may answer your question/);
    assert.match(good, /Export a report: http:\/\/localhost:3000\/help\/articles\/export-a-report/);
    const none = await ack('Printer jammed', 'Paper is stuck in tray two.');
    assert.doesNotMatch(none, /help centre may answer/, 'nothing matches: no list');
    // Only public articles: the internal runbook and the signed-in customers' article never go out by mail.
    const internal = await ack('Billing escalation and portal login', 'Who handles billing bugs?');
    assert.doesNotMatch(internal, /runbook|billing-portal-login/i);
  });

  test('scheduled publishing runs on the schedule; unpublishing hides at once; bad references and deletes in use are refused', async () => {
    const a = await article('Maintenance window', 'Sunday 02:00 UTC.');
    const at = new Date(t.clock.now().getTime() + 3600_000).toISOString();
    const scheduled = await publish(a.id, { at });
    assert.equal(scheduled.status, 'scheduled');
    await t.services.schedules.runDue();
    assert.equal((await page(null, `/help/articles/${a.slug}`)).status, 404);
    t.clock.advance(3600_000 + 60_000);
    await t.services.schedules.runDue();
    assert.equal((await page(null, `/help/articles/${a.slug}`)).status, 200);
    assert.equal((await t.as(agent).get(`/api/v1/kb/articles/${a.id}`)).body.status, 'published');
    assert.equal((await t.as(agent).post(`/api/v1/kb/articles/${a.id}/unpublish`)).status, 200);
    assert.equal((await page(null, `/help/articles/${a.slug}`)).status, 404);
    const noSection = await t.as(agent).post('/api/v1/kb/articles', { sectionId: '00000000-0000-4000-8000-000000000000', title: 'x' });
    assert.equal(noSection.status, 422);
    assert.equal(noSection.body.code, 'INVALID_REFERENCE');
    assert.equal((await t.as(agent).delete(`/api/v1/kb/sections/${section.id}`)).status, 409);
    assert.equal((await t.as(customer).post('/api/v1/kb/articles', { sectionId: section.id, title: 'x' })).status, 403);
    assert.equal((await t.as(null).get('/api/v1/kb/tree')).status, 401);
    const dup = await t.as(agent).post('/api/v1/kb/articles', { sectionId: section.id, title: 'Maintenance window' });
    assert.equal(dup.body.slug, 'maintenance-window-2');
    const preview = await t.as(agent).post('/api/v1/kb/preview', { body: '**b** <script>x</script>' });
    assert.equal(preview.body.html, '<p><strong>b</strong> </p>\n');
  });

  test('related articles: picked in order, internal or unpublished ones left off public pages, topped up with suggestions to 3; bad lists refused', async () => {
    const sec = await t.as(agent).post('/api/v1/kb/sections', { categoryId: (await t.as(agent).get('/api/v1/kb/tree')).body.items[0].id, name: 'Billing' });
    assert.equal(sec.status, 201, sec.raw);
    const make = async (title: string, visibility = 'public') => {
      const res = await t.as(agent).post('/api/v1/kb/articles', { sectionId: sec.body.id, title, body: `About ${title}.`, visibility });
      assert.equal(res.status, 201, res.raw);
      await publish(res.body.id);
      return res.body as { id: string; slug: string };
    };
    const main = await make('Pay an invoice by card');
    const refunds = await make('Refunds');
    const secret = await make('Card fraud runbook', 'internal');
    const cards = await make('Change the card on file');
    const vat = await make('VAT numbers');
    const draft = await t.as(agent).post('/api/v1/kb/articles', { sectionId: sec.body.id, title: 'Invoice drafts' });
    const put = await t.as(agent).put(`/api/v1/kb/articles/${main.id}/related`, { ids: [secret.id, refunds.id, draft.body.id] });
    assert.equal(put.status, 200, put.raw);
    const staffView = (await t.as(agent).get(`/api/v1/kb/articles/${main.id}/related`)).body as { manual: { id: string; published: boolean }[]; suggested: { id: string }[] };
    assert.deepEqual(
      staffView.manual.map((m) => [m.id, m.published]),
      [
        [secret.id, true],
        [refunds.id, true],
        [draft.body.id, false],
      ],
      'the editor sees every picked one, in order',
    );
    const html = (await page(null, `/help/articles/${main.slug}`)).raw;
    const related = html.slice(html.indexOf('Related articles'));
    assert.ok(html.includes('Related articles'), html);
    assert.ok(related.includes('Refunds'));
    assert.ok(!related.includes('Card fraud runbook'), 'an internal article is not shown on a public page');
    assert.ok(!related.includes('Invoice drafts'), 'nor an unpublished one');
    // One picked one readable: two suggestions, the one sharing a title word ("card") first.
    const links = [...related.matchAll(/<li><a href="\/help\/articles\/([^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual(links, [refunds.slug, cards.slug, vat.slug]);
    assert.ok((await page(agent, `/help/articles/${main.slug}`)).raw.includes('Card fraud runbook'), 'staff see the internal one');
    // Bad lists change nothing.
    const self = await t.as(agent).put(`/api/v1/kb/articles/${main.id}/related`, { ids: [refunds.id, main.id] });
    assert.equal(self.status, 422);
    assert.equal(self.body.code, 'RELATED_SELF');
    const ghost = await t.as(agent).put(`/api/v1/kb/articles/${main.id}/related`, { ids: ['00000000-0000-4000-8000-000000000000'] });
    assert.equal(ghost.status, 422);
    assert.equal(ghost.body.code, 'INVALID_REFERENCE');
    assert.equal((await t.as(agent).put(`/api/v1/kb/articles/${main.id}/related`, { ids: [refunds.id, refunds.id] })).status, 400);
    const missing = await t.as(agent).put('/api/v1/kb/articles/00000000-0000-4000-8000-000000000000/related', { ids: [refunds.id] });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'ARTICLE_NOT_FOUND');
    assert.equal((await t.as(customer).put(`/api/v1/kb/articles/${main.id}/related`, { ids: [] })).status, 403);
    assert.equal(await t.count(`kb_related_articles where article_id = '${main.id}'`), 3);
    for (const a of [main, refunds, secret, cards, vat]) assert.equal((await t.as(agent).delete(`/api/v1/kb/articles/${a.id}`)).status, 204);
    assert.equal((await t.as(agent).delete(`/api/v1/kb/articles/${draft.body.id}`)).status, 204);
  });

  test('deflections: a suggestion shown in a request form counts when "this solved it" (at once) or no request follows within 30 minutes; a sent request does not', async () => {
    const a = await article('Sync your forms', 'Open the app and press **Sync** to send forms.');
    await publish(a.id);
    const [shownA, solvedB, sentC] = ['6f1c2a64-0b7e-4d51-9d43-1a2b3c4d5e61', '6f1c2a64-0b7e-4d51-9d43-1a2b3c4d5e62', '6f1c2a64-0b7e-4d51-9d43-1a2b3c4d5e63'];
    const suggest = async (who: Session | null, impression: string) => {
      const res = await t.as(who).get(`/api/v1/kb/suggest?q=sync+forms&impression=${impression}`);
      assert.equal(res.status, 200, res.raw);
      assert.ok(res.body.items.some((i: { id: string }) => i.id === a.id), res.raw);
    };
    await suggest(customer, shownA);
    await suggest(customer, shownA); // typing on: the same form shown it again counts once
    await suggest(null, solvedB);
    assert.equal((await t.as(null).post('/api/v1/kb/suggest/feedback', { articleId: a.id, outcome: 'solved', impression: solvedB })).status, 204);
    await suggest(customer, sentC);
    const sent = await t.as(customer).post('/api/v1/portal/tickets', { subject: 'Forms will not sync', description: 'The button does nothing.', kbImpression: sentC });
    assert.equal(sent.status, 201, sent.raw);
    const stats = async () => (await t.as(agent).get(`/api/v1/kb/articles/${a.id}/stats`)).body as { suggested: number; deflections: number };
    assert.deepEqual(await stats(), { ...(await stats()), suggested: 3, deflections: 1 }, '"this solved it" counts at once');
    t.clock.advance(31 * 60_000);
    assert.equal((await stats()).deflections, 2, 'shown, and no request from that form within 30 minutes');
    // A request sent late from a solved form does not undo the solve; bad impression ids are refused.
    assert.equal((await t.as(null).get('/api/v1/kb/suggest?q=sync&impression=not-a-uuid')).status, 400);
    assert.equal((await t.as(customer).post('/api/v1/portal/tickets', { subject: 's', description: 'd', kbImpression: 'nope' })).status, 400);
    assert.equal((await t.as(null).post('/api/v1/kb/suggest/feedback', { articleId: a.id, outcome: 'solved', impression: 'nope' })).status, 400);
    assert.equal(await t.count(`kb_impressions where article_id = '${a.id}'`), 3, 'one row per form and article');
  });

  test('review: submitted, approved and published by another agent; sent back with a note; a new version withdraws it; with review required, direct publishing is refused', async () => {
    const reviewer = await t.signIn('agent', { name: 'Rae Reviewer' });
    const a = await article('Rotate an API token', 'Open **Settings → Tokens** and choose *Rotate*.');
    const url = `/api/v1/kb/articles/${a.id}/review`;
    assert.equal((await t.as(agent).post(`${url}/approve`, {})).body.code, 'REVIEW_NOT_REQUESTED');
    const submitted = await t.as(agent).post(url, {});
    assert.equal(submitted.status, 200, submitted.raw);
    assert.equal(submitted.body.reviewVersion, 1);
    // Not by who submitted it; nothing published.
    const own = await t.as(agent).post(`${url}/approve`, {});
    assert.equal(own.status, 403);
    assert.equal(own.body.code, 'REVIEW_BY_SUBMITTER');
    assert.equal((await page(null, `/help/articles/${a.slug}`)).status, 404);
    // Sent back with a note; an empty note is refused.
    assert.equal((await t.as(reviewer).post(`${url}/changes`, { note: '  ' })).status, 400);
    const back = await t.as(reviewer).post(`${url}/changes`, { note: 'Say where Settings is.' });
    assert.equal(back.body.reviewVersion, null);
    assert.equal(back.body.changesRequested, 'Say where Settings is.');
    // Fixed, submitted again; a new version saved after submitting withdraws the review.
    const v2 = await t.as(agent).patch(`/api/v1/kb/articles/${a.id}`, { body: 'Open **Settings → Tokens** (top right) and choose *Rotate*.', version: 1 });
    assert.equal(v2.body.version, 2);
    assert.equal((await t.as(agent).post(url, {})).body.reviewVersion, 2);
    await t.as(agent).patch(`/api/v1/kb/articles/${a.id}`, { body: 'Open **Settings → Tokens** (top right), choose *Rotate*.', version: 2 });
    assert.equal((await t.as(reviewer).post(`${url}/approve`, {})).body.code, 'REVIEW_NOT_REQUESTED', 'version 3 was never submitted');
    assert.equal((await t.as(agent).post(url, {})).body.reviewVersion, 3);
    const approved = await t.as(reviewer).post(`${url}/approve`, {});
    assert.equal(approved.status, 200, approved.raw);
    assert.equal(approved.body.status, 'published');
    assert.equal(approved.body.publishedVersion, 3);
    assert.equal(approved.body.reviewVersion, null);
    assert.match((await page(null, `/help/articles/${a.slug}`)).raw, /top right/);
    assert.equal((await t.as(agent).post(url, {})).body.code, 'REVIEW_NOTHING_TO_REVIEW');

    // Review required: Publish (now or scheduled) is refused and changes nothing; approval publishes.
    const settings = (await t.as(admin).get('/api/v1/kb/settings')).body;
    assert.equal((await t.as(admin).put('/api/v1/kb/settings', { ...settings, requireReview: true })).status, 200);
    try {
      const b = await t.as(agent).post('/api/v1/kb/articles', { sectionId: section.id, title: 'Reviewed only', body: 'x' });
      const refused = await t.as(agent).post(`/api/v1/kb/articles/${b.body.id}/publish`, {});
      assert.equal(refused.status, 422);
      assert.equal(refused.body.code, 'REVIEW_REQUIRED');
      assert.equal((await t.as(admin).post(`/api/v1/kb/articles/${b.body.id}/publish`, { at: '2030-01-01T00:00:00Z' })).body.code, 'REVIEW_REQUIRED');
      assert.equal((await t.as(agent).get(`/api/v1/kb/articles/${b.body.id}`)).body.status, 'draft');
      await t.as(agent).post(`/api/v1/kb/articles/${b.body.id}/review`, {});
      // Settings saved just before: the approval reads them with nothing cached (on PGlite's one connection, a read
      // from inside the approval's transaction would wait for that transaction to end: forever).
      assert.equal((await t.as(admin).put('/api/v1/kb/settings', { ...settings, requireReview: true })).status, 200);
      assert.equal((await t.as(reviewer).post(`/api/v1/kb/articles/${b.body.id}/review/approve`, {})).body.status, 'published');
    } finally {
      await t.as(admin).put('/api/v1/kb/settings', { ...settings, requireReview: false });
    }
  });
});
