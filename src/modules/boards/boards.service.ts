import { and, asc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor, Tx } from '../../db/client.js';
import { type Actor, isStaff } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import type { TicketsService } from '../tickets/tickets.service.js';
import { boardColumns, boardSettings, boards, type ColumnRole, cardComments, cards } from './boards.schema.js';

export type Board = typeof boards.$inferSelect;
export type BoardColumn = typeof boardColumns.$inferSelect;
export type CardRow = typeof cards.$inferSelect;

/** The NOTIFY channel of board changes; the payload names the card and the boards it shows on. */
export const BOARDS_CHANNEL = 'lifeline_boards';
export type BoardNotice = { cardId: string; boardIds: string[] };

const DEFAULT_COLUMNS: { name: string; role: ColumnRole; stateKey: string | null }[] = [
  { name: 'New issues', role: 'new', stateKey: null },
  { name: 'Up next', role: 'up_next', stateKey: null },
  { name: 'In progress', role: 'in_progress', stateKey: 'open' },
  { name: 'Recently completed', role: 'done', stateKey: 'solved' },
];
// The epics board shows the cards that entered "Up next": its columns are the roles from there on.
const EPICS_COLUMNS = DEFAULT_COLUMNS.slice(1).map((c) => ({ ...c, stateKey: null }));
const EPICS_ROLES: ColumnRole[] = ['up_next', 'in_progress', 'done'];
/** The state backlogging moves a ticket to (per setting); created the first time it is needed. */
export const BACKLOGGED_STATE = 'backlogged';
const GAP = 1024;

const Day = z.iso.date();
const Label = z.string().trim().min(1).max(40);
const CardFields = {
  title: z.string().trim().min(1).max(300),
  description: z.string().max(20_000),
  checklist: z.array(z.object({ text: z.string().trim().min(1).max(500), done: z.boolean().default(false) })).max(100),
  ownerIds: z.array(z.uuid()).max(2, 'an owner, or a pair: at most two people'),
  dueOn: Day.nullable(),
  estimateHours: z.number().min(0).max(1000).nullable(),
  labels: z.array(Label).max(20),
  week: Day.nullable(),
  triage: z.boolean(),
};
export const CreateCardBody = z.object({
  ticketId: z.uuid().optional(),
  title: CardFields.title.optional(),
  description: CardFields.description.default(''),
  checklist: CardFields.checklist.default([]),
  ownerIds: CardFields.ownerIds.default([]),
  dueOn: CardFields.dueOn.default(null),
  estimateHours: CardFields.estimateHours.default(null),
  labels: CardFields.labels.default([]),
  columnId: z.uuid().optional(),
});
export const UpdateCardBody = z.object({
  version: z.number().int().positive(),
  title: CardFields.title.optional(),
  description: CardFields.description.optional(),
  checklist: CardFields.checklist.optional(),
  ownerIds: CardFields.ownerIds.optional(),
  dueOn: CardFields.dueOn.optional(),
  estimateHours: CardFields.estimateHours.optional(),
  labels: CardFields.labels.optional(),
  week: CardFields.week.optional(),
  triage: CardFields.triage.optional(),
});
export const MoveCardBody = z.object({
  // The board the move was made on: the card's own, or the epics board.
  boardId: z.uuid(),
  columnId: z.uuid(),
  // Where in the column (0 is the top); past the end is the end.
  index: z.number().int().min(0).max(100_000),
  version: z.number().int().positive(),
});
export const ColumnBody = z.object({
  name: z.string().trim().min(1).max(60),
  wipLimit: z.number().int().min(1).max(1000).nullable(),
  wipMode: z.enum(['refuse', 'warn']),
  stateKey: z.string().max(64).nullable(),
});
export const CommentBody = z.object({
  body: z.string().trim().min(1).max(20_000),
  // On a ticket's card: false is an internal note, true a public reply mailed to the customer (the ticket's reply path).
  public: z.boolean().default(false),
});
export const CustomerReorderBody = z.object({ cardId: z.uuid(), index: z.number().int().min(0).max(100_000), version: z.number().int().positive() });
export const BoardOptionsBody = z.object({ customersReorder: z.boolean() });
export const BoardSettingsBody = z.object({ backlogStateKey: z.string().max(64).nullable(), archiveAfterDays: z.number().int().min(1).max(365) });

/** A card as every board shows it: its home column and role, and where it sits on its board and on the epics board. */
export type CardView = ReturnType<typeof cardView>;
export function cardView(c: CardRow, role: ColumnRole | null) {
  return {
    id: c.id,
    boardId: c.boardId,
    columnId: c.columnId,
    role,
    position: c.position,
    epicsPosition: c.epicsPosition,
    onEpics: c.onEpics && role !== null && EPICS_ROLES.includes(role),
    organizationId: c.organizationId,
    ticketId: c.ticketId,
    ticketNumber: c.ticketNumber,
    title: c.title,
    description: c.description,
    checklist: c.checklist,
    ownerIds: c.ownerIds,
    dueOn: c.dueOn,
    estimateHours: c.estimateHours,
    labels: c.labels,
    week: c.week,
    triage: c.triage,
    checklistDone: c.checklist.filter((x) => x.done).length,
    checklistTotal: c.checklist.length,
    completedAt: c.completedAt?.toISOString() ?? null,
    archivedAt: c.archivedAt?.toISOString() ?? null,
    version: c.version,
    updatedAt: c.updatedAt.toISOString(),
  };
}

