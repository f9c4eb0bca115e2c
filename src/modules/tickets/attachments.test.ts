import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

let t: TestApp;
let agent: Session;
let customer: Session;
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

before(async () => {
  t = await startTestApp({ MAX_ATTACHMENT_BYTES: String(64 * 1024) });
  agent = await t.signIn('agent');
  customer = await t.signIn('customer');
});
after(() => t.close());

async function upload(who: Session, data: Buffer | string, filename: string, type: string) {
  return t.request('POST', `/api/v1/attachments?filename=${encodeURIComponent(filename)}`, data, { ...who.headers, 'content-type': type });
}

describe('attachments', () => {
  test('a customer uploads a screenshot, attaches it to a reply, and the agent downloads the same bytes', async () => {
    const up = await upload(customer, PNG, 'screen shot.png', 'image/png');
    assert.equal(up.status, 201);
    assert.equal(up.body.size, PNG.length);
    const tk = await t.make.ticket(customer, { attachmentIds: [up.body.id] });
    const msgs = await t.as(agent).get(`/api/v1/tickets/${tk.id}/messages`);
    assert.equal(msgs.body.items[0].attachments[0].filename, 'screen shot.png');
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/attachments/${up.body.id}`, headers: agent.headers });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.rawPayload, PNG);
    assert.equal(res.headers['content-type'], 'image/png');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.match(String(res.headers['content-disposition']), /^inline; filename="screen shot.png"/);
  });

  test('HTML and scripts are never served as such: they download as octet-stream, sandboxed', async () => {
    const up = await upload(customer, '<script>alert(document.cookie)</script>', '../../evil.html', 'text/html');
    assert.equal(up.status, 201);
    assert.equal(up.body.filename, 'evil.html');
    await t.make.ticket(customer, { attachmentIds: [up.body.id] });
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/attachments/${up.body.id}`, headers: agent.headers });
    assert.equal(res.headers['content-type'], 'application/octet-stream');
    assert.match(String(res.headers['content-disposition']), /^attachment;/);
    assert.match(String(res.headers['content-security-policy']), /sandbox/);
  });

  test('an upload over the limit is a 413; an empty one a 400', async () => {
    const before = await t.count('attachments');
    const big = await upload(customer, Buffer.alloc(64 * 1024 + 1, 1), 'big.bin', 'application/octet-stream');
    assert.equal(big.status, 413);
    assert.equal(big.body.code, 'PAYLOAD_TOO_LARGE');
    const empty = await upload(customer, Buffer.alloc(0), 'empty.txt', 'text/plain');
    assert.equal(empty.status, 400);
    assert.equal(await t.count('attachments'), before);
  });

  test("nobody can attach or download someone else's file", async () => {
    const other = await t.signIn('customer');
    const up = await upload(customer, 'private', 'private.txt', 'text/plain');
    const steal = await t.as(other).post('/api/v1/tickets', { subject: 's', description: 'd', attachmentIds: [up.body.id] });
    assert.equal(steal.status, 422);
    assert.equal((await t.as(other).get(`/api/v1/attachments/${up.body.id}`)).status, 404);
    const tk = await t.make.ticket(customer, { attachmentIds: [up.body.id] });
    assert.ok(tk.id);
    assert.equal((await t.as(other).get(`/api/v1/attachments/${up.body.id}`)).status, 404);
    // Used once: it cannot be attached again elsewhere.
    assert.equal((await t.as(customer).post('/api/v1/tickets', { subject: 's', description: 'd', attachmentIds: [up.body.id] })).status, 422);
  });

  test('attachments on internal notes stay internal', async () => {
    const tk = await t.make.ticket(customer);
    const up = await upload(agent, 'internal log', 'log.txt', 'text/plain');
    await t.as(agent).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'log attached', public: false, attachmentIds: [up.body.id] });
    assert.equal((await t.as(customer).get(`/api/v1/attachments/${up.body.id}`)).status, 404);
    assert.equal((await t.as(agent).get(`/api/v1/attachments/${up.body.id}`)).status, 200);
  });
});
