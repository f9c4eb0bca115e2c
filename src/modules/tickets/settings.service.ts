import { asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import type { Cached } from '../../platform/cache.js';
import type { Ctx } from '../../platform/context.js';
import { AppError, isUniqueViolation } from '../../platform/errors.js';
import { priorities, prioritySchemes, STATE_CATEGORIES, tickets, ticketSettings, ticketStates, ticketTypes } from './tickets.schema.js';

export type TicketState = typeof ticketStates.$inferSelect;
export type Priority = typeof priorities.$inferSelect;
export type TicketType = typeof ticketTypes.$inferSelect;

const Key = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'use lower-case letters, digits and _ (starting with a letter)');

export const CreateStateBody = z.object({
  key: Key,
  label: z.string().trim().min(1).max(100),
  // merged is reserved for merging; admins add states in the other categories.
  category: z.enum(STATE_CATEGORIES).exclude(['merged']),
  pausesSla: z.boolean().optional(),
  onRequesterReply: Key.optional(),
  position: z.number().int().optional(),
});
export const UpdateStateBody = z.object({
  label: z.string().trim().min(1).max(100).optional(),
  pausesSla: z.boolean().optional(),
  onRequesterReply: Key.optional(),
  position: z.number().int().optional(),
});
const Color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour like #2f6fde');
const PriorityFields = {
  name: z.string().trim().min(1).max(100),
  definition: z.string().trim().min(1).max(2000),
  examples: z.array(z.string().trim().min(1).max(300)).max(20),
  expectedResponse: z.string().trim().max(300),
  color: Color,
};
/** A new level at the end of a scheme (least urgent); the key is how rules, SLA targets and search name it, so it is fixed once made. */
export const CreatePriorityBody = z.object({
  key: z.string().trim().regex(/^[A-Za-z0-9_-]{1,16}$/, 'letters, digits, - or _ (at most 16), like P4'),
  name: PriorityFields.name,
  definition: PriorityFields.definition,
  examples: PriorityFields.examples.default([]),
  expectedResponse: PriorityFields.expectedResponse.default(''),
  color: Color.default('#6b7280'),
});
export const UpdatePriorityBody = z.object({
  name: PriorityFields.name.optional(),
  definition: PriorityFields.definition.optional(),
  examples: PriorityFields.examples.optional(),
  expectedResponse: PriorityFields.expectedResponse.optional(),
  color: Color.optional(),
  // The scheme's default for new tickets; setting it clears the old default.
  isDefault: z.literal(true).optional(),
});
export const PriorityOrderBody = z.object({ ids: z.array(z.uuid()).min(1).max(50) });
export const CreateTypeBody = z.object({ key: Key, label: z.string().trim().min(1).max(100), position: z.number().int().optional() });
export const TicketBehaviourBody = z.object({ replyAssigns: z.boolean() });
export type TicketBehaviour = z.infer<typeof TicketBehaviourBody>;
export const UpdateTypeBody = z.object({ label: z.string().trim().min(1).max(100).optional(), position: z.number().int().optional(), active: z.boolean().optional() });

// Defaults per category when an admin does not say: waiting on the requester pauses the clock; their reply reopens.
const CATEGORY_DEFAULTS: Record<string, { pausesSla: boolean; onReply: string }> = {
  new: { pausesSla: false, onReply: 'new' },
  open: { pausesSla: false, onReply: 'open' },
  pending: { pausesSla: true, onReply: 'open' },
  on_hold: { pausesSla: true, onReply: 'on_hold' },
  solved: { pausesSla: true, onReply: 'open' },
  closed: { pausesSla: true, onReply: 'closed' },
};

/** Ticket states, priority schemes and types: the data that shapes tickets, edited by admins. */
export class TicketSettingsService {
  // Read on every ticket command, changed by an admin now and then: cached per process (see CacheHub).
  private readonly states: Cached<TicketState[]>;
  private readonly priorities: Cached<{ all: Priority[]; active: Priority[] }>;
  private readonly types: Cached<TicketType[]>;
  private readonly behaviour: Cached<TicketBehaviour>;

  constructor(private readonly ctx: Ctx) {
    this.states = ctx.cache.cached('ticket_states', (ex) =>
      ex.select().from(ticketStates).orderBy(asc(ticketStates.position), asc(ticketStates.key)),
    );
    this.priorities = ctx.cache.cached('priorities', async (ex) => {
      const rows = await ex
        .select({ p: priorities, active: prioritySchemes.active })
        .from(priorities)
        .innerJoin(prioritySchemes, eq(prioritySchemes.key, priorities.schemeKey))
        .orderBy(asc(priorities.rank));
      return { all: rows.map((r) => r.p), active: rows.filter((r) => r.active).map((r) => r.p) };
    });
    this.types = ctx.cache.cached('ticket_types', (ex) => ex.select().from(ticketTypes).orderBy(asc(ticketTypes.position), asc(ticketTypes.key)));
    // Read on every public reply: cached like the states.
    this.behaviour = ctx.cache.cached('ticket_settings', async (ex) => {
      const [row] = await ex.select({ replyAssigns: ticketSettings.replyAssigns }).from(ticketSettings).where(eq(ticketSettings.id, 1));
      return row ?? { replyAssigns: true };
    });
  }

