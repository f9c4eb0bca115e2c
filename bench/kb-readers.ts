/**
 * Open-loop readers of the help centre (bench/kb.ts runs this in its own process, one step at a time): `readers`
 * people, each arriving again after an exponentially distributed pause (think time), so requests arrive at `rate`
 * per second on average whatever the server does — a slow answer never delays the next reader, as it would with
 * wrk's connections, which wait for their answer before sending again (coordinated omission). Every arrival time is
 * drawn before the run starts, and a request's latency is measured from when it was due, not from when it was sent:
 * a generator that fell behind counts against the server, never for it.
 *
 * Mixes:
 *  - `article.zipf` / `article.distinct` — article pages: rank r of `articles` drawn ∝ 1/(r+1), or each a different one;
 *  - `search` — search results pages: 80 % a query drawn ∝ 1/(r+1) from QUERIES, 20 % one nobody asked before;
 *  - `suggest` — suggestions as typed: a reader types a request's first words (Zipf or unique as search) and the form
 *    asks after every third character, 400 ms apart (a debounced field), so a session is several requests.
 *
 *   node --import tsx bench/kb-readers.ts '{"url":"http://127.0.0.1:4900","mix":"search","rate":30,"seconds":20,…}'
 *
 * Prints one JSON line: latency percentiles (ms) from the due time, how late the generator sent (its health), counts.
 */
import http from 'node:http';
import os from 'node:os';
import { QUERIES, queryOf, rng, sentenceOf } from './kb-words.js';

export type Mix = 'article.zipf' | 'article.distinct' | 'search' | 'suggest';
export type ReadersStep = {
  url: string;
  mix: Mix;
  /** Requests per second on average (for `suggest`, sessions arrive at rate ÷ requests per session). */
  rate: number;
  seconds: number;
  readers: number;
  articles: number;
  /** Where this step's all-distinct articles and never-asked queries start, so no step repeats an earlier one's. */
  offset: number;
  seed: number;
};
export type ReadersResult = {
  mix: Mix;
  rate: number;
  seconds: number;
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  achievedPerSecond: number;
  latencyMs: { p50: number; p90: number; p95: number; p99: number; max: number };
  /** How late the generator sent requests (ms after their due time): its own health; p99 well under the latency. */
  sendLagMs: { p50: number; p99: number; max: number };
  loadAverage1m: number;
  /** The highest all-distinct / never-asked number used: the next step's offset. */
  nextOffset: number;
};

const TIMEOUT_MS = 10_000;
const TYPE_EVERY_CHARS = 3;
const TYPE_PAUSE_MS = 400;
const UNIQUE_SHARE = 0.2;

function zipfSampler(n: number, random: () => number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + 1);
    cdf[i] = sum;
  }
  return () => {
    const u = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] as number) < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** The prefixes a debounced form asks suggestions for while `text` is typed: every third character, then the whole. */
function typed(text: string): string[] {
  const out: string[] = [];
  for (let n = TYPE_EVERY_CHARS; n < text.length; n += TYPE_EVERY_CHARS) out.push(text.slice(0, n));
  out.push(text);
  return out;
}

const percentile = (sorted: number[], p: number) => (sorted.length ? (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number) : 0);
const r2 = (x: number) => Math.round(x * 100) / 100;

