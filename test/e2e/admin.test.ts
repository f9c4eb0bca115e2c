import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { rowsOf } from '../../src/db/client.js';
import type { Session, TestApp } from '../../src/testing/harness.js';
import { accessibilityProblems } from './axe.js';
import { browserMissing, PASSWORD, pick, screenshot, signInPage, startBrowserApp, stopBrowserApp } from './browser.js';

const skip = browserMissing();

/** Admin without the API: users and priority schemes in a real browser, by keyboard where it matters, at 390 px too. */
describe('admin screens in a real browser', { skip }, () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;

  before(async () => {
    ({ t, base, browser } = await startBrowserApp());
    await t.services.people.createUser({ email: 'dana@example.org', name: 'Dana Lead', role: 'admin', password: PASSWORD });
    for (let i = 0; i < 27; i++) await t.services.people.createUser({ email: `caller${String(i).padStart(2, '0')}@example.org`, name: `Caller ${String(i).padStart(2, '0')}`, role: 'customer' });
    await t.services.people.createUser({ email: 'omar@old.example.org', name: 'Omar Field', role: 'agent', password: PASSWORD });
    ({ context, page } = await signInPage(browser, base, 'dana@example.org'));
  });
  after(() => stopBrowserApp(t, browser));

  test('users: search, filter by role, page through, edit, change an email and remove the old address, deactivate and reactivate', async () => {
    await page.goto(`${base}/admin/users`);
    const table = page.getByRole('table', { name: 'Users' });
    await table.getByText('caller00@example.org').waitFor();
    assert.deepEqual(await accessibilityProblems(page), [], 'no serious accessibility problems on the users screen');

    // Role filter and paging: 27 callers, 25 a page.
    await pick(page, 'Role', 'Customer');
    await table.getByText('Caller 00').waitFor();
    assert.equal(await table.getByText('Omar Field').count(), 0, 'agents are filtered out');
    await page.getByRole('button', { name: 'Next page' }).click();
    await table.getByText('Caller 25').waitFor();
    assert.equal(await table.getByText('Caller 00').count(), 0);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await table.getByText('Caller 00').waitFor();
    await pick(page, 'Role', /^Agent$/);

    // Search, then edit by keyboard: a new email; the old address stays until removed.
    await page.getByRole('textbox', { name: 'Search', exact: true }).fill('omar');
    await table.getByText('omar@old.example.org').waitFor();
    await page.getByRole('button', { name: 'Edit Omar Field' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Omar Field' });
    await dialog.getByText('not in any group', { exact: false }).waitFor();
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Omar Fieldwork');
    await dialog.getByRole('textbox', { name: 'Email' }).fill('not an address');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText(/email/i).filter({ hasText: /invalid|expected|address/i }).first().waitFor();
    assert.equal(await dialog.getByRole('textbox', { name: 'Name' }).inputValue(), 'Omar Fieldwork', 'what was typed is kept');
    await dialog.getByRole('textbox', { name: 'Email' }).fill('omar@new.example.org');
    await dialog.getByRole('textbox', { name: 'Email' }).press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await table.getByText('omar@new.example.org').waitFor();
    const omar = await t.services.people.findUserByEmail('omar@new.example.org');
    assert.equal(omar?.name, 'Omar Fieldwork');

    await page.getByRole('button', { name: 'Edit Omar Fieldwork' }).click();
    const again = page.getByRole('dialog', { name: 'Edit Omar Fieldwork' });
    await again.getByText('omar@old.example.org').waitFor();
    assert.deepEqual(await accessibilityProblems(page), [], 'no serious accessibility problems in the user editor');
    await again.getByRole('button', { name: 'Remove omar@old.example.org' }).click();
    await again.getByText('omar@old.example.org').waitFor({ state: 'detached' });
    assert.equal(await again.getByRole('button', { name: /Remove omar@new/ }).count(), 0, 'the current address cannot be removed');
    await again.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await t.services.identities.findPerson('email', 'omar@old.example.org'))?.id, undefined, 'the old address is gone');

    await page.getByRole('button', { name: 'Deactivate Omar Fieldwork' }).click();
    await table.getByText('deactivated').waitFor();
    assert.equal((await t.services.people.getUser(omar?.id as string)).active, false);
    await page.getByRole('button', { name: 'Reactivate Omar Fieldwork' }).click();
    await table.getByText('active', { exact: true }).waitFor();
    assert.equal((await t.services.people.getUser(omar?.id as string)).active, true);
    await screenshot(page, 'admin-users');
  });

  test('priorities: edit a definition and colour, add a level, reorder by keyboard; bad input is shown at the field', async () => {
    await page.goto(`${base}/admin/priorities`);
    const scheme = page.getByRole('region', { name: /CommCare/ });
    await scheme.getByRole('button', { name: /^Edit P1/ }).waitFor();
    assert.deepEqual(await accessibilityProblems(page), [], 'no serious accessibility problems on the priorities screen');

    await scheme.getByRole('button', { name: /^Edit P5/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit P5' });
    await dialog.getByRole('textbox', { name: 'Definition' }).fill('Low: cosmetic, no one is blocked.');
    await dialog.getByRole('textbox', { name: 'Colour' }).fill('#2f9e44');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await scheme.getByText('Low: cosmetic, no one is blocked.').waitFor();

    const add = page.getByRole('form', { name: /Add a level to P1–P5/ });
    await add.getByRole('textbox', { name: "New level's key" }).fill('P1');
    await add.getByRole('textbox', { name: 'Name' }).fill('Backlog');
    await add.getByRole('textbox', { name: 'Definition' }).fill('Parked until planning.');
    await add.getByRole('textbox', { name: 'Definition' }).press('Enter');
    await add.getByText('P1 is taken in this scheme').waitFor();
    assert.equal(await add.getByRole('textbox', { name: 'Name' }).inputValue(), 'Backlog', 'what was typed is kept');
    await add.getByRole('textbox', { name: "New level's key" }).fill('P6');
    await add.getByRole('textbox', { name: 'Definition' }).press('Enter');
    await scheme.getByText('Parked until planning.').waitFor();

    // P6 up one place, by keyboard.
    await scheme.getByRole('button', { name: 'Move P6 up' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('P6 moved up').waitFor();
    const levels = (await t.services.settings.allPriorities()).filter((p) => p.schemeKey === 'commcare').map((p) => p.key);
    assert.deepEqual(levels, ['P1', 'P2', 'P3', 'P4', 'P6', 'P5']);
    await screenshot(page, 'admin-priorities');
  });

  test('email: add and edit an address, add a mailbox and test it (the password never comes back), remove with a second look; the outbox reads as text', async () => {
    const group = await t.services.people.createGroup({ name: 'Billing desk', description: '', escalatesToId: null });
    await page.goto(`${base}/admin/email`);
    const add = page.getByRole('form', { name: 'Add a support address' });
    await add.getByRole('textbox', { name: 'Address' }).fill('not-an-address');
    await add.getByRole('textbox', { name: 'Sender name' }).fill('Billing');
    await add.getByRole('button', { name: 'Add address' }).click();
    await add.getByText(/email|address/i).filter({ hasNot: page.getByRole('textbox') }).nth(1).waitFor();
    await add.getByRole('textbox', { name: 'Address' }).fill('billing@example.org');
    await pick(page, 'Group for new tickets', 'Billing desk', add);
    await add.getByRole('button', { name: 'Add address' }).click();
    const addresses = page.getByRole('table', { name: 'Support addresses' });
    await addresses.getByRole('row').filter({ hasText: 'billing@example.org' }).filter({ hasText: 'Billing desk' }).waitFor();
    await page.getByRole('button', { name: 'Edit billing@example.org' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit billing@example.org' });
    await edit.getByRole('textbox', { name: 'Sender name' }).fill('Billing team');
    await edit.getByRole('button', { name: 'Save' }).click();
    await addresses.getByText('Billing team').waitFor();
    const billing = (await t.services.email.addresses.list()).find((a) => a.address === 'billing@example.org');
    assert.deepEqual([billing?.name, billing?.groupId], ['Billing team', group.id]);

    // A mailbox at a port where nothing listens: saved, the password sealed, and Test says why it fails.
    await page.getByRole('button', { name: 'Add mailbox' }).click();
    const box = page.getByRole('dialog', { name: 'Add a mailbox' });
    await pick(page, 'Feeds the address', 'billing@example.org', box);
    await box.getByRole('textbox', { name: 'IMAP server' }).fill('127.0.0.1');
    await box.getByRole('textbox', { name: 'Port' }).fill('1');
    await box.getByRole('checkbox', { name: 'Secure connection (TLS)' }).uncheck();
    await box.getByRole('textbox', { name: 'Username' }).fill('billing');
    await box.getByRole('textbox', { name: 'Password' }).fill('sealed-secret-123');
    await box.getByRole('button', { name: 'Save' }).click();
    await box.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Test the connection of billing' }).click();
    await page.getByText('Nothing accepts connections at 127.0.0.1:1').waitFor();
    await page.getByRole('button', { name: 'Edit mailbox billing' }).click();
    const again = page.getByRole('dialog', { name: 'Edit mailbox billing' });
    assert.equal(await again.getByRole('textbox', { name: 'Password' }).inputValue(), '', 'the saved password is not shown');
    assert.ok(!(await page.content()).includes('sealed-secret-123'), 'nor anywhere on the page');
    assert.deepEqual(await accessibilityProblems(page), [], 'no serious accessibility problems in the mailbox editor');
    await again.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Remove billing@example.org' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove billing@example.org?' });
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    assert.ok((await t.services.email.addresses.list()).some((a) => a.address === 'billing@example.org'), 'nothing removed without the second look');

    // The outbox: a reply read in the app, headers in words, the text as text (markup never rendered).
    const admin = await t.signIn('admin');
    const customer = await t.signIn('customer', { email: 'grace@example.org', name: 'Grace' });
    const ticket = await t.make.ticket(customer, { subject: 'Invoice missing' });
    await t.as(admin).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Resent it <img src=x onerror="window.pwned=1">', public: true, format: 'text' });
    await t.runJobs();
    await page.goto(`${base}/admin/outbox`);
    const outbox = page.getByRole('table', { name: 'Outbox' });
    await outbox.getByText(/Invoice missing/).first().waitFor();
    assert.deepEqual(await accessibilityProblems(page), [], 'no serious accessibility problems on the outbox');
    await outbox.getByRole('button', { name: /^Read “.*Invoice missing/ }).first().click();
    const mail = page.getByRole('dialog', { name: 'Email as received or sent' });
    const headers = mail.getByRole('table', { name: 'Headers' });
    await headers.getByRole('rowheader', { name: 'Message ID' }).waitFor();
    await headers.getByRole('row').filter({ hasText: 'Subject' }).filter({ hasText: 'Invoice missing' }).waitFor();
    await mail.getByLabel('Message text').filter({ hasText: 'Resent it <img src=x' }).waitFor();
    assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined, 'markup in mail is never run');
    await mail.getByRole('button', { name: 'Show the source' }).click();
    await mail.getByLabel('Message source').filter({ hasText: 'Content-Type' }).waitFor();
    await screenshot(page, 'admin-outbox-read');
    await page.keyboard.press('Escape');
  });

  test('password reset: an admin sends one from Users; "Forgot password?" on the sign-in page; the link sets a password once', async () => {
    const linkTo = async (to: string) => {
      const [mail] = rowsOf<{ body_text: string }>(await t.database.db.execute(sql`select body_text from outbound_emails where kind = 'password_reset' and to_address = ${to} order by created_at desc, id desc limit 1`));
      return /\/reset-password#token=[A-Za-z0-9_.-]+/.exec(mail?.body_text ?? '')?.[0] as string;
    };
    const admin = await t.signIn('admin');
    if (!(await t.services.email.addresses.list()).length) assert.equal((await t.as(admin).post('/api/v1/email/addresses', { address: 'desk@example.org', name: 'Desk' })).status, 201);
    await t.services.people.createUser({ email: 'priya@example.org', name: 'Priya Nair', role: 'agent', password: PASSWORD });
    await page.goto(`${base}/admin/users`);
    await page.getByRole('textbox', { name: 'Search', exact: true }).fill('priya');
    await page.getByRole('button', { name: 'Send password reset to Priya Nair' }).click();
    await page.getByText('A password reset link is on its way to priya@example.org').waitFor();
    assert.ok(await linkTo('priya@example.org'), 'the admin’s link is in the outbox');

    // Signed out, in another browser: "Forgot password?", the same answer for anyone.
    const other = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    const guest = await other.newPage();
    await guest.goto(base);
    await guest.getByLabel(/^Email/).fill('priya@example.org');
    await guest.getByRole('button', { name: 'Forgot password?' }).click();
    assert.equal(await guest.getByRole('textbox', { name: 'Email' }).inputValue(), 'priya@example.org', 'the address typed is carried over');
    assert.deepEqual(await accessibilityProblems(guest), [], 'no serious accessibility problems on the forgot-password form');
    await guest.getByRole('button', { name: 'Email me a link' }).click();
    await guest.getByRole('status').getByText(/If this address has an account, a link to set a new password is on its way/).waitFor();
    const link = await linkTo('priya@example.org');

    await guest.goto(`${base}${link}`);
    await guest.getByText('For the account p…@example.org').waitFor();
    assert.deepEqual(await accessibilityProblems(guest), [], 'no serious accessibility problems on the reset page');
    await guest.getByLabel(/^New password/).fill('too short');
    await guest.getByRole('button', { name: 'Set password' }).click();
    await guest.getByText('use at least 10 characters').waitFor();
    assert.equal(await guest.getByLabel(/^New password/).inputValue(), 'too short', 'what was typed is kept');
    await guest.getByLabel(/^New password/).fill('a brand new passphrase');
    await guest.getByLabel(/^New password/).press('Enter');
    await guest.getByText('Your password is set').waitFor();
    await screenshot(guest, 'password-reset-done');
    // Used once: the same link, opened again, says so and changes nothing.
    await guest.reload();
    await guest.getByRole('alert').getByText('This password reset link was already used').waitFor();
    await guest.goto(base);
    await guest.getByLabel(/^Email/).fill('priya@example.org');
    await guest.getByLabel(/^Password/).fill('a brand new passphrase');
    await guest.keyboard.press('Enter');
    await guest.getByRole('navigation', { name: 'Views' }).waitFor();
    await other.close();
  });

  test('saved views: an admin renames and edits anyone\'s view in the rule builder (live count, JSON), reorders by keyboard, deletes after a second look', async () => {
    const lena = await t.signIn('agent', { email: 'lena@example.org', name: 'Lena Park' });
    const admin = await t.signIn('admin');
    const customer = await t.signIn('customer', { email: 'ines@example.org', name: 'Ines' });
    await t.make.ticket(customer, { subject: 'Urgent one', tags: ['call-back'] });
    const urgent = (await t.as(lena).post('/api/v1/views', { name: 'Lena urgent', condition: { field: 'tags', op: 'includes_any', value: ['no-such-tag'] } })).body;
    const backlog = (await t.as(lena).post('/api/v1/views', { name: 'Lena backlog', condition: { all: [] }, position: 1 })).body;
    const shared = (await t.as(admin).post('/api/v1/views', { name: 'Team shared', condition: { all: [] }, position: 2 })).body;

    await page.goto(`${base}/admin/views`);
    const table = page.getByRole('table', { name: 'Saved views' });
    await table.getByRole('row').filter({ hasText: 'Lena urgent' }).filter({ hasText: 'Lena Park' }).waitFor();
    assert.deepEqual(await accessibilityProblems(page), [], 'no serious accessibility problems on the saved views screen');

    await page.getByRole('button', { name: 'Edit view Lena urgent' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit view Lena urgent' });
    await dialog.getByText('matches 0 open tickets now').waitFor();
    await dialog.getByRole('textbox', { name: 'Name' }).fill(' ');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('must not be empty').waitFor();
    // With the field error showing: the red message and the input beside it are checked for contrast too.
    assert.deepEqual(await accessibilityProblems(page), [], 'no serious accessibility problems in the view editor, its field error showing');
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Lena P1');
    await dialog.getByRole('button', { name: 'Edit as JSON' }).click();
    await dialog.getByRole('textbox', { name: 'Shows tickets where as JSON' }).fill('{"field":"tags","op":"includes_any","value":["call-back"]}');
    await dialog.getByRole('button', { name: 'Back to the form' }).click();
    await dialog.getByText('matches 1 open ticket now').waitFor();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await table.getByText('Lena P1').waitFor();
    const edited = ((await t.as(lena).get('/api/v1/views')).body.items as { id: string; name: string; condition: unknown; ownerId: string }[]).find((v) => v.id === urgent.id);
    assert.deepEqual([edited?.name, edited?.condition, edited?.ownerId], ['Lena P1', { field: 'tags', op: 'includes_any', value: ['call-back'] }, lena.user.id], 'renamed and refiltered, still Lena\'s');

    // "Lena backlog" up one place, by keyboard.
    await table.getByRole('button', { name: 'Move Lena backlog up' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('Lena backlog moved up').waitFor();
    const order = ((await t.as(admin).get('/api/v1/views/saved')).body.items as { id: string }[]).map((v) => v.id);
    assert.deepEqual(order, [backlog.id, urgent.id, shared.id]);

    await page.getByRole('button', { name: 'Delete view Team shared' }).click();
    await page.getByRole('dialog', { name: 'Delete the view Team shared?' }).getByRole('button', { name: 'Keep it' }).click();
    assert.equal((await t.as(admin).get('/api/v1/views/saved')).body.items.length, 3, 'nothing deleted without the second look');
    await page.getByRole('button', { name: 'Delete view Team shared' }).click();
    await page.getByRole('dialog', { name: 'Delete the view Team shared?' }).getByRole('button', { name: 'Delete' }).click();
    await table.getByText('Team shared').waitFor({ state: 'detached' });
    assert.deepEqual(((await t.as(admin).get('/api/v1/views/saved')).body.items as { id: string }[]).map((v) => v.id), [backlog.id, urgent.id]);
    await screenshot(page, 'admin-saved-views');

    // "Edit view …" beside one's own view in the rail opens the same editor; built-in views have none.
    const signIn = await t.as(null).post('/api/v1/session', { email: 'dana@example.org', password: PASSWORD });
    const dana = { headers: { cookie: String(signIn.headers['set-cookie']).split(';')[0] as string, 'x-csrf-token': signIn.body.csrfToken } } as unknown as Session;
    assert.equal((await t.as(dana).post('/api/v1/views', { name: 'Admin own', condition: { all: [] } })).status, 201);
    await page.goto(`${base}/views/triage`);
    const rail = page.getByRole('navigation', { name: 'Views' });
    await rail.getByRole('button', { name: 'Edit view Admin own' }).click();
    const fromRail = page.getByRole('dialog', { name: 'Edit view Admin own' });
    await fromRail.getByRole('textbox', { name: 'Name' }).fill('Admin renamed');
    await fromRail.getByRole('button', { name: 'Save' }).click();
    await rail.getByRole('link', { name: /Admin renamed/ }).waitFor();
    assert.equal(await rail.getByRole('button', { name: /^Edit view (New|All)/ }).count(), 0, 'built-in views cannot be edited');
  });

  test('triage: the agent on triage sees the rota and the hand-over notes beside the queue and writes one', async () => {
    const dana = await t.services.people.findUserByEmail('dana@example.org');
    const lena = await t.services.people.findUserByEmail('lena@example.org');
    const admin = await t.signIn('admin');
    const desk = await t.services.people.createGroup({ name: 'Front desk', description: '', escalatesToId: null, memberIds: [dana?.id as string, lena?.id as string] });
    // The browser's today, as the panel asks for it.
    const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    const rota = await t.as(admin).put(`/api/v1/groups/${desk.id}/rota`, { entries: [{ day: day(0), userId: dana?.id }, { day: day(1), userId: lena?.id }] });
    assert.equal(rota.status, 204, rota.raw);
    await t.as(admin).post(`/api/v1/groups/${desk.id}/handover`, { body: 'Watch the sync outage thread.' });

    await page.goto(`${base}/views/triage`);
    const panel = page.getByRole('region', { name: 'Triage rota and hand-over' });
    await panel.getByText(/Front desk: today you · next Lena Park/).waitFor();
    await panel.getByText('Watch the sync outage thread.').waitFor();
    // The panel only: the queue's own checks are the agent-app tests'.
    assert.deepEqual(await accessibilityProblems(page, 'section[aria-labelledby="triage-rota-title"]'), [], 'no serious accessibility problems in the triage panel');
    const note = panel.getByRole('textbox', { name: 'Hand-over to the next triage (Front desk)' });
    await note.fill('Acme asked for a call back at 3.');
    await panel.getByRole('button', { name: 'Add note' }).click();
    // In the list of notes (the text box held the same words until the note was saved).
    await panel.getByRole('listitem').filter({ hasText: 'Acme asked for a call back at 3.' }).waitFor();
    assert.ok((await t.services.assignment.latestHandover(desk.id)).notes.some((n) => n.body === 'Acme asked for a call back at 3.' && n.authorId === dana?.id));
    await screenshot(page, 'triage-rota-panel');
  });

  test('at 390×844 every admin screen, incidents, time, on-call, reports and the knowledge base fit; users, priorities and saved views stay usable', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, storageState: await context.storageState() });
    const small = await phone.newPage();
    await small.goto(`${base}/admin/users`);
    await small.getByRole('table', { name: 'Users' }).getByText('Caller 00').waitFor();
    const width = await small.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page does not scroll sideways (${width} px)`);
    const search = await small.getByRole('textbox', { name: 'Search', exact: true }).boundingBox();
    assert.ok(search && search.x >= 0 && search.x + search.width <= 390, 'the search box is on screen');
    await small.goto(`${base}/admin/priorities`);
    await small.getByRole('region', { name: /CommCare/ }).getByRole('button', { name: /^Edit P1/ }).waitFor();
    assert.ok((await small.evaluate(() => document.documentElement.scrollWidth)) <= 390, 'priorities do not scroll sideways');
    await small.goto(`${base}/admin/views`);
    await small.getByRole('table', { name: 'Saved views' }).getByRole('button', { name: /^Edit view/ }).first().waitFor();
    assert.ok((await small.evaluate(() => document.documentElement.scrollWidth)) <= 390, 'saved views do not scroll sideways');
    // Every other screen an admin reaches, once its data is in: none is wider than the phone (a wide table scrolls in
    // its own box, a fixed-width field stops at the screen's edge).
    const sections = ['groups', 'organizations', 'ticket-settings', 'states', 'types', 'custom-fields', 'calendars', 'sla', 'triggers', 'automations', 'macros', 'rota', 'webhooks', 'email', 'connections', 'outbox', 'jobs', 'status-components', 'monitors', 'portal', 'widget', 'tokens'];
    const wide: string[] = [];
    for (const path of [...sections.map((s) => `/admin/${s}`), '/incidents', '/time', '/oncall/admin', '/reports', '/kb']) {
      await small.goto(`${base}${path}`);
      await small.locator('main h2, main h3').first().waitFor();
      await small.waitForFunction(() => !document.querySelector('main .mantine-Loader-root'));
      const px = await small.evaluate(() => document.documentElement.scrollWidth);
      if (px > 390) wide.push(`${path} (${px} px)`);
    }
    assert.deepEqual(wide, [], 'no screen scrolls sideways at 390 px');
    await small.goto(`${base}/admin/priorities`);
    await small.getByRole('region', { name: /CommCare/ }).getByRole('button', { name: /^Edit P1/ }).waitFor();
    assert.deepEqual(await accessibilityProblems(small), [], 'no serious accessibility problems at phone size');
    await screenshot(small, 'admin-priorities-phone');
    await phone.close();
  });
});
