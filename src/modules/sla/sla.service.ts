import { asc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Executor, rowsOf, type Tx } from '../../db/client.js';
import type { Ctx } from '../../platform/context.js';
import { CachedCrud, refuseProblems } from '../../platform/crud.js';
import { patchOf } from '../../platform/validation.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import { type Condition, ConditionSchema, checkCondition, customFieldKinds, evaluate, toFacts } from '../rules/conditions.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import { appendEvents, type EventSubscriber, type NewEvent, SLA_EVENT_KINDS, TICKET_EVENT_KINDS, type TicketEvent, type TicketEventStream } from '../tickets/events.js';
import { TICKET_COLUMNS } from '../tickets/rule-columns.queries.js';
import { hasPublicAgentReply, messageDirection, ticketsByIds } from '../tickets/sla-clocks.queries.js';
import type { TicketRow } from '../tickets/tickets.queries.js';
import { addBusinessMinutes, businessMinutesBetween, type CalendarSpec } from './business-time.js';
import { type CalendarsService, spec } from './calendars.service.js';
import { SLA_METRICS, type SlaMetric, type SlaPauses, slaClocks, slaPolicies } from './sla.schema.js';

export type SlaPolicy = typeof slaPolicies.$inferSelect;
export type SlaClock = typeof slaClocks.$inferSelect;
/** A ticket's business clock: its calendar (null: none, 24/7) and business seconds between two instants. */
export type BusinessClock = { calendarId: string | null; seconds: (from: Date, to: Date) => number };
/** Calendar seconds: the business clock of a ticket no SLA policy applies to. */
export const ALWAYS_OPEN: BusinessClock = { calendarId: null, seconds: (from, to) => Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000)) };

/** The clocks a ticket's creation starts (when its policy has a target for them); next response starts later. */
const STARTED_AT_CREATION: readonly SlaMetric[] = ['first_response', 'resolution', 'periodic_update'];

const Minutes = z.number().int().min(1).max(10_000_000);
const Metrics = z.array(z.enum(SLA_METRICS)).max(4);

export const PolicyBody = z.object({
  name: z.string().trim().min(1).max(200),
  position: z.number().int().min(0).max(10_000).default(0),
  active: z.boolean().default(true),
  condition: ConditionSchema.default({ all: [] }),
  calendarId: z.uuid(),
  targets: z.record(
    z.string().min(1).max(20),
    z.object({ first_response: Minutes, next_response: Minutes, periodic_update: Minutes, resolution: Minutes }).partial().strict(),
  ),
  pauses: z
    .object({ new: Metrics, open: Metrics, pending: Metrics, on_hold: Metrics, solved: Metrics })
    .partial()
    .strict()
    // The defaults: pending (waiting on the requester) pauses everything; on-hold (waiting on a third party)
    // pauses the clocks the requester sees, not resolution.
    .default({ pending: [...SLA_METRICS], on_hold: ['first_response', 'next_response', 'periodic_update'] }),
  warnPercent: z.number().int().min(1).max(99).default(75),
});
export const UpdatePolicyBody = patchOf(PolicyBody);

/**
 * SLA policies and the clocks they put on tickets. Clocks change inside each ticket command's transaction
 * (`listener`); breaches and warnings are stamped by `sweep`, one statement that is safe to run from every
 * process at once: each row is stamped by whichever gets it first, so each breach is recorded once.
 */
export class SlaService {
  private readonly policies: CachedCrud<SlaPolicy, z.infer<typeof PolicyBody>>;

  constructor(
    private readonly ctx: Ctx,
    private readonly calendars: CalendarsService,
    private readonly settings: TicketSettingsService,
    private readonly fields: CustomFieldsService,
    private readonly events: TicketEventStream,
  ) {
    this.policies = new CachedCrud(ctx, {
      table: slaPolicies,
      id: slaPolicies.id,
      order: [asc(slaPolicies.position), asc(slaPolicies.createdAt)],
      cache: 'sla_policies',
      noun: 'SLA policy',
      named: 'An SLA policy named',
      check: (p) => this.checkPolicy(p),
    });
  }

