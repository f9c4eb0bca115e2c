import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ConsoleMessage } from 'playwright-core';
import { type Res, startTestApp, type TestApp } from '../../src/testing/harness.js';
import viteConfig from '../../web/vite.config.js';
import { browserMissing, buildWebApp, launchChromium } from '../e2e/browser.js';

// Issue 10, item 11: no security headers. The app gets a Content-Security-Policy without inline script and
// frame-ancestors 'none'; every answer (the app, the API's JSON, errors) gets nosniff, X-Frame-Options and a
// Referrer-Policy; HSTS when Lifeline is served over https; production builds publish no source maps.

function directives(res: Res): Map<string, string[]> {
  const csp = String(res.headers['content-security-policy'] ?? '');
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name as string, values]),
  );
}

function assertCheapHeaders(res: Res, what: string) {
  assert.equal(res.headers['x-content-type-options'], 'nosniff', what);
  assert.equal(res.headers['x-frame-options'], 'DENY', what);
  assert.equal(res.headers['referrer-policy'], 'strict-origin-when-cross-origin', what);
}

describe('served over http', () => {
  let t: TestApp;
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-headers-'));
  before(async () => {
    fs.mkdirSync(path.join(dist, 'assets'));
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Lifeline</title><div id="root"></div><script type="module" src="/assets/index-abc.js"></script>');
    fs.writeFileSync(path.join(dist, 'assets', 'index-abc.js'), 'console.log("app")');
    fs.writeFileSync(path.join(dist, 'assets', 'index-abc.js.map'), '{"version":3,"sources":["../src/secret.ts"]}');
    t = await startTestApp({}, { webDist: dist });
  });
  after(async () => {
    await t.close();
    fs.rmSync(dist, { recursive: true, force: true });
  });

  test('the app has a Content-Security-Policy: own origin only, no inline script, never framed', async () => {
    for (const url of ['/', '/tickets/1042']) {
      const res = await t.request('GET', url);
      assert.equal(res.status, 200);
      assertCheapHeaders(res, url);
      const csp = directives(res);
      assert.deepEqual(csp.get('default-src'), ["'self'"], url);
      assert.deepEqual(csp.get('script-src'), ["'self'"], 'no inline script, no eval');
      // Mantine writes <style> tags at run time: styles need 'unsafe-inline' (docs/security.md says so).
      assert.deepEqual(csp.get('style-src'), ["'self'", "'unsafe-inline'"]);
      // https: only so that a held-back remote image can be shown when an agent asks (item 17).
      assert.deepEqual(csp.get('img-src'), ["'self'", 'data:', 'blob:', 'https:']);
      assert.deepEqual(csp.get('connect-src'), ["'self'"]);
      assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
      assert.deepEqual(csp.get('base-uri'), ["'none'"]);
      assert.deepEqual(csp.get('form-action'), ["'self'"]);
      assert.deepEqual(csp.get('object-src'), ["'none'"]);
      assert.equal(res.headers['strict-transport-security'], undefined, 'no HSTS over plain http');
    }
    assertCheapHeaders(await t.request('GET', '/assets/index-abc.js'), 'an asset');
  });

  test('API answers, errors included, get the cheap headers and a policy that allows nothing', async () => {
    const agent = await t.signIn('agent');
    const answers: [string, Res][] = [
      ['health', await t.request('GET', '/api/v1/health')],
      ['a list', await t.as(agent).get('/api/v1/tickets')],
      ['401', await t.request('GET', '/api/v1/tickets')],
      ['404', await t.request('GET', '/api/v1/nothing-here')],
      ['400', await t.as(agent).post('/api/v1/tickets', { subject: '' })],
    ];
    for (const [what, res] of answers) {
      assertCheapHeaders(res, what);
      const csp = directives(res);
      assert.deepEqual(csp.get('default-src'), ["'none'"], what);
      assert.deepEqual(csp.get('frame-ancestors'), ["'none'"], what);
    }
  });

  test('an attachment keeps its own sandboxed policy', async () => {
    const agent = await t.signIn('agent');
    const up = await t.request('POST', '/api/v1/attachments?filename=a.png', Buffer.from('\x89PNG\r\n\x1a\nxxxx'), { ...agent.headers, 'content-type': 'image/png' });
    assert.equal(up.status, 201, up.raw);
    const tk = await t.make.ticket(agent);
    await t.as(agent).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'see attached', attachmentIds: [up.body.id] });
    const res = await t.as(agent).get(`/api/v1/attachments/${up.body.id}`);
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.headers['content-security-policy'], "default-src 'none'; sandbox");
    assertCheapHeaders(res, 'attachment');
  });

  test('source maps are neither built nor served', async () => {
    assert.equal((viteConfig as { build?: { sourcemap?: unknown } }).build?.sourcemap, false);
    const res = await t.request('GET', '/assets/index-abc.js.map');
    assert.equal(res.status, 404);
    assert.doesNotMatch(res.raw, /secret\.ts/);
  });

  test('the API docs page gets a policy that lets it run (its scripts are files, not inline)', async () => {
    const res = await t.request('GET', '/api/docs/');
    assert.equal(res.status, 200);
    assertCheapHeaders(res, 'docs');
    assert.deepEqual(directives(res).get('script-src'), ["'self'"]);
    const inline = [...res.raw.matchAll(/<script(?![^>]*\ssrc=)[^>]*>/g)];
    assert.deepEqual(inline, [], 'no inline script on the docs page');
  });
});

describe('served over https', () => {
  test('HSTS on the app and on the API', async () => {
    const t = await startTestApp({ PUBLIC_URL: 'https://help.example.org' });
    try {
      for (const url of ['/', '/api/v1/health', '/api/v1/nothing-here']) {
        const res = await t.request('GET', url);
        assert.match(String(res.headers['strict-transport-security']), /^max-age=\d{8,}/, url);
      }
    } finally {
      await t.close();
    }
  });
});

describe('in a browser', { skip: browserMissing() }, () => {
  test('the built app and the API docs run under their policies with no violation', async () => {
    const webDist = buildWebApp();
    // The production build itself: no inline script, no source maps.
    const html = fs.readFileSync(path.join(webDist, 'index.html'), 'utf8');
    assert.deepEqual([...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>/g)], [], 'an inline script in the built index.html');
    const t = await startTestApp({}, { webDist });
    const browser = await launchChromium();
    try {
      // An admin: with none yet, the app at / offers first-run setup instead of signing in.
      await t.services.people.createUser({ email: 'csp@example.org', name: 'Csp Admin', role: 'admin', password: 'correct horse battery' });
      const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (m: ConsoleMessage) => {
        if (/Content Security Policy|Content-Security-Policy/i.test(m.text())) violations.push(m.text());
      });
      await page.exposeFunction('reportViolation', (v: string) => violations.push(v));
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { reportViolation: (v: string) => void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`));
      });
      await page.goto(`${base}/`);
      await page.getByLabel(/^Email/).fill('csp@example.org');
      await page.getByLabel(/^Password/).fill('correct horse battery');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Views' }).waitFor({ timeout: 15_000 });
      // Mantine's run-time <style> tags are applied (style-src 'unsafe-inline'): its CSS variables are defined.
      assert.notEqual(await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--mantine-color-teal-6').trim()), '');
      await page.goto(`${base}/api/docs/`);
      await page.getByText('Lifeline API').first().waitFor({ timeout: 15_000 });
      assert.deepEqual(violations, []);
    } finally {
      await browser.close();
      await t.close();
    }
  });
});
