import { and, asc, eq, inArray, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Actor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { AppError, uniquelyNamed } from '../../platform/errors.js';
import { patchOf } from '../../platform/validation.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import type { PeopleService } from '../people/people.service.js';
import { type Condition, ConditionSchema, type CustomFieldKinds, checkCondition, compile, customFieldKinds } from '../rules/conditions.js';
import type { SlaService } from '../sla/sla.service.js';
import { isUuid, type TicketQueries } from '../tickets/tickets.queries.js';
import { views } from './views.schema.js';

/** Columns a view can show, in the agent app's ticket list. */
export const VIEW_COLUMNS = ['number', 'subject', 'requester', 'organization', 'status', 'priority', 'sla', 'type', 'group', 'assignee', 'channel', 'tags', 'created', 'updated'] as const;
const DEFAULT_COLUMNS: (typeof VIEW_COLUMNS)[number][] = ['number', 'subject', 'requester', 'status', 'priority', 'sla', 'assignee', 'updated'];

export const ViewBody = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(100),
  condition: ConditionSchema,
  columns: z.array(z.enum(VIEW_COLUMNS)).min(1).max(VIEW_COLUMNS.length).default(DEFAULT_COLUMNS),
  sort: z.enum(['created', 'updated', 'priority']).default('updated'),
  order: z.enum(['asc', 'desc']).default('desc'),
  // Share with a group you belong to (admins: any group); null keeps it to yourself.
  groupId: z.uuid().nullable().default(null),
  position: z.number().int().min(0).max(10_000).default(0),
});
export const UpdateViewBody = patchOf(ViewBody);
export const ViewOrderBody = z.object({ ids: z.array(z.uuid()).min(1).max(1000).refine((ids) => new Set(ids).size === ids.length, 'each view once') }).strict();

/** A saved view as Admin → Saved views lists it: whose it is and where it stands in the rail. */
export type SavedViewOut = ViewOut & { position: number; ownerName: string };

export type ViewOut = {
  id: string;
  name: string;
  system: boolean;
  condition: Condition;
  columns: string[];
  sort: 'created' | 'updated' | 'priority';
  order: 'asc' | 'desc';
  groupId: string | null;
  ownerId: string | null;
  /** Built-in views that need more than a condition: a running SLA clock due within the hour. */
  slaDueWithinMinutes?: number;
};

const UNSOLVED = ['new', 'open', 'pending', 'on_hold'];
const ME = '$me';
const MY_GROUPS = '$my_groups';

/**
 * The queues every agent has. `$me` and `$my_groups` stand for the viewer; saved views may use `$me` too
 * ("assigned to me"), so a shared view shows each member their own tickets.
 */
function systemViews(now: Date): ViewOut[] {
  const view = (id: string, name: string, condition: Condition, sort: ViewOut['sort'] = 'updated', order: ViewOut['order'] = 'desc'): ViewOut => ({
    id,
    name,
    system: true,
    condition,
    columns: DEFAULT_COLUMNS,
    sort,
    order,
    groupId: null,
    ownerId: null,
  });
  const weekAgo = new Date(now.getTime() - 7 * 86_400_000).toISOString();
  return [
    view(
      'triage',
      'New / unassigned',
      {
        // What the name says: unsolved and nobody's yet. A ticket in state New that someone took is theirs ("Mine").
        all: [
          { field: 'status_category', op: 'in', value: UNSOLVED },
          { field: 'assignee', op: 'is_not_set' },
        ],
      },
      'priority',
      'asc',
    ),
    { ...view('breaching', 'Breaching soon', { field: 'status_category', op: 'in', value: UNSOLVED }, 'priority', 'asc'), slaDueWithinMinutes: 60 },
    view('mine', 'Mine', { all: [{ field: 'assignee', op: 'is', value: ME }, { field: 'status_category', op: 'in', value: ['new', 'open'] }] }),
    view('my-groups', 'My groups', { all: [{ field: 'group', op: 'in', value: [MY_GROUPS] }, { field: 'status_category', op: 'in', value: UNSOLVED }] }),
    view('pending', 'Pending', { field: 'status_category', op: 'is', value: 'pending' }),
    view('on-hold', 'On hold', { field: 'status_category', op: 'is', value: 'on_hold' }),
    view('solved', 'Recently solved', { all: [{ field: 'status_category', op: 'is', value: 'solved' }, { field: 'solved_at', op: 'after', value: weekAgo }] }),
    view('all', 'All', { all: [] }),
  ];
}