/** The columns a board's tile needs: no description or checklist text (a 2,000-card board was 899 KB with them). */
const summaryColumns = {
  id: cards.id,
  boardId: cards.boardId,
  columnId: cards.columnId,
  position: cards.position,
  epicsPosition: cards.epicsPosition,
  onEpics: cards.onEpics,
  organizationId: cards.organizationId,
  ticketId: cards.ticketId,
  ticketNumber: cards.ticketNumber,
  title: cards.title,
  ownerIds: cards.ownerIds,
  dueOn: cards.dueOn,
  estimateHours: cards.estimateHours,
  labels: cards.labels,
  week: cards.week,
  triage: cards.triage,
  completedAt: cards.completedAt,
  version: cards.version,
  checklistTotal: sql<number>`jsonb_array_length(${cards.checklist})`,
  checklistDone: sql<number>`(select count(*)::int from jsonb_array_elements(${cards.checklist}) x where (x->>'done')::boolean)`,
};
type SummaryRow = Omit<CardRow, 'description' | 'checklist' | 'archivedAt' | 'createdAt' | 'updatedAt'> & { checklistTotal: number; checklistDone: number };

/**
 * A card as a board shows it (a tile): what it is, where, who and when — the description and checklist come with the
 * full card (`GET /api/v1/cards/:id`) when it is opened.
 */
export type CardSummary = ReturnType<typeof cardSummary>;
export function cardSummary(c: SummaryRow, role: ColumnRole | null) {
  return {
    id: c.id,
    boardId: c.boardId,
    columnId: c.columnId,
    role,
    position: c.position,
    epicsPosition: c.epicsPosition,
    onEpics: c.onEpics && role !== null && EPICS_ROLES.includes(role),
    organizationId: c.organizationId,
    ticketId: c.ticketId,
    ticketNumber: c.ticketNumber,
    title: c.title,
    ownerIds: c.ownerIds,
    dueOn: c.dueOn,
    estimateHours: c.estimateHours,
    labels: c.labels,
    week: c.week,
    triage: c.triage,
    checklistDone: Number(c.checklistDone),
    checklistTotal: Number(c.checklistTotal),
    completedAt: c.completedAt?.toISOString() ?? null,
    version: c.version,
  };
}

/**
 * Customer boards, the epics board and their cards. Every change is one transaction; a move locks the card, checks
 * the version the mover saw, the board, the column and its WIP limit, sets the ticket's state when the column maps to
 * one (inside the same transaction: a refused state change refuses the move), and NOTIFYs the boards it shows on.
 */
export class BoardsService {
  constructor(
    private readonly ctx: Ctx,
    private readonly tickets: TicketsService,
    private readonly ticketQueries: TicketQueries,
    private readonly ticketSettings: TicketSettingsService,
    private readonly people: PeopleService,
  ) {}

  // ---- boards

  /** The epics board (made by the migration; made here too if it is ever missing, on a write path). */
  async epics(ex: Executor = this.ctx.db): Promise<Board> {
    const found = await this.findEpics(ex);
    if (found) return found;
    return this.create(ex, { kind: 'epics', organizationId: null, name: 'Support epics' }, EPICS_COLUMNS);
  }

  /** The epics board, for reads: never written here (a GET changes nothing). */
  async findEpics(ex: Executor = this.ctx.db): Promise<Board | null> {
    const [found] = await ex.select().from(boards).where(eq(boards.kind, 'epics'));
    return found ?? null;
  }

  /** The organisation's board if it has one yet (reads never make one). */
  async findForOrganization(organizationId: string, ex: Executor = this.ctx.db): Promise<Board | null> {
    const [found] = await ex.select().from(boards).where(eq(boards.organizationId, organizationId));
    return found ?? null;
  }

  /** The organisation's board, created on first use (backlogging a ticket, opening it to add a card) with the default columns. */
  async forOrganization(organizationId: string, ex: Executor = this.ctx.db): Promise<Board> {
    const found = await this.findForOrganization(organizationId, ex);
    if (found) return found;
    const org = await this.people.getOrganization(organizationId, ex);
    return this.create(ex, { kind: 'customer', organizationId, name: org.name }, DEFAULT_COLUMNS);
  }

  private async create(ex: Executor, values: { kind: 'customer' | 'epics'; organizationId: string | null; name: string }, columns: typeof DEFAULT_COLUMNS): Promise<Board> {
    return ex.transaction(async (tx) => {
      const [made] = await tx
        .insert(boards)
        .values({ ...values, createdAt: this.ctx.clock.now() })
        .onConflictDoNothing()
        .returning();
      if (!made) {
        // Someone else created it a moment ago.
        const [other] = await tx.select().from(boards).where(values.organizationId ? eq(boards.organizationId, values.organizationId) : eq(boards.kind, 'epics'));
        if (!other) throw new AppError('INTERNAL', 'board vanished');
        return other;
      }
      await tx.insert(boardColumns).values(columns.map((c, i) => ({ boardId: made.id, name: c.name, role: c.role, stateKey: c.stateKey, position: i })));
      return made;
    });
  }

