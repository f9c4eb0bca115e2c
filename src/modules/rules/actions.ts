import { z } from 'zod';
import type { Tx } from '../../db/client.js';
import { AppError } from '../../platform/errors.js';
import type { OutboundService } from '../email/outbound.service.js';
import type { IncidentsService } from '../incidents/incidents.service.js';
import type { OncallService } from '../oncall/oncall.service.js';
import { checkTemplate, renderTemplate } from '../../platform/templates.js';
import { activeMemberEmails, namesAndEmails } from '../people/members.queries.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { TicketRow } from '../tickets/tickets.queries.js';
import type { TicketsService } from '../tickets/tickets.service.js';
import type { WebhooksService } from '../webhooks/webhooks.service.js';
import type { ConditionProblem } from './conditions.js';

/** What rules (automations, triggers) can do to a ticket. */
export const ActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('set'), field: z.enum(['status', 'priority', 'type', 'group', 'assignee']), value: z.string().max(100).nullable() }).strict(),
  z.object({ type: z.enum(['add_tags', 'remove_tags']), tags: z.array(z.string().trim().min(1).max(100)).min(1).max(50) }).strict(),
  z.object({ type: z.enum(['note', 'reply']), body: z.string().min(1).max(20_000) }).strict(),
  z.object({ type: z.literal('escalate'), urgency: z.enum(['low', 'medium', 'high', 'critical']), toGroupId: z.uuid().optional() }).strict(),
  z
    .object({
      type: z.literal('email'),
      to: z.union([z.enum(['requester', 'assignee', 'group']), z.email()]),
      subject: z.string().min(1).max(1000),
      body: z.string().min(1).max(20_000),
    })
    .strict(),
  // Post the ticket, signed, to a webhook configured under /api/v1/webhooks.
  z.object({ type: z.literal('webhook'), webhookId: z.uuid() }).strict(),
  // Page an on-call escalation policy about the ticket (once while that page is open); e.g. on sla_breached.
  z.object({ type: z.literal('page'), policyId: z.uuid() }).strict(),
  // Declare an incident from the ticket (once per ticket); severity: the ticket's priority's unless named.
  z.object({ type: z.literal('declare_incident'), severity: z.string().trim().min(1).max(20).optional() }).strict(),
]);

/** One rule action, as its schema checks it: the single source for automations' and triggers' stored actions. */
export type RuleAction = z.infer<typeof ActionSchema>;

/**
 * Runs rule actions inside the caller's transaction (each ticket command as a savepoint), and checks them at
 * save time. Shared by automations and triggers.
 */
export class RuleActions {
  constructor(
    private readonly tickets: TicketsService,
    private readonly settings: TicketSettingsService,
    private readonly people: PeopleService,
    private readonly outbound: OutboundService,
    private readonly webhooks: WebhooksService,
    private readonly oncall: OncallService,
    private readonly incidents: IncidentsService,
  ) {}

  async check(actions: RuleAction[]): Promise<ConditionProblem[]> {
    const problems: ConditionProblem[] = [];
    for (const [i, action] of actions.entries()) {
      const path = `body.actions.${i}`;
      const template = (field: string, source: string) => {
        try {
          checkTemplate(source, `${path}.${field}`);
        } catch (err) {
          problems.push({ path: `${path}.${field}`, message: (err as AppError).fields[0]?.message ?? 'invalid template' });
        }
      };
      if (action.type === 'note' || action.type === 'reply') template('body', action.body);
      else if (action.type === 'email') {
        template('subject', action.subject);
        template('body', action.body);
      } else if (action.type === 'webhook') {
        if (!(await this.webhooks.exists(action.webhookId))) problems.push({ path: `${path}.webhookId`, message: `no webhook with id ${action.webhookId}` });
      } else if (action.type === 'page') {
        if (!(await this.oncall.policyExists(action.policyId))) problems.push({ path: `${path}.policyId`, message: `no escalation policy with id ${action.policyId}` });
      } else if (action.type === 'declare_incident') {
        if (action.severity !== undefined && !(await this.incidents.isSeverity(action.severity))) problems.push({ path: `${path}.severity`, message: `no incident severity ${action.severity}` });
      } else if (action.type === 'set' && action.value !== null) {
        const ok =
          action.field === 'status'
            ? !!(await this.settings.getState(action.value))
            : action.field === 'priority'
              ? (await this.settings.allPriorities()).some((p) => p.key === action.value)
              : action.field === 'type'
                ? (await this.settings.listTypes()).some((t) => t.key === action.value)
                : action.field === 'group'
                  ? await this.people.getGroup(action.value).then(
                      () => true,
                      () => false,
                    )
                  : true;
        if (!ok) problems.push({ path: `${path}.value`, message: `no ${action.field} ${action.value}` });
      }
    }
    return problems;
  }

