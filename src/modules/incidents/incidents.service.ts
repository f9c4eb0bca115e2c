import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor, Tx } from '../../db/client.js';
import { type Actor, isAgent, SYSTEM_ACTOR } from '../../platform/auth.js';
import type { Cached } from '../../platform/cache.js';
import type { Ctx } from '../../platform/context.js';
import { AppError, foreignKeyColumn } from '../../platform/errors.js';
import { defineJob, enqueue, enqueueMany } from '../../platform/jobs.js';
import type { OutboundService } from '../email/outbound.service.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import type { TicketsService } from '../tickets/tickets.service.js';
import { AUTO_DECLARE, autoDeclareKey } from './auto-declare.js';
import {
  type ActionItem,
  COMPONENT_STATUSES,
  type IncidentSettingsData,
  type IncidentState,
  incidentComponents,
  incidentNotices,
  incidentRetros,
  incidentRoleAssignments,
  incidentRoles,
  incidents,
  incidentSettings,
  incidentTickets,
  incidentTimeline,
  incidentUpdates,
  type TimelineKind,
} from './incidents.schema.js';

export type Incident = typeof incidents.$inferSelect;
export type IncidentRole = typeof incidentRoles.$inferSelect;
export type Severity = { key: string; name: string; level: number; cadenceMinutes: number };

/** The states a status update may set: what the public sees. */
export const PUBLIC_STATES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
const ACTIVE: IncidentState[] = ['investigating', 'identified', 'monitoring'];

/**
 * Where an incident may go from each state. The three active states move freely (a theory can fall through), a
 * resolved incident may reopen (the fix did not hold) or go to its retro, and a closed incident goes nowhere.
 */
const NEXT: Record<IncidentState, readonly IncidentState[]> = {
  investigating: ['identified', 'monitoring', 'resolved'],
  identified: ['investigating', 'monitoring', 'resolved'],
  monitoring: ['investigating', 'identified', 'resolved'],
  resolved: ['investigating', 'pending_retro', 'closed'],
  pending_retro: ['closed'],
  closed: [],
};

const Text = z.string().trim().max(20_000);
const Instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const AffectedComponent = z.object({ id: z.uuid(), status: z.enum(COMPONENT_STATUSES).exclude(['operational']).default('major_outage') });

/** What the public sees when the declarer names nothing else: a ticket's subject must never reach the status page. */
export const NEUTRAL_PUBLIC_TITLE = 'Service disruption';
const PublicTitle = z.string().trim().min(1).max(200);

export const DeclareBody = z.object({
  title: z.string().trim().min(1).max(200),
  // The status page's name for it; default: the neutral text when declared from a ticket, else the title.
  publicTitle: PublicTitle.optional(),
  severity: z.string().trim().min(1).max(20),
  originTicketId: z.uuid().optional(),
  components: z.array(AffectedComponent).max(100).default([]),
  // Role key → user id; the declarer leads unless someone else is named.
  roles: z.record(z.string().max(64), z.uuid()).default({}),
  impact: Text.default(''),
  startedAt: Instant.optional(),
  detectedAt: Instant.optional(),
});
export const UpdateIncidentBody = z.object({
  title: z.string().trim().min(1).max(200).optional(),
  publicTitle: PublicTitle.optional(),
  severity: z.string().trim().min(1).max(20).optional(),
  impact: Text.optional(),
  currentTheory: Text.optional(),
  nextSteps: Text.optional(),
  components: z.array(AffectedComponent).max(100).optional(),
  startedAt: Instant.optional(),
  detectedAt: Instant.optional(),
  acknowledgedAt: Instant.optional(),
  mitigatedAt: Instant.optional(),
  version: z.number().int().positive().optional(),
});
export const StatusUpdateBody = z.object({
  state: z.enum(PUBLIC_STATES),
  body: z.string().trim().min(1).max(5_000),
  eta: Instant.nullable().default(null),
  // One public reply on each linked ticket, as jobs after commit.
  notifyCustomers: z.boolean().default(false),
  // A mail to the status page's subscribers of the affected components (the outbox: jobs in batches).
  notifySubscribers: z.boolean().default(false),
});
export const StateBody = z.object({ state: z.enum(['investigating', 'identified', 'monitoring', 'resolved', 'pending_retro', 'closed']), note: Text.default('') });
export const EntryBody = z.object({ kind: z.enum(['note', 'decision', 'action']), body: z.string().trim().min(1).max(20_000), pinned: z.boolean().default(false) });
export const SolveLinkedBody = z.object({ notice: z.string().trim().min(1).max(10_000) });
export const RoleBody = z.object({ key: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), name: z.string().trim().min(1).max(100), lead: z.boolean().default(false) });
const ActionItemBody = z.object({
  // The item's id from the retro as read; omitted for a new item (the server gives it one).
  id: z.uuid().optional(),
  title: z.string().trim().min(1).max(500),
  ownerId: z.uuid().nullable().default(null),
  dueOn: z.iso.date().nullable().default(null),
  // A ticket, a GitHub issue, any http(s) page.
  link: z.url({ protocol: /^https?$/ }).max(2000).nullable().default(null),
  done: z.boolean().default(false),
});
export const RetroBody = z.object({
  summary: Text.default(''),
  rootCause: Text.default(''),
  whys: z.array(z.string().trim().min(1).max(2000)).max(10).default([]),
  wentWell: Text.default(''),
  wentBadly: Text.default(''),
  actionItems: z.array(ActionItemBody).max(50).default([]),
});
/** One action item changed on its own: allowed after the retro is done and the incident closed (items outlive both). */
export const ActionItemPatch = z
  .object({ done: z.boolean().optional(), dueOn: z.iso.date().nullable().optional(), ownerId: z.uuid().nullable().optional() })
  .refine((p) => Object.keys(p).length > 0, { message: 'nothing to change' });
// Done, or skipped with a reason.
export const CompleteRetroBody = z.union([z.object({ done: z.literal(true) }).strict(), z.object({ skipReason: z.string().trim().min(3).max(2000) }).strict()]);
const RETRO_DUE_MS = 48 * 3600_000;
// An action item's owner is reminded at most once a day, whatever happens to its due date.
const REMIND_AGAIN_MS = 24 * 3600_000;

/** The composer's starting text per state (PMERIT's and CommCare's update templates), until an admin sets their own. */
export const UPDATE_TEMPLATES: Record<(typeof PUBLIC_STATES)[number], string> = {
  investigating: 'We are investigating reports of a problem. We will post an update as soon as we know more.',
  identified: 'We have identified the cause and are working on a fix.',
  monitoring: 'A fix has been applied and we are monitoring the results.',
  resolved: 'This incident has been resolved. Thank you for your patience.',
};
const Template = z.string().trim().max(5_000);

export const SettingsBody = z.object({
  severityLevels: z.number().int().min(1).max(5),
  cadenceMinutes: z.array(z.number().int().min(1).max(24 * 60)).min(1).max(5),
  remindBeforeMinutes: z.number().int().min(0).max(240),
  statusPageTitle: z.string().trim().min(1).max(100),
  webhookIds: z.array(z.uuid()).max(20).default([]),
  linkedTicketState: z.string().trim().min(1).max(64).nullable().default(null),
  originTicketStateOnResolve: z.string().trim().min(1).max(64).nullable().default(null),
  confirmFixOnResolve: z.boolean().default(false),
  // A ticket that becomes one of these priorities (created so by staff or a channel, or raised to it) declares an incident.
  autoDeclarePriorities: z.array(z.string().trim().min(1).max(20)).max(5).default([]),
  // Only the states an admin changed; an empty text means "start empty".
  updateTemplates: z.object({ investigating: Template, identified: Template, monitoring: Template, resolved: Template }).partial().strict().optional(),
});