  async get(id: string, ex: Executor = this.ctx.db): Promise<Board> {
    const [b] = await ex.select().from(boards).where(eq(boards.id, id));
    if (!b) throw new AppError('BOARD_NOT_FOUND', `No board with id ${id}`);
    return b;
  }

  async list(): Promise<(Board & { cardCount: number })[]> {
    const rows = await this.ctx.db
      .select({ b: boards, n: sql<number>`(select count(*)::int from ${cards} where ${cards.boardId} = ${boards.id} and ${cards.archivedAt} is null)` })
      .from(boards)
      .orderBy(sql`${boards.kind} = 'customer'`, asc(boards.name));
    return rows.map((r) => ({ ...r.b, cardCount: Number(r.n) }));
  }

  columns(boardId: string, ex: Executor = this.ctx.db): Promise<BoardColumn[]> {
    return ex.select().from(boardColumns).where(eq(boardColumns.boardId, boardId)).orderBy(asc(boardColumns.position));
  }

  /**
   * A board with its columns and open cards (the epics board: every card that entered "Up next", and its own), as
   * `actor` may see it: a ticket's card only if they may see the ticket (a group-restricted agent, a customer). Cards
   * are summaries (no description, no checklist text): the full card is fetched when one is opened.
   */
  async load(actor: Actor, boardId: string) {
    const board = await this.get(boardId);
    const columns = await this.columns(boardId);
    const where =
      board.kind === 'epics'
        ? and(isNull(cards.archivedAt), or(eq(cards.boardId, boardId), and(eq(cards.onEpics, true), inArray(boardColumns.role, EPICS_ROLES))))
        : and(isNull(cards.archivedAt), eq(cards.boardId, boardId));
    const rows = await this.ctx.db
      .select({ c: summaryColumns, role: boardColumns.role })
      .from(cards)
      .innerJoin(boardColumns, eq(boardColumns.id, cards.columnId))
      .where(where)
      .orderBy(board.kind === 'epics' ? asc(cards.epicsPosition) : asc(cards.position));
    const ticketIds = rows.map((r) => r.c.ticketId).filter((id): id is string => id !== null);
    const visible = new Set(ticketIds.length ? await this.ticketQueries.visibleIds(actor, ticketIds) : []);
    const items = rows.filter((r) => r.c.ticketId === null || visible.has(r.c.ticketId)).map((r) => cardSummary(r.c, r.role));
    return { board: boardView(board), columns: columns.map(columnView), cards: items, ...(await this.names(items)) };
  }

  /** The names a board shows: its cards' owners and organisations. */
  private async names(items: CardSummary[]) {
    const userIds = [...new Set(items.flatMap((c) => c.ownerIds))];
    const orgIds = [...new Set(items.map((c) => c.organizationId).filter((x): x is string => !!x))];
    const users = userIds.length ? await this.people.getUsers(userIds) : [];
    const orgs = await this.people.getOrganizations(orgIds);
    return { people: users.map((u) => ({ id: u.id, name: u.name })), organizations: orgs.map((o) => ({ id: o.id, name: o.name })) };
  }

  /**
   * What a customer of the organisation sees in the portal: the columns and each card's title, ticket and due date.
   * An organisation without a board yet gets the default columns and no cards, and nothing is written.
   */
  async forCustomer(actor: Actor, organizationId: string) {
    if (!isStaff(actor) && actor.organizationId !== organizationId) throw new AppError('FORBIDDEN', 'This is not your organisation’s board');
    const board = await this.findForOrganization(organizationId);
    if (!board) {
      const org = await this.people.getOrganization(organizationId);
      return { board: { id: null, name: org.name, customersReorder: false }, columns: DEFAULT_COLUMNS.map((c) => ({ id: null, name: c.name, role: c.role })), cards: [] };
    }
    const full = await this.load(actor, board.id);
    return {
      board: { id: board.id, name: board.name, customersReorder: board.customersReorder },
      columns: full.columns.map((c) => ({ id: c.id as string | null, name: c.name, role: c.role })),
      cards: full.cards.map((c) => ({ id: c.id, columnId: c.columnId, title: c.title, ticketNumber: c.ticketNumber, dueOn: c.dueOn, labels: c.labels, completedAt: c.completedAt, version: c.version })),
    };
  }