  // ---- policies

  listPolicies(ex?: Executor): Promise<SlaPolicy[]> {
    return this.policies.list(ex);
  }

  getPolicy(id: string): Promise<SlaPolicy> {
    return this.policies.get(id);
  }

  createPolicy(input: z.infer<typeof PolicyBody>): Promise<SlaPolicy> {
    return this.policies.create(input);
  }

  updatePolicy(id: string, patch: z.infer<typeof UpdatePolicyBody>): Promise<SlaPolicy> {
    return this.policies.update(id, patch);
  }

  removePolicy(id: string): Promise<void> {
    return this.policies.remove(id);
  }

  private async checkPolicy(p: { condition: Condition; calendarId: string; targets: SlaPolicy['targets'] }): Promise<void> {
    const problems = checkCondition(p.condition, customFieldKinds(await this.fields.list('ticket')), 'body.condition');
    const priorities = await this.settings.allPriorities();
    for (const key of Object.keys(p.targets)) {
      if (!priorities.some((x) => x.key === key)) problems.push({ path: `body.targets.${key}`, message: `no priority ${key}` });
    }
    if (!(await this.calendars.list()).some((c) => c.id === p.calendarId)) problems.push({ path: 'body.calendarId', message: 'no such calendar' });
    refuseProblems('INVALID_POLICY', 'The SLA policy', problems);
  }

  // ---- clocks, kept in step with each ticket command

  /** The in-transaction step that keeps the clocks: first of the stream's steps, for every event but its own. */
  listener(): EventSubscriber {
    return {
      name: 'sla.clocks',
      mode: 'step',
      order: 10,
      kinds: TICKET_EVENT_KINDS.filter((k) => !SLA_EVENT_KINDS.includes(k)),
      run: (tx, events, ticket) => this.onEvents(tx, events, ticket),
    };
  }