/** A public reply on one linked ticket (an update's notice, or the resolution notice that also solves it). */
export const NOTIFY_TICKET = defineJob({
  kind: 'incidents.notify-ticket',
  // confirm: instead of solving, ask the requester to confirm the fix and leave the ticket pending (settings' confirmFixOnResolve).
  payload: z.object({ key: z.string(), ticketId: z.uuid(), body: z.string(), solve: z.boolean(), confirm: z.boolean().optional() }),
});

/**
 * Moves one linked ticket with the incident: `hold` (into the settings' linked-ticket state while the incident is
 * active), `release` (back to where it was, on resolve), `retro` (the origin ticket, on resolve, per setting).
 */
export const TICKET_STATE = defineJob({
  kind: 'incidents.ticket-state',
  payload: z.object({ incidentId: z.uuid(), ticketId: z.uuid(), move: z.enum(['hold', 'release', 'retro']) }),
});

/**
 * What a module hooks onto a declared incident (paging, chat announcements): run inside the declaring
 * transaction, so it enqueues its jobs with the incident — it must not do slow work or call out.
 */
export type DeclaredSubscriber = { name: string; run: (tx: Tx, incident: Incident) => Promise<void> };

/**
 * What hooks onto a posted status update (subscriber notices, outgoing webhooks): run inside the posting
 * transaction — enqueue there, never call out. `first`: the incident's first public update (it appears now).
 */
export type UpdatePosted = { settings: IncidentSettingsData; level: number; incident: Incident; update: typeof incidentUpdates.$inferSelect; first: boolean; components: { id: string; status: string }[] };
export type UpdateSubscriber = { name: string; run: (tx: Tx, posted: UpdatePosted) => Promise<void> };

/**
 * Major incidents: the record, its roles, the live timeline, status updates with their cadence, and the
 * customer tickets tied to it. Each command is one transaction writing the change and its timeline entry (the
 * incident's audit trail); replies to linked tickets are jobs, so posting an update is never held up by them.
 */
export class IncidentsService {
  private readonly declared: DeclaredSubscriber[] = [];
  private readonly posted: UpdateSubscriber[] = [];
  private readonly changed: (() => Promise<void>)[] = [];

  constructor(
    private readonly ctx: Ctx,
    private readonly tickets: TicketsService,
    private readonly ticketQueries: TicketQueries,
    private readonly ticketSettings: TicketSettingsService,
    private readonly people: PeopleService,
    // Overdue action items are mailed to their owners through the email module's outbox (in the sweep's transaction).
    private readonly outbound?: Pick<OutboundService, 'queueStandalone'>,
  ) {}

  /** Hooks a subscriber onto every declared incident (the on-call module pages from here). */
  onDeclared(subscriber: DeclaredSubscriber): void {
    if (this.declared.some((s) => s.name === subscriber.name)) throw new Error(`incident subscriber ${subscriber.name} added twice`);
    this.declared.push(subscriber);
  }

  /** Hooks a subscriber onto every posted status update (subscriber mail, webhooks). */
  onUpdatePosted(subscriber: UpdateSubscriber): void {
    if (this.posted.some((s) => s.name === subscriber.name)) throw new Error(`update subscriber ${subscriber.name} added twice`);
    this.posted.push(subscriber);
  }

  /** Called after any committed change the public may see (the status page re-renders). */
  onChange(fn: () => Promise<void>): void {
    this.changed.push(fn);
  }

  // ---- settings, severities, roles

  // Read by every ticket creation and field change (auto-declare.ts): cached per process, cleared through NOTIFY on save.
  private autoDeclareCache: Cached<string[]> | undefined;
  private get autoDeclare(): Cached<string[]> {
    this.autoDeclareCache ??= this.ctx.cache.cached('incident_auto_declare', async (ex) => (await this.settings(ex)).autoDeclarePriorities ?? []);
    return this.autoDeclareCache;
  }

  /** The priorities that declare an incident from a ticket automatically (cached). */
  autoDeclarePriorities(ex: Executor = this.ctx.db): Promise<string[]> {
    return this.autoDeclare.get(ex);
  }

  /** `ex`: the caller's transaction when one is open (embedded PGlite has one connection, which it holds). */
  async settings(ex: Executor = this.ctx.db): Promise<IncidentSettingsData> {
    const [row] = await ex.select().from(incidentSettings).where(eq(incidentSettings.id, 1));
    if (!row) throw new AppError('INTERNAL', 'incident settings missing');
    return row.data;
  }

  /** Set by the module: whether a webhook id names a webhook (settings name the ones incident events go to). */
  webhookExists: (id: string) => Promise<boolean> = async () => false;

  async updateSettings(input: z.infer<typeof SettingsBody>): Promise<IncidentSettingsData> {
    const unknown: { path: string; message: string }[] = [];
    for (const [i, id] of input.webhookIds.entries()) if (!(await this.webhookExists(id))) unknown.push({ path: `body.webhookIds.${i}`, message: 'no such webhook' });
    if (input.autoDeclarePriorities.length) {
      const keys = (await this.severities()).map((s) => s.key);
      for (const [i, key] of input.autoDeclarePriorities.entries()) if (!keys.includes(key)) unknown.push({ path: `body.autoDeclarePriorities.${i}`, message: `${key} is not an incident severity (${keys.join(', ')})` });
    }
    for (const field of ['linkedTicketState', 'originTicketStateOnResolve'] as const) {
      const key = input[field];
      if (!key) continue;
      const state = await this.ticketSettings.getState(key);
      // A state that keeps the ticket open: holding tickets in "solved" would close customers' questions unanswered.
      if (!state) unknown.push({ path: `body.${field}`, message: `no ticket state ${key}` });
      else if (!['open', 'pending', 'on_hold'].includes(state.category)) unknown.push({ path: `body.${field}`, message: `${state.label} is ${state.category}; pick an open, pending or on-hold state` });
    }
    if (unknown.length) throw new AppError('INVALID_REFERENCE', unknown.map((f) => `${f.path}: ${f.message}`).join('; '), { fields: unknown });
    await this.ctx.db.update(incidentSettings).set({ data: input, updatedAt: this.ctx.clock.now() }).where(eq(incidentSettings.id, 1));
    await this.autoDeclare.invalidate();
    await this.publish();
    return input;
  }

  /**
   * The rule action `declare_incident`: enqueues, in the rule's transaction, the same job the auto-declare setting
   * does (docs/incidents.md), on the same per-ticket key — one incident per ticket however often the trigger fires,
   * the setting joins in, or a job is replayed; none while the ticket is tied to an incident not closed.
   */
  async declareFromRule(tx: Tx, ticket: { id: string; priorityId: string | null }, input: { severity?: string; rule: string }): Promise<void> {
    // The ticket's priority as of now; the job maps it to a severity when the action named none.
    const priority = (await this.ticketSettings.allPriorities(tx)).find((p) => p.id === ticket.priorityId)?.key ?? '';
    await enqueue(tx, this.ctx.clock, AUTO_DECLARE, { ticketId: ticket.id, priority, severity: input.severity, rule: input.rule }, { key: autoDeclareKey(ticket.id) });
  }

