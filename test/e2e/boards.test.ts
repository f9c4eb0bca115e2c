import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../src/testing/harness.js';
import { browserMissing, buildWebApp, launchChromium, pick, screenshot } from './browser.js';

const PASSWORD = 'correct horse battery staple';
const skip = browserMissing();

describe("Made Tech's week in a real browser: customer board, epics board, time", { skip }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let org: { id: string };

  before(async () => {
    const webDist = buildWebApp();
    t = await startTestApp({}, { webDist });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    // Acme's people see each other's tickets (a customer sees a ticket's card on the board only if they may see the ticket).
    org = await t.make.organization({ name: 'Acme Health', domains: ['acme.example'], sharedTickets: true });
    for (const [email, name] of [
      ['tess@madetech.example', 'Tess Triager'],
      ['pat@madetech.example', 'Pat Pair'],
      ['sam@madetech.example', 'Sam Second'],
    ] as const) {
      await t.services.people.createUser({ email, name, role: 'agent', password: PASSWORD });
    }
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signedIn(email: string, width = 1400): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    // The browser's day is the server's (fake) day.
    await page.clock.setFixedTime(new Date('2026-03-02T10:00:00Z'));
    await page.goto(base);
    await page.getByLabel(/^Email/).fill(email);
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    return page;
  }
  const column = (page: Page, name: string) => page.getByRole('region', { name: `Column ${name}` });

  test('email → backlog → Up next (keyboard) → on the epics board live → pair and week → time → completed (drag and drop) → the report matches', async () => {
    // An email arrives from the customer.
    const smtp = await t.smtp();
    await smtp.send({ from: 'Ada <ada@acme.example>', to: 'support@localhost', subject: 'CSV export times out', text: 'The export has timed out since Friday.' });
    await t.runJobs();
    const ticket = (await t.as(await t.signIn('admin')).get('/api/v1/search?q=%22CSV%20export%22')).body.items[0];
    assert.equal(ticket.organizationId, org.id);

    // The triager backlogs it to the customer's board.
    const tess = await signedIn('tess@madetech.example');
    await tess.goto(`${base}/tickets/${ticket.number}`);
    await tess.getByRole('button', { name: 'Backlog to customer board' }).click();
    await tess.getByRole('link', { name: 'New issues' }).click();
    await tess.getByRole('heading', { name: 'Acme Health' }).waitFor();
    const card = column(tess, 'New issues').getByRole('button', { name: `#${ticket.number} CSV export times out` });
    await card.waitFor();

    // Pat has the epics board open: the card appears there, live, when it enters Up next.
    const pat = await signedIn('pat@madetech.example');
    await pat.goto(`${base}/boards/epics`);
    await pat.getByRole('heading', { name: 'Support epics' }).waitFor();
    assert.equal(await pat.getByTestId('card').count(), 0);

    // The customer call moves it to Up next, by keyboard: focus, m, →, Enter.
    await card.focus();
    await tess.keyboard.press('m');
    await tess.getByRole('status').filter({ hasText: 'Moving' }).waitFor();
    await tess.keyboard.press('ArrowRight');
    await tess.getByTestId('move-placeholder').waitFor();
    await tess.keyboard.press('Enter');
    await column(tess, 'Up next').getByRole('button', { name: /CSV export times out/ }).waitFor();
    const started = Date.now();
    const onEpics = column(pat, 'Up next').getByRole('button', { name: /CSV export times out/ });
    await onEpics.waitFor();
    const seenAfterMs = Date.now() - started;

    // On the epics board: the pair and next week, from the card.
    await onEpics.focus();
    await pat.keyboard.press('Enter');
    const dialog = pat.getByRole('dialog');
    await dialog.getByRole('link', { name: /Open ticket/ }).waitFor();
    await pick(pat, 'Owner or pair', 'Pat Pair', dialog);
    await pick(pat, 'Owner or pair', 'Sam Second', dialog);
    await pat.keyboard.press('Escape');
    await pick(pat, 'Scheduled week', /Next week/, dialog);
    await dialog.getByRole('button', { name: 'Save card' }).click();
    await column(pat, 'Up next').getByText('week 2026-03-09').waitFor();
    await column(pat, 'Up next').getByText('Pat Pair & Sam Second').waitFor();
    await pat.getByText('By pair', { exact: true }).click();
    await pat.getByRole('region', { name: 'Pat Pair & Sam Second' }).waitFor();

    // The pair logs time against the customer: from the card, and from the time screen.
    await onEpics.click();
    const form = pat.getByRole('dialog').getByRole('form', { name: 'Log time' });
    await form.getByLabel('Hours').fill('1.5');
    await form.getByLabel('What you did').fill('Reproduced the timeout');
    await form.getByRole('button', { name: 'Log time' }).click();
    await pat.getByRole('dialog').getByTestId('time-total').filter({ hasText: '1.50 h' }).waitFor();
    // A bad entry is refused with its reason next to the field.
    await form.getByLabel('Hours').fill('30');
    await form.getByRole('button', { name: 'Log time' }).click();
    await form.getByText('at most 24 h').waitFor();
    await pat.keyboard.press('Escape');

    const sam = await signedIn('sam@madetech.example');
    await sam.goto(`${base}/time`);
    await pick(sam, 'Log time for customer', 'Acme Health');
    await sam.getByRole('form', { name: 'Log time' }).getByLabel('Hours').fill('2');
    await sam.getByRole('form', { name: 'Log time' }).getByLabel('What you did').fill('Fixed the export query');
    await sam.getByRole('button', { name: 'Log time' }).click();
    await sam.getByTestId('week-total').filter({ hasText: '2 h' }).waitFor();

    // Done: dragged to Recently completed on the epics board; the ticket is solved and the customer sees it there.
    await onEpics.dragTo(column(pat, 'Recently completed'));
    await column(pat, 'Recently completed').getByRole('button', { name: /CSV export times out/ }).waitFor();
    await column(tess, 'Recently completed').getByRole('button', { name: /CSV export times out/ }).waitFor();
    const admin = await t.signIn('admin');
    assert.equal((await t.as(admin).get(`/api/v1/tickets/${ticket.id}`)).body.statusCategory, 'solved');
    const ada = await t.signIn('customer', { organizationId: org.id });
    const portal = (await t.as(ada).get(`/api/v1/organizations/${org.id}/board`)).body;
    const done = portal.columns.find((c: { name: string }) => c.name === 'Recently completed');
    assert.deepEqual(portal.cards.filter((c: { columnId: string }) => c.columnId === done.id).map((c: { title: string }) => c.title), ['CSV export times out']);

    // The time report for the customer matches the entries.
    await sam.goto(`${base}/time/report`);
    await sam.getByLabel('From', { exact: true }).fill('2026-03-01');
    await sam.getByLabel('To', { exact: true }).fill('2026-03-31');
    await sam.getByRole('table', { name: 'Time per customer' }).getByText('Acme Health').waitFor();
    assert.equal(await sam.getByTestId('report-hours').first().textContent(), '3.50 h');
    const csv = await t.as(admin).get(`/api/v1/time/report.csv?from=2026-03-01&to=2026-03-31&organizationId=${org.id}`);
    const rows = csv.raw.trim().split('\r\n').slice(1);
    assert.equal(rows.length, 2);
    assert.equal(rows.reduce((n, r) => n + Number(r.split(',').at(-2)), 0), 3.5);
    await screenshot(pat, 'boards-epics');
    console.log(`# the second viewer saw the move after ${seenAfterMs} ms`);
    for (const p of [tess, pat, sam]) await p.context().close();
  });

  test('at 390 px: the board scrolls sideways, and a card moves with "Move to…"', async () => {
    const ticket = await t.make.ticket(await t.signIn('customer', { organizationId: org.id }), { subject: 'Dark mode request' });
    await t.as(await t.signIn('agent')).post(`/api/v1/tickets/${ticket.id}/backlog`);
    const page = await signedIn('tess@madetech.example', 390);
    const board = (await t.as(await t.signIn('agent')).get(`/api/v1/tickets/${ticket.id}/card`)).body.card;
    await page.goto(`${base}/boards/${board.boardId}`);
    const card = column(page, 'New issues').getByRole('button', { name: /Dark mode request/ });
    await card.click();
    const dialog = page.getByRole('dialog');
    await pick(page, 'Move to column', 'In progress', dialog);
    await dialog.getByRole('button', { name: 'Move', exact: true }).click();
    await column(page, 'In progress').getByRole('button', { name: /Dark mode request/ }).waitFor();
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'the page itself does not scroll sideways');
    await screenshot(page, 'boards-390');
    await page.context().close();
  });
});