  /**
   * A customer reorders "New issues" from the portal, when the organisation allows it: the card goes to `index` among
   * the cards of that column they can see. Versioned like an agent's move: a stale version is 409 carrying the card
   * as it is now (in the portal's shape: nothing internal). Refused, changing nothing: another organisation's board,
   * a board that does not allow it, a card in another column or on another board.
   */
  async customerReorder(actor: Actor, organizationId: string, input: z.infer<typeof CustomerReorderBody>) {
    if (!isStaff(actor) && actor.organizationId !== organizationId) throw new AppError('FORBIDDEN', 'This is not your organisation’s board');
    const board = await this.findForOrganization(organizationId);
    if (!board?.customersReorder) throw new AppError('REORDER_NOT_ALLOWED', 'Your support team has not enabled reordering this board; it is read-only');
    await this.ctx.db.transaction(async (tx) => {
      const [c] = await tx.select().from(cards).where(eq(cards.id, input.cardId)).for('update');
      if (!c || (c.ticketId && !(await this.ticketQueries.visibleIds(actor, [c.ticketId], tx)).length)) throw new AppError('CARD_NOT_FOUND', `No card with id ${input.cardId}`);
      if (c.boardId !== board.id || c.archivedAt) throw new AppError('CARD_NOT_ON_BOARD', `This card is not on ${board.name}’s board`, { fields: [{ path: 'body.cardId', message: 'not on this board' }] });
      const [column] = await tx.select().from(boardColumns).where(eq(boardColumns.id, c.columnId));
      if (column?.role !== 'new') throw new AppError('COLUMN_NOT_REORDERABLE', `Only "New issues" can be reordered here; this card is in "${column?.name ?? '?'}"`, { fields: [{ path: 'body.cardId', message: 'not in New issues' }] });
      if (c.version !== input.version) {
        throw new AppError('VERSION_CONFLICT', 'Someone moved this card first; it is shown where it is now', { extra: { current: { id: c.id, columnId: c.columnId, position: c.position, version: c.version } } });
      }
      const others = await tx
        .select({ id: cards.id, ticketId: cards.ticketId, p: cards.position })
        .from(cards)
        .where(and(eq(cards.columnId, column.id), isNull(cards.archivedAt), sql`${cards.id} <> ${c.id}`))
        .orderBy(asc(cards.position));
      const ticketIds = others.map((o) => o.ticketId).filter((id): id is string => id !== null);
      const visible = new Set(ticketIds.length ? await this.ticketQueries.visibleIds(actor, ticketIds, tx) : []);
      const seen = others.filter((o) => o.ticketId === null || visible.has(o.ticketId));
      const before = input.index > 0 ? seen[Math.min(input.index, seen.length) - 1]?.p : undefined;
      const after = seen[input.index]?.p;
      const position = before === undefined ? (after === undefined ? GAP : after - GAP) : after === undefined ? before + GAP : (before + after) / 2;
      await tx.update(cards).set({ position, version: c.version + 1, updatedAt: this.ctx.clock.now() }).where(eq(cards.id, c.id));
      await this.notify(tx, c.id, await this.boardsOf(tx, c));
    });
    return this.forCustomer(actor, organizationId);
  }

  async updateColumn(columnId: string, input: z.infer<typeof ColumnBody>) {
    if (input.stateKey && !(await this.ticketSettings.getState(input.stateKey))) {
      throw new AppError('INVALID_REFERENCE', `No ticket state ${input.stateKey}`, { fields: [{ path: 'body.stateKey', message: 'no such state' }] });
    }
    const [row] = await this.ctx.db.update(boardColumns).set(input).where(eq(boardColumns.id, columnId)).returning();
    if (!row) throw new AppError('NOT_FOUND', `No column with id ${columnId}`);
    return columnView(row);
  }

  async settings(ex: Executor = this.ctx.db) {
    const [row] = await ex.select().from(boardSettings).where(eq(boardSettings.id, 1));
    return { backlogStateKey: row ? row.backlogStateKey : BACKLOGGED_STATE, archiveAfterDays: row?.archiveAfterDays ?? 7 };
  }

  async updateSettings(input: z.infer<typeof BoardSettingsBody>) {
    if (input.backlogStateKey && input.backlogStateKey !== BACKLOGGED_STATE && !(await this.ticketSettings.getState(input.backlogStateKey))) {
      throw new AppError('INVALID_REFERENCE', `No ticket state ${input.backlogStateKey}`, { fields: [{ path: 'body.backlogStateKey', message: 'no such state' }] });
    }
    const values = { ...input, updatedAt: this.ctx.clock.now() };
    await this.ctx.db.insert(boardSettings).values({ id: 1, ...values }).onConflictDoUpdate({ target: boardSettings.id, set: values });
    return this.settings();
  }

  // ---- cards

  async card(id: string, ex: Executor = this.ctx.db): Promise<CardView> {
    const [r] = await ex.select({ c: cards, role: boardColumns.role }).from(cards).innerJoin(boardColumns, eq(boardColumns.id, cards.columnId)).where(eq(cards.id, id));
    if (!r) throw new AppError('CARD_NOT_FOUND', `No card with id ${id}`);
    return cardView(r.c, r.role);
  }

  /** A card, if `actor` may see it: a ticket's card is as visible as its ticket (404 otherwise, like the ticket). */
  async visibleCard(actor: Actor, id: string): Promise<CardView> {
    const card = await this.card(id);
    if (card.ticketId && !(await this.ticketQueries.visibleIds(actor, [card.ticketId])).length) throw new AppError('CARD_NOT_FOUND', `No card with id ${id}`);
    return card;
  }

  // ---- comments

