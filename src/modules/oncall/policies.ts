import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import type { Ctx } from '../../platform/context.js';
import { AppError, type FieldError, foreignKeyColumn, uniquelyNamed } from '../../platform/errors.js';
import { isUuid } from '../tickets/tickets.queries.js';
import { oncallPolicies, type PolicyStep, type PolicyTarget } from './oncall.schema.js';
import type { Schedules } from './schedules.js';

export const TargetBody = z.object({ type: z.enum(['user', 'schedule', 'policy']), id: z.uuid() });
export const PolicyBody = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).default(''),
  repeat: z.number().int().min(0).max(9).default(0),
  steps: z
    .array(z.object({ delayMinutes: z.number().int().min(1).max(24 * 60), targets: z.array(TargetBody).min(1).max(20) }))
    .min(1)
    .max(10),
});
export type PolicyRow = typeof oncallPolicies.$inferSelect;

/**
 * Escalation policies: steps of "notify these people / schedules / another policy's first step, wait N minutes",
 * repeated `repeat` more times. A policy that reaches itself through other policies is refused when saved, so
 * expanding targets always ends.
 */
export class Policies {
  constructor(
    private readonly ctx: Ctx,
    private readonly schedules: Schedules,
  ) {}

  list(): Promise<PolicyRow[]> {
    return this.ctx.db.select().from(oncallPolicies).orderBy(asc(oncallPolicies.name));
  }

  async get(id: string, ex: Executor = this.ctx.db, code: 'NOT_FOUND' | 'INVALID_REFERENCE' = 'NOT_FOUND'): Promise<PolicyRow> {
    const [row] = isUuid(id) ? await ex.select().from(oncallPolicies).where(eq(oncallPolicies.id, id)) : [];
    if (!row) throw new AppError(code, `No escalation policy with id ${id}`);
    return row;
  }

  async exists(id: string, ex: Executor = this.ctx.db): Promise<boolean> {
    return this.get(id, ex).then(
      () => true,
      () => false,
    );
  }

  private async check(selfId: string | null, input: z.infer<typeof PolicyBody>, ex: Executor): Promise<void> {
    const problems: FieldError[] = [];
    for (const [i, step] of input.steps.entries()) {
      for (const [j, target] of step.targets.entries()) {
        const path = `body.steps.${i}.targets.${j}.id`;
        const ok =
          target.type === 'user'
            ? await this.schedules.isStaff(target.id, ex)
            : target.type === 'schedule'
              ? await this.schedules.get(target.id, ex).then(
                  () => true,
                  () => false,
                )
              : target.id === selfId || (await this.exists(target.id, ex));
        if (!ok) problems.push({ path, message: `no ${target.type === 'user' ? 'active agent' : target.type} with id ${target.id}` });
      }
    }
    if (problems.length) throw new AppError('INVALID_REFERENCE', problems.map((p) => p.message).join('; '), { fields: problems });
    // A loop: following policy targets from this policy (as it would be saved) comes back to it.
    const loop = await this.findLoop(selfId, input.steps, ex);
    if (loop) {
      throw new AppError('POLICY_LOOP', `This escalation policy would loop: ${loop.join(' → ')}. A policy may not notify itself, directly or through others`, {
        fields: [{ path: 'body.steps', message: 'loops back to itself' }],
      });
    }
  }

  /** The names along a path from the policy back to itself, or null. */
  private async findLoop(selfId: string | null, steps: PolicyStep[], ex: Executor): Promise<string[] | null> {
    const SELF = selfId ?? 'new policy';
    const names = new Map<string, string>();
    const visit = async (id: string, path: string[], seen: Set<string>): Promise<string[] | null> => {
      if (id === SELF) return [...path, 'this policy'];
      if (seen.has(id)) return null;
      seen.add(id);
      const p = await this.get(id, ex).catch(() => null);
      if (!p) return null;
      names.set(id, p.name);
      for (const step of p.steps) for (const t of step.targets) if (t.type === 'policy') {
        const found = await visit(t.id, [...path, p.name], seen);
        if (found) return found;
      }
      return null;
    };
    const seen = new Set<string>();
    for (const step of steps) for (const t of step.targets) if (t.type === 'policy') {
      const found = await visit(t.id, ['this policy'], seen);
      if (found) return found;
    }
    return null;
  }

  async create(input: z.infer<typeof PolicyBody>): Promise<PolicyRow> {
    await this.check(null, input, this.ctx.db);
    const now = this.ctx.clock.now();
    const [row] = await uniquelyNamed(`An escalation policy named ${input.name}`, () =>
      this.ctx.db
        .insert(oncallPolicies)
        .values({ ...input, createdAt: now, updatedAt: now })
        .returning(),
    );
    return row as PolicyRow;
  }

  async update(id: string, input: z.infer<typeof PolicyBody>): Promise<PolicyRow> {
    return this.ctx.db.transaction(async (tx) => {
      await this.get(id, tx);
      await this.check(id, input, tx);
      const [row] = await uniquelyNamed(`An escalation policy named ${input.name}`, () =>
        tx
          .update(oncallPolicies)
          .set({ ...input, updatedAt: this.ctx.clock.now() })
          .where(eq(oncallPolicies.id, id))
          .returning(),
      );
      return row as PolicyRow;
    });
  }

  /** Called after a policy is deleted (the settings' copy of which policy pages for what went stale). */
  readonly removed: (() => Promise<void>)[] = [];

  async remove(id: string): Promise<void> {
    await this.get(id);
    try {
      await this.ctx.db.delete(oncallPolicies).where(eq(oncallPolicies.id, id));
    } catch (err) {
      if (foreignKeyColumn(err)) throw new AppError('IN_USE', 'This escalation policy has pages; it cannot be deleted');
      throw err;
    }
    for (const fn of this.removed) await fn();
  }

  /**
   * The people a step reaches at `at`: people as named, a schedule's person on call, another policy's first
   * step (saving refused loops; `seen` guards anyway). De-duplicated, in order.
   */
  async recipients(targets: PolicyTarget[], at: Date, ex: Executor, seen = new Set<string>()): Promise<string[]> {
    const everyone = await this.reach(targets, at, ex, seen);
    // Someone deactivated (or no longer staff) while still named in a policy or rotation is never paged.
    const out: string[] = [];
    for (const id of everyone) if (await this.schedules.isStaff(id, ex)) out.push(id);
    return out;
  }

  /** The people a policy's steps name directly (not through schedules) who are no longer active staff. */
  async notPaged(policy: PolicyRow, ex: Executor = this.ctx.db): Promise<string[]> {
    const named = new Set(policy.steps.flatMap((s) => s.targets.filter((t) => t.type === 'user').map((t) => t.id)));
    const out: string[] = [];
    for (const id of named) if (!(await this.schedules.isStaff(id, ex))) out.push(id);
    return out;
  }

  private async reach(targets: PolicyTarget[], at: Date, ex: Executor, seen: Set<string>): Promise<string[]> {
    const out: string[] = [];
    for (const t of targets) {
      if (t.type === 'user') out.push(t.id);
      else if (t.type === 'schedule') {
        const who = await this.schedules.onCall(t.id, at, ex).catch(() => null);
        if (who) out.push(who.userId);
      } else if (!seen.has(t.id)) {
        seen.add(t.id);
        const p = await this.get(t.id, ex).catch(() => null);
        if (p?.steps[0]) out.push(...(await this.reach(p.steps[0].targets, at, ex, seen)));
      }
    }
    return [...new Set(out)];
  }
}
