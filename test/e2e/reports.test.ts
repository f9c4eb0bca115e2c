import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { rowsOf } from '../../src/db/client.js';
import type { Session, TestApp } from '../../src/testing/harness.js';
import { browserMissing, PASSWORD, screenshot, startBrowserApp, stopBrowserApp } from './browser.js';

const skip = browserMissing();

describe('reports in a real browser', { skip }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let admin: Session;
  let numbers: number[] = [];

  before(async () => {
    ({ t, base, browser } = await startBrowserApp());
    admin = await t.signIn('admin');
    await t.services.people.createUser({ email: 'lead@example.org', name: 'Lee Lead', role: 'admin', password: PASSWORD });
    // Monday 09:00: two tickets; one answered at 09:30 and solved at 10:00.
    const a = await t.make.ticket(admin, { subject: 'Cannot log in', requester: { email: 'ann@example.org', name: 'Ann' }, tags: ['login'] });
    const b = await t.make.ticket(admin, { subject: 'Invoice is wrong', requester: { email: 'bob@example.org', name: 'Bob' }, tags: ['billing'] });
    numbers = [a.number, b.number];
    t.clock.set('2026-03-02T09:30:00Z');
    assert.equal((await t.as(admin).post(`/api/v1/tickets/${a.id}/messages`, { body: 'Try this link.' })).status, 201);
    t.clock.set('2026-03-02T10:00:00Z');
    assert.equal((await t.as(admin).patch(`/api/v1/tickets/${a.id}`, { status: 'solved' })).status, 200);
  });
  after(() => stopBrowserApp(t, browser));

  const signIn = async (page: Page) => {
    // The browser's clock agrees with the server's fake one: "Today" is Monday 2 March.
    await page.clock.setFixedTime(new Date('2026-03-02T12:00:00Z'));
    await page.goto(base);
    await page.getByLabel(/^Email/).fill('lead@example.org');
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
  };

  test('the dashboard for today: numbers against the previous period, a bar and a number lead to their tickets, the CSV matches the chart, the chart library loads only here', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    const scripts: string[] = [];
    page.on('request', (r) => scripts.push(r.url()));
    await signIn(page);
    assert.ok(!scripts.some((u) => /uPlot/i.test(u)), 'the chart library is not part of the first load');

    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    await page.getByText('Today', { exact: true }).click();
    const created = page.getByTestId('tile-tickets_created');
    await created.filter({ hasText: /^Created2/ }).waitFor();
    await page.getByTestId('tile-first_response_time').filter({ hasText: '30 min' }).waitFor();
    await page.getByTestId('tile-tickets_solved').filter({ hasText: /Solved1/ }).waitFor();
    assert.match((await created.textContent()) ?? '', /\+2 vs previous period/);
    // The charts' chunk is requested once the dashboard draws its first chart, which may come after the tiles.
    for (let i = 0; i < 300 && !scripts.some((u) => /uPlot/i.test(u)); i++) await page.waitForTimeout(100);
    assert.ok(scripts.some((u) => /uPlot/i.test(u)), 'the chart library loads with the reports');

    // A number → its tickets.
    await created.click();
    const drawer = page.getByRole('dialog');
    await drawer.getByRole('link', { name: 'Cannot log in' }).waitFor();
    await drawer.getByRole('link', { name: 'Invoice is wrong' }).waitFor();
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });

    // A bar (the chart itself, clicked with the mouse) → its tickets.
    const chart = page.locator('[aria-label="Top tags"]');
    const canvas = chart.getByTestId('chart-top_tags');
    await canvas.locator('canvas').waitFor();
    // Below the tiles (three rows of them now): scrolled into view, so the mouse can reach it.
    await canvas.locator('.u-over').scrollIntoViewIfNeeded();
    const box = await canvas.locator('.u-over').boundingBox();
    assert.ok(box);
    // Two bars (billing, login): the left one is billing.
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height - 5);
    await page.mouse.click(box.x + box.width * 0.25, box.y + box.height - 5);
    await page.getByRole('dialog', { name: /Top tags: billing/ }).getByRole('link', { name: 'Invoice is wrong' }).waitFor();
    await page.keyboard.press('Escape');

    // The same by keyboard: the chart's values are buttons.
    const perDay = page.locator('[aria-label="Tickets created per day"]');
    const dayButton = perDay.getByRole('button', { name: '2026-03-02: 2' });
    await dayButton.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: /Tickets created per day: 2026-03-02/ }).getByRole('link', { name: 'Cannot log in' }).waitFor();
    await page.keyboard.press('Escape');

    // The CSV is what the chart shows.
    const href = await perDay.getByRole('link', { name: 'CSV' }).getAttribute('href');
    assert.ok(href);
    const csv = await page.request.get(`${base}${href}`);
    assert.match(csv.headers()['content-type'] ?? '', /text\/csv/);
    assert.deepEqual((await csv.text()).trim().split('\r\n'), ['"day","tickets"', '"2026-03-02","2"']);

    // A filter narrows every number.
    await page.getByRole('textbox', { name: 'Tag' }).fill('billing');
    await created.filter({ hasText: /^Created1/ }).waitFor();
    await screenshot(page, 'reports-dashboard');
    // Satisfaction and incident times sit with the other numbers; an incident number opens Incidents.
    await page.getByTestId('tile-satisfaction-satisfaction').filter({ hasText: 'Satisfaction (CSAT)' }).waitFor();
    await page.getByRole('button', { name: 'Incident acknowledge (median): open Incidents' }).click();
    await page.waitForURL(/\/incidents$/);
    await context.close();
  });

  test("on the ticket page, 'Why these numbers' shows the first response and the events behind it; the reports fit a phone", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await signIn(page);
    await page.goto(`${base}/tickets/${numbers[0]}`);
    await page.getByRole('button', { name: 'Why these numbers' }).click();
    await page.getByTestId('why-numbers').filter({ hasText: 'First response: 30 min (30 min business)' }).waitFor();
    await page.getByText('First public agent reply: first response time 30 min').waitFor();
    await page.getByText(/^Solved: first resolution time 60 min/).waitFor();

    await page.goto(`${base}/reports`);
    await page.getByText('Today', { exact: true }).click();
    await page.getByTestId('tile-tickets_created').filter({ hasText: /^Created2/ }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= 391, `the reports fit 390 px (scroll width ${overflow})`);
    await screenshot(page, 'reports-phone');
    await context.close();
  });
  test('Reports → Digests: a daily check at 07:30 in Nairobi, chosen by keyboard, saved, shown with its next time, and sent then', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await signIn(page);
    await page.goto(`${base}/reports`);
    await page.getByRole('navigation', { name: 'Reports sections' }).getByRole('link', { name: 'Digests' }).click();
    await page.getByRole('heading', { name: 'Digests' }).waitFor();
    const daily = page.getByRole('checkbox', { name: /Daily check/ });
    await daily.focus();
    await page.keyboard.press('Space');
    const form = page.getByRole('group', { name: 'Daily check' });
    await form.getByLabel('Local time').fill('07:30');
    await form.getByRole('combobox', { name: 'Time zone' }).or(form.getByRole('textbox', { name: 'Time zone' })).first().fill('Nairobi');
    await page.getByRole('option', { name: 'Africa/Nairobi' }).click();
    await page.getByRole('button', { name: 'Save digests' }).click();
    await page.getByText('Digests saved').waitFor();
    // Server time is Monday 10:00 UTC: the next 07:30 in Nairobi (UTC+3) is Tuesday's.
    await form.getByText(/Next: .*7:30.*\(Africa\/Nairobi\)/).waitFor();
    await screenshot(page, 'reports-digests');
    await page.reload();
    await page.getByRole('checkbox', { name: /Daily check/ }).and(page.locator(':checked')).waitFor();

    // At Tuesday 04:30 UTC the digest goes to the outbox, once.
    assert.equal((await t.as(admin).post('/api/v1/email/addresses', { address: 'help@example.org', name: 'Help' })).status, 201);
    t.clock.set('2026-03-03T04:30:00Z');
    assert.equal(await t.services.digests.enqueueDue(), 1);
    await t.runJobs();
    assert.equal(await t.services.digests.enqueueDue(), 0);
    const mail = rowsOf<{ to_address: string; subject: string }>(await t.database.db.execute(sql`select to_address, subject from outbound_emails where kind = 'digest'`));
    assert.deepEqual(
      mail.map((m) => m.to_address),
      ['lead@example.org'],
    );
    assert.match(mail[0]?.subject ?? '', /^Daily check: /);
    await context.close();
  });
});