  private async onEvents(tx: Tx, events: TicketEvent[], ticket: TicketRow): Promise<void> {
    // With no active policy there is nothing to keep (and no query on the hot path of installs without SLAs).
    const policies = (await this.policies.list(tx)).filter((p) => p.active);
    if (policies.length === 0) return;
    const existing = await tx.select().from(slaClocks).where(eq(slaClocks.ticketId, ticket.id));
    const now = this.ctx.clock.now();
    const { priority, policy } = await this.policyFor(ticket, policies, now, tx);
    const calendar = policy ? spec(await this.calendars.get(policy.calendarId, tx)) : undefined;
    const targets = policy && priority ? (policy.targets[priority.key] ?? {}) : {};
    const clocks = new Map(existing.map((c) => [c.metric, { ...c }]));
    // Which clocks stand still: the ticket's state says whether (its pausesSla, an admin's setting), the policy says
    // which (its pauses for the state's category; every clock when it names none for that category).
    const state = await this.settings.getState(ticket.status, tx);
    const categoryPauses = policy ? (policy.pauses as SlaPauses)[ticket.statusCategory as keyof SlaPauses] : undefined;
    const paused = new Set<SlaMetric>(policy && (state?.pausesSla ?? categoryPauses !== undefined) ? (categoryPauses ?? SLA_METRICS) : []);
    const closedOut = ticket.statusCategory === 'solved' || ticket.statusCategory === 'closed' || ticket.statusCategory === 'merged';

    // Settle what has elapsed on running clocks up to now, before anything stops, pauses or retargets them.
    if (calendar) {
      for (const c of clocks.values()) {
        if (c.status !== 'running' || !c.runningSince) continue;
        c.elapsedMinutes += businessMinutesBetween(calendar, c.runningSince, now);
        c.runningSince = now;
      }
    }

    const start = (metric: SlaMetric) => {
      const target = targets[metric];
      if (!target || !policy) return;
      const previous = clocks.get(metric);
      if (previous) noteBreach(previous);
      clocks.set(metric, {
        ticketId: ticket.id,
        metric,
        policyId: policy.id,
        status: 'running',
        targetMinutes: target,
        startedAt: now,
        runningSince: now,
        elapsedMinutes: 0,
        dueAt: null,
        warnAt: null,
        achievedAt: null,
        warnedAt: null,
        breachedAt: null,
      });
    };
    // Targets met by this change, recorded as `sla_met` events below (elapsed is settled to now above). A clock
    // past its deadline was breached, whether or not the sweep has stamped it yet: it is never also met.
    const met: NewEvent[] = [];
    const noteMet = (c: SlaClock) => {
      if (c.status !== 'running' && c.status !== 'paused') return;
      const elapsed = Math.round(c.elapsedMinutes);
      if (c.breachedAt || c.elapsedMinutes >= c.targetMinutes || (c.dueAt && c.dueAt <= now)) return;
      met.push({
        kind: 'sla_met',
        field: c.metric,
        public: false,
        to: { metric: c.metric, at: now.toISOString(), targetMinutes: c.targetMinutes, dueAt: c.dueAt?.toISOString() ?? null, elapsedMinutes: elapsed, policyId: c.policyId },
      });
    };
    // A live clock that stops, pauses or restarts past its deadline before the sweep has stamped it was still
    // breached: recorded here, with the change, as the sweep would have (the sweep reads only running clocks, so
    // it would never see it). Stamped on the clock, so neither a later sweep nor a reopen records it again.
    const breached: NewEvent[] = [];
    const noteBreach = (c: SlaClock) => {
      if (c.status !== 'running' && c.status !== 'paused') return;
      if (c.breachedAt || !(c.elapsedMinutes >= c.targetMinutes || (c.dueAt && c.dueAt <= now))) return;
      const at = c.dueAt && c.dueAt <= now ? c.dueAt : now;
      c.breachedAt = at;
      breached.push({
        kind: 'sla_breached',
        field: c.metric,
        public: false,
        // Elapsed is the target, as the sweep records it: the clock had run exactly that long at its deadline.
        to: { metric: c.metric, at: at.toISOString(), targetMinutes: c.targetMinutes, dueAt: c.dueAt?.toISOString() ?? null, elapsedMinutes: c.targetMinutes, policyId: c.policyId },
      });
    };
    const achieve = (metric: SlaMetric) => {
      const c = clocks.get(metric);
      if (!c || (c.status !== 'running' && c.status !== 'paused')) return;
      noteMet(c);
      noteBreach(c);
      Object.assign(c, { status: 'achieved', achievedAt: now, runningSince: null, dueAt: null, warnAt: null });
    };

    for (const e of events) {
      if (e.kind === 'created') {
        for (const metric of STARTED_AT_CREATION) start(metric);
      } else if (e.kind === 'message_added') {
        const to = e.toValue as { messageId?: string; public?: boolean } | null;
        if (!to?.messageId || !to.public) continue;
        const direction = await messageDirection(tx, to.messageId);
        if (direction === 'outbound') {
          // An agent's public reply answers the requester: first and next response are met, the update clock restarts.
          achieve('first_response');
          achieve('next_response');
          // The update clock is not achieved but restarted: the reply met the update that was due.
          const update = clocks.get('periodic_update');
          if (update) noteMet(update);
          if (!closedOut) start('periodic_update');
        } else if (direction === 'inbound' && !events.some((x) => x.kind === 'created')) {
          const first = clocks.get('first_response');
          if (first && first.status !== 'achieved') continue;
          if (clocks.get('next_response')?.status !== 'running') start('next_response');
        }
      }
    }
    // A policy or priority that now sets a target the ticket had no clock for starts that clock, counted from
    // the ticket's creation (first response only while no agent has answered publicly).
    if (!closedOut && policy && !events.some((e) => e.kind === 'created')) {
      const ensure = (metric: SlaMetric, since: Date) => {
        if (clocks.has(metric) || !targets[metric]) return;
        start(metric);
        Object.assign(clocks.get(metric) as object, { startedAt: since, runningSince: since });
      };
      ensure('resolution', ticket.createdAt);
      ensure('periodic_update', now);
      if (!clocks.has('first_response') && targets.first_response) {
        if (!(await hasPublicAgentReply(tx, ticket.id))) ensure('first_response', ticket.createdAt);
      }
    }
    if (closedOut) {
      achieve('resolution');
      for (const c of clocks.values()) {
        if (c.status !== 'running' && c.status !== 'paused') continue;
        noteBreach(c);
        Object.assign(c, { status: 'stopped', runningSince: null, dueAt: null, warnAt: null });
      }
    } else if (events.some((e) => e.kind === 'field_changed' && e.field === 'status' && ['solved', 'closed'].includes(String(e.fromValue)))) {
      // Reopened: resolution runs again from where it stopped.
      const r = clocks.get('resolution');
      if (r && r.status === 'achieved') Object.assign(r, { status: 'paused', achievedAt: null });
    }

    // Pause, resume and retarget every live clock for the ticket's state and current policy.
    for (const c of clocks.values()) {
      if (c.status !== 'running' && c.status !== 'paused') continue;
      if (!calendar || !policy) {
        noteBreach(c);
        Object.assign(c, { status: 'stopped', runningSince: null, dueAt: null, warnAt: null });
        continue;
      }
      const target = targets[c.metric];
      if (!target) {
        noteBreach(c);
        Object.assign(c, { status: 'stopped', runningSince: null, dueAt: null, warnAt: null });
        continue;
      }
      if (c.status === 'running' && c.runningSince) {
        c.elapsedMinutes += businessMinutesBetween(calendar, c.runningSince, now);
        c.runningSince = now;
      }
      // Pausing past the deadline (on the target that was running) is a breach too.
      if (c.status === 'running' && paused.has(c.metric)) noteBreach(c);
      c.policyId = policy.id;
      c.targetMinutes = target;
      if (paused.has(c.metric)) {
        Object.assign(c, { status: 'paused', runningSince: null, dueAt: null, warnAt: null });
      } else {
        c.status = 'running';
        c.runningSince = c.runningSince ?? now;
        schedule(c, calendar, policy.warnPercent);
      }
    }

    const rows = [...clocks.values()];
    if (rows.length === 0) return;
    if (met.length || breached.length) {
      // Written with the change that met or breached them, and handed to the stream's subscribers (triggers act on them).
      const written = await appendEvents(tx, { ticketId: ticket.id, version: ticket.version, actor: { type: 'system' }, at: now, events: [...breached, ...met] });
      await this.events.dispatch(tx, written, ticket);
    }
    await tx
      .insert(slaClocks)
      .values(rows)
      .onConflictDoUpdate({
        target: [slaClocks.ticketId, slaClocks.metric],
        set: {
          policyId: sql`excluded.policy_id`,
          status: sql`excluded.status`,
          targetMinutes: sql`excluded.target_minutes`,
          startedAt: sql`excluded.started_at`,
          runningSince: sql`excluded.running_since`,
          elapsedMinutes: sql`excluded.elapsed_minutes`,
          dueAt: sql`excluded.due_at`,
          warnAt: sql`excluded.warn_at`,
          achievedAt: sql`excluded.achieved_at`,
          warnedAt: sql`excluded.warned_at`,
          breachedAt: sql`excluded.breached_at`,
        },
      });
  }