/** Saved and built-in ticket views: what each shows, their tickets, and live counts. */
export class ViewsService {
  constructor(
    private readonly ctx: Ctx,
    private readonly people: PeopleService,
    private readonly fields: CustomFieldsService,
    private readonly queries: TicketQueries,
    private readonly sla: SlaService,
  ) {}

  /** The built-in views, then the viewer's own and those shared with their groups. */
  async list(actor: Actor): Promise<ViewOut[]> {
    const groupIds = await this.people.groupIdsOf(actor.userId);
    const rows = await this.ctx.db
      .select()
      .from(views)
      .where(or(eq(views.ownerId, actor.userId), groupIds.length ? inArray(views.groupId, groupIds) : undefined))
      .orderBy(asc(views.position), asc(views.name));
    return [...systemViews(this.ctx.clock.now()), ...rows.map(viewOut)];
  }

  async get(actor: Actor, id: string): Promise<ViewOut> {
    const found = (await this.list(actor)).find((v) => v.id === id);
    if (!found) throw new AppError('NOT_FOUND', `No view ${id}`);
    return found;
  }

  async tickets(actor: Actor, id: string, page: { limit: number; cursor?: string; sort?: ViewOut['sort']; order?: ViewOut['order'] }) {
    const view = await this.get(actor, id);
    const where = this.whereOf(view, await this.viewerOf(actor));
    return this.queries.list(actor, {}, { sort: page.sort ?? view.sort, order: page.order ?? view.order, limit: page.limit, cursor: page.cursor }, where);
  }

  /** Ticket counts per view, for the left rail; a count above COUNT_CAP is COUNT_CAP + 1 ("10k+"). */
  async counts(actor: Actor): Promise<Record<string, number>> {
    const all = await this.list(actor);
    const viewer = await this.viewerOf(actor);
    const conditions = all.map((v) => this.whereOf(v, viewer));
    const counts = await this.queries.countEach(actor, conditions, COUNT_CAP);
    return Object.fromEntries(all.map((v, i) => [v.id, counts[i] ?? 0]));
  }

  async create(actor: Actor, input: z.infer<typeof ViewBody>): Promise<ViewOut> {
    await this.check(actor, input.condition, input.groupId);
    const now = this.ctx.clock.now();
    const [row] = await uniquelyNamed(`A view of yours named ${input.name}`, () =>
      this.ctx.db
        .insert(views)
        .values({ name: input.name, ownerId: actor.userId, groupId: input.groupId, condition: input.condition, columns: input.columns, sort: input.sort, sortOrder: input.order, position: input.position, createdAt: now, updatedAt: now })
        .returning(),
    );
    return viewOut(row as typeof views.$inferSelect);
  }

  async update(actor: Actor, id: string, patch: z.infer<typeof UpdateViewBody>): Promise<ViewOut> {
    const current = await this.own(actor, id);
    const condition = patch.condition ?? current.condition;
    const groupId = patch.groupId === undefined ? current.groupId : patch.groupId;
    await this.check(actor, condition, groupId);
    const { order, ...rest } = patch;
    const [row] = await uniquelyNamed(`A view of yours named ${patch.name}`, () =>
      this.ctx.db
        .update(views)
        .set({ ...rest, ...(order ? { sortOrder: order } : {}), updatedAt: this.ctx.clock.now() })
        .where(eq(views.id, id))
        .returning(),
    );
    return viewOut(row as typeof views.$inferSelect);
  }

  /** Saved views the actor may change, in rail order: every one for an admin (shared or personal), else their own. */
  async listSaved(actor: Actor): Promise<SavedViewOut[]> {
    const rows = await this.ctx.db
      .select()
      .from(views)
      .where(actor.role === 'admin' ? undefined : eq(views.ownerId, actor.userId))
      .orderBy(asc(views.position), asc(views.name));
    const owners = new Map((await this.people.getUsers([...new Set(rows.map((r) => r.ownerId))])).map((u) => [u.id, u.name]));
    return rows.map((r) => ({ ...viewOut(r), position: r.position, ownerName: owners.get(r.ownerId) ?? '' }));
  }

  /**
   * Puts saved views in this order in the rail (position 0, 1, …). Every id must be a view the actor may change;
   * otherwise nothing moves.
   */
  async reorder(actor: Actor, ids: string[]): Promise<void> {
    await this.ctx.db.transaction(async (tx) => {
      const found = await tx
        .select({ id: views.id })
        .from(views)
        .where(and(inArray(views.id, ids), actor.role === 'admin' ? undefined : eq(views.ownerId, actor.userId)));
      const known = new Set(found.map((r) => r.id));
      const missing = ids.findIndex((id) => !known.has(id));
      if (missing >= 0) {
        throw new AppError('NOT_FOUND', `No view ${ids[missing]}, or it is not yours to change`, { fields: [{ path: `body.ids.${missing}`, message: 'no such view of yours' }] });
      }
      for (const [i, id] of ids.entries()) await tx.update(views).set({ position: i }).where(eq(views.id, id));
    });
  }

