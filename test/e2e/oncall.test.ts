import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Session, TestApp } from '../../src/testing/harness.js';
import { browserMissing, PASSWORD, pick, screenshot, signInPage, startBrowserApp, stopBrowserApp } from './browser.js';

const skip = browserMissing();

describe('on-call in the agent app, in a real browser', { skip }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let admin: Session;

  before(async () => {
    ({ t, base, browser } = await startBrowserApp());
    admin = await t.signIn('admin');
    await t.services.people.createUser({ email: 'priya@example.org', name: 'Priya Raman', role: 'agent', password: PASSWORD });
    await t.services.people.createUser({ email: 'ada@example.org', name: 'Ada Admin', role: 'admin', password: PASSWORD });
  });
  after(() => stopBrowserApp(t, browser));

  const signedIn = (who: 'priya' | 'ada') => signInPage(browser, base, `${who}@example.org`, { label: who });

  test('an admin sets up a schedule and a policy; the on-call page shows who is on; the paged agent acknowledges from the keyboard', async () => {
    const { context, page } = await signedIn('ada');
    // (Enter on the nav link is taken by the ticket list's "open the ticket" shortcut; a click, then keys below.)
    await page.getByRole('link', { name: 'On-call' }).click();
    await page.getByRole('heading', { name: 'On call now' }).waitFor();
    await page.getByRole('link', { name: 'Schedules and policies' }).click();
    const form = page.getByRole('form', { name: 'New schedule' });
    await form.getByLabel('Schedule name').fill('Out of hours');
    await form.getByLabel('Time zone').fill('Europe/London');
    await pick(page, 'Layer 1 people, in turn order', 'Priya Raman', form);
    await page.keyboard.press('Escape');
    await form.getByLabel('Starts on').fill('2026-02-23');
    await form.getByRole('button', { name: 'Create schedule' }).click();
    await page.getByRole('table', { name: 'Schedules' }).getByText('Priya Raman').waitFor();

    const policyForm = page.getByRole('form', { name: 'New escalation policy' });
    await policyForm.getByLabel('Policy name').fill('P0 paging');
    await pick(page, 'Step 1: notify', 'Schedule: Out of hours', policyForm);
    await page.keyboard.press('Escape');
    await policyForm.getByRole('button', { name: 'Create policy' }).click();
    await page.getByRole('table', { name: 'Escalation policies' }).getByRole('cell', { name: 'P0 paging', exact: true }).waitFor();
    // A bad schedule (nobody in it) is refused in words.
    await form.getByLabel('Schedule name').fill('Empty');
    await form.getByRole('button', { name: 'Create schedule' }).click();
    await form.getByText('no members').waitFor();

    // Editing reuses the form: a bad zone is named at its field and nothing changes; a good one is saved.
    await page.getByRole('button', { name: 'Edit Out of hours' }).click();
    const edit = page.getByRole('form', { name: 'Edit schedule Out of hours' });
    await edit.getByLabel('Time zone').fill('Nowhere/Else');
    await edit.getByRole('button', { name: 'Save schedule' }).click();
    await edit.getByText('unknown time zone').waitFor();
    await edit.getByLabel('Time zone').fill('Europe/Paris');
    await edit.getByRole('button', { name: 'Save schedule' }).click();
    await page.getByRole('table', { name: 'Schedules' }).getByRole('cell', { name: 'Europe/Paris' }).waitFor();
    await edit.waitFor({ state: 'detached' });

    // A policy that would reach itself through another is refused at its steps, in words.
    await policyForm.getByLabel('Policy name').fill('Managers');
    await pick(page, 'Step 1: notify', 'Policy: P0 paging', policyForm);
    await page.keyboard.press('Escape');
    await policyForm.getByRole('button', { name: 'Create policy' }).click();
    await page.getByRole('table', { name: 'Escalation policies' }).getByRole('cell', { name: 'Managers', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Edit P0 paging' }).click();
    const editPolicy = page.getByRole('form', { name: 'Edit policy P0 paging' });
    await editPolicy.getByLabel('Step 1: then wait (minutes)').fill('15');
    await pick(page, 'Step 1: notify', 'Policy: Managers', editPolicy);
    await page.keyboard.press('Escape');
    await editPolicy.getByRole('button', { name: 'Save policy' }).click();
    await editPolicy.getByRole('alert').getByText(/would loop/).waitFor();
    await editPolicy.getByRole('button', { name: 'Cancel' }).click();
    const p0 = (await t.as(admin).get('/api/v1/oncall/policies')).body.items.find((p: { name: string }) => p.name === 'P0 paging');
    assert.equal(p0.steps[0].delayMinutes, 60, 'the refused edit changed nothing');

    await page.getByRole('link', { name: 'On call now' }).click();
    await page.getByTestId('oncall-now-Out of hours').getByText('Priya Raman').waitFor();
    await screenshot(page, 'oncall-now');
    await context.close();

    const policy = (await t.as(admin).get('/api/v1/oncall/policies')).body.items.find((p: { name: string }) => p.name === 'P0 paging');
    const created = await t.as(admin).post('/api/v1/oncall/pages', { policyId: policy.id, title: 'Sync server down', body: '' });
    assert.equal(created.status, 201);
    await t.runJobs();

    const agent = await signedIn('priya');
    await agent.page.getByRole('link', { name: 'On-call' }).click();
    await agent.page.getByRole('link', { name: 'My pages' }).click();
    const row = agent.page.getByTestId(`page-${created.body.number}`);
    await row.getByText('Sync server down').waitFor();
    await row.getByRole('button', { name: `Acknowledge #${created.body.number}` }).focus();
    await agent.page.keyboard.press('Enter');
    await row.getByText('acknowledged').waitFor();
    await screenshot(agent.page, 'oncall-my-pages');
    // The page's own screen: who was notified at which step, how, and who acknowledged; Resolve from there.
    await row.getByRole('link', { name: 'Sync server down' }).click();
    await agent.page.getByRole('heading', { name: `Page #${created.body.number}: Sync server down` }).waitFor();
    const step1 = agent.page.getByRole('table', { name: 'Step 1 notifications' });
    await step1.getByRole('row', { name: /Priya Raman In the app/ }).waitFor();
    await step1.getByRole('row', { name: /Priya Raman Email/ }).waitFor();
    await agent.page.getByRole('table', { name: 'Acknowledgement' }).getByText(/by Priya Raman/).waitFor();
    await agent.page.getByRole('button', { name: 'Resolve' }).click();
    await agent.page.getByRole('table', { name: 'Acknowledgement' }).getByRole('row', { name: /Resolved .* by Priya Raman/ }).waitFor();
    await screenshot(agent.page, 'oncall-page-detail');
    assert.equal((await t.as(admin).get(`/api/v1/oncall/pages/${created.body.id}`)).body.status, 'resolved');
    await agent.context.close();
  });
});
