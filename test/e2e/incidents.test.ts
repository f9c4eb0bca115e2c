import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Session, TestApp } from '../../src/testing/harness.js';
import { browserMissing, PASSWORD, pick, screenshot, signInPage, startBrowserApp, stopBrowserApp } from './browser.js';

const skip = browserMissing();

describe('incidents in a real browser', { skip }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let admin: Session;

  before(async () => {
    ({ t, base, browser } = await startBrowserApp());
    admin = await t.signIn('admin');
    await t.services.people.createUser({ email: 'dana@example.org', name: 'Dana Lead', role: 'admin', password: PASSWORD });
  });
  after(() => stopBrowserApp(t, browser));

  test('declare from a ticket, keep the timeline, post an update: the banner, the ticket and the JavaScript-free status page follow', async () => {
    const ticket = await t.make.ticket(admin, { subject: 'Nobody can submit forms', description: 'Since 08:40.', requester: { email: 'grace@example.org', name: 'Grace Hopper' }, priority: 'P1' });
    // The browser's clock agrees with the server's fake one, so the cadence timer reads true.
    const { context, page } = await signInPage(browser, base, 'dana@example.org', { clock: new Date('2026-03-02T09:05:00Z') });

    // Admin → components, by keyboard.
    await page.goto(`${base}/admin/status-components`);
    const add = page.getByRole('form', { name: 'Add a component' });
    await add.getByRole('textbox', { name: /^Name/ }).fill('Form submission');
    await add.getByRole('textbox', { name: /^Group/ }).fill('Mobile');
    await page.keyboard.press('Enter');
    await page.getByRole('table', { name: 'Components' }).getByText('Form submission').waitFor();
    // Linked tickets wait On hold while the incident is open.
    await pick(page, 'While an incident is open, linked tickets wait in', 'On hold');
    for (let i = 0; (await t.as(admin).get('/api/v1/incident-settings')).body.settings.linkedTicketState !== 'on_hold'; i++) {
      assert.ok(i < 50, 'the setting is saved');
      await page.waitForTimeout(100);
    }

    // The organisation's logo for the status page.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
    const chooser = page.waitForEvent('filechooser');
    await page.getByLabel('Logo on the status page').focus();
    await page.keyboard.press('Enter');
    await (await chooser).setFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png });
    await page.getByRole('img', { name: 'The status page logo' }).waitFor();

    // P1 tickets may declare an incident by themselves (set here, then cleared again for the rest of the test).
    await pick(page, 'Declare an incident automatically when a ticket becomes', /^P1/);
    for (let i = 0; ((await t.as(admin).get('/api/v1/incident-settings')).body.settings.autoDeclarePriorities ?? []).join() !== 'P1'; i++) {
      assert.ok(i < 50, 'autoDeclarePriorities saved');
      await page.waitForTimeout(100);
    }
    await page.keyboard.press('Escape');
    const current = (await t.as(admin).get('/api/v1/incident-settings')).body.settings;
    assert.equal((await t.as(admin).put('/api/v1/incident-settings', { ...current, autoDeclarePriorities: [] })).status, 200);
    await page.reload();

    // Resolution notices may ask each requester to confirm the fix (on, saved, off again), by keyboard.
    const confirmFix = page.getByRole('checkbox', { name: 'With the resolution notice, ask each requester to confirm the fix' });
    for (const wanted of [true, false]) {
      await confirmFix.focus();
      await page.keyboard.press('Space');
      for (let i = 0; ((await t.as(admin).get('/api/v1/incident-settings')).body.settings.confirmFixOnResolve ?? false) !== wanted; i++) {
        assert.ok(i < 50, `confirmFixOnResolve saved as ${wanted}`);
        await page.waitForTimeout(100);
      }
      // The box shows what the server holds once the settings are read again.
      for (let i = 0; (await confirmFix.isChecked()) !== wanted; i++) {
        assert.ok(i < 50, `the box shows ${wanted}`);
        await page.waitForTimeout(100);
      }
    }

    // The status update template for "identified", edited here, starts the composer later.
    const templates = page.getByRole('form', { name: 'Status update templates' });
    await templates.getByLabel('Template: identified').fill('We found the cause and are fixing it.');
    await templates.getByRole('button', { name: 'Save templates' }).click();
    for (let i = 0; (await t.as(admin).get('/api/v1/incident-settings')).body.templates.identified !== 'We found the cause and are fixing it.'; i++) {
      assert.ok(i < 50, 'the template is saved');
      await page.waitForTimeout(100);
    }

    // Declare from the ticket.
    await page.goto(`${base}/tickets/${ticket.number}`);
    await page.getByRole('button', { name: 'Declare incident' }).click();
    const dialog = page.getByRole('dialog', { name: 'Declare incident' });
    assert.equal(await dialog.getByRole('textbox', { name: 'Title', exact: true }).inputValue(), 'Nobody can submit forms');
    // The public title never starts as the customer's subject.
    const publicTitle = dialog.getByRole('textbox', { name: 'Title on the status page', exact: true });
    assert.equal(await publicTitle.inputValue(), 'Service disruption');
    await publicTitle.fill('Form submissions failing');
    await pick(page, 'Severity', /^P1/, dialog);
    // The components by keyboard: type, arrow to the option, Enter.
    await dialog.getByRole('combobox', { name: 'Affected components' }).focus();
    await page.keyboard.type('Form');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await dialog.getByText('Form submission').waitFor();
    await dialog.getByRole('button', { name: 'Declare', exact: true }).click();
    await page.getByRole('heading', { name: 'Nobody can submit forms' }).waitFor();
    // The move is a job; the app's own worker may be running it while runJobs finds nothing left to claim.
    for (let i = 0; (await t.as(admin).get(`/api/v1/tickets/${ticket.id}`)).body.status !== 'on_hold'; i++) {
      assert.ok(i < 50, 'the linked ticket waits On hold while the incident is open');
      await t.runJobs();
      await page.waitForTimeout(100);
    }
    await page.getByTestId('cadence').filter({ hasText: 'Next update due in 25 min' }).waitFor();
    await page.getByRole('status', { name: 'Active incidents' }).filter({ hasText: 'P1 incident' }).waitFor();

    // The live document, by keyboard: a decision, then pin it.
    await page.getByLabel('Timeline entry').fill('Roll back the 08:30 deploy');
    await page.keyboard.press('Enter');
    const entry = page.getByRole('listitem').filter({ hasText: 'Roll back the 08:30 deploy' });
    await entry.waitFor();
    await entry.getByRole('button', { name: 'Pin' }).click();
    await entry.getByRole('button', { name: 'Unpin' }).waitFor();

    // A public status update: the form starts with the chosen state's template.
    const composer = page.getByRole('form', { name: 'Post a status update' });
    assert.match(await page.getByLabel('Public text').inputValue(), /^We are investigating reports/);
    await pick(page, 'State', 'Identified', composer);
    assert.equal(await page.getByLabel('Public text').inputValue(), 'We found the cause and are fixing it.');
    await pick(page, 'State', 'Investigating', composer);
    await page.getByLabel('Public text').fill('Form submissions are failing; we are rolling back.');
    await page.getByRole('button', { name: 'Post update' }).click();
    await page.getByRole('listitem').filter({ hasText: 'we are rolling back' }).waitFor();
    await screenshot(page, 'incident-page');

    // A matching ticket that came in since is suggested; one click links it.
    const alike = await t.make.ticket(admin, { subject: 'Forms will not submit', description: 'The button spins forever.', requester: { email: 'ada@example.org', name: 'Ada Lovelace' } });
    const other = await t.make.ticket(admin, { subject: 'Invoice copy please', description: 'For March.', requester: { email: 'alan@example.org', name: 'Alan Turing' } });
    const incidentUrl = page.url();
    await page.reload();
    const suggested = page.getByRole('region', { name: 'Suggested tickets' });
    await suggested.getByText('Forms will not submit').waitFor();
    assert.equal(await suggested.getByText('Invoice copy please').count(), 0);
    await suggested.getByRole('button', { name: `Link #${alike.number}` }).click();
    await page.getByText(`#${alike.number}`).and(page.getByRole('link')).waitFor();
    // Bulk from a view: tick a ticket in the list, "Link to incident…".
    await page.goto(base);
    await page.getByLabel(`Select ticket ${other.number}`).check();
    await pick(page, 'Link selected to incident', /Form submissions|Nobody can submit forms/);
    for (let i = 0; (await t.as(admin).get(`/api/v1/tickets/${other.id}/incidents`)).body.items.length === 0; i++) {
      assert.ok(i < 50, 'linked from the view');
      await page.waitForTimeout(100);
    }
    await page.goto(incidentUrl);
    await page.getByText(`#${other.number}`).and(page.getByRole('link')).waitFor();

    // The ticket shows it is part of the incident.
    await page.goto(`${base}/tickets/${ticket.number}`);
    await page.getByRole('note', { name: 'Linked incident' }).filter({ hasText: 'Nobody can submit forms' }).waitFor();
    await context.close();

    // The status page with JavaScript off.
    const plain = await browser.newContext({ javaScriptEnabled: false });
    const status = await plain.newPage();
    await status.goto(`${base}/status`);
    await status.getByText('Form submissions are failing; we are rolling back.').waitFor();
    await status.getByText('Major outage').waitFor();
    await status.getByRole('link', { name: 'Form submissions failing' }).click();
    await status.getByRole('heading', { name: 'Form submissions failing' }).waitFor();
    assert.equal(await status.locator('script').count(), 0);
    const logoSrc = await status.getByRole('img', { name: /logo$/ }).first().getAttribute('src');
    assert.match(logoSrc ?? '', /^\/status\/logo\?v=/);
    assert.equal((await plain.request.get(`${base}${logoSrc}`)).status(), 200, "the organisation's logo");
    assert.ok(!(await status.content()).includes('Nobody can submit forms'), "the ticket's subject stays off the status page");
    await screenshot(status, 'status-page');
    await plain.close();
  });

  test('the P0/P1 banner follows incidents changed elsewhere without a reload; overdue action items show until done', async () => {
    const dana = (await t.services.people.findUserByEmail('dana@example.org')) as { id: string };
    const { context, page } = await signInPage(browser, base, 'dana@example.org');
    const banner = page.getByRole('status', { name: 'Active incidents' });
    // Declared by someone else: the open tab shows it without a reload (the list was polled every 30 s before).
    const inc = (await t.as(admin).post('/api/v1/incidents', { title: 'Login is down', severity: 'P1' })).body;
    await banner.filter({ hasText: 'Login is down' }).waitFor({ timeout: 10_000 });
    // Resolved by someone else: the banner leaves at once, still without a reload.
    assert.equal((await t.as(admin).post(`/api/v1/incidents/${inc.id}/updates`, { state: 'resolved', body: 'Logins work again.' })).status, 201);
    await page.getByText('Login is down').waitFor({ state: 'detached', timeout: 10_000 });

    // The retro's action item, Dana's, past its due date: the sweep reminds her; the app says so until it is done.
    const yesterday = new Date(t.clock.now().getTime() - 86_400_000).toISOString().slice(0, 10);
    const saved = await t.as(admin).put(`/api/v1/incidents/${inc.id}/retro`, { rootCause: 'An expired certificate', whys: ['Nobody renewed it'], actionItems: [{ title: 'Automate certificate renewal', ownerId: dana.id, dueOn: yesterday }] });
    assert.equal(saved.status, 200, saved.raw);
    assert.equal((await t.as(admin).post(`/api/v1/incidents/${inc.id}/retro/complete`, { done: true })).status, 200);
    assert.equal((await t.services.incidents.sweepActionItems()).reminded, 1);
    await page.goto(`${base}/incidents/${inc.id}`);
    const notice = page.getByRole('status', { name: 'Overdue action items' });
    await notice.filter({ hasText: 'Automate certificate renewal' }).waitFor();
    const item = page.getByRole('region', { name: 'Retrospective' }).getByRole('group', { name: 'Action item 1' });
    await item.getByText('Overdue').waitFor();
    // Done, by keyboard, after the retro is done: the notice and the badge go.
    await item.getByRole('checkbox', { name: 'Action item 1 done' }).focus();
    await page.keyboard.press('Space');
    await notice.waitFor({ state: 'detached' });
    await item.getByText('Overdue').waitFor({ state: 'detached' });
    assert.equal((await t.as(admin).get(`/api/v1/incidents/${inc.id}`)).body.retro.actionItems[0].done, true);
    await context.close();
  });

  test('a trigger that declares an incident is built in the rule builder by keyboard; a ticket it matches becomes an incident', async () => {
    const { context, page } = await signInPage(browser, base, 'dana@example.org');
    await page.goto(`${base}/admin/triggers`);
    await page.getByLabel(/^Name/).fill('Data loss declares');
    await page.getByRole('button', { name: 'Add condition' }).click();
    await pick(page, 'Condition 1 field', /^Subject$/);
    await pick(page, 'Condition 1 operator', /^contains$/);
    await page.getByRole('textbox', { name: 'Condition 1 value' }).fill('data loss');
    await pick(page, 'Add an action', 'Declare an incident');
    await pick(page, 'Action 1 severity', /^P2/);
    await page.getByRole('button', { name: 'Add', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('cell', { name: 'Data loss declares', exact: true }).waitFor();
    const trigger = (await t.as(admin).get('/api/v1/triggers')).body.items.find((x: { name: string }) => x.name === 'Data loss declares');
    assert.deepEqual(trigger.condition, { all: [{ field: 'subject', op: 'contains', value: 'data loss' }] });
    assert.deepEqual(trigger.actions, [{ type: 'declare_incident', severity: 'P2' }]);
    const ticket = await t.make.ticket(admin, { subject: 'Possible data loss on import', requester: { email: 'ida@example.org', name: 'Ida' }, priority: 'P4' });
    await t.runJobs();
    const declared = (await t.as(admin).get(`/api/v1/tickets/${ticket.id}/incidents`)).body.items;
    assert.deepEqual(declared.map((i: { severity: string }) => i.severity), ['P2']);
    assert.equal((await t.as(admin).delete(`/api/v1/triggers/${trigger.id}`)).status, 204);
    await context.close();
  });

  test('monitors: a link-local URL refused at its field, a heartbeat made; a missed ping opens a draft incident, the next ping recovers and offers Resolve; pause and resume by keyboard', async () => {
    assert.equal((await t.as(admin).post('/api/v1/status-components', { name: 'Nightly jobs' })).status, 201);
    const { context, page } = await signInPage(browser, base, 'dana@example.org');

    await page.goto(`${base}/admin/monitors`);
    await page.getByRole('button', { name: 'New monitor' }).click();
    const form = page.getByRole('form', { name: 'New monitor' });
    await form.getByLabel('Name').fill('Cloud metadata');
    await form.getByLabel('Component').selectOption({ label: 'Nightly jobs' });
    await form.getByLabel('URL').fill('http://169.254.169.254/latest/meta-data/');
    await form.getByRole('button', { name: 'Create monitor' }).click();
    await form.getByText(/169\.254\.169\.254 is a link-local address/).waitFor();
    assert.equal(await t.count('monitors'), 0, 'nothing saved');

    // A heartbeat instead, submitted from the keyboard.
    await form.getByLabel('Kind').selectOption('heartbeat');
    await form.getByLabel('Name').fill('Nightly backup');
    await form.getByLabel('Interval (seconds)').fill('3600');
    await form.getByLabel('Failures before alerting').fill('1');
    // The incident an alert declares: P2 rather than the top severity.
    await form.getByLabel('Incident severity').selectOption('P2');
    await form.getByLabel('Failures before alerting').focus();
    await page.keyboard.press('Enter');
    const hookUrl = new URL((await page.getByTestId('heartbeat-url').textContent()) ?? '');
    const monitor = page.getByRole('region', { name: 'Monitor Nightly backup' });
    await monitor.getByText('Never pinged yet.').waitFor();

    // The job pings, then misses its deadline: the sweep opens the draft incident.
    assert.equal((await t.request('POST', hookUrl.pathname, 'ok', { 'content-type': 'text/plain' })).status, 200);
    t.clock.advance((3600 + 60 + 1) * 1000);
    await t.services.monitors.sweep();
    await t.runJobs();
    await page.reload();
    await page.getByRole('table', { name: 'Monitors' }).getByRole('button', { name: 'Nightly backup', exact: true }).click();
    await monitor.getByRole('status', { name: 'Failing' }).getByRole('link', { name: /^Incident #\d+: Monitor Nightly backup is failing/ }).waitFor();
    const declared = (await t.as(admin).get('/api/v1/incidents')).body.items.find((i: { title: string }) => i.title === 'Monitor Nightly backup is failing');
    assert.equal(declared.severity, 'P2', "the monitor's severity");
    await monitor.getByRole('table', { name: 'Results' }).getByText(/^no ping since/).waitFor();
    await monitor.getByRole('img', { name: 'Last 2 results: 1 failed' }).waitFor();

    // The next ping recovers it; Resolve is offered and resolves the incident.
    assert.equal((await t.request('GET', hookUrl.pathname)).status, 200);
    await t.runJobs();
    await page.reload();
    await page.getByRole('table', { name: 'Monitors' }).getByRole('button', { name: 'Nightly backup', exact: true }).click();
    const alert = monitor.getByRole('status', { name: 'Recovered' });
    await alert.getByRole('button', { name: /^Resolve incident #\d+/ }).click();
    await alert.getByText('(resolved)').waitFor();
    await screenshot(page, 'monitor');

    // Pause and resume from the keyboard.
    await page.getByRole('button', { name: 'Pause Nightly backup' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Resume Nightly backup' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Pause Nightly backup' }).waitFor();
    await context.close();
  });
});