  /**
   * A card's comments. A ticket's card shows the ticket's conversation (replies, the customer's messages and internal
   * notes, as `actor` may see them): they live on the ticket, so card and ticket never disagree. A free card has its own.
   */
  async comments(actor: Actor, cardId: string) {
    const card = await this.visibleCard(actor, cardId);
    if (card.ticketId) {
      const messages = await this.ticketQueries.messages(actor, card.ticketId);
      return {
        source: 'ticket' as const,
        items: messages.map((m) => ({
          id: m.id,
          body: m.bodyText,
          kind: !m.public ? ('note' as const) : m.direction === 'inbound' ? ('customer' as const) : ('reply' as const),
          author: m.author ? { id: m.author.id, name: m.author.name } : null,
          createdAt: new Date(m.createdAt).toISOString(),
        })),
      };
    }
    const rows = await this.ctx.db.select().from(cardComments).where(eq(cardComments.cardId, cardId)).orderBy(asc(cardComments.createdAt), asc(cardComments.id));
    const authorIds = [...new Set(rows.map((r) => r.authorId).filter((x): x is string => !!x))];
    const names = new Map((authorIds.length ? await this.people.getUsers(authorIds) : []).map((u) => [u.id, u.name]));
    return {
      source: 'card' as const,
      items: rows.map((r) => ({ id: r.id, body: r.body, kind: 'comment' as const, author: r.authorId ? { id: r.authorId, name: names.get(r.authorId) ?? '' } : null, createdAt: r.createdAt.toISOString() })),
    };
  }

  /**
   * A comment on a card. On a ticket's card it is written to the ticket — an internal note, or a public reply that
   * goes out through the ticket's reply path (mailed like any reply) — so the ticket page shows it too. A free card
   * keeps its own comments, and has no customer to reply to.
   */
  async comment(actor: Actor, cardId: string, input: z.infer<typeof CommentBody>) {
    const card = await this.visibleCard(actor, cardId);
    if (card.ticketId) {
      await this.tickets.addMessage(actor, card.ticketId, { body: input.body, format: 'markdown', public: input.public, attachmentIds: [] });
    } else {
      if (input.public) throw new AppError('INVALID_FIELD_VALUE', 'A free card has no customer to reply to; its comments stay on the card', { fields: [{ path: 'body.public', message: 'a free card has no customer' }] });
      await this.ctx.db.insert(cardComments).values({ cardId, authorId: actor.userId, body: input.body, createdAt: this.ctx.clock.now() });
    }
    return this.comments(actor, cardId);
  }

  /** Board options: whether the organisation's customers may reorder "New issues" from the portal. */
  async setOptions(boardId: string, input: z.infer<typeof BoardOptionsBody>) {
    const board = await this.get(boardId);
    if (board.kind !== 'customer' && input.customersReorder) {
      throw new AppError('INVALID_FIELD_VALUE', 'Only a customer board is shown to customers', { fields: [{ path: 'body.customersReorder', message: 'not a customer board' }] });
    }
    const [row] = await this.ctx.db.update(boards).set(input).where(eq(boards.id, boardId)).returning();
    return boardView(row as Board);
  }

  /** The card of a ticket, if it was backlogged (the ticket page shows it). */
  async cardOfTicket(actor: Actor, ticketId: string): Promise<CardView | null> {
    await this.ticketQueries.getRow(actor, ticketId);
    const [r] = await this.ctx.db.select({ id: cards.id }).from(cards).where(eq(cards.ticketId, ticketId));
    return r ? this.card(r.id) : null;
  }

  /**
   * "Backlog to customer board": the ticket's card on its organisation's board, in "New issues" (the card it has, if
   * it has one), and per setting the ticket moves to the backlogged state, in the same transaction.
   */
  async backlog(actor: Actor, ticketId: string): Promise<{ card: CardView; created: boolean }> {
    const ticket = await this.ticketQueries.getRow(actor, ticketId);
    if (!ticket.organizationId) {
      throw new AppError('INVALID_REFERENCE', `Ticket #${ticket.number} has no organisation, so it has no customer board; set its organisation first`, { fields: [{ path: 'ticketId', message: 'no organisation' }] });
    }
    const existing = await this.ctx.db.select({ id: cards.id }).from(cards).where(eq(cards.ticketId, ticketId));
    if (existing[0]) return { card: await this.card(existing[0].id), created: false };
    const board = await this.forOrganization(ticket.organizationId);
    const { backlogStateKey } = await this.settings();
    if (backlogStateKey === BACKLOGGED_STATE && !(await this.ticketSettings.getState(BACKLOGGED_STATE))) {
      await this.ticketSettings
        .createState({ key: BACKLOGGED_STATE, label: 'Backlogged', category: 'on_hold', pausesSla: true, onRequesterReply: 'open', position: 45 })
        .catch((err: unknown) => {
          if (!(err instanceof AppError && err.code === 'ALREADY_EXISTS')) throw err;
        });
    }
    const id = await this.ctx.db.transaction(async (tx) => {
      const column = (await this.columns(board.id, tx)).find((c) => c.role === 'new') ?? (await this.columns(board.id, tx))[0];
      if (!column) throw new AppError('INTERNAL', 'board without columns');
      const card = await this.insertCard(tx, board, column, { ticketId, ticketNumber: ticket.number, title: ticket.subject, organizationId: ticket.organizationId });
      if (backlogStateKey && ticket.status !== backlogStateKey) await this.tickets.update(actor, ticketId, { status: backlogStateKey }, { tx });
      await this.notify(tx, card.id, [board.id]);
      return card.id;
    });
    return { card: await this.card(id), created: true };
  }

