import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

type Violation = { id: string; impact: string | null; help: string; nodes: { target: unknown[]; html?: string; any?: { data?: unknown }[] }[] };

/**
 * Runs axe-core (WCAG 2 A/AA rules) on what the page shows now and returns the serious and critical violations,
 * one line each ("rule: help — targets"), so an assertion's message says what to fix. `within`: a CSS selector to check
 * only that part of the page (a new panel on a screen another test owns).
 */
export async function accessibilityProblems(page: Page, within?: string): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) {
    // Served as if from the app's own origin, so the app's Content-Security-Policy (script-src 'self') stays on.
    await page.route('**/__axe.min.js', (route) => route.fulfill({ contentType: 'text/javascript', body: fs.readFileSync(AXE, 'utf8') }));
    await page.addScriptTag({ url: '/__axe.min.js' });
  }
  const violations = await page.evaluate(async (include) => {
    const axe = (window as unknown as { axe: { run: (ctx: Document | { include: string[] }, opts: unknown) => Promise<{ violations: Violation[] }> } }).axe;
    const result = await axe.run(include ? { include: [include] } : document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return result.violations;
  }, within);
  if (process.env.AXE_DEBUG) {
    for (const v of violations) for (const n of v.nodes) console.error(v.id, n.html, JSON.stringify(n.any?.[0]?.data ?? null));
  }
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)).join(', ')}${v.nodes.length > 5 ? ` and ${v.nodes.length - 5} more` : ''}`);
}