  /** A ticket's clocks, as agents see them: target, due, remaining or overdue, achieved, breached. */
  async clocksOf(ticketId: string): Promise<(SlaClock & { remainingMinutes: number | null })[]> {
    const rows = await this.ctx.db.select().from(slaClocks).where(eq(slaClocks.ticketId, ticketId));
    const now = this.ctx.clock.now().getTime();
    return rows
      .sort((a, b) => SLA_METRICS.indexOf(a.metric) - SLA_METRICS.indexOf(b.metric))
      .map((c) => ({ ...c, remainingMinutes: c.dueAt ? Math.round((c.dueAt.getTime() - now) / 60_000) : null }));
  }

  /** The clocks of many tickets at once (a page of the ticket list shows each ticket's next deadline). */
  async clocksOfMany(ticketIds: string[]): Promise<(SlaClock & { remainingMinutes: number | null })[]> {
    if (!ticketIds.length) return [];
    const rows = await this.ctx.db.select().from(slaClocks).where(inArray(slaClocks.ticketId, ticketIds));
    const now = this.ctx.clock.now().getTime();
    return rows.map((c) => ({ ...c, remainingMinutes: c.dueAt ? Math.round((c.dueAt.getTime() - now) / 60_000) : null }));
  }

  /**
   * Business time for reports: each ticket's SLA calendar (the policy on its clocks) and the business seconds
   * between two instants on it. A ticket no policy applies to is counted on the clock (24/7, calendarId null).
   */
  async businessClocks(ticketIds: string[], ex: Executor = this.ctx.db): Promise<Map<string, BusinessClock>> {
    const out = new Map<string, BusinessClock>();
    if (!ticketIds.length) return out;
    // No policy, no calendar: every ticket is on the 24/7 clock without reading the clocks table.
    if (!(await this.policies.list(ex)).length) return out;
    const rows = await ex.selectDistinctOn([slaClocks.ticketId], { ticketId: slaClocks.ticketId, policyId: slaClocks.policyId }).from(slaClocks).where(inArray(slaClocks.ticketId, ticketIds));
    for (const r of rows) {
      const clock = await this.clockOfPolicy(r.policyId, ex);
      if (clock) out.set(r.ticketId, clock);
    }
    return out;
  }

