import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { rowsOf } from '../../src/db/client.js';
import type { Session, TestApp } from '../../src/testing/harness.js';
import { signIdentityToken } from '../../src/modules/widget/identity-token.js';
import { accessibilityProblems } from './axe.js';
import { browserMissing, mailedLink as linkFromOutbox, PASSWORD, pick, startBrowserApp, stopBrowserApp } from './browser.js';

const skip = browserMissing();

/**
 * The widget in a real browser: an admin makes a site in the app; a page on another origin, under a strict CSP
 * (no inline script or style allowed) and with hostile styles, embeds the script; a visitor opens the panel by
 * keyboard, sees an article suggested, attaches a screenshot, goes offline, reports, comes back online — and the
 * ticket arrives exactly once, with channel widget and its context.
 */
describe('"Report an issue" widget in a real browser', { skip }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let agent: Session;
  let host: http.Server;
  let hostOrigin: string;
  let siteKey = '';
  let siteSecret = '';
  /** What the host app's server signs for its signed-in user (on the desk's clock, which the test moves). */
  const hostToken = (secret = siteSecret, ttl = 600) =>
    signIdentityToken({ sub: 'field-9', email: 'bo@field.example', email_verified: true, name: 'Bo Field', organisation: 'Field Co', aud: siteKey, exp: Math.floor(t.clock.now().getTime() / 1000) + ttl }, secret);
  /** The host app's token endpoint (its callback fetches it): a fresh token, or none (signed out); calls counted. */
  const fresh = { answer: 'token' as 'token' | 'none', calls: 0 };
  /** A link from the newest outbox message of a kind to an address, on this test server. */
  const mailedLink = (kind: string, to: string, pattern: RegExp) => linkFromOutbox(t, base, kind, to, pattern);

  before(async () => {
    ({ t, base, browser } = await startBrowserApp());
    agent = await t.signIn('agent');
    await t.services.people.createUser({ email: 'ada@example.org', name: 'Ada Admin', role: 'admin', password: PASSWORD });
    // A public article the panel should suggest.
    const cat = await t.as(agent).post('/api/v1/kb/categories', { name: 'Help' });
    const sec = await t.as(agent).post('/api/v1/kb/sections', { categoryId: cat.body.id, name: 'Reports' });
    const art = await t.as(agent).post('/api/v1/kb/articles', { sectionId: sec.body.id, title: 'Exporting reports to CSV', body: 'When the export fails, check the date range.' });
    await t.as(agent).post(`/api/v1/kb/articles/${art.body.id}/publish`, {});

    // The host app: another origin (localhost, another port), a CSP without 'unsafe-inline', and styles that would
    // wreck an unisolated widget.
    host = http.createServer((req, res) => {
      const csp = `default-src 'self'; script-src 'self' ${base}; connect-src 'self' ${base}; style-src 'self'; img-src 'self'`;
      if (req.url === '/host.css') return res.writeHead(200, { 'content-type': 'text/css' }).end('button, textarea, label { background: #f0f !important; font-size: 40px !important; color: #ff0 !important }');
      if (req.url === '/fresh-token') {
        fresh.calls++;
        return fresh.answer === 'token' ? res.writeHead(200, { 'content-type': 'text/plain' }).end(hostToken()) : res.writeHead(204).end();
      }
      if (req.url === '/refresh.js') {
        return res
          .writeHead(200, { 'content-type': 'text/javascript' })
          .end("LifelineWidget.onIdentityExpired(async () => { const r = await fetch('/fresh-token'); return r.status === 200 ? r.text() : null; });");
      }
      if (req.url === '/host.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end("LifelineWidget.setContext({ custom: { plan: 'pro', account: 'A-17' } });");
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp });
      res.end(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host app</title><link rel="stylesheet" href="/host.css"></head>` +
          `<body><main><h1>Field reports</h1><p>Host content.</p></main>` +
          `<script src="${base}/widget.js" data-site-key="${siteKey}" data-app-version="3.1.0"${req.url === '/signed-in' ? ` data-identity="${hostToken()}"` : ''}${req.url === '/expiring' ? ` data-identity="${hostToken(siteSecret, 120)}"` : ''}></script><script src="/host.js"></script>${req.url === '/expiring' ? '<script src="/refresh.js"></script>' : ''}</body></html>`,
      );
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    hostOrigin = `http://localhost:${(host.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => host?.close(resolve));
    await stopBrowserApp(t, browser);
  });

  test('admin makes a site; a visitor on another origin reports while offline; the ticket arrives once when the network returns', async () => {
    // Admin → "Report an issue" widget: a site for the host's origin.
    const adminContext = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const admin = await adminContext.newPage();
    admin.on('pageerror', (e) => console.error('admin page error:', e.message));
    await admin.goto(`${base}/admin/widget`);
    await admin.getByLabel(/^Email/).fill('ada@example.org');
    await admin.getByLabel(/^Password/).fill(PASSWORD);
    await admin.keyboard.press('Enter');
    await admin.getByRole('heading', { name: '"Report an issue" widget' }).waitFor();
    await admin.getByLabel('Site name').fill('Field app');
    await admin.getByRole('combobox', { name: 'Allowed origins' }).fill(hostOrigin);
    await admin.keyboard.press('Enter');
    await admin.getByRole('button', { name: 'Add site' }).click();
    const snippet = await admin.getByTestId('widget-snippet').textContent();
    siteKey = /data-site-key="(wk_[A-Za-z0-9_-]+)"/.exec(snippet ?? '')?.[1] ?? '';
    assert.ok(siteKey, `a site key in ${snippet}`);
    siteSecret = (await admin.getByTestId('widget-secret').textContent()) ?? '';
    assert.ok(siteSecret.length >= 40, 'the identity secret is shown once');
    await admin.getByRole('cell', { name: hostOrigin }).waitFor();
    await adminContext.close();

    // The visitor, on the host page.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(`${hostOrigin}/`);
    const launcher = page.getByRole('button', { name: 'Report an issue' });
    await launcher.waitFor();
    // Isolated: the host's !important styles on every button do not reach it.
    assert.notEqual(await launcher.evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(255, 0, 255)');
    assert.equal(await page.locator('script[src*="panel.js"]').count(), 0, 'the panel is not loaded before the first open');

    // Opened by keyboard; focus lands in the description.
    await launcher.focus();
    const opened = Date.now();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Report an issue' });
    await dialog.waitFor();
    console.log(`widget panel first open: ${Date.now() - opened} ms (unthrottled)`);
    const description = dialog.getByLabel('What happened?');
    assert.equal(await description.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement), true, 'focus is in the description');
    assert.deepEqual(await accessibilityProblems(page), []);

    // (Suggestions need every word to match since the KB's prefix matching: chosen on the first words.)
    await description.pressSequentially('The export');
    await dialog.getByRole('link', { name: 'Exporting reports to CSV' }).waitFor();
    await dialog.getByRole('button', { name: 'This solved it: Exporting reports to CSV' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Glad it helped' }).waitFor();
    await description.pressSequentially(' fails on the reports page');
    assert.equal(await t.count(`kb_suggestion_feedback where outcome = 'solved'`), 1);
    await dialog.getByLabel('Your email').fill('vera@field.example');
    await dialog.getByLabel('Screenshots or files').setInputFiles({ name: 'screen.png', mimeType: 'image/png', buffer: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex') });

    // Offline: the report is kept on the device, nothing reaches the desk.
    await context.setOffline(true);
    await dialog.getByRole('button', { name: 'Send report' }).click();
    await dialog.getByRole('status').filter({ hasText: 'You are offline. Your report is saved on this device' }).waitFor();
    const queued = await page.evaluate((key) => JSON.parse(localStorage.getItem(`lifeline-widget:${key}:queue`) ?? '[]').length, siteKey);
    assert.equal(queued, 1);
    // The report carries the form's impression: the suggestion it was shown, solved, stays a deflection.
    const impression = await page.evaluate((key) => JSON.parse(localStorage.getItem(`lifeline-widget:${key}:queue`) ?? '[]')[0].kbImpression as string, siteKey);
    assert.match(impression, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(await t.count(`kb_impressions where id = '${impression}' and solved_at is not null`), 1, 'shown in this form and solved it');
    const widgetTickets = () => t.count(`tickets where channel = 'widget'`);
    assert.equal(await widgetTickets(), 0);

    // Back online: sent once; the panel says which ticket.
    await context.setOffline(false);
    const done = await dialog.getByRole('status').filter({ hasText: /received as ticket #\d+/ }).textContent();
    const number = Number(/#(\d+)/.exec(done ?? '')?.[1]);
    assert.equal(await widgetTickets(), 1);
    assert.equal(await page.evaluate((key) => localStorage.getItem(`lifeline-widget:${key}:queue`), siteKey), null, 'the queue is empty');

    // Escape closes it and gives focus back to the button.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await launcher.evaluate((b) => b === (b.getRootNode() as ShadowRoot).activeElement), true);

    // A reload (a new page of the site) sends nothing again.
    await page.reload();
    await launcher.waitFor();
    assert.equal(await widgetTickets(), 1);

    const [ticket] = rowsOf<{ id: string; channel: string; subject: string }>(await t.database.db.execute(sql`select id, channel, subject from tickets where number = ${number}`));
    assert.equal(ticket?.channel, 'widget');
    assert.equal(ticket?.subject, 'The export fails on the reports page');
    const messages = (await t.as(agent).get(`/api/v1/tickets/${ticket?.id}/messages`)).body.items as { public: boolean; bodyText: string; attachments: { filename: string }[] }[];
    assert.deepEqual(messages.find((m) => m.public)?.attachments.map((a) => a.filename), ['screen.png']);
    const note = messages.find((m) => !m.public)?.bodyText ?? '';
    for (const part of [`Page: ${hostOrigin}/`, 'App version: 3.1.0', 'plan: pro', 'account: A-17', 'Written while offline', 'Viewport 1280×800'.toLowerCase()]) {
      assert.ok(note.toLowerCase().includes(part.toLowerCase()), `the note has ${part}: ${note}`);
    }
    assert.deepEqual(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(p)), [], 'no CSP violation or script error on the host page');
    await context.close();
  });

  test('a report queued offline whose identity token expired meanwhile asks the host app for a fresh token and is sent once with it; with none it is kept, not sent anonymously', async () => {
    assert.ok(siteKey && siteSecret, 'the site made by the first test');
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    fresh.answer = 'token';
    fresh.calls = 0;
    await page.goto(`${hostOrigin}/expiring`);
    const launcher = page.getByRole('button', { name: /^Report an issue/ });
    await launcher.click();
    const dialog = page.getByRole('dialog', { name: 'Report an issue' });
    await dialog.getByText('Reporting as Bo Field, bo@field.example').waitFor();
    const count = (subject: string) => t.count(`tickets where subject = '${subject}'`);

    // Offline longer than the token lives (2 minutes, on the desk's clock): the first send is refused as expired, the
    // host's callback gives a fresh token, the report goes again (same idempotency key) and arrives once, verified.
    await context.setOffline(true);
    await dialog.getByLabel('What happened?').fill('Sync stopped after the update');
    await dialog.getByRole('button', { name: 'Send report' }).click();
    await dialog.getByRole('status').filter({ hasText: 'You are offline' }).waitFor();
    t.clock.advance(15 * 60_000);
    await context.setOffline(false);
    await dialog.getByRole('status').filter({ hasText: /received as ticket #\d+/ }).waitFor();
    assert.equal(fresh.calls, 1, 'the host was asked once');
    assert.equal(await count('Sync stopped after the update'), 1);
    const [row] = rowsOf<{ email: string; unverified: boolean }>(
      await t.database.db.execute(sql`select u.email, m.sender_unverified as unverified from tickets t join users u on u.id = t.requester_id join messages m on m.ticket_id = t.id and m.public where t.subject = 'Sync stopped after the update'`),
    );
    assert.equal(row?.email, 'bo@field.example', 'filed as the host\'s user, not anonymously');
    assert.equal(row?.unverified, false);

    // The host has no fresh token (signed out): the report is kept, marked, and not sent anonymously.
    fresh.answer = 'none';
    await context.setOffline(true);
    await dialog.getByLabel('What happened?').fill('Second report while away');
    await dialog.getByRole('button', { name: 'Send report' }).click();
    await dialog.getByRole('status').filter({ hasText: 'You are offline' }).waitFor();
    t.clock.advance(15 * 60_000);
    await context.setOffline(false);
    await dialog.getByText(/Not sent: The identity token expired and the app gave no fresh one/).waitFor();
    assert.equal(fresh.calls, 2);
    assert.equal(await count('Second report while away'), 0);
    const kept = await page.evaluate((key) => JSON.parse(localStorage.getItem(`lifeline-widget:${key}:queue`) ?? '[]'), siteKey);
    assert.equal(kept.length, 1);
    assert.equal(kept[0].failed.code, 'WIDGET_IDENTITY_EXPIRED');
    await launcher.getByText(/1 not sent/).waitFor();
    await context.close();
  });

  test('the issue\'s journey: a signed-in customer reports offline (once), a refused report is kept and resent, the agent answers with an article, the customer confirms in the portal and answers the survey "good" in the widget, the help centre shows the article', async () => {
    assert.ok(siteKey && siteSecret, 'the site made by the test before');
    const adminSession = await t.signIn('admin');
    const org = await t.as(adminSession).post('/api/v1/organizations', { name: 'Field Co' });
    assert.equal(org.status, 201, org.raw);
    assert.equal((await t.as(adminSession).post('/api/v1/email/addresses', { address: 'help@lifeline.example', name: 'Help' })).status, 201);
    await t.services.people.createUser({ email: 'dana@example.org', name: 'Dana Agent', role: 'agent', password: PASSWORD });

    // The admin lets the site's tokens place people in organisations, by name.
    const desk = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const admin = await desk.newPage();
    await admin.goto(`${base}/admin/widget`);
    await admin.getByLabel(/^Email/).fill('ada@example.org');
    await admin.getByLabel(/^Password/).fill(PASSWORD);
    await admin.keyboard.press('Enter');
    await admin.getByRole('button', { name: 'Edit Field app' }).click();
    const editor = admin.getByRole('dialog', { name: 'Edit Field app' });
    await pick(admin, 'Organisation from identity tokens', 'By organisation name', editor);
    await editor.getByRole('button', { name: 'Save' }).click();
    await admin.getByRole('cell', { name: 'by name' }).waitFor();
    await desk.close();

    // The customer, signed in to the host app (which passes a signed token), reports while offline.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${hostOrigin}/signed-in`);
    const launcher = page.getByRole('button', { name: /^Report an issue/ });
    await launcher.click();
    const dialog = page.getByRole('dialog', { name: 'Report an issue' });
    await dialog.getByText('Reporting as Bo Field, bo@field.example').waitFor();
    await context.setOffline(true);
    await dialog.getByLabel('What happened?').fill('Exporting reports to CSV fails');
    await dialog.getByRole('button', { name: 'Send report' }).click();
    await dialog.getByRole('status').filter({ hasText: 'You are offline' }).waitFor();
    const journeyTickets = () => t.count(`tickets where subject = 'Exporting reports to CSV fails'`);
    assert.equal(await journeyTickets(), 0);
    await context.setOffline(false);
    const done = await dialog.getByRole('status').filter({ hasText: /received as ticket #\d+/ }).textContent();
    const number = Number(/#(\d+)/.exec(done ?? '')?.[1]);
    await page.reload();
    await launcher.waitFor();
    assert.equal(await journeyTickets(), 1, 'exactly once');
    const [requester] = rowsOf<{ org: string | null }>(await t.database.db.execute(sql`select u.organization_id as org from tickets t join users u on u.id = t.requester_id where t.number = ${number}`));
    assert.equal(requester?.org, org.body.id, 'placed in the token\'s organisation');

    // A report the desk refuses (the host's token went bad) while the panel is closed is kept, marked, and shown on
    // the next open; edited and resent with a good token, it arrives.
    await page.evaluate((token) => (window as unknown as { LifelineWidget: { identify(token: string): void } }).LifelineWidget.identify(token), hostToken('not-the-secret'));
    await launcher.click();
    await context.setOffline(true);
    await dialog.getByLabel('What happened?').fill('The sync button spins forever');
    await dialog.getByRole('button', { name: 'Send report' }).click();
    await dialog.getByRole('status').filter({ hasText: 'You are offline' }).waitFor();
    await page.keyboard.press('Escape');
    await context.setOffline(false);
    await page.getByRole('button', { name: 'Report an issue (1 not sent)' }).waitFor();
    await page.evaluate((token) => (window as unknown as { LifelineWidget: { identify(token: string): void } }).LifelineWidget.identify(token), hostToken());
    await launcher.click();
    const failed = dialog.getByRole('alert').filter({ hasText: 'A report was not sent' });
    await failed.getByText('Not sent: The identity token is not valid: bad signature').waitFor();
    await failed.getByRole('button', { name: 'Edit and resend: The sync button spins forever' }).click();
    assert.equal(await dialog.getByLabel('What happened?').inputValue(), 'The sync button spins forever');
    await dialog.getByLabel('What happened?').fill('The sync button spins forever since 3.1');
    await dialog.getByRole('button', { name: 'Send report' }).click();
    await dialog.getByRole('status').filter({ hasText: /received as ticket #\d+/ }).waitFor();
    assert.equal(await t.count(`tickets where subject = 'The sync button spins forever since 3.1'`), 1);
    assert.equal(await page.evaluate((key) => localStorage.getItem(`lifeline-widget:${key}:queue`), siteKey), null, 'nothing left in the queue');
    await page.getByRole('button', { name: 'Report an issue', exact: true }).waitFor();

    // The agent answers with the suggested article linked, and marks the fix provided.
    const agentContext = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const agentPage = await agentContext.newPage();
    await agentPage.goto(base);
    await agentPage.getByLabel(/^Email/).fill('dana@example.org');
    await agentPage.getByLabel(/^Password/).fill(PASSWORD);
    await agentPage.keyboard.press('Enter');
    await agentPage.getByRole('navigation', { name: 'Views' }).waitFor();
    await agentPage.goto(`${base}/tickets/${number}`);
    const suggested = agentPage.getByRole('region', { name: 'Suggested articles' });
    await suggested.getByRole('button', { name: 'Insert link to Exporting reports to CSV' }).click();
    await suggested.getByTestId('kb-linked').filter({ hasText: 'Exporting reports to CSV' }).waitFor();
    await agentPage.getByLabel('Send and set state').click();
    await agentPage.getByRole('menuitem', { name: /Send and set Fix provided/ }).click();
    await agentPage.getByText('Fix provided — awaiting confirmation').first().waitFor();
    await agentContext.close();

    // The customer confirms the fix in the portal, signed in by the emailed link.
    const portal = await context.newPage();
    await portal.goto(`${base}/portal`);
    await portal.getByLabel('Your email address').fill('bo@field.example');
    await portal.keyboard.press('Enter');
    await portal.getByText('If this address has an account, a sign-in link is on its way.').waitFor();
    await portal.goto(await mailedLink('sign_in_link', 'bo@field.example', /(http\S+#token=\S+)/));
    await portal.getByRole('button', { name: 'Sign in' }).click();
    await portal.getByRole('heading', { name: 'Your requests' }).waitFor();
    await portal.getByRole('link', { name: /Exporting reports to CSV fails/ }).click();
    await portal.getByRole('link', { name: 'Exporting reports to CSV' }).waitFor();
    await portal.getByRole('button', { name: 'Yes, it works' }).click();
    await portal.locator('#status', { hasText: 'Solved' }).waitFor();

    // A day later the survey is sent; the customer answers it "good" in the widget.
    t.clock.advance(24 * 3600_000 + 60_000);
    await t.runJobs();
    await mailedLink('survey', 'bo@field.example', /(http\S+rating=good)/);
    await page.goto(`${hostOrigin}/signed-in`);
    await launcher.click();
    const survey = dialog.getByRole('region', { name: 'How did we do?' });
    await survey.getByText(`Your request #${number} “Exporting reports to CSV fails” was solved.`).waitFor();
    await survey.getByRole('button', { name: '👍 Good' }).click();
    await survey.getByText('Thank you — you rated it good 👍.').waitFor();
    await survey.getByLabel('Anything to add? (optional)').fill('Fixed in minutes');
    await survey.getByRole('button', { name: 'Send comment' }).click();
    await dialog.getByText('Your answer was recorded.').waitFor();
    assert.equal(await t.count(`csat_surveys s join tickets t on t.id = s.ticket_id where t.number = ${number} and s.rating = 'good' and s.comment = 'Fixed in minutes'`), 1);
    assert.deepEqual(await accessibilityProblems(page), []);

    // The help centre shows the article the agent linked.
    await portal.goto(`${base}/help/search?q=export`);
    await portal.getByRole('link', { name: 'Exporting reports to CSV' }).click();
    await portal.getByRole('heading', { name: 'Exporting reports to CSV' }).waitFor();
    await context.close();
  });
});