  async remove(actor: Actor, id: string): Promise<void> {
    await this.own(actor, id);
    await this.ctx.db.delete(views).where(eq(views.id, id));
  }

  /**
   * The rule builder's live count: unsolved tickets the actor may see that `condition` matches now (`$me` and
   * `$my_groups` are the actor), capped and time-boxed. A condition that is not valid is refused like a view's.
   */
  async matches(actor: Actor, condition: Condition): Promise<{ count: number | null; capped: boolean; timedOut: boolean }> {
    await this.check(actor, condition, null);
    const viewer = await this.viewerOf(actor);
    return this.queries.countOpenMatching(actor, compile(substitute(condition, viewer), this.ctx.clock.now(), viewer.kinds), COUNT_CAP, MATCH_BUDGET_MS);
  }

  /** A saved view the actor may change: their own, or any for an admin. */
  private async own(actor: Actor, id: string) {
    if (!isUuid(id)) throw new AppError('NOT_FOUND', `No view ${id}, or it is not yours to change`);
    const [row] = await this.ctx.db
      .select()
      .from(views)
      .where(and(eq(views.id, id), actor.role === 'admin' ? undefined : eq(views.ownerId, actor.userId)));
    if (!row) throw new AppError('NOT_FOUND', `No view ${id}, or it is not yours to change`);
    return row;
  }

  private async check(actor: Actor, condition: Condition, groupId: string | null): Promise<void> {
    const kinds = customFieldKinds(await this.fields.list('ticket'));
    const problems = checkCondition(substitute(condition, { me: actor.userId, groups: [actor.userId] }), kinds, 'body.condition');
    if (problems.length) throw new AppError('INVALID_RULE', `The view's condition is invalid: ${problems[0]?.message}`, { fields: problems });
    if (groupId) {
      await this.people.getGroup(groupId);
      if (actor.role !== 'admin' && !(await this.people.groupIdsOf(actor.userId)).includes(groupId)) {
        throw new AppError('FORBIDDEN', 'You can share a view only with a group you belong to', { fields: [{ path: 'body.groupId', message: 'not one of your groups' }] });
      }
    }
  }

  /** What a view's condition needs to know about the viewer, read once per request. */
  private async viewerOf(actor: Actor): Promise<Viewer> {
    const groups = await this.people.groupIdsOf(actor.userId);
    // No groups: "in my groups" must match nothing, and an empty list is not a valid condition value.
    return { me: actor.userId, groups: groups.length ? groups : [NOBODY], kinds: customFieldKinds(await this.fields.list('ticket')) };
  }

  private whereOf(view: ViewOut, viewer: Viewer): SQL {
    const where = compile(substitute(view.condition, viewer), this.ctx.clock.now(), viewer.kinds);
    return view.slaDueWithinMinutes === undefined ? where : (and(where, this.sla.dueWithin(view.slaDueWithinMinutes)) as SQL);
  }
}

type Viewer = { me: string; groups: string[]; kinds: CustomFieldKinds };

const NOBODY = '00000000-0000-0000-0000-000000000000';
export const COUNT_CAP = 10_000;
/** How long the rule builder's count may take on a server before it answers "too slow to count". */
const MATCH_BUDGET_MS = 1500;

/** Replaces `$me` and `$my_groups` in comparison values with the viewer's id and group ids. */
export function substitute(c: Condition, who: { me: string; groups: string[] }): Condition {
  if ('all' in c) return { all: c.all.map((x) => substitute(x, who)) };
  if ('any' in c) return { any: c.any.map((x) => substitute(x, who)) };
  if ('not' in c) return { not: substitute(c.not, who) };
  const one = (v: unknown): unknown[] => (v === ME ? [who.me] : v === MY_GROUPS ? who.groups : [v]);
  if (Array.isArray(c.value)) return { ...c, value: c.value.flatMap(one) };
  if (c.value === MY_GROUPS) return { ...c, op: c.op === 'is_not' ? 'not_in' : 'in', value: who.groups };
  return c.value === ME ? { ...c, value: who.me } : c;
}

function viewOut(r: typeof views.$inferSelect): ViewOut {
  return { id: r.id, name: r.name, system: false, condition: r.condition, columns: r.columns, sort: r.sort, order: r.sortOrder, groupId: r.groupId, ownerId: r.ownerId };
}

