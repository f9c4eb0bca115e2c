import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor, Tx } from '../../db/client.js';
import { type Actor, isAgent } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { AppError, foreignKeyColumn } from '../../platform/errors.js';
import { type MaintenanceStatus, statusComponents, statusMaintenanceComponents, statusMaintenances } from './incidents.schema.js';

export type Maintenance = typeof statusMaintenances.$inferSelect;
export type MaintenanceView = Maintenance & { components: { id: string; name: string }[] };

const Instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
export const MaintenanceBody = z.object({
  title: z.string().trim().min(1).max(200),
  description: z.string().trim().max(5_000).default(''),
  componentIds: z.array(z.uuid()).min(1).max(100),
  startsAt: Instant,
  endsAt: Instant,
  // A notice to subscribers when it is announced (now) and when it starts.
  notifySubscribers: z.boolean().default(false),
});
export const UpdateMaintenanceBody = z.object({
  title: z.string().trim().min(1).max(200).optional(),
  description: z.string().trim().max(5_000).optional(),
  componentIds: z.array(z.uuid()).min(1).max(100).optional(),
  startsAt: Instant.optional(),
  endsAt: Instant.optional(),
  version: z.number().int().positive().optional(),
});

/** What other parts of the module hook onto a maintenance's moves (subscriber notices, webhooks), in its transaction. */
export type MaintenanceEvent = { event: 'maintenance.scheduled' | 'maintenance.updated' | 'maintenance.started' | 'maintenance.completed' | 'maintenance.cancelled'; maintenance: MaintenanceView };
type Listener = (tx: Tx, e: MaintenanceEvent) => Promise<void>;

/** The longest a window may be, and how far ahead it may be planned. */
const MAX_WINDOW_MS = 14 * 86_400_000;
const MAX_AHEAD_MS = 366 * 86_400_000;

/**
 * Scheduled maintenance: a planned window on some components, announced on the status page as upcoming, shown in
 * progress (its components "under maintenance") from its start and completed at its end. The moves are made by the
 * `incidents.maintenance` schedule (`sweep`), each a conditional update, so two processes make each move once.
 */
export class MaintenanceService {
  private readonly listeners: Listener[] = [];
  private readonly changed: (() => Promise<void>)[] = [];

  constructor(private readonly ctx: Ctx) {}

  onEvent(fn: Listener): void {
    this.listeners.push(fn);
  }

  onChange(fn: () => Promise<void>): void {
    this.changed.push(fn);
  }

  async list(filter: { status?: MaintenanceStatus } = {}): Promise<MaintenanceView[]> {
    const rows = await this.ctx.db
      .select()
      .from(statusMaintenances)
      .where(filter.status ? eq(statusMaintenances.status, filter.status) : undefined)
      .orderBy(desc(statusMaintenances.startsAt))
      .limit(500);
    return this.views(this.ctx.db, rows);
  }

  async get(id: string): Promise<MaintenanceView> {
    const [row] = await this.ctx.db.select().from(statusMaintenances).where(eq(statusMaintenances.id, id));
    if (!row) throw new AppError('NOT_FOUND', `No maintenance with id ${id}`);
    return (await this.views(this.ctx.db, [row]))[0] as MaintenanceView;
  }

