import { and, asc, eq, isNull, or } from 'drizzle-orm';
import { z } from 'zod';
import { type Actor, isAgent } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { AppError, uniquelyNamed } from '../../platform/errors.js';
import { patchOf } from '../../platform/validation.js';
import { checkTemplate, renderTemplate } from '../../platform/templates.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import { macros } from './macros.schema.js';

export type Macro = typeof macros.$inferSelect;

export const MacroBody = z.object({
  name: z.string().trim().min(1).max(200),
  body: z.string().min(1).max(50_000),
  public: z.boolean().default(true),
  changes: z
    .object({
      status: z.string().max(64),
      priority: z.string().max(20),
      type: z.string().max(64).nullable(),
      addTags: z.array(z.string().trim().min(1).max(100)).max(50),
      removeTags: z.array(z.string().trim().min(1).max(100)).max(50),
    })
    .partial()
    .strict()
    .default({}),
  // Shared with every agent (admins only), or the caller's own.
  shared: z.boolean().default(false),
});
export const UpdateMacroBody = patchOf(MacroBody);

/**
 * Macros: response templates with Liquid placeholders that fill the composer and may change fields. Applying
 * one renders it for a ticket and the agent using it; the composer sends the text with the changes as one
 * message (state via the message's `status`, the rest as a ticket update).
 */
export class MacrosService {
  constructor(
    private readonly ctx: Ctx,
    private readonly settings: TicketSettingsService,
    private readonly queries: TicketQueries,
    private readonly people: PeopleService,
  ) {}

  /** The shared macros and the caller's own. */
  list(actor: Actor): Promise<Macro[]> {
    return this.ctx.db
      .select()
      .from(macros)
      .where(or(isNull(macros.ownerId), eq(macros.ownerId, actor.userId)))
      .orderBy(asc(macros.name));
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
    }, patch.name);
  }

  async remove(actor: Actor, id: string): Promise<void> {
    await this.editable(actor, id);
    await this.ctx.db.delete(macros).where(eq(macros.id, id));
  }

  /** The macro's text for this ticket and agent, and the changes it makes: what the composer is filled with. */
  async render(actor: Actor, id: string, ticketId: string): Promise<{ body: string; public: boolean; changes: Macro['changes'] }> {
    const macro = await this.get(actor, id);
    const t = await this.queries.getRow(actor, ticketId);
    const requester = await this.people.getUser(t.requesterId);
    const first = (name: string) => name.split(/\s+/)[0] ?? name;
    const data = {
      ticket: { id: t.id, number: t.number, subject: t.subject, status: t.status, requester: { name: requester.name, first_name: first(requester.name), email: requester.email } },
      current_user: { name: actor.name, first_name: first(actor.name), email: actor.email },
    };
    // A template that fails to render (a limit hit, one saved before a rule changed) is a 422 naming the body.
    const body = await renderTemplate(macro.body, data, 'body');
    return { body, public: macro.public, changes: macro.changes };
  }

  /** Only admins edit shared macros; agents edit their own. */
  private async editable(actor: Actor, id: string): Promise<Macro> {
    const macro = await this.get(actor, id);
    if (macro.ownerId === null && actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only admins change shared macros');
    return macro;
  }

  private async check(actor: Actor, input: Partial<z.infer<typeof MacroBody>>): Promise<void> {
    if (input.shared && actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only admins share macros');
    if (!isAgent(actor)) throw new AppError('FORBIDDEN', 'Macros are for agents');
    if (input.body) checkTemplate(input.body, 'body.body');
    const c = input.changes ?? {};
    const fields: { path: string; message: string }[] = [];
    if (c.status && !(await this.settings.getState(c.status))) fields.push({ path: 'body.changes.status', message: `no state ${c.status}` });
    if (c.priority && !(await this.settings.allPriorities()).some((p) => p.key === c.priority)) fields.push({ path: 'body.changes.priority', message: `no priority ${c.priority}` });
    if (c.type && !(await this.settings.listTypes()).some((t) => t.key === c.type)) fields.push({ path: 'body.changes.type', message: `no type ${c.type}` });
    if (fields.length) throw new AppError('INVALID_REFERENCE', fields.map((f) => f.message).join('; '), { fields });
  }

  private write(run: () => Promise<Macro>, name: string | undefined): Promise<Macro> {
    return uniquelyNamed(`A macro named ${name}`, run);
  }
}