  /** Whether `key` is an incident severity now (rule actions check at save time). */
  async isSeverity(key: string): Promise<boolean> {
    return (await this.severities()).some((s) => s.key === key);
  }

  /** The incident severities: the active priority scheme's top levels, each with its update cadence. */
  async severities(): Promise<Severity[]> {
    const s = await this.settings();
    const top = (await this.ticketSettings.activePriorities()).sort((a, b) => a.rank - b.rank).slice(0, s.severityLevels);
    return top.map((p, level) => ({ key: p.key, name: p.name, level, cadenceMinutes: s.cadenceMinutes[level] ?? s.cadenceMinutes.at(-1) ?? 60 }));
  }

  private async severity(key: string): Promise<Severity> {
    const all = await this.severities();
    const found = all.find((s) => s.key === key);
    if (!found) {
      throw new AppError('INVALID_REFERENCE', `Severity ${key} is not one of ${all.map((s) => s.key).join(', ')}`, { fields: [{ path: 'body.severity', message: `no severity ${key}` }] });
    }
    return found;
  }

  roles(): Promise<IncidentRole[]> {
    return this.ctx.db.select().from(incidentRoles).orderBy(asc(incidentRoles.position));
  }

  /** Replaces the role list; exactly one role leads, and roles held in an open incident stay. */
  async replaceRoles(list: z.infer<typeof RoleBody>[]): Promise<IncidentRole[]> {
    if (list.filter((r) => r.lead).length !== 1) throw new AppError('INVALID_FIELD_VALUE', 'Exactly one role is the lead role', { fields: [{ path: 'body', message: 'one role needs lead: true' }] });
    const keys = list.map((r) => r.key);
    if (new Set(keys).size !== keys.length) throw new AppError('INVALID_FIELD_VALUE', 'Role keys must be unique', { fields: [{ path: 'body', message: 'a key appears twice' }] });
    await this.ctx.db.transaction(async (tx) => {
      const held = await tx
        .selectDistinct({ key: incidentRoleAssignments.roleKey })
        .from(incidentRoleAssignments)
        .innerJoin(incidents, eq(incidents.id, incidentRoleAssignments.incidentId))
        .where(sql`${incidents.state} <> 'closed'`);
      const dropped = held.map((h) => h.key).filter((k) => !keys.includes(k));
      if (dropped.length) throw new AppError('IN_USE', `Role ${dropped.join(', ')} is held in an open incident`);
      // Clear the lead flag first: the one-lead index holds after every statement.
      await tx.update(incidentRoles).set({ lead: false });
      await tx.delete(incidentRoles).where(keys.length ? sql`${incidentRoles.key} not in ${keys}` : sql`true`);
      for (const [i, r] of list.entries()) {
        await tx
          .insert(incidentRoles)
          .values({ ...r, position: (i + 1) * 10 })
          .onConflictDoUpdate({ target: incidentRoles.key, set: { name: r.name, lead: r.lead, position: (i + 1) * 10 } });
      }
    });
    return this.roles();
  }

  // ---- the incident

  /** `also`: the caller's own step inside the declaring transaction (monitors tie their alert and page to it). */
  async declare(actor: Actor, input: z.infer<typeof DeclareBody>, also?: (tx: Tx, incident: Incident) => Promise<void>): Promise<Incident> {
    this.mustBeAgent(actor);
    const severity = await this.severity(input.severity);
    const roles = await this.roles();
    const lead = roles.find((r) => r.lead) as IncidentRole;
    const assigned: Record<string, string> = { [lead.key]: actor.userId, ...input.roles };
    await this.checkRoles(assigned, roles);
    if (input.originTicketId) await this.ticketQueries.getRow(actor, input.originTicketId);
    const now = this.ctx.clock.now();
    const startedAt = input.startedAt ?? now;
    const detectedAt = input.detectedAt ?? now;
    this.checkTimes({ startedAt, detectedAt }, now);
    // Read before the transaction: embedded PGlite has one connection, which the transaction holds.
    const names = new Map<string, string>();
    for (const userId of Object.values(assigned)) names.set(userId, await this.nameOf(userId));
    const incident = await this.ctx.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(incidents)
        .values({
          title: input.title,
          publicTitle: input.publicTitle ?? (input.originTicketId ? NEUTRAL_PUBLIC_TITLE : input.title),
          severity: severity.key,
          originTicketId: input.originTicketId ?? null,
          impact: input.impact,
          startedAt,
          detectedAt,
          // A lead named at declaration has taken it on: that is the acknowledgement.
          acknowledgedAt: now,
          nextUpdateDueAt: new Date(now.getTime() + severity.cadenceMinutes * 60_000),
          declaredById: actor.userId,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      const inc = row as Incident;
      await this.entry(tx, inc.id, actor, 'declared', `Declared ${severity.key}: ${inc.title}`, { severity: severity.key, originTicketId: inc.originTicketId });
      await this.setComponents(tx, inc.id, input.components);
      for (const [key, userId] of Object.entries(assigned)) {
        await tx.insert(incidentRoleAssignments).values({ incidentId: inc.id, roleKey: key, userId, assignedAt: now });
        await this.entry(tx, inc.id, actor, 'role_change', `${names.get(userId)} is ${roles.find((r) => r.key === key)?.name}`, { role: key, userId });
      }
      if (inc.originTicketId) await this.link(tx, actor, inc.id, inc.originTicketId, true);
      for (const s of this.declared) await s.run(tx, inc);
      if (also) await also(tx, inc);
      return inc;
    });
    await this.publish();
    return incident;
  }

  async update(actor: Actor, id: string, patch: z.infer<typeof UpdateIncidentBody>): Promise<Incident> {
    this.mustBeAgent(actor);
    if (patch.severity) await this.severity(patch.severity);
    const result = await this.ctx.db.transaction(async (tx) => {
      const current = await this.open(tx, id);
      if (patch.version !== undefined && patch.version !== current.version) {
        throw new AppError('VERSION_CONFLICT', `Incident #${current.number} changed since version ${patch.version}`, { extra: { current } });
      }
      const { version: _v, components, ...fields } = patch;
      const now = this.ctx.clock.now();
      const merged = { ...current, ...fields };
      this.checkTimes({ startedAt: merged.startedAt, detectedAt: merged.detectedAt, acknowledgedAt: merged.acknowledgedAt, mitigatedAt: merged.mitigatedAt }, now);
      const changed = Object.entries(fields).filter(([k, v]) => String(v) !== String(current[k as keyof Incident]));
      if (components) await this.setComponents(tx, id, components);
      const [row] = await tx
        .update(incidents)
        .set({ ...fields, version: current.version + 1, updatedAt: now })
        .where(eq(incidents.id, id))
        .returning();
      if (changed.length || components) {
        await this.entry(tx, id, actor, 'summary_changed', `Changed ${[...changed.map(([k]) => k), ...(components ? ['components'] : [])].join(', ')}`, Object.fromEntries(changed));
      }
      return row as Incident;
    });
    await this.publish();
    return result;
  }

  /** Moves the incident to another state without public text (pending retro, closed, or a quiet correction). */
  async changeState(actor: Actor, id: string, input: z.infer<typeof StateBody>): Promise<Incident> {
    this.mustBeAgent(actor);
    const result = await this.ctx.db.transaction(async (tx) => {
      const current = await this.open(tx, id);
      this.checkTransition(current, input.state);
      if (input.state === 'closed') {
        const [retro] = await tx.select().from(incidentRetros).where(eq(incidentRetros.incidentId, id));
        if (!retro || retro.status === 'draft') throw new AppError('RETRO_NOT_DONE', `Incident #${current.number} closes once its retro is done, or skipped with a reason`);
      }
      const row = await this.moveTo(tx, current, input.state);
      await this.entry(tx, id, actor, 'state_change', input.note || `${current.state} → ${input.state}`, { from: current.state, to: input.state });
      return row;
    });
    await this.publish();
    return result;
  }