  /** Desk-wide ticket behaviour (whether a reply assigns, …); the defaults until an admin saves. */
  getBehaviour(ex?: Executor): Promise<TicketBehaviour> {
    return this.behaviour.get(ex);
  }

  async setBehaviour(input: TicketBehaviour): Promise<TicketBehaviour> {
    const now = this.ctx.clock.now();
    await this.ctx.db
      .insert(ticketSettings)
      .values({ id: 1, ...input, updatedAt: now })
      .onConflictDoUpdate({ target: ticketSettings.id, set: { ...input, updatedAt: now } });
    await this.behaviour.invalidate();
    return this.getBehaviour();
  }

  listStates(ex?: Executor): Promise<TicketState[]> {
    return this.states.get(ex);
  }

  async getState(key: string, ex?: Executor): Promise<TicketState | undefined> {
    return (await this.states.get(ex)).find((s) => s.key === key);
  }

  async createState(input: z.infer<typeof CreateStateBody>): Promise<TicketState> {
    const defaults = CATEGORY_DEFAULTS[input.category] ?? { pausesSla: false, onReply: 'open' };
    const onRequesterReply = input.onRequesterReply ?? defaults.onReply;
    if (!(await this.getState(onRequesterReply)) && onRequesterReply !== input.key) {
      throw new AppError('INVALID_REFERENCE', `onRequesterReply names no state: ${onRequesterReply}`);
    }
    try {
      const [row] = await this.ctx.db
        .insert(ticketStates)
        .values({
          key: input.key,
          label: input.label,
          category: input.category,
          pausesSla: input.pausesSla ?? defaults.pausesSla,
          onRequesterReply,
          position: input.position ?? 100,
        })
        .returning();
      await this.states.invalidate();
      return row as TicketState;
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('ALREADY_EXISTS', `A state with key ${input.key} exists`);
      throw err;
    }
  }

  async updateState(key: string, patch: z.infer<typeof UpdateStateBody>): Promise<TicketState> {
    if (patch.onRequesterReply && !(await this.getState(patch.onRequesterReply))) {
      throw new AppError('INVALID_REFERENCE', `onRequesterReply names no state: ${patch.onRequesterReply}`);
    }
    const [row] = await this.ctx.db.update(ticketStates).set(patch).where(eq(ticketStates.key, key)).returning();
    if (!row) throw new AppError('NOT_FOUND', `No state with key ${key}`);
    await this.states.invalidate();
    return row;
  }

  async listSchemes() {
    const schemes = await this.ctx.db.select().from(prioritySchemes).orderBy(asc(prioritySchemes.key));
    const all = await this.ctx.db.select().from(priorities).orderBy(asc(priorities.rank));
    return schemes.map((s) => ({ ...s, priorities: all.filter((p) => p.schemeKey === s.key).map(priorityView) }));
  }

  /** Switch the active scheme. Existing tickets keep the priority they had; new choices come from the new scheme. */
  async activateScheme(key: string): Promise<void> {
    await this.ctx.db.transaction(async (tx) => {
      const [scheme] = await tx.select().from(prioritySchemes).where(eq(prioritySchemes.key, key));
      if (!scheme) throw new AppError('NOT_FOUND', `No priority scheme with key ${key}`);
      await tx.update(prioritySchemes).set({ active: sql`${prioritySchemes.key} = ${key}` });
    });
    await this.priorities.invalidate();
  }

  private async schemePriorities(key: string, ex: Executor): Promise<Priority[]> {
    const [scheme] = await ex.select().from(prioritySchemes).where(eq(prioritySchemes.key, key));
    if (!scheme) throw new AppError('NOT_FOUND', `No priority scheme with key ${key}`);
    return ex.select().from(priorities).where(eq(priorities.schemeKey, key)).orderBy(asc(priorities.rank));
  }

  /** Adds a level at the end of a scheme (the least urgent). */
  async addPriority(schemeKey: string, input: z.infer<typeof CreatePriorityBody>): Promise<Priority> {
    const row = await this.ctx.db.transaction(async (tx) => {
      const existing = await this.schemePriorities(schemeKey, tx);
      if (existing.length >= 50) throw new AppError('INVALID_FIELD_VALUE', 'A scheme has at most 50 levels');
      if (existing.some((p) => p.key.toLowerCase() === input.key.toLowerCase())) {
        throw new AppError('ALREADY_EXISTS', `This scheme already has a priority ${input.key}`, { fields: [{ path: 'body.key', message: `${input.key} is taken in this scheme` }] });
      }
      const rank = existing.reduce((max, p) => Math.max(max, p.rank + 1), 0);
      const [created] = await tx.insert(priorities).values({ ...input, schemeKey, rank, isDefault: false }).returning();
      return created as Priority;
    });
    await this.priorities.invalidate();
    return row;
  }

