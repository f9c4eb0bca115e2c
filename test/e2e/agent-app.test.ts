import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import type { Session, TestApp } from '../../src/testing/harness.js';
import { accessibilityProblems } from './axe.js';
import { browserMissing, PASSWORD, pick, screenshot, signInPage, startBrowserApp, stopBrowserApp } from './browser.js';

const skip = browserMissing();

describe('the agent app in a real browser', { skip }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let admin: Session;
  let l1: { id: string };
  const people: Record<string, { id: string; email: string }> = {};
  const customer = { email: 'grace@example.org', name: 'Grace Hopper' };

  before(async () => {
    ({ t, base, browser } = await startBrowserApp());
    admin = await t.signIn('admin');
    for (const [key, name, role] of [
      ['priya', 'Priya Raman', 'agent'],
      ['tom', 'Tom Okafor', 'agent'],
      ['ada', 'Ada Admin', 'admin'],
    ] as const) {
      const u = await t.services.people.createUser({ email: `${key}@example.org`, name, role, password: PASSWORD });
      people[key] = { id: u.id, email: u.email };
    }
    l1 = await t.services.people.createGroup({ name: 'L1 helpdesk', description: '', escalatesToId: null, memberIds: [people.priya!.id, people.tom!.id] });
  });
  after(() => stopBrowserApp(t, browser));

  const newTicket = (subject: string, extra: Record<string, unknown> = {}) =>
    t.make.ticket(admin, { subject, description: `${subject}: details from the field.`, requester: customer, ...extra });

  const signedIn = (who: 'priya' | 'tom' | 'ada') => signInPage(browser, base, `${who}@example.org`, { label: who });

  const ticketApi = async (id: string) => (await t.as(admin).get(`/api/v1/tickets/${id}`)).body;

  test('sign-in refuses a wrong password with a readable message, then lets the agent in to the triage queue', async () => {
    const ticket = await newTicket('Forms will not sync');
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.getByLabel(/^Email/).fill('priya@example.org');
    await page.getByLabel(/^Password/).fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: /password/i }).waitFor();
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'New / unassigned' }).waitFor();
    await page.getByTestId('ticket-row').filter({ hasText: ticket.subject }).waitFor();
    assert.ok(Number(await page.getByTestId('count-triage').textContent()) >= 1);
    await screenshot(page, 'triage-queue');
    await context.close();
  });

  test('triage: open a new ticket, set priority, group and assignee (the picker says why someone cannot take it; typed and picked by keyboard); no serious axe violations on the queue or the ticket', async () => {
    const ticket = await newTicket('Cannot log in on Android');
    const { context, page } = await signedIn('priya');
    const row = page.getByTestId('ticket-row').filter({ hasText: ticket.subject });
    await row.waitFor();
    assert.deepEqual(await accessibilityProblems(page), [], 'the queue at desktop size');
    await row.click();
    await page.getByRole('heading', { name: ticket.subject }).waitFor();
    await pick(page, 'Priority', /^P2/);
    await page.getByText(/Major|P2/).first().waitFor();
    await pick(page, 'Group', 'L1 helpdesk');
    await waitFor(async () => (await ticketApi(ticket.id)).groupId === l1.id, 'the group is saved');
    const assignee = page.getByRole('textbox', { name: 'Assignee', exact: true }).or(page.getByRole('combobox', { name: 'Assignee', exact: true })).first();
    await assignee.click();
    await assignee.fill('Ada');
    // Ada is an admin outside the group: listed, not pickable, with the reason in words.
    const ada = page.getByRole('option', { name: /Ada Admin/ });
    await ada.filter({ hasText: 'Not in L1 helpdesk' }).waitFor();
    assert.equal(await ada.getAttribute('aria-disabled'), 'true');
    await assignee.fill('tom');
    await page.getByRole('option', { name: /Tom Okafor/ }).waitFor();
    await assignee.press('ArrowDown');
    await assignee.press('Enter');
    await waitFor(async () => {
      const got = await ticketApi(ticket.id);
      return got.priority.key === 'P2' && got.groupId === l1.id && got.assigneeId === people.tom!.id;
    }, 'the three changes are saved');
    await page.getByRole('heading', { name: ticket.subject }).waitFor();
    assert.deepEqual(await accessibilityProblems(page), [], 'the ticket page at desktop size');
    // The queue above shows only New: every other state's light badge is checked in the list too.
    for (const status of ['open', 'pending', 'on_hold', 'solved']) {
      const made = await newTicket(`Badge check ${status}`);
      assert.equal((await t.as(admin).patch(`/api/v1/tickets/${made.id}`, { status })).status, 200);
    }
    await page.goto(`${base}/views/all`);
    await page.getByTestId('ticket-row').filter({ hasText: 'Badge check solved' }).waitFor();
    assert.deepEqual(await accessibilityProblems(page), [], 'the list with a badge of every state');
    await context.close();
  });

  test('a public reply appears in the conversation and goes out as mail; an internal note stays with staff', async () => {
    const ticket = await newTicket('Report export times out');
    const { context, page } = await signedIn('priya');
    await page.goto(`${base}/tickets/${ticket.number}`);
    await page.getByLabel('Reply to the requester').fill('Thanks Grace, we are on it.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByTestId('public-message').filter({ hasText: 'we are on it' }).waitFor();
    // Nobody had it: the reply made Priya its assignee, and the side panel shows it.
    assert.equal((await ticketApi(ticket.id)).assigneeId, people.priya!.id, 'replying to an unassigned ticket assigns it');
    await page.getByRole('textbox', { name: 'Assignee', exact: true }).or(page.getByRole('combobox', { name: 'Assignee', exact: true })).first().and(page.locator('[value="Priya Raman"]')).waitFor();
    await page.getByText('Internal note', { exact: true }).click();
    await page.getByRole('textbox', { name: 'Internal note' }).fill('Looks like the export worker is stuck.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByTestId('internal-note').filter({ hasText: 'export worker' }).waitFor();
    await screenshot(page, 'ticket-conversation');

    await t.runJobs();
    const outbox = (await t.as(admin).get('/api/v1/outbox')).body.items as { ticketId: string; toAddress: string; bodyText: string }[];
    assert.ok(
      outbox.some((m) => m.ticketId === ticket.id && m.toAddress === customer.email && m.bodyText.includes('we are on it')),
      'the reply was mailed to the requester',
    );
    const grace = await t.services.people.findUserByEmail(customer.email);
    const asCustomer = await t.services.queries.messages({ userId: grace!.id, role: 'customer', organizationId: null, email: customer.email, name: 'Grace', via: 'session', scopes: null, csrfToken: null }, ticket.id);
    assert.ok(asCustomer.some((m) => m.bodyText.includes('we are on it')));
    assert.ok(!asCustomer.some((m) => m.bodyText.includes('export worker')), 'the customer never sees the note');
    await context.close();
  });

  test('keyboard: j/k and Enter work the list, a assigns to me, e solves, / searches, ? lists the shortcuts', async () => {
    await newTicket('Keyboard ticket one');
    await newTicket('Keyboard ticket two');
    const { context, page } = await signedIn('priya');
    await page.getByTestId('ticket-row').first().waitFor();
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await page.keyboard.press('j');
    const second = await page.getByTestId('ticket-row').nth(1).textContent();
    await page.keyboard.press('Enter');
    const number = /#(\d+)/.exec(second ?? '')?.[1];
    await page.waitForURL(`**/tickets/${number}`);
    await page.getByRole('heading', { level: 3 }).waitFor();
    await page.keyboard.press('a');
    await waitFor(async () => (await t.as(admin).get(`/api/v1/tickets/${number}`)).body.assigneeId === people.priya!.id, 'a assigns to me');
    await page.keyboard.press('e');
    await waitFor(async () => (await t.as(admin).get(`/api/v1/tickets/${number}`)).body.statusCategory === 'solved', 'e solves');
    await page.getByTestId('ticket-state').filter({ hasText: 'Solved' }).waitFor();
    await page.keyboard.press('r');
    // The solve's own update can re-render the composer just after 'r' (seen once on the PostgreSQL server): focus
    // falls back to the page, and 'r' again must put it in the reply box.
    await waitFor(async () => {
      const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
      if (focused !== 'Reply to the requester') await page.keyboard.press('r');
      return focused === 'Reply to the requester';
    }, 'r focuses the reply box');
    await page.keyboard.press('Escape');
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await page.keyboard.press('Escape');
    await page.keyboard.press('/');
    await page.keyboard.type('"Keyboard ticket one"');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /^Search:/ }).waitFor();
    await page.getByTestId('ticket-row').filter({ hasText: 'Keyboard ticket one' }).waitFor();
    assert.equal(await page.getByTestId('ticket-row').count(), 1);
    await context.close();
  });

  test('bulk: select two tickets in the list and assign both at once', async () => {
    const a = await newTicket('Bulk one');
    const b = await newTicket('Bulk two');
    const { context, page } = await signedIn('priya');
    await page.getByLabel(`Select ticket ${a.number}`).check();
    await page.getByLabel(`Select ticket ${b.number}`).check();
    const bar = page.getByRole('toolbar', { name: 'Bulk actions' });
    await bar.getByText('2 selected').waitFor();
    await pick(page, 'Assign selected to', 'Tom Okafor');
    await waitFor(async () => (await ticketApi(a.id)).assigneeId === people.tom!.id && (await ticketApi(b.id)).assigneeId === people.tom!.id, 'both assigned');
    await context.close();
  });

  test('save a view from a filter: it appears in the rail with its count and shows only what matches', async () => {
    const urgent = await newTicket('Urgent outage in Kisumu', { priority: 'P1' });
    await newTicket('Not urgent at all', { priority: 'P5' });
    const { context, page } = await signedIn('priya');
    await page.getByRole('button', { name: 'Save a view…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save a view' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('P1 fires');
    await pick(page, 'Priority', /^P1/, dialog);
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).click();
    await dialog.getByRole('button', { name: 'Save view' }).click();
    await page.getByRole('heading', { name: 'P1 fires' }).waitFor();
    await page.getByTestId('ticket-row').filter({ hasText: urgent.subject }).waitFor();
    assert.equal(await page.getByTestId('ticket-row').filter({ hasText: 'Not urgent' }).count(), 0);
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: /P1 fires/ }).waitFor();
    // A second try with the same name is refused in place, and nothing else is saved.
    await page.getByRole('button', { name: 'Save a view…' }).click();
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('P1 fires');
    await dialog.getByRole('button', { name: 'Save view' }).click();
    await dialog.getByRole('alert').filter({ hasText: /exists/ }).waitFor();
    assert.equal(await t.count('views'), 1);
    await context.close();
  });

  test('two agents on one ticket see each other typing, and a stale submit is caught with the other change shown', async () => {
    const ticket = await newTicket('Two agents, one ticket');
    const priya = await signedIn('priya');
    const tom = await signedIn('tom');
    await priya.page.goto(`${base}/tickets/${ticket.number}`);
    await tom.page.goto(`${base}/tickets/${ticket.number}`);
    await priya.page.getByTestId('presence').filter({ hasText: 'Tom Okafor is viewing' }).waitFor({ timeout: 15_000 });
    await tom.page.getByLabel('Reply to the requester').fill('Hi Grace, I am looking');
    await priya.page.getByTestId('presence').filter({ hasText: 'Tom Okafor is typing a reply' }).waitFor({ timeout: 15_000 });
    // Priya changes the priority while Tom writes.
    await pick(priya.page, 'Priority', /^P1/);
    await waitFor(async () => (await ticketApi(ticket.id)).priority.key === 'P1', 'priority saved');
    await tom.page.getByTestId('changed-under').waitFor({ timeout: 10_000 });
    await tom.page.getByRole('button', { name: 'Send reply' }).click();
    const conflict = tom.page.getByRole('dialog', { name: 'Someone else changed this ticket' });
    await conflict.waitFor();
    await conflict.waitFor();
    await conflict.getByTestId('conflict-changes').filter({ hasText: /Priority P4 → P1 by Priya Raman/ }).waitFor();
    assert.equal(await conflict.getByTestId('conflict-changes').getByRole('listitem').count(), 1, 'only what Tom had not seen');
    await screenshot(tom.page, 'collision');
    assert.equal(await tom.page.getByLabel('Reply to the requester').inputValue(), 'Hi Grace, I am looking', 'the draft is kept');
    const publicReplies = async () => (await t.as(admin).get(`/api/v1/tickets/${ticket.id}/messages`)).body.items.filter((m: { bodyText: string }) => m.bodyText.includes('I am looking')).length;
    assert.equal(await publicReplies(), 0, 'nothing was sent on top of the unseen change');
    await conflict.getByRole('button', { name: /anyway/ }).click();
    await tom.page.getByTestId('public-message').filter({ hasText: 'I am looking' }).waitFor();
    assert.equal(await publicReplies(), 1);
    await priya.context.close();
    await tom.context.close();
  });

  test('an unknown ticket shows the not-found page; a bad reply keeps the draft and says why', async () => {
    const { context, page } = await signedIn('priya');
    await page.goto(`${base}/tickets/999999`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    const ticket = await newTicket('Draft safety');
    await page.goto(`${base}/tickets/${ticket.number}`);
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByRole('alert').filter({ hasText: 'Write something first' }).waitFor();
    await page.getByLabel('Reply to the requester').fill('A draft that **survives** a reload');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByTestId('composer-preview').locator('strong', { hasText: 'survives' }).waitFor();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.reload();
    assert.equal(await page.getByLabel('Reply to the requester').inputValue(), 'A draft that **survives** a reload');
    await context.close();
  });

  test('an expired session asks to sign in again over the page, and the draft is still there after', async () => {
    const ticket = await newTicket('Long lunch');
    const { context, page } = await signedIn('priya');
    await page.goto(`${base}/tickets/${ticket.number}`);
    await page.getByLabel('Reply to the requester').fill('Half-written answer');
    // The session ends elsewhere (expiry, sign-out in another tab).
    const cookie = (await context.cookies()).find((c) => c.name === 'lifeline_session')?.value as string;
    const me = await t.request('GET', '/api/v1/me', undefined, { cookie: `lifeline_session=${cookie}` });
    assert.equal((await t.request('DELETE', '/api/v1/session', undefined, { cookie: `lifeline_session=${cookie}`, 'x-csrf-token': me.body.csrfToken })).status, 204);
    // The next request the page makes (the presence heartbeat, within 5 s) finds the session gone.
    const dialog = page.getByRole('dialog', { name: 'Your session has ended' });
    await dialog.waitFor({ timeout: 10_000 });
    await dialog.getByLabel(/^Password/).fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.getByLabel('Reply to the requester').inputValue(), 'Half-written answer');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByTestId('public-message').filter({ hasText: 'Half-written answer' }).waitFor();
    await context.close();
  });

  test('new tickets appear in the open list without a reload', async () => {
    const { context, page } = await signedIn('priya');
    await page.getByRole('heading', { name: 'New / unassigned' }).waitFor();
    const fresh = await newTicket('Arrived while you were looking', { priority: 'P1' });
    await page.getByTestId('ticket-row').filter({ hasText: fresh.subject }).waitFor({ timeout: 10_000 });
    await context.close();
  });

  test('SLA: the list shows the time left to the next deadline, and "Breaching soon" lists the ticket', async () => {
    const calendar = await t.as(admin).post('/api/v1/calendars', { name: 'Always (e2e)', timeZone: 'UTC', alwaysOpen: true });
    const policy = await t.as(admin).post('/api/v1/sla-policies', { name: 'e2e urgent', position: 0, condition: { field: 'tags', op: 'includes_any', value: ['e2e-sla'] }, calendarId: calendar.body.id, targets: { P1: { first_response: 45 } } });
    assert.equal(policy.status, 201, policy.raw);
    const urgent = await newTicket('Clock is ticking', { priority: 'P1', tags: ['e2e-sla'] });
    const { context, page } = await signedIn('priya');
    await page.getByRole('link', { name: /Breaching soon/ }).click();
    const row = page.getByTestId('ticket-row').filter({ hasText: urgent.subject });
    await row.getByTestId('sla-badge').filter({ hasText: '45 min' }).waitFor();
    await row.click();
    await page.getByRole('region', { name: 'SLA' }).or(page.getByLabel('SLA')).getByText('First response').waitFor();
    await context.close();
  });

  test("an admin models the PMERIT targets: a calendar with a preview, a policy (a bad one is refused in place), a rule switched off", async () => {
    const policiesBefore = await t.count('sla_policies');
    const { context, page } = await signedIn('ada');
    await page.getByRole('link', { name: 'Admin' }).click();
    // Replying assigns unassigned tickets: on by default, switched in Admin → Ticket settings.
    await page.getByRole('link', { name: 'Ticket settings' }).click();
    const replyAssigns = page.getByRole('switch', { name: /Replying to an unassigned ticket assigns it/ });
    await waitFor(async () => (await replyAssigns.isChecked()) && (await replyAssigns.isEnabled()), 'the setting shows on');
    await replyAssigns.press('Space');
    await waitFor(async () => (await t.as(admin).get('/api/v1/ticket-settings')).body.replyAssigns === false, 'switched off');
    await replyAssigns.press('Space');
    await waitFor(async () => (await t.as(admin).get('/api/v1/ticket-settings')).body.replyAssigns === true, 'switched back on');
    await page.getByRole('link', { name: 'Business hours' }).click();
    await page.getByLabel(/^Name/).fill('Nairobi office');
    // The time zone is picked from the list (typing filters it).
    await page.getByRole('combobox', { name: 'Time zone' }).fill('Nairobi');
    await page.getByRole('option', { name: 'Africa/Nairobi' }).click();
    await page.getByLabel(/^Public holidays of/).fill('KE');
    await page.getByRole('button', { name: 'Add calendar' }).click();
    await page.getByRole('cell', { name: 'Nairobi office', exact: true }).waitFor();
    await pick(page, 'Preview on', 'Nairobi office');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByTestId('calendar-preview').waitFor();

    // Conditions and actions are built in rows (support-setup.test drives those); here through their JSON view.
    const asJson = async (group: string) => {
      await page.getByRole('group', { name: group, exact: true }).getByRole('button', { name: 'Edit as JSON' }).click();
      return page.getByLabel(`${group} as JSON`, { exact: true });
    };
    await page.getByRole('link', { name: 'SLA policies' }).click();
    await page.getByLabel(/^Name/).fill('PMERIT P0');
    await pick(page, 'Calendar', 'Nairobi office');
    const slaCondition = await asJson('Applies to tickets where');
    await slaCondition.fill('{ "field": "mood", "op": "is", "value": "bad" }');
    await page.getByRole('textbox', { name: 'P1 first response minutes' }).fill('30');
    await page.getByRole('button', { name: 'Add policy' }).click();
    await page.getByRole('alert').filter({ hasText: 'unknown field mood' }).waitFor();
    assert.equal(await t.count('sla_policies'), policiesBefore, 'nothing saved');
    await slaCondition.fill('{ "field": "priority", "op": "in", "value": ["P1"] }');
    await page.getByRole('button', { name: 'Add policy' }).click();
    await page.getByRole('cell', { name: 'PMERIT P0', exact: true }).waitFor();
    const saved = (await t.as(admin).get('/api/v1/sla-policies')).body.items.find((p: { name: string }) => p.name === 'PMERIT P0');
    assert.deepEqual(saved.targets, { P1: { first_response: 30 } });

    await page.getByRole('link', { name: 'Automations' }).click();
    const rule = 'Escalate open tickets untouched for five days';
    await page.getByLabel(`${rule} active`).click({ force: true });
    await waitFor(async () => (await t.as(admin).get('/api/v1/automations')).body.items.find((a: { name: string }) => a.name === rule).active === false, 'the rule is off');
    await screenshot(page, 'admin-automations');

    // A trigger typed as JSON: the server's error names the path; fixed, it is saved.
    await page.getByRole('link', { name: 'Triggers' }).click();
    await page.getByLabel(/^Name/).fill('Tag sync tickets');
    await (await asJson('Runs when')).fill('{ "field": "subject", "op": "contains", "value": "sync" }');
    const actions = await asJson('Actions');
    await actions.fill('[{ "type": "add_tags", "tags": [] }]');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'actions.0.tags' }).waitFor();
    await actions.fill('[{ "type": "add_tags", "tags": ["sync"] }]');
    // It also runs when an SLA target is met: the choice is a checkbox, ticked from the keyboard.
    await page.getByLabel('SLA met').focus();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('cell', { name: 'Tag sync tickets', exact: true }).waitFor();
    const trigger = (await t.as(admin).get('/api/v1/triggers')).body.items.find((x: { name: string }) => x.name === 'Tag sync tickets');
    assert.deepEqual(trigger.actions, [{ type: 'add_tags', tags: ['sync'] }]);
    assert.deepEqual(trigger.events, ['created', 'sla_met']);
    await context.close();
  });

  test('remote images in a customer’s message load only after "Show remote images"', async () => {
    const sender = await t.signIn('customer', { email: 'pixels@example.org', name: 'Pat Pixel' });
    const ticket = await t.make.ticket(sender, { subject: 'Screenshot inside', description: '<p>See this:</p><img src="https://tracker.example/pixel.png" alt="pixel">', format: 'html' });
    const { context, page } = await signedIn('priya');
    const fetched: string[] = [];
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    await context.route('https://tracker.example/**', (route) => {
      fetched.push(route.request().url());
      return route.fulfill({ status: 200, contentType: 'image/png', body: png });
    });
    await page.goto(`${base}/tickets/${ticket.number}`);
    const message = page.getByTestId('public-message').filter({ hasText: 'See this' });
    await message.getByRole('button', { name: 'Show remote images' }).waitFor();
    assert.equal(await message.locator('img[data-remote-src="https://tracker.example/pixel.png"]:not([src])').count(), 1);
    await page.waitForTimeout(300);
    assert.deepEqual(fetched, [], 'nothing loaded before the click');
    await message.getByRole('button', { name: 'Show remote images' }).click();
    await message.locator('img[src="https://tracker.example/pixel.png"]').waitFor();
    await waitFor(async () => fetched.length > 0, 'the image is fetched');
    assert.deepEqual(fetched, ['https://tracker.example/pixel.png']);
    await context.close();
  });

  test('mail that only claims to be from an agent shows as an internal note marked "Unverified sender"', async () => {
    const ticket = await newTicket('Printer offline');
    const smtp = await t.smtp();
    // Tom's address in From:, the ticket's token in the subject, and nothing that proves it (no reply to mail
    // Lifeline sent Tom, no reply token): the forged "reply" must not reach the customer.
    await smtp.send({ from: people.tom!.email, to: 'support@localhost', subject: `Re: Printer offline [#${ticket.number}]`, text: 'Please send your password to this address.' });
    await t.runJobs();
    const { context, page } = await signedIn('priya');
    await page.goto(`${base}/tickets/${ticket.number}`);
    const note = page.getByTestId('internal-note').filter({ hasText: 'Please send your password' });
    await note.getByTestId('unverified-sender').waitFor();
    assert.equal(await page.getByTestId('public-message').filter({ hasText: 'Please send your password' }).count(), 0);
    await context.close();
  });

  test('a phone call becomes a ticket on behalf of the caller', async () => {
    const { context, page } = await signedIn('priya');
    await page.getByRole('link', { name: 'New ticket' }).click();
    // A wrong address: the server's error in words next to the field, and everything typed is still there.
    const email = page.getByRole('combobox', { name: /^Requester's email/ });
    await email.fill('caller@');
    await page.getByLabel(/^Requester's name/).fill('Amina Caller');
    await page.getByLabel(/^Subject/).fill('Tablet lost all forms');
    await page.getByLabel(/^What they reported/).fill('Called from the district office.');
    await page.getByRole('button', { name: 'Create ticket' }).click();
    await page.getByText('not a valid email address').waitFor();
    assert.equal(await email.getAttribute('aria-invalid'), 'true', 'the error belongs to the email field');
    assert.equal(await page.getByLabel(/^Subject/).inputValue(), 'Tablet lost all forms');
    await email.fill('caller@example.org');
    await page.getByRole('button', { name: 'Create ticket' }).click();
    await page.getByRole('heading', { name: 'Tablet lost all forms' }).waitFor();
    const found = (await t.as(admin).get('/api/v1/search?q=%22Tablet%20lost%22')).body.items[0];
    assert.equal(found.channel, 'phone');
    assert.equal(found.requester.email, 'caller@example.org');
    // Someone who wrote before is picked from what the agent types; their name comes along.
    await page.getByRole('link', { name: 'New ticket' }).click();
    await page.getByRole('combobox', { name: /^Requester's email/ }).fill('amin');
    await page.getByRole('option', { name: /Amina Caller <caller@example.org>/ }).click();
    assert.equal(await page.getByLabel(/^Requester's name/).inputValue(), 'Amina Caller');
    await context.close();
  });

  test('a merge shows first what will happen (another organisation marked) and asks; the merged ticket points to its target and has no reply box', async () => {
    await t.services.people.createOrganization({ name: 'Acme Clinics', domains: ['acme-clinics.example'], notes: '', sharedTickets: false, customFields: {} });
    await t.services.people.createOrganization({ name: 'Globex Health', domains: ['globex-health.example'], notes: '', sharedTickets: false, customFields: {} });
    const target = await newTicket('Merge target: sync broken', { requester: { email: 'ann@acme-clinics.example', name: 'Ann Acme' } });
    const source = await newTicket('Merge source: sync broken too', { requester: { email: 'gil@globex-health.example', name: 'Gil Globex' } });
    const { context, page } = await signedIn('priya');
    await page.getByLabel(`Select ticket ${target.number}`).check();
    await page.getByLabel(`Select ticket ${source.number}`).check();
    await page.getByRole('button', { name: `Merge into #${target.number}…` }).click();
    const dialog = page.getByRole('dialog', { name: `Merge 1 ticket into #${target.number}` });
    await dialog.getByTestId('merge-source').filter({ hasText: `#${source.number}` }).filter({ hasText: 'Gil Globex (Globex Health)' }).filter({ hasText: 'other organisation' }).waitFor();
    await dialog.getByRole('alert').filter({ hasText: 'another organisation' }).waitFor();
    await screenshot(page, 'merge-preview');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await ticketApi(source.id)).statusCategory, 'new', 'nothing merged before confirming');
    await page.getByRole('button', { name: `Merge into #${target.number}…` }).click();
    await page.getByRole('button', { name: `Merge #${source.number} into #${target.number}` }).click();
    await waitFor(async () => (await ticketApi(source.id)).mergedIntoId === target.id, 'merged after confirming');
    await page.goto(`${base}/tickets/${source.number}`);
    const notice = page.getByTestId('merged-notice');
    await notice.getByRole('link', { name: `#${target.number} ${target.subject}` }).waitFor();
    assert.equal(await page.getByLabel('Reply to the requester').count(), 0, 'no reply box on a merged ticket');
    await notice.getByRole('link').click();
    await page.waitForURL(`**/tickets/${target.number}`);
    await context.close();
  });

  test('side-panel edits and e confirm with a toast whose Undo takes the change back; one\'s own escalation raises no "changed since" notice', async () => {
    const l2 = await t.services.people.createGroup({ name: 'Field L2', description: '', escalatesToId: null, memberIds: [people.tom!.id] });
    const fieldL1 = await t.services.people.createGroup({ name: 'Field L1', description: '', escalatesToId: l2.id, memberIds: [people.priya!.id] });
    const ticket = await newTicket('Undo me please', { groupId: fieldL1.id });
    const { context, page } = await signedIn('priya');
    await page.goto(`${base}/tickets/${ticket.number}`);
    await page.getByRole('heading', { name: ticket.subject }).waitFor();
    await pick(page, 'Priority', /^P1/);
    const toast = page.getByTestId('change-toast').filter({ hasText: `#${ticket.number}: priority → P1` });
    await waitFor(async () => (await ticketApi(ticket.id)).priority.key === 'P1', 'priority saved');
    await toast.getByRole('button', { name: 'Undo' }).click();
    await waitFor(async () => (await ticketApi(ticket.id)).priority.key === 'P4', 'undo puts the priority back');
    await page.keyboard.press('e');
    await page.getByTestId('change-toast').filter({ hasText: 'state → Solved' }).getByRole('button', { name: 'Undo' }).click();
    await waitFor(async () => (await ticketApi(ticket.id)).statusCategory === 'open', 'undo reopens the solved ticket');
    await page.getByTestId('ticket-state').filter({ hasText: 'Open' }).waitFor();
    await page.getByRole('button', { name: 'Escalate…' }).click();
    const dialog = page.getByRole('dialog', { name: /^Escalate/ });
    await dialog.getByLabel(/^Impact/).fill('Two clinics cannot sync');
    await dialog.getByLabel(/^What was tried/).fill('Cleared the cache');
    await dialog.getByLabel(/^What is needed/).fill('A fix on the server');
    await dialog.getByRole('button', { name: 'Escalate' }).click();
    await waitFor(async () => (await ticketApi(ticket.id)).groupId === l2.id, 'escalated to Field L2');
    await page.waitForTimeout(1500); // the live update of one's own change arrives meanwhile
    assert.equal(await page.getByTestId('changed-under').count(), 0, 'no "changed since you opened it" after one\'s own escalation');
    await context.close();
  });

  test('details: a real favicon, the tab names the ticket, dates carry the exact time on hover, history reads as sentences', async () => {
    const ico = await fetch(`${base}/favicon.ico`);
    assert.equal(ico.status, 200);
    assert.match(String(ico.headers.get('content-type')), /icon/);
    assert.deepEqual([...new Uint8Array(await ico.arrayBuffer()).slice(0, 4)], [0, 0, 1, 0], 'an ICO file, not the app\'s HTML');
    assert.match(String((await fetch(`${base}/favicon.svg`)).headers.get('content-type')), /svg/);
    const ticket = await newTicket('Details: tab title and history');
    const { context, page } = await signedIn('priya');
    await page.goto(`${base}/tickets/${ticket.number}`);
    await page.getByRole('heading', { name: ticket.subject }).waitFor();
    await waitFor(async () => (await page.title()) === `#${ticket.number} ${ticket.subject} · Lifeline`, 'the tab shows number and subject');
    await pick(page, 'Priority', /^P2/);
    await waitFor(async () => (await ticketApi(ticket.id)).priority.key === 'P2', 'priority saved');
    await page.getByRole('button', { name: /^History/ }).click();
    await page.getByTestId('history-event').filter({ hasText: 'Priority P4 → P2 by Priya Raman' }).waitFor();
    await page.getByTestId('history-event').filter({ hasText: /opened the ticket/ }).waitFor();
    const exact = await page.locator('time').first().getAttribute('title');
    assert.match(String(exact), /2026.*\d\d:\d\d/, `the exact time on hover: ${exact}`);
    await context.close();
  });

  test('search: the box suggests filters and their values, the results show removable chips, a typo still finds the ticket, a bad query says so once', async () => {
    const ticket = await newTicket('Printer jams on tray two', { tags: ['printer-tray'] });
    const { context, page } = await signedIn('priya');
    const box = page.getByRole('textbox', { name: 'Search tickets' }).or(page.getByRole('combobox', { name: 'Search tickets' })).first();
    await page.keyboard.press('/');
    await page.keyboard.type('pri');
    await page.getByRole('option', { name: 'priority:' }).waitFor();
    await box.fill('tag:printer');
    await page.getByRole('option', { name: 'tag:printer-tray' }).waitFor();
    await box.press('ArrowDown');
    await box.press('Enter');
    await page.getByRole('heading', { name: 'Search: tag:printer-tray' }).waitFor();
    await page.getByTestId('ticket-row').filter({ hasText: ticket.subject }).waitFor();
    await page.getByTestId('search-chip').filter({ hasText: 'tag:printer-tray' }).waitFor();
    await page.getByRole('button', { name: 'Remove tag:printer-tray' }).click();
    await page.getByRole('heading', { name: 'All' }).waitFor();
    await box.fill('priner jams');
    await box.press('Enter');
    await page.getByRole('status').filter({ hasText: 'similar words' }).waitFor();
    await page.getByTestId('ticket-row').filter({ hasText: ticket.subject }).waitFor();
    await box.fill('colour:red');
    await box.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'colour' }).waitFor();
    assert.equal(await page.getByRole('alert').filter({ hasText: 'colour' }).count(), 1, 'one error, shown once');
    await context.close();
  });

  test('on a phone (390×844): the views are in a drawer behind the menu button, New ticket and the account menu fit, the ticket shows its conversation first', async () => {
    const calendar = await t.as(admin).post('/api/v1/calendars', { name: 'Always (phone)', timeZone: 'UTC', alwaysOpen: true });
    await t.as(admin).post('/api/v1/sla-policies', { name: 'e2e phone', position: 0, condition: { field: 'tags', op: 'includes_any', value: ['e2e-phone'] }, calendarId: calendar.body.id, targets: { P1: { first_response: 50 } } });
    const ticket = await newTicket('Phone-sized ticket', { priority: 'P1', tags: ['e2e-phone'] });
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    await page.goto(base);
    await page.getByLabel(/^Email/).fill('priya@example.org');
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const menu = page.getByRole('button', { name: 'Open the views' });
    await menu.waitFor();
    const onScreen = async (what: ReturnType<Page['getByRole']>) => {
      const box = await what.boundingBox();
      return Boolean(box && box.x >= 0 && box.x + box.width <= 390 && box.width > 0);
    };
    const views = page.getByRole('navigation', { name: 'Views' });
    await waitFor(async () => !(await onScreen(views)), 'the views rail is not over the list');
    assert.ok(await onScreen(page.getByRole('link', { name: 'New ticket' })), 'New ticket is on screen');
    assert.ok(await onScreen(page.getByRole('button', { name: 'Your account' })), 'the account menu (sign out) is on screen');
    await menu.click();
    await waitFor(() => onScreen(views), 'the menu button opens the views');
    await views.getByRole('link', { name: /New \/ unassigned/ }).click();
    await waitFor(async () => !(await onScreen(views)), 'choosing a view closes the drawer');
    // The list is cards: subject, requester, state, priority, SLA; no table columns running off the screen.
    const card = page.getByRole('list', { name: 'Tickets' }).getByRole('listitem').filter({ hasText: ticket.subject });
    await card.waitFor();
    assert.equal(await page.getByRole('columnheader').count(), 0, 'no table on a phone');
    assert.ok(await onScreen(card), 'the card fits the screen');
    await card.getByTestId('sla-badge').filter({ hasText: '50 min' }).waitFor();
    const text = (await card.innerText()).toLowerCase();
    for (const part of [`#${ticket.number}`, customer.name, 'new', 'p1', '50 min']) assert.ok(text.includes(part.toLowerCase()), `the card shows ${part}: ${text}`);
    assert.deepEqual(await accessibilityProblems(page), [], 'the queue at 390×844');
    // Keyboard: the card's subject is a link; focus it and press Enter.
    await card.getByRole('link', { name: ticket.subject }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: ticket.subject }).waitFor();
    const conversation = await page.getByLabel('Reply to the requester').boundingBox();
    const fields = await page.getByRole('textbox', { name: 'State', exact: true }).or(page.getByRole('combobox', { name: 'State', exact: true })).first().boundingBox();
    assert.ok(conversation && fields && conversation.y < fields.y, 'the conversation and reply box come before the fields');
    assert.deepEqual(await accessibilityProblems(page), [], 'the ticket page at 390×844');
    await screenshot(page, 'phone-ticket');
    // An on-screen keyboard leaves ~400 px: the reply box and its send button are still there, with nothing over them.
    await page.setViewportSize({ width: 390, height: 400 });
    const replyBox = page.getByLabel('Reply to the requester');
    await replyBox.focus();
    await page.keyboard.type('Typed on a phone');
    const uncovered = async (what: ReturnType<Page['getByRole']>) => {
      await what.scrollIntoViewIfNeeded();
      const box = await what.boundingBox();
      if (!box || box.y < 52 || box.y + box.height / 2 > 400) return false;
      return what.evaluate((el, [x, y]) => el.contains(document.elementFromPoint(x as number, y as number)), [box.x + box.width / 2, box.y + box.height / 2]);
    };
    assert.ok(await uncovered(replyBox), 'the reply box is below the header and above the keyboard, uncovered');
    assert.ok(await uncovered(page.getByRole('button', { name: 'Send reply' })), 'Send reply can be pressed');
    await context.close();
  });

  test('the ticket page at 390 px: the conversation and reply box come before every panel and nothing scrolls sideways; on a desktop the board and time stay above the conversation, the fields beside it', async () => {
    await t.make.organization({ name: 'Northwind Logistics and Freight Forwarding International', domains: ['northwind.example'] });
    const calendar = await t.as(admin).post('/api/v1/calendars', { name: 'Always (layout)', timeZone: 'UTC', alwaysOpen: true });
    await t.as(admin).post('/api/v1/sla-policies', { name: 'e2e layout', position: 0, condition: { field: 'tags', op: 'includes_any', value: ['e2e-layout'] }, calendarId: calendar.body.id, targets: { P1: { first_response: 50, resolution: 600 } } });
    const url = `https://github.com/northwind-logistics/warehouse-integration-service/pull/4711?diff=split&w=${'1'.repeat(60)}`;
    const requester = { email: 'dispatch.coordinator.night.shift@northwind.example', name: 'Nadia Night-Shift' };
    const ticket = await newTicket('Label printer in bay 7 prints every shipping label twice', { priority: 'P1', tags: ['e2e-layout', 'warehouse-bay-seven-label-printer'], requester });
    await newTicket('The label printer in bay 7 also jams on the thicker customs declaration labels', { requester });
    assert.equal((await t.as(admin).post(`/api/v1/tickets/${ticket.id}/links`, { kind: 'external', url })).status, 201);
    assert.equal((await t.as(admin).post('/api/v1/time/entries', { ticketId: ticket.id, workDate: '2026-01-05', minutes: 45, description: 'Reproduced with the bay 7 driver and the vendor firmware', billable: true })).status, 201);
    const incident = await t.as(admin).post('/api/v1/incidents', { title: 'Label printing duplicated across warehouses', severity: 'P2' });
    assert.equal(incident.status, 201, JSON.stringify(incident.body));
    assert.equal((await t.as(admin).post(`/api/v1/incidents/${incident.body.id}/tickets`, { ticketIds: [ticket.id] })).status, 200);

    const open = async (width: number) => {
      const { context, page } = await signInPage(browser, base, people.priya!.email, { label: `layout ${width}`, context: { viewport: { width, height: 844 }, hasTouch: width < 768, isMobile: width < 768 } });
      await page.goto(`${base}/tickets/${ticket.number}`);
      await page.getByRole('heading', { name: ticket.subject }).waitFor();
      await page.getByRole('group', { name: 'Time' }).getByTestId('time-total').filter({ hasText: '0.75' }).waitFor();
      await page.getByRole('note', { name: 'Linked incident' }).waitFor();
      await page.getByLabel('SLA', { exact: true }).waitFor();
      await page.getByLabel('Links', { exact: true }).getByRole('link', { name: /northwind-logistics/ }).waitFor();
      await page.getByLabel('Requester', { exact: true }).getByText('OTHER TICKETS').waitFor();
      return { context, page };
    };
    const top = async (what: Locator) => {
      const box = await what.first().boundingBox();
      assert.ok(box, `${what} is shown`);
      return box;
    };
    const panels = (page: Page) => ({
      board: page.getByRole('button', { name: 'Backlog to customer board' }),
      time: page.getByRole('group', { name: 'Time' }),
      'Declare incident': page.getByRole('button', { name: 'Declare incident' }),
      fields: page.getByRole('textbox', { name: 'State', exact: true }).or(page.getByRole('combobox', { name: 'State', exact: true })),
      SLA: page.getByLabel('SLA', { exact: true }),
      requester: page.getByLabel('Requester', { exact: true }),
      links: page.getByLabel('Links', { exact: true }),
    });
    const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

    const phone = await open(390);
    const conversation = await top(phone.page.getByLabel('Conversation', { exact: true }));
    const reply = await top(phone.page.getByLabel('Reply to the requester'));
    for (const [name, panel] of Object.entries(panels(phone.page))) {
      const box = await top(panel);
      assert.ok(conversation.y < box.y && reply.y < box.y, `at 390 px the conversation (${conversation.y}) and reply box (${reply.y}) come before ${name} (${box.y})`);
      assert.ok(box.x >= 0 && box.x + box.width <= 390, `${name} fits the screen (${box.x} + ${box.width})`);
    }
    assert.ok(conversation.y < 500, `the conversation starts on the first screen (${conversation.y})`);
    assert.equal(await sideways(phone.page), 0, 'the ticket page does not scroll sideways at 390 px');
    for (const section of ['History', 'Why these numbers']) await phone.page.getByRole('button', { name: new RegExp(`^${section}`) }).click();
    await phone.page.getByText(/linked https:\/\/github\.com\/northwind/).waitFor();
    await phone.page.getByText(/^First response:/).waitFor();
    assert.equal(await sideways(phone.page), 0, 'nor with the history and "Why these numbers" open');
    await screenshot(phone.page, 'phone-ticket-panels');
    await phone.context.close();

    const desk = await open(1400);
    const deskConversation = await top(desk.page.getByLabel('Conversation', { exact: true }));
    const deskPanels = panels(desk.page);
    for (const name of ['board', 'time', 'Declare incident'] as const) {
      assert.ok((await top(deskPanels[name])).y < deskConversation.y, `on a desktop ${name} is above the conversation, as before`);
    }
    for (const name of ['fields', 'SLA', 'requester', 'links'] as const) {
      const box = await top(deskPanels[name]);
      assert.ok(box.x >= deskConversation.x + deskConversation.width, `on a desktop ${name} is beside the conversation, not below it`);
    }
    assert.equal(await sideways(desk.page), 0, 'the desktop page does not scroll sideways');
    await desk.context.close();
  });
});

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting until ${what}`);
}
