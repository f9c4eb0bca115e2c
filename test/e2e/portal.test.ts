import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Session, TestApp } from '../../src/testing/harness.js';
import { browserMissing, mailedLink as linkFromOutbox, PASSWORD, screenshot, startBrowserApp, stopBrowserApp } from './browser.js';

const skip = browserMissing();

/**
 * The customer's side in a real browser, on a phone-sized screen: a sign-in link from the outbox (used only by the
 * button on the page it opens), a new request, confirming the fix, the survey 24 h later (on the fake clock):
 * opening its links rates nothing, the button answers "good"; and the agent seeing it.
 */
describe('customer portal and satisfaction survey in a real browser', { skip }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let agent: Session;

  /** A link from the newest outbox message of a kind to an address, on this test server. */
  const mailedLink = (kind: string, to: string, pattern: RegExp) => linkFromOutbox(t, base, kind, to, pattern);

  before(async () => {
    ({ t, base, browser } = await startBrowserApp());
    const admin = await t.signIn('admin');
    assert.equal((await t.as(admin).post('/api/v1/email/addresses', { address: 'help@lifeline.example', name: 'Lifeline Help' })).status, 201);
    agent = await t.signIn('agent');
    await t.services.people.createUser({ email: 'dana@example.org', name: 'Dana Agent', role: 'agent', password: PASSWORD });
    await t.services.people.createUser({ email: 'ama@riverside.example', name: 'Ama Owusu', role: 'customer' });
  });
  after(() => stopBrowserApp(t, browser));

  test('magic link, new request, confirm the fix, survey answered good, the agent sees it', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await phone.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    const loaded: string[] = [];
    page.on('request', (r) => loaded.push(new URL(r.url()).pathname));

    // Sign in by emailed link, by keyboard.
    await page.goto(`${base}/portal`);
    await page.getByLabel('Your email address').fill('ama@riverside.example');
    await page.keyboard.press('Enter');
    await page.getByText('If this address has an account, a sign-in link is on its way.').waitFor();
    // Opening the link signs nobody in (login CSRF): it asks whose account, and only the button uses it.
    await page.goto(await mailedLink('sign_in_link', 'ama@riverside.example', /(http\S+#token=\S+)/));
    await page.getByText('Sign in as a…@riverside.example?').waitFor();
    assert.equal(await t.count('portal_sign_in_links where used_at is not null'), 0, 'the link is not used by opening it');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Sign in');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Your requests' }).waitFor();
    assert.equal(await t.count('portal_sign_in_links where used_at is not null'), 1);
    assert.ok(!loaded.some((p) => p.startsWith('/assets/')), 'the portal loads none of the agent app');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling at 390 px (${width})`);

    // A new request; help-centre articles are suggested as it is written (the form's impression recorded).
    const cat = await t.as(agent).post('/api/v1/kb/categories', { name: 'App' });
    const sec = await t.as(agent).post('/api/v1/kb/sections', { categoryId: cat.body.id, name: 'Syncing' });
    const art = await t.as(agent).post('/api/v1/kb/articles', { sectionId: sec.body.id, title: 'When forms do not sync', body: 'Press **Sync** on a good connection.' });
    assert.equal((await t.as(agent).post(`/api/v1/kb/articles/${art.body.id}/publish`, {})).status, 200);
    await page.getByRole('link', { name: 'New request' }).click();
    await page.getByLabel('Subject').fill('Forms do not sync');
    await page.getByLabel('What happened? What did you expect?').fill('Since the update this morning.');
    await page.getByRole('region', { name: 'Articles that may help' }).getByRole('link', { name: 'When forms do not sync' }).waitFor();
    await page.getByRole('button', { name: 'Send request' }).focus();
    await page.keyboard.press('Enter');
    const heading = page.getByRole('heading', { name: /^#\d+ Forms do not sync$/ });
    await heading.waitFor();
    const number = Number(/#(\d+)/.exec((await heading.textContent()) ?? '')?.[1]);
    const ticket = (await t.as(agent).get(`/api/v1/tickets/${number}`)).body;
    assert.equal(ticket.channel, 'portal');
    assert.equal(await t.count('kb_impressions where requested_at is not null'), 1, 'the request was sent: the suggestion did not deflect it');

    // The agent answers and marks the fix provided; the customer confirms it.
    assert.equal((await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Update to 2.54, then sync again.', status: 'fix_provided' })).status, 201);
    await page.reload();
    await page.getByText('Update to 2.54, then sync again.').waitFor();
    assert.equal(await page.locator('#status').textContent(), '🟢 Fix provided — please confirm it works');
    await page.getByRole('button', { name: 'Yes, it works' }).click();
    await page.locator('#status', { hasText: '🟢 Solved' }).waitFor();
    await screenshot(page, 'portal-confirmed');

    // 24 hours later the survey is mailed. A mail scanner opening the "bad" link (and running its script) rates
    // nothing: the page preselects the choice and waits for the button.
    t.clock.advance(24 * 3600_000 + 60_000);
    await t.runJobs();
    const anonymous = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const survey = await anonymous.newPage();
    await survey.goto(await mailedLink('survey', 'ama@riverside.example', /(http\S+rating=bad)/));
    await survey.getByRole('button', { name: 'Send my answer' }).waitFor();
    assert.equal(await survey.getByRole('radio', { name: '👎 Bad' }).isChecked(), true);
    assert.equal(await t.count('csat_surveys where rating is not null or answered_at is not null'), 0, 'opening a survey link rates nothing');
    // The customer's link ("good"), one press of the button, then a comment.
    await survey.goto(await mailedLink('survey', 'ama@riverside.example', /(http\S+rating=good)/));
    await survey.getByRole('button', { name: 'Send my answer' }).waitFor();
    assert.equal(await survey.getByRole('radio', { name: '👍 Good' }).isChecked(), true);
    assert.equal(await t.count('csat_surveys where rating is not null'), 0);
    await survey.keyboard.press('Enter');
    await survey.getByText('You rated it good 👍.').waitFor();
    await survey.getByLabel('Anything to add? (optional)').fill('Quick and clear, thanks!');
    await survey.getByRole('button', { name: 'Send comment' }).click();
    await survey.getByText('Thank you', { exact: true }).waitFor();
    await anonymous.close();

    // The agent sees it on the ticket and on the Satisfaction screen.
    const desk = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const agentPage = await desk.newPage();
    await agentPage.goto(base);
    await agentPage.getByLabel(/^Email/).fill('dana@example.org');
    await agentPage.getByLabel(/^Password/).fill(PASSWORD);
    await agentPage.keyboard.press('Enter');
    await agentPage.getByRole('navigation', { name: 'Views' }).waitFor();
    await agentPage.goto(`${base}/tickets/${number}`);
    const panel = agentPage.getByRole('region', { name: 'Satisfaction' });
    await panel.getByText('👍 Good').waitFor();
    await panel.getByText('“Quick and clear, thanks!”').waitFor();
    await agentPage.getByRole('link', { name: 'Satisfaction' }).click();
    await agentPage.getByTestId('csat-rate').getByText('100 %').waitFor();
    await agentPage.getByRole('table', { name: 'Survey answers' }).getByText('Quick and clear, thanks!').waitFor();
    await desk.close();

    // Fifty requests a page: "Show older requests" appends the next page, moves focus to it, and goes when none are left.
    t.clock.advance(60_000);
    for (let i = 1; i <= 50; i++) await t.make.ticket(agent, { subject: `Batch request ${i}`, requester: { email: 'ama@riverside.example', name: 'Ama Owusu' } });
    await page.goto(`${base}/portal`);
    const requests = page.locator('ul.requests > li');
    await page.getByRole('link', { name: /Batch request 50\b/ }).waitFor();
    assert.equal(await requests.count(), 50);
    assert.equal(await page.getByRole('link', { name: /Forms do not sync/ }).count(), 0, 'the oldest is on the next page');
    await page.getByRole('button', { name: 'Show older requests' }).click();
    await page.getByRole('link', { name: /Forms do not sync/ }).waitFor();
    assert.equal(await requests.count(), 51);
    assert.match((await page.evaluate(() => document.activeElement?.textContent)) ?? '', /Forms do not sync/, 'focus moves to the first appended request');
    assert.equal(await page.getByRole('button', { name: 'Show older requests' }).count(), 0, 'no more pages: the button goes');
    await phone.close();
  });
});
