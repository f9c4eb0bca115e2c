import { z } from 'zod';
import type { Tx } from '../../db/client.js';
import type { Ctx } from '../../platform/context.js';
import { defineJob, enqueue, type NewJob } from '../../platform/jobs.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { TicketRow } from '../tickets/tickets.queries.js';
import type { TicketEvent } from '../tickets/tickets.service.js';
import type { WebhooksService } from '../webhooks/webhooks.service.js';
import { PageMailer } from './mailer.js';
import { oncallHandoffs } from './oncall.schema.js';
import { Pages } from './pages.js';
import { Policies } from './policies.js';
import { Schedules } from './schedules.js';
import { OncallSettingsStore } from './settings.js';

/** A ticket reached a paging priority: page the configured policy (once per ticket). */
export const ONCALL_TICKET = defineJob({
  kind: 'oncall.ticket',
  payload: z.object({ ticketId: z.uuid(), number: z.number().int(), subject: z.string(), priority: z.string() }),
});
/** A shift started: send its person the hand-off summary. */
export const ONCALL_HANDOFF = defineJob({ kind: 'oncall.handoff', payload: z.object({ scheduleId: z.uuid(), shiftStart: z.string(), userId: z.uuid() }) });

/**
 * On-call: schedules (who is on), escalation policies (who next), pages (someone must look now) and hand-offs.
 * What other modules use: `pageFromRule` (the rule action "page"), `pageForIncident` (incidents), and the
 * ticket event subscriber `ticketJobs` (P0/P1 tickets page, per settings).
 */
export class OncallService {
  readonly schedules: Schedules;
  readonly policies: Policies;
  readonly settings: OncallSettingsStore;
  readonly pages: Pages;
  readonly mailer: PageMailer;
  private readonly ticketSettings: TicketSettingsService;
  private readonly people: PeopleService;

  constructor(
    private readonly ctx: Ctx,
    needs: { people: PeopleService; settings: TicketSettingsService; webhooks: WebhooksService; mailFrom: () => Promise<string> },
  ) {
    this.schedules = new Schedules(ctx, needs.people);
    this.policies = new Policies(ctx, this.schedules);
    this.settings = new OncallSettingsStore(ctx, needs.settings, needs.webhooks, this.policies);
    this.mailer = new PageMailer(ctx, needs.mailFrom);
    this.pages = new Pages(ctx, needs.people, this.policies, this.settings, needs.webhooks, this.mailer);
    this.ticketSettings = needs.settings;
    this.people = needs.people;
  }

  policyExists(id: string): Promise<boolean> {
    return this.policies.exists(id);
  }

  /** The rule action: pages the policy about the ticket, unless a page of it for this ticket is still open. */
  async pageFromRule(tx: Tx, policyId: string, ticket: TicketRow, rule: string): Promise<void> {
    if (await this.pages.openFor(tx, ticket.id, policyId)) return;
    await this.pages.create(tx, {
      policyId,
      source: 'rule',
      ticketId: ticket.id,
      title: `#${ticket.number} ${ticket.subject}`,
      body: `${rule} paged about ticket #${ticket.number}: ${this.ctx.config.publicUrl}/tickets/${ticket.id}`,
    });
  }

  /** The incidents module's "declared" hook: pages the incident policy (settings), once per incident. */
  async incidentDeclared(tx: Tx, incident: { id: string; number: number; title: string; severity: string }): Promise<void> {
    const { incidentPolicyId } = await this.settings.get(tx);
    if (!incidentPolicyId) return;
    await this.pageForIncident(tx, {
      incidentId: incident.id,
      policyId: incidentPolicyId,
      title: `${incident.severity} incident #${incident.number}: ${incident.title}`,
      body: `Incident #${incident.number} was declared: ${this.ctx.config.publicUrl}/incidents/${incident.number}`,
    });
  }

  /** Page a policy about an incident, once per incident. */
  async pageForIncident(tx: Tx, input: { incidentId: string; policyId: string; title: string; body?: string }): Promise<void> {
    await this.pages.create(tx, { policyId: input.policyId, source: 'incident', incidentId: input.incidentId, dedupeKey: `incident:${input.incidentId}`, title: input.title, body: input.body ?? '' });
  }