  /**
   * Posts a status update: its public text on the status page, the state it sets, the next update's due time
   * from the severity's cadence, and — when asked — one public reply per linked ticket, enqueued as jobs.
   */
  async postUpdate(actor: Actor, id: string, input: z.infer<typeof StatusUpdateBody>): Promise<{ incident: Incident; update: typeof incidentUpdates.$inferSelect; notified: number }> {
    this.mustBeAgent(actor);
    const now = this.ctx.clock.now();
    if (input.eta && input.eta <= now) throw new AppError('INVALID_FIELD_VALUE', 'The ETA must be in the future', { fields: [{ path: 'body.eta', message: 'in the past' }] });
    const severities = await this.severities();
    const settings = await this.settings();
    const seen = input.notifyCustomers ? await this.linkedTicketsSeenBy(actor, id) : [];
    const result = await this.ctx.db.transaction(async (tx) => {
      const current = await this.open(tx, id);
      if (input.state !== current.state) this.checkTransition(current, input.state);
      else if (!ACTIVE.includes(current.state)) throw new AppError('INVALID_TRANSITION', `Incident #${current.number} is ${current.state}; an update can reopen it (investigating) only`);
      const [{ n: earlier } = { n: 0 }] = await tx.select({ n: sql<number>`count(*)::int` }).from(incidentUpdates).where(eq(incidentUpdates.incidentId, id));
      const [update] = await tx
        .insert(incidentUpdates)
        .values({ incidentId: id, state: input.state, body: input.body, eta: input.eta, notifyCustomers: input.notifyCustomers, notifySubscribers: input.notifySubscribers, authorId: actor.userId, at: now })
        .returning();
      const u = update as typeof incidentUpdates.$inferSelect;
      let row = input.state === current.state ? current : await this.moveTo(tx, current, input.state);
      // A severity no longer among the top levels (the scheme changed) keeps the slowest cadence.
      const cadence = severities.find((x) => x.key === row.severity)?.cadenceMinutes ?? Math.max(...severities.map((x) => x.cadenceMinutes));
      const due = ACTIVE.includes(input.state) ? new Date(now.getTime() + cadence * 60_000) : null;
      [row] = (await tx.update(incidents).set({ nextUpdateDueAt: due, lateSince: null, updatedAt: now }).where(eq(incidents.id, id)).returning()) as [Incident];
      await this.entry(tx, id, actor, 'status_update', input.body, { updateId: u.id, state: input.state, eta: input.eta?.toISOString() ?? null, notifyCustomers: input.notifyCustomers, notifySubscribers: input.notifySubscribers });
      const components = (await tx.select().from(incidentComponents).where(eq(incidentComponents.incidentId, id))).map((c) => ({ id: c.componentId, status: c.status }));
      const level = severities.find((x) => x.key === row.severity)?.level ?? 9;
      for (const s of this.posted) await s.run(tx, { settings, level, incident: row, update: u, first: earlier === 0, components });
      let notified = 0;
      if (input.notifyCustomers) {
        const linked = seen.map((ticketId) => ({ ticketId }));
        const body = this.noticeText(row, u);
        // One statement per 1,000 linked tickets: posting to a big incident must not wait on a round trip per ticket.
        await enqueueMany(
          tx,
          this.ctx.clock,
          NOTIFY_TICKET,
          linked.map(({ ticketId }) => {
            const key = `incident-update:${u.id}:${ticketId}`;
            return { key, payload: { key, ticketId, body, solve: false } };
          }),
        );
        notified = linked.length;
      }
      return { incident: row, update: u, notified };
    });
    await this.publish();
    return result;
  }

  /** Sends the resolution notice to every linked ticket and solves them (all but the origin ticket), as jobs. */
  async solveLinkedTickets(actor: Actor, id: string, input: z.infer<typeof SolveLinkedBody>): Promise<{ queued: number }> {
    this.mustBeAgent(actor);
    const seen = await this.linkedTicketsSeenBy(actor, id);
    const confirm = (await this.settings()).confirmFixOnResolve === true;
    const body = confirm ? `${input.notice}\n\n${CONFIRM_QUESTION}` : input.notice;
    return this.ctx.db.transaction(async (tx) => {
      const current = await this.get(tx, id);
      if (!['resolved', 'pending_retro', 'closed'].includes(current.state)) {
        throw new AppError('INVALID_TRANSITION', `Incident #${current.number} is ${current.state}; resolve it before solving its tickets`);
      }
      const linked = seen.map((ticketId) => ({ ticketId }));
      await enqueueMany(
        tx,
        this.ctx.clock,
        NOTIFY_TICKET,
        linked.map(({ ticketId }) => {
          const key = `incident-resolved:${id}:${ticketId}`;
          // The origin ticket gets the notice but stays open: it follows the incident to its retro (CommCare's "Pending Retro").
          return { key, payload: { key, ticketId, body, solve: ticketId !== current.originTicketId, confirm } };
        }),
      );
      await this.entry(tx, id, actor, 'action', confirm ? `Asking the requesters of ${linked.length} linked ticket(s) to confirm the fix` : `Solving ${linked.length} linked ticket(s) with the resolution notice`, { notice: input.notice, confirm });
      return { queued: linked.length };
    });
  }

  /**
   * The job: one public reply on a linked ticket (and, for the resolution notice, solving it). The notice row and
   * the reply commit together, so a retry never replies twice; a ticket closed meanwhile is skipped.
   */
  async notifyTicket(p: z.infer<typeof NOTIFY_TICKET.payload>): Promise<void> {
    await this.ctx.db.transaction(async (tx) => {
      const [fresh] = await tx.insert(incidentNotices).values({ key: p.key, ticketId: p.ticketId, at: this.ctx.clock.now() }).onConflictDoNothing().returning();
      if (!fresh) return;
      const t = await this.ticketQueries.getRow(SYSTEM_ACTOR, p.ticketId, tx);
      if (t.statusCategory === 'closed' || t.statusCategory === 'merged') return;
      await this.tickets.addSystemMessage(p.ticketId, { body: p.body, public: true }, { tx });
      if (p.solve && t.statusCategory !== 'solved') {
        try {
          await tx.transaction(async (inner) => {
            // Asked to confirm: the ticket waits on the requester (their reply reopens it) rather than being solved.
            await this.tickets.update(null, p.ticketId, { status: p.confirm ? 'pending' : 'solved' }, { tx: inner });
          });
        } catch (err) {
          // A ticket that cannot be solved as it stands (a field required on solve): the notice still goes out,
          // and the agents see why it stayed open.
          if (!(err instanceof AppError)) throw err;
          await this.tickets.addSystemMessage(p.ticketId, { body: `Not solved with the incident: ${err.message}`, public: false }, { tx });
        }
      }
    });
  }

  private async queueTicketMove(tx: Tx, incidentId: string, ticketId: string, move: 'hold' | 'release' | 'retro'): Promise<void> {
    // Keyed by the moment: the same move may come again after a reopen; the job itself acts only when it still fits.
    const key = `incident-ticket-state:${incidentId}:${ticketId}:${move}:${this.ctx.clock.now().getTime()}`;
    await enqueue(tx, this.ctx.clock, TICKET_STATE, { incidentId, ticketId, move }, { key });
  }