/** Every request of the step: when it is due (ms from the start), its path, and the reader (their address). */
export function schedule(step: ReadersStep): { plan: { at: number; path: string; reader: number }[]; nextOffset: number } {
  const random = rng(step.seed);
  const zipfArticle = zipfSampler(step.articles, random);
  const zipfQuery = zipfSampler(QUERIES, random);
  let fresh = step.offset;
  // A query nobody asked before: numbers past the Zipf ones, never reused by a later step (offset).
  const query = (make: (k: number) => string) => (random() < UNIQUE_SHARE ? make(QUERIES + fresh++) : make(zipfQuery()));
  // A typing session is several requests: sessions arrive more rarely, so requests arrive at `rate` overall.
  const perArrival = step.mix === 'suggest' ? Array.from({ length: 100 }, (_, k) => typed(sentenceOf(k)).length).reduce((a, b) => a + b) / 100 : 1;
  const meanPauseMs = (step.readers / step.rate) * 1000 * perArrival;
  const horizon = step.seconds * 1000;
  const plan: { at: number; path: string; reader: number }[] = [];
  for (let reader = 0; reader < step.readers; reader++) {
    // Each reader's first arrival is somewhere in their first pause (not all 200 at t = 0), then pauses follow.
    let at = random() * meanPauseMs;
    while (at < horizon) {
      switch (step.mix) {
        case 'article.zipf':
          plan.push({ at, path: `/help/articles/a-${zipfArticle()}`, reader });
          break;
        case 'article.distinct':
          plan.push({ at, path: `/help/articles/a-${fresh++ % step.articles}`, reader });
          break;
        case 'search':
          plan.push({ at, path: `/help/search?q=${encodeURIComponent(query(queryOf))}`, reader });
          break;
        case 'suggest':
          for (const [i, prefix] of typed(query(sentenceOf)).entries()) plan.push({ at: at + i * TYPE_PAUSE_MS, path: `/api/v1/kb/suggest?q=${encodeURIComponent(prefix)}`, reader });
          break;
        default:
          step.mix satisfies never;
      }
      at += -Math.log(1 - random()) * meanPauseMs;
    }
  }
  plan.sort((a, b) => a.at - b.at);
  return { plan: plan.filter((p) => p.at < horizon), nextOffset: fresh };
}

export async function runStep(step: ReadersStep): Promise<ReadersResult> {
  const { plan, nextOffset } = schedule(step);
  const target = new URL(step.url);
  // Up to one connection per reader, kept alive between their pages, as browsers do.
  const agent = new http.Agent({ keepAlive: true, maxSockets: step.readers * 2 });
  const latencies: number[] = [];
  const lags: number[] = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let next = 0;
  let inFlight = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const finished = () => {
      if (next >= plan.length && inFlight === 0) resolve();
    };
    const send = (item: { at: number; path: string; reader: number }) => {
      const due = start + item.at;
      lags.push(performance.now() - due);
      inFlight++;
      let done = false;
      const end = (outcome: 'ok' | 'non2xx' | 'error') => {
        if (done) return;
        done = true;
        inFlight--;
        latencies.push(performance.now() - due);
        if (outcome === 'ok') ok++;
        else if (outcome === 'non2xx') non2xx++;
        else errors++;
        finished();
      };
      const req = http.get(
        { host: target.hostname, port: target.port, path: item.path, agent, headers: { 'x-forwarded-for': `10.20.${item.reader >> 8}.${(item.reader & 255) + 1}` } },
        (res) => {
          res.resume();
          res.on('end', () => end(res.statusCode && res.statusCode < 400 ? 'ok' : 'non2xx'));
          res.on('error', () => end('error'));
        },
      );
      req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error('timeout')));
      req.on('error', () => end('error'));
    };
    // Sends everything due, then sleeps until the next is due (a timer's lateness shows in sendLagMs).
    const tick = () => {
      const now = performance.now() - start;
      while (next < plan.length && (plan[next] as { at: number }).at <= now) send(plan[next++] as (typeof plan)[number]);
      if (next < plan.length) setTimeout(tick, Math.max(0, (plan[next] as { at: number }).at - (performance.now() - start)));
      else finished();
    };
    tick();
  });
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  lags.sort((a, b) => a - b);
  return {
    mix: step.mix,
    rate: step.rate,
    seconds: step.seconds,
    sent: plan.length,
    ok,
    non2xx,
    errors,
    achievedPerSecond: r2(ok / elapsed),
    latencyMs: { p50: r2(percentile(latencies, 50)), p90: r2(percentile(latencies, 90)), p95: r2(percentile(latencies, 95)), p99: r2(percentile(latencies, 99)), max: r2(latencies.at(-1) ?? 0) },
    sendLagMs: { p50: r2(percentile(lags, 50)), p99: r2(percentile(lags, 99)), max: r2(lags.at(-1) ?? 0) },
    loadAverage1m: Math.round((os.loadavg()[0] ?? 0) * 10) / 10,
    nextOffset,
  };
}

if (process.argv[1]?.endsWith('kb-readers.ts')) {
  const step = JSON.parse(process.argv[2] ?? '{}') as ReadersStep;
  console.log(JSON.stringify(await runStep(step)));
}