  /** The ticket event subscriber: a ticket created at, or raised to, a paging priority queues a page job. */
  async ticketJobs(tx: Tx, events: TicketEvent[], ticket: TicketRow): Promise<NewJob[]> {
    const settings = await this.settings.get(tx);
    if (!settings.ticketPolicyId || settings.ticketPriorities.length === 0) return [];
    let priority: string | undefined;
    for (const e of events) {
      // A requester's own choice of priority is a request, not a verified emergency: anyone with a customer
      // account could otherwise page on-call at will. Triage (an agent) or a trigger raising it pages.
      if (e.kind === 'created' && e.actorType === 'person' && e.actorId === ticket.requesterId) continue;
      if (e.kind === 'created') priority = (await this.ticketSettings.allPriorities(tx)).find((p) => p.id === ticket.priorityId)?.key;
      else if (e.kind === 'field_changed' && e.field === 'priority' && typeof e.toValue === 'string') priority = e.toValue;
    }
    if (!priority || !settings.ticketPriorities.includes(priority)) return [];
    return [{ kind: ONCALL_TICKET.kind, payload: { ticketId: ticket.id, number: ticket.number, subject: ticket.subject, priority }, key: `oncall.ticket:${ticket.id}` }];
  }

  async pageTicket(p: z.infer<typeof ONCALL_TICKET.payload>): Promise<void> {
    await this.ctx.db.transaction(async (tx) => {
      const settings = await this.settings.get(tx);
      if (!settings.ticketPolicyId) return;
      await this.pages.create(tx, {
        policyId: settings.ticketPolicyId,
        source: 'ticket',
        ticketId: p.ticketId,
        dedupeKey: `ticket:${p.ticketId}`,
        title: `${p.priority} ticket #${p.number}: ${p.subject}`,
        body: `Ticket #${p.number} is ${p.priority}: ${this.ctx.config.publicUrl}/tickets/${p.ticketId}`,
      });
    });
  }

  // ---- hand-offs

  /**
   * The hand-off schedule: for each on-call schedule whose current shift began in the last day and has no
   * summary yet, record it (once per schedule and shift start, across processes) and queue the summary mail.
   */
  async runHandoffs(): Promise<number> {
    const now = this.ctx.clock.now();
    let queued = 0;
    for (const row of await this.schedules.list()) {
      const s = await this.schedules.get(row.id);
      const shifts = this.schedules.shifts(s, new Date(now.getTime() - 86_400_000), new Date(now.getTime() + 1));
      const current = shifts.at(-1);
      // A shift clipped at the range's start began earlier: nobody handed over inside the window.
      if (!current || current.end.getTime() <= now.getTime() || current.start.getTime() <= now.getTime() - 86_400_000) continue;
      await this.ctx.db.transaction(async (tx) => {
        const [inserted] = await tx
          .insert(oncallHandoffs)
          .values({ scheduleId: s.id, shiftStart: current.start, userId: current.userId, sentAt: now })
          .onConflictDoNothing()
          .returning();
        if (!inserted) return;
        queued++;
        await enqueue(tx, this.ctx.clock, ONCALL_HANDOFF, { scheduleId: s.id, shiftStart: current.start.toISOString(), userId: current.userId }, { key: `oncall.handoff:${s.id}:${current.start.toISOString()}` });
      });
    }
    return queued;
  }

  /** The hand-off summary: the notes left since the previous shift began and the pages still open. */
  async sendHandoff(p: z.infer<typeof ONCALL_HANDOFF.payload>): Promise<void> {
    const s = await this.schedules.get(p.scheduleId).catch(() => null);
    if (!s) return;
    const start = new Date(p.shiftStart);
    const before = this.schedules.shifts(s, new Date(start.getTime() - 30 * 86_400_000), start).at(-1);
    const since = before?.start ?? new Date(start.getTime() - 7 * 86_400_000);
    const notes = await this.schedules.handoffNotes(s.id, since);
    const person = await this.people.getUser(p.userId);
    // Deactivated since the shift began: no summary. Otherwise only the pages they may see (a page's title is its ticket's subject).
    if (!person.active || person.role === 'customer') return;
    const open = await this.pages.openSince(since, await this.people.actorFor(person));
    const names = new Map<string, string>();
    for (const n of notes) if (n.authorId && !names.has(n.authorId)) names.set(n.authorId, (await this.people.getUser(n.authorId).catch(() => null))?.name ?? 'someone');
    const text = [
      `You are on call for ${s.name} from ${start.toISOString()}.`,
      '',
      notes.length ? 'Hand-off notes:' : 'No hand-off notes were left.',
      ...notes.map((n) => `- ${names.get(n.authorId ?? '') ?? 'someone'} (${n.createdAt.toISOString()}): ${n.body}`),
      '',
      open.length ? 'Pages still open:' : 'No pages are open.',
      ...open.map((pg) => `- #${pg.number} ${pg.title} (${pg.status})`),
      '',
      `Schedule: ${this.ctx.config.publicUrl}/oncall`,
    ].join('\n');
    await this.mailer.send(person.email, `On call for ${s.name}: your hand-off`, text);
  }
}