  /**
   * The job: moves one linked ticket with its incident. Hold remembers the state it came from; release puts the
   * ticket back there only if it still waits in the held state (an agent who moved it meanwhile is not overruled;
   * a ticket that was New comes back Open); retro moves the origin ticket to the settings' state. A solved, closed
   * or merged ticket is never moved, and a move the ticket's rules refuse leaves it and says why in a note.
   */
  async moveLinkedTicket(p: z.infer<typeof TICKET_STATE.payload>): Promise<void> {
    const settings = await this.settings();
    await this.ctx.db.transaction(async (tx) => {
      const [link] = await tx.select().from(incidentTickets).where(and(eq(incidentTickets.incidentId, p.incidentId), eq(incidentTickets.ticketId, p.ticketId))).for('update');
      if (!link) return;
      const t = await this.ticketQueries.getRow(SYSTEM_ACTOR, p.ticketId, tx);
      if (['solved', 'closed', 'merged'].includes(t.statusCategory)) return;
      const held = settings.linkedTicketState ?? null;
      let to: string | null = null;
      let heldFrom: string | null = link.heldFrom;
      if (p.move === 'hold') {
        if (!held || link.heldFrom || t.status === held) return;
        to = held;
        heldFrom = t.status;
      } else {
        const back = link.heldFrom && t.status === held ? link.heldFrom : null;
        to = p.move === 'retro' ? (settings.originTicketStateOnResolve ?? back) : back;
        if (to && (await this.ticketSettings.getState(to, tx))?.category === 'new') to = 'open';
        heldFrom = null;
      }
      await tx.update(incidentTickets).set({ heldFrom }).where(and(eq(incidentTickets.incidentId, p.incidentId), eq(incidentTickets.ticketId, p.ticketId)));
      if (!to || to === t.status) return;
      const target = to;
      try {
        await tx.transaction(async (inner) => {
          await this.tickets.update(null, p.ticketId, { status: target }, { tx: inner });
        });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        await tx.update(incidentTickets).set({ heldFrom: null }).where(and(eq(incidentTickets.incidentId, p.incidentId), eq(incidentTickets.ticketId, p.ticketId)));
        await this.tickets.addSystemMessage(p.ticketId, { body: `Not moved to ${target} with the incident: ${err.message}`, public: false }, { tx });
      }
    });
  }

  async addEntry(actor: Actor, id: string, input: z.infer<typeof EntryBody>) {
    this.mustBeAgent(actor);
    return this.ctx.db.transaction(async (tx) => {
      await this.open(tx, id);
      const row = await this.entry(tx, id, actor, input.kind, input.body, {}, input.pinned);
      await tx.update(incidents).set({ updatedAt: this.ctx.clock.now() }).where(eq(incidents.id, id));
      return row;
    });
  }

  /** Pins or unpins a timeline entry; allowed on a closed incident too (the retro reads the pins). */
  async pin(actor: Actor, id: string, entryId: number, pinned: boolean) {
    this.mustBeAgent(actor);
    const [row] = await this.ctx.db
      .update(incidentTimeline)
      .set({ pinned })
      .where(and(eq(incidentTimeline.id, entryId), eq(incidentTimeline.incidentId, id)))
      .returning();
    if (!row) throw new AppError('NOT_FOUND', `No timeline entry ${entryId} on incident ${id}`);
    return row;
  }

  /** Gives a role to someone, or takes it away (`userId` null); the lead role cannot be left empty. */
  async assignRole(actor: Actor, id: string, roleKey: string, userId: string | null): Promise<void> {
    this.mustBeAgent(actor);
    const roles = await this.roles();
    const role = roles.find((r) => r.key === roleKey);
    if (!role) throw new AppError('NOT_FOUND', `No incident role ${roleKey}`);
    if (userId === null && role.lead) throw new AppError('INVALID_FIELD_VALUE', 'An incident always has a lead; name the new lead instead', { fields: [{ path: 'body.userId', message: 'the lead role cannot be empty' }] });
    if (userId) await this.checkRoles({ [roleKey]: userId }, roles);
    const name = userId ? await this.nameOf(userId) : '';
    await this.ctx.db.transaction(async (tx) => {
      await this.open(tx, id);
      const now = this.ctx.clock.now();
      if (userId === null) {
        await tx.delete(incidentRoleAssignments).where(and(eq(incidentRoleAssignments.incidentId, id), eq(incidentRoleAssignments.roleKey, roleKey)));
        await this.entry(tx, id, actor, 'role_change', `${role.name}: nobody`, { role: roleKey, userId: null });
      } else {
        await tx
          .insert(incidentRoleAssignments)
          .values({ incidentId: id, roleKey, userId, assignedAt: now })
          .onConflictDoUpdate({ target: [incidentRoleAssignments.incidentId, incidentRoleAssignments.roleKey], set: { userId, assignedAt: now } });
        await this.entry(tx, id, actor, 'role_change', `${name} is ${role.name}`, { role: roleKey, userId });
      }
      await tx.update(incidents).set({ updatedAt: now }).where(eq(incidents.id, id));
    });
  }

  /** Ties customer tickets to the incident (each one the caller may see); already linked ones are left as they are. */
  async linkTickets(actor: Actor, id: string, ticketIds: string[]): Promise<{ linked: string[] }> {
    this.mustBeAgent(actor);
    for (const ticketId of ticketIds) await this.ticketQueries.getRow(actor, ticketId);
    const linked: string[] = [];
    await this.ctx.db.transaction(async (tx) => {
      const current = await this.open(tx, id);
      for (const ticketId of ticketIds) if (await this.link(tx, actor, id, ticketId, ACTIVE.includes(current.state))) linked.push(ticketId);
    });
    return { linked };
  }

  async unlinkTicket(actor: Actor, id: string, ticketId: string): Promise<void> {
    this.mustBeAgent(actor);
    await this.ticketQueries.getRow(actor, ticketId);
    await this.ctx.db.transaction(async (tx) => {
      await this.open(tx, id);
      const gone = await tx.delete(incidentTickets).where(and(eq(incidentTickets.incidentId, id), eq(incidentTickets.ticketId, ticketId))).returning();
      if (!gone.length) throw new AppError('NOT_FOUND', `Ticket ${ticketId} is not linked to this incident`);
      const t = await this.ticketQueries.getRow(actor, ticketId, tx);
      await this.entry(tx, id, actor, 'ticket_unlinked', `Unlinked ticket #${t.number}`, { ticketId, number: t.number });
    });
  }

