import { and, asc, eq, inArray, isNull, or } from 'drizzle-orm';
import { z } from 'zod';
import { type Actor, isAgent } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { AppError, type FieldError, uniquelyNamed } from '../../platform/errors.js';
import { checkTemplate, renderTemplate } from '../../platform/templates.js';
import { patchOf } from '../../platform/validation.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { TicketQueries, TicketRow } from '../tickets/tickets.queries.js';
import type { TicketChanges, TicketsService } from '../tickets/tickets.service.js';
import { type MacroChanges, macros } from './macros.schema.js';

export type Macro = typeof macros.$inferSelect;

/** Whoever applies the macro, as its assignee. */
export const CURRENT_USER = 'current_user';

const tag = z.string().trim().min(1, 'a tag needs at least 1 character').max(100, 'a tag has at most 100 characters');
export const MacroChangesBody = z
  .object({
    status: z.string().min(1).max(64),
    priority: z.string().min(1).max(20),
    type: z.string().min(1).max(64).nullable(),
    groupId: z.uuid('a group id').nullable(),
    assigneeId: z.union([z.literal(CURRENT_USER), z.uuid('a user id or current_user')]).nullable(),
    addTags: z.array(tag).max(50, 'at most 50 tags'),
    removeTags: z.array(tag).max(50, 'at most 50 tags'),
    customFields: z.record(z.string().min(1).max(100), z.unknown()).refine((o) => Object.keys(o).length <= 50, 'at most 50 custom fields'),
  })
  .partial()
  .strict();

export const MacroBody = z.object({
  name: z.string().trim().min(1, 'at least 1 character').max(200, 'at most 200 characters'),
  // A macro may only change fields (no text), like Zendesk's "close as spam".
  body: z.string().max(50_000, 'at most 50,000 characters').default(''),
  public: z.boolean().default(true),
  changes: MacroChangesBody.default({}),
  // Shared with every agent (admins only), or the caller's own.
  shared: z.boolean().default(false),
  position: z.number().int().min(0).max(100_000).default(0),
  active: z.boolean().default(true),
});
export const UpdateMacroBody = patchOf(MacroBody);

/** What the composer sends when an agent sends a macro's text: the text as edited and the changes still chosen. */
export const ApplyMacroBody = z.object({
  body: z.string().max(50_000, 'at most 50,000 characters').default(''),
  public: z.boolean(),
  attachmentIds: z.array(z.uuid()).max(20).default([]),
  changes: MacroChangesBody.default({}),
  // "Send and set …": the agent's own choice of state for this send, instead of the macro's.
  status: z.string().min(1).max(64).optional(),
  version: z.number().int().min(0).optional(),
});

/** A ticket named by its number ("1042", "#1042") or id, for previews. */
export const PreviewMacroBody = z.object({
  ticket: z.string().trim().min(1).max(60),
  body: z.string().max(50_000).default(''),
  changes: MacroChangesBody.default({}),
});

export const ReorderMacrosBody = z.object({ ids: z.array(z.uuid()).min(1).max(1000) });

const MAX_MACROS_PER_OWNER = 1000;

/**
 * Macros: response templates with Liquid placeholders that fill the composer, and the field changes they make
 * (state, priority, type, group, assignee, tags, custom fields). Applying one renders it for a ticket and the
 * agent; the composer shows the text and the changes, the agent may drop either, and sending applies both in
 * one transaction through the tickets use cases (fields first, then the message with its state).
 */
export class MacrosService {
  constructor(
    private readonly ctx: Ctx,
    private readonly settings: TicketSettingsService,
    private readonly queries: TicketQueries,
    private readonly people: PeopleService,
    private readonly tickets: TicketsService,
    private readonly fields: CustomFieldsService,
  ) {}

  /** The shared macros and the caller's own, in their order; deactivated ones only when asked for. */
  list(actor: Actor, o: { includeInactive?: boolean } = {}): Promise<Macro[]> {
    return this.ctx.db
      .select()
      .from(macros)
      .where(and(or(isNull(macros.ownerId), eq(macros.ownerId, actor.userId)), o.includeInactive ? undefined : eq(macros.active, true)))
      .orderBy(asc(macros.position), asc(macros.name));
  }

  async get(actor: Actor, id: string): Promise<Macro> {
    const [row] = await this.ctx.db
      .select()
      .from(macros)
      .where(and(eq(macros.id, id), or(isNull(macros.ownerId), eq(macros.ownerId, actor.userId))));
    if (!row) throw new AppError('NOT_FOUND', `No macro with id ${id}`);
    return row;
  }