  /** Runs one action; one the ticket cannot take (the top tier, a field required to solve) becomes a note. */
  async run(tx: Tx, rule: string, t: TicketRow, action: RuleAction): Promise<void> {
    try {
      switch (action.type) {
        case 'set': {
          const key = { status: 'status', priority: 'priority', type: 'type', group: 'groupId', assignee: 'assigneeId' }[action.field];
          await this.tickets.update(null, t.id, { [key]: action.value } as never, { tx });
          return;
        }
        case 'add_tags':
          await this.tickets.update(null, t.id, { addTags: action.tags } as never, { tx });
          return;
        case 'remove_tags':
          await this.tickets.update(null, t.id, { removeTags: action.tags } as never, { tx });
          return;
        case 'note':
        case 'reply': {
          const body = await renderTemplate(action.body, await this.templateData(tx, t), `${action.type} body`);
          await this.tickets.addSystemMessage(t.id, { body, public: action.type === 'reply' }, { tx });
          return;
        }
        case 'escalate':
          await this.tickets.escalate(null, t.id, { impact: rule, tried: 'Nothing automatic', needed: 'Attention from the next tier', urgency: action.urgency, toGroupId: action.toGroupId }, { tx });
          return;
        case 'email': {
          const data = await this.templateData(tx, t);
          const to = await this.recipients(tx, t, action.to);
          if (to.length === 0) return;
          await this.outbound.queueRuleEmail(tx, t, to, await renderTemplate(action.subject, data, 'email subject'), await renderTemplate(action.body, data, 'email body'));
          return;
        }
        case 'webhook':
          await this.webhooks.queue(tx, action.webhookId, t, rule);
          return;
        case 'page':
          await this.oncall.pageFromRule(tx, action.policyId, t, rule);
          return;
        case 'declare_incident':
          await this.incidents.declareFromRule(tx, t, { severity: action.severity, rule });
          return;
      }
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      await this.tickets.addSystemMessage(t.id, { body: `${rule} could not ${action.type}: ${err.message}`, public: false }, { tx });
    }
  }

  private async recipients(tx: Tx, t: TicketRow, to: string): Promise<string[]> {
    if (to.includes('@')) return [to.toLowerCase()];
    const ids = to === 'requester' ? [t.requesterId] : to === 'assignee' ? (t.assigneeId ? [t.assigneeId] : []) : [];
    if (to === 'group' && t.groupId) return (await activeMemberEmails(tx, t.groupId)).map((e) => e.toLowerCase());
    return (await namesAndEmails(tx, ids)).map((u) => u.email.toLowerCase());
  }

  private async templateData(tx: Tx, t: TicketRow) {
    const [requester] = await namesAndEmails(tx, [t.requesterId]);
    const name = requester?.name ?? '';
    return {
      ticket: { number: t.number, subject: t.subject, status: t.status, requester: { name, first_name: name.split(/\s+/)[0] ?? name, email: requester?.email ?? '' } },
    };
  }
}