  /** Saves the retro document (a draft until completed); only while the incident is resolved or pending retro. */
  async saveRetro(actor: Actor, id: string, input: z.infer<typeof RetroBody>) {
    this.mustBeAgent(actor);
    const fields: { path: string; message: string }[] = [];
    for (const [i, item] of input.actionItems.entries()) {
      if (!item.ownerId) continue;
      if (!(await this.isActiveStaff(item.ownerId))) fields.push({ path: `body.actionItems.${i}.ownerId`, message: 'not an active staff member' });
    }
    if (fields.length) throw new AppError('INVALID_REFERENCE', fields.map((f) => `${f.path}: ${f.message}`).join('; '), { fields });
    const twice = input.actionItems.findIndex((item, j) => item.id && input.actionItems.findIndex((x) => x.id === item.id) < j);
    if (twice >= 0) throw new AppError('INVALID_FIELD_VALUE', 'An action item appears twice', { fields: [{ path: `body.actionItems.${twice}.id`, message: 'the same id twice' }] });
    return this.ctx.db.transaction(async (tx) => {
      const current = await this.open(tx, id);
      const retro = await this.retroOf(tx, current);
      if (retro.status !== 'draft') throw new AppError('INVALID_TRANSITION', `The retro of incident #${current.number} is ${retro.status}; it takes no more changes`);
      // Ids are the server's: an id the retro does not hold is refused (a stale screen, another incident's item).
      const stored = new Map(retro.actionItems.map((a) => [a.id, a]));
      const unknown = input.actionItems.flatMap((item, i) => (item.id && !stored.has(item.id) ? [{ path: `body.actionItems.${i}.id`, message: 'no such action item on this retro' }] : []));
      if (unknown.length) throw new AppError('INVALID_REFERENCE', unknown.map((f) => `${f.path}: ${f.message}`).join('; '), { fields: unknown });
      // The reminded markers stay with their item: the reminder re-arms only for a later due date (the sweep compares).
      const actionItems: ActionItem[] = input.actionItems.map(({ id: itemId, ...item }) => {
        const was = itemId ? stored.get(itemId) : undefined;
        return { ...item, id: itemId ?? randomUUID(), remindedFor: was?.remindedFor || null, remindedAt: was?.remindedAt || null };
      });
      const [row] = await tx.update(incidentRetros).set({ ...input, actionItems, updatedAt: this.ctx.clock.now() }).where(eq(incidentRetros.incidentId, id)).returning();
      return row as typeof incidentRetros.$inferSelect;
    });
  }

  /**
   * Changes one action item (done, due date, owner) at any time after the retro opened — done, skipped or closed
   * included: action items are followed up long after. A new due date re-arms the overdue reminder; done ends it.
   */
  async updateActionItem(actor: Actor, id: string, itemId: string, patch: z.infer<typeof ActionItemPatch>) {
    this.mustBeAgent(actor);
    if (patch.ownerId && !(await this.isActiveStaff(patch.ownerId))) {
      throw new AppError('INVALID_REFERENCE', 'body.ownerId: not an active staff member', { fields: [{ path: 'body.ownerId', message: 'not an active staff member' }] });
    }
    return this.ctx.db.transaction(async (tx) => {
      const current = await this.get(tx, id);
      const retro = await this.retroOf(tx, current);
      const item = retro.actionItems.find((a) => a.id === itemId);
      if (!item) throw new AppError('NOT_FOUND', `No action item ${itemId} on the retro of incident #${current.number}`);
      const next: ActionItem = { ...item, ...patch };
      const changed = (['done', 'dueOn', 'ownerId'] as const).filter((k) => next[k] !== item[k]);
      if (!changed.length) return retro;
      const now = this.ctx.clock.now();
      const [row] = await tx
        .update(incidentRetros)
        .set({ actionItems: retro.actionItems.map((a) => (a.id === itemId ? next : a)), updatedAt: now })
        .where(eq(incidentRetros.incidentId, id))
        .returning();
      const what = changed.map((k) => (k === 'done' ? (next.done ? 'done' : 'not done') : k === 'dueOn' ? `due ${next.dueOn ?? 'whenever'}` : 'new owner')).join(', ');
      await this.entry(tx, id, actor, 'action', `Action item "${item.title}": ${what}`, { actionItemId: itemId, ...Object.fromEntries(changed.map((k) => [k, next[k]])) });
      return row as typeof incidentRetros.$inferSelect;
    });
  }

  /**
   * The overdue action items sweep (a schedule): an item not done whose due date is over (the whole day, UTC) is
   * reminded once to its owner — the incident's lead when it has none — by a timeline entry carrying `notify` (the
   * app shows it to them) and a mail through the outbox. Marker, entry and mail commit together under the retro's
   * row lock, so two processes, or a replayed slot, remind once. Only a due date later than the one already
   * reminded for reminds again once it passes, and never within 24 h of the last reminder: an agent flipping the
   * date between past days must not mail the owner on every sweep.
   */
  async sweepActionItems(): Promise<{ reminded: number }> {
    const now = this.ctx.clock.now();
    const today = now.toISOString().slice(0, 10);
    const dayAgo = new Date(now.getTime() - REMIND_AGAIN_MS).toISOString();
    return this.ctx.db.transaction(async (tx) => {
      // ISO dates and instants (toISOString, always UTC) order as strings.
      const due = sql`exists (select 1 from jsonb_array_elements(${incidentRetros.actionItems}) e
        where not coalesce((e->>'done')::boolean, false) and e->>'dueOn' is not null and e->>'dueOn' < ${today}
        and (e->>'remindedFor' is null or e->>'dueOn' > e->>'remindedFor')
        and (e->>'remindedAt' is null or e->>'remindedAt' <= ${dayAgo}))`;
      // SKIP LOCKED: a retro another process is reminding (or someone is saving) is left to it; the next sweep re-reads it.
      const retros = await tx.select().from(incidentRetros).where(due).for('update', { skipLocked: true });
      let reminded = 0;
      for (const retro of retros) {
        const overdue = retro.actionItems.filter((a) => !a.done && a.dueOn && a.dueOn < today && (!a.remindedFor || a.dueOn > a.remindedFor) && (!a.remindedAt || a.remindedAt <= dayAgo));
        if (!overdue.length) continue;
        const ids = new Set(overdue.map((a) => a.id));
        await tx
          .update(incidentRetros)
          .set({ actionItems: retro.actionItems.map((a) => (ids.has(a.id) ? { ...a, remindedFor: a.dueOn, remindedAt: now.toISOString() } : a)) })
          .where(eq(incidentRetros.incidentId, retro.incidentId));
        const [inc] = await tx.select({ number: incidents.number, title: incidents.title }).from(incidents).where(eq(incidents.id, retro.incidentId));
        const leads = await this.holders(tx, retro.incidentId, []);
        for (const item of overdue) {
          const owners = item.ownerId ? [item.ownerId] : leads;
          await this.entry(tx, retro.incidentId, null, 'reminder', `Action item overdue (due ${item.dueOn}): ${item.title}`, { actionItemId: item.id, dueOn: item.dueOn, notify: owners });
          await this.mailPeople(tx, owners, `Overdue action item from incident #${inc?.number}: ${item.title}`, [
            `This action item from the retrospective of incident #${inc?.number} (${inc?.title}) was due ${item.dueOn} and is not done:`,
            '',
            `    ${item.title}`,
            ...(item.link ? ['', `Link: ${item.link}`] : []),
            '',
            'Mark it done, or give it a new due date, on the incident page. You are reminded once per due date.',
          ], inc?.number);
          reminded++;
        }
      }
      return { reminded };
    });
  }

