import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';
import { deliveryReport } from '../../testing/mail.js';

type Mail = { to: string; subject: string; text: string; headers: Map<string, string> };

/**
 * Status-page subscribers, scheduled maintenance and incident webhooks, end to end: mail goes through a real SMTP
 * server, bounces come in through Lifeline's own SMTP listener, webhooks reach a real HTTP server, and the
 * schedule's moves run on the fake clock.
 */
describe('status subscribers, maintenance and webhooks', () => {
  let t: TestApp;
  let admin: Session;
  let lead: Session;
  let relay: SMTPServer;
  let receiver: http.Server;
  let receiverUrl: string;
  let inbound: Awaited<ReturnType<TestApp['smtp']>>;
  const mails: Mail[] = [];
  const posts: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  let api: { id: string };
  let web: { id: string };
  let db: { id: string };
  let webhookSecret: string;

  before(async () => {
    relay = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        simpleParser(stream).then(
          (m) => {
            const headers = new Map(m.headerLines.map((h) => [h.key, h.line.slice(h.line.indexOf(':') + 1).trim()]));
            mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), subject: m.subject ?? '', text: m.text ?? '', headers });
            callback();
          },
          (err: Error) => callback(err),
        );
      },
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        posts.push({ headers: req.headers, body });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    t = await startTestApp({ SMTP_URL: `smtp://127.0.0.1:${(relay.server.address() as AddressInfo).port}?ignoreTLS=true`, WEBHOOK_ALLOW_PRIVATE: '127.0.0.1/32', PUBLIC_URL: 'https://status.example.org', TRUST_PROXY: '127.0.0.1' });
    inbound = await t.smtp();
    admin = await t.signIn('admin');
    lead = await t.signIn('agent', { name: 'Dana Lead' });
    api = (await t.as(admin).post('/api/v1/status-components', { name: 'Sync API', position: 1 })).body;
    web = (await t.as(admin).post('/api/v1/status-components', { name: 'Web app', position: 2 })).body;
    db = (await t.as(admin).post('/api/v1/status-components', { name: 'Database', position: 3 })).body;
    const hook = await t.as(admin).post('/api/v1/webhooks', { name: 'Status chat', url: receiverUrl });
    assert.equal(hook.status, 201, hook.raw);
    webhookSecret = hook.body.secret;
    const settings = (await t.as(admin).get('/api/v1/incident-settings')).body.settings;
    const set = await t.as(admin).put('/api/v1/incident-settings', { ...settings, statusPageTitle: 'Acme', webhookIds: [hook.body.id] });
    assert.equal(set.status, 200, set.raw);
  });
  after(async () => {
    await t.close();
    await new Promise<void>((r) => relay.close(() => r()));
    receiver.closeAllConnections();
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  const form = (fields: [string, string][], ip = '203.0.113.9') =>
    t.request('POST', '/status/subscribe', new URLSearchParams(fields).toString(), { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip });
  const linkIn = (mail: Mail | undefined, path: string) => {
    const m = mail?.text.match(new RegExp(`https://status\\.example\\.org${path}\\?token=[^\\s]+`));
    assert.ok(m, `a ${path} link in ${mail?.text}`);
    return new URL(m[0]);
  };
  const use = (url: URL, body = '') => t.request('POST', `${url.pathname}${url.search}`, body, { 'content-type': 'application/x-www-form-urlencoded' });
  const mailsTo = (to: string) => mails.filter((m) => m.to === to);
  /** Subscribes and confirms an address; returns its confirmation mail. */
  const subscribed = async (email: string, fields: [string, string][] = []) => {
    assert.equal((await form([['email', email], ...fields], `198.51.100.${mails.length % 250}`)).status, 202);
    await t.runJobs();
    const confirm = mailsTo(email).at(-1);
    assert.equal((await use(linkIn(confirm, '/status/subscribe/confirm'))).status, 200);
    return confirm as Mail;
  };
  const declare = async (title: string, components: { id: string; status: string }[]) => {
    const res = await t.as(lead).post('/api/v1/incidents', { title, severity: 'P1', components });
    assert.equal(res.status, 201, res.raw);
    return res.body;
  };

  test('subscribe → confirm (double opt-in) → notice to the right components → one-click unsubscribe', async () => {
    const page = await t.request('GET', '/status');
    assert.match(page.raw, /<form method="post" action="\/status\/subscribe"/);
    assert.match(page.raw, new RegExp(`name="component" value="${api.id}"`));
    assert.doesNotMatch(page.raw, /<script/i);

    const res = await form([
      ['email', 'Ana@Example.org'],
      ['scope', 'some'],
      ['component', api.id],
    ]);
    assert.equal(res.status, 202, res.raw);
    assert.match(res.raw, /Check your inbox/);
    assert.equal(mails.length, 0, 'mail goes out as a job');
    await t.runJobs();
    const confirm = mailsTo('ana@example.org');
    assert.equal(confirm.length, 1);
    assert.match(confirm[0]?.subject ?? '', /Confirm your subscription to Acme status/);
    const link = linkIn(confirm[0], '/status/subscribe/confirm');

    // Nothing is sent before confirmation.
    const early = await declare('Sync is slow', [{ id: api.id, status: 'degraded_performance' }]);
    assert.equal((await t.as(lead).post(`/api/v1/incidents/${early.id}/updates`, { state: 'investigating', body: 'Looking into it.', notifySubscribers: true })).status, 201);
    await t.runJobs();
    assert.equal(mailsTo('ana@example.org').length, 1, 'no notice before confirming');

    // The GET only shows a button (mail scanners fetch links); the POST confirms.
    const look = await t.request('GET', `${link.pathname}${link.search}`);
    assert.equal(look.status, 200);
    assert.match(look.raw, /<form method="post">/);
    const done = await use(link);
    assert.equal(done.status, 200, done.raw);
    assert.match(done.raw, /data-step="confirmed"/);
    const again = await use(link);
    assert.equal(again.status, 409, 'single use');
    assert.match(again.raw, /data-code="STATUS_LINK_USED"/);

    await subscribed('wes@example.org', [
      ['scope', 'some'],
      ['component', web.id],
    ]);
    await subscribed('all@example.org');

    // An update with "notify subscribers": Sync API's subscriber and the all-components one, not Web app's.
    mails.length = 0;
    const up = await t.as(lead).post(`/api/v1/incidents/${early.id}/updates`, { state: 'identified', body: 'A bad deploy; rolling back.', notifySubscribers: true });
    assert.equal(up.status, 201, up.raw);
    assert.equal(mails.length, 0, 'posting does not wait for mail');
    await t.runJobs();
    assert.deepEqual(mails.map((m) => m.to).sort(), ['all@example.org', 'ana@example.org']);
    const notice = mailsTo('ana@example.org')[0] as Mail;
    assert.match(notice.subject, /\[Acme status\] Sync is slow: Identified/);
    assert.match(notice.text, /A bad deploy; rolling back\./);
    assert.match(notice.text, /Affected: Sync API/);
    const unsubscribe = linkIn(notice, '/status/unsubscribe');
    assert.equal(String(notice.headers.get('list-unsubscribe')), `<${unsubscribe.href}>`);
    assert.equal(String(notice.headers.get('list-unsubscribe-post')), 'List-Unsubscribe=One-Click');

    // RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the URL; again is harmless.
    const off = await use(unsubscribe, 'List-Unsubscribe=One-Click');
    assert.equal(off.status, 200, off.raw);
    assert.match(off.raw, /data-step="unsubscribed"/);
    assert.equal((await use(unsubscribe, 'List-Unsubscribe=One-Click')).status, 200);
    const multipart = await t.request('POST', `${unsubscribe.pathname}${unsubscribe.search}`, '--x\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--x--\r\n', { 'content-type': 'multipart/form-data; boundary=x' });
    assert.equal(multipart.status, 200, multipart.raw);
    mails.length = 0;
    await t.as(lead).post(`/api/v1/incidents/${early.id}/updates`, { state: 'monitoring', body: 'Rolled back.', notifySubscribers: true });
    await t.as(lead).post(`/api/v1/incidents/${early.id}/updates`, { state: 'monitoring', body: 'Quiet update.', notifySubscribers: false });
    await t.runJobs();
    assert.deepEqual(
      mails.map((m) => m.to),
      ['all@example.org'],
      'unsubscribed: no more mail; an update without the box ticked: none',
    );

    // The admin list: search, per component counts, remove.
    const list = await t.as(lead).get('/api/v1/status-subscribers?q=example.org');
    assert.equal(list.status, 200, list.raw);
    assert.equal(list.body.total, 3);
    assert.deepEqual(
      list.body.perComponent.components.map((c: { name: string; subscribers: number }) => [c.name, c.subscribers]),
      [
        ['Sync API', 1],
        ['Web app', 2],
        ['Database', 1],
      ],
    );
    assert.equal(list.body.perComponent.all, 2);
    const ana = list.body.items.find((s: { email: string }) => s.email === 'ana@example.org');
    assert.equal(ana.status, 'unsubscribed');
    assert.equal((await t.as(lead).get('/api/v1/status-subscribers?q=%25')).body.total, 0, 'a % is searched for, not a wildcard');
    assert.equal((await t.as(lead).delete(`/api/v1/status-subscribers/${ana.id}`)).status, 403, 'removing is for admins');
    assert.equal((await t.as(admin).delete(`/api/v1/status-subscribers/${ana.id}`)).status, 204);
    assert.equal((await t.as(admin).delete(`/api/v1/status-subscribers/${ana.id}`)).status, 404);
    assert.equal((await t.as(lead).get('/api/v1/status-subscribers')).body.total, 2);
  });

  test('tampered, expired, reused and foreign links are refused, each saying why, and change nothing', async () => {
    assert.equal((await form([['email', 'late@example.org']], '192.0.2.1')).status, 202);
    await t.runJobs();
    const link = linkIn(mailsTo('late@example.org').at(-1), '/status/subscribe/confirm');
    const token = link.searchParams.get('token') as string;
    const [id, expires, nonce, mac] = token.split('.');
    const tries = [
      [`${id}.${Number(expires) + 3600_000}.${nonce}.${mac}`, 404, 'STATUS_LINK_INVALID'],
      [`${id}.${expires}.${nonce}.${mac?.slice(0, -2)}xx`, 404, 'STATUS_LINK_INVALID'],
      [`${id}.${expires}.${nonce}`, 404, 'STATUS_LINK_INVALID'],
      ['garbage', 404, 'STATUS_LINK_INVALID'],
    ] as const;
    for (const [bad, status, code] of tries) {
      const res = await use(new URL(`https://x/status/subscribe/confirm?token=${encodeURIComponent(bad)}`));
      assert.equal(res.status, status, bad);
      assert.match(res.raw, new RegExp(`data-code="${code}"`));
    }
    const unsub = await use(new URL(`https://x/status/unsubscribe?token=${encodeURIComponent(`${id}.${mac}`)}`));
    assert.equal(unsub.status, 404, 'a confirmation MAC is not an unsubscribe MAC');
    assert.equal((await t.request('POST', '/status/unsubscribe', '', { 'content-type': 'application/x-www-form-urlencoded' })).status, 400, 'no token');

    // A second request sends a new link; the first stops working (a newer one was sent).
    assert.equal((await form([['email', 'late@example.org']], '192.0.2.2')).status, 202);
    await t.runJobs();
    const newer = linkIn(mailsTo('late@example.org').at(-1), '/status/subscribe/confirm');
    assert.equal((await use(link)).status, 409);
    // Expired after 48 hours.
    t.clock.advance(48 * 3600_000 + 1000);
    const expired = await use(newer);
    assert.equal(expired.status, 410);
    assert.match(expired.raw, /data-code="STATUS_LINK_EXPIRED"/);
    const row = (await t.as(admin).get('/api/v1/status-subscribers?q=late@')).body.items[0];
    assert.equal(row.status, 'pending', 'nothing changed');
  });

  test('bad subscribe input, rate limits, and the same answer for known and unknown addresses', async () => {
    const before = await t.count('status_subscribers');
    const bad = [
      [[['email', 'not-an-address']], 'email'],
      [[['email', `${'a'.repeat(250)}@example.org`]], 'email'],
      [
        [
          ['email', 'x@example.org'],
          ['scope', 'some'],
        ],
        null,
      ],
      [
        [
          ['email', 'x@example.org'],
          ['scope', 'some'],
          ['component', 'not-a-uuid'],
        ],
        'component',
      ],
      [
        [
          ['email', 'x@example.org'],
          ['scope', 'some'],
          ['component', '00000000-0000-4000-8000-000000000000'],
        ],
        null,
      ],
      [
        [
          ['email', 'x@example.org'],
          ['scope', 'everything'],
        ],
        'scope',
      ],
    ] as const;
    for (const [fields, field] of bad) {
      const res = await form(fields as unknown as [string, string][], '192.0.2.50');
      assert.equal(res.status, 422, `${JSON.stringify(fields)}: ${res.raw}`);
      if (field) assert.match(res.raw, new RegExp(`data-field="${field}"`));
    }
    assert.equal(await t.count('status_subscribers'), before, 'nothing stored');

    // Known (active) and unknown addresses get the same page; only the unknown one gets mail.
    mails.length = 0;
    const known = await form([['email', 'all@example.org']], '192.0.2.60');
    const unknown = await form([['email', 'new@example.org']], '192.0.2.61');
    assert.equal(known.status, unknown.status);
    assert.equal(known.raw.replace('all@example.org', 'X'), unknown.raw.replace('new@example.org', 'X'));
    await t.runJobs();
    assert.deepEqual(
      mails.map((m) => m.to),
      ['new@example.org'],
    );

    // Per address: 3 an hour; per IP: 10 an hour.
    for (let i = 0; i < 2; i++) assert.equal((await form([['email', 'new@example.org']], `192.0.2.${70 + i}`)).status, 202);
    const flood = await form([['email', 'new@example.org']], '192.0.2.80');
    assert.equal(flood.status, 429);
    assert.match(flood.raw, /data-code="TOO_MANY_ATTEMPTS"/);
    for (let i = 0; i < 10; i++) await form([['email', `ip${i}@example.org`]], '192.0.2.99');
    assert.equal((await form([['email', 'ip-last@example.org']], '192.0.2.99')).status, 429);
    t.clock.advance(3600_000);
    assert.equal((await form([['email', 'ip-last@example.org']], '192.0.2.99')).status, 202, 'the next hour is a new window');
    await t.runJobs();
  });

  test('a hard bounce stops mail at once, soft bounces after three, forged bounces stop nobody; a replayed fan-out or batch sends nobody anything twice', async () => {
    const gone = await subscribed('gone@example.org');
    const full = await subscribed('full@example.org');
    const victimMail = await subscribed('victim@example.org');
    const attackerMail = await subscribed('attacker@example.org');
    const idOf = (mail: Mail) => {
      const id = /<([^<>\s]+)>/.exec(mail.headers.get('message-id') ?? '')?.[1];
      assert.ok(id?.startsWith('status.'), `a signed status Message-ID: ${mail.headers.get('message-id')}`);
      return id as string;
    };
    // An RFC 3464 report; `quoting`: the returned headers of the failed message (folded, as nodemailer wrote them).
    const dsn = (to: string, status: string, quoting?: string) =>
      deliveryReport({ to, status, returned: quoting ? ['From: "Acme status" <status@status.example.org>', `To: ${to}`, 'Message-ID:', ` <${quoting}>`, 'Subject: Acme status'] : undefined });
    const bounce = (raw: string) => inbound.send({ envelope: { from: '', to: ['support@localhost'] }, raw });
    await bounce(dsn('gone@example.org', '5.1.1', idOf(gone)));
    for (let i = 0; i < 2; i++) await bounce(dsn('full@example.org', '4.2.2', idOf(full)));
    // Forged: anyone can mail support@ a "bounce" naming a subscriber, but none quotes mail we sent the victim.
    await bounce(['From: Eve <eve@example.net>', 'To: support@localhost', 'Subject: hello', 'X-Failed-Recipients: victim@example.org', 'Message-ID: <f1@example.net>', '', 'Mail to victim@example.org failed.', ''].join('\r\n'));
    await bounce(dsn('victim@example.org', '5.1.1'));
    const victimId = idOf(victimMail);
    await bounce(dsn('victim@example.org', '5.1.1', victimId.replace(/\.([^.@]{22})@/, (_, mac: string) => `.${mac.slice(0, 21)}${mac.endsWith('A') ? 'B' : 'A'}@`)));
    await bounce(dsn('victim@example.org', '5.1.1', victimId.replace(/^status\.[0-9a-f-]{36}/, `status.${/^status\.([0-9a-f-]{36})/.exec(idOf(attackerMail))?.[1]}`)));
    await bounce(dsn('victim@example.org', '5.1.1', idOf(attackerMail)));
    await t.runJobs();
    const state = async (email: string) => (await t.as(admin).get(`/api/v1/status-subscribers?q=${encodeURIComponent(email)}`)).body.items[0];
    assert.equal((await state('gone@example.org')).status, 'bounced', 'a real report quoting our mail stops it');
    assert.match((await state('gone@example.org')).bounceReason, /5\.1\.1/);
    assert.equal((await state('full@example.org')).status, 'active', 'two soft bounces: still mailed');
    assert.equal((await state('full@example.org')).softBounces, 2);
    const victim = await state('victim@example.org');
    assert.equal(victim.status, 'active', 'forged, unquoted, tampered and someone else\'s bounces leave the victim subscribed');
    assert.equal(victim.softBounces, 0);
    assert.equal((await state('attacker@example.org')).status, 'bounced', 'a bounce quoting the attacker\'s own mail stops only the attacker');

    const inc = await declare('Web app down', [{ id: web.id, status: 'major_outage' }]);
    mails.length = 0;
    assert.equal((await t.as(lead).post(`/api/v1/incidents/${inc.id}/updates`, { state: 'investigating', body: 'Down.', notifySubscribers: true })).status, 201);
    await t.runJobs();
    const first = mails.map((m) => m.to).sort();
    assert.ok(first.includes('full@example.org'));
    assert.ok(!first.includes('gone@example.org'), 'the hard-bounced address gets nothing');

    await bounce(dsn('full@example.org', '4.2.2', idOf(mails.find((m) => m.to === 'full@example.org') as Mail)));
    await t.runJobs();
    assert.equal((await state('full@example.org')).status, 'bounced', 'the third soft bounce (of the notice) stops it');

    // Replay: the same fan-out and batch jobs run again (a crash after sending, a second worker) — nobody gets a second copy.
    const rows = (await t.database.db.execute(sql`select key from status_notices where key like 'incident-update:%' order by created_at desc limit 1`)) as unknown as { rows: { key: string }[] };
    const noticeKey = rows.rows[0]?.key as string;
    const sent = mails.length;
    await t.services.subscribers.fanOut({ key: noticeKey });
    await t.services.subscribers.sendBatch({ key: noticeKey, batch: 0 });
    await t.runJobs();
    assert.equal(mails.length, sent, 'a replayed fan-out and batch send nothing');
    assert.equal(await t.count(`status_deliveries where notice_key = '${noticeKey}'`), first.length, 'one ledger row per subscriber');
  });

  test('scheduled maintenance: upcoming, in progress (components under maintenance) and completed by the schedule; notices and webhooks', async () => {
    posts.length = 0;
    mails.length = 0;
    const now = t.clock.now().getTime();
    const at = (min: number) => new Date(now + min * 60_000).toISOString();
    const bad = [
      [{ title: 'x', componentIds: [db.id], startsAt: at(60), endsAt: at(30) }, 'body.endsAt'],
      [{ title: 'x', componentIds: [db.id], startsAt: at(-180), endsAt: at(30) }, 'body.startsAt'],
      [{ title: 'x', componentIds: [db.id], startsAt: at(60), endsAt: at(60 + 15 * 1440) }, 'body.endsAt'],
      [{ title: 'x', componentIds: ['00000000-0000-4000-8000-000000000000'], startsAt: at(60), endsAt: at(90) }, 'body.componentIds'],
    ] as const;
    const before = await t.count('status_maintenances');
    for (const [body, path] of bad) {
      const res = await t.as(lead).post('/api/v1/status-maintenances', body);
      assert.equal(res.status, 422, res.raw);
      assert.equal(res.body.errors[0].path, path);
    }
    assert.equal((await t.as(lead).post('/api/v1/status-maintenances', { title: 'x', componentIds: [], startsAt: at(60), endsAt: at(90) })).status, 400);
    assert.equal(await t.count('status_maintenances'), before, 'nothing created');

    const created = await t.as(lead).post('/api/v1/status-maintenances', { title: 'Database upgrade', description: 'Sync pauses for up to 20 minutes.', componentIds: [db.id], startsAt: at(60), endsAt: at(120), notifySubscribers: true });
    assert.equal(created.status, 201, created.raw);
    assert.equal(created.body.status, 'scheduled');
    const m = created.body;
    let summary = JSON.parse((await t.request('GET', '/status/summary.json')).raw);
    assert.equal(summary.scheduled_maintenances.length, 1);
    assert.equal(summary.scheduled_maintenances[0].status, 'scheduled');
    assert.equal(summary.scheduled_maintenances[0].scheduled_for, at(60).replace(/\.\d+Z$/, '.000Z'));
    assert.equal(summary.components.find((c: { id: string }) => c.id === db.id).status, 'operational');
    assert.match((await t.request('GET', '/status')).raw, /Database upgrade <span class="tag">Upcoming/);
    assert.match((await t.request('GET', '/status/feed.atom')).raw, /Maintenance \(upcoming\): Database upgrade/);

    // The schedule: nothing before the start, in progress at it, completed at the end — each move once.
    assert.deepEqual(await t.services.maintenance.sweep(), { started: 0, completed: 0 });
    t.clock.advance(60 * 60_000);
    assert.deepEqual(await t.services.maintenance.sweep(), { started: 1, completed: 0 });
    assert.deepEqual(await t.services.maintenance.sweep(), { started: 0, completed: 0 });
    summary = JSON.parse((await t.request('GET', '/status/summary.json')).raw);
    assert.equal(summary.components.find((c: { id: string }) => c.id === db.id).status, 'under_maintenance');
    assert.equal(summary.scheduled_maintenances[0].status, 'in_progress');
    const started = await t.as(lead).patch(`/api/v1/status-maintenances/${m.id}`, { startsAt: at(70) });
    assert.equal(started.status, 422, 'a started window keeps its start');
    assert.equal((await t.as(lead).patch(`/api/v1/status-maintenances/${m.id}`, { endsAt: at(150) })).status, 200, 'its end may move');
    t.clock.advance(90 * 60_000);
    assert.deepEqual(await t.services.maintenance.sweep(), { started: 0, completed: 1 });
    summary = JSON.parse((await t.request('GET', '/status/summary.json')).raw);
    assert.equal(summary.components.find((c: { id: string }) => c.id === db.id).status, 'operational');
    assert.equal(summary.scheduled_maintenances.length, 0);
    assert.match((await t.request('GET', '/status')).raw, /Completed maintenance/);
    const over = await t.as(lead).patch(`/api/v1/status-maintenances/${m.id}`, { title: 'Again' });
    assert.equal(over.status, 422);
    assert.equal(over.body.code, 'MAINTENANCE_OVER');

    // Cancelled before it starts: never in progress.
    const later = (await t.as(lead).post('/api/v1/status-maintenances', { title: 'Network work', componentIds: [web.id], startsAt: at(300), endsAt: at(330) })).body;
    assert.equal((await t.as(lead).post(`/api/v1/status-maintenances/${later.id}/cancel`)).body.status, 'cancelled');
    t.clock.advance(300 * 60_000);
    assert.deepEqual(await t.services.maintenance.sweep(), { started: 0, completed: 0 });

    await t.runJobs();
    // The two notices' batches run as concurrent jobs: which arrives first is not fixed.
    const subjects = mails.filter((x) => x.to === 'all@example.org').map((x) => x.subject).sort();
    assert.deepEqual(subjects, ['[Acme status] Maintenance in progress: Database upgrade', '[Acme status] Scheduled maintenance: Database upgrade']);
    // Deliveries run as concurrent jobs: compared as a set.
    const events = posts.map((p) => JSON.parse(p.body).event).sort();
    assert.deepEqual(events, ['maintenance.cancelled', 'maintenance.completed', 'maintenance.scheduled', 'maintenance.scheduled', 'maintenance.started', 'maintenance.updated']);
    const startedEvent = posts.map((p) => JSON.parse(p.body)).find((b) => b.event === 'maintenance.started');
    assert.deepEqual(startedEvent.scheduled_maintenance.components, [{ id: db.id, name: 'Database' }]);
    assert.equal(startedEvent.scheduled_maintenance.status, 'in_progress');
  });

  test('each public incident update fires a signed webhook with the documented payload', async () => {
    posts.length = 0;
    const inc = await declare('Login failures', [{ id: web.id, status: 'partial_outage' }]);
    await t.as(lead).post(`/api/v1/incidents/${inc.id}/updates`, { state: 'investigating', body: 'Some logins fail.' });
    await t.as(lead).post(`/api/v1/incidents/${inc.id}/updates`, { state: 'identified', body: 'Found it.' });
    await t.as(lead).post(`/api/v1/incidents/${inc.id}/updates`, { state: 'resolved', body: 'Fixed.' });
    await t.runJobs();
    assert.deepEqual(posts.map((p) => JSON.parse(p.body).event).sort(), ['incident.created', 'incident.resolved', 'incident.updated']);
    const first = posts.find((p) => JSON.parse(p.body).event === 'incident.created') as { headers: http.IncomingHttpHeaders; body: string };
    const body = JSON.parse(first.body);
    assert.equal(body.page.name, 'Acme');
    assert.equal(body.incident.id, inc.id);
    assert.equal(body.incident.name, 'Login failures');
    assert.equal(body.incident.impact, 'critical', 'P1 is the top severity on this scheme');
    assert.equal(body.incident.shortlink, `https://status.example.org/status/incidents/${inc.id}`);
    assert.deepEqual(body.incident.components, [{ id: web.id, name: 'Web app', status: 'partial_outage' }]);
    assert.equal(body.incident_update.body, 'Some logins fail.');
    assert.equal(body.incident_update.status, 'investigating');
    assert.ok(!('timeline' in body.incident) && !JSON.stringify(body).includes('Dana Lead'), 'public facts only');
    const [tPart, v1] = String(first.headers['x-lifeline-signature']).split(',');
    const expected = createHmac('sha256', webhookSecret).update(`${tPart?.slice(2)}.${first.body}`).digest('hex');
    assert.equal(v1, `v1=${expected}`);

    const settings = (await t.as(admin).get('/api/v1/incident-settings')).body.settings;
    const bad = await t.as(admin).put('/api/v1/incident-settings', { ...settings, webhookIds: ['00000000-0000-4000-8000-000000000000'] });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].path, 'body.webhookIds.0');
  });
  test("declared from a ticket: the subject never reaches the status page, its JSON and feed, subscriber mail or webhooks", async () => {
    const secret = 'Jane Roe at Globex: payroll export shows salaries';
    await subscribed('watcher@example.org');
    const ticket = await t.make.ticket(lead, { subject: secret, requester: { email: 'jane@globex.example', name: 'Jane Roe' } });
    const res = await t.as(lead).post('/api/v1/incidents', { title: secret, severity: 'P1', originTicketId: ticket.id, components: [{ id: db.id, status: 'major_outage' }] });
    assert.equal(res.status, 201, res.raw);
    assert.equal(res.body.title, secret, 'the team keeps its own title');
    assert.equal(res.body.publicTitle, 'Service disruption', 'the public one is neutral unless the declarer names one');
    mails.length = 0;
    posts.length = 0;
    const up = await t.as(lead).post(`/api/v1/incidents/${res.body.id}/updates`, { state: 'investigating', body: 'Exports are failing.', notifySubscribers: true });
    assert.equal(up.status, 201, up.raw);
    await t.runJobs();
    const notice = mailsTo('watcher@example.org')[0];
    assert.match(notice?.subject ?? '', /\[Acme status\] Service disruption: Investigating/);
    const outputs = async () => [
      ...(await Promise.all(['/status', '/status/summary.json', '/status/incidents.json', '/status/feed.atom', `/status/incidents/${res.body.id}`].map(async (path) => (await t.request('GET', path)).raw))),
      ...mails.filter((m) => m.to !== 'jane@globex.example').map((m) => `${m.subject}\n${m.text}`),
      ...posts.map((p) => p.body),
    ];
    const seen = await outputs();
    assert.ok(seen[0]?.includes('Service disruption'));
    for (const out of seen) for (const word of ['Jane Roe', 'Globex', 'payroll']) assert.ok(!out.includes(word), `${word} leaked: ${out.slice(0, 200)}`);
    // The lead renames it publicly; the status page follows at once, still without the subject.
    const renamed = await t.as(lead).patch(`/api/v1/incidents/${res.body.id}`, { publicTitle: 'Database exports failing' });
    assert.equal(renamed.status, 200, renamed.raw);
    assert.match((await t.request('GET', '/status')).raw, /Database exports failing/);
    assert.equal((await t.as(lead).patch(`/api/v1/incidents/${res.body.id}`, { publicTitle: '  ' })).status, 400, 'an empty public title is refused');
    await t.as(lead).post(`/api/v1/incidents/${res.body.id}/updates`, { state: 'resolved', body: 'Fixed.' });
  });

  test('status mail: no transaction is open while the relay is called; a claim left by a dead process is mailed again once, never a third time', async () => {
    const inc = await declare('Database slow', [{ id: db.id, status: 'degraded_performance' }]);
    const mailer = t.services.subscribers.mailer;
    const send = mailer.send.bind(mailer);
    const claimedDuringSend: number[] = [];
    mailer.send = async (m) => {
      // Another connection sees the claim: it was committed before the relay was called.
      const r = (await t.database.db.execute(sql`select count(*)::int as n from status_deliveries d join status_subscribers s on s.id = d.subscriber_id where s.email = ${m.to} and d.status = 'sending'`)) as unknown as { rows: { n: number }[] };
      claimedDuringSend.push(r.rows[0]?.n ?? 0);
      return send(m);
    };
    try {
      mails.length = 0;
      await t.as(lead).post(`/api/v1/incidents/${inc.id}/updates`, { state: 'investigating', body: 'Slow queries.', notifySubscribers: true });
      await t.runJobs();
      assert.ok(mails.length >= 2, `sent to the database's subscribers: ${mails.map((m) => m.to)}`);
      assert.ok(claimedDuringSend.length === mails.length && claimedDuringSend.every((n) => n === 1), `claims committed before each send: ${claimedDuringSend}`);
    } finally {
      mailer.send = send;
    }
    const key = ((await t.database.db.execute(sql`select key from status_notices where key like 'incident-update:%' order by created_at desc, key limit 1`)) as unknown as { rows: { key: string }[] }).rows[0]?.key as string;
    const [victim, other] = [...new Set(mails.map((m) => m.to))].sort() as [string, string];
    const row = (email: string) => sql`notice_key = ${key} and subscriber_id = (select id from status_subscribers where email = ${email})`;
    const ago = (ms: number) => new Date(t.clock.now().getTime() - ms).toISOString();
    const statusOf = async (email: string) => ((await t.database.db.execute(sql`select status, claims from status_deliveries where ${row(email)}`)) as unknown as { rows: { status: string; claims: number }[] }).rows[0];
    // The process died after claiming (maybe after the relay took it): once the claim is stale, it is sent again.
    await t.database.db.execute(sql`update status_deliveries set status = 'sending', claims = 1, claimed_at = ${ago(10 * 60_000)}::timestamptz where ${row(victim)}`);
    mails.length = 0;
    await t.services.subscribers.sendBatch({ key, batch: 0 });
    assert.deepEqual(mails.map((m) => m.to), [victim], 'only the stale claim is sent, once more');
    assert.deepEqual(await statusOf(victim), { status: 'sent', claims: 2 });
    // It died again after the second claim: no third copy; the row says the delivery is unknown.
    await t.database.db.execute(sql`update status_deliveries set status = 'sending', claimed_at = ${ago(10 * 60_000)}::timestamptz where ${row(victim)}`);
    // A fresh claim belongs to a process still sending it: left alone, and the job retries later.
    await t.database.db.execute(sql`update status_deliveries set status = 'sending', claims = 1, claimed_at = ${ago(1_000)}::timestamptz where ${row(other)}`);
    mails.length = 0;
    await assert.rejects(t.services.subscribers.sendBatch({ key, batch: 0 }), /1 being sent elsewhere/);
    assert.equal(mails.length, 0, 'nobody mailed a third time, nothing taken from a live sender');
    assert.equal((await statusOf(victim))?.status, 'failed');
    assert.deepEqual(await statusOf(other), { status: 'sending', claims: 1 });
    await t.as(lead).post(`/api/v1/incidents/${inc.id}/updates`, { state: 'resolved', body: 'Fixed.' });
  });
  test('a subscriber changes the components they follow from the link in every notice; bad input changes nothing', async () => {
    await subscribed('picky@example.org');
    const apiDown = await declare('API errors', [{ id: api.id, status: 'partial_outage' }]);
    mails.length = 0;
    await t.as(lead).post(`/api/v1/incidents/${apiDown.id}/updates`, { state: 'investigating', body: 'Errors.', notifySubscribers: true });
    await t.runJobs();
    const notice = mailsTo('picky@example.org')[0];
    const link = linkIn(notice, '/status/subscription');
    const page = async () => (await t.request('GET', `${link.pathname}${link.search}`)).raw;
    const first = await page();
    assert.match(first, /name="scope" value="all" checked/);
    assert.doesNotMatch(first, /<script/i);
    const save = (fields: [string, string][], url = link) => t.request('POST', `${url.pathname}${url.search}`, new URLSearchParams(fields).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
    const tampered = new URL(link.href.replace(/.(?=$)/, (c) => (c === 'A' ? 'B' : 'A')));
    for (const [fields, status, code, url] of [
      [[['scope', 'some']], 422, 'INVALID_FIELD_VALUE', link],
      [[['scope', 'some'], ['component', '00000000-0000-4000-8000-000000000000']], 422, 'INVALID_REFERENCE', link],
      [[['scope', 'some'], ['component', 'web']], 422, 'INVALID_FIELD_VALUE', link],
      [[['scope', 'all']], 404, 'STATUS_LINK_INVALID', tampered],
    ] as [[string, string][], number, string, URL][]) {
      const res = await save(fields, url);
      assert.equal(res.status, status, `${JSON.stringify(fields)}: ${res.raw}`);
      assert.match(res.raw, new RegExp(`data-code="${code}"`));
    }
    assert.match(await page(), /name="scope" value="all" checked/, 'refused input changed nothing');
    const saved = await save([['scope', 'some'], ['component', web.id]]);
    assert.equal(saved.status, 200, saved.raw);
    assert.match(saved.raw, /data-step="saved"/);
    assert.match(await page(), new RegExp(`name="component" value="${web.id}" checked`));
    mails.length = 0;
    await t.as(lead).post(`/api/v1/incidents/${apiDown.id}/updates`, { state: 'identified', body: 'Found it.', notifySubscribers: true });
    const webDown = await declare('Web slow', [{ id: web.id, status: 'degraded_performance' }]);
    await t.as(lead).post(`/api/v1/incidents/${webDown.id}/updates`, { state: 'investigating', body: 'Slow pages.', notifySubscribers: true });
    await t.runJobs();
    assert.deepEqual(mailsTo('picky@example.org').map((m) => m.subject), ['[Acme status] Web slow: Investigating'], 'only the chosen component');
    // Unsubscribed: the link no longer changes anything (subscribing again is double opt-in).
    assert.equal((await use(linkIn(notice, '/status/unsubscribe'), 'List-Unsubscribe=One-Click')).status, 200);
    const after = await save([['scope', 'all']]);
    assert.equal(after.status, 422);
    assert.match(after.raw, /data-code="INVALID_TRANSITION"/);
    for (const inc of [apiDown, webDown]) await t.as(lead).post(`/api/v1/incidents/${inc.id}/updates`, { state: 'resolved', body: 'Fixed.' });
  });
});
