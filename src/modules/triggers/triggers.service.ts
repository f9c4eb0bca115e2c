import { AsyncLocalStorage } from 'node:async_hooks';
import { asc } from 'drizzle-orm';
import { z } from 'zod';
import type { Ctx } from '../../platform/context.js';
import { CachedCrud, refuseProblems } from '../../platform/crud.js';
import { defineJob, type NewJob } from '../../platform/jobs.js';
import { patchOf } from '../../platform/validation.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import { ActionSchema, type RuleActions } from '../rules/actions.js';
import { ConditionSchema, checkCondition, customFieldKinds, evaluate, toFacts } from '../rules/conditions.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import { lockTicket } from '../tickets/rule-columns.queries.js';
import { asRule, type EventSubscriber } from '../tickets/events.js';
import { TRIGGER_EVENTS, type TriggerEvent, triggers } from './triggers.schema.js';

export type Trigger = typeof triggers.$inferSelect;

export const TriggerBody = z.object({
  name: z.string().trim().min(1).max(200),
  position: z.number().int().min(0).max(10_000).default(0),
  active: z.boolean().default(true),
  events: z.array(z.enum(TRIGGER_EVENTS)).min(1).max(TRIGGER_EVENTS.length),
  condition: ConditionSchema.default({ all: [] }),
  actions: z.array(ActionSchema).min(1).max(20),
});
export const UpdateTriggerBody = patchOf(TriggerBody);

export const TRIGGER_JOB = 'rules.triggers';
// Passes over the triggers after one change: a chain of triggers enabling triggers stops here.
export const MAX_PASSES = 5;

/** A run's cause: the ticket, what happened to it, and for an SLA warning or breach the clock's metric. */
type Payload = { ticketId: string; events: TriggerEvent[]; sla?: { metric: string } };
/** The job that runs triggers after a change commits (its rows come from this module's event subscriber). */
export const TRIGGERS_RUN = defineJob({
  kind: TRIGGER_JOB,
  payload: z.object({ ticketId: z.string(), events: z.array(z.enum(TRIGGER_EVENTS)), sla: z.object({ metric: z.string() }).optional() }) satisfies z.ZodType<Payload>,
});

/**
 * Triggers run after the command that caused them commits, as a job (a slow or failing rule never fails an
 * agent's reply), each matching one in its own transaction. While a trigger's actions run (AsyncLocalStorage),
 * the commands they make queue nothing: the same job looks at the ticket again (see `run`).
 */
export class TriggersService extends CachedCrud<Trigger, z.infer<typeof TriggerBody>> {
  private readonly inRun = new AsyncLocalStorage<boolean>();

  constructor(
    ctx: Ctx,
    private readonly settings: TicketSettingsService,
    private readonly fields: CustomFieldsService,
    private readonly actions: RuleActions,
  ) {
    super(ctx, {
      table: triggers,
      id: triggers.id,
      order: [asc(triggers.position), asc(triggers.createdAt)],
      cache: 'triggers',
      noun: 'trigger',
      named: 'A trigger named',
      // A valid condition and valid actions.
      check: async (t) => {
        const problems = checkCondition(t.condition, customFieldKinds(await fields.list('ticket')), 'body.condition');
        problems.push(...(await actions.check(t.actions)));
        refuseProblems('INVALID_RULE', 'The trigger', problems);
      },
    });
  }

  /**
   * The triggers' subscriber of the ticket event stream: a job per command's events (nothing if no trigger is
   * active), and one per SLA warning or breach (each is stamped once, so its triggers run once).
   */
  listener(): EventSubscriber {
    return {
      name: 'triggers',
      mode: 'job',
      jobs: async (tx, events, ticket) => {
        // Changes a trigger makes are looked at again by the run that made them (the next pass), not queued.
        if (this.inRun.getStore()) return [];
        const active = (await this.list(tx)).filter((x) => x.active);
        if (active.length === 0) return [];
        const jobs: NewJob[] = [];
        const kinds = new Set<TriggerEvent>();
        for (const e of events) {
          if (e.kind === 'sla_warning' || e.kind === 'sla_breached' || e.kind === 'sla_met') {
            const event: TriggerEvent = e.kind;
            if (!active.some((x) => x.events.includes(event))) continue;
            const payload: Payload = { ticketId: ticket.id, events: [event], sla: { metric: String(e.field) } };
            jobs.push({ kind: TRIGGER_JOB, payload, key: `${TRIGGER_JOB}:${e.id}` });
          } else if (e.kind === 'satisfaction_rated') {
            // A survey answer is not a change of the ticket: only a bad one is an event for triggers.
            if ((e.toValue as { rating?: string } | null)?.rating === 'bad') kinds.add('satisfaction_bad');
          } else if (e.kind === 'created') kinds.add('created');
          else if (e.kind === 'message_added') kinds.add('message');
          else kinds.add('updated');
        }
        if (kinds.has('created')) kinds.delete('updated');
        const first = events.find((e) => !e.kind.startsWith('sla_'));
        if (kinds.size > 0 && first) jobs.push({ kind: TRIGGER_JOB, payload: { ticketId: ticket.id, events: [...kinds] } satisfies Payload, key: `${TRIGGER_JOB}:${first.id}` });
        return jobs;
      },
    };
  }

  /**
   * The job. Passes over the active triggers in order, each on the ticket as the one before left it; a pass in
   * which something fired is followed by another over the triggers that have not (the changes are an update),
   * up to MAX_PASSES. So each trigger fires at most once per change — never on its own changes — and chains end.
   */
  async run(payload: Payload): Promise<string[]> {
    const fired: string[] = [];
    const kinds = customFieldKinds(await this.fields.list('ticket'));
    let events: TriggerEvent[] = payload.events;
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      let any = false;
      for (const trigger of await this.list()) {
        if (!trigger.active || fired.includes(trigger.id) || !trigger.events.some((e) => events.includes(e))) continue;
        if (await this.fire(trigger, payload, kinds)) {
          fired.push(trigger.id);
          any = true;
        }
      }
      if (!any) break;
      events = [...new Set<TriggerEvent>([...events, 'updated'])];
    }
    return fired;
  }

  private fire(trigger: Trigger, payload: Payload, kinds: ReturnType<typeof customFieldKinds>): Promise<boolean> {
    return this.ctx.db.transaction(async (tx) => {
      const t = await lockTicket(tx, payload.ticketId);
      if (!t || t.statusCategory === 'merged') return false;
      const priority = (await this.settings.allPriorities(tx)).find((p) => p.id === t.priorityId);
      const facts = { ...toFacts(t, priority?.key ?? ''), event: { sla_metric: payload.sla?.metric ?? null } };
      if (!evaluate(trigger.condition, facts, this.ctx.clock.now(), kinds)) return false;
      // What the actions change is recorded as made by this trigger.
      await this.inRun.run(true, () =>
        asRule(`Trigger “${trigger.name}”`, async () => {
          for (const action of trigger.actions) await this.actions.run(tx, `Trigger “${trigger.name}”`, t, action);
        }),
      );
      return true;
    });
  }
}
