import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Session, TestApp } from '../../src/testing/harness.js';
import { browserMissing, PASSWORD, pick, screenshot, signInPage, startBrowserApp, stopBrowserApp } from './browser.js';

const skip = browserMissing();

/** PMERIT's support process set up in the app by its admin, no JSON: macros with actions, the rules, SLA targets, hours. */
describe("PMERIT's setup in a real browser", { skip }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let admin: Session;
  let page: Page;

  before(async () => {
    ({ t, base, browser } = await startBrowserApp());
    admin = await t.signIn('admin');
    await t.services.people.createUser({ email: 'dana@example.org', name: 'Dana Lead', role: 'admin', password: PASSWORD });
    ({ page } = await signInPage(browser, base, 'dana@example.org'));
  });
  after(() => stopBrowserApp(t, browser));

  const ticketNow = async (id: string) => (await t.as(admin).get(`/api/v1/tickets/${id}`)).body;

  test('macros with actions: edited, previewed on a real ticket, duplicated, reordered, switched off; applied on a ticket they change it', async () => {
    const l2 = await t.make.group('L2 Engineering');
    const ticket = await t.make.ticket(admin, { subject: 'Quiz results vanish', requester: { email: 'amina@example.org', name: 'Amina Yusuf' } });

    // "Cannot reproduce" sets the state and the tag: seen in the list, in words.
    await page.goto(`${base}/admin/macros`);
    const row = page.getByTestId('macro-row-Cannot reproduce');
    await row.getByText('State → Pending').waitFor();
    await row.getByText('Add tag cannot-reproduce').waitFor();

    // A new macro that hands a ticket to L2: a note, group, assignee "whoever applies it", a tag.
    await page.getByRole('button', { name: 'New macro' }).click();
    const dialog = page.getByRole('dialog', { name: 'New macro' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Hand to L2');
    await dialog.getByText('Internal note').click();
    await dialog.getByRole('textbox', { name: /^Text/ }).fill('Over to L2 for ');
    await dialog.getByRole('button', { name: 'Requester\'s first name' }).click();
    await pick(page, 'Group', 'L2 Engineering', dialog);
    await pick(page, 'Assignee', 'Whoever applies it', dialog);
    await dialog.getByLabel('Add tags').fill('l2');
    await page.keyboard.press('Enter');
    // Preview on the real ticket before saving.
    await dialog.getByRole('textbox', { name: 'Preview on ticket' }).fill(String(ticket.number));
    await dialog.getByRole('button', { name: 'Preview' }).click();
    const preview = dialog.getByTestId('macro-preview');
    await preview.getByText('Over to L2 for Amina').waitFor();
    await preview.getByText('Group → L2 Engineering').waitFor();
    await preview.getByText('(now: nobody)').waitFor();
    // A bad preview says so next to the field.
    await dialog.getByRole('textbox', { name: 'Preview on ticket' }).fill('999999');
    await dialog.getByRole('button', { name: 'Preview' }).click();
    await dialog.getByText('No ticket 999999 that you can see').waitFor();
    await dialog.getByRole('button', { name: 'Add macro' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByTestId('macro-row-Hand to L2').getByText('Group → L2 Engineering').waitFor();
    const saved = ((await t.as(admin).get('/api/v1/macros')).body.items as any[]).find((m) => m.name === 'Hand to L2');
    assert.deepEqual(saved.changes, { groupId: l2.id, assigneeId: 'current_user', addTags: ['l2'] });
    assert.equal(saved.public, false);

    // A name already used is refused next to the name, and what was typed stays.
    await page.getByRole('button', { name: 'New macro' }).click();
    const again = page.getByRole('dialog', { name: 'New macro' });
    await again.getByRole('textbox', { name: 'Name' }).fill('Hand to L2');
    await again.getByRole('textbox', { name: /^Text/ }).fill('dup');
    await again.getByRole('button', { name: 'Add macro' }).click();
    await again.getByText(/already exists|exists/).waitFor();
    assert.equal(await again.getByRole('textbox', { name: /^Text/ }).inputValue(), 'dup');
    await again.getByRole('button', { name: 'Cancel' }).click();

    // Duplicate, switch the copy off, move it up, delete it.
    await page.getByRole('button', { name: 'Duplicate Hand to L2' }).click();
    const copy = page.getByTestId('macro-row-Hand to L2 (copy)');
    await copy.waitFor();
    await copy.getByRole('switch', { name: 'Hand to L2 (copy) active' }).click({ force: true });
    await page.getByRole('button', { name: 'Move Hand to L2 (copy) up' }).click();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid^="macro-row-"]')].map((r) => r.getAttribute('data-testid')).indexOf('macro-row-Hand to L2 (copy)') === 4);
    const all = (await t.as(admin).get('/api/v1/macros?include=inactive')).body.items as any[];
    assert.equal(all.find((m) => m.name === 'Hand to L2 (copy)').active, false);
    await page.getByRole('button', { name: 'Delete Hand to L2 (copy)' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete macro' }).click();
    await copy.waitFor({ state: 'detached' });

    // On the ticket: apply "Cannot reproduce", see its changes, drop and undo, send: the ticket really changes.
    await page.goto(`${base}/tickets/${ticket.number}`);
    await pick(page, 'Apply a macro', 'Cannot reproduce');
    const changes = page.getByTestId('macro-changes');
    await changes.getByText('State → Pending').waitFor();
    await changes.getByText('Add tag cannot-reproduce').waitFor();
    assert.match(await page.getByRole('textbox', { name: 'Reply to the requester' }).inputValue(), /^Hi Amina,/);
    await page.getByRole('button', { name: 'Undo macro' }).click();
    await changes.waitFor({ state: 'detached' });
    assert.equal(await page.getByRole('textbox', { name: 'Reply to the requester' }).inputValue(), '');
    assert.equal((await ticketNow(ticket.id)).status, 'new', 'nothing happens before sending');
    await pick(page, 'Apply a macro', 'Cannot reproduce');
    await changes.getByText('State → Pending').waitFor();
    await page.getByRole('button', { name: 'Send reply' }).click();
    await changes.waitFor({ state: 'detached' });
    const after = await ticketNow(ticket.id);
    assert.equal(after.status, 'pending');
    assert.deepEqual(after.tags, ['cannot-reproduce']);
    await screenshot(page, 'macro-applied');
  });

  test('business hours, SLA targets in hours and minutes and the escalation automation, built with forms: no JSON', async () => {
    const p1 = await t.make.ticket(admin, { subject: 'Exam portal down', priority: 'P1', requester: { email: 'kofi@example.org', name: 'Kofi Mensah' } });
    await t.make.ticket(admin, { subject: 'Typo on the about page', priority: 'P4' });

    // A calendar, then edited: the time zone picked from the list, Friday shortened.
    await page.goto(`${base}/admin/calendars`);
    await page.getByRole('textbox', { name: 'Name' }).fill('PMERIT office');
    await page.getByRole('button', { name: 'Add calendar' }).click();
    await page.getByRole('button', { name: 'Edit PMERIT office' }).click();
    await page.getByRole('heading', { name: 'Edit PMERIT office' }).waitFor();
    await page.getByRole('combobox', { name: 'Time zone' }).or(page.getByRole('textbox', { name: 'Time zone' })).first().fill('Nairobi');
    await page.getByRole('option', { name: 'Africa/Nairobi' }).click();
    await page.getByRole('textbox', { name: 'Fri' }).fill('09:00-13:00');
    await page.getByRole('button', { name: 'Save calendar' }).click();
    await page.getByRole('cell', { name: 'Africa/Nairobi', exact: true }).waitFor();
    const calendar = ((await t.as(admin).get('/api/v1/calendars')).body.items as any[]).find((c) => c.name === 'PMERIT office');
    assert.equal(calendar.timeZone, 'Africa/Nairobi');
    assert.deepEqual(calendar.weekly['5'], [{ start: '09:00', end: '13:00' }]);

    // An SLA policy for P1: the condition as a row, the targets in hours and minutes.
    await page.goto(`${base}/admin/sla`);
    await page.getByRole('textbox', { name: 'Name' }).fill('PMERIT emergencies');
    await pick(page, 'Calendar', 'PMERIT office');
    await page.getByRole('button', { name: 'Add condition' }).click();
    await pick(page, 'Condition 1 field', /^Priority$/);
    await pick(page, 'Condition 1 value', /^P1/);
    await page.getByTestId('match-count').filter({ hasText: 'matches 1 open ticket now' }).waitFor();
    await page.getByRole('textbox', { name: 'P1 first response hours' }).fill('1');
    await page.getByRole('textbox', { name: 'P1 resolution hours' }).fill('4');
    await page.getByRole('textbox', { name: 'P1 resolution minutes' }).fill('30');
    await page.getByRole('button', { name: 'Add policy' }).click();
    await page.getByRole('cell', { name: 'PMERIT emergencies', exact: true }).waitFor();
    const policy = ((await t.as(admin).get('/api/v1/sla-policies')).body.items as any[]).find((x) => x.name === 'PMERIT emergencies');
    assert.deepEqual(policy.condition, { all: [{ field: 'priority', op: 'is', value: 'P1' }] });
    assert.deepEqual(policy.targets.P1, { first_response: 60, resolution: 270 });

    // The escalation automation: P1, not solved, stagnant an hour → escalate, tag, note with a placeholder.
    await page.goto(`${base}/admin/automations`);
    await page.getByRole('textbox', { name: 'Name' }).fill('Escalate stagnant P1');
    await page.getByRole('button', { name: 'Add condition' }).click();
    await pick(page, 'Condition 1 field', /^Priority$/);
    await pick(page, 'Condition 1 value', /^P1/);
    await pick(page, 'Add an action', 'Add tags');
    await page.getByRole('combobox', { name: 'Action 1 tags' }).fill('escalated');
    await page.keyboard.press('Enter');
    // Without an "hours since" row the server refuses, and says why.
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'hours_since' }).waitFor();
    await page.getByRole('button', { name: 'Add condition' }).click();
    await pick(page, 'Condition 2 field', 'Hours since updated');
    await pick(page, 'Condition 2 operator', 'at least');
    await page.getByRole('textbox', { name: 'Condition 2 hours' }).fill('1');
    await page.getByTestId('match-count').filter({ hasText: 'matches 0 open tickets now' }).waitFor();
    await pick(page, 'Add an action', 'Escalate to the next tier');
    await pick(page, 'Action 2 urgency', 'critical');
    await pick(page, 'Add an action', 'Add an internal note');
    await page.getByRole('textbox', { name: 'Action 3 text' }).fill('Stagnant for an hour: #');
    await page.getByRole('group', { name: 'Actions' }).getByRole('button', { name: 'Ticket number' }).click();
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('cell', { name: 'Escalate stagnant P1', exact: true }).waitFor();
    const rule = ((await t.as(admin).get('/api/v1/automations')).body.items as any[]).find((x) => x.name === 'Escalate stagnant P1');
    assert.deepEqual(rule.condition, { all: [{ field: 'priority', op: 'is', value: 'P1' }, { field: 'hours_since_updated', op: 'gte', value: 1 }] });
    assert.deepEqual(rule.actions, [{ type: 'add_tags', tags: ['escalated'] }, { type: 'escalate', urgency: 'critical' }, { type: 'note', body: 'Stagnant for an hour: #{{ ticket.number }}' }]);
    // The JSON stays available as the advanced view.
    await page.getByRole('row').filter({ hasText: 'Escalate stagnant P1' }).getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('group', { name: 'Applies to tickets where' }).getByRole('button', { name: 'Edit as JSON' }).click();
    assert.match(await page.getByRole('textbox', { name: 'Applies to tickets where as JSON' }).inputValue(), /hours_since_updated/);
    assert.ok(p1.number);
    await screenshot(page, 'automation-builder');
  });
});
