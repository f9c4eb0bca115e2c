import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sql } from 'drizzle-orm';
import type { TestApp } from '../../src/testing/harness.js';
import { browserMissing, PASSWORD, screenshot, signInPage, startBrowserApp, stopBrowserApp } from './browser.js';

// Security follow-ups in the app. It ignored the stream's `event: closed`: a session ended elsewhere left the page
// showing "reconnecting" forever (and stale); a stream closed for too many tabs was reopened at once by the
// browser, evicting another tab's in turn. The Dead jobs screen showed at most 200 jobs.

const skip = browserMissing();

describe('the live stream and the Dead jobs screen in a real browser', { skip }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  before(async () => {
    ({ t, base, browser } = await startBrowserApp({ STREAM_MAX_PER_USER: '2' }));
    await t.services.people.createUser({ email: 'priya@example.org', name: 'Priya Raman', role: 'agent', password: PASSWORD });
    await t.services.people.createUser({ email: 'ada@example.org', name: 'Ada Admin', role: 'admin', password: PASSWORD });
  });
  after(() => stopBrowserApp(t, browser));

  async function signedIn(who = 'priya'): Promise<{ context: BrowserContext; page: Page; cookie: string }> {
    const { context, page } = await signInPage(browser, base, `${who}@example.org`);
    const cookie = (await context.cookies()).find((c) => c.name === 'lifeline_session')?.value as string;
    return { context, page, cookie: `lifeline_session=${cookie}` };
  }

  /** Counts the stream requests the page makes (each EventSource (re)connection is one). */
  function countStreams(page: Page): () => number {
    let n = 0;
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/v1/stream') n++;
    });
    return () => n;
  }

  test('a session ended elsewhere: the stream says so, the page asks to sign in at once, and stops reconnecting', async () => {
    const { context, page, cookie } = await signedIn();
    await page.getByRole('heading', { name: 'New / unassigned' }).waitFor();
    const streams = countStreams(page);
    const me = await t.request('GET', '/api/v1/me', undefined, { cookie });
    assert.equal((await t.request('DELETE', '/api/v1/session', undefined, { cookie, 'x-csrf-token': me.body.csrfToken })).status, 204);
    // The list page makes no other request for a minute: only the stream's `closed` event can tell it.
    const dialog = page.getByRole('dialog', { name: 'Your session has ended' });
    await dialog.waitFor({ timeout: 5_000 });
    await page.waitForTimeout(4_000); // longer than EventSource's own reconnection delay
    assert.equal(streams(), 0, 'no reconnection with the dead session');
    await screenshot(page, 'stream-session-ended');
    // Signing in again brings live updates back.
    await dialog.getByLabel(/^Password/).fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await dialog.waitFor({ state: 'detached' });
    const fresh = await t.make.ticket(await t.signIn('admin'), { subject: 'Arrived after signing in again', description: 'Details.', requester: { email: 'grace@example.org' } });
    await page.getByTestId('ticket-row').filter({ hasText: fresh.subject }).waitFor({ timeout: 10_000 });
    await context.close();
  });

  test('a tab whose stream was closed for too many tabs says why and reconnects only when asked', async () => {
    const { context, page, cookie } = await signedIn();
    await page.getByRole('heading', { name: 'New / unassigned' }).waitFor();
    await page.waitForTimeout(500);
    const streams = countStreams(page);
    // Two more streams of the same session (the limit is 2): the page's, the oldest, is closed.
    const others = [new AbortController(), new AbortController()];
    for (const c of others) {
      const res = await fetch(`${base}/api/v1/stream`, { headers: { cookie }, signal: c.signal });
      assert.equal(res.status, 200);
    }
    const notice = page.getByRole('status').filter({ hasText: 'Live updates are paused' });
    await notice.waitFor({ timeout: 5_000 });
    await page.waitForTimeout(4_000);
    assert.equal(streams(), 0, 'no reconnection by itself');
    for (const c of others) c.abort();
    await notice.getByRole('button', { name: 'Resume live updates' }).click();
    await notice.waitFor({ state: 'detached' });
    assert.equal(streams(), 1);
    await context.close();
  });

  test('Dead jobs: a page at a time, "Show more" (by keyboard) brings the rest, a retry takes one off', async () => {
    await t.database.db.execute(sql`
      insert into jobs (kind, payload, status, run_at, created_at, finished_at, attempts, max_attempts, last_error)
      select 'webhook.deliver', jsonb_build_object('n', i), 'failed', now(), now(), now() - i * interval '1 second', 8, 8, 'connect ECONNREFUSED'
      from generate_series(1, 63) as i`);
    const { context, page } = await signedIn('ada');
    await page.goto(`${base}/admin/jobs`);
    await page.getByRole('heading', { name: 'Dead jobs' }).waitFor();
    const rows = page.getByRole('button', { name: /^Retry job / });
    await rows.nth(49).waitFor();
    assert.equal(await rows.count(), 50);
    const more = page.getByRole('button', { name: 'Show more dead jobs' });
    await more.focus();
    await page.keyboard.press('Enter');
    await rows.nth(62).waitFor();
    await more.waitFor({ state: 'detached' });
    assert.equal(await rows.count(), 63);
    await screenshot(page, 'dead-jobs-paged');
    const last = (await rows.nth(62).getAttribute('aria-label')) as string;
    await rows.nth(62).click();
    await page.getByRole('button', { name: last }).waitFor({ state: 'detached' });
    assert.equal(await rows.count(), 62);
    await context.close();
  });
});