  /** The first active policy whose condition the ticket meets (all reads cached). */
  private async policyFor(ticket: TicketRow, policies: SlaPolicy[], now: Date, ex: Executor) {
    const priority = (await this.settings.allPriorities(ex)).find((p) => p.id === ticket.priorityId);
    const kinds = customFieldKinds(await this.fields.list('ticket', ex));
    const facts = toFacts(ticket, priority?.key ?? '');
    return { priority, policy: policies.find((p) => evaluate(p.condition, facts, now, kinds)) };
  }

  /**
   * The business clock a ticket about to be created will run on, as the clocks' step will choose it: the policy
   * `policyFor` picks for the ticket (whose organisation must be the one it will be stored with: a condition may
   * name it), if that policy starts a clock at creation (a target for its priority among STARTED_AT_CREATION; a
   * policy with only a next response target starts none, and reports read a ticket without clocks as 24/7);
   * undefined: 24/7. For reports' row written in the creation statement, before the clocks exist.
   */
  async clockOfNewTicket(ticket: TicketRow, ex: Executor = this.ctx.db): Promise<BusinessClock | undefined> {
    const policies = (await this.policies.list(ex)).filter((p) => p.active);
    if (!policies.length) return undefined;
    const { priority, policy } = await this.policyFor(ticket, policies, this.ctx.clock.now(), ex);
    const targets = policy && priority ? (policy.targets[priority.key] ?? {}) : {};
    return policy && STARTED_AT_CREATION.some((m) => targets[m]) ? this.clockOfPolicy(policy.id, ex) : undefined;
  }

  /** Whether any SLA policy exists (cached): without one, every ticket is on the 24/7 clock. */
  async hasPolicies(ex: Executor = this.ctx.db): Promise<boolean> {
    return (await this.policies.list(ex)).length > 0;
  }