  /** A card on a board: a ticket's (of the board's organisation) or a free one. */
  async createCard(actor: Actor, boardId: string, input: z.infer<typeof CreateCardBody>): Promise<CardView> {
    const board = await this.get(boardId);
    let ticket: { id: string; number: number; subject: string } | null = null;
    if (input.ticketId) {
      const row = await this.ticketQueries.getRow(actor, input.ticketId);
      if (board.kind !== 'customer' || row.organizationId !== board.organizationId) {
        throw new AppError('CARD_WRONG_ORGANIZATION', `Ticket #${row.number} is not a ticket of ${board.name}; a ticket goes on its own organisation's board`, { fields: [{ path: 'body.ticketId', message: 'another organisation' }] });
      }
      const [taken] = await this.ctx.db.select({ id: cards.id }).from(cards).where(eq(cards.ticketId, row.id));
      if (taken) throw new AppError('ALREADY_EXISTS', `Ticket #${row.number} already has a card`, { extra: { cardId: taken.id } });
      ticket = { id: row.id, number: row.number, subject: row.subject };
    } else if (!input.title) {
      throw new AppError('VALIDATION_FAILED', 'A free card needs a title', { fields: [{ path: 'body.title', message: 'required' }] });
    }
    await this.checkPeople(input.ownerIds);
    const id = await this.ctx.db.transaction(async (tx) => {
      const columns = await this.columns(board.id, tx);
      const column = input.columnId ? columns.find((c) => c.id === input.columnId) : columns[0];
      if (!column) throw new AppError('CARD_NOT_ON_BOARD', `Column ${input.columnId} is not a column of ${board.name}`, { fields: [{ path: 'body.columnId', message: 'not on this board' }] });
      const card = await this.insertCard(tx, board, column, {
        ticketId: ticket?.id ?? null,
        ticketNumber: ticket?.number ?? null,
        title: input.title ?? ticket?.subject ?? '',
        organizationId: board.organizationId,
        description: input.description,
        checklist: input.checklist.map((c) => ({ text: c.text, done: c.done })),
        ownerIds: input.ownerIds,
        dueOn: input.dueOn,
        estimateHours: input.estimateHours,
        labels: input.labels,
        triage: board.kind === 'epics',
      });
      await this.notify(tx, card.id, [board.id]);
      return card.id;
    });
    return this.card(id);
  }

  private async insertCard(tx: Tx, board: Board, column: BoardColumn, values: Partial<typeof cards.$inferInsert> & { title: string }): Promise<CardRow> {
    const [last] = await tx
      .select({ p: sql<number>`coalesce(max(${cards.position}), 0)` })
      .from(cards)
      .where(and(eq(cards.columnId, column.id), isNull(cards.archivedAt)));
    const now = this.ctx.clock.now();
    const onEpics = board.kind === 'epics' || column.role === 'up_next';
    const epicsPosition = onEpics ? await this.epicsEnd(tx) : 0;
    const [card] = await tx
      .insert(cards)
      .values({ ...values, boardId: board.id, columnId: column.id, position: Number(last?.p ?? 0) + GAP, onEpics, epicsPosition, completedAt: column.role === 'done' ? now : null, createdAt: now, updatedAt: now })
      .returning();
    if (!card) throw new AppError('INTERNAL', 'card insert returned nothing');
    return card;
  }

  private async epicsEnd(tx: Executor): Promise<number> {
    const [r] = await tx.select({ p: sql<number>`coalesce(max(${cards.epicsPosition}), 0)` }).from(cards).where(eq(cards.onEpics, true));
    return Number(r?.p ?? 0) + GAP;
  }

  private async checkPeople(ids: string[]): Promise<void> {
    if (!ids.length) return;
    if (new Set(ids).size !== ids.length) throw new AppError('INVALID_FIELD_VALUE', 'A pair is two different people', { fields: [{ path: 'body.ownerIds', message: 'the same person twice' }] });
    const found = await this.people.getUsers(ids);
    const staff = found.filter((u) => u.active && u.role !== 'customer');
    if (staff.length !== ids.length) throw new AppError('INVALID_REFERENCE', 'An owner must be an active member of staff', { fields: [{ path: 'body.ownerIds', message: 'not an active member of staff' }] });
  }