  /** Marks the retro done (it needs a root cause and at least one why) or skipped with a reason. */
  async completeRetro(actor: Actor, id: string, input: z.infer<typeof CompleteRetroBody>) {
    this.mustBeAgent(actor);
    return this.ctx.db.transaction(async (tx) => {
      const current = await this.open(tx, id);
      const retro = await this.retroOf(tx, current);
      if (retro.status !== 'draft') throw new AppError('INVALID_TRANSITION', `The retro of incident #${current.number} is already ${retro.status}`);
      const now = this.ctx.clock.now();
      if ('done' in input) {
        const missing = [...(retro.rootCause.trim() ? [] : ['rootCause']), ...(retro.whys.length ? [] : ['whys'])];
        if (missing.length) {
          throw new AppError('INVALID_FIELD_VALUE', `A retro is done with its root cause and at least one why (missing: ${missing.join(', ')})`, { fields: missing.map((m) => ({ path: `retro.${m}`, message: 'required to finish the retro' })) });
        }
      }
      const status = 'done' in input ? 'done' : 'skipped';
      const skipReason = 'skipReason' in input ? input.skipReason : null;
      const [row] = await tx.update(incidentRetros).set({ status, skipReason, completedAt: now, updatedAt: now }).where(eq(incidentRetros.incidentId, id)).returning();
      await this.entry(tx, id, actor, 'action', status === 'done' ? 'Retro done' : `Retro skipped: ${skipReason}`, { retro: status });
      return row as typeof incidentRetros.$inferSelect;
    });
  }

  private async retroOf(tx: Tx, current: Incident) {
    const [retro] = await tx.select().from(incidentRetros).where(eq(incidentRetros.incidentId, current.id)).for('update');
    if (!retro) throw new AppError('INVALID_TRANSITION', `Incident #${current.number} is ${current.state}; its retro opens once it is resolved`);
    return retro;
  }

  /**
   * The cadence sweep (a schedule): reminds the incident's lead once before an update is due, and marks it late
   * once after. Each mark is a conditional update, so two processes sweeping the same minute mark it once.
   */
  async sweepCadence(): Promise<{ reminded: number; late: number; retrosOverdue: number }> {
    const now = this.ctx.clock.now();
    const s = await this.settings();
    const remindFrom = new Date(now.getTime() + s.remindBeforeMinutes * 60_000);
    return this.ctx.db.transaction(async (tx) => {
      const reminded = await tx
        .update(incidents)
        .set({ remindedForDueAt: incidents.nextUpdateDueAt })
        .where(
          and(
            inArray(incidents.state, ACTIVE),
            sql`${incidents.nextUpdateDueAt} <= ${remindFrom.toISOString()}::timestamptz and ${incidents.nextUpdateDueAt} > ${now.toISOString()}::timestamptz`,
            sql`${incidents.remindedForDueAt} is distinct from ${incidents.nextUpdateDueAt}`,
          ),
        )
        .returning();
      for (const inc of reminded) {
        const minutes = Math.ceil(((inc.nextUpdateDueAt as Date).getTime() - now.getTime()) / 60_000);
        const notify = await this.holders(tx, inc.id, ['lead', 'support_lead']);
        await this.entry(tx, inc.id, null, 'reminder', `Next status update due in ${minutes} min`, { dueAt: inc.nextUpdateDueAt?.toISOString(), notify });
        await this.mailPeople(tx, notify, `Incident #${inc.number}: status update due in ${minutes} min`, [`The next status update of incident #${inc.number} (${inc.title}) is due in ${minutes} min.`], inc.number);
      }
      const late = await tx
        .update(incidents)
        .set({ lateSince: incidents.nextUpdateDueAt })
        .where(and(inArray(incidents.state, ACTIVE), sql`${incidents.nextUpdateDueAt} <= ${now.toISOString()}::timestamptz`, sql`${incidents.lateSince} is null`))
        .returning();
      for (const inc of late) {
        const notify = await this.holders(tx, inc.id, ['lead', 'support_lead']);
        await this.entry(tx, inc.id, null, 'late', 'Status update is late', { dueAt: inc.nextUpdateDueAt?.toISOString(), notify });
        await this.mailPeople(tx, notify, `Incident #${inc.number}: status update is late`, [`The status update of incident #${inc.number} (${inc.title}) was due at ${inc.nextUpdateDueAt?.toISOString().slice(11, 16)} UTC.`], inc.number);
      }
      // A retro past its due date (PMERIT: 48 hours after resolving): the lead is reminded, once.
      const overdue = await tx
        .update(incidentRetros)
        .set({ remindedAt: now })
        .where(and(eq(incidentRetros.status, 'draft'), sql`${incidentRetros.dueAt} <= ${now.toISOString()}::timestamptz`, sql`${incidentRetros.remindedAt} is null`))
        .returning();
      for (const r of overdue) {
        const notify = await this.holders(tx, r.incidentId, []);
        await this.entry(tx, r.incidentId, null, 'reminder', 'The retro is overdue', { retroDueAt: r.dueAt.toISOString(), notify });
        const [inc] = await tx.select({ number: incidents.number, title: incidents.title }).from(incidents).where(eq(incidents.id, r.incidentId));
        if (inc) await this.mailPeople(tx, notify, `Incident #${inc.number}: the retro is overdue`, [`The retrospective of incident #${inc.number} (${inc.title}) was due ${r.dueAt.toISOString().slice(0, 16).replace('T', ' ')} UTC: finish it, or skip it with a reason.`], inc.number);
      }
      return { reminded: reminded.length, late: late.length, retrosOverdue: overdue.length };
    });
  }

  // ---- helpers

  /**
   * A reminder by mail through the outbox, in the caller's transaction (so it goes exactly when the mark that causes
   * it commits). Someone deactivated or no longer staff gets none; the timeline entry still names them.
   */
  private async mailPeople(tx: Tx, userIds: string[], subject: string, lines: string[], incidentNumber?: number): Promise<void> {
    if (!this.outbound) return;
    for (const person of await this.people.getUsers(userIds, tx)) {
      if (!person.active || person.role === 'customer') continue;
      const link = incidentNumber === undefined ? [] : ['', `${this.ctx.config.publicUrl}/incidents/${incidentNumber}`];
      await this.outbound.queueStandalone(tx, { kind: 'notification', to: person.email, subject: subject.replace(/[\r\n]+/g, ' ').slice(0, 200), text: [...lines, ...link].join('\n') });
    }
  }

  private async isActiveStaff(userId: string): Promise<boolean> {
    const user = await this.people.getUser(userId).catch(() => null);
    return !!user && user.role !== 'customer' && user.active;
  }

  private async holders(tx: Tx, id: string, keys: string[]): Promise<string[]> {
    const rows = await tx
      .select({ userId: incidentRoleAssignments.userId })
      .from(incidentRoleAssignments)
      .innerJoin(incidentRoles, eq(incidentRoles.key, incidentRoleAssignments.roleKey))
      .where(and(eq(incidentRoleAssignments.incidentId, id), sql`(${incidentRoles.lead} or ${inArray(incidentRoles.key, keys)})`));
    return [...new Set(rows.map((r) => r.userId))];
  }

  private async link(tx: Tx, actor: Actor, id: string, ticketId: string, active: boolean): Promise<boolean> {
    const now = this.ctx.clock.now();
    const [row] = await tx.insert(incidentTickets).values({ incidentId: id, ticketId, linkedById: actor.userId, linkedAt: now }).onConflictDoNothing().returning();
    if (!row) return false;
    if (active) await this.queueTicketMove(tx, id, ticketId, 'hold');
    const t = await this.ticketQueries.getRow(actor, ticketId, tx);
    // Only the number: the timeline is read by every agent, and a subject is for those who may see the ticket.
    await this.entry(tx, id, actor, 'ticket_linked', `Linked ticket #${t.number}`, { ticketId, number: t.number });
    return true;
  }