  /**
   * The business clock of a policy's calendar (undefined: no such policy, the ticket counts 24/7). Policies and
   * calendars are cached; the clock is kept per calendar object, so a changed calendar (a new cached object) gets a
   * new clock.
   */
  async clockOfPolicy(policyId: string | null, ex: Executor = this.ctx.db): Promise<BusinessClock | undefined> {
    if (!policyId) return undefined;
    const calendarId = (await this.policies.list(ex)).find((p) => p.id === policyId)?.calendarId;
    if (!calendarId) return undefined;
    const calendar = await this.calendars.get(calendarId, ex);
    let clock = this.clocksByCalendar.get(calendar);
    if (!clock) {
      const cal = spec(calendar);
      clock = { calendarId, seconds: (from, to) => Math.round(businessMinutesBetween(cal, from, to) * 60) };
      this.clocksByCalendar.set(calendar, clock);
    }
    return clock;
  }

  private readonly clocksByCalendar = new WeakMap<object, BusinessClock>();

  /** SQL over `tickets`: a running clock of the ticket is due within `minutes` (or already overdue). A
   *  semi-join from the running clocks' due-time index, so "breaching soon" reads only the clocks that are close
   *  (an EXISTS per ticket made Postgres walk a million tickets to find the few). */
  dueWithin(minutes: number): SQL {
    const edge = new Date(this.ctx.clock.now().getTime() + minutes * 60_000).toISOString();
    return sql`${TICKET_COLUMNS.id()} in (select c.ticket_id from ${slaClocks} c where c.status = 'running' and c.due_at < ${edge}::timestamptz)`;
  }

  /**
   * After a calendar changes, every live clock counted on it gets its deadline and warning time again (what had
   * elapsed stays; the rest is counted on the new hours). In pages, so a large install is not one huge statement.
   */
  async recomputeCalendar(calendarId: string, pageSize = 2000): Promise<number> {
    const calendar = spec(await this.calendars.get(calendarId));
    let done = 0;
    let after: { ticketId: string; metric: string } = { ticketId: '00000000-0000-0000-0000-000000000000', metric: '' };
    for (;;) {
      const page = rowsOf<{ ticket_id: string; metric: string; running_since: string | Date; elapsed_minutes: number; target_minutes: number; warned_at: string | Date | null; warn_percent: number }>(
        await this.ctx.db.execute(sql`
          select c.ticket_id, c.metric, c.running_since, c.elapsed_minutes, c.target_minutes, c.warned_at, p.warn_percent
          from ${slaClocks} c join ${slaPolicies} p on p.id = c.policy_id
          where p.calendar_id = ${calendarId} and c.status = 'running' and (c.ticket_id, c.metric) > (${after.ticketId}::uuid, ${after.metric})
          order by c.ticket_id, c.metric
          limit ${pageSize}`),
      );
      if (page.length === 0) return done;
      const updates = page.map((r) => {
        const c = {
          runningSince: new Date(r.running_since),
          elapsedMinutes: Number(r.elapsed_minutes),
          targetMinutes: r.target_minutes,
          warnedAt: r.warned_at ? new Date(r.warned_at) : null,
          dueAt: null as Date | null,
          warnAt: null as Date | null,
        };
        schedule(c, calendar, r.warn_percent);
        return { ticket_id: r.ticket_id, metric: r.metric, due_at: c.dueAt?.toISOString() ?? null, warn_at: c.warnAt?.toISOString() ?? null };
      });
      await this.ctx.db.execute(sql`
        update ${slaClocks} c set due_at = u.due_at, warn_at = u.warn_at
        from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as u(ticket_id uuid, metric text, due_at timestamptz, warn_at timestamptz)
        where c.ticket_id = u.ticket_id and c.metric = u.metric and c.status = 'running'`);
      done += page.length;
      const last = page[page.length - 1] as (typeof page)[number];
      after = { ticketId: last.ticket_id, metric: last.metric };
    }
  }