  /** Locks the card and checks the version the caller saw; a stale one is a 409 carrying the card as it is now. */
  private async lockCard(tx: Tx, id: string, version: number): Promise<{ card: CardRow; role: ColumnRole | null }> {
    // The card alone is locked (a join would be re-checked against the old column after a concurrent move, and lose the row).
    const [c] = await tx.select().from(cards).where(eq(cards.id, id)).for('update');
    if (!c) throw new AppError('CARD_NOT_FOUND', `No card with id ${id}`);
    const [column] = await tx.select({ role: boardColumns.role }).from(boardColumns).where(eq(boardColumns.id, c.columnId));
    const r = { c, role: column?.role ?? null };
    if (r.c.archivedAt) throw new AppError('CARD_ARCHIVED', 'This card is archived; it no longer moves');
    if (r.c.version !== version) {
      throw new AppError('VERSION_CONFLICT', `Someone changed this card first (version ${r.c.version}, you had ${version}); it is shown where it is now`, { extra: { current: cardView(r.c, r.role) } });
    }
    return { card: r.c, role: r.role };
  }

  async updateCard(actor: Actor, id: string, input: z.infer<typeof UpdateCardBody>): Promise<CardView> {
    const { version, ...patch } = input;
    if (patch.ownerIds) await this.checkPeople(patch.ownerIds);
    if (patch.week && new Date(`${patch.week}T00:00:00Z`).getUTCDay() !== 1) {
      throw new AppError('INVALID_FIELD_VALUE', 'A week is named by its Monday', { fields: [{ path: 'body.week', message: 'not a Monday' }] });
    }
    await this.ctx.db.transaction(async (tx) => {
      const { card } = await this.lockCard(tx, id, version);
      await this.mustSeeTicketOf(actor, card, tx);
      await tx
        .update(cards)
        .set({ ...patch, checklist: patch.checklist?.map((c) => ({ text: c.text, done: c.done })), version: card.version + 1, updatedAt: this.ctx.clock.now() })
        .where(eq(cards.id, id));
      await this.notify(tx, id, await this.boardsOf(tx, card));
    });
    return this.card(id);
  }

  /** A ticket's card is changed only by someone who may see the ticket (404, like the ticket, otherwise). */
  private async mustSeeTicketOf(actor: Actor, card: { id: string; ticketId: string | null }, tx: Tx): Promise<void> {
    if (card.ticketId && !(await this.ticketQueries.visibleIds(actor, [card.ticketId], tx)).length) throw new AppError('CARD_NOT_FOUND', `No card with id ${card.id}`);
  }

  /**
   * Moves a card on its own board or on the epics board: to a column of that board, at `index` in it. On the epics
   * board the card goes to its own board's column of the same role. Refused, with nothing changed: a stale version
   * (409 with where it is now), a board it is not on, a column of another board, a full column that refuses.
   */
  async move(actor: Actor, id: string, input: z.infer<typeof MoveCardBody>): Promise<{ card: CardView; warnings: string[] }> {
    const warnings: string[] = [];
    await this.ctx.db.transaction(async (tx) => {
      const { card, role } = await this.lockCard(tx, id, input.version);
      await this.mustSeeTicketOf(actor, card, tx);
      const board = await this.get(input.boardId, tx);
      const onEpicsBoard = board.kind === 'epics' && card.boardId !== board.id;
      if (card.boardId !== board.id && !(board.kind === 'epics' && card.onEpics && role && EPICS_ROLES.includes(role))) {
        throw new AppError('CARD_NOT_ON_BOARD', `This card is not on ${board.name}`, { fields: [{ path: 'body.boardId', message: 'the card is not on this board' }] });
      }
      const target = (await this.columns(board.id, tx)).find((c) => c.id === input.columnId);
      if (!target) throw new AppError('CARD_NOT_ON_BOARD', `That column is not a column of ${board.name}`, { fields: [{ path: 'body.columnId', message: 'not a column of this board' }] });
      // The column on the card's own board it lands in.
      let home = target;
      if (onEpicsBoard) {
        const match = (await this.columns(card.boardId, tx)).find((c) => c.role === target.role);
        if (!match) throw new AppError('CARD_NOT_ON_BOARD', `The card's own board has no "${target.name}" column`, { fields: [{ path: 'body.columnId', message: 'no corresponding column' }] });
        home = match;
      }
      // The WIP limit counts what the column shows on the board the move was made on.
      if (target.wipLimit !== null && (home.id !== card.columnId || onEpicsBoard)) {
        const shown = board.kind === 'epics' ? await this.countEpics(tx, board.id, target, card.id) : await this.countColumn(tx, target.id, card.id);
        if (shown >= target.wipLimit) {
          const message = `"${target.name}" holds at most ${target.wipLimit} cards (WIP limit ${target.wipLimit}) and has ${shown}`;
          if (target.wipMode === 'refuse') throw new AppError('WIP_LIMIT_REACHED', message, { extra: { limit: target.wipLimit, count: shown } });
          warnings.push(message);
        }
      }
      const now = this.ctx.clock.now();
      const set: Partial<typeof cards.$inferInsert> = { columnId: home.id, version: card.version + 1, updatedAt: now };
      if (board.kind === 'epics') set.epicsPosition = await this.slot(tx, board, target, card.id, input.index, 'epics');
      else set.position = await this.slot(tx, board, target, card.id, input.index, 'home');
      if (home.role === 'up_next' && !card.onEpics) {
        set.onEpics = true;
        set.epicsPosition = await this.epicsEnd(tx);
      }
      if (home.role === 'done' && role !== 'done') set.completedAt = now;
      if (home.role !== 'done') set.completedAt = null;
      await tx.update(cards).set(set).where(eq(cards.id, id));
      if (card.ticketId && home.stateKey && home.id !== card.columnId) {
        const ticket = await this.ticketQueries.getRow(actor, card.ticketId, tx);
        if (ticket.status !== home.stateKey) await this.tickets.update(actor, card.ticketId, { status: home.stateKey }, { tx });
      }
      await this.notify(tx, id, await this.boardsOf(tx, { ...card, ...set } as CardRow));
    });
    return { card: await this.card(id), warnings };
  }

