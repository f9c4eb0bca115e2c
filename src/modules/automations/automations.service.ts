import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { rowsOf } from '../../db/client.js';
import type { Ctx } from '../../platform/context.js';
import { CachedCrud, refuseProblems } from '../../platform/crud.js';
import { patchOf } from '../../platform/validation.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import { ActionSchema, type RuleActions } from '../rules/actions.js';
import { type ConditionProblem, ConditionSchema, checkCondition, compile, customFieldKinds, type Instant } from '../rules/conditions.js';
import type { CalendarsService } from '../sla/calendars.service.js';
import { lockIfMatching, ruleCandidates, TICKET_COLUMNS, versionNow } from '../tickets/rule-columns.queries.js';
import { type AutomationAction, automationRuns, automations } from './automations.schema.js';

export type Automation = typeof automations.$inferSelect;


export const AutomationBody = z.object({
  name: z.string().trim().min(1).max(200),
  position: z.number().int().min(0).max(10_000).default(0),
  active: z.boolean().default(true),
  condition: ConditionSchema,
  actions: z.array(ActionSchema).min(1).max(20),
  // Count "hours since …" in this calendar's business hours; null (the default) counts calendar hours.
  calendarId: z.uuid().nullable().default(null),
});
export const UpdateAutomationBody = patchOf(AutomationBody);

/** What makes an automation savable: a valid condition with time in it, valid actions, a calendar that exists. */
async function checkAutomation(a: { condition: Automation['condition']; actions: AutomationAction[]; calendarId?: string | null }, fields: CustomFieldsService, actions: RuleActions, calendars: CalendarsService): Promise<void> {
  const problems: ConditionProblem[] = checkCondition(a.condition, customFieldKinds(await fields.list('ticket')), 'body.condition');
  // A rule with no time in it would fire on every matching ticket at once and again after every change.
  if (!JSON.stringify(a.condition).includes('"hours_since_')) {
    problems.push({ path: 'body.condition', message: 'an automation needs an hours_since_… condition (event-driven rules are triggers)' });
  }
  problems.push(...(await actions.check(a.actions)));
  if (a.calendarId && !(await calendars.list()).some((c) => c.id === a.calendarId)) {
    problems.push({ path: 'body.calendarId', message: `no calendar with id ${a.calendarId}` });
  }
  refuseProblems('INVALID_RULE', 'The automation', problems);
}

// Tickets one sweep handles per rule; the rest wait for the next sweep (a minute later by default).
const BATCH = 200;

/**
 * Time-based rules ("pending for 3 days → remind the requester"). A sweep asks, per rule, the database for the
 * tickets that match now and have changed since the rule last fired on them (an index range on the time
 * columns, so the work is proportional to the tickets that are due), then fires each in its own transaction:
 * lock the ticket, check it still matches, claim (rule, ticket, version), run the actions as savepoints.
 * Two processes sweeping at once fire each rule on each ticket once.
 */
export class AutomationsService extends CachedCrud<Automation, z.infer<typeof AutomationBody>> {
  constructor(
    ctx: Ctx,
    private readonly fields: CustomFieldsService,
    private readonly actions: RuleActions,
    private readonly calendars: CalendarsService,
  ) {
    super(ctx, {
      table: automations,
      id: automations.id,
      order: [asc(automations.position), asc(automations.createdAt)],
      cache: 'automations',
      noun: 'automation',
      named: 'An automation named',
      check: (a) => checkAutomation(a, fields, actions, calendars),
    });
  }

  // ---- the sweep

  /** One pass over every active rule; returns how many times rules fired. */
  async sweep(): Promise<number> {
    let fired = 0;
    const kinds = customFieldKinds(await this.fields.list('ticket'));
    for (const rule of (await this.list()).filter((a) => a.active)) {
      const now = await this.instantOf(rule);
      const notFiredSince = sql`not exists (select 1 from ${automationRuns} r where r.automation_id = ${rule.id} and r.ticket_id = ${TICKET_COLUMNS.id()} and r.ticket_version >= ${TICKET_COLUMNS.version()})`;
      const candidates = await ruleCandidates(this.ctx.db, compile(rule.condition, now, kinds), notFiredSince, BATCH);
      for (const c of candidates) {
        if (await this.fire(rule, c.id, kinds)) fired++;
      }
    }
    return fired;
  }

  private async fire(rule: Automation, ticketId: string, kinds: ReturnType<typeof customFieldKinds>): Promise<boolean> {
    const at = await this.instantOf(rule);
    return this.ctx.db.transaction(async (tx) => {
      const now = this.ctx.clock.now();
      // Lock the ticket and check it still matches: another process may have fired, or someone changed it.
      const t = await lockIfMatching(tx, ticketId, compile(rule.condition, at, kinds));
      if (!t) return false;
      const claimed = rowsOf(
        await tx.execute(sql`
          insert into ${automationRuns} (automation_id, ticket_id, ticket_version, fired_at)
          values (${rule.id}, ${t.id}, ${t.version}, ${now.toISOString()}::timestamptz)
          on conflict (automation_id, ticket_id) do update set ticket_version = excluded.ticket_version, fired_at = excluded.fired_at
          where ${automationRuns.ticketVersion} < excluded.ticket_version
          returning 1`),
      );
      if (claimed.length === 0) return false;
      for (const action of rule.actions) await this.actions.run(tx, `Automation “${rule.name}”`, t, action);
      // The rule's own changes do not count as "the ticket changed": record the version they left.
      await tx
        .update(automationRuns)
        .set({ ticketVersion: versionNow(t.id) })
        .where(and(eq(automationRuns.automationId, rule.id), eq(automationRuns.ticketId, t.id)));
      return true;
    });
  }

  /** Now, as the rule counts hours: calendar hours, or business hours on its calendar. */
  private async instantOf(rule: Automation): Promise<Instant> {
    const now = this.ctx.clock.now();
    if (!rule.calendarId) return now;
    const minutesAgo = await this.calendars.countingBack(rule.calendarId);
    return { now, hoursAgo: (hours) => minutesAgo(now, hours * 60) };
  }
}
