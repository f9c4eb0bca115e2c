import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Locator, type Page } from 'playwright-core';
import { rowsOf } from '../../src/db/client.js';
import { startTestApp, type TestApp } from '../../src/testing/harness.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-results/screenshots');
const ROOT = path.resolve(import.meta.dirname, '../..');

/** Why the browser tests cannot run here, or undefined. In CI they must run, so there is no reason there. */
export function browserMissing(): string | undefined {
  if (fs.existsSync(CHROMIUM)) return undefined;
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
  return 'Debian chromium is not installed (apt-get install chromium)';
}

/** The production build of the agent app, made if it is missing or older than its sources. */
export function buildWebApp(): string {
  execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'web/build-if-stale.ts')], { stdio: 'inherit', cwd: ROOT });
  return path.join(ROOT, 'web/dist');
}

// Playwright's default wait is 30 s. CI runs both database legs side by side on two cores, and a browser file can
// share them with five other test files: a step that takes 2 s on an idle machine has been seen to take 30. A longer
// default only changes how long a broken test takes to fail; waits that test a deadline set their own timeout.
const DEFAULT_TIMEOUT_MS = 90_000;

/** Debian's Chromium, headless, with a fresh profile and nothing that reaches the network. */
export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    context.setDefaultTimeout(DEFAULT_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(DEFAULT_TIMEOUT_MS);
    return context;
  };
  return browser;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/** Picks an option in a Mantine select (a combobox) or multi-select by its label. */
export async function pick(page: Page, label: string, option: string | RegExp, scope: Page | Locator = page): Promise<void> {
  await scope.getByRole('combobox', { name: label, exact: true }).or(scope.getByRole('textbox', { name: label, exact: true })).first().click();
  await page.getByRole('option', { name: option }).first().click();
}

/** The password the browser files give the people they sign in as. */
export const PASSWORD = 'correct horse battery staple';

/**
 * What every browser file starts with: the test app serving the agent app's production build on a free port of
 * 127.0.0.1 (`base`), and Chromium. `env` as for `startTestApp`. Stop both with `stopBrowserApp`.
 */
export async function startBrowserApp(env: Record<string, string> = {}): Promise<{ t: TestApp; base: string; browser: Browser }> {
  const t = await startTestApp(env, { webDist: buildWebApp() });
  try {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return { t, base, browser: await launchChromium() };
  } catch (err) {
    await t.close();
    throw err;
  }
}

/** Closes what `startBrowserApp` started, whatever of it a failed `before` got to. */
export async function stopBrowserApp(t: TestApp | undefined, browser: Browser | undefined): Promise<void> {
  await browser?.close();
  await t?.close();
}

/**
 * A new browser context signed in through the sign-in form as `email`, waiting until the app shows its Views
 * navigation. `clock` fixes the browser's time first (for screens that compare with the server's fake clock);
 * errors on the page are logged under `label`.
 */
export async function signInPage(
  browser: Browser,
  base: string,
  email: string,
  options: { password?: string; context?: BrowserContextOptions; clock?: Date; label?: string } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(options.context ?? { viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(options.label ? `[${options.label}] page error:` : 'page error:', e.message));
  if (options.clock) await page.clock.setFixedTime(options.clock);
  await page.goto(base);
  await page.getByLabel(/^Email/).fill(email);
  await page.getByLabel(/^Password/).fill(options.password ?? PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByRole('navigation', { name: 'Views' }).waitFor();
  return { context, page };
}

/** A link from the newest outbox message of a kind to an address (`pattern` captures it), on the test server at `base`. */
export async function mailedLink(t: TestApp, base: string, kind: string, to: string, pattern: RegExp): Promise<string> {
  const [mail] = rowsOf<{ body_text: string }>(await t.database.db.execute(sql`select body_text from outbound_emails where kind = ${kind} and to_address = ${to} order by created_at desc limit 1`));
  assert.ok(mail, `a ${kind} mail to ${to}`);
  const url = new URL(pattern.exec(mail.body_text)?.[1] as string);
  return `${base}${url.pathname}${url.search}${url.hash}`;
}