  // ---- the sweep

  /**
   * Stamps every running clock whose warning time or deadline has passed, and records a ticket event for each,
   * in one statement per kind. Only clocks that are due are read (partial indexes on warn_at and due_at).
   */
  async sweep(): Promise<{ warned: number; breached: number }> {
    const now = this.ctx.clock.now().toISOString();
    const warned = await this.stamp(now, { at: sql.raw('warn_at'), stamp: sql.raw('warned_at'), kind: 'sla_warning' });
    const breached = await this.stamp(now, { at: sql.raw('due_at'), stamp: sql.raw('breached_at'), kind: 'sla_breached' });
    return { warned, breached };
  }

  /**
   * Stamps the due clocks (each once: the update skips a stamped one, so concurrent sweeps cannot both take it),
   * then records one ordinary ticket event per stamp through the stream's writer — metric, target, deadline and
   * the business minutes elapsed — and hands them to the stream's subscribers (triggers act on breaches), all in
   * one transaction.
   */
  private async stamp(now: string, c: { at: SQL; stamp: SQL; kind: 'sla_warning' | 'sla_breached' }): Promise<number> {
    return this.ctx.db.transaction(async (tx) => {
      const stamped = rowsOf<{ ticket_id: string; metric: SlaMetric; at: string | Date; due_at: string | Date | null; target_minutes: number; policy_id: string | null; warn_percent: number | null }>(
        await tx.execute(sql`
          with s as (
            update ${slaClocks} set ${c.stamp} = ${c.at}
            where status = 'running' and ${c.stamp} is null and ${c.at} <= ${now}::timestamptz
            returning ticket_id, metric, ${c.at} as at, due_at, target_minutes, policy_id)
          select s.*, p.warn_percent from s left join ${slaPolicies} p on p.id = s.policy_id order by s.ticket_id, s.metric`),
      );
      if (stamped.length === 0) return 0;
      const ids = [...new Set(stamped.map((r) => r.ticket_id))];
      const rows = await ticketsByIds(tx, ids);
      const at = new Date(now);
      for (const ticket of rows) {
        const mine = stamped.filter((r) => r.ticket_id === ticket.id);
        const written: TicketEvent[] = await appendEvents(tx, {
          ticketId: ticket.id,
          version: ticket.version,
          actor: { type: 'system' },
          at,
          events: mine.map((r) => ({
            kind: c.kind,
            field: r.metric,
            public: false,
            to: {
              metric: r.metric,
              at: new Date(r.at).toISOString(),
              targetMinutes: r.target_minutes,
              dueAt: r.due_at ? new Date(r.due_at).toISOString() : null,
              // The stamp is at the deadline or the warning time, so the clock had run exactly this long.
              elapsedMinutes: c.kind === 'sla_breached' ? r.target_minutes : Math.round((r.target_minutes * (r.warn_percent ?? 75)) / 100),
              policyId: r.policy_id,
            },
          })),
        });
        await this.events.dispatch(tx, written, ticket);
      }
      return stamped.length;
    });
  }
}

/** A running clock's deadline and warning time: the business minutes left, counted from when it last resumed. */
function schedule(c: { runningSince: Date | null; elapsedMinutes: number; targetMinutes: number; dueAt: Date | null; warnAt: Date | null; warnedAt: Date | null }, calendar: CalendarSpec, warnPercent: number): void {
  const since = c.runningSince as Date;
  const left = Math.max(0, c.targetMinutes - c.elapsedMinutes);
  c.dueAt = addBusinessMinutes(calendar, since, left);
  const warnLeft = (c.targetMinutes * warnPercent) / 100 - c.elapsedMinutes;
  c.warnAt = c.warnedAt || warnLeft <= 0 ? null : addBusinessMinutes(calendar, since, warnLeft);
}