  private async countColumn(tx: Tx, columnId: string, except: string): Promise<number> {
    const [r] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(cards)
      .where(and(eq(cards.columnId, columnId), isNull(cards.archivedAt), sql`${cards.id} <> ${except}`));
    return Number(r?.n ?? 0);
  }

  private async countEpics(tx: Tx, epicsId: string, column: BoardColumn, except: string): Promise<number> {
    const [r] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(cards)
      .innerJoin(boardColumns, eq(boardColumns.id, cards.columnId))
      .where(and(isNull(cards.archivedAt), sql`${cards.id} <> ${except}`, or(eq(cards.columnId, column.id), and(eq(cards.onEpics, true), sql`${cards.boardId} <> ${epicsId}`, sql`${boardColumns.role} = ${column.role}`))));
    return Number(r?.n ?? 0);
  }

  /** A position at `index` among the column's other cards, between its neighbours. */
  private async slot(tx: Tx, board: Board, column: BoardColumn, except: string, index: number, which: 'home' | 'epics'): Promise<number> {
    const field = which === 'epics' ? cards.epicsPosition : cards.position;
    const where =
      which === 'epics'
        ? and(isNull(cards.archivedAt), sql`${cards.id} <> ${except}`, or(eq(cards.columnId, column.id), and(eq(cards.onEpics, true), sql`${boardColumns.role} = ${column.role}`)))
        : and(isNull(cards.archivedAt), sql`${cards.id} <> ${except}`, eq(cards.columnId, column.id));
    const rows = await tx
      .select({ p: field })
      .from(cards)
      .innerJoin(boardColumns, eq(boardColumns.id, cards.columnId))
      .where(where)
      .orderBy(asc(field))
      .limit(index + 1);
    void board;
    const before = index > 0 ? rows[index - 1]?.p : undefined;
    const after = rows[index]?.p;
    if (before === undefined && after === undefined) return rows.length ? (rows.at(-1)?.p ?? 0) + GAP : GAP;
    if (before === undefined) return (after as number) - GAP;
    if (after === undefined) return before + GAP;
    return (before + after) / 2;
  }

  private async boardsOf(tx: Executor, card: Pick<CardRow, 'boardId' | 'onEpics'>): Promise<string[]> {
    return card.onEpics ? [...new Set([card.boardId, (await this.epics(tx)).id])] : [card.boardId];
  }

  /** Archives a card by hand (a free card done with, a mistake). */
  async archive(actor: Actor, id: string, version: number): Promise<CardView> {
    await this.ctx.db.transaction(async (tx) => {
      const { card } = await this.lockCard(tx, id, version);
      await this.mustSeeTicketOf(actor, card, tx);
      await tx.update(cards).set({ archivedAt: this.ctx.clock.now(), version: card.version + 1 }).where(eq(cards.id, id));
      await this.notify(tx, id, await this.boardsOf(tx, card));
    });
    return this.card(id);
  }

  /** The schedule: cards in "Recently completed" for longer than the setting archive themselves. */
  async sweepArchive(): Promise<number> {
    const { archiveAfterDays } = await this.settings();
    const cutoff = new Date(this.ctx.clock.now().getTime() - archiveAfterDays * 86_400_000);
    return this.ctx.db.transaction(async (tx) => {
      const done = await tx
        .update(cards)
        .set({ archivedAt: this.ctx.clock.now(), version: sql`${cards.version} + 1` })
        .where(and(isNull(cards.archivedAt), lt(cards.completedAt, cutoff)))
        .returning({ id: cards.id, boardId: cards.boardId, onEpics: cards.onEpics });
      for (const c of done) await this.notify(tx, c.id, await this.boardsOf(tx, c));
      return done.length;
    });
  }

  /** Sent at commit (NOTIFY is transactional): every process's streams of those boards get the card. */
  private async notify(tx: Executor, cardId: string, boardIds: string[]): Promise<void> {
    const notice: BoardNotice = { cardId, boardIds };
    await tx.execute(sql`select pg_notify(${BOARDS_CHANNEL}, ${JSON.stringify(notice)})`);
  }
}

export function boardView(b: Board) {
  return { id: b.id, kind: b.kind, organizationId: b.organizationId, name: b.name, customersReorder: b.customersReorder };
}
export function columnView(c: BoardColumn) {
  return { id: c.id, boardId: c.boardId, name: c.name, position: c.position, role: c.role, stateKey: c.stateKey, wipLimit: c.wipLimit, wipMode: c.wipMode };
}
