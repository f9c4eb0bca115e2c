import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { credentialsOf, isStaff, requireActor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { LiveHub, type LiveStream, LiveStreams } from '../../platform/live.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import { COLUMN_ROLES } from './boards.schema.js';
import { AppError } from '../../platform/errors.js';
import { BOARDS_CHANNEL, BoardOptionsBody, type BoardNotice, BoardSettingsBody, type BoardsService, ColumnBody, CommentBody, CreateCardBody, CustomerReorderBody, MoveCardBody, UpdateCardBody } from './boards.service.js';
import { GoalBody, type PlanningService } from './planning.service.js';
import { EntryBody, LockBody, PreferencesBody, TimerBody, type TimeService, UpdateEntryBody } from './time.service.js';

const IdParams = z.object({ id: z.uuid() });
const read = { level: 'staff', scope: 'tickets:read' } as const;
const write = { level: 'staff', scope: 'tickets:write' } as const;
const admin = { level: 'admin', scope: 'admin' } as const;
const tags = ['boards'];
const timeTags = ['time'];
const Day = z.iso.date();

const Named = z.array(z.object({ id: z.string(), name: z.string() }));
const Role = z.enum(COLUMN_ROLES).nullable();
const BoardOut = z.object({ id: z.string(), kind: z.enum(['customer', 'epics']), organizationId: z.string().nullable(), name: z.string(), customersReorder: z.boolean() });
const ColumnOut = z.object({ id: z.string(), boardId: z.string(), name: z.string(), position: z.number(), role: Role, stateKey: z.string().nullable(), wipLimit: z.number().nullable(), wipMode: z.enum(['refuse', 'warn']) });
const Summary = {
  id: z.string(),
  boardId: z.string(),
  columnId: z.string(),
  role: Role,
  position: z.number(),
  epicsPosition: z.number(),
  onEpics: z.boolean(),
  organizationId: z.string().nullable(),
  ticketId: z.string().nullable(),
  ticketNumber: z.number().nullable(),
  title: z.string(),
  ownerIds: z.array(z.string()),
  dueOn: z.string().nullable(),
  estimateHours: z.number().nullable(),
  labels: z.array(z.string()),
  week: z.string().nullable(),
  triage: z.boolean(),
  checklistDone: z.number(),
  checklistTotal: z.number(),
  completedAt: z.string().nullable(),
  version: z.number(),
};
// A board's tile: no description or checklist text (the card detail fetches the full card).
const CardSummaryOut = z.object(Summary);
export const CardOut = z.object({
  id: z.string(),
  boardId: z.string(),
  columnId: z.string(),
  role: Role,
  position: z.number(),
  epicsPosition: z.number(),
  onEpics: z.boolean(),
  organizationId: z.string().nullable(),
  ticketId: z.string().nullable(),
  ticketNumber: z.number().nullable(),
  title: z.string(),
  description: z.string(),
  checklist: z.array(z.object({ text: z.string(), done: z.boolean() })),
  ownerIds: z.array(z.string()),
  dueOn: z.string().nullable(),
  estimateHours: z.number().nullable(),
  labels: z.array(z.string()),
  week: z.string().nullable(),
  triage: z.boolean(),
  checklistDone: z.number(),
  checklistTotal: z.number(),
  completedAt: z.string().nullable(),
  archivedAt: z.string().nullable(),
  version: z.number(),
  updatedAt: z.string(),
});
const BoardLoad = z.object({ board: BoardOut, columns: z.array(ColumnOut), cards: z.array(CardSummaryOut), people: Named, organizations: Named });
// An organisation without a board yet: `board.id` and the columns' ids are null (nothing is made by reading it).
const CustomerBoard = z.object({
  board: z.object({ id: z.string().nullable(), name: z.string(), customersReorder: z.boolean() }),
  columns: z.array(z.object({ id: z.string().nullable(), name: z.string(), role: Role })),
  cards: z.array(
    z.object({ id: z.string(), columnId: z.string(), title: z.string(), ticketNumber: z.number().nullable(), dueOn: z.string().nullable(), labels: z.array(z.string()), completedAt: z.string().nullable(), version: z.number() }),
  ),
});
const Comments = z.object({
  source: z.enum(['ticket', 'card']),
  items: z.array(z.object({ id: z.string(), body: z.string(), kind: z.enum(['note', 'reply', 'customer', 'comment']), author: z.object({ id: z.string(), name: z.string() }).nullable(), createdAt: z.string() })),
});
const PlanCard = z.object({
  id: z.string(),
  boardId: z.string(),
  title: z.string(),
  ticketNumber: z.number().nullable(),
  role: Role,
  estimateHours: z.number().nullable(),
  ownerIds: z.array(z.string()),
  week: z.string().nullable(),
  completedAt: z.string().nullable(),
  version: z.number(),
});
const PlanSection = { upNext: z.array(PlanCard), committed: z.array(PlanCard), committedHours: z.number(), unestimated: z.number(), completedLastWeek: z.array(PlanCard) };
const Planning = z.object({
  week: z.string(),
  previousWeek: z.string(),
  customers: z.array(z.object({ organizationId: z.string(), boardId: z.string(), name: z.string(), goal: z.string(), ...PlanSection })),
  triage: z.object(PlanSection),
  people: z.array(z.object({ id: z.string(), name: z.string(), availableHours: z.number(), committedHours: z.number(), cards: z.number() })),
  unowned: z.number(),
});
const EntryOut = z.object({
  id: z.string(),
  userId: z.string(),
  organizationId: z.string().nullable(),
  ticketId: z.string().nullable(),
  ticketNumber: z.number().nullable(),
  cardId: z.string().nullable(),
  workDate: z.string(),
  minutes: z.number(),
  description: z.string(),
  billable: z.boolean(),
  createdAt: z.string(),
});
const EntryList = z.object({ items: z.array(EntryOut), totalMinutes: z.number(), people: Named, organizations: Named });
const Timesheet = z.object({
  userId: z.string(),
  week: z.string(),
  days: z.array(z.object({ day: z.string(), minutes: z.number(), items: z.array(EntryOut) })),
  totalMinutes: z.number(),
  lockedThrough: z.string().nullable(),
  people: Named,
  organizations: Named,
});
const Report = z.object({
  from: z.string(),
  to: z.string(),
  customers: z.array(z.object({ organizationId: z.string().nullable(), name: z.string(), minutes: z.number(), billableMinutes: z.number(), entries: z.number() })),
  tickets: z.array(z.object({ ticketId: z.string().nullable(), ticketNumber: z.number().nullable(), organizationId: z.string().nullable(), minutes: z.number() })),
  types: z.array(z.object({ type: z.string().nullable(), label: z.string(), minutes: z.number() })),
  people: z.array(z.object({ userId: z.string(), name: z.string(), minutes: z.number(), billableMinutes: z.number(), entries: z.number() })),
  totalMinutes: z.number(),
});
const TimerOut = z.object({
  timer: z.object({ startedAt: z.string(), ticketId: z.string().nullable(), cardId: z.string().nullable(), organizationId: z.string().nullable(), description: z.string() }).nullable(),
});
const Prefs = z.object({ timeZone: z.string(), endOfDay: z.string(), reminders: z.boolean(), weeklyHours: z.number(), tracking: z.boolean() });
const Period = z.object({ from: Day, to: Day, organizationId: z.uuid().optional() });

export function boardRoutes(app: FastifyInstance, ctx: Ctx, s: { boards: BoardsService; time: TimeService; planning: PlanningService; people: PeopleService; ticketQueries: TicketQueries }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { boards, time } = s;

  r.get('/api/v1/boards', { config: { access: read }, schema: { tags, response: { 200: z.object({ items: z.array(BoardOut.extend({ cardCount: z.number() })) }) } } }, async () => ({
    items: (await boards.list()).map((b) => ({ id: b.id, kind: b.kind, organizationId: b.organizationId, name: b.name, customersReorder: b.customersReorder, cardCount: b.cardCount })),
  }));
  r.get('/api/v1/boards/epics', { config: { access: read }, schema: { tags, response: { 200: BoardLoad } } }, async (req) => {
    const epics = await boards.findEpics();
    if (!epics) throw new AppError('BOARD_NOT_FOUND', 'There is no epics board (it is made by the migrations)');
    return boards.load(requireActor(req), epics.id);
  });
  r.patch(
    '/api/v1/boards/:id',
    { config: { access: { level: 'agent', scope: 'tickets:write' } }, schema: { tags, params: IdParams, body: BoardOptionsBody, description: 'Board options: may the organisation’s customers reorder "New issues" from the portal.', response: { 200: BoardOut } } },
    async (req) => boards.setOptions(req.params.id, req.body),
  );
  r.get('/api/v1/boards/:id', { config: { access: read }, schema: { tags, params: IdParams, response: { 200: BoardLoad } } }, async (req) => boards.load(requireActor(req), req.params.id));
  r.post(
    '/api/v1/organizations/:id/board',
    { config: { access: write }, schema: { tags, params: IdParams, description: "The organisation's board, created on first use.", response: { 200: BoardLoad } } },
    async (req) => boards.load(requireActor(req), (await boards.forOrganization(req.params.id)).id),
  );
  r.get(
    '/api/v1/organizations/:id/board',
    { config: { access: { level: 'signed_in', scope: 'tickets:read' } }, schema: { tags, params: IdParams, description: "Read-only: the organisation's board as its customers see it (the portal).", response: { 200: CustomerBoard } } },
    async (req) => boards.forCustomer(requireActor(req), req.params.id),
  );
  r.post(
    '/api/v1/organizations/:id/board/reorder',
    {
      config: { access: { level: 'signed_in', scope: 'tickets:write' } },
      schema: { tags, params: IdParams, body: CustomerReorderBody, description: 'The portal: a customer reorders "New issues", when the organisation allows it. A stale version is 409 with the card where it is now.', response: { 200: CustomerBoard } },
    },
    async (req) => boards.customerReorder(requireActor(req), req.params.id, req.body),
  );
  r.patch('/api/v1/board-columns/:id', { config: { access: admin }, schema: { tags, params: IdParams, body: ColumnBody, response: { 200: ColumnOut } } }, async (req) => boards.updateColumn(req.params.id, req.body));
  r.get('/api/v1/board-settings', { config: { access: read }, schema: { tags, response: { 200: BoardSettingsBody } } }, async () => boards.settings());
  r.put('/api/v1/board-settings', { config: { access: admin }, schema: { tags, body: BoardSettingsBody, response: { 200: BoardSettingsBody } } }, async (req) => boards.updateSettings(req.body));

  r.post('/api/v1/boards/:id/cards', { config: { access: write }, schema: { tags, params: IdParams, body: CreateCardBody, response: { 201: CardOut } } }, async (req, reply) =>
    reply.status(201).send(await boards.createCard(requireActor(req), req.params.id, req.body)),
  );
  r.get('/api/v1/cards/:id', { config: { access: read }, schema: { tags, params: IdParams, response: { 200: CardOut } } }, async (req) => boards.visibleCard(requireActor(req), req.params.id));
  r.patch('/api/v1/cards/:id', { config: { access: write }, schema: { tags, params: IdParams, body: UpdateCardBody, response: { 200: CardOut } } }, async (req) => boards.updateCard(requireActor(req), req.params.id, req.body));
  r.post(
    '/api/v1/cards/:id/move',
    {
      config: { access: write },
      schema: { tags, params: IdParams, body: MoveCardBody, description: 'Moves a card; a stale version is 409 with the card where it is now.', response: { 200: z.object({ card: CardOut, warnings: z.array(z.string()) }) } },
    },
    async (req) => boards.move(requireActor(req), req.params.id, req.body),
  );
  r.post('/api/v1/cards/:id/archive', { config: { access: write }, schema: { tags, params: IdParams, body: z.object({ version: z.number().int().positive() }), response: { 200: CardOut } } }, async (req) =>
    boards.archive(requireActor(req), req.params.id, req.body.version),
  );
  r.get('/api/v1/cards/:id/comments', { config: { access: read }, schema: { tags, params: IdParams, description: "A ticket's card shows the ticket's conversation; a free card its own comments.", response: { 200: Comments } } }, async (req) =>
    boards.comments(requireActor(req), req.params.id),
  );
  r.post(
    '/api/v1/cards/:id/comments',
    { config: { access: write }, schema: { tags, params: IdParams, body: CommentBody, description: "On a ticket's card: an internal note, or (public) a reply to the customer through the ticket.", response: { 201: Comments } } },
    async (req, reply) => reply.status(201).send(await boards.comment(requireActor(req), req.params.id, req.body)),
  );
  r.get('/api/v1/planning', { config: { access: read }, schema: { tags, querystring: z.object({ week: Day }), response: { 200: Planning } } }, async (req) => s.planning.week(requireActor(req), req.query.week));
  r.put('/api/v1/planning/goals', { config: { access: write }, schema: { tags, body: GoalBody, response: { 200: GoalBody } } }, async (req) => s.planning.setGoal(requireActor(req), req.body));
  r.get('/api/v1/tickets/:id/card', { config: { access: read }, schema: { tags, params: IdParams, response: { 200: z.object({ card: CardOut.nullable() }) } } }, async (req) => ({
    card: await boards.cardOfTicket(requireActor(req), req.params.id),
  }));
  r.post(
    '/api/v1/tickets/:id/backlog',
    { config: { access: write }, schema: { tags, params: IdParams, description: "Backlog to customer board: the ticket's card in New issues (and, per setting, the backlogged state).", response: { 200: CardOut, 201: CardOut } } },
    async (req, reply) => {
      const { card, created } = await boards.backlog(requireActor(req), req.params.id);
      return reply.status(created ? 201 : 200).send(card);
    },
  );

  // ---- time
  r.post('/api/v1/time/entries', { config: { access: write }, schema: { tags: timeTags, body: EntryBody, response: { 201: EntryOut } } }, async (req, reply) =>
    reply.status(201).send(await time.add(requireActor(req), req.body)),
  );
  r.patch('/api/v1/time/entries/:id', { config: { access: write }, schema: { tags: timeTags, params: IdParams, body: UpdateEntryBody, response: { 200: EntryOut } } }, async (req) =>
    time.update(requireActor(req), req.params.id, req.body),
  );
  r.delete('/api/v1/time/entries/:id', { config: { access: write }, schema: { tags: timeTags, params: IdParams } }, async (req, reply) => {
    await time.remove(requireActor(req), req.params.id);
    return reply.status(204).send();
  });
  r.get('/api/v1/tickets/:id/time', { config: { access: read }, schema: { tags: timeTags, params: IdParams, response: { 200: EntryList } } }, async (req) => time.forTicket(requireActor(req), req.params.id));
  r.get('/api/v1/cards/:id/time', { config: { access: read }, schema: { tags: timeTags, params: IdParams, response: { 200: EntryList } } }, async (req) => {
    await boards.visibleCard(requireActor(req), req.params.id);
    return time.forCard(req.params.id);
  });
  r.get(
    '/api/v1/time/timesheet',
    { config: { access: read }, schema: { tags: timeTags, querystring: z.object({ userId: z.uuid().optional(), week: Day.optional() }), response: { 200: Timesheet } } },
    async (req) => time.timesheet(requireActor(req), req.query.userId, req.query.week ?? ctx.clock.now().toISOString().slice(0, 10)),
  );
  r.get('/api/v1/time/report', { config: { access: { level: 'agent', scope: 'tickets:read' } }, schema: { tags: timeTags, querystring: Period, response: { 200: Report } } }, async (req) => time.report(req.query));
  r.get('/api/v1/time/report.csv', { config: { access: { level: 'agent', scope: 'tickets:read' } }, schema: { tags: timeTags, querystring: Period } }, async (req, reply) => {
    time.checkPeriod(req.query);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="time-${req.query.from}-to-${req.query.to}.csv"`)
      .send(Readable.from(time.csv(req.query)));
  });
  r.get('/api/v1/time/timer', { config: { access: read }, schema: { tags: timeTags, response: { 200: TimerOut } } }, async (req) => time.timer(requireActor(req)));
  r.post('/api/v1/time/timer', { config: { access: write }, schema: { tags: timeTags, body: TimerBody, response: { 200: TimerOut } } }, async (req) => time.startTimer(requireActor(req), req.body));
  r.post(
    '/api/v1/time/timer/stop',
    { config: { access: write }, schema: { tags: timeTags, body: z.object({ description: z.string().trim().max(2000).optional(), billable: z.boolean().optional() }), response: { 201: EntryOut } } },
    async (req, reply) => reply.status(201).send(await time.stopTimer(requireActor(req), req.body)),
  );
  r.delete('/api/v1/time/timer', { config: { access: write }, schema: { tags: timeTags } }, async (req, reply) => {
    await time.discardTimer(requireActor(req));
    return reply.status(204).send();
  });
  r.get('/api/v1/time/preferences', { config: { access: read }, schema: { tags: timeTags, response: { 200: Prefs } } }, async (req) => time.preferences(requireActor(req).userId));
  r.put('/api/v1/time/preferences', { config: { access: write }, schema: { tags: timeTags, body: PreferencesBody, response: { 200: Prefs } } }, async (req) => time.setPreferences(requireActor(req).userId, req.body));
  r.get('/api/v1/time/reminders', { config: { access: read }, schema: { tags: timeTags, response: { 200: z.object({ items: z.array(z.object({ day: z.string() })) }) } } }, async (req) =>
    time.reminders(requireActor(req).userId),
  );
  r.post('/api/v1/time/reminders/dismiss', { config: { access: write }, schema: { tags: timeTags, body: z.object({ day: Day }) } }, async (req, reply) => {
    await time.dismissReminder(requireActor(req).userId, req.body.day);
    return reply.status(204).send();
  });
  r.get('/api/v1/time/settings', { config: { access: read }, schema: { tags: timeTags, response: { 200: LockBody } } }, async () => time.settings());
  r.put('/api/v1/time/settings', { config: { access: admin }, schema: { tags: timeTags, body: LockBody, response: { 200: LockBody } } }, async (req) => time.lock(req.body));

  // ---- live: a board's card changes, as server-sent events (`card`: the card as it is now)
  const hub = new LiveHub<BoardNotice>(ctx.database, BOARDS_CHANNEL);
  const streams = new LiveStreams((c) => s.people.resolveActor(c), { perUser: ctx.config.streams.maxPerUser, perProcess: ctx.config.streams.maxPerProcess, recheckMs: ctx.config.streams.recheckMs });
  const watching = new Map<LiveStream, string>();
  let seq = 0;
  let fanOut: Promise<void> = Promise.resolve();
  const stopWatching = ctx.cache.onInvalidate('actors', () => void streams.recheckAll());
  hub.subscribe((notice) => {
    if (!streams.size) return;
    fanOut = fanOut.then(async () => {
      const card = await boards.card(notice.cardId).catch(() => null);
      if (!card) return;
      // A ticket's card goes only to those who may see the ticket (decided in memory, like the ticket stream).
      const facts = card.ticketId ? await s.ticketQueries.visibilityFacts(card.ticketId) : undefined;
      if (card.ticketId && !facts) return;
      const json = JSON.stringify(card);
      const id = ++seq;
      streams.forEach((st) => {
        const boardId = watching.get(st);
        if (boardId && notice.boardIds.includes(boardId))
          st.enqueue((actor) => isStaff(actor) && (!facts || s.ticketQueries.canSee(actor, facts)) && st.event(id, 'card', json));
      });
    });
  });
  app.addHook('onReady', () => hub.start());
  app.addHook('preClose', async () => {
    stopWatching();
    streams.closeAll('SERVER_STOPPING');
    await hub.stop();
  });
  r.get('/api/v1/boards/:id/stream', { config: { access: read }, schema: { tags, params: IdParams, description: 'Server-sent events: every change to a card on this board.' } }, async (req, reply) => {
    const actor = requireActor(req);
    await boards.get(req.params.id);
    try {
      streams.admit();
    } catch (err) {
      reply.header('retry-after', '30');
      throw err;
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': connected\n\n');
    let heartbeat: NodeJS.Timeout | undefined;
    const stream = streams.add(credentialsOf(req), actor, {
      write: (text) => res.write(text),
      end: () => {
        clearInterval(heartbeat);
        watching.delete(stream);
        res.end();
      },
    });
    watching.set(stream, req.params.id);
    stream.lastEventId = seq;
    heartbeat = setInterval(() => stream.comment('ping'), 25_000);
    req.raw.on('close', () => stream.close());
  });
}
