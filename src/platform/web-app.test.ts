import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import Fastify from 'fastify';
import { startTestApp, type TestApp } from '../testing/harness.js';
import { installResponseSerializer } from './responses.js';

describe('the agent app is served by the same process', () => {
  let t: TestApp;
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-web-'));

  before(async () => {
    fs.mkdirSync(path.join(dist, 'assets'));
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Lifeline</title><div id="root"></div>');
    fs.writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), 'console.log("app")');
    t = await startTestApp({}, { webDist: dist });
  });
  after(async () => {
    await t.close();
    fs.rmSync(dist, { recursive: true, force: true });
  });

  test('/ and every app route get index.html; assets are cached for good; the API keeps its 404 problems', async () => {
    for (const url of ['/', '/tickets/1042', '/views/triage', '/admin/users?x=1']) {
      const res = await t.request('GET', url);
      assert.equal(res.status, 200, url);
      assert.match(String(res.headers['content-type']), /text\/html/);
      assert.match(res.raw, /<div id="root">/);
      assert.equal(res.headers['cache-control'], 'no-cache', 'a new build is picked up at once');
    }
    const asset = await t.request('GET', '/assets/index-abc123.js');
    assert.equal(asset.status, 200);
    assert.match(String(asset.headers['cache-control']), /immutable/);
    const api = await t.request('GET', '/api/v1/nothing-here');
    assert.equal(api.status, 404);
    assert.equal(api.body.code, 'NOT_FOUND');
    assert.equal((await t.request('GET', '/assets/missing.js')).status, 404);
  });
});

describe('unbuilt, the root page says how to build the app', () => {
  test('a hint instead of a blank page', async () => {
    const t = await startTestApp();
    try {
      const res = await t.request('GET', '/');
      assert.equal(res.status, 200);
      assert.match(res.raw, /npm run build:web/);
    } finally {
      await t.close();
    }
  });
});

describe('response schemas are checked in tests', () => {
  test('a response that does not match its declared schema fails loudly when checking is on, and passes through when off', async () => {
    for (const validate of [true, false]) {
      const app = Fastify({ logger: false });
      installResponseSerializer(app, validate);
      app.get('/x', { schema: { response: { 200: z.object({ id: z.uuid(), at: z.iso.datetime({ offset: true }) }) } } }, async () => ({ id: 'not-a-uuid', at: new Date() }));
      app.get('/ok', { schema: { response: { 200: z.object({ at: z.iso.datetime({ offset: true }) }) } } }, async () => ({ at: new Date('2026-01-01T00:00:00Z'), extra: 1 }));
      const bad = await app.inject('/x');
      assert.equal(bad.statusCode, validate ? 500 : 200);
      const ok = await app.inject('/ok');
      assert.equal(ok.statusCode, 200);
      assert.deepEqual(JSON.parse(ok.body), { at: '2026-01-01T00:00:00.000Z', extra: 1 }, 'the body is what the handler returned, as JSON');
      await app.close();
    }
  });
});
