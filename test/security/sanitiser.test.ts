import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { classifyImageSource, sanitize, sanitizeEmailHtml } from '../../src/platform/html.js';
import { type Session, startTestApp, type TestApp } from '../../src/testing/harness.js';

/**
 * Issue 10, item 17: customers' HTML must not make agents' browsers call out or call Lifeline's own API. Remote
 * images in customer content (API, portal, email) are held in the inert `data-remote-src` attribute until an
 * agent asks to see them; image paths are normalised (dot segments, percent-encodings, backslashes) before the
 * attachment allow-list is checked, and written back in canonical form.
 */
const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const ESCAPES = [
  '/api/v1/attachments/../../api/v1/me',
  `/api/v1/attachments/${ID}/../../../api/v1/me`,
  '/api/v1/attachments/%2e%2e/%2e%2e/api/v1/me',
  '/api/v1/attachments/%2E%2E/%2E%2E/api/v1/me',
  '/api/v1/attachments/..%2f..%2fapi%2fv1%2fme',
  '/api/v1/attachments/%252e%252e/%252e%252e/api/v1/me',
  '\\api\\v1\\attachments\\..\\..\\api\\v1\\me',
  '/api/v1/attachments/..\\..\\api/v1/me',
  '/api/v1/attachments/.%2e/.%2e/api/v1/me',
  '/api/v1/attachments/',
  '/api/v1/me',
  'api/v1/me',
  '/api/v1/session?logout=1',
  'javascript:alert(1)',
  ' javascript:alert(1)',
  'vbscript:x',
  'https://user:secret@tracker.example/p.gif',
];
const REMOTE = [
  ['https://tracker.example/p.gif?who=agent', 'https://tracker.example/p.gif?who=agent'],
  ['http://tracker.example/p.gif', 'http://tracker.example/p.gif'],
  ['//tracker.example/p.gif', 'https://tracker.example/p.gif'],
  ['/\\tracker.example/p.gif', 'https://tracker.example/p.gif'],
  ['\\\\tracker.example/p.gif', 'https://tracker.example/p.gif'],
  [' https://tracker.example/p.gif', 'https://tracker.example/p.gif'],
  ['ht\ntps://tracker.example/p.gif', 'https://tracker.example/p.gif'],
  ['HTTPS://TRACKER.example/p.gif', 'https://tracker.example/p.gif'],
] as const;

