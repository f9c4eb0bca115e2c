import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Session, TestApp } from '../../src/testing/harness.js';
import { browserMissing, PASSWORD, pick, signInPage, startBrowserApp, stopBrowserApp } from './browser.js';

const skip = browserMissing();

describe('knowledge base in a real browser', { skip }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let admin: Session;

  before(async () => {
    ({ t, base, browser } = await startBrowserApp());
    admin = await t.signIn('admin');
    await t.services.people.createUser({ email: 'kim@example.org', name: 'Kim Writer', role: 'agent', password: PASSWORD });
  });
  after(() => stopBrowserApp(t, browser));

  /** The help centre's translation languages (and whether publishing needs a review), set through the API. */
  const enable = async (locales: string[], requireReview = false) => {
    const settings = (await t.as(admin).get('/api/v1/kb/settings')).body;
    const res = await t.as(admin).put('/api/v1/kb/settings', { ...settings, locales, requireReview });
    assert.equal(res.status, 200, res.raw);
  };

  test('an agent writes, previews, publishes and restores an article; the JavaScript-free help centre finds it; the composer links it; a ticket becomes a draft; a recurring topic is flagged', async () => {
    const ticket = await t.make.ticket(admin, { subject: 'How do I reset my password?', description: 'The login page rejects me.', requester: { email: 'ada@example.org', name: 'Ada Lovelace' } });
    const { context, page } = await signInPage(browser, base, 'kim@example.org');

    // Category and section, by keyboard in their dialogs.
    await page.getByRole('link', { name: 'Knowledge base' }).click();
    await page.getByRole('button', { name: 'New category' }).click();
    let dialog = page.getByRole('dialog', { name: 'New category' });
    await dialog.getByLabel('Name').fill('Accounts');
    await dialog.getByRole('button', { name: 'Create category' }).click();
    await page.getByRole('navigation', { name: 'Knowledge base' }).getByText('Accounts').waitFor();
    await page.getByRole('button', { name: 'New section' }).click();
    dialog = page.getByRole('dialog', { name: 'New section' });
    await pick(page, 'Category', 'Accounts', dialog);
    await dialog.getByLabel('Name').fill('Signing in');
    await dialog.getByRole('button', { name: 'Create section' }).click();
    await page.getByRole('navigation', { name: 'Knowledge base' }).getByText('Signing in (0)').waitFor();

    // A draft with hostile Markdown: the preview is what readers will get, sanitised.
    await page.getByRole('link', { name: 'New article' }).click();
    await page.getByLabel('Title').fill('Reset your password');
    await pick(page, 'Section', 'Signing in');
    await page.getByLabel('Body (Markdown)').fill('Open **Settings** and choose *Reset password*.\n\n<script>window.pwned = 1</script>\n\n| Step | What |\n|---|---|\n| 1 | Open |');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.getByTestId('article-status').filter({ hasText: 'Draft' }).waitFor();
    await page.getByRole('tab', { name: 'Preview' }).click();
    const preview = page.getByTestId('kb-preview');
    await preview.locator('strong', { hasText: 'Settings' }).waitFor();
    assert.equal(await preview.locator('table').count(), 1);
    assert.equal(await preview.locator('script').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.getByTestId('article-status').filter({ hasText: /^Published$/ }).waitFor();

    // A second version, then history: compare and restore the first.
    await page.getByRole('tab', { name: 'Write' }).click();
    await page.getByLabel('Body (Markdown)').fill('Open **Account** and choose *Reset password*.');
    await page.getByLabel(/What changed/).fill('Menu renamed');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByTestId('article-status').filter({ hasText: 'unpublished changes' }).waitFor();
    await page.getByRole('tab', { name: 'History' }).click();
    await page.getByRole('table', { name: 'Versions' }).getByText('Menu renamed').waitFor();
    await page.getByRole('button', { name: 'Compare v1 with v2' }).click();
    const diff = page.getByTestId('kb-diff');
    await diff.getByText('+ Open **Account**', { exact: false }).waitFor();
    await diff.getByText('- Open **Settings**', { exact: false }).waitFor();
    await diff.getByRole('button', { name: 'Restore v1' }).click();
    await page.getByRole('status').filter({ hasText: 'Restored as version 3' }).waitFor();
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.getByTestId('article-status').filter({ hasText: /^Published$/ }).waitFor();

    // Related articles: another one picked in the Related tab (from the list); the help centre lists it.
    const sectionId = ((await t.as(admin).get('/api/v1/kb/tree')).body.items[0].sections[0] as { id: string }).id;
    const second = await t.as(admin).post('/api/v1/kb/articles', { sectionId, title: 'Two-factor sign-in', body: 'Use an authenticator app.' });
    assert.equal((await t.as(admin).post(`/api/v1/kb/articles/${second.body.id}/publish`, {})).status, 200);
    await page.reload();
    await page.getByRole('tab', { name: 'Related' }).click();
    await pick(page, 'Add a related article', 'Two-factor sign-in');
    await page.getByRole('list', { name: 'Related articles' }).getByText('Two-factor sign-in').waitFor();

    // The help centre with JavaScript off: search (a typo), the article, a vote through the plain form.
    const reader = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
    const help = await reader.newPage();
    await help.goto(`${base}/help`);
    await help.getByRole('link', { name: 'Accounts' }).waitFor();
    await help.getByRole('searchbox').fill('pasword');
    await help.keyboard.press('Enter');
    await help.waitForURL(/\/help\/search\?q=pasword/);
    await help.getByRole('link', { name: 'Reset your password' }).click();
    await help.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await help.locator('article strong', { hasText: 'Settings' }).waitFor();
    await help.getByRole('navigation', { name: 'Related articles' }).getByRole('link', { name: 'Two-factor sign-in' }).waitFor();
    assert.equal(await help.locator('script').count(), 0);
    const width = await help.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling at 390 px (${width})`);
    await help.getByLabel(/Anything to add/).fill('Clear, thanks');
    await help.getByRole('button', { name: 'Yes' }).click();
    await help.getByRole('status').filter({ hasText: 'Thank you for your feedback' }).waitFor();
    await reader.close();

    // The composer suggests the article for the ticket; "Insert link" puts it in the reply and records the use.
    await page.goto(`${base}/tickets/${ticket.number}`);
    const suggested = page.getByRole('region', { name: 'Suggested articles' });
    await suggested.getByRole('link', { name: 'Reset your password' }).waitFor();
    await suggested.getByRole('button', { name: 'Insert link to Reset your password' }).click();
    await suggested.getByTestId('kb-linked').filter({ hasText: 'Reset your password' }).waitFor();
    assert.match(await page.getByLabel('Reply to the requester').inputValue(), /\[Reset your password\]\(http:\/\/localhost:3000\/help\/articles\/reset-your-password\)/);
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByText('Reset your password', { exact: true }).first().waitFor();

    // "Create article from this ticket": a draft with the question and the answer.
    await suggested.getByRole('link', { name: 'Create article from this ticket' }).click();
    await page.getByRole('heading', { name: 'New article from a ticket' }).waitFor();
    assert.equal(await page.getByLabel('Title').inputValue(), 'How do I reset my password?');
    const body = await page.getByLabel('Body (Markdown)').inputValue();
    assert.match(body, /## The question\n\nThe login page rejects me\./);
    assert.match(body, /## The answer\n\n\[Reset your password\]/);
    assert.equal((await t.as(admin).get(`/api/v1/tickets/${ticket.id}/kb-articles`)).body.items.length, 1);

    // Recurring topics: four tickets about one thing (one misspelt), grouped by the background job, flagged
    // (more than 3 in 30 days, no article), explained, opened by keyboard.
    for (const subject of ['Dashboard totals are stale', 'Stale numbers on the dashboard', 'Dashbord shows stale data', 'Dashboard stale since the update']) {
      await t.make.ticket(admin, { subject, description: 'Supervisors see old numbers.', requester: { email: 'ada@example.org', name: 'Ada Lovelace' } });
    }
    await t.services.kbTopics.refresh();
    await page.goto(`${base}/kb`);
    const topicsLink = page.getByRole('link', { name: /Recurring topics/ });
    await topicsLink.getByLabel('1 flagged').waitFor();
    await topicsLink.focus();
    await page.keyboard.press('Enter');
    const topic = page.getByTestId('kb-topic').filter({ hasText: 'Needs an article' });
    await topic.getByText(/4 tickets/).waitFor();
    await topic.getByText(/Grouped because every subject has “dashboard” and “stale”; misspellings read as the word \(dashbord → dashboard\)/).waitFor();
    await topic.getByRole('button', { name: 'Show tickets (4)' }).focus();
    await page.keyboard.press('Enter');
    await topic.getByRole('link', { name: /Dashbord shows stale data/ }).waitFor();
    await topic.getByRole('link', { name: /Write an article from #/ }).click();
    await page.getByRole('heading', { name: 'New article from a ticket' }).waitFor();

    // The admin screens at phone width.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/kb`);
    await page.getByRole('link', { name: 'New article' }).waitFor();
    await page.getByRole('navigation', { name: 'Knowledge base' }).getByText('Reset your password').waitFor();
    await context.close();
  });

  test('an agent translates an article into French by keyboard; a bad language code is refused; the help centre serves it at /help/fr with hreflang', async () => {
    await enable(['fr']);
    const cat = await t.as(admin).post('/api/v1/kb/categories', { name: 'Billing' });
    const sec = await t.as(admin).post('/api/v1/kb/sections', { categoryId: cat.body.id, name: 'Invoices' });
    const a = await t.as(admin).post('/api/v1/kb/articles', { sectionId: sec.body.id, title: 'Download an invoice', body: 'Open **Billing** and choose *Download*.' });
    assert.equal((await t.as(admin).post(`/api/v1/kb/articles/${a.body.id}/publish`, {})).status, 200);
    const { context, page } = await signInPage(browser, base, 'kim@example.org', { context: { viewport: { width: 1280, height: 900 } } });
    await page.goto(`${base}/kb/articles/${a.body.id}`);
    const tab = page.getByRole('tab', { name: 'Translations' });
    await tab.focus();
    await page.keyboard.press('Enter');
    await page.getByText('No translations yet.').waitFor();

    // A malformed code: the server's specific error, nothing saved.
    await page.getByLabel('Language code').focus();
    await page.keyboard.type('fr_FR');
    await page.keyboard.press('Enter');
    await page.getByLabel('Translated title').waitFor();
    await page.getByRole('button', { name: 'Save translation' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'is not a language code' }).waitFor();
    assert.equal((await t.as(admin).get(`/api/v1/kb/articles/${a.body.id}/translations`)).body.items.length, 0);

    // French, typed and published by keyboard.
    await page.getByLabel('Language code').focus();
    await page.keyboard.type('fr');
    await page.keyboard.press('Enter');
    await page.getByText('Translation: fr').waitFor();
    await page.getByLabel('Translated title').fill('Télécharger une facture');
    await page.getByLabel('Translated body (Markdown)').fill('Ouvrez **Facturation** et choisissez *Télécharger*.');
    await page.getByRole('button', { name: 'Save translation' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Translation saved' }).waitFor();
    await page.getByTestId('translation-status').filter({ hasText: 'Draft' }).waitFor();
    await page.getByRole('button', { name: 'Publish translation' }).focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('translation-status').filter({ hasText: /^Published$/ }).waitFor();
    await page.getByRole('group', { name: 'Translations' }).getByRole('button', { name: 'fr · Published' }).waitFor();
    await context.close();

    // The help centre in French, without JavaScript.
    const reader = await browser.newContext({ javaScriptEnabled: false });
    const help = await reader.newPage();
    await help.goto(`${base}/help/fr/articles/${a.body.slug}`);
    await help.getByRole('heading', { name: 'Télécharger une facture' }).waitFor();
    assert.equal(await help.locator('html').getAttribute('lang'), 'fr');
    assert.equal(await help.locator('link[rel="alternate"][hreflang="en"]').getAttribute('href'), `http://localhost:3000/help/articles/${a.body.slug}`);
    await help.getByRole('searchbox').fill('facture');
    await help.keyboard.press('Enter');
    await help.waitForURL(/\/help\/fr\/search\?q=facture/);
    await help.getByRole('link', { name: 'Télécharger une facture' }).waitFor();
    await reader.close();
  });

  test('with review required, an admin turns it on, sends an article back with a note and approves the next version, by keyboard; Publish is gone', async () => {
    await t.services.people.createUser({ email: 'rev@example.org', name: 'Rev Admin', role: 'admin', password: PASSWORD });
    const writer = await t.signIn('agent', { name: 'Wes Writer' });
    const cat = await t.as(admin).post('/api/v1/kb/categories', { name: 'Security' });
    const sec = await t.as(admin).post('/api/v1/kb/sections', { categoryId: cat.body.id, name: 'Tokens' });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    try {
      await page.goto(base);
      await page.getByLabel(/^Email/).fill('rev@example.org');
      await page.getByLabel(/^Password/).fill(PASSWORD);
      await page.keyboard.press('Enter');
      await page.getByRole('navigation', { name: 'Views' }).waitFor();
      await page.goto(`${base}/kb`);
      await page.getByRole('button', { name: 'Help centre settings' }).focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Help centre settings' });
      await dialog.getByLabel(/Publishing needs a review/).focus();
      await page.keyboard.press('Space');
      await dialog.getByRole('button', { name: 'Save' }).focus();
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'hidden' });
      assert.equal((await t.as(admin).get('/api/v1/kb/settings')).body.requireReview, true);

      // Another agent writes and submits it; direct publishing is refused.
      const a = await t.as(writer).post('/api/v1/kb/articles', { sectionId: sec.body.id, title: 'Rotate a token', body: 'Choose *Rotate*.' });
      assert.equal((await t.as(writer).post(`/api/v1/kb/articles/${a.body.id}/publish`, {})).body.code, 'REVIEW_REQUIRED');
      assert.equal((await t.as(writer).post(`/api/v1/kb/articles/${a.body.id}/review`, {})).status, 200);
      await page.goto(`${base}/kb/articles/${a.body.id}`);
      await page.getByTestId('article-review').filter({ hasText: 'In review: version 1' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Publish', exact: true }).count(), 0, 'no Publish button when review is required');
      await page.getByRole('button', { name: 'Request changes' }).focus();
      await page.keyboard.press('Enter');
      await page.getByLabel('What should change').fill('Say where Rotate is.');
      await page.getByRole('button', { name: 'Send back' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('status').filter({ hasText: 'Sent back with your note' }).waitFor();
      await page.getByTestId('changes-requested').filter({ hasText: 'Say where Rotate is.' }).waitFor();

      // The writer fixes it and submits again; the admin approves: published.
      await t.as(writer).patch(`/api/v1/kb/articles/${a.body.id}`, { body: 'Open **Settings → Tokens** and choose *Rotate*.', version: 1 });
      await t.as(writer).post(`/api/v1/kb/articles/${a.body.id}/review`, {});
      await page.reload();
      await page.getByTestId('article-review').filter({ hasText: 'In review: version 2' }).waitFor();
      await page.getByRole('button', { name: 'Approve and publish' }).focus();
      await page.keyboard.press('Enter');
      await page.getByTestId('article-status').filter({ hasText: /^Published$/ }).waitFor();
      assert.equal((await t.as(null).get(`/help/articles/${a.body.slug}`)).status, 200);
    } finally {
      await context.close();
      const settings = (await t.as(admin).get('/api/v1/kb/settings')).body;
      await t.as(admin).put('/api/v1/kb/settings', { ...settings, requireReview: false });
    }
  });

  test('in French: category and section names by keyboard, a translation sent back and approved by another agent, its history restored; the portal suggests the French article to a French browser', async () => {
    const cat = await t.as(admin).post('/api/v1/kb/categories', { name: 'Shipping' });
    const sec = await t.as(admin).post('/api/v1/kb/sections', { categoryId: cat.body.id, name: 'Returns' });
    const a = await t.as(admin).post('/api/v1/kb/articles', { sectionId: sec.body.id, title: 'Return a parcel', body: 'Print the **label**.' });
    assert.equal((await t.as(admin).post(`/api/v1/kb/articles/${a.body.id}/publish`, {})).status, 200);
    await enable(['fr'], true);
    const writer = await t.signIn('agent', { name: 'Tess Translator' });
    const tr = `/api/v1/kb/articles/${a.body.id}/translations/fr`;
    await t.as(writer).put(tr, { title: 'Retourner un colis', body: "Imprimez l'étiquette." });
    assert.equal((await t.as(writer).post(`${tr}/publish`, {})).body.code, 'REVIEW_REQUIRED');
    assert.equal((await t.as(writer).post(`${tr}/review`, {})).status, 200);
    const { context, page } = await signInPage(browser, base, 'kim@example.org', { context: { viewport: { width: 1280, height: 900 } } });
    try {
      // The category's and the section's French names, by keyboard in their dialog.
      await page.goto(`${base}/kb`);
      await page.getByRole('button', { name: 'Names in other languages' }).focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Names in other languages' });
      await pick(page, 'Category or section', 'Shipping (category)', dialog);
      await dialog.getByLabel('Name (fr)').focus();
      await page.keyboard.type('Expédition');
      await dialog.getByRole('button', { name: 'Save fr name' }).focus();
      await page.keyboard.press('Enter');
      await dialog.getByRole('status').filter({ hasText: 'Saved the fr name' }).waitFor();
      await pick(page, 'Category or section', 'Returns', dialog);
      await dialog.getByLabel('Name (fr)').fill('Retours');
      await dialog.getByRole('button', { name: 'Save fr name' }).focus();
      await page.keyboard.press('Enter');
      await dialog.getByRole('status').filter({ hasText: 'Saved the fr name' }).waitFor();
      await page.keyboard.press('Escape');

      // The translation under review: Kim sends it back with a note, then approves the next version.
      await page.goto(`${base}/kb/articles/${a.body.id}`);
      await page.getByRole('tab', { name: 'Translations' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('group', { name: 'Translations' }).getByRole('button', { name: /^fr · / }).focus();
      await page.keyboard.press('Enter');
      await page.getByTestId('translation-review').filter({ hasText: 'In review: version 1' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Publish translation', exact: true }).count(), 0, 'no direct publishing when review is required');
      await page.getByRole('button', { name: 'Request changes to translation' }).focus();
      await page.keyboard.press('Enter');
      await page.getByLabel('What should change in the translation').fill("Dites où trouver l'étiquette.");
      await page.getByRole('button', { name: 'Send translation back' }).focus();
      await page.keyboard.press('Enter');
      await page.getByTestId('translation-changes-requested').filter({ hasText: "Dites où trouver l'étiquette." }).waitFor();
      await t.as(writer).put(tr, { title: 'Retourner un colis', body: "Ouvrez **Commandes** et imprimez l'étiquette.", version: 1 });
      await t.as(writer).post(`${tr}/review`, {});
      await page.reload();
      await page.getByRole('tab', { name: 'Translations' }).click();
      await page.getByRole('group', { name: 'Translations' }).getByRole('button', { name: /^fr · / }).click();
      await page.getByTestId('translation-review').filter({ hasText: 'In review: version 2' }).waitFor();
      await page.getByRole('button', { name: 'Approve and publish translation' }).focus();
      await page.keyboard.press('Enter');
      await page.getByTestId('translation-status').filter({ hasText: /^Published$/ }).waitFor();

      // Its history: version 1 compared with 2, then restored as a new draft (version 3); the published text stays.
      await page.getByRole('button', { name: 'Show the fr history' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Compare v1 with v2' }).focus();
      await page.keyboard.press('Enter');
      const diff = page.getByTestId('kb-diff');
      await diff.getByText("- Imprimez l'étiquette.").waitFor();
      await diff.getByText("+ Ouvrez **Commandes** et imprimez l'étiquette.").waitFor();
      await diff.getByRole('button', { name: 'Restore v1' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('status').filter({ hasText: 'Restored as version 3' }).waitFor();
      await page.getByTestId('translation-status').filter({ hasText: 'Published, unpublished changes' }).waitFor();
      assert.equal((await t.as(admin).get(tr)).body.body, "Imprimez l'étiquette.");
    } finally {
      await context.close();
      await enable(['fr']);
    }

    // The French pages, without JavaScript: the names in the navigation and the breadcrumbs, the approved text.
    const reader = await browser.newContext({ javaScriptEnabled: false });
    const help = await reader.newPage();
    await help.goto(`${base}/help/fr`);
    await help.getByRole('link', { name: 'Expédition' }).click();
    await help.getByRole('heading', { name: 'Expédition' }).waitFor();
    await help.getByRole('link', { name: 'Retours' }).first().click();
    await help.getByRole('link', { name: 'Retourner un colis' }).click();
    await help.getByText('Ouvrez Commandes').waitFor();
    assert.equal((await help.locator('.crumbs').textContent())?.replace(/\s+/g, ' ').trim(), 'Help centre › Expédition › Retours');
    await reader.close();

    // A customer whose browser reads French gets the French article, linking to its French page.
    await t.services.people.createUser({ email: 'lea@example.fr', name: 'Léa Martin', role: 'customer', password: PASSWORD });
    const french = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1000, height: 900 } });
    const portal = await french.newPage();
    portal.on('pageerror', (e) => console.error('page error:', e.message));
    await portal.goto(`${base}/portal`);
    await portal.getByText('I have a password').click();
    await portal.locator('#pw-email').fill('lea@example.fr');
    await portal.locator('#pw').fill(PASSWORD);
    await portal.getByRole('button', { name: 'Sign in with password' }).click();
    await portal.getByRole('link', { name: 'New request' }).click();
    await portal.getByLabel('Subject').fill('retourner colis');
    const link = portal.getByRole('region', { name: 'Articles that may help' }).getByRole('link', { name: 'Retourner un colis' });
    await link.waitFor();
    assert.equal(await link.getAttribute('href'), `http://localhost:3000/help/fr/articles/${a.body.slug}`);
    await french.close();
  });
});
