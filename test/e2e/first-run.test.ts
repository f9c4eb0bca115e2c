import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { TestApp } from '../../src/testing/harness.js';
import { browserMissing, screenshot, startBrowserApp, stopBrowserApp } from './browser.js';

const skip = browserMissing();

describe('the first run, in a real browser, from an empty database', { skip }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  before(async () => {
    ({ t, base, browser } = await startBrowserApp());
  });
  after(() => stopBrowserApp(t, browser));

  test('with no admin the app offers setup; a wrong token is refused in words; the right one signs the new admin in; then only sign-in is left', async () => {
    const token = (await t.services.setup.prepare()) as string;
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(base);
    await page.getByRole('heading', { name: 'Set up Lifeline' }).waitFor();
    await page.getByLabel(/^Setup token/).fill('not-the-token-at-all-not-the-token');
    await page.getByLabel(/^Your name/).fill('Nadia Admin');
    await page.getByLabel(/^Email/).fill('nadia@example.org');
    await page.getByLabel(/^Password/).fill('short');
    await page.getByRole('button', { name: 'Create admin' }).click();
    await page.getByText('Use at least 10 characters').waitFor();
    await page.getByLabel(/^Password/).fill('a long enough password');
    await page.getByRole('button', { name: 'Create admin' }).click();
    await page.getByText('This is not the setup token').waitFor();
    assert.equal(await t.services.people.countUsers('admin'), 0);
    await page.getByLabel(/^Setup token/).fill(token);
    await page.getByRole('button', { name: 'Create admin' }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    await screenshot(page, 'first-run-signed-in');
    assert.equal(await t.services.people.countUsers('admin'), 1);

    const other = await browser.newContext();
    const late = await other.newPage();
    await late.goto(base);
    await late.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal(await late.getByRole('heading', { name: 'Set up Lifeline' }).count(), 0);
    await other.close();
    await context.close();
  });
});