  private async moveTo(tx: Tx, current: Incident, state: IncidentState): Promise<Incident> {
    const now = this.ctx.clock.now();
    const stamps: Partial<Incident> = { state, updatedAt: now, version: current.version + 1 };
    if ((state === 'monitoring' || state === 'resolved') && !current.mitigatedAt) stamps.mitigatedAt = now;
    if (state === 'resolved') Object.assign(stamps, { resolvedAt: now, nextUpdateDueAt: null });
    if (ACTIVE.includes(state) && current.state === 'resolved') Object.assign(stamps, { resolvedAt: null, mitigatedAt: null });
    if (state === 'closed') Object.assign(stamps, { closedAt: now, nextUpdateDueAt: null });
    const [row] = await tx.update(incidents).set(stamps).where(eq(incidents.id, current.id)).returning();
    // Linked tickets follow: released (the origin to its retro state, per setting) on resolve, held again on reopening.
    const resolving = state === 'resolved' && ACTIVE.includes(current.state);
    const reopening = ACTIVE.includes(state) && current.state === 'resolved';
    if (resolving || reopening) {
      const linked = await tx.select({ ticketId: incidentTickets.ticketId }).from(incidentTickets).where(eq(incidentTickets.incidentId, current.id));
      for (const { ticketId } of linked) await this.queueTicketMove(tx, current.id, ticketId, reopening ? 'hold' : ticketId === current.originTicketId ? 'retro' : 'release');
    }
    // Resolving opens the retro (due in 48 hours, PMERIT's post-mortem rule); reopening and resolving again keeps it.
    if (state === 'resolved' || state === 'pending_retro') {
      await tx.insert(incidentRetros).values({ incidentId: current.id, dueAt: new Date(now.getTime() + RETRO_DUE_MS), updatedAt: now }).onConflictDoNothing();
    }
    return row as Incident;
  }

  private checkTransition(current: Incident, to: IncidentState): void {
    if (current.state === 'closed') throw new AppError('INCIDENT_CLOSED', `Incident #${current.number} is closed`);
    if (!NEXT[current.state].includes(to)) {
      throw new AppError('INVALID_TRANSITION', `Incident #${current.number} cannot go from ${current.state} to ${to} (allowed: ${NEXT[current.state].join(', ')})`, {
        extra: { from: current.state, to, allowed: NEXT[current.state] },
      });
    }
  }

  private checkTimes(t: { startedAt?: Date | null; detectedAt?: Date | null; acknowledgedAt?: Date | null; mitigatedAt?: Date | null }, now: Date): void {
    const fields: { path: string; message: string }[] = [];
    for (const [k, v] of Object.entries(t)) if (v instanceof Date && v > now) fields.push({ path: `body.${k}`, message: 'in the future' });
    if (t.startedAt && t.detectedAt && t.detectedAt < t.startedAt) fields.push({ path: 'body.detectedAt', message: 'before startedAt' });
    if (t.detectedAt && t.acknowledgedAt && t.acknowledgedAt < t.detectedAt) fields.push({ path: 'body.acknowledgedAt', message: 'before detectedAt' });
    if (fields.length) throw new AppError('INVALID_FIELD_VALUE', fields.map((f) => `${f.path.slice(5)} is ${f.message}`).join('; '), { fields });
  }

  private async checkRoles(assigned: Record<string, string>, roles: IncidentRole[]): Promise<void> {
    const fields: { path: string; message: string }[] = [];
    for (const [key, userId] of Object.entries(assigned)) {
      if (!roles.some((r) => r.key === key)) {
        fields.push({ path: `body.roles.${key}`, message: `no role ${key}` });
        continue;
      }
      const user = await this.people.getUser(userId).catch(() => null);
      if (!user || user.role === 'customer' || !user.active) fields.push({ path: `body.roles.${key}`, message: 'not an active staff member' });
    }
    if (fields.length) throw new AppError('INVALID_REFERENCE', fields.map((f) => `${f.path}: ${f.message}`).join('; '), { fields });
  }

  private async setComponents(tx: Tx, id: string, list: z.infer<typeof AffectedComponent>[]): Promise<void> {
    await tx.delete(incidentComponents).where(eq(incidentComponents.incidentId, id));
    if (!list.length) return;
    try {
      await tx.insert(incidentComponents).values(list.map((c) => ({ incidentId: id, componentId: c.id, status: c.status }))).onConflictDoNothing();
    } catch (err) {
      if (foreignKeyColumn(err) === 'component_id') throw new AppError('INVALID_REFERENCE', 'A component does not exist', { fields: [{ path: 'body.components', message: 'unknown component' }] });
      throw err;
    }
  }

  private async nameOf(userId: string): Promise<string> {
    return (await this.people.getUser(userId)).name;
  }

  private async get(tx: Tx, id: string): Promise<Incident> {
    const [row] = await tx.select().from(incidents).where(eq(incidents.id, id)).for('update');
    if (!row) throw new AppError('NOT_FOUND', `No incident with id ${id}`);
    return row;
  }

  /** The incident, locked for the change; a closed one refuses every change. */
  private async open(tx: Tx, id: string): Promise<Incident> {
    const row = await this.get(tx, id);
    if (row.state === 'closed') throw new AppError('INCIDENT_CLOSED', `Incident #${row.number} is closed; it takes no more changes`);
    return row;
  }

  private async entry(tx: Tx, incidentId: string, actor: Actor | null, kind: TimelineKind, body: string, data: Record<string, unknown> = {}, pinned = false) {
    const [row] = await tx.insert(incidentTimeline).values({ incidentId, kind, body, data, actorId: actor?.userId ?? null, pinned, at: this.ctx.clock.now() }).returning();
    return row as typeof incidentTimeline.$inferSelect;
  }

  private noticeText(incident: Incident, u: typeof incidentUpdates.$inferSelect): string {
    const eta = u.eta ? `\n\nExpected resolution: ${u.eta.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '';
    // Every linked requester reads it: the public title, never the agents' one (often another customer's subject).
    return `**${incident.publicTitle}** — ${STATE_LABELS[u.state]}\n\n${u.body}${eta}`;
  }

  private mustBeAgent(actor: Actor): void {
    if (!isAgent(actor)) throw new AppError('FORBIDDEN', 'Incidents are run by agents');
  }

  /**
   * A customer notice goes to every linked ticket, whichever group it is in: only someone who may see them all
   * sends it, or a group-restricted agent would reply on (and solve) other groups' tickets. Read before the
   * command's transaction (embedded PGlite has one connection); the transaction then acts on exactly these tickets.
   */
  private async linkedTicketsSeenBy(actor: Actor, id: string): Promise<string[]> {
    const linked = (await this.ctx.db.select({ ticketId: incidentTickets.ticketId }).from(incidentTickets).where(eq(incidentTickets.incidentId, id))).map((r) => r.ticketId);
    const visible = new Set(await this.ticketQueries.visibleIds(actor, linked));
    const hidden = linked.filter((t) => !visible.has(t)).length;
    if (hidden > 0) {
      throw new AppError('FORBIDDEN', `${hidden} of this incident's ${linked.length} linked tickets are outside the tickets you may see: an agent who sees them all, or an admin, tells their customers`);
    }
    return linked;
  }

  private async publish(): Promise<void> {
    for (const fn of this.changed) await fn();
  }
}

/** What a resolution notice ends with when the requesters are asked to confirm the fix. */
export const CONFIRM_QUESTION = 'Is everything working again for you? Please reply to confirm, or tell us what still goes wrong.';

export const STATE_LABELS: Record<IncidentState, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
  pending_retro: 'Pending retro',
  closed: 'Closed',
};