describe('security: the sanitiser holds remote images and keeps image paths to attachments', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let customer: Session;
  let relayToken: string;

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
    customer = await t.signIn('customer');
    relayToken = (await t.as(admin).post('/api/v1/tokens', { name: 'mail relay', scopes: ['inbound:email'] })).body.token;
  });
  after(() => t.close());

  const messages = async (ticketId: string) => (await t.as(agent).get(`/api/v1/tickets/${ticketId}/messages`)).body.items as { bodyHtml: string; author: { id: string } | null }[];
  const imgs = (html: string) => html.match(/<img[^>]*>/g) ?? [];
  /** Every <img> either loads nothing (held) or loads one of Lifeline's attachments by its canonical path or a data URI. */
  const assertNoCallOut = (html: string, what: string) => {
    for (const img of imgs(html)) {
      const src = /\ssrc="([^"]*)"/.exec(img)?.[1];
      if (src === undefined) continue;
      assert.match(src, new RegExp(`^(/api/v1/attachments/${ID}|data:image/)`), `${what}: ${img}`);
    }
    assert.doesNotMatch(html, /api\/v1\/me|javascript:|vbscript:|secret@/i, what);
  };

  test('image paths that climb out of /api/v1/attachments/ are dropped, in every sanitiser and every mode', () => {
    for (const src of ESCAPES) {
      const html = `<p>Look <img src="${src}" alt="x"></p>`;
      for (const [name, out] of [
        ['sanitize', sanitize(html)],
        ['sanitize (customer)', sanitize(html, { remoteImages: 'hold' })],
        ['sanitizeEmailHtml', sanitizeEmailHtml(html)],
      ] as const) {
        assert.deepEqual(imgs(out), [], `${name}: ${src} → ${out}`);
      }
      assert.equal(classifyImageSource(src), null, src);
    }
  });

  test('an attachment path is kept in canonical form, however it was spelled', () => {
    for (const src of [`/api/v1/attachments/${ID}`, `\\api\\v1\\attachments\\${ID}`, `/api/v1/%61ttachments/${ID}`, `/api/v1/x/../attachments/${ID}`, `/api/v1/attachments/${ID.toUpperCase()}?download=1#x`]) {
      for (const out of [sanitize(`<img src="${src}">`), sanitize(`<img src="${src}">`, { remoteImages: 'hold' }), sanitizeEmailHtml(`<img src="${src}">`)]) {
        assert.equal(out, `<img src="/api/v1/attachments/${ID}" />`, src);
      }
    }
  });

  test('remote images are held as data-remote-src for customers and email, and stay for agents (https only)', () => {
    for (const [src, url] of REMOTE) {
      const held = `<img data-remote-src="${url}" />`;
      assert.equal(sanitize(`<img src="${src}">`, { remoteImages: 'hold' }), held, src);
      assert.equal(sanitizeEmailHtml(`<img src="${src}">`), held, src);
      assert.equal(sanitize(`<img src="${src}">`), url.startsWith('https:') ? `<img src="${url}" />` : '', src);
    }
    // A held image is never turned back into a src (sanitising twice, or an agent's mode), and only ever holds an http(s) URL.
    const held = sanitizeEmailHtml('<img src="https://tracker.example/p.gif">');
    assert.equal(sanitize(held), held);
    assert.equal(sanitize(sanitize(held, { remoteImages: 'hold' })), held);
    for (const smuggled of ['/api/v1/me', 'javascript:alert(1)', '../../api/v1/me', 'data:text/html,x']) {
      assert.deepEqual(imgs(sanitize(`<img data-remote-src="${smuggled}">`, { remoteImages: 'hold' })), [], smuggled);
    }
    assert.equal(sanitize('<img src="https://a.example/x.png" data-remote-src="/api/v1/me">', { remoteImages: 'hold' }), '<img data-remote-src="https://a.example/x.png" />');
  });

  test('a customer’s ticket and reply by API (HTML and Markdown) hold remote images and lose escaping paths', async () => {
    const body = [...ESCAPES.map((s) => `<img src="${s}">`), ...REMOTE.map(([s]) => `<img src="${s}">`), `<img src="/api/v1/attachments/${ID}">`].join('');
    const tk = await t.make.ticket(customer, { subject: 'HTML from a customer', description: `<p>Hi</p>${body}`, format: 'html' });
    const markdown = `Hi ![a](https://tracker.example/md.gif) ![b](/api/v1/attachments/../../api/v1/me) ![c](//tracker.example/x.gif)`;
    const reply = await t.as(customer).post(`/api/v1/tickets/${tk.id}/messages`, { body: markdown });
    assert.equal(reply.status, 201, reply.raw);
    // Both messages have the same (fake) time: tell them apart by content, not order.
    const all = await messages(tk.id);
    const first = all.find((m) => m.bodyHtml.startsWith('<p>Hi</p>'));
    const second = all.find((m) => m.bodyHtml.includes('md.gif'));
    assertNoCallOut(first?.bodyHtml ?? '', 'ticket');
    assertNoCallOut(second?.bodyHtml ?? '', 'reply');
    assert.equal(imgs(first?.bodyHtml ?? '').filter((i) => i.includes('data-remote-src="https://tracker.example/p.gif')).length, 7);
    assert.ok(first?.bodyHtml.includes(`<img src="/api/v1/attachments/${ID}" />`), 'the attachment stays');
    assert.match(second?.bodyHtml ?? '', /<img[^>]*data-remote-src="https:\/\/tracker\.example\/md\.gif"/);
    assert.match(second?.bodyHtml ?? '', /<img[^>]*data-remote-src="https:\/\/tracker\.example\/x\.gif"/);
  });

  test('an email’s HTML holds remote images the same way, and drops escaping paths', async () => {
    const html = `<p>From the field</p><img src="https://tracker.example/mail.gif"><img src="/api/v1/attachments/../../api/v1/me"><img src="\\api\\v1\\attachments\\..\\..\\api\\v1\\me"><img src="//tracker.example/2.gif">`;
    const raw = ['From: field@example.org', 'To: support@localhost', 'Subject: HTML by mail', 'MIME-Version: 1.0', 'Content-Type: text/html; charset=utf-8', '', html, ''].join('\r\n');
    const res = await t.request('POST', '/api/v1/inbound/email?to=support@localhost', raw, { authorization: `Bearer ${relayToken}`, 'content-type': 'message/rfc822' });
    assert.equal(res.status, 202, res.raw);
    await t.runJobs();
    const tk = ((await t.as(agent).get('/api/v1/tickets?limit=100')).body.items as { id: string; subject: string }[]).find((x) => x.subject === 'HTML by mail');
    assert.ok(tk);
    const [m] = await messages(tk.id);
    assertNoCallOut(m?.bodyHtml ?? '', 'email');
    assert.match(m?.bodyHtml ?? '', /<img data-remote-src="https:\/\/tracker\.example\/mail\.gif" \/>/);
    assert.match(m?.bodyHtml ?? '', /<img data-remote-src="https:\/\/tracker\.example\/2\.gif" \/>/);
  });

  test('an agent’s own https image stays (it is mailed to the customer too); escaping paths are dropped for agents as well', async () => {
    const tk = await t.make.ticket(agent, {
      subject: 'From an agent',
      requester: { email: 'grace@example.org' },
      description: '<p>See <img src="https://docs.example.org/step1.png"><img src="/api/v1/attachments/../../api/v1/me"></p>',
      format: 'html',
    });
    const [m] = await messages(tk.id);
    assert.equal(m?.bodyHtml, '<p>See <img src="https://docs.example.org/step1.png" /></p>');
  });
});