  async create(actor: Actor, input: z.infer<typeof MaintenanceBody>): Promise<MaintenanceView> {
    this.mustBeAgent(actor);
    const now = this.ctx.clock.now();
    this.checkWindow(input.startsAt, input.endsAt, now, true);
    const view = await this.ctx.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(statusMaintenances)
        .values({ title: input.title, description: input.description, startsAt: input.startsAt, endsAt: input.endsAt, notifySubscribers: input.notifySubscribers, createdById: actor.userId, createdAt: now, updatedAt: now })
        .returning();
      await this.setComponents(tx, (row as Maintenance).id, input.componentIds);
      const [v] = await this.views(tx, [row as Maintenance]);
      await this.emit(tx, { event: 'maintenance.scheduled', maintenance: v as MaintenanceView });
      return v as MaintenanceView;
    });
    await this.sweep();
    await this.publish();
    return this.get(view.id);
  }

  /** Edits a window that has not ended: a started one may change its text, components and end, not its start. */
  async update(actor: Actor, id: string, patch: z.infer<typeof UpdateMaintenanceBody>): Promise<MaintenanceView> {
    this.mustBeAgent(actor);
    const now = this.ctx.clock.now();
    await this.ctx.db.transaction(async (tx) => {
      const current = await this.lock(tx, id);
      if (patch.version !== undefined && patch.version !== current.version) throw new AppError('VERSION_CONFLICT', `The maintenance "${current.title}" changed since version ${patch.version}`, { extra: { current } });
      if (current.status === 'in_progress' && patch.startsAt && patch.startsAt.getTime() !== current.startsAt.getTime()) {
        throw new AppError('INVALID_FIELD_VALUE', 'The maintenance has started: its start cannot move (change its end instead)', { fields: [{ path: 'body.startsAt', message: 'already started' }] });
      }
      const startsAt = patch.startsAt ?? current.startsAt;
      const endsAt = patch.endsAt ?? current.endsAt;
      this.checkWindow(startsAt, endsAt, now, patch.startsAt !== undefined);
      const { version: _v, componentIds, ...fields } = patch;
      const [row] = await tx
        .update(statusMaintenances)
        .set({ ...fields, version: current.version + 1, updatedAt: now })
        .where(eq(statusMaintenances.id, id))
        .returning();
      if (componentIds) await this.setComponents(tx, id, componentIds);
      const [v] = await this.views(tx, [row as Maintenance]);
      await this.emit(tx, { event: 'maintenance.updated', maintenance: v as MaintenanceView });
    });
    await this.sweep();
    await this.publish();
    return this.get(id);
  }

  async cancel(actor: Actor, id: string): Promise<MaintenanceView> {
    this.mustBeAgent(actor);
    await this.ctx.db.transaction(async (tx) => {
      await this.lock(tx, id);
      const now = this.ctx.clock.now();
      const [row] = await tx.update(statusMaintenances).set({ status: 'cancelled', cancelledAt: now, updatedAt: now, version: sql`${statusMaintenances.version} + 1` }).where(eq(statusMaintenances.id, id)).returning();
      const [v] = await this.views(tx, [row as Maintenance]);
      await this.emit(tx, { event: 'maintenance.cancelled', maintenance: v as MaintenanceView });
    });
    await this.publish();
    return this.get(id);
  }

  /**
   * The schedule (every 30 s): windows whose start has come go in progress, those whose end has come complete (a
   * window that passed entirely while nothing ran completes directly). Each move is one conditional update.
   */
  async sweep(): Promise<{ started: number; completed: number }> {
    const now = this.ctx.clock.now().toISOString();
    const moved = await this.ctx.db.transaction(async (tx) => {
      const completed = await tx
        .update(statusMaintenances)
        .set({ status: 'completed', completedAt: sql`${statusMaintenances.endsAt}`, updatedAt: sql`${now}::timestamptz` })
        .where(and(inArray(statusMaintenances.status, ['scheduled', 'in_progress']), sql`${statusMaintenances.endsAt} <= ${now}::timestamptz`))
        .returning();
      const started = await tx
        .update(statusMaintenances)
        .set({ status: 'in_progress', startedAt: sql`${statusMaintenances.startsAt}`, updatedAt: sql`${now}::timestamptz` })
        .where(and(eq(statusMaintenances.status, 'scheduled'), sql`${statusMaintenances.startsAt} <= ${now}::timestamptz`))
        .returning();
      for (const v of await this.views(tx, started)) await this.emit(tx, { event: 'maintenance.started', maintenance: v });
      for (const v of await this.views(tx, completed)) await this.emit(tx, { event: 'maintenance.completed', maintenance: v });
      return { started: started.length, completed: completed.length };
    });
    if (moved.started || moved.completed) await this.publish();
    return moved;
  }

  // ---- helpers

  private checkWindow(startsAt: Date, endsAt: Date, now: Date, startChanged: boolean): void {
    const fields: { path: string; message: string }[] = [];
    if (endsAt <= startsAt) fields.push({ path: 'body.endsAt', message: 'not after startsAt' });
    else if (endsAt.getTime() - startsAt.getTime() > MAX_WINDOW_MS) fields.push({ path: 'body.endsAt', message: 'a window is at most 14 days' });
    if (endsAt <= now) fields.push({ path: 'body.endsAt', message: 'in the past' });
    // A start a little in the past is "starting now" (a form filled in slowly); an hour back is a mistake.
    if (startChanged && startsAt.getTime() < now.getTime() - 3600_000) fields.push({ path: 'body.startsAt', message: 'more than an hour in the past' });
    if (startsAt.getTime() > now.getTime() + MAX_AHEAD_MS) fields.push({ path: 'body.startsAt', message: 'more than a year ahead' });
    if (fields.length) throw new AppError('INVALID_FIELD_VALUE', fields.map((f) => `${f.path.slice(5)} is ${f.message}`).join('; '), { fields });
  }

  private async lock(tx: Tx, id: string): Promise<Maintenance> {
    const [row] = await tx.select().from(statusMaintenances).where(eq(statusMaintenances.id, id)).for('update');
    if (!row) throw new AppError('NOT_FOUND', `No maintenance with id ${id}`);
    if (row.status === 'completed' || row.status === 'cancelled') throw new AppError('MAINTENANCE_OVER', `The maintenance "${row.title}" is ${row.status}; it takes no more changes`);
    return row;
  }

  private async setComponents(tx: Tx, id: string, ids: string[]): Promise<void> {
    await tx.delete(statusMaintenanceComponents).where(eq(statusMaintenanceComponents.maintenanceId, id));
    try {
      await tx
        .insert(statusMaintenanceComponents)
        .values([...new Set(ids)].map((componentId) => ({ maintenanceId: id, componentId })))
        .onConflictDoNothing();
    } catch (err) {
      if (foreignKeyColumn(err) === 'component_id') throw new AppError('INVALID_REFERENCE', 'A component does not exist', { fields: [{ path: 'body.componentIds', message: 'unknown component' }] });
      throw err;
    }
  }

  private async views(tx: Executor, rows: Maintenance[]): Promise<MaintenanceView[]> {
    if (!rows.length) return [];
    const links = await tx
      .select({ maintenanceId: statusMaintenanceComponents.maintenanceId, id: statusComponents.id, name: statusComponents.name })
      .from(statusMaintenanceComponents)
      .innerJoin(statusComponents, eq(statusComponents.id, statusMaintenanceComponents.componentId))
      .where(inArray(statusMaintenanceComponents.maintenanceId, rows.map((r) => r.id)))
      .orderBy(asc(statusComponents.position), asc(statusComponents.name));
    return rows.map((r) => ({ ...r, components: links.filter((l) => l.maintenanceId === r.id).map((l) => ({ id: l.id, name: l.name })) }));
  }

  private async emit(tx: Tx, e: MaintenanceEvent): Promise<void> {
    for (const fn of this.listeners) await fn(tx, e);
  }

  private mustBeAgent(actor: Actor): void {
    if (!isAgent(actor)) throw new AppError('FORBIDDEN', 'Maintenance is planned by agents');
  }

  private async publish(): Promise<void> {
    for (const fn of this.changed) await fn();
  }
}
