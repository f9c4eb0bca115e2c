import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { widgetScripts } from '../src/modules/widget/widget.routes.js';
import { startTestApp } from '../src/testing/harness.js';
import { launchChromium } from '../test/e2e/browser.js';

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0);
};

/**
 * The "Report an issue" widget (docs/widget.md): the loader's and the panel's size (raw and gzipped, as sent), and
 * the panel's first open in Debian's Chromium on a throttled connection (150 ms round trip, 1.6 Mbit/s down,
 * 750 kbit/s up, cache off): from the button press to the dialog shown, each run in a fresh browser context on a
 * host page of another origin. The budgets: loader ≤ 15 KB gzipped, first open ≤ 300 ms.
 */
export async function measureWidget(log: (...a: unknown[]) => void, runs = 9) {
  const { loader, panel } = widgetScripts();
  const gz = (s: string) => zlib.gzipSync(s, { level: 9 }).length;
  const t = await startTestApp();
  const browser = await launchChromium();
  let host: http.Server | undefined;
  try {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    let siteKey = '';
    host = http.createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>Host</title><h1>Host</h1><script src="${base}/widget.js" data-site-key="${siteKey}"></script>`),
    );
    await new Promise<void>((resolve) => host?.listen(0, '127.0.0.1', resolve));
    const origin = `http://localhost:${(host.address() as AddressInfo).port}`;
    const admin = await t.signIn('admin');
    siteKey = (await t.as(admin).post('/api/v1/widget/sites', { name: 'Bench', allowedOrigins: [origin] })).body.siteKey;
    const firstOpen: number[] = [];
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 });
      await page.goto(`${origin}/`);
      const button = page.getByRole('button', { name: 'Report an issue' });
      await button.waitFor();
      // Timed in the page: the press to the frame where the dialog is shown.
      const ms = await page.evaluate(async () => {
        const root = (document.querySelector('[data-lifeline-widget]') as HTMLElement).shadowRoot as ShadowRoot;
        const started = performance.now();
        (root.querySelector('button') as HTMLButtonElement).click();
        for (;;) {
          const d = root.querySelector('[role=dialog]');
          if (d && !d.hasAttribute('hidden')) return performance.now() - started;
          await new Promise((r) => requestAnimationFrame(r));
        }
      });
      firstOpen.push(ms);
      log(`  widget: first open ${Math.round(ms)} ms`);
      await context.close();
    }
    return {
      loader: { bytes: Buffer.byteLength(loader), gzipBytes: gz(loader) },
      panel: { bytes: Buffer.byteLength(panel), gzipBytes: gz(panel) },
      throttle: { latencyMs: 150, downMbit: 1.6, upKbit: 750, cache: 'off' },
      firstOpenMs: { runs, p50: pct(firstOpen, 0.5), p95: pct(firstOpen, 0.95), max: Math.round(Math.max(...firstOpen)) },
    };
  } finally {
    await browser.close();
    await new Promise((resolve) => host?.close(resolve));
    await t.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify({ benchmark: 'widget', at: new Date().toISOString(), widget: await measureWidget((...a) => console.error('[bench]', ...a)) }, null, 2));
}
