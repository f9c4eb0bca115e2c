import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Ctx } from '../../platform/context.js';
import { AppError, uniquelyNamed } from '../../platform/errors.js';
import { patchOf } from '../../platform/validation.js';
import { COMPONENT_STATUSES, statusComponents } from './incidents.schema.js';

export type StatusComponent = typeof statusComponents.$inferSelect;

export const ComponentBody = z.object({
  name: z.string().trim().min(1).max(100),
  groupName: z.string().trim().min(1).max(100).nullable().default(null),
  description: z.string().trim().max(500).default(''),
  position: z.number().int().min(0).max(10_000).default(0),
  // The status when no open incident sets a worse one (e.g. under maintenance, set by hand).
  status: z.enum(COMPONENT_STATUSES).default('operational'),
});
export const UpdateComponentBody = patchOf(ComponentBody);

/** The services the status page lists, edited by admins. */
export class ComponentsService {
  private readonly changed: (() => Promise<void>)[] = [];

  constructor(private readonly ctx: Ctx) {}

  onChange(fn: () => Promise<void>): void {
    this.changed.push(fn);
  }

  list(): Promise<StatusComponent[]> {
    return this.ctx.db.select().from(statusComponents).orderBy(asc(statusComponents.position), asc(statusComponents.name));
  }

  async create(input: z.infer<typeof ComponentBody>): Promise<StatusComponent> {
    const now = this.ctx.clock.now();
    const [row] = await uniquelyNamed(`A component named ${input.name}`, () => this.ctx.db.insert(statusComponents).values({ ...input, createdAt: now, updatedAt: now }).returning());
    await this.publish();
    return row as StatusComponent;
  }

  async update(id: string, patch: z.infer<typeof UpdateComponentBody>): Promise<StatusComponent> {
    const [row] = await uniquelyNamed(`A component named ${patch.name}`, () =>
      this.ctx.db
        .update(statusComponents)
        .set({ ...patch, updatedAt: this.ctx.clock.now() })
        .where(eq(statusComponents.id, id))
        .returning(),
    );
    if (!row) throw new AppError('NOT_FOUND', `No component with id ${id}`);
    await this.publish();
    return row;
  }

  async remove(id: string): Promise<void> {
    const gone = await this.ctx.db.delete(statusComponents).where(eq(statusComponents.id, id)).returning();
    if (!gone.length) throw new AppError('NOT_FOUND', `No component with id ${id}`);
    await this.publish();
  }

  private async publish(): Promise<void> {
    for (const fn of this.changed) await fn();
  }
}
