import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { checkTemplate, renderTemplate } from '../../src/platform/templates.js';
import { macros } from '../../src/modules/macros/macros.schema.js';
import { AppError } from '../../src/platform/errors.js';
import { type Session, startTestApp, type TestApp } from '../../src/testing/harness.js';

/**
 * Issue 10, item 2: Liquid templates (macros, trigger and automation actions, auto-replies) have no file system.
 * `{% include %}`, `{% render %}` and `{% layout %}` used to resolve against the working directory, so any agent
 * could render package.json or the embedded database. And a template that fails to parse or render is a 422
 * naming the problem, on save and on apply, never a 500.
 */
describe('security: templates cannot read files, and a bad template is a 422', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let ticket: { id: string; number: number };

  // Files that exist where the server runs: the tests' working directory holds package.json and src/.
  const secretish = /"dependencies"|"devDependencies"|loadConfig|z\.object|root:x:0:0/;
  const reading = [
    "{% include 'package.json' %}",
    '{% include "package.json" %}',
    "{%- include 'package.json' -%}",
    "{% include 'package' %}",
    "{% render 'package.json' %}",
    "{% render 'src/config.ts' %}",
    "{% render '/etc/passwd' %}",
    "{% include '../main/package.json' %}",
    "{% include './package.json' %}",
    "{% include '../../../../../../etc/passwd' %}",
    "{% include 'liquidjs' %}",
    "{% include 'liquidjs/package.json' %}",
    "{% layout 'package.json' %}Hello",
    "{% assign f = 'package.json' %}{% include f %}",
    "{% liquid include 'package.json' %}",
    "{% liquid\n  echo 'x'\n  render 'package.json'\n%}",
    "{% if true %}{% include 'package.json' %}{% endif %}",
    "{% include 'package.json' with ticket as t %}",
    "{% render 'package.json' for ticket.tags as tag %}",
  ];

  before(async () => {
    assert.ok(fs.existsSync(path.resolve('package.json')), 'the tests run where package.json is');
    t = await startTestApp();
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
    ticket = await t.make.ticket(agent, { subject: 'Printer on fire', requester: { email: 'grace@example.org' } });
  });
  after(() => t.close());

  test('a macro that includes, renders or lays out a file is refused on save (422 INVALID_TEMPLATE naming body.body); nothing is saved', async () => {
    const before = await t.count('macros');
    for (const [i, body] of reading.entries()) {
      const res = await t.as(agent).post('/api/v1/macros', { name: `Read ${i}`, body });
      assert.equal(res.status, 422, `${body}: ${res.raw}`);
      assert.equal(res.body.code, 'INVALID_TEMPLATE');
      assert.equal(res.body.errors[0].path, 'body.body');
      assert.match(res.body.errors[0].message, /is not available: templates cannot read other files/);
      assert.doesNotMatch(res.raw, secretish);
    }
    assert.equal(await t.count('macros'), before);
    const ok = await t.as(agent).post('/api/v1/macros', { name: 'Fine', body: 'Hello {{ ticket.requester.first_name }}' });
    assert.equal(ok.status, 201, ok.raw);
    const patched = await t.as(agent).patch(`/api/v1/macros/${ok.body.id}`, { body: "{% render 'package.json' %}" });
    assert.equal(patched.status, 422, patched.raw);
    assert.equal((await t.as(agent).get(`/api/v1/macros/${ok.body.id}`)).body.body, 'Hello {{ ticket.requester.first_name }}', 'unchanged');
  });

  test('a macro saved before the fix that reads a file renders as a 422, never the file', async () => {
    const now = t.clock.now();
    for (const [i, body] of reading.entries()) {
      const [row] = await t.database.db
        .insert(macros)
        .values({ name: `Old ${i}`, body, ownerId: agent.user.id, createdAt: now, updatedAt: now })
        .returning();
      const res = await t.as(agent).post(`/api/v1/tickets/${ticket.id}/macros/${row?.id}/render`);
      assert.equal(res.status, 422, `${body}: ${res.raw}`);
      assert.equal(res.body.code, 'INVALID_TEMPLATE');
      assert.equal(res.body.errors[0].path, 'body');
      assert.doesNotMatch(res.raw, secretish, body);
    }
  });

  test('triggers, automations and auto-replies refuse file-reading templates on save, naming the field', async () => {
    const body = "Hi {% include 'package.json' %}";
    const trigger = await t.as(admin).post('/api/v1/triggers', { name: 'Leak', events: ['created'], actions: [{ type: 'note', body }] });
    assert.equal(trigger.status, 422, trigger.raw);
    assert.equal(trigger.body.errors[0].path, 'body.actions.0.body');
    const mail = await t.as(admin).post('/api/v1/triggers', { name: 'Leak by mail', events: ['created'], actions: [{ type: 'email', to: 'x@example.org', subject: "{% render 'src/config.ts' %}", body: 'x' }] });
    assert.equal(mail.status, 422, mail.raw);
    assert.equal(mail.body.errors[0].path, 'body.actions.0.subject');
    const automation = await t.as(admin).post('/api/v1/automations', { name: 'Leak later', condition: { all: [{ field: 'status', op: 'is', value: 'pending' }, { field: 'hours_since_updated', op: 'gt', value: 48 }] }, actions: [{ type: 'reply', body }] });
    assert.equal(automation.status, 422, automation.raw);
    assert.equal(automation.body.errors[0].path, 'body.actions.0.body');
    const address = await t.as(admin).post('/api/v1/email/addresses', { address: 'help@example.org', name: 'Help', autoReplyBody: "{% layout 'package.json' %}x" });
    assert.equal(address.status, 422, address.raw);
    assert.equal(address.body.code, 'INVALID_TEMPLATE');
    assert.equal(address.body.errors[0].path, 'body.autoReplyBody');
  });

  test('a template that fails while rendering (render or memory limit, output too large) is a 422 on apply, naming the body', async () => {
    for (const body of [
      '{% for i in (1..100000000) %}{{ i }}{% endfor %}',
      '{% tablerow i in (1..10000000) %}{{ i }}{% endtablerow %}',
      "{% assign a = 'xy' %}{% for i in (1..40) %}{% assign a = a | append: a %}{% endfor %}{{ a }}",
      '{% for i in (1..60000) %}0123456789{% endfor %}',
    ]) {
      const saved = await t.as(agent).post('/api/v1/macros', { name: `Heavy ${body.length}`, body });
      assert.equal(saved.status, 201, saved.raw);
      const started = Date.now();
      const res = await t.as(agent).post(`/api/v1/tickets/${ticket.id}/macros/${saved.body.id}/render`);
      assert.equal(res.status, 422, `${body}: ${res.raw.slice(0, 300)}`);
      assert.equal(res.body.code, 'INVALID_TEMPLATE');
      assert.equal(res.body.errors[0].path, 'body');
      assert.match(res.body.detail, /could not be rendered/);
      assert.ok(Date.now() - started < 5_000, 'bounded in time');
    }
    const unknownFilter = await t.as(agent).post('/api/v1/macros', { name: 'Typo', body: '{{ ticket.subject | upcasee }}' });
    assert.equal(unknownFilter.status, 422);
    assert.match(unknownFilter.body.errors[0].message, /undefined filter: upcasee/);
  });

  test('a trigger whose template fails while rendering leaves a note saying so; the ticket is still created', async () => {
    const trigger = await t.as(admin).post('/api/v1/triggers', {
      name: 'Heavy note',
      events: ['created'],
      condition: { field: 'tags', op: 'includes_any', value: ['heavy'] },
      actions: [{ type: 'note', body: '{% for i in (1..100000000) %}{{ i }}{% endfor %}' }],
    });
    assert.equal(trigger.status, 201, trigger.raw);
    const tk = await t.make.ticket(agent, { subject: 'Heavy', requester: { email: 'grace@example.org' }, tags: ['heavy'] });
    await t.runJobs();
    const notes = (await t.as(agent).get(`/api/v1/tickets/${tk.id}/messages`)).body.items.filter((m: { public: boolean }) => !m.public) as { bodyText: string }[];
    assert.equal(notes.length, 1, JSON.stringify(notes));
    assert.match(notes[0]?.bodyText ?? '', /Heavy note.*could not note: The template in note body could not be rendered: memory alloc limit exceeded/);
  });

  test('an address whose auto-reply fails while rendering still opens the ticket, acknowledged with the default auto-reply', async () => {
    const token = (await t.as(admin).post('/api/v1/tokens', { name: 'relay', scopes: ['inbound:email'] })).body.token;
    // Saved before: it parses, and fails only when rendered.
    await t.database.db.execute(sql`update email_addresses set auto_reply_body = '{% for i in (1..99999999) %}{{ i }}{% endfor %}'`);
    const raw = ['From: Ada Field <ada.field@example.org>', 'To: support@localhost', 'Subject: Tablet will not charge', 'Message-ID: <broken-auto-reply@example.org>', '', 'It stopped charging.', ''].join('\r\n');
    const res = await t.request('POST', '/api/v1/inbound/email?to=support@localhost', raw, { authorization: `Bearer ${token}`, 'content-type': 'message/rfc822' });
    assert.equal(res.status, 202, res.raw);
    await t.runJobs();
    const [stored] = (await t.as(admin).get('/api/v1/inbound/emails')).body.items as { status: string; error: string | null }[];
    assert.equal(stored?.status, 'processed', stored?.error ?? '');
    const tk = ((await t.as(agent).get('/api/v1/tickets?limit=100')).body.items as { id: string; subject: string }[]).find((x) => x.subject === 'Tablet will not charge');
    assert.ok(tk, 'the ticket was opened');
    const outbox = (await t.as(admin).get(`/api/v1/outbox?ticketId=${tk.id}`)).body.items as { bodyText: string }[];
    assert.equal(outbox.length, 1);
    assert.match(outbox[0]?.bodyText ?? '', /We have received your request/);
  });

  test('fuzz: any template either saves and renders, or is an INVALID_TEMPLATE — nothing else escapes', async () => {
    const piece = fc.oneof(
      fc.string({ maxLength: 5 }),
      fc.constantFrom('{{', '}}', '{%', '%}', ' ', '|', ':', ',', '.', '=', '"a"', '(1..5)', 'ticket', 'subject', 'tags', 'for', 'in', 'endfor', 'if', 'endif', 'assign', 'capture', 'endcapture'),
      fc.constantFrom('cycle', 'tablerow', 'endtablerow', 'liquid', 'echo', 'raw', 'endraw', 'include', 'render', 'layout', 'block', 'date', 'split', 'slice', 'where', 'map', 'sort', 'json', 'size', 'first', 'constructor', '__proto__', 'forloop', 'offset', 'limit'),
      fc.constantFrom("{% include 'nothing-here' %}", "{% render 'a/b' %}", '{% for i in (1..9999999) %}{{ i }}{% endfor %}', "{{ 'x' | append: 'y' }}"),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 20 }), async (parts) => {
        const source = parts.join('');
        try {
          checkTemplate(source, 'body');
        } catch (err) {
          assert.ok(err instanceof AppError && err.code === 'INVALID_TEMPLATE', `${JSON.stringify(source)}: ${err}`);
          return;
        }
        await renderTemplate(source, { ticket: { subject: 'Hi', number: 3, tags: ['a', 'b'] } }, 'body').catch((err) => {
          assert.ok(err instanceof AppError && err.code === 'INVALID_TEMPLATE', `${JSON.stringify(source)}: ${err}`);
        });
      }),
      { numRuns: 1000 },
    );
  });

  test('good templates still render', async () => {
    const saved = await t.as(agent).post('/api/v1/macros', { name: 'Greeting', body: 'Hi {{ ticket.requester.first_name }}, about #{{ ticket.number }}: {{ ticket.subject | upcase }}' });
    const res = await t.as(agent).post(`/api/v1/tickets/${ticket.id}/macros/${saved.body.id}/render`);
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.body.body, `Hi grace, about #${ticket.number}: PRINTER ON FIRE`);
  });
});
