import { and, asc, count, desc, eq, gte, inArray, isNotNull, or, type SQL, sql } from 'drizzle-orm';
import { rowsOf } from '../../db/client.js';
import type { Actor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import {
  type ComponentStatus,
  type IncidentState,
  incidentComponents,
  incidentRetros,
  incidentRoleAssignments,
  incidentRoles,
  incidents,
  incidentTickets,
  incidentTimeline,
  incidentUpdates,
  statusComponents,
  statusMaintenanceComponents,
  statusMaintenances,
} from './incidents.schema.js';

export type IncidentRow = typeof incidents.$inferSelect;
export type UpdateRow = typeof incidentUpdates.$inferSelect;
export type ComponentRow = typeof statusComponents.$inferSelect;
const ACTIVE: IncidentState[] = ['investigating', 'identified', 'monitoring'];
/** Suggested tickets shown on the incident page. */
const SUGGESTIONS = 20;

/** What the status page is rendered from: only public facts (titles, updates, components), never notes or tickets. */
export type StatusSnapshot = {
  at: Date;
  components: (ComponentRow & { current: ComponentStatus })[];
  // Incidents with at least one status update, newest first, each with its updates (newest first).
  incidents: (Pick<IncidentRow, 'id' | 'number' | 'title' | 'severity' | 'state' | 'startedAt' | 'resolvedAt' | 'createdAt' | 'updatedAt'> & {
    level: number;
    updates: Pick<UpdateRow, 'id' | 'state' | 'body' | 'eta' | 'at'>[];
    components: { id: string; status: ComponentStatus }[];
  })[];
  // Scheduled maintenance: upcoming and in progress, and completed in the last 14 days (soonest / newest first).
  maintenances: (Pick<typeof statusMaintenances.$inferSelect, 'id' | 'title' | 'description' | 'status' | 'startsAt' | 'endsAt' | 'createdAt' | 'updatedAt'> & { componentIds: string[] })[];
};

const WORST: ComponentStatus[] = ['operational', 'under_maintenance', 'degraded_performance', 'partial_outage', 'major_outage'];
export function worst(a: ComponentStatus, b: ComponentStatus): ComponentStatus {
  return WORST.indexOf(a) >= WORST.indexOf(b) ? a : b;
}

/** Reads of incidents for the agent app, the ticket page and the status page. */
export class IncidentQueries {
  constructor(
    private readonly ctx: Ctx,
    private readonly ticketQueries: TicketQueries,
    private readonly people: PeopleService,
    private readonly ticketSettings: TicketSettingsService,
  ) {}

  async list(filter: { active?: boolean }) {
    const rows = await this.ctx.db
      .select({ incident: incidents, linked: count(incidentTickets.ticketId) })
      .from(incidents)
      .leftJoin(incidentTickets, eq(incidentTickets.incidentId, incidents.id))
      .where(filter.active === undefined ? undefined : filter.active ? inArray(incidents.state, ACTIVE) : sql`${incidents.state} not in ('investigating','identified','monitoring')`)
      .groupBy(incidents.id)
      .orderBy(desc(incidents.startedAt))
      .limit(200);
    const leads = await this.leads(rows.map((r) => r.incident.id));
    return rows.map((r) => ({ ...r.incident, linkedTickets: r.linked, lead: leads.get(r.incident.id) ?? null }));
  }

  /**
   * The caller's overdue action items, once the sweep reminded them (the app's notice): items they own, and
   * ownerless ones of incidents they lead — the people the reminder went to. Gone once done or given a later date
   * (until that one is reminded); a date moved earlier, still past, keeps it.
   */
  async myOverdueActionItems(userId: string) {
    type Row = { incident_id: string; number: number; title: string; item: { id: string; title: string; dueOn: string; link: string | null } };
    const rows = await this.ctx.db.execute(sql`
      select r.incident_id, i.number, i.title, e as item
      from ${incidentRetros} r join ${incidents} i on i.id = r.incident_id, jsonb_array_elements(r.action_items) e
      where not coalesce((e->>'done')::boolean, false) and e->>'remindedFor' >= e->>'dueOn'
        and (e->>'ownerId' = ${userId} or (e->>'ownerId' is null and exists (
          select 1 from ${incidentRoleAssignments} a join ${incidentRoles} l on l.key = a.role_key and l.lead
          where a.incident_id = r.incident_id and a.user_id = ${userId}::uuid)))
      order by e->>'dueOn', i.number
      limit 100`);
    return rowsOf<Row>(rows).map((r) => ({ incidentId: r.incident_id, incidentNumber: r.number, incidentTitle: r.title, id: r.item.id, title: r.item.title, dueOn: r.item.dueOn, link: r.item.link ?? null }));
  }

  /** By id, or by number (what people and links say). */
  async get(ref: string): Promise<IncidentRow> {
    const [row] = await this.ctx.db
      .select()
      .from(incidents)
      .where(/^\d+$/.test(ref) ? eq(incidents.number, Number(ref)) : eq(incidents.id, ref));
    if (!row) throw new AppError('NOT_FOUND', `No incident ${ref}`);
    return row;
  }

  /** The incident page: the record, who holds each role, its components, the timeline, the updates, the tickets. */
  async detail(actor: Actor, ref: string) {
    const incident = await this.get(ref);
    const id = incident.id;
    const [[retro], roles, held, components, timeline, updates, links] = await Promise.all([
      this.ctx.db.select().from(incidentRetros).where(eq(incidentRetros.incidentId, id)),
      this.ctx.db.select().from(incidentRoles).orderBy(asc(incidentRoles.position)),
      this.ctx.db.select().from(incidentRoleAssignments).where(eq(incidentRoleAssignments.incidentId, id)),
      this.ctx.db
        .select({ id: statusComponents.id, name: statusComponents.name, status: incidentComponents.status })
        .from(incidentComponents)
        .innerJoin(statusComponents, eq(statusComponents.id, incidentComponents.componentId))
        .where(eq(incidentComponents.incidentId, id)),
      this.ctx.db.select().from(incidentTimeline).where(eq(incidentTimeline.incidentId, id)).orderBy(asc(incidentTimeline.id)),
      this.ctx.db.select().from(incidentUpdates).where(eq(incidentUpdates.incidentId, id)).orderBy(desc(incidentUpdates.at)),
      this.ctx.db.select().from(incidentTickets).where(eq(incidentTickets.incidentId, id)).orderBy(asc(incidentTickets.linkedAt)),
    ]);
    const names = await this.names([...held.map((h) => h.userId), ...timeline.map((e) => e.actorId), ...updates.map((u) => u.authorId)]);
    // Only the tickets this caller may see (a group-restricted agent sees their groups' tickets).
    const visible = new Set(await this.ticketQueries.visibleIds(actor, links.map((l) => l.ticketId)));
    const tickets = [];
    for (const l of links.filter((l) => visible.has(l.ticketId))) {
      const t = await this.ticketQueries.getRow(actor, l.ticketId);
      tickets.push({ id: t.id, number: t.number, subject: t.subject, status: t.status, linkedAt: l.linkedAt });
    }
    return {
      ...incident,
      roles: roles.map((r) => {
        const h = held.find((x) => x.roleKey === r.key);
        return { key: r.key, name: r.name, lead: r.lead, user: h ? { id: h.userId, name: names.get(h.userId) ?? '' } : null };
      }),
      components,
      timeline: timeline.map((e) => ({ ...e, actorName: e.actorId ? (names.get(e.actorId) ?? '') : 'Lifeline' })),
      updates: updates.map((u) => ({ ...u, authorName: u.authorId ? (names.get(u.authorId) ?? '') : 'Lifeline' })),
      tickets,
      hiddenTickets: links.length - tickets.length,
      retro: retro ?? null,
    };
  }

  /**
   * Tickets to link: unsolved, created since the incident began, not linked yet, whose text matches any word of its
   * titles or its components' names (full-text, newest first), as the caller may see them.
   */
  async suggestedTickets(actor: Actor, ref: string, limit = SUGGESTIONS) {
    const incident = await this.get(ref);
    const names = (
      await this.ctx.db
        .select({ name: statusComponents.name })
        .from(incidentComponents)
        .innerJoin(statusComponents, eq(statusComponents.id, incidentComponents.componentId))
        .where(eq(incidentComponents.incidentId, incident.id))
    ).map((c) => c.name);
    const words = [...new Set(`${incident.title} ${incident.publicTitle} ${names.join(' ')}`.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [])].slice(0, 20);
    if (!words.length) return [];
    const open = (await this.ticketSettings.listStates()).filter((s) => ['new', 'open', 'pending', 'on_hold'].includes(s.category)).map((s) => s.key);
    const linked = new Set((await this.ctx.db.select({ id: incidentTickets.ticketId }).from(incidentTickets).where(eq(incidentTickets.incidentId, incident.id))).map((l) => l.id));
    // Any of the words (websearch syntax: "a or b"); stop words and stemming are the search's own.
    const { items } = await this.ticketQueries.list(actor, { text: words.join(' or '), status: open }, { sort: 'created', order: 'desc', limit: limit + linked.size + 1 });
    return items
      .filter((t) => t.createdAt >= incident.startedAt && !linked.has(t.id))
      .slice(0, limit)
      .map((t) => ({ id: t.id, number: t.number, subject: t.subject, status: t.status, requesterName: t.requester.name || t.requester.email, createdAt: t.createdAt }));
  }

  /** The incidents a ticket is tied to (the ticket page's banner). */
  async forTicket(actor: Actor, ticketId: string) {
    await this.ticketQueries.getRow(actor, ticketId);
    return this.ctx.db
      .select({ id: incidents.id, number: incidents.number, title: incidents.title, severity: incidents.severity, state: incidents.state })
      .from(incidentTickets)
      .innerJoin(incidents, eq(incidents.id, incidentTickets.incidentId))
      .where(eq(incidentTickets.ticketId, ticketId))
      .orderBy(desc(incidents.startedAt));
  }

  /** The incident document as Markdown: summary, roles, updates and the timeline (pinned entries first). */
  async markdown(actor: Actor, id: string): Promise<string> {
    const d = await this.detail(actor, id);
    const iso = (x: Date | null) => (x ? `${x.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '—');
    const line = (e: (typeof d.timeline)[number]) => `- ${iso(e.at)} · ${e.actorName} · ${e.kind.replace('_', ' ')}: ${oneLine(e.body)}`;
    const out = [
      `# Incident #${d.number}: ${d.title}`,
      '',
      `- Severity: ${d.severity}`,
      `- State: ${d.state}`,
      ...(['startedAt', 'detectedAt', 'acknowledgedAt', 'mitigatedAt', 'resolvedAt', 'closedAt'] as const).map((k) => `- ${k.replace('At', '')}: ${iso(d[k])}`),
      `- Components: ${d.components.map((c) => `${c.name} (${c.status.replace('_', ' ')})`).join(', ') || '—'}`,
      '',
      '## Roles',
      ...d.roles.map((r) => `- ${r.name}: ${r.user?.name ?? '—'}`),
      '',
      '## Summary',
      `**Impact.** ${d.impact || '—'}`,
      '',
      `**Current theory.** ${d.currentTheory || '—'}`,
      '',
      `**Next steps.** ${d.nextSteps || '—'}`,
      '',
      '## Status updates',
      ...d.updates.map((u) => `- ${iso(u.at)} · **${u.state}** · ${oneLine(u.body)}${u.eta ? ` (ETA ${iso(u.eta)})` : ''}`),
      '',
      '## Linked tickets',
      ...d.tickets.map((t) => `- #${t.number} ${oneLine(t.subject)} (${t.status})`),
      '',
      ...(d.retro
        ? [
            `## Retrospective (${d.retro.status}${d.retro.skipReason ? `: ${oneLine(d.retro.skipReason)}` : ''})`,
            `**Summary.** ${d.retro.summary || '—'}`,
            '',
            `**Root cause.** ${d.retro.rootCause || '—'}`,
            '',
            '**Five whys.**',
            ...d.retro.whys.map((w, i) => `${i + 1}. ${oneLine(w)}`),
            '',
            `**Went well.** ${d.retro.wentWell || '—'}`,
            '',
            `**Went badly.** ${d.retro.wentBadly || '—'}`,
            '',
            '**Action items.**',
            ...d.retro.actionItems.map((a) => `- [${a.done ? 'x' : ' '}] ${oneLine(a.title)}${a.dueOn ? ` (due ${a.dueOn})` : ''}${a.link ? ` ${a.link}` : ''}`),
            '',
          ]
        : []),
      '## Timeline',
      ...d.timeline.filter((e) => e.pinned).map((e) => `${line(e)} 📌`),
      ...d.timeline.filter((e) => !e.pinned).map(line),
      '',
    ];
    return out.join('\n');
  }

  /** Everything the public status page shows, from committed rows; incidents of the last 90 days that were made public. */
  async statusSnapshot(levels: Map<string, number>): Promise<StatusSnapshot> {
    const at = this.ctx.clock.now();
    const since = new Date(at.getTime() - 90 * 86_400_000);
    const [components, rows] = await Promise.all([
      this.ctx.db.select().from(statusComponents).orderBy(asc(statusComponents.position), asc(statusComponents.name)),
      this.ctx.db
        .select()
        .from(incidents)
        .where(and(or(inArray(incidents.state, ACTIVE), gte(incidents.resolvedAt, since), and(isNotNull(incidents.closedAt), gte(incidents.closedAt, since))), sql`exists (select 1 from ${incidentUpdates} where ${incidentUpdates.incidentId} = ${incidents.id})`))
        .orderBy(desc(incidents.startedAt)),
    ]);
    const maintenanceRows = await this.ctx.db
      .select()
      .from(statusMaintenances)
      .where(or(inArray(statusMaintenances.status, ['scheduled', 'in_progress']), and(eq(statusMaintenances.status, 'completed'), gte(statusMaintenances.endsAt, new Date(at.getTime() - 14 * 86_400_000)))))
      .orderBy(asc(statusMaintenances.startsAt));
    const maintenanceLinks = maintenanceRows.length
      ? await this.ctx.db.select().from(statusMaintenanceComponents).where(inArray(statusMaintenanceComponents.maintenanceId, maintenanceRows.map((m) => m.id)))
      : [];
    const maintenances = maintenanceRows.map((m) => ({
      id: m.id,
      title: m.title,
      description: m.description,
      status: m.status,
      startsAt: m.startsAt,
      endsAt: m.endsAt,
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
      componentIds: maintenanceLinks.filter((l) => l.maintenanceId === m.id).map((l) => l.componentId),
    }));
    const ids = rows.map((r) => r.id);
    const [updates, affected] = ids.length
      ? await Promise.all([
          this.ctx.db.select().from(incidentUpdates).where(inArray(incidentUpdates.incidentId, ids)).orderBy(desc(incidentUpdates.at)),
          this.ctx.db.select().from(incidentComponents).where(inArray(incidentComponents.incidentId, ids)),
        ])
      : [[], []];
    const list = rows.map((r) => ({
      id: r.id,
      number: r.number,
      // The public title: the agents' title may be a customer's ticket subject.
      title: r.publicTitle,
      severity: r.severity,
      state: r.state,
      startedAt: r.startedAt,
      resolvedAt: r.resolvedAt,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      level: levels.get(r.severity) ?? 9,
      updates: updates.filter((u) => u.incidentId === r.id).map((u) => ({ id: u.id, state: u.state, body: u.body, eta: u.eta, at: u.at })),
      components: affected.filter((a) => a.incidentId === r.id).map((a) => ({ id: a.componentId, status: a.status })),
    }));
    return {
      at,
      incidents: list,
      maintenances,
      components: components.map((c) => {
        let current = c.status;
        // Maintenance in progress: "under maintenance", unless something worse is going on.
        for (const m of maintenances) if (m.status === 'in_progress' && m.componentIds.includes(c.id)) current = worst(current, 'under_maintenance');
        for (const i of list) if (ACTIVE.includes(i.state)) for (const a of i.components) if (a.id === c.id) current = worst(current, a.status);
        return { ...c, current };
      }),
    };
  }

  private async leads(ids: string[]): Promise<Map<string, { id: string; name: string }>> {
    if (!ids.length) return new Map();
    const rows = await this.ctx.db
      .select({ incidentId: incidentRoleAssignments.incidentId, userId: incidentRoleAssignments.userId })
      .from(incidentRoleAssignments)
      .innerJoin(incidentRoles, and(eq(incidentRoles.key, incidentRoleAssignments.roleKey), eq(incidentRoles.lead, true)))
      .where(inArray(incidentRoleAssignments.incidentId, ids));
    const names = await this.names(rows.map((r) => r.userId));
    return new Map(rows.map((r) => [r.incidentId, { id: r.userId, name: names.get(r.userId) ?? '' }]));
  }

  private async names(ids: (string | null)[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const id of new Set(ids.filter((x): x is string => !!x))) out.set(id, (await this.people.getUser(id).catch(() => null))?.name ?? '');
    return out;
  }
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** For reports: every incident as `inc (id, number, severity, detected_at, acknowledged_at, resolved_at)`. */
export function incidentReportRows(): SQL {
  return sql`(select ${incidents.id} as id, ${incidents.number} as number, ${incidents.severity} as severity, ${incidents.detectedAt} as detected_at,
                     ${incidents.acknowledgedAt} as acknowledged_at, ${incidents.resolvedAt} as resolved_at from ${incidents}) as inc`;
}