  /** Edits a level's words and colour (its key stays: rules and SLA targets name it). */
  async updatePriority(id: string, patch: z.infer<typeof UpdatePriorityBody>): Promise<Priority> {
    const row = await this.ctx.db.transaction(async (tx) => {
      const [current] = await tx.select().from(priorities).where(eq(priorities.id, id)).for('update');
      if (!current) throw new AppError('NOT_FOUND', `No priority with id ${id}`);
      if (patch.isDefault) await tx.update(priorities).set({ isDefault: false }).where(eq(priorities.schemeKey, current.schemeKey));
      const [updated] = await tx.update(priorities).set(patch).where(eq(priorities.id, id)).returning();
      return updated as Priority;
    });
    await this.priorities.invalidate();
    return row;
  }

  /**
   * Puts a scheme's levels in a new order (most urgent first): `ids` is every level of the scheme, once. Queues sort
   * on the rank each ticket carries (tickets.priority_rank), so the tickets of those levels take their new rank too.
   */
  async reorderPriorities(schemeKey: string, ids: string[]): Promise<void> {
    await this.ctx.db.transaction(async (tx) => {
      await tx.select({ key: prioritySchemes.key }).from(prioritySchemes).where(eq(prioritySchemes.key, schemeKey)).for('update');
      const existing = await this.schemePriorities(schemeKey, tx);
      const known = new Set(existing.map((p) => p.id));
      if (new Set(ids).size !== ids.length || ids.length !== known.size || ids.some((id) => !known.has(id))) {
        throw new AppError('INVALID_FIELD_VALUE', `The order must list each of the scheme's ${known.size} priorities (${existing.map((p) => p.key).join(', ')}) exactly once`, {
          fields: [{ path: 'body.ids', message: `expected each of the ${known.size} priorities once` }],
        });
      }
      for (const [rank, id] of ids.entries()) {
        const before = existing.find((p) => p.id === id);
        if (before?.rank === rank) continue;
        await tx.update(priorities).set({ rank }).where(eq(priorities.id, id));
        await tx.update(tickets).set({ priorityRank: rank }).where(eq(tickets.priorityId, id));
      }
    });
    await this.priorities.invalidate();
  }

  async activePriorities(ex?: Executor): Promise<Priority[]> {
    return (await this.priorities.get(ex)).active;
  }

  /** A priority of the active scheme by key, or the scheme's default when no key is given. */
  async resolvePriority(key: string | undefined, ex?: Executor): Promise<Priority> {
    const active = await this.activePriorities(ex);
    const found = key === undefined ? (active.find((p) => p.isDefault) ?? active[active.length - 1]) : active.find((p) => p.key === key);
    if (!found) {
      throw new AppError('INVALID_REFERENCE', `Unknown priority ${key}; the active scheme has ${active.map((p) => p.key).join(', ')}`, {
        fields: [{ path: 'body.priority', message: `expected one of ${active.map((p) => p.key).join(', ')}` }],
      });
    }
    return found;
  }

  async allPriorities(ex?: Executor): Promise<Priority[]> {
    return (await this.priorities.get(ex)).all;
  }

  listTypes(ex?: Executor): Promise<TicketType[]> {
    return this.types.get(ex);
  }

  async createType(input: z.infer<typeof CreateTypeBody>): Promise<TicketType> {
    try {
      const [row] = await this.ctx.db
        .insert(ticketTypes)
        .values({ ...input, position: input.position ?? 100 })
        .returning();
      await this.types.invalidate();
      return row as TicketType;
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('ALREADY_EXISTS', `A type with key ${input.key} exists`);
      throw err;
    }
  }

  async updateType(key: string, patch: z.infer<typeof UpdateTypeBody>): Promise<TicketType> {
    const [row] = await this.ctx.db.update(ticketTypes).set(patch).where(eq(ticketTypes.key, key)).returning();
    if (!row) throw new AppError('NOT_FOUND', `No type with key ${key}`);
    await this.types.invalidate();
    return row;
  }

  async requireType(key: string, ex?: Executor): Promise<void> {
    const types = await this.listTypes(ex);
    if (!types.some((t) => t.key === key && t.active)) {
      throw new AppError('INVALID_REFERENCE', `Unknown ticket type ${key}`, {
        fields: [{ path: 'body.type', message: `expected one of ${types.filter((t) => t.active).map((t) => t.key).join(', ')}` }],
      });
    }
  }
}

export function priorityView(p: Priority) {
  return {
    id: p.id,
    scheme: p.schemeKey,
    key: p.key,
    name: p.name,
    rank: p.rank,
    definition: p.definition,
    examples: p.examples,
    expectedResponse: p.expectedResponse,
    color: p.color,
    isDefault: p.isDefault,
  };
}
