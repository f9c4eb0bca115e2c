import { performance } from 'node:perf_hooks';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { rowsOf, type Tx } from '../../db/client.js';
import type { Actor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { randomToken, sha256 } from '../../platform/crypto.js';
import { AppError, foreignKeyColumn, uniquelyNamed } from '../../platform/errors.js';
import { defineJob, enqueue } from '../../platform/jobs.js';
import { patchOf } from '../../platform/validation.js';
import type { ComponentsService } from '../incidents/components.service.js';
import type { IncidentQueries } from '../incidents/incidents.queries.js';
import type { IncidentsService } from '../incidents/incidents.service.js';
import type { OncallService } from '../oncall/oncall.service.js';
import type { PeopleService } from '../people/people.service.js';
import { isUuid } from '../tickets/tickets.queries.js';
import { EgressRefused, EgressUnresolved, type WebhooksService } from '../webhooks/webhooks.service.js';
import { componentPaging, MONITOR_KINDS, monitorAlerts, monitorResults, monitors } from './monitors.schema.js';

export type Monitor = typeof monitors.$inferSelect;
export type MonitorResult = typeof monitorResults.$inferSelect;
export type MonitorAlert = typeof monitorAlerts.$inferSelect;

/** Results kept per monitor (the screen's chart and list); older ones are deleted as new ones come. */
export const RESULTS_KEPT = 100;
/** How much of an answer's body a keyword check reads. */
export const BODY_READ_BYTES = 64 * 1024;
const MIN_INTERVAL_S = 30;
/** Due checks claimed per schedule run (each becomes a job). */
const CLAIM_BATCH = 200;

const Base = z.object({
  name: z.string().trim().min(1).max(200),
  componentId: z.uuid(),
  // An http(s) URL for an HTTP check; none for a heartbeat.
  url: z.string().trim().max(2000).nullable().default(null),
  method: z.enum(['GET', 'HEAD']).default('GET'),
  intervalSeconds: z.number().int().min(MIN_INTERVAL_S).max(86_400).default(60),
  timeoutSeconds: z.number().int().min(1).max(60).default(10),
  expectedStatusMin: z.number().int().min(100).max(599).default(200),
  expectedStatusMax: z.number().int().min(100).max(599).default(299),
  // Checked in the first BODY_READ_BYTES of a GET's answer.
  keyword: z.string().max(200).nullable().default(null),
  graceSeconds: z.number().int().min(0).max(86_400).default(60),
  failureThreshold: z.number().int().min(1).max(20).default(3),
  // The severity of the incident an alert declares (a key of GET /api/v1/incident-settings' severities); null: the top one.
  severity: z.string().trim().min(1).max(20).nullable().default(null),
  paused: z.boolean().default(false),
});
export const MonitorBody = Base.extend({ kind: z.enum(MONITOR_KINDS).default('http') });
export const UpdateMonitorBody = patchOf(Base);
export const PagingBody = z.object({ policyId: z.uuid().nullable() });

/** Run one HTTP check (claimed by the schedule for the slot `due`). */
export const MONITOR_CHECK = defineJob({ kind: 'monitors.check', payload: z.object({ monitorId: z.uuid(), due: z.string() }) });
/** An alert opened: declare its draft incident and page the component's policy (once, in one transaction). */
export const MONITOR_ALERT = defineJob({ kind: 'monitors.alert', payload: z.object({ alertId: z.uuid() }) });
/** An alert's monitor recovered: say so on the incident's timeline. */
export const MONITOR_RECOVERED = defineJob({ kind: 'monitors.recovered', payload: z.object({ alertId: z.uuid() }) });

type Outcome = { ok: boolean; latencyMs: number | null; statusCode: number | null; error: string | null };

/** A heartbeat's secret URL path; the token is shown once, when made. */
const TOKEN = /^hb_[A-Za-z0-9_-]{32}$/;

/**
 * Monitors: HTTP checks of a component's URL and heartbeats a job must ping. Checks only go where an admin
 * configured, and only to public addresses (the webhooks' Egress: checked when saved and again, after DNS, at
 * every check, connecting to the checked address; redirects are not followed). N consecutive failures open an
 * alert, which declares a draft incident (no status update: not on the status page until someone posts one) and
 * pages the component's escalation policy, once; the first success after closes the alert and says so on the
 * incident's timeline.
 */
export class MonitorsService {
  constructor(
    private readonly ctx: Ctx,
    private readonly needs: {
      webhooks: WebhooksService;
      incidents: IncidentsService;
      incidentQueries: IncidentQueries;
      statusComponents: ComponentsService;
      oncall: OncallService;
      people: PeopleService;
    },
  ) {}

  // ---- admin

  list(): Promise<Monitor[]> {
    return this.ctx.db.select().from(monitors).orderBy(monitors.name);
  }

  async get(id: string, ex: Tx | Ctx['db'] = this.ctx.db): Promise<Monitor> {
    const [row] = isUuid(id) ? await ex.select().from(monitors).where(eq(monitors.id, id)) : [];
    if (!row) throw new AppError('MONITOR_NOT_FOUND', `No monitor with id ${id}`);
    return row;
  }

  /** The last results, newest first. */
  results(id: string, limit = RESULTS_KEPT): Promise<MonitorResult[]> {
    return this.ctx.db.select().from(monitorResults).where(eq(monitorResults.monitorId, id)).orderBy(desc(monitorResults.id)).limit(limit);
  }

  /** The open alert, else the latest, with its incident's number and state now. */
  async alert(id: string) {
    const [row] = await this.ctx.db.select().from(monitorAlerts).where(eq(monitorAlerts.monitorId, id)).orderBy(desc(monitorAlerts.openedAt)).limit(1);
    if (!row) return null;
    const incident = row.incidentId ? await this.needs.incidentQueries.get(row.incidentId).catch(() => null) : null;
    return { ...row, incident: incident ? { id: incident.id, number: incident.number, state: incident.state, title: incident.title } : null };
  }

  async create(actor: Actor, input: z.infer<typeof MonitorBody>): Promise<{ monitor: Monitor; heartbeatToken: string | null }> {
    await this.check(input.kind, input);
    const now = this.ctx.clock.now();
    const token = input.kind === 'heartbeat' ? `hb_${randomToken(24)}` : null;
    const firstDue = input.kind === 'heartbeat' ? new Date(now.getTime() + (input.intervalSeconds + input.graceSeconds) * 1000) : now;
    const row = await this.saving(() =>
      this.ctx.db
        .insert(monitors)
        .values({ ...input, url: input.kind === 'heartbeat' ? null : input.url, tokenHash: token ? sha256(token) : null, nextCheckAt: firstDue, createdById: actor.userId, createdAt: now, updatedAt: now })
        .returning(),
    );
    return { monitor: row, heartbeatToken: token };
  }

  async update(id: string, patch: z.infer<typeof UpdateMonitorBody>): Promise<Monitor> {
    const current = await this.get(id);
    const merged = { ...current, ...patch };
    // Only what changed is checked again: an unchanged URL is not resolved anew on a rename.
    await this.check(current.kind, merged, patch.url !== undefined || patch.method !== undefined || patch.keyword !== undefined);
    const now = this.ctx.clock.now();
    const resumed = patch.paused === false && current.paused;
    const row = await this.saving(() =>
      this.ctx.db
        .update(monitors)
        .set({
          ...patch,
          updatedAt: now,
          // Resumed: an HTTP check is due now; a heartbeat gets a whole interval to be pinged again.
          ...(resumed ? { nextCheckAt: current.kind === 'http' ? now : new Date(now.getTime() + (merged.intervalSeconds + merged.graceSeconds) * 1000), consecutiveFailures: 0 } : {}),
          ...(patch.paused === true ? { status: 'pending' as const } : {}),
        })
        .where(eq(monitors.id, id))
        .returning(),
    );
    return row;
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.ctx.db.delete(monitors).where(eq(monitors.id, id));
  }

  /** A heartbeat's new secret URL; the old one stops working at once. */
  async rotateToken(id: string): Promise<string> {
    const m = await this.get(id);
    if (m.kind !== 'heartbeat') throw new AppError('INVALID_FIELD_VALUE', `${m.name} is an HTTP check; only heartbeats have a URL to ping`);
    const token = `hb_${randomToken(24)}`;
    await this.ctx.db.update(monitors).set({ tokenHash: sha256(token), updatedAt: this.ctx.clock.now() }).where(eq(monitors.id, id));
    return token;
  }

  heartbeatUrl(token: string): string {
    return `${this.ctx.config.publicUrl}/api/v1/heartbeats/${token}`;
  }

  async paging(): Promise<{ componentId: string; policyId: string }[]> {
    return this.ctx.db.select({ componentId: componentPaging.componentId, policyId: componentPaging.policyId }).from(componentPaging);
  }

  /** Sets (or clears) the escalation policy a component's monitors page. */
  async setPaging(componentId: string, policyId: string | null): Promise<void> {
    if (!isUuid(componentId) || !(await this.needs.statusComponents.list()).some((c) => c.id === componentId)) throw new AppError('NOT_FOUND', `No component with id ${componentId}`);
    if (policyId === null) {
      await this.ctx.db.delete(componentPaging).where(eq(componentPaging.componentId, componentId));
      return;
    }
    if (!(await this.needs.oncall.policyExists(policyId))) throw new AppError('INVALID_REFERENCE', 'No such escalation policy', { fields: [{ path: 'body.policyId', message: 'no such escalation policy' }] });
    const now = this.ctx.clock.now();
    await this.ctx.db.insert(componentPaging).values({ componentId, policyId, updatedAt: now }).onConflictDoUpdate({ target: componentPaging.componentId, set: { policyId, updatedAt: now } });
  }

  /** Everything a monitor's settings must be, each refusal naming its field; nothing is saved on one. */
  private async check(kind: Monitor['kind'], m: z.infer<typeof UpdateMonitorBody>, urlChanged = true): Promise<void> {
    const bad = (path: string, message: string): never => {
      throw new AppError('INVALID_FIELD_VALUE', message, { fields: [{ path: `body.${path}`, message }] });
    };
    if (m.severity) {
      const severities = await this.needs.incidents.severities();
      if (!severities.some((s) => s.key === m.severity)) {
        throw new AppError('INVALID_REFERENCE', `Severity ${m.severity} is not an incident severity (${severities.map((s) => s.key).join(', ')})`, {
          fields: [{ path: 'body.severity', message: `not one of ${severities.map((s) => s.key).join(', ')}` }],
        });
      }
    }
    if (m.componentId !== undefined && !(await this.needs.statusComponents.list()).some((c) => c.id === m.componentId)) {
      throw new AppError('INVALID_REFERENCE', `No component with id ${m.componentId}`, { fields: [{ path: 'body.componentId', message: 'no such component' }] });
    }
    if ((m.expectedStatusMin ?? 200) > (m.expectedStatusMax ?? 299)) bad('expectedStatusMax', 'the highest expected status is below the lowest');
    if ((m.timeoutSeconds ?? 10) >= (m.intervalSeconds ?? 60)) bad('timeoutSeconds', 'the timeout must be shorter than the interval');
    if (kind === 'heartbeat') {
      if (m.url) bad('url', 'a heartbeat has no URL to check: it is pinged at its own');
      return;
    }
    if (m.keyword && m.method === 'HEAD') bad('keyword', 'a HEAD check reads no body to find a keyword in; use GET');
    if (!m.url) return bad('url', 'an HTTP check needs a URL');
    if (!urlChanged) return;
    try {
      await this.needs.webhooks.egress.check(m.url);
    } catch (err) {
      if (!(err instanceof EgressRefused || err instanceof EgressUnresolved)) throw err;
      const reason = err instanceof EgressRefused ? `${err.reason}; monitors check only public addresses unless WEBHOOK_ALLOW_PRIVATE allows the range` : err.message;
      bad('url', reason);
    }
  }

  private async saving(run: () => Promise<Monitor[]>): Promise<Monitor> {
    try {
      const [row] = await uniquelyNamed('A monitor of that name', run);
      return row as Monitor;
    } catch (err) {
      if (foreignKeyColumn(err) === 'component_id') throw new AppError('INVALID_REFERENCE', 'No such component', { fields: [{ path: 'body.componentId', message: 'no such component' }] });
      throw err;
    }
  }

  // ---- the schedule: claim due checks, notice late heartbeats

  /**
   * Claims every due HTTP check by moving its `next_check_at` one interval past now and enqueues its job keyed by
   * monitor and slot, in one transaction; rows another process is claiming are skipped (SKIP LOCKED), so no check
   * runs twice for one slot. Heartbeats past their deadline record a missed ping the same way.
   */
  async sweep(): Promise<{ checks: number; missed: number }> {
    const now = this.ctx.clock.now();
    return this.ctx.db.transaction(async (tx) => {
      const due = rowsOf<{ id: string; kind: string; due: Date | string }>(
        await tx.execute(sql`
          with due as (
            select id, next_check_at from ${monitors}
            where not paused and next_check_at <= ${now.toISOString()}::timestamptz
            order by next_check_at limit ${CLAIM_BATCH} for update skip locked)
          update ${monitors} m set next_check_at = ${now.toISOString()}::timestamptz + make_interval(secs => m.interval_seconds)
          from due where m.id = due.id
          returning m.id, m.kind, due.next_check_at as due`),
      );
      let missed = 0;
      for (const d of due) {
        const slot = new Date(d.due).toISOString();
        if (d.kind === 'http') {
          await enqueue(tx, this.ctx.clock, MONITOR_CHECK, { monitorId: d.id, due: slot }, { key: `monitor-check:${d.id}:${slot}`, maxAttempts: 1 });
        } else {
          missed++;
          const m = await this.get(d.id, tx);
          const since = m.lastPingAt ? `since ${m.lastPingAt.toISOString()}` : 'yet';
          await this.record(tx, d.id, { ok: false, latencyMs: null, statusCode: null, error: `no ping ${since} (every ${m.intervalSeconds} s + ${m.graceSeconds} s grace)` });
        }
      }
      return { checks: due.length - missed, missed };
    });
  }

  /** The job: one HTTP check, its outcome recorded (a paused, changed or deleted monitor is skipped). */
  async runCheck(p: z.infer<typeof MONITOR_CHECK.payload>): Promise<void> {
    const m = await this.get(p.monitorId).catch(() => null);
    if (!m || m.paused || m.kind !== 'http' || !m.url) return;
    const outcome = await this.probe(m);
    await this.ctx.db.transaction((tx) => this.record(tx, m.id, outcome));
  }

  /** Calls the monitor's URL (checked again now, connecting to the checked address) and judges the answer. */
  async probe(m: Pick<Monitor, 'url' | 'method' | 'timeoutSeconds' | 'expectedStatusMin' | 'expectedStatusMax' | 'keyword'>): Promise<Outcome> {
    const egress = this.needs.webhooks.egress;
    let target: Awaited<ReturnType<typeof egress.check>>;
    try {
      target = await egress.check(m.url ?? '');
    } catch (err) {
      if (!(err instanceof EgressRefused || err instanceof EgressUnresolved)) throw err;
      const reason = err instanceof EgressRefused ? `refused: ${err.reason}` : err.message;
      return { ok: false, latencyMs: null, statusCode: null, error: reason };
    }
    const started = performance.now();
    try {
      const res = await egress.fetch(target, m.method, m.timeoutSeconds * 1000, m.keyword ? BODY_READ_BYTES : 0);
      const latencyMs = Math.round(performance.now() - started);
      if (res.status < m.expectedStatusMin || res.status > m.expectedStatusMax) {
        const redirect = res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : '';
        return { ok: false, latencyMs, statusCode: res.status, error: `HTTP ${res.status}, expected ${m.expectedStatusMin}–${m.expectedStatusMax}${redirect}` };
      }
      if (m.keyword && !res.body.toString('utf8').includes(m.keyword)) {
        return { ok: false, latencyMs, statusCode: res.status, error: `"${m.keyword}" is not in the first ${BODY_READ_BYTES / 1024} KB of the answer` };
      }
      return { ok: true, latencyMs, statusCode: res.status, error: null };
    } catch (err) {
      const latencyMs = Math.round(performance.now() - started);
      const e = err as NodeJS.ErrnoException;
      const error = e.name === 'TimeoutError' ? `no answer within ${m.timeoutSeconds} s` : e.code ? `connection failed: ${e.code}` : `failed: ${e.message}`;
      return { ok: false, latencyMs, statusCode: null, error };
    }
  }

  /** A heartbeat's ping: a success now, and its next deadline one interval (+ grace) away. */
  async ping(token: string): Promise<{ ok: true; nextDeadline: string }> {
    if (!TOKEN.test(token)) throw new AppError('HEARTBEAT_NOT_FOUND', 'No heartbeat has this URL');
    const hash = sha256(token);
    return this.ctx.db.transaction(async (tx) => {
      const [m] = await tx.select().from(monitors).where(eq(monitors.tokenHash, hash)).for('update');
      if (!m) throw new AppError('HEARTBEAT_NOT_FOUND', 'No heartbeat has this URL');
      if (m.paused) throw new AppError('MONITOR_PAUSED', `${m.name} is paused; resume it to record pings`);
      const now = this.ctx.clock.now();
      const next = new Date(now.getTime() + (m.intervalSeconds + m.graceSeconds) * 1000);
      await tx.update(monitors).set({ lastPingAt: now, nextCheckAt: next }).where(eq(monitors.id, m.id));
      await this.record(tx, m.id, { ok: true, latencyMs: null, statusCode: null, error: null });
      return { ok: true as const, nextDeadline: next.toISOString() };
    });
  }

  /**
   * Records one outcome under the monitor's row lock: the result (the oldest beyond RESULTS_KEPT go), the count
   * of failures in a row, and the alert's edges — reaching the threshold opens one (its job declares and pages),
   * a success closes the open one (its job writes the timeline entry).
   */
  async record(tx: Tx, monitorId: string, o: Outcome): Promise<void> {
    const [m] = await tx.select().from(monitors).where(eq(monitors.id, monitorId)).for('update');
    if (!m) return;
    const now = this.ctx.clock.now();
    await tx.insert(monitorResults).values({ monitorId, at: now, ...o });
    await tx.execute(sql`
      delete from ${monitorResults} where monitor_id = ${monitorId}
      and id < (select id from ${monitorResults} where monitor_id = ${monitorId} order by id desc offset ${RESULTS_KEPT - 1} limit 1)`);
    const failures = o.ok ? 0 : m.consecutiveFailures + 1;
    const [open] = await tx.select().from(monitorAlerts).where(and(eq(monitorAlerts.monitorId, monitorId), isNull(monitorAlerts.recoveredAt)));
    let status = m.status;
    if (o.ok) {
      status = 'up';
      if (open) {
        await tx.update(monitorAlerts).set({ recoveredAt: now }).where(eq(monitorAlerts.id, open.id));
        await enqueue(tx, this.ctx.clock, MONITOR_RECOVERED, { alertId: open.id }, { key: `monitor-recovered:${open.id}` });
      }
    } else if (failures >= m.failureThreshold) {
      status = 'down';
      if (!open) {
        const [alert] = await tx.insert(monitorAlerts).values({ monitorId, openedAt: now, lastError: o.error }).returning();
        await enqueue(tx, this.ctx.clock, MONITOR_ALERT, { alertId: (alert as MonitorAlert).id }, { key: `monitor-alert:${(alert as MonitorAlert).id}` });
      }
    }
    await tx.update(monitors).set({ consecutiveFailures: failures, status, lastCheckedAt: now }).where(eq(monitors.id, monitorId));
  }

  // ---- alerts: the draft incident, the page, the recovery

  /**
   * The alert job: declares the draft incident on the component and, in the declaring transaction, ties it to the
   * alert and pages the component's policy — so a retry or a second worker finds the alert taken and does nothing.
   */
  async openAlert(p: z.infer<typeof MONITOR_ALERT.payload>): Promise<void> {
    const [alert] = await this.ctx.db.select().from(monitorAlerts).where(eq(monitorAlerts.id, p.alertId));
    if (!alert || alert.incidentId) return;
    const m = await this.get(alert.monitorId).catch(() => null);
    if (!m) return;
    const actor = await this.actorFor(m);
    if (!actor) return;
    const severities = await this.needs.incidents.severities();
    // The monitor's own severity; unset, or no longer a severity (the priority scheme changed since): the top one.
    const severity = severities.find((s) => s.key === m.severity) ?? severities[0];
    const [paging] = await this.ctx.db.select().from(componentPaging).where(eq(componentPaging.componentId, m.componentId));
    const failures = `${m.failureThreshold} check${m.failureThreshold === 1 ? '' : 's'} in a row`;
    const incident = await this.needs.incidents
      .declare(
        actor,
        {
          title: `Monitor ${m.name} is failing`,
          severity: severity?.key ?? '',
          components: [{ id: m.componentId, status: 'major_outage' }],
          roles: {},
          impact: `Monitor ${m.name} failed ${failures}: ${alert.lastError ?? 'unknown error'}. Draft: nothing is on the status page until someone posts an update.`,
        },
        async (tx, inc) => {
          const [taken] = await tx.select().from(monitorAlerts).where(eq(monitorAlerts.id, alert.id)).for('update');
          if (!taken || taken.incidentId) throw new AlertTaken();
          let pageId: string | null = null;
          const { incidentPolicyId } = await this.needs.oncall.settings.get(tx);
          // The incident hook already paged the incidents' policy; the same policy is not paged twice.
          if (paging && paging.policyId !== incidentPolicyId) {
            const page = await this.needs.oncall.pages.create(tx, {
              policyId: paging.policyId,
              source: 'incident',
              incidentId: inc.id,
              dedupeKey: `monitor-alert:${alert.id}`,
              title: `Monitor ${m.name} is failing (incident #${inc.number})`,
              body: `${alert.lastError ?? ''}\n${this.ctx.config.publicUrl}/incidents/${inc.number}`,
            });
            pageId = page?.id ?? null;
          }
          await tx.update(monitorAlerts).set({ incidentId: inc.id, incidentNumber: inc.number, pageId }).where(eq(monitorAlerts.id, alert.id));
          // Recovered before the incident existed (a short outage): the recovery job runs after this commits.
          if (taken.recoveredAt) await enqueue(tx, this.ctx.clock, MONITOR_RECOVERED, { alertId: alert.id }, { key: `monitor-recovered-late:${alert.id}` });
        },
      )
      .catch((err: unknown) => {
        if (err instanceof AlertTaken) return null;
        throw err;
      });
    void incident;
  }

  /** The recovery job: one timeline entry on the alert's incident (at most once: the alert is marked first). */
  async noteRecovery(p: z.infer<typeof MONITOR_RECOVERED.payload>): Promise<void> {
    const now = this.ctx.clock.now();
    const [alert] = await this.ctx.db
      .update(monitorAlerts)
      .set({ recoveryNotedAt: now })
      .where(and(eq(monitorAlerts.id, p.alertId), isNull(monitorAlerts.recoveryNotedAt), sql`${monitorAlerts.incidentId} is not null and ${monitorAlerts.recoveredAt} is not null`))
      .returning();
    if (!alert?.incidentId || !alert.recoveredAt) return;
    const m = await this.get(alert.monitorId).catch(() => null);
    const actor = m ? await this.actorFor(m) : null;
    if (!m || !actor) return;
    const down = Math.round((alert.recoveredAt.getTime() - alert.openedAt.getTime()) / 1000);
    await this.needs.incidents
      .addEntry(actor, alert.incidentId, { kind: 'action', body: `Monitor ${m.name} recovered at ${alert.recoveredAt.toISOString()} after ${down} s failing. Resolve the incident if the service is back.`, pinned: false })
      .catch((err: unknown) => {
        // A closed incident takes no entries; the recovery is still on the monitor.
        if (!(err instanceof AppError && err.code === 'INCIDENT_CLOSED')) throw err;
      });
  }

  /** Who declares a monitor's incident: the admin who made the monitor, else any active admin. */
  private async actorFor(m: Monitor): Promise<Actor | null> {
    const maker = m.createdById ? await this.needs.people.getUser(m.createdById).catch(() => null) : null;
    if (maker?.active && (maker.role === 'admin' || maker.role === 'agent')) return this.needs.people.actorFor(maker);
    const [admin] = (await this.needs.people.listUsers({ role: 'admin', limit: 50, offset: 0 })).filter((u) => u.active);
    return admin ? this.needs.people.actorFor(admin) : null;
  }
}

/** Another run of the alert job got there first: roll the declaration back. */
class AlertTaken extends Error {}
