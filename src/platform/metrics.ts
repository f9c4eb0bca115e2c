import { createHash, timingSafeEqual } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { type Database, rowsOf } from '../db/client.js';
import { AppError } from './errors.js';
import { jobs } from './platform.schema.js';

/** One gauge or counter value for /metrics; samples of one name share its help and type. */
export type MetricSample = { name: string; help: string; type: 'gauge' | 'counter'; labels?: Record<string, string>; value: number };
export type MetricsCollector = () => Promise<MetricSample[]>;

/** Latency buckets in seconds: a helpdesk API answers in milliseconds; reports and uploads take seconds. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type HttpSeries = { count: number; sum: number; buckets: number[] };

/**
 * Operators' numbers in the Prometheus text format (docs/operations.md). Request counters and latency histograms
 * are kept in memory as requests finish (no work per scrape); database gauges (jobs, inbound mail, SLA clocks, …)
 * come from collectors whose answers are cached for `cacheMs`, so a scrape every few seconds from several
 * Prometheus servers costs a handful of indexed counts at most.
 */
export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, HttpSeries>();
  private readonly collectors: { name: string; fn: MetricsCollector; at: number; samples: MetricSample[]; pending?: Promise<MetricSample[]> }[] = [];
  private readonly loop = monitorEventLoopDelay({ resolution: 20 });

  constructor(private readonly cacheMs = 5000) {
    this.loop.enable();
  }

  observeHttp(method: string, route: string, status: number, ms: number): void {
    const key = `${method}\u0000${route}\u0000${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const lkey = `${method}\u0000${route}`;
    let s = this.latency.get(lkey);
    if (!s) {
      s = { count: 0, sum: 0, buckets: BUCKETS.map(() => 0) };
      this.latency.set(lkey, s);
    }
    const seconds = ms / 1000;
    s.count++;
    s.sum += seconds;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= (BUCKETS[i] as number)) (s.buckets[i] as number)++;
  }

  addCollector(name: string, fn: MetricsCollector): void {
    this.collectors.push({ name, fn, at: Number.NEGATIVE_INFINITY, samples: [] });
  }

  private async collect(): Promise<MetricSample[]> {
    const now = performance.now();
    const all = await Promise.all(
      this.collectors.map(async (c) => {
        if (now - c.at < this.cacheMs) return c.samples;
        // Concurrent scrapes share one run; a failing collector reports its last samples and a failure count.
        c.pending ??= c
          .fn()
          .then((samples) => {
            c.samples = samples;
            c.at = performance.now();
            return samples;
          })
          .finally(() => {
            c.pending = undefined;
          });
        try {
          return await c.pending;
        } catch {
          return [...c.samples, { name: 'lifeline_metrics_collector_failed', help: 'A collector of /metrics failed this scrape (its last values are shown).', type: 'gauge' as const, labels: { collector: c.name }, value: 1 }];
        }
      }),
    );
    return all.flat();
  }

  async render(): Promise<string> {
    const out: string[] = [];
    const head = (name: string, help: string, type: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    head('lifeline_http_requests_total', 'HTTP requests by method, route (the route pattern, not the path) and status.', 'counter');
    for (const [key, n] of this.requests) {
      const [method, route, status] = key.split('\u0000') as [string, string, string];
      out.push(`lifeline_http_requests_total${labels({ method, route, status })} ${n}`);
    }
    head('lifeline_http_request_duration_seconds', 'HTTP request latency by method and route.', 'histogram');
    for (const [key, s] of this.latency) {
      const [method, route] = key.split('\u0000') as [string, string];
      for (let i = 0; i < BUCKETS.length; i++) out.push(`lifeline_http_request_duration_seconds_bucket${labels({ method, route, le: String(BUCKETS[i]) })} ${s.buckets[i]}`);
      out.push(`lifeline_http_request_duration_seconds_bucket${labels({ method, route, le: '+Inf' })} ${s.count}`);
      out.push(`lifeline_http_request_duration_seconds_sum${labels({ method, route })} ${s.sum}`);
      out.push(`lifeline_http_request_duration_seconds_count${labels({ method, route })} ${s.count}`);
    }
    // Event-loop delay since the previous scrape (a blocked loop delays every request and job of the process).
    head('lifeline_event_loop_lag_seconds', 'Event-loop delay since the previous scrape, by quantile (and max).', 'gauge');
    const ns = (v: number) => (Number.isFinite(v) ? v / 1e9 : 0);
    out.push(`lifeline_event_loop_lag_seconds{quantile="0.5"} ${ns(this.loop.percentile(50))}`);
    out.push(`lifeline_event_loop_lag_seconds{quantile="0.99"} ${ns(this.loop.percentile(99))}`);
    out.push(`lifeline_event_loop_lag_seconds{quantile="1"} ${ns(this.loop.max)}`);
    this.loop.reset();
    const seen = new Set<string>();
    for (const s of await this.collect()) {
      if (!seen.has(s.name)) {
        seen.add(s.name);
        head(s.name, s.help, s.type);
      }
      out.push(`${s.name}${s.labels ? labels(s.labels) : ''} ${s.value}`);
    }
    return `${out.join('\n')}\n`;
  }

  stop(): void {
    this.loop.disable();
  }
}

function labels(l: Record<string, string>): string {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** The platform's own gauges: jobs by kind and state (the jobs table), and the database pool. */
export function platformCollector(database: Database): MetricsCollector {
  return async () => {
    const rows = rowsOf<{ kind: string; status: string; n: number }>(
      await database.db.execute(sql`select kind, status, count(*)::int as n from ${jobs} where status in ('queued', 'running', 'failed') group by 1, 2 order by 1, 2`),
    );
    const samples: MetricSample[] = rows.map((r) => ({ name: 'lifeline_jobs', help: 'Jobs by kind and state: queued, running, failed (dead).', type: 'gauge', labels: { kind: r.kind, state: r.status }, value: Number(r.n) }));
    const pool = database.pool?.();
    if (pool) {
      const help = 'Database connections of this process by state (total, idle, waiting clients, max).';
      for (const [state, value] of Object.entries(pool)) samples.push({ name: 'lifeline_db_pool_connections', help, type: 'gauge', labels: { state }, value });
    }
    return samples;
  };
}

/**
 * GET /metrics: answered only with `Authorization: Bearer <METRICS_TOKEN>`; without METRICS_TOKEN the route does
 * not exist (404), so nothing about the install leaks by default. Not under /api/v1 and not in the OpenAPI document.
 */
export function metricsRoutes(app: FastifyInstance, metrics: Metrics, token: string | undefined): void {
  app.get('/metrics', { config: { access: { level: 'public', ownCredentials: true } }, schema: { hide: true } }, async (req, reply) => {
    const header = req.headers.authorization ?? '';
    const given = header.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : '';
    if (!token) throw new AppError('NOT_FOUND', 'Metrics are off: set METRICS_TOKEN to turn them on');
    // Compared as digests: constant time whatever the lengths.
    const digest = (v: string) => createHash('sha256').update(v).digest();
    if (!given || !timingSafeEqual(digest(given), digest(token))) throw new AppError('UNAUTHENTICATED', 'Send Authorization: Bearer <METRICS_TOKEN>');
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics.render());
  });
}
