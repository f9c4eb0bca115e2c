import { and, eq, ne } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx } from '../../db/client.js';
import { type Actor, SYSTEM_ACTOR } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { defineJob, type NewJob } from '../../platform/jobs.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { TicketQueries, TicketRow } from '../tickets/tickets.queries.js';
import type { TicketEvent } from '../tickets/tickets.service.js';
import { incidents, incidentTickets } from './incidents.schema.js';
import type { IncidentsService } from './incidents.service.js';

/**
 * Declare an incident from a ticket (once per ticket: the job key is the ticket's): one that became one of the
 * settings' auto-declare priorities, or one a trigger's `declare_incident` action ran on (`rule`, and `severity` if
 * the action named one).
 */
export const AUTO_DECLARE = defineJob({
  kind: 'incidents.auto-declare',
  payload: z.object({ ticketId: z.uuid(), priority: z.string(), severity: z.string().optional(), rule: z.string().optional() }),
});
export const autoDeclareKey = (ticketId: string) => `incidents.auto-declare:${ticketId}`;

/**
 * "Declared automatically when a ticket becomes P0/P1" (issue 12): a ticket event subscriber enqueues the job in the
 * ticket's transaction; the job declares the incident from the ticket, once per ticket (job key), and not when the
 * ticket is already tied to an incident that is not closed. Like paging, a requester's own choice of priority on a
 * ticket they open does not count: triage, a trigger or a channel raising it does.
 */
export class AutoDeclare {
  constructor(
    private readonly ctx: Ctx,
    private readonly incidents: IncidentsService,
    private readonly people: PeopleService,
    private readonly ticketSettings: TicketSettingsService,
    private readonly ticketQueries: TicketQueries,
  ) {}

  async jobs(tx: Tx, events: TicketEvent[], ticket: TicketRow): Promise<NewJob[]> {
    const wanted = await this.incidents.autoDeclarePriorities(tx);
    if (!wanted.length) return [];
    let priority: string | undefined;
    for (const e of events) {
      if (e.kind === 'created' && e.actorType === 'person' && e.actorId === ticket.requesterId) continue;
      if (e.kind === 'created') priority = (await this.ticketSettings.allPriorities(tx)).find((p) => p.id === ticket.priorityId)?.key;
      else if (e.kind === 'field_changed' && e.field === 'priority' && typeof e.toValue === 'string') priority = e.toValue;
    }
    if (!priority || !wanted.includes(priority)) return [];
    return [{ kind: AUTO_DECLARE.kind, payload: { ticketId: ticket.id, priority }, key: autoDeclareKey(ticket.id) }];
  }

  async run(p: z.infer<typeof AUTO_DECLARE.payload>): Promise<void> {
    const [open] = await this.ctx.db
      .select({ id: incidents.id })
      .from(incidentTickets)
      .innerJoin(incidents, eq(incidents.id, incidentTickets.incidentId))
      .where(and(eq(incidentTickets.ticketId, p.ticketId), ne(incidents.state, 'closed')))
      .limit(1);
    if (open) return;
    const ticket = await this.ticketQueries.getRow(SYSTEM_ACTOR, p.ticketId).catch(() => null);
    if (!ticket || ['solved', 'closed', 'merged'].includes(ticket.statusCategory)) return;
    const actor = await this.declarer(ticket);
    if (!actor) return;
    const severities = await this.incidents.severities();
    // The trigger's severity if it still is one, else the ticket's priority's. A priority that left the severities
    // since (the scheme changed) declares the top one for the setting (it asked for a top priority); a trigger on a
    // ticket whose priority is below the severities declares the lowest (it asked for no level).
    const severity =
      severities.find((s) => s.key === p.severity) ?? severities.find((s) => s.key === p.priority) ?? (p.rule === undefined ? severities[0] : severities.at(-1));
    if (!severity) return;
    await this.incidents.declare(actor, {
      title: ticket.subject.slice(0, 200),
      severity: severity.key,
      originTicketId: ticket.id,
      components: [],
      roles: {},
      impact:
        p.rule === undefined
          ? `Declared automatically: ticket #${ticket.number} became ${p.priority} (Admin → Status page components → "Declare an incident automatically").`
          : `Declared automatically by ${p.rule} on ticket #${ticket.number}.`,
    });
  }

  /** Who declares (and so leads until someone else is named): the ticket's assignee if active staff, else an active admin. */
  private async declarer(ticket: TicketRow): Promise<Actor | null> {
    const assignee = ticket.assigneeId ? await this.people.getUser(ticket.assigneeId).catch(() => null) : null;
    if (assignee?.active && (assignee.role === 'admin' || assignee.role === 'agent')) return this.people.actorFor(assignee);
    const [admin] = (await this.people.listUsers({ role: 'admin', limit: 50, offset: 0 })).filter((u) => u.active);
    return admin ? this.people.actorFor(admin) : null;
  }
}
