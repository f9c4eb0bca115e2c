import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { TestApp } from '../../src/testing/harness.js';
import { browserMissing, PASSWORD, pick, screenshot, signInPage, startBrowserApp, stopBrowserApp } from './browser.js';

const skip = browserMissing();

describe("Made Tech's week in a real browser: customer board, epics board, time", { skip }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let org: { id: string };

  before(async () => {
    ({ t, base, browser } = await startBrowserApp());
    // Acme's people see each other's tickets (a customer sees a ticket's card on the board only if they may see the ticket).
    org = await t.make.organization({ name: 'Acme Health', domains: ['acme.example'], sharedTickets: true });
    for (const [email, name] of [
      ['tess@madetech.example', 'Tess Triager'],
      ['pat@madetech.example', 'Pat Pair'],
      ['sam@madetech.example', 'Sam Second'],
    ] as const) {
      await t.services.people.createUser({ email, name, role: 'agent', password: PASSWORD });
    }
  });
  after(() => stopBrowserApp(t, browser));

  async function signedIn(email: string, width = 1400): Promise<Page> {
    // The browser's day is the server's (fake) day.
    const { page } = await signInPage(browser, base, email, { context: { viewport: { width, height: 900 } }, clock: new Date('2026-03-02T10:00:00Z') });
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
    await dialog.getByLabel('Description').fill('Export query needs an index');
    await dialog.getByRole('button', { name: 'Save card' }).click();
    await column(pat, 'Up next').getByText('week 2026-03-09').waitFor();
    await column(pat, 'Up next').getByText('Pat Pair & Sam Second').waitFor();
    await pat.getByText('By pair', { exact: true }).click();
    await pat.getByRole('region', { name: 'Pat Pair & Sam Second' }).waitFor();

    // The pair logs time against the customer: from the card, and from the time screen. The board holds card summaries;
    // the card opened fetches its description.
    await onEpics.click();
    assert.equal(await pat.getByRole('dialog').getByLabel('Description').inputValue(), 'Export query needs an index');
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
    // And in Reports, for the dashboard's period: per customer, per type, per agent, with the same CSV.
    await sam.goto(`${base}/reports`);
    await sam.getByText('Custom', { exact: true }).click();
    await sam.getByLabel('From', { exact: true }).fill('2026-03-01');
    await sam.getByLabel('To (inclusive)', { exact: true }).fill('2026-03-31');
    const byCustomer = sam.getByRole('table', { name: 'Time by customer' });
    await byCustomer.getByRole('row', { name: /Acme Health\s*3\.50 h/ }).waitFor();
    await sam.getByRole('table', { name: 'Time by agent' }).getByRole('row', { name: /Sam Second\s*2 h/ }).waitFor();
    await sam.getByRole('table', { name: 'Time by agent' }).getByRole('row', { name: /Pat Pair\s*1\.50 h/ }).waitFor();
    await sam.getByRole('table', { name: 'Time by ticket type' }).getByRole('row', { name: /Not on a ticket\s*2 h/ }).waitFor();
    assert.equal(await sam.getByRole('link', { name: 'Download time CSV' }).getAttribute('href'), '/api/v1/time/report.csv?from=2026-03-01&to=2026-03-31');
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

  test('card comments follow the ticket (note, or a reply mailed to the customer); the planning view commits a card with a goal; the customer reorders New issues in the portal', async () => {
    const agent = await t.signIn('agent');
    const customer = await t.services.people.createUser({ email: 'cara@acme.example', name: 'Cara Customer', role: 'customer', password: PASSWORD, organizationId: org.id });
    const customerSession = await t.signIn('customer', { organizationId: org.id });
    const made: { id: string; number: number; card: { id: string; boardId: string; version: number } }[] = [];
    for (const subject of ['Report totals are off', 'Add SSO', 'Slow search']) {
      const ticket = await t.make.ticket(customerSession, { subject });
      made.push({ ...ticket, card: (await t.as(agent).post(`/api/v1/tickets/${ticket.id}/backlog`)).body });
    }
    const [totals, sso] = made as [(typeof made)[0], (typeof made)[0], (typeof made)[0]];
    const board = (await t.as(agent).get(`/api/v1/boards/${totals.card.boardId}`)).body;
    const upNext = board.columns.find((c: { role: string }) => c.role === 'up_next').id;
    const moved = (await t.as(agent).post(`/api/v1/cards/${sso.card.id}/move`, { boardId: board.board.id, columnId: upNext, index: 0, version: sso.card.version })).body.card;
    const pat = (await t.services.people.findUserByEmail('pat@madetech.example'))?.id as string;

    // Comments on the ticket's card: an internal note, then a reply to the customer.
    const tess = await signedIn('tess@madetech.example');
    await tess.goto(`${base}/boards/${totals.card.boardId}`);
    await column(tess, 'New issues').getByRole('button', { name: /Report totals are off/ }).click();
    const dialog = tess.getByRole('dialog');
    const comments = dialog.getByRole('group', { name: 'Comments' });
    await comments.getByRole('textbox', { name: 'Comment' }).fill('Totals skip the last day of the month');
    await comments.getByRole('button', { name: 'Add comment' }).click();
    await comments.getByTestId('card-comment').filter({ hasText: 'Totals skip the last day' }).getByText('Internal note').waitFor();
    await comments.getByRole('textbox', { name: 'Comment' }).fill('We found the cause; a fix ships this week.');
    await comments.getByText('Reply to customer', { exact: true }).click();
    await comments.getByRole('button', { name: 'Send reply' }).click();
    await comments.getByTestId('card-comment').filter({ hasText: 'a fix ships this week' }).getByText('Reply to customer').waitFor();
    await t.runJobs();
    const admin = await t.signIn('admin');
    const messages = (await t.as(admin).get(`/api/v1/tickets/${totals.id}/messages`)).body.items as { public: boolean; bodyText: string }[];
    assert.ok(messages.some((m) => !m.public && m.bodyText.includes('last day of the month')), 'the note is on the ticket');
    assert.ok(messages.some((m) => m.public && m.bodyText.includes('a fix ships this week')), 'the reply is on the ticket');
    const mailed = ((await t.as(admin).get('/api/v1/outbox?limit=200')).body.items as { kind: string; ticketId: string }[]).filter((m) => m.kind === 'reply' && m.ticketId === totals.id);
    assert.equal(mailed.length, 1, 'the reply was mailed');
    await tess.keyboard.press('Escape');

    // The customer may reorder New issues once the board allows it.
    // The switch shows the board's setting once saved (a click, then it reads checked).
    await tess.getByRole('switch', { name: 'Customers may reorder New issues' }).click();
    await tess.getByRole('switch', { name: 'Customers may reorder New issues', checked: true }).waitFor();

    // Planning next week: commit the Up next card (keyboard), set the goal.
    assert.equal((await t.as(agent).patch(`/api/v1/cards/${sso.card.id}`, { version: moved.version, estimateHours: 6, ownerIds: [pat] })).status, 200);
    await tess.getByRole('link', { name: 'Planning' }).click();
    await tess.getByTestId('planning-week').filter({ hasText: '2026-03-09' }).waitFor();
    const acme = tess.getByRole('region', { name: 'Plan for Acme Health' });
    const commit = acme.getByRole('button', { name: 'Commit to this week: Add SSO' });
    await commit.focus();
    await tess.keyboard.press('Enter');
    await acme.getByRole('button', { name: 'Unschedule: Add SSO' }).waitFor();
    await acme.getByTestId('committed-hours').filter({ hasText: 'Committed: 6 h' }).waitFor();
    await acme.getByRole('textbox', { name: 'Goal for Acme Health' }).fill('SSO live for Acme');
    await tess.keyboard.press('Enter');
    await acme.getByRole('button', { name: 'Save goal' }).and(tess.locator('[disabled]')).waitFor();
    await tess.getByRole('table', { name: 'People this week' }).getByRole('row', { name: /Pat Pair/ }).waitFor();
    const plan = (await t.as(agent).get('/api/v1/planning?week=2026-03-09')).body.customers.find((c: { organizationId: string }) => c.organizationId === org.id);
    assert.equal(plan.goal, 'SSO live for Acme');
    assert.ok(plan.committed.some((c: { title: string }) => c.title === 'Add SSO'));

    // In the portal: the board, and "Slow search" moved to the top of New issues.
    const cara = await (await browser.newContext({ viewport: { width: 390, height: 800 } })).newPage();
    await cara.clock.setFixedTime(new Date('2026-03-02T10:00:00Z'));
    await cara.goto(`${base}/portal`);
    await cara.getByText('I have a password').click();
    await cara.locator('#pw-email').fill(customer.email);
    await cara.locator('#pw').fill(PASSWORD);
    await cara.getByRole('button', { name: 'Sign in with password' }).click();
    await cara.getByRole('link', { name: 'Board' }).click();
    const news = cara.getByRole('region', { name: 'New issues' });
    await news.getByText('Slow search').waitFor();
    const order = async () => (await t.as(agent).get(`/api/v1/boards/${totals.card.boardId}`)).body.cards.filter((c: { role: string }) => c.role === 'new').map((c: { title: string }) => c.title);
    const before = await order();
    const up = news.getByRole('button', { name: 'Move up: Slow search' });
    for (let i = before.indexOf('Slow search'); i > 0; i--) {
      await up.click();
      await cara.getByRole('status').filter({ hasText: `place ${i}` }).waitFor();
    }
    assert.equal((await order())[0], 'Slow search', 'the agents see the customer’s order');
    await screenshot(cara, 'portal-board-390');
    for (const p of [tess, cara]) await p.context().close();
  });
});