  async create(actor: Actor, input: z.infer<typeof MacroBody>): Promise<Macro> {
    await this.check(actor, input);
    const { shared, ...fields } = input;
    await this.checkRoom(shared ? null : actor.userId);
    const now = this.ctx.clock.now();
    return this.write(async () => {
      const [row] = await this.ctx.db
        .insert(macros)
        .values({ ...fields, ownerId: shared ? null : actor.userId, createdAt: now, updatedAt: now })
        .returning();
      return row as Macro;
    }, input.name);
  }

  async update(actor: Actor, id: string, patch: z.infer<typeof UpdateMacroBody>): Promise<Macro> {
    const current = await this.editable(actor, id);
    await this.check(actor, { ...patch, shared: patch.shared ?? current.ownerId === null });
    const { shared, ...fields } = patch;
    return this.write(async () => {
      const [row] = await this.ctx.db
        .update(macros)
        .set({ ...fields, ...(shared === undefined ? {} : { ownerId: shared ? null : actor.userId }), updatedAt: this.ctx.clock.now() })
        .where(eq(macros.id, id))
        .returning();
      return row as Macro;
    }, patch.name ?? current.name);
  }

  /** A copy named "<name> (copy)" (or "(copy 2)" …), right after the original; shared if an admin copies a shared one. */
  async duplicate(actor: Actor, id: string): Promise<Macro> {
    const source = await this.get(actor, id);
    if (!isAgent(actor)) throw new AppError('FORBIDDEN', 'Macros are for agents');
    const shared = source.ownerId === null && actor.role === 'admin';
    const ownerId = shared ? null : actor.userId;
    await this.checkRoom(ownerId);
    const taken = new Set(
      (await this.ctx.db.select({ name: macros.name }).from(macros).where(ownerId ? eq(macros.ownerId, ownerId) : isNull(macros.ownerId))).map((r) => r.name.toLowerCase()),
    );
    const base = `${source.name.slice(0, 185)} (copy`;
    let name = `${base})`;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base} ${n})`;
    const now = this.ctx.clock.now();
    return this.write(async () => {
      const [row] = await this.ctx.db
        .insert(macros)
        .values({ name, body: source.body, public: source.public, changes: source.changes, ownerId, position: source.position, active: source.active, createdAt: now, updatedAt: now })
        .returning();
      return row as Macro;
    }, name);
  }

  /** Puts the given macros in this order (positions 0, 1, …); every one must be the caller's to change. */
  async reorder(actor: Actor, ids: string[]): Promise<Macro[]> {
    const unique = [...new Set(ids)];
    if (unique.length !== ids.length) throw new AppError('VALIDATION_FAILED', 'Each macro appears once in the order', { fields: [{ path: 'body.ids', message: 'lists a macro twice' }] });
    const rows = await this.ctx.db
      .select()
      .from(macros)
      .where(and(inArray(macros.id, ids), or(isNull(macros.ownerId), eq(macros.ownerId, actor.userId))));
    const known = new Set(rows.map((r) => r.id));
    const missing = ids.findIndex((id) => !known.has(id));
    if (missing >= 0) throw new AppError('NOT_FOUND', `No macro with id ${ids[missing]}`, { fields: [{ path: `body.ids.${missing}`, message: 'no such macro of yours' }] });
    const shared = ids.findIndex((id) => rows.find((r) => r.id === id)?.ownerId === null);
    if (shared >= 0 && actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only admins reorder shared macros', { fields: [{ path: `body.ids.${shared}`, message: 'a shared macro' }] });
    await this.ctx.db.transaction(async (tx) => {
      for (const [position, id] of ids.entries()) await tx.update(macros).set({ position, updatedAt: this.ctx.clock.now() }).where(eq(macros.id, id));
    });
    return this.list(actor, { includeInactive: true });
  }

  async remove(actor: Actor, id: string): Promise<void> {
    await this.editable(actor, id);
    await this.ctx.db.delete(macros).where(eq(macros.id, id));
  }

  /** The macro's text for this ticket and agent, and the changes it makes: what the composer is filled with. */
  async render(actor: Actor, id: string, ticketId: string): Promise<{ body: string; public: boolean; changes: MacroChanges }> {
    const macro = await this.get(actor, id);
    if (!macro.active) throw new AppError('INVALID_REFERENCE', `The macro ${macro.name} is deactivated`);
    const t = await this.queries.getRow(actor, ticketId);
    return { body: await this.renderFor(actor, t, macro.body, 'body'), public: macro.public, changes: macro.changes };
  }

  /** A draft macro rendered on a real ticket (by number or id), with that ticket as it is now, for the editor. */
  async preview(actor: Actor, input: z.infer<typeof PreviewMacroBody>) {
    if (!isAgent(actor)) throw new AppError('FORBIDDEN', 'Macros are for agents');
    checkTemplate(input.body, 'body.body');
    await this.checkChanges(input.changes);
    const raw = input.ticket.replace(/^#/, '');
    const t = /^\d{1,15}$/.test(raw) ? await this.queries.getByNumber(actor, Number(raw)) : await this.queries.getRow(actor, z.uuid().safeParse(raw).success ? raw : '00000000-0000-0000-0000-000000000000');
    const [detail] = await this.queries.views([t]);
    return {
      body: await this.renderFor(actor, t, input.body, 'body.body'),
      changes: input.changes,
      ticket: {
        id: t.id,
        number: t.number,
        subject: t.subject,
        status: t.status,
        priority: detail?.priority?.key ?? null,
        type: t.type,
        groupId: t.groupId,
        assigneeId: t.assigneeId,
        tags: t.tags,
        customFields: t.customFields,
      },
    };
  }

  /**
   * Sends a macro on a ticket: the changes the agent kept (each one the macro's own), then the text as a reply or
   * note with the macro's state, in one transaction; a refusal of either leaves the ticket as it was.
   */
  async apply(actor: Actor, id: string, ticketId: string, input: z.infer<typeof ApplyMacroBody>) {
    if (!isAgent(actor)) throw new AppError('FORBIDDEN', 'Only agents apply macros');
    const macro = await this.get(actor, id);
    if (!macro.active) throw new AppError('INVALID_REFERENCE', `The macro ${macro.name} is deactivated`);
    const problems = notPartOf(input.changes, macro.changes);
    if (problems.length) throw new AppError('INVALID_REFERENCE', `Not a change the macro ${macro.name} makes: ${problems.map((p) => p.path.replace('body.changes.', '')).join(', ')}`, { fields: problems });
    const { status: macroStatus, assigneeId, ...rest } = input.changes;
    const status = input.status ?? macroStatus;
    const fieldChanges: TicketChanges = { ...rest, ...(assigneeId === undefined ? {} : { assigneeId: assigneeId === CURRENT_USER ? actor.userId : assigneeId }) };
    const hasText = input.body.trim().length > 0;
    if (!hasText && status !== undefined) fieldChanges.status = status;
    if (!hasText && Object.keys(fieldChanges).length === 0) throw new AppError('VALIDATION_FAILED', 'Nothing to send: the text is empty and no change is left', { fields: [{ path: 'body.body', message: 'write something or keep a change' }] });
    return this.ctx.db.transaction(async (tx) => {
      let version = input.version;
      if (Object.keys(fieldChanges).length) {
        const updated = await inBody(this.tickets.update(actor, ticketId, fieldChanges, { expectedVersion: version, tx }), 'body.changes');
        if (version !== undefined) version = updated.version;
      }
      let messageId: string | null = null;
      if (hasText) {
        const added = await inBody(
          this.tickets.addMessage(actor, ticketId, { body: input.body, format: 'markdown', public: input.public, attachmentIds: input.attachmentIds, status }, { expectedVersion: version, tx }),
          'body',
        );
        messageId = added.messageId;
      }
      return { messageId, ticketId };
    });
  }

  private async renderFor(actor: Actor, t: TicketRow, body: string, path: string): Promise<string> {
    const requester = await this.people.getUser(t.requesterId);
    const first = (name: string) => name.split(/\s+/)[0] ?? name;
    const data = {
      ticket: { id: t.id, number: t.number, subject: t.subject, status: t.status, requester: { name: requester.name, first_name: first(requester.name), email: requester.email } },
      current_user: { name: actor.name, first_name: first(actor.name), email: actor.email },
    };
    // A template that fails to render (a limit hit, one saved before a rule changed) is a 422 naming the body.
    return renderTemplate(body, data, path);
  }

  /** Only admins edit shared macros; agents edit their own. */
  private async editable(actor: Actor, id: string): Promise<Macro> {
    const macro = await this.get(actor, id);
    if (macro.ownerId === null && actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only admins change shared macros');
    return macro;
  }

  private async checkRoom(ownerId: string | null): Promise<void> {
    const rows = await this.ctx.db.select({ id: macros.id }).from(macros).where(ownerId ? eq(macros.ownerId, ownerId) : isNull(macros.ownerId)).limit(MAX_MACROS_PER_OWNER);
    if (rows.length >= MAX_MACROS_PER_OWNER) throw new AppError('VALIDATION_FAILED', `At most ${MAX_MACROS_PER_OWNER} macros ${ownerId ? 'of your own' : 'shared'}; delete some first`);
  }

  private async check(actor: Actor, input: Partial<z.infer<typeof MacroBody>>): Promise<void> {
    if (input.shared && actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only admins share macros');
    if (!isAgent(actor)) throw new AppError('FORBIDDEN', 'Macros are for agents');
    if (input.body) checkTemplate(input.body, 'body.body');
    if (input.changes) await this.checkChanges(input.changes);
  }

  /** Every change names something that exists, each wrong one named with the valid choices. */
  private async checkChanges(c: MacroChanges): Promise<void> {
    const fields: FieldError[] = [];
    const choices = (xs: string[]) => (xs.length > 12 ? `${xs.slice(0, 12).join(', ')}, …` : xs.join(', '));
    if (c.status) {
      const states = await this.settings.listStates();
      if (!states.some((s) => s.key === c.status && s.category !== 'merged')) fields.push({ path: 'body.changes.status', message: `no state ${c.status}; one of ${choices(states.filter((s) => s.category !== 'merged').map((s) => s.key))}` });
    }
    if (c.priority) {
      const prios = await this.settings.activePriorities();
      if (!prios.some((p) => p.key === c.priority)) fields.push({ path: 'body.changes.priority', message: `no priority ${c.priority}; one of ${choices(prios.map((p) => p.key))}` });
    }
    if (c.type) {
      const types = await this.settings.listTypes();
      if (!types.some((t) => t.key === c.type)) fields.push({ path: 'body.changes.type', message: `no type ${c.type}; one of ${choices(types.map((t) => t.key))}` });
    }
    if (c.groupId) {
      const ok = await this.people.getGroup(c.groupId).then(() => true, () => false);
      if (!ok) fields.push({ path: 'body.changes.groupId', message: `no group with id ${c.groupId}` });
    }
    if (c.assigneeId && c.assigneeId !== CURRENT_USER) {
      const [user] = await this.people.getUsers([c.assigneeId]);
      if (!user?.active || (user.role !== 'agent' && user.role !== 'admin')) fields.push({ path: 'body.changes.assigneeId', message: `no active agent with id ${c.assigneeId}` });
    }
    const both = (c.addTags ?? []).filter((x) => (c.removeTags ?? []).includes(x));
    if (both.length) fields.push({ path: 'body.changes.removeTags', message: `${both.join(', ')} is both added and removed` });
    if (c.customFields && Object.keys(c.customFields).length) {
      try {
        await this.fields.validate('ticket', c.customFields);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        fields.push(...err.fields.map((f) => ({ ...f, path: f.path.replace(/^body\./, 'body.changes.') })));
      }
    }
    if (fields.length) throw new AppError('INVALID_REFERENCE', fields.map((f) => f.message).join('; '), { fields });
  }

  private write(run: () => Promise<Macro>, name: string | undefined): Promise<Macro> {
    return uniquelyNamed(`A macro named ${name}`, run);
  }
}

/** The changes in `sent` that the macro does not make (tags: any not in the macro's list). */
function notPartOf(sent: MacroChanges, macro: MacroChanges): FieldError[] {
  const out: FieldError[] = [];
  for (const [key, value] of Object.entries(sent) as [keyof MacroChanges, unknown][]) {
    const own = macro[key];
    const path = `body.changes.${key}`;
    if (key === 'addTags' || key === 'removeTags') {
      const extra = (value as string[]).filter((x) => !((own as string[] | undefined) ?? []).includes(x));
      if (extra.length) out.push({ path, message: `the macro does not ${key === 'addTags' ? 'add' : 'remove'} ${extra.join(', ')}` });
    } else if (key === 'customFields') {
      const mine = (own as Record<string, unknown> | undefined) ?? {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (!Object.hasOwn(mine, k) || JSON.stringify(mine[k]) !== JSON.stringify(v)) out.push({ path: `${path}.${k}`, message: `the macro does not set ${k} to ${JSON.stringify(v)}` });
      }
    } else if (own === undefined || JSON.stringify(own) !== JSON.stringify(value)) {
      out.push({ path, message: `the macro does not set ${key} to ${JSON.stringify(value)}` });
    }
  }
  return out;
}

/** A command's refusal as this request says it: its field paths under `prefix` (`assigneeId` → `body.changes.assigneeId`). */
async function inBody<T>(command: Promise<T>, prefix: string): Promise<T> {
  try {
    return await command;
  } catch (err) {
    if (!(err instanceof AppError) || !err.fields.length) throw err;
    const moved = new AppError(err.code, err.message, { fields: err.fields.map((f) => ({ ...f, path: f.path.startsWith('body.') ? f.path : `${prefix}.${f.path}` })), extra: err.extra });
    moved.stack = err.stack;
    throw moved;
  }
}
