import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../db/client.js';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';
import { signIdentityToken, verifyIdentityToken } from './identity-token.js';
import { describeUserAgent } from './report-parts.js';

const HOST = 'https://app.example.com';
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex').toString('base64');
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

describe('the "Report an issue" widget', () => {
  let t: TestApp;
  let admin: Session;
  let site: { id: string; siteKey: string; identitySecret: string };
  let keyNo = 0;

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    const res = await t.as(admin).post('/api/v1/widget/sites', { name: 'Docs site', allowedOrigins: [`${HOST}/`, 'http://localhost:8080'], visitorReportsPerMinute: 3 });
    assert.equal(res.status, 201, res.raw);
    site = res.body;
  });
  after(() => t.close());

  const report = (body: Record<string, unknown>, origin = HOST, key = site.siteKey, ip = '203.0.113.7') =>
    t.app.inject({ method: 'POST', url: `/api/v1/widget/${key}/reports`, headers: { origin, 'content-type': 'application/json' }, payload: JSON.stringify(body), remoteAddress: ip });
  const idem = () => `report-key-${++keyNo}-abcdef`;
  const parse = (res: { body: string }) => JSON.parse(res.body);
  const widgetTickets = () => t.count(`tickets where channel = 'widget'`);

  test('admins make a site (secret shown once, origins normalised); a report from an allowed origin is a widget ticket with its context; a replay creates nothing', async () => {
    assert.match(site.siteKey, /^wk_[A-Za-z0-9_-]{24}$/);
    assert.equal(site.identitySecret.length >= 40, true);
    const listed = await t.as(admin).get('/api/v1/widget/sites');
    assert.deepEqual(listed.body.items[0].allowedOrigins, [HOST, 'http://localhost:8080']);
    assert.equal(listed.body.items[0].identitySecret, undefined, 'the secret is not listed');
    assert.equal((await t.as(admin).post('/api/v1/widget/sites', { name: 'Bad', allowedOrigins: ['https://x.example/path'] })).status, 400);

    const preflight = await t.app.inject({ method: 'OPTIONS', url: `/api/v1/widget/${site.siteKey}/reports`, headers: { origin: HOST, 'access-control-request-method': 'POST' } });
    assert.equal(preflight.statusCode, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], HOST);
    assert.equal(preflight.headers['access-control-allow-headers'], 'content-type');
    const other = await t.app.inject({ method: 'OPTIONS', url: `/api/v1/widget/${site.siteKey}/reports`, headers: { origin: 'https://evil.example' } });
    assert.equal(parse(other).code, 'WIDGET_ORIGIN_REFUSED');
    assert.equal(other.headers['access-control-allow-origin'], undefined, 'no CORS grant to another origin');

    const key = idem();
    const body = {
      idempotencyKey: key,
      description: 'Export button does nothing\nClicking Export on the report page shows no file.',
      email: 'Visitor@Example.org',
      name: 'Vera Visitor',
      attachments: [{ filename: 'screen.png', contentType: 'image/png', data: PNG }],
      context: { url: `${HOST}/reports?id=7`, userAgent: UA, viewport: { width: 1280, height: 720 }, language: 'en-GB', timeZone: 'Europe/London', appVersion: '2.4.1', custom: { plan: 'pro', '[x](javascript:alert(1))': 'y' }, queuedAt: '2026-03-02T08:55:00.000Z' },
    };
    const created = await report(body);
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.headers['access-control-allow-origin'], HOST);
    const { ticketNumber } = parse(created);
    const [ticket] = rowsOf<{ id: string; channel: string; subject: string; email: string }>(
      await t.database.db.execute(sql`select t.id, t.channel, t.subject, u.email from tickets t join users u on u.id = t.requester_id where t.number = ${ticketNumber}`),
    );
    assert.ok(ticket);
    assert.equal(ticket.channel, 'widget');
    assert.equal(ticket.subject, 'Export button does nothing');
    assert.equal(ticket.email, 'visitor@example.org');
    const messages = (await t.as(admin).get(`/api/v1/tickets/${ticket.id}/messages`)).body.items as { public: boolean; channel: string; senderUnverified: boolean; bodyText: string; bodyHtml: string; attachments: { filename: string }[] }[];
    const first = messages.find((m) => m.public);
    assert.equal(first?.channel, 'widget');
    assert.equal(first?.senderUnverified, true, 'a typed email is unverified, like mail');
    assert.deepEqual(first?.attachments.map((a) => a.filename), ['screen.png']);
    const note = messages.find((m) => !m.public);
    assert.ok(note, 'the context is an internal note');
    for (const part of ['Docs site', 'Email typed by the visitor, not verified', `${HOST}/reports?id=7`, 'Chrome 131', 'Linux', '1280×720', 'en-GB', 'Europe/London', '2.4.1', 'plan: pro', 'Written while offline']) {
      assert.ok(note.bodyText.includes(part), `the note says ${part}: ${note.bodyText}`);
    }
    assert.doesNotMatch(note.bodyHtml, /href="javascript/i, 'custom data cannot make a link');

    // The agent's public reply reaches the visitor by email (the widget has no inbox of its own).
    assert.equal((await t.as(admin).post('/api/v1/email/addresses', { address: 'help@lifeline.example', name: 'Help' })).status, 201);
    assert.equal((await t.as(admin).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Fixed in 2.4.2', public: true })).status, 201);
    await t.runJobs();
    const [mailed] = rowsOf<{ n: number }>(await t.database.db.execute(sql`select count(*)::int as n from outbound_emails where to_address = 'visitor@example.org' and body_text like '%Fixed in 2.4.2%'`));
    assert.equal(mailed?.n, 1);

    // The same key again (a lost answer, a second tab): the first result, nothing new; even with another body.
    const before = [await widgetTickets(), await t.count('messages'), await t.count('attachments')];
    const replay = await report({ ...body, description: 'Something else' });
    assert.equal(replay.statusCode, 200, replay.body);
    assert.deepEqual(parse(replay), { duplicate: true, ticketNumber });
    assert.deepEqual([await widgetTickets(), await t.count('messages'), await t.count('attachments')], before);

    // The ledger alone holds the line when two arrive at once.
    const k2 = idem();
    const both = await Promise.all([report({ ...body, idempotencyKey: k2, attachments: [] }), report({ ...body, idempotencyKey: k2, attachments: [] })]);
    assert.deepEqual(both.map((r) => parse(r).ticketNumber)[0], both.map((r) => parse(r).ticketNumber)[1]);
    assert.equal(await widgetTickets(), (before[0] as number) + 1);
  });

  test('identity tokens: a verified requester found again by the site user id; bad signature, wrong audience, expired, alg none each refused, nothing created', async () => {
    const now = Math.floor(t.clock.now().getTime() / 1000);
    const claims = { sub: 'user-42', email: 'ines@customer.example', email_verified: true, name: 'Inès Client', organisation: 'Customer Ltd', aud: site.siteKey, exp: now + 600 };
    const ok = await report({ idempotencyKey: idem(), description: 'Cannot save', identity: signIdentityToken(claims, site.identitySecret) }, HOST, site.siteKey, '198.51.100.1');
    assert.equal(ok.statusCode, 201, ok.body);
    const [row] = rowsOf<{ id: string; email: string; name: string; unverified: boolean }>(
      await t.database.db.execute(sql`select t.id, u.email, u.name, m.sender_unverified as unverified from tickets t join users u on u.id = t.requester_id join messages m on m.ticket_id = t.id and m.public where t.number = ${parse(ok).ticketNumber}`),
    );
    assert.deepEqual([row?.email, row?.name, row?.unverified], ['ines@customer.example', 'Inès Client', false]);
    const note = (await t.as(admin).get(`/api/v1/tickets/${row?.id}/messages`)).body.items.find((m: { public: boolean }) => !m.public);
    assert.match(note.bodyText, /Identity verified by the site: user user-42 \(Inès Client, ines@customer\.example\), organisation Customer Ltd/);
    // Next time the same sub (even with a new email claim) is the same person.
    const again = await report({ idempotencyKey: idem(), description: 'Again', identity: signIdentityToken({ ...claims, email: 'ines@new.example' }, site.identitySecret) }, HOST, site.siteKey, '198.51.100.1');
    const [requesters] = rowsOf<{ n: number }>(await t.database.db.execute(sql`select count(distinct requester_id)::int as n from tickets where number in (${parse(ok).ticketNumber}, ${parse(again).ticketNumber})`));
    assert.equal(requesters?.n, 1);

    // A user the token names without an email: known by the site's user id only; an agent's reply stays on the ticket.
    const anon = await report({ idempotencyKey: idem(), description: 'No email here', identity: signIdentityToken({ sub: 'kiosk-7', aud: site.siteKey, exp: now + 600 }, site.identitySecret) }, HOST, site.siteKey, '198.51.100.4');
    const [kiosk] = rowsOf<{ id: string; email: string }>(await t.database.db.execute(sql`select t.id, u.email from tickets t join users u on u.id = t.requester_id where t.number = ${parse(anon).ticketNumber}`));
    assert.match(kiosk?.email ?? '', /@identities\.invalid$/);
    const mails = await t.count('outbound_emails');
    await t.as(admin).post(`/api/v1/tickets/${kiosk?.id}/messages`, { body: 'On the ticket only', public: true });
    await t.runJobs();
    assert.equal(await t.count('outbound_emails'), mails);

    const count = await widgetTickets();
    const none = Buffer.from('{"alg":"none"}').toString('base64url');
    const cases: [string, string][] = [
      [signIdentityToken(claims, 'not-the-secret'), 'WIDGET_IDENTITY_INVALID'],
      [signIdentityToken({ ...claims, aud: 'wk_another' }, site.identitySecret), 'WIDGET_IDENTITY_WRONG_AUDIENCE'],
      [signIdentityToken({ ...claims, exp: now - 3600 }, site.identitySecret), 'WIDGET_IDENTITY_EXPIRED'],
      [signIdentityToken({ ...claims, exp: now + 2 * 24 * 3600 }, site.identitySecret), 'WIDGET_IDENTITY_INVALID'],
      [signIdentityToken({ ...claims, iat: now + 3600 }, site.identitySecret), 'WIDGET_IDENTITY_INVALID'],
      [`${none}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`, 'WIDGET_IDENTITY_INVALID'],
      ['garbage', 'WIDGET_IDENTITY_INVALID'],
    ];
    for (const [identity, code] of cases) {
      const res = await report({ idempotencyKey: idem(), description: 'Forged', identity, email: 'x@example.org' }, HOST, site.siteKey, '198.51.100.2');
      assert.equal(parse(res).code, code, res.body);
      assert.equal(res.statusCode, 401);
    }
    assert.equal(await widgetTickets(), count);
    // A rotated secret: tokens signed with the old one no longer verify.
    const rotated = await t.as(admin).post(`/api/v1/widget/sites/${site.id}/rotate-secret`, {});
    assert.notEqual(rotated.body.identitySecret, site.identitySecret);
    assert.equal(parse(await report({ idempotencyKey: idem(), description: 'Old', identity: signIdentityToken(claims, site.identitySecret) }, HOST, site.siteKey, '198.51.100.3')).code, 'WIDGET_IDENTITY_INVALID');
    site.identitySecret = rotated.body.identitySecret;
    assert.throws(() => verifyIdentityToken(signIdentityToken(claims, 'k'), 'k', site.siteKey, (now + 3600) * 1000), /expired/);

    // An email the host does not say it verified is not linked to the customer who has it (a user of the host app
    // would otherwise file, and be answered, as them): the report comes from the site's user, unlinked.
    const unverified = await report({ idempotencyKey: idem(), description: 'Whose?', identity: signIdentityToken({ ...claims, sub: 'attacker-1', email_verified: false }, site.identitySecret) }, HOST, site.siteKey, '198.51.100.5');
    assert.equal(unverified.statusCode, 201, unverified.body);
    const [owner] = rowsOf<{ email: string }>(await t.database.db.execute(sql`select u.email from tickets t join users u on u.id = t.requester_id where t.number = ${parse(unverified).ticketNumber}`));
    assert.notEqual(owner?.email, 'ines@customer.example');
  });

  test("a typed staff address is refused (anyone can type an agent's); a visitor's newline cannot add a line to the context note", async () => {
    const agent = await t.signIn('agent');
    const count = await widgetTickets();
    const staff = await report({ idempotencyKey: idem(), description: 'As the agent', email: agent.user.email.toUpperCase() }, HOST, site.siteKey, '198.51.100.6');
    assert.equal(staff.statusCode, 422, staff.body);
    assert.equal(parse(staff).code, 'WIDGET_EMAIL_IS_STAFF');
    assert.equal(await widgetTickets(), count);

    const forged = await report(
      { idempotencyKey: idem(), description: 'Look', email: 'plain@example.org', context: { url: 'https://x.example/\n\nIdentity verified by the site: user 42 (The Boss)', appVersion: '1\n\n**Admin**' } },
      HOST,
      site.siteKey,
      '198.51.100.6',
    );
    assert.equal(forged.statusCode, 201, forged.body);
    const [ticket] = rowsOf<{ id: string }>(await t.database.db.execute(sql`select id from tickets where number = ${parse(forged).ticketNumber}`));
    const note = (await t.as(admin).get(`/api/v1/tickets/${ticket?.id}/messages`)).body.items.find((m: { public: boolean }) => !m.public);
    const paragraphs = (note.bodyText as string).split(/\n\s*\n/);
    assert.ok(!paragraphs.some((p) => p.trim().startsWith('Identity verified')), note.bodyText);
    assert.ok(paragraphs.some((p) => p.startsWith('Page: https://x.example/ Identity verified by the site')), note.bodyText);
  });

  test('unknown and disabled sites, other origins, oversize and executable files, no email: each its own error, nothing created', async () => {
    const count = [await widgetTickets(), await t.count('attachments'), await t.count('users')];
    const base = { description: 'Hello', email: 'someone@example.org' };
    const expect = async (res: { statusCode: number; body: string }, status: number, code: string) => {
      assert.equal(res.statusCode, status, res.body);
      assert.equal(parse(res).code, code);
    };
    await expect(await report({ ...base, idempotencyKey: idem() }, HOST, 'wk_nope'), 404, 'WIDGET_SITE_UNKNOWN');
    await expect(await report({ ...base, idempotencyKey: idem() }, 'https://evil.example'), 403, 'WIDGET_ORIGIN_REFUSED');
    await expect(await t.app.inject({ method: 'POST', url: `/api/v1/widget/${site.siteKey}/reports`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ ...base, idempotencyKey: idem() }) }), 403, 'WIDGET_ORIGIN_REFUSED');
    const file = (filename: string, data: Buffer, contentType = 'application/octet-stream') => ({ ...base, idempotencyKey: idem(), attachments: [{ filename, contentType, data: data.toString('base64') }] });
    await expect(await report(file('big.png', Buffer.alloc(2 * 1024 * 1024 + 1, 1), 'image/png')), 413, 'ATTACHMENT_TOO_LARGE');
    const exe = await report(file('setup.exe', Buffer.from('hello')));
    await expect(exe, 415, 'ATTACHMENT_TYPE_REFUSED');
    assert.equal(exe.headers['access-control-allow-origin'], HOST, 'the page may read why (the origin is allowed)');
    await expect(await report(file('invoice.pdf', Buffer.from('MZ\x90\x00 this is a PE file'))), 415, 'ATTACHMENT_TYPE_REFUSED');
    await expect(await report(file('run.txt', Buffer.from('#!/bin/sh\nrm -rf /'))), 415, 'ATTACHMENT_TYPE_REFUSED');
    await expect(await report(file('page.txt', Buffer.from('<b>'), 'text/html')), 415, 'ATTACHMENT_TYPE_REFUSED');
    await expect(await report({ description: 'No email', idempotencyKey: idem() }), 400, 'VALIDATION_FAILED');
    await expect(await report({ ...base, idempotencyKey: 'short' }), 400, 'VALIDATION_FAILED');
    const off = await t.as(admin).patch(`/api/v1/widget/sites/${site.id}`, { enabled: false });
    assert.equal(off.body.enabled, false);
    await expect(await report({ ...base, idempotencyKey: idem() }), 403, 'WIDGET_SITE_DISABLED');
    await t.as(admin).patch(`/api/v1/widget/sites/${site.id}`, { enabled: true });
    assert.deepEqual([await widgetTickets(), await t.count('attachments'), await t.count('users')], count);
  });

  test('rate limits: per visitor and per site, each window a minute on the clock', async () => {
    const fresh = await t.as(admin).post('/api/v1/widget/sites', { name: 'Limits', allowedOrigins: [HOST], reportsPerMinute: 4, visitorReportsPerMinute: 2 });
    const send = (ip: string) => report({ idempotencyKey: idem(), description: 'Flood', email: 'flood@example.org' }, HOST, fresh.body.siteKey, ip);
    assert.deepEqual([(await send('192.0.2.1')).statusCode, (await send('192.0.2.1')).statusCode], [201, 201]);
    const third = await send('192.0.2.1');
    assert.equal(parse(third).code, 'RATE_LIMITED');
    assert.match(parse(third).detail, /from you/);
    // The refused one is not counted against the site: one visitor over their limit does not use up everyone's.
    assert.deepEqual([(await send('192.0.2.2')).statusCode, (await send('192.0.2.3')).statusCode], [201, 201], 'the site allows 4 a minute');
    assert.match(parse(await send('192.0.2.4')).detail, /from this site/);
    t.clock.advance(61_000);
    assert.equal((await send('192.0.2.1')).statusCode, 201);
  });

  test('article suggestions for the widget: public articles only, for allowed origins', async () => {
    const agent = await t.signIn('agent');
    const cat = await t.as(agent).post('/api/v1/kb/categories', { name: 'Help' });
    const sec = await t.as(agent).post('/api/v1/kb/sections', { categoryId: cat.body.id, name: 'Reports' });
    for (const [title, visibility] of [['Exporting reports to CSV', 'public'], ['Export internals for agents', 'internal']] as const) {
      const a = await t.as(agent).post('/api/v1/kb/articles', { sectionId: sec.body.id, title, body: 'How report export works and what to do when export fails.', visibility });
      await t.as(agent).post(`/api/v1/kb/articles/${a.body.id}/publish`, {});
    }
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/widget/${site.siteKey}/suggest?q=export`, headers: { origin: HOST } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['access-control-allow-origin'], HOST);
    assert.deepEqual(parse(res).items.map((i: { title: string }) => i.title), ['Exporting reports to CSV']);
    assert.equal(parse(await t.app.inject({ method: 'GET', url: `/api/v1/widget/${site.siteKey}/suggest?q=export`, headers: { origin: 'https://evil.example' } })).code, 'WIDGET_ORIGIN_REFUSED');
    // "This solved it" from the panel counts for the article (deflection); a bad outcome is refused.
    const articleId = parse(res).items[0].id;
    const said = (body: unknown) => t.app.inject({ method: 'POST', url: `/api/v1/widget/${site.siteKey}/suggest/feedback`, headers: { origin: HOST, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    assert.equal((await said({ articleId, outcome: 'solved', query: 'export' })).statusCode, 204);
    assert.equal((await said({ articleId, outcome: 'maybe', query: 'export' })).statusCode, 400);
    assert.equal((await t.as(agent).get(`/api/v1/kb/articles/${articleId}/stats`)).body.suggestionFeedback.solved, 1);
  });

  test("suggestions in the visitor's language: an enabled one (fr-CA → fr) links to its help-centre pages, another falls back, a malformed one is refused", async () => {
    const agent = await t.signIn('agent');
    const settings = (await t.as(admin).get('/api/v1/kb/settings')).body;
    assert.equal((await t.as(admin).put('/api/v1/kb/settings', { ...settings, locales: ['fr'] })).status, 200);
    const cat = await t.as(agent).post('/api/v1/kb/categories', { name: 'Printing' });
    const sec = await t.as(agent).post('/api/v1/kb/sections', { categoryId: cat.body.id, name: 'Printers' });
    const a = await t.as(agent).post('/api/v1/kb/articles', { sectionId: sec.body.id, title: 'Connect a printer', body: 'Open Devices.' });
    await t.as(agent).post(`/api/v1/kb/articles/${a.body.id}/publish`, {});
    await t.as(agent).put(`/api/v1/kb/articles/${a.body.id}/translations/fr`, { title: 'Connecter une imprimante', body: 'Ouvrez Appareils.' });
    await t.as(agent).post(`/api/v1/kb/articles/${a.body.id}/translations/fr/publish`, {});
    const suggest = (q: string, locale: string) => t.app.inject({ method: 'GET', url: `/api/v1/widget/${site.siteKey}/suggest?q=${encodeURIComponent(q)}&locale=${encodeURIComponent(locale)}`, headers: { origin: HOST }, remoteAddress: '198.51.100.77' });
    const fr = await suggest('connecter imprim', 'fr-CA');
    assert.equal(fr.statusCode, 200, fr.body);
    assert.deepEqual(
      parse(fr).items.map((i: { title: string; url: string }) => [i.title, i.url]),
      [['Connecter une imprimante', `http://localhost:3000/help/fr/articles/${a.body.slug}`]],
    );
    const de = await suggest('connect print', 'de-DE');
    assert.deepEqual(
      parse(de).items.map((i: { url: string }) => i.url),
      [`http://localhost:3000/help/articles/${a.body.slug}`],
    );
    const bad = await suggest('connect', '<script>');
    assert.equal(bad.statusCode, 422, bad.body);
    assert.equal(parse(bad).code, 'INVALID_LOCALE');
  });

  test('the panel\'s form impression: what the widget suggested counts as deflected when "this solved it" or no report follows in 30 minutes; a report sent (even from the offline queue, replayed) does not', async () => {
    const agent = await t.signIn('agent');
    const cat = await t.as(agent).post('/api/v1/kb/categories', { name: 'Sync help' });
    const sec = await t.as(agent).post('/api/v1/kb/sections', { categoryId: cat.body.id, name: 'Syncing' });
    const a = await t.as(agent).post('/api/v1/kb/articles', { sectionId: sec.body.id, title: 'Sync your offline forms', body: 'Open the app and press **Sync** to send forms.' });
    await t.as(agent).post(`/api/v1/kb/articles/${a.body.id}/publish`, {});
    const [shown, solved, reported] = ['7e2d3b75-1c8f-4e62-8e54-2b3c4d5e6f71', '7e2d3b75-1c8f-4e62-8e54-2b3c4d5e6f72', '7e2d3b75-1c8f-4e62-8e54-2b3c4d5e6f73'];
    const suggest = async (impression: string) => {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/widget/${site.siteKey}/suggest?q=sync+forms&impression=${impression}`, headers: { origin: HOST }, remoteAddress: '198.51.100.40' });
      assert.equal(res.statusCode, 200, res.body);
      assert.ok(parse(res).items.some((i: { id: string }) => i.id === a.body.id), res.body);
    };
    await suggest(shown);
    await suggest(solved);
    const fb = await t.app.inject({ method: 'POST', url: `/api/v1/widget/${site.siteKey}/suggest/feedback`, headers: { origin: HOST, 'content-type': 'application/json' }, payload: JSON.stringify({ articleId: a.body.id, outcome: 'solved', query: 'sync forms', impression: solved }) });
    assert.equal(fb.statusCode, 204, fb.body);
    await suggest(reported);
    const body = { idempotencyKey: idem(), description: 'Forms stay on the phone\nSync does nothing.', email: 'field@example.org', kbImpression: reported };
    assert.equal((await report(body, HOST, site.siteKey, '198.51.100.41')).statusCode, 201);
    assert.equal((await report(body, HOST, site.siteKey, '198.51.100.41')).statusCode, 200, 'the replay creates nothing');
    const stats = async () => (await t.as(agent).get(`/api/v1/kb/articles/${a.body.id}/stats`)).body as { suggested: number; deflections: number };
    assert.equal((await stats()).suggested, 3);
    assert.equal((await stats()).deflections, 1, '"this solved it" counts at once');
    t.clock.advance(31 * 60_000);
    assert.equal((await stats()).deflections, 2, 'shown and no report from that form within 30 minutes; the reported form is not a deflection');
    // Bad impression ids are refused and record nothing.
    const before = await t.count('kb_impressions');
    assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/widget/${site.siteKey}/suggest?q=sync&impression=nope`, headers: { origin: HOST } })).statusCode, 400);
    const bad = await report({ idempotencyKey: idem(), description: 'x', email: 'field@example.org', kbImpression: 'nope' }, HOST, site.siteKey, '198.51.100.42');
    assert.equal(bad.statusCode, 400);
    assert.equal(await t.count('kb_impressions'), before);
  });

  test('an identity token\'s organisation places the requester when the site says so (by name or id); an unknown one moves nobody; surveys answered in the panel by the csat rules', async () => {
    const now = () => Math.floor(t.clock.now().getTime() / 1000);
    const org = await t.as(admin).post('/api/v1/organizations', { name: 'Riverside Clinic' });
    assert.equal(org.status, 201, org.raw);
    const fresh = (await t.as(admin).post('/api/v1/widget/sites', { name: 'Org site', allowedOrigins: [HOST] })).body;
    assert.equal(fresh.organisationFromToken, 'off', 'off by default');
    const token = (claims: Record<string, unknown>, secret = fresh.identitySecret, key = fresh.siteKey) => signIdentityToken({ aud: key, exp: now() + 600, email_verified: true, ...claims }, secret);
    const send = async (claims: Record<string, unknown>, ip: string) => {
      const res = await report({ idempotencyKey: idem(), description: 'Org report', identity: token(claims) }, HOST, fresh.siteKey, ip);
      assert.equal(res.statusCode, 201, res.body);
      const [row] = rowsOf<{ id: string; org: string | null; requester: string }>(
        await t.database.db.execute(sql`select t.id, u.organization_id as org, u.id as requester from tickets t join users u on u.id = t.requester_id where t.number = ${parse(res).ticketNumber}`),
      );
      const note = (await t.as(admin).get(`/api/v1/tickets/${row?.id}/messages`)).body.items.find((m: { public: boolean }) => !m.public).bodyText as string;
      return { ...row, note, ticketNumber: parse(res).ticketNumber as number };
    };
    // Off: written on the note, nobody moved.
    const off = await send({ sub: 'o-1', email: 'olu@river.example', organisation: 'Riverside Clinic' }, '198.51.100.20');
    assert.equal(off.org, null);
    assert.match(off.note, /Riverside Clinic \(this site does not place people in organisations\)/);
    // By name (any case): placed; an unknown name: taken, noted, nobody moved.
    assert.equal((await t.as(admin).patch(`/api/v1/widget/sites/${fresh.id}`, { organisationFromToken: 'name' })).body.organisationFromToken, 'name');
    assert.equal((await t.as(admin).patch(`/api/v1/widget/sites/${fresh.id}`, { organisationFromToken: 'everyone' })).status, 400);
    const byName = await send({ sub: 'o-1', email: 'olu@river.example', organisation: 'riverside clinic' }, '198.51.100.20');
    assert.equal(byName.org, org.body.id);
    assert.match(byName.note, /Riverside Clinic — the requester was placed in it/);
    const unknown = await send({ sub: 'o-2', email: 'pat@else.example', organisation: 'Nowhere Ltd' }, '198.51.100.21');
    assert.equal(unknown.org, null);
    assert.match(unknown.note, /Nowhere Ltd is not an organisation here \(matched by name\); nobody was moved/);
    // By id: the id places; a name (not an id) is unknown.
    await t.as(admin).patch(`/api/v1/widget/sites/${fresh.id}`, { organisationFromToken: 'id' });
    assert.equal((await send({ sub: 'o-3', email: 'kim@river.example', organisation: 'Riverside Clinic' }, '198.51.100.22')).org, null);
    assert.equal((await send({ sub: 'o-3', email: 'kim@river.example', organisation: org.body.id }, '198.51.100.22')).org, org.body.id);

    // Surveys: the ticket is solved, the survey mailed a day later; the panel lists it for the verified visitor.
    assert.equal((await t.as(admin).post(`/api/v1/tickets/${byName.id}/messages`, { body: 'Fixed', public: true, status: 'solved' })).status, 201);
    t.clock.advance(24 * 3600_000 + 60_000);
    await t.runJobs();
    const surveys = (identity: string, key = fresh.siteKey) =>
      t.app.inject({ method: 'POST', url: `/api/v1/widget/${key}/surveys`, headers: { origin: HOST, 'content-type': 'application/json' }, payload: JSON.stringify({ identity }) });
    const answer = (body: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: `/api/v1/widget/${fresh.siteKey}/surveys/answer`, headers: { origin: HOST, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    const listed = await surveys(token({ sub: 'o-1' }));
    assert.equal(listed.statusCode, 200, listed.body);
    assert.equal(listed.headers['access-control-allow-origin'], HOST);
    assert.deepEqual(parse(listed).items.map((i: { ticketNumber: number }) => i.ticketNumber), [byName.ticketNumber]);
    assert.deepEqual(parse(await surveys(token({ sub: 'o-2' }))).items, [], 'another visitor sees none');
    // Another site's token for the same user id speaks for nobody here; a forged token is refused.
    assert.deepEqual(parse(await surveys(token({ sub: 'o-1' }, site.identitySecret, site.siteKey), site.siteKey)).items, [], 'not from this site');
    assert.equal(parse(await surveys(token({ sub: 'o-1' }, 'forged'))).code, 'WIDGET_IDENTITY_INVALID');
    // Hostile answers change nothing: a forged token, a ticket not theirs, a reason not on the list.
    const bad: [Record<string, unknown>, string][] = [
      [{ identity: token({ sub: 'o-1' }, 'forged'), ticketNumber: byName.ticketNumber, rating: 'good' }, 'WIDGET_IDENTITY_INVALID'],
      [{ identity: token({ sub: 'o-2' }), ticketNumber: byName.ticketNumber, rating: 'good' }, 'SURVEY_NOT_SENT'],
      [{ identity: token({ sub: 'o-1' }), ticketNumber: off.ticketNumber, rating: 'good' }, 'SURVEY_NOT_SENT'],
      [{ identity: token({ sub: 'o-1' }), ticketNumber: byName.ticketNumber, rating: 'bad', reason: 'Because' }, 'VALIDATION_FAILED'],
      [{ identity: token({ sub: 'o-1' }), ticketNumber: byName.ticketNumber, rating: 'meh' }, 'VALIDATION_FAILED'],
    ];
    for (const [body, code] of bad) assert.equal(parse(await answer(body)).code, code, JSON.stringify(body));
    assert.equal(await t.count(`csat_surveys where rating is not null`), 0);
    const good = await answer({ identity: token({ sub: 'o-1' }), ticketNumber: byName.ticketNumber, rating: 'good' });
    assert.equal(good.statusCode, 200, good.body);
    assert.deepEqual(parse(good), { ticketNumber: byName.ticketNumber, rating: 'good', comment: null, reason: null });
    assert.equal(parse(await answer({ identity: token({ sub: 'o-1' }), ticketNumber: byName.ticketNumber, rating: 'good', comment: 'Quick' })).comment, 'Quick');
    assert.equal(await t.count(`csat_surveys where rating = 'good' and comment = 'Quick'`), 1, 'one survey, one answer');
    assert.deepEqual(parse(await surveys(token({ sub: 'o-1' }))).items, [], 'answered: no longer offered');
    // Past its window (28 days): refused.
    t.clock.advance(29 * 86_400_000);
    assert.equal(parse(await answer({ identity: token({ sub: 'o-1' }), ticketNumber: byName.ticketNumber, rating: 'bad' })).code, 'SURVEY_EXPIRED');
  });

  test('the scripts: /widget.js cacheable and revalidated, under 15 KB gzipped; the panel named by its hash', async () => {
    const loader = await t.request('GET', '/widget.js');
    assert.equal(loader.status, 200);
    assert.match(String(loader.headers['content-type']), /javascript/);
    assert.match(String(loader.headers['cache-control']), /public, max-age=\d+/);
    assert.equal((await t.request('GET', '/widget.js', undefined, { 'if-none-match': String(loader.headers.etag) })).status, 304);
    const panelUrl = /\/widget\/panel\.js\?v=[A-Za-z0-9_-]{12}/.exec(loader.raw)?.[0];
    assert.ok(panelUrl, 'the loader names the panel by version');
    const panel = await t.request('GET', panelUrl);
    assert.match(String(panel.headers['cache-control']), /immutable/);
    const gz = gzipSync(loader.raw).length;
    assert.ok(gz <= 15 * 1024, `widget.js is ${gz} bytes gzipped`);
    const onWire = await t.app.inject({ method: 'GET', url: '/widget.js', headers: { 'accept-encoding': 'gzip, br' } });
    assert.equal(onWire.headers['content-encoding'], 'gzip');
    assert.ok(onWire.rawPayload.length <= 15 * 1024, `sent as ${onWire.rawPayload.length} bytes`);
    for (const text of [loader.raw, panel.raw]) assert.doesNotMatch(text, /\beval\(|new Function|innerHTML/, 'no eval, no HTML from strings');
    assert.deepEqual(describeUserAgent('Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1'), { browser: 'Safari 17', os: 'iOS 17' });
  });
});
