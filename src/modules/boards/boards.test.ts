import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

type Card = { id: string; boardId: string; columnId: string; role: string; version: number; onEpics: boolean; title: string; completedAt: string | null; archivedAt: string | null };
type Column = { id: string; name: string; role: string | null };
type Load = { board: { id: string; kind: string }; columns: Column[]; cards: Card[] };

describe('boards: customer boards, the epics board, moves', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let pair: Session;
  let acme: Session;
  let other: Session;
  let acmeOrg: { id: string };
  let otherOrg: { id: string };
  let base: string;

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    agent = await t.signIn('agent', { name: 'Tess Triager' });
    pair = await t.signIn('agent', { name: 'Pat Pair' });
    acmeOrg = await t.make.organization({ name: 'Acme Health' });
    otherOrg = await t.make.organization({ name: 'Other Co' });
    acme = await t.signIn('customer', { organizationId: acmeOrg.id, name: 'Ada Acme' });
    other = await t.signIn('customer', { organizationId: otherOrg.id });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  after(() => t.close());

  const load = async (url: string): Promise<Load> => {
    const res = await t.as(agent).get(url);
    assert.equal(res.status, 200, res.raw);
    return res.body;
  };
  const col = (b: Load, role: string) => b.columns.find((c) => c.role === role) as Column;
  const move = (who: Session, card: Card, board: Load, role: string, index = 0, version = card.version) =>
    t.as(who).post(`/api/v1/cards/${card.id}/move`, { boardId: board.board.id, columnId: col(board, role).id, index, version });

  test("backlog → New issues on the organisation's board (created on first use); Up next puts the same card on the epics board; moves follow on both", async () => {
    const ticket = await t.make.ticket(acme, { subject: 'Export to CSV times out' });
    const backlogged = await t.as(agent).post(`/api/v1/tickets/${ticket.id}/backlog`);
    assert.equal(backlogged.status, 201, backlogged.raw);
    assert.equal(backlogged.body.role, 'new');
    assert.equal(backlogged.body.ticketNumber, ticket.number);
    assert.equal((await t.as(agent).post(`/api/v1/tickets/${ticket.id}/backlog`)).status, 200, 'backlogging twice answers with the card it has');
    assert.equal((await t.as(agent).get(`/api/v1/tickets/${ticket.id}`)).body.status, 'backlogged', 'the default setting moves the ticket to backlogged');
    const board = await load(`/api/v1/boards/${backlogged.body.boardId}`);
    assert.equal(board.board.kind, 'customer');
    assert.deepEqual(board.columns.map((c) => c.name), ['New issues', 'Up next', 'In progress', 'Recently completed']);
    assert.deepEqual(board.cards.map((c) => c.id), [backlogged.body.id]);
    let epics = await load('/api/v1/boards/epics');
    assert.equal(epics.cards.length, 0, 'not on the epics board before Up next');

    const upNext = await move(agent, backlogged.body, board, 'up_next');
    assert.equal(upNext.status, 200, upNext.raw);
    assert.equal(upNext.body.card.onEpics, true);
    epics = await load('/api/v1/boards/epics');
    assert.deepEqual(epics.cards.map((c) => [c.id, c.role]), [[backlogged.body.id, 'up_next']], 'the same card, not a copy');

    // Moved on the epics board: it moves on the customer's board too, and the ticket takes the column's state.
    const progress = await move(pair, upNext.body.card, epics, 'in_progress');
    assert.equal(progress.status, 200, progress.raw);
    assert.equal(progress.body.card.columnId, col(board, 'in_progress').id);
    assert.equal((await t.as(agent).get(`/api/v1/tickets/${ticket.id}`)).body.status, 'open');
    // The week's commitment and the pair.
    const week = await t.as(agent).patch(`/api/v1/cards/${ticket.id === '' ? '' : progress.body.card.id}`, { version: progress.body.card.version, week: '2026-03-09', ownerIds: [agent.user.id, pair.user.id] });
    assert.equal(week.status, 200, week.raw);
    assert.equal(week.body.week, '2026-03-09');
    const notMonday = await t.as(agent).patch(`/api/v1/cards/${week.body.id}`, { version: week.body.version, week: '2026-03-10' });
    assert.equal(notMonday.status, 422);
    assert.equal(notMonday.body.errors[0].path, 'body.week');
    const three = await t.as(agent).patch(`/api/v1/cards/${week.body.id}`, { version: week.body.version, ownerIds: [agent.user.id, pair.user.id, admin.user.id] });
    assert.equal(three.status, 400, 'an owner or a pair: not three');
    const customerOwner = await t.as(agent).patch(`/api/v1/cards/${week.body.id}`, { version: week.body.version, ownerIds: [acme.user.id] });
    assert.equal(customerOwner.status, 422);

    // The customer sees their board read-only; another organisation's customer does not.
    const portal = await t.as(acme).get(`/api/v1/organizations/${acmeOrg.id}/board`);
    assert.equal(portal.status, 200, portal.raw);
    assert.deepEqual(portal.body.cards.map((c: { title: string }) => c.title), ['Export to CSV times out']);
    assert.equal(portal.body.cards[0].ownerIds, undefined, 'no internal fields for customers');
    assert.equal((await t.as(other).get(`/api/v1/organizations/${acmeOrg.id}/board`)).status, 403);
    assert.equal((await t.as(acme).get(`/api/v1/boards/${board.board.id}`)).status, 403, 'the agent board API is staff-only');
  });

  test('concurrent moves: the later gets 409 with the current position, nothing half-moved; bad moves each their error', async () => {
    const ticket = await t.make.ticket(acme, { subject: 'Login page typo' });
    const card: Card = (await t.as(agent).post(`/api/v1/tickets/${ticket.id}/backlog`)).body;
    const board = await load(`/api/v1/boards/${card.boardId}`);
    const [a, b] = await Promise.all([move(agent, card, board, 'up_next'), move(pair, card, board, 'in_progress')]);
    const statuses = [a.status, b.status].sort();
    assert.deepEqual(statuses, [200, 409], `${a.raw} ${b.raw}`);
    const lost = a.status === 409 ? a : b;
    const won = a.status === 200 ? a : b;
    assert.equal(lost.body.code, 'VERSION_CONFLICT');
    assert.equal(lost.body.current.columnId, won.body.card.columnId, 'the 409 carries where the card is now');
    assert.equal(lost.body.current.version, 2);
    const now = (await t.as(agent).get(`/api/v1/cards/${card.id}`)).body;
    assert.equal(now.version, 2);
    assert.equal(now.columnId, won.body.card.columnId);

    // A board the card is not on; a column of another board; a ticket card of another organisation.
    const otherTicket = await t.make.ticket(other, { subject: 'Other' });
    const otherCard: Card = (await t.as(agent).post(`/api/v1/tickets/${otherTicket.id}/backlog`)).body;
    const otherBoard = await load(`/api/v1/boards/${otherCard.boardId}`);
    const wrongBoard = await move(agent, now, otherBoard, 'up_next');
    assert.equal(wrongBoard.status, 422);
    assert.equal(wrongBoard.body.code, 'CARD_NOT_ON_BOARD');
    const wrongColumn = await t.as(agent).post(`/api/v1/cards/${now.id}/move`, { boardId: board.board.id, columnId: col(otherBoard, 'new').id, index: 0, version: now.version });
    assert.equal(wrongColumn.body.code, 'CARD_NOT_ON_BOARD');
    const wrongOrg = await t.as(agent).post(`/api/v1/boards/${board.board.id}/cards`, { ticketId: otherTicket.id });
    assert.equal(wrongOrg.status, 422);
    assert.equal(wrongOrg.body.code, 'CARD_WRONG_ORGANIZATION');
    const noTitle = await t.as(agent).post(`/api/v1/boards/${board.board.id}/cards`, {});
    assert.equal(noTitle.body.errors[0].path, 'body.title');
    assert.equal((await t.as(agent).get(`/api/v1/cards/${now.id}`)).body.version, now.version, 'refusals changed nothing');
    const noOrg = await t.make.ticket(agent, { subject: 'Internal' });
    assert.equal((await t.as(agent).post(`/api/v1/tickets/${noOrg.id}/backlog`)).status, 422, 'no organisation, no board');
  });

  test('WIP limits: refused naming the limit, or allowed with a warning, per column', async () => {
    const board = await load(`/api/v1/boards/${(await t.as(agent).post(`/api/v1/organizations/${acmeOrg.id}/board`)).body.board.id}`);
    const progress = col(board, 'in_progress');
    const inProgress = board.cards.filter((c) => c.columnId === progress.id).length;
    const limit = inProgress;
    const set = await t.as(admin).patch(`/api/v1/board-columns/${progress.id}`, { name: 'In progress', wipLimit: limit, wipMode: 'refuse', stateKey: 'open' });
    assert.equal(set.status, 200, set.raw);
    const free = await t.as(agent).post(`/api/v1/boards/${board.board.id}/cards`, { title: 'Upgrade the SDK', description: 'Version 5 drops callbacks', checklist: [{ text: 'read changelog', done: true }, { text: 'bump' }], labels: ['tech-debt'], estimateHours: 3 });
    assert.equal(free.status, 201, free.raw);
    // The board carries a summary of the card (no description or checklist text); opening it fetches the full card.
    const tile = (await t.as(agent).get(`/api/v1/boards/${board.board.id}`)).body.cards.find((c: { id: string }) => c.id === free.body.id);
    assert.deepEqual([tile.title, tile.labels, tile.estimateHours, tile.checklistDone, tile.checklistTotal, tile.version], ['Upgrade the SDK', ['tech-debt'], 3, 1, 2, 1]);
    assert.equal(tile.description, undefined);
    assert.equal(tile.checklist, undefined);
    const full = (await t.as(agent).get(`/api/v1/cards/${free.body.id}`)).body;
    assert.equal(full.description, 'Version 5 drops callbacks');
    assert.deepEqual(full.checklist, [{ text: 'read changelog', done: true }, { text: 'bump', done: false }]);
    const refused = await move(agent, free.body, board, 'in_progress');
    assert.equal(refused.status, 422);
    assert.equal(refused.body.code, 'WIP_LIMIT_REACHED');
    assert.match(refused.body.detail, new RegExp(`WIP limit ${limit}`));
    assert.equal((await t.as(agent).get(`/api/v1/cards/${free.body.id}`)).body.columnId, col(board, 'new').id);
    await t.as(admin).patch(`/api/v1/board-columns/${progress.id}`, { name: 'In progress', wipLimit: limit, wipMode: 'warn', stateKey: null });
    const warned = await move(agent, free.body, board, 'in_progress');
    assert.equal(warned.status, 200);
    assert.match(warned.body.warnings[0], /WIP limit/);
    const badState = await t.as(admin).patch(`/api/v1/board-columns/${progress.id}`, { name: 'In progress', wipLimit: null, wipMode: 'warn', stateKey: 'nope' });
    assert.equal(badState.body.errors[0].path, 'body.stateKey');
  });

  test('a second viewer sees a move on the live stream; recently completed cards archive themselves after 7 days', async () => {
    const ticket = await t.make.ticket(acme, { subject: 'Slow dashboard' });
    const card: Card = (await t.as(agent).post(`/api/v1/tickets/${ticket.id}/backlog`)).body;
    const board = await load(`/api/v1/boards/${card.boardId}`);
    const ctrl = new AbortController();
    const res = await fetch(`${base}/api/v1/boards/epics`, { headers: pair.headers });
    const epicsId = ((await res.json()) as Load).board.id;
    const stream = await fetch(`${base}/api/v1/boards/${epicsId}/stream`, { headers: pair.headers, signal: ctrl.signal });
    assert.equal(stream.status, 200);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    await reader.read(); // ": connected"
    const moved = await move(agent, card, board, 'up_next');
    assert.equal(moved.status, 200);
    let text = '';
    while (!text.includes('event: card')) text += new TextDecoder().decode((await reader.read()).value);
    const data = JSON.parse(/data: (.*)\n/.exec(text)?.[1] ?? '{}');
    assert.equal(data.id, card.id);
    assert.equal(data.role, 'up_next');
    ctrl.abort();

    const done = await move(agent, moved.body.card, board, 'done');
    assert.equal(done.status, 200, done.raw);
    assert.ok(done.body.card.completedAt);
    assert.equal((await t.as(agent).get(`/api/v1/tickets/${ticket.id}`)).body.statusCategory, 'solved');
    t.clock.advance(6 * 86_400_000);
    await t.services.boards.sweepArchive();
    assert.equal((await t.as(agent).get(`/api/v1/cards/${card.id}`)).body.archivedAt, null);
    t.clock.advance(2 * 86_400_000);
    assert.ok((await t.services.boards.sweepArchive()) >= 1);
    assert.ok((await t.as(agent).get(`/api/v1/cards/${card.id}`)).body.archivedAt);
    assert.ok(!(await load(`/api/v1/boards/${card.boardId}`)).cards.some((c) => c.id === card.id));
    const stale = await move(agent, done.body.card, board, 'new', 0, done.body.card.version + 1);
    assert.equal(stale.body.code, 'CARD_ARCHIVED');
  });
  test("a ticket's card is as visible as its ticket: a group-restricted agent and a fellow customer see neither the card nor its time", async () => {
    const support = await t.make.group('Boards support', [agent]);
    const restricted = await t.signIn('agent', { name: 'Rita Restricted' });
    await t.make.group('Boards other', [restricted]);
    assert.equal((await t.as(admin).patch(`/api/v1/users/${restricted.user.id}`, { ticketAccess: 'groups' })).status, 200);
    const colleague = await t.signIn('customer', { organizationId: acmeOrg.id, name: 'Colin Colleague' });
    const ticket = await t.make.ticket(acme, { subject: 'Private: payroll export' });
    assert.equal((await t.as(agent).patch(`/api/v1/tickets/${ticket.id}`, { groupId: support.id })).status, 200);
    const card: Card = (await t.as(agent).post(`/api/v1/tickets/${ticket.id}/backlog`)).body;
    const free = await t.as(agent).post(`/api/v1/boards/${card.boardId}/cards`, { title: 'Quarterly review' });
    assert.equal(free.status, 201, free.raw);

    const seenBy = async (who: Session) => ((await t.as(who).get(`/api/v1/boards/${card.boardId}`)).body as Load).cards.map((c) => c.id);
    assert.ok((await seenBy(agent)).includes(card.id));
    const restrictedSees = await seenBy(restricted);
    assert.ok(!restrictedSees.includes(card.id), 'the card of a ticket outside their groups');
    assert.ok(restrictedSees.includes(free.body.id), 'a free card is the board’s own');
    assert.equal((await t.as(restricted).get(`/api/v1/cards/${card.id}`)).status, 404);
    assert.equal((await t.as(restricted).get(`/api/v1/cards/${card.id}/time`)).status, 404);
    const board = await load(`/api/v1/boards/${card.boardId}`);
    assert.equal((await t.as(restricted).patch(`/api/v1/cards/${card.id}`, { title: 'Renamed', version: card.version })).status, 404);
    assert.equal((await move(restricted, card, board, 'up_next')).status, 404);
    assert.equal((await t.as(restricted).post(`/api/v1/cards/${card.id}/archive`, { version: card.version })).status, 404);
    assert.equal((await t.as(agent).get(`/api/v1/cards/${card.id}`)).body.title, 'Private: payroll export', 'nothing changed');

    const portalView = async (who: Session) => (await t.as(who).get(`/api/v1/organizations/${acmeOrg.id}/board`)).body.cards.map((c: { id: string }) => c.id);
    assert.ok((await portalView(acme)).includes(card.id), 'the requester sees their own ticket');
    assert.ok(!(await portalView(colleague)).includes(card.id), 'a colleague does not: the organisation does not share tickets');
  });

  test('reading a board writes nothing: an organisation without one gets the default columns, the epics board exists from the migrations', async () => {
    const fresh = await t.make.organization({ name: 'Fresh Co' });
    const freshCustomer = await t.signIn('customer', { organizationId: fresh.id });
    const before = await t.count('boards');
    const view = await t.as(freshCustomer).get(`/api/v1/organizations/${fresh.id}/board`);
    assert.equal(view.status, 200, view.raw);
    assert.equal(view.body.board.id, null, 'no board yet');
    assert.deepEqual(view.body.columns.map((c: Column) => c.name), ['New issues', 'Up next', 'In progress', 'Recently completed']);
    assert.deepEqual(view.body.cards, []);
    assert.equal((await t.as(agent).get(`/api/v1/organizations/${fresh.id}/board`)).status, 200);
    assert.equal((await t.as(agent).get('/api/v1/boards')).status, 200);
    assert.equal((await t.as(agent).get('/api/v1/boards/epics')).status, 200);
    assert.equal(await t.count('boards'), before, 'no GET made a board');
    assert.equal(await t.count('boards where kind = \'epics\''), 1);
    // First use makes it: a ticket backlogged.
    const ticket = await t.make.ticket(agent, { subject: 'Fresh first issue', organizationId: fresh.id });
    assert.equal((await t.as(agent).post(`/api/v1/tickets/${ticket.id}/backlog`)).status, 201);
    assert.equal(await t.count('boards'), before + 1);
    assert.ok((await t.as(agent).get(`/api/v1/organizations/${fresh.id}/board`)).body.board.id);
  });

  test("card comments: a ticket's card writes the ticket's internal note, or a public reply mailed to the customer; a free card keeps its own", async () => {
    const ticket = await t.make.ticket(acme, { subject: 'Invoices PDF is blank' });
    const card: Card = (await t.as(agent).post(`/api/v1/tickets/${ticket.id}/backlog`)).body;
    const note = await t.as(agent).post(`/api/v1/cards/${card.id}/comments`, { body: 'Looks like the font is missing on the PDF host' });
    assert.equal(note.status, 201, note.raw);
    assert.equal(note.body.source, 'ticket');
    const messages = async () => (await t.as(agent).get(`/api/v1/tickets/${ticket.id}/messages`)).body.items as { public: boolean; bodyText: string }[];
    assert.ok((await messages()).some((m) => !m.public && m.bodyText.includes('font is missing')), "the card's comment is the ticket's internal note");
    // A note written on the ticket page shows on the card.
    t.clock.advance(60_000);
    assert.equal((await t.as(pair).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Reproduced on staging', public: false })).status, 201);
    const onCard = (await t.as(agent).get(`/api/v1/cards/${card.id}/comments`)).body.items as { body: string; kind: string; author: { name: string } | null }[];
    assert.deepEqual(
      onCard.filter((c) => c.kind === 'note').map((c) => [c.body.trim(), c.author?.name]),
      [
        ['Looks like the font is missing on the PDF host', 'Tess Triager'],
        ['Reproduced on staging', 'Pat Pair'],
      ],
    );
    assert.ok(onCard.some((c) => c.kind === 'customer'), "the customer's first message is there too");
    // Per choice, a public reply: it goes out by mail through the ticket's reply path.
    const outbox = async () => ((await t.as(admin).get('/api/v1/outbox?limit=200')).body.items as { kind: string; ticketId: string }[]).filter((m) => m.kind === 'reply' && m.ticketId === ticket.id).length;
    const mailed = await outbox();
    const reply = await t.as(agent).post(`/api/v1/cards/${card.id}/comments`, { body: 'We found the cause and are fixing it this week.', public: true });
    assert.equal(reply.status, 201, reply.raw);
    assert.ok(reply.body.items.some((c: { kind: string; body: string }) => c.kind === 'reply' && c.body.includes('fixing it this week')));
    await t.runJobs();
    assert.equal(await outbox(), mailed + 1, 'the reply is mailed');
    assert.ok((await t.as(acme).get(`/api/v1/tickets/${ticket.id}/messages`)).body.items.some((m: { bodyText: string }) => m.bodyText.includes('fixing it this week')), 'the customer sees the reply');
    assert.ok(!(await t.as(acme).get(`/api/v1/tickets/${ticket.id}/messages`)).body.items.some((m: { bodyText: string }) => m.bodyText.includes('font is missing')), 'but not the note');

    // A free card keeps its own comments, and has no customer to reply to.
    const free = (await t.as(agent).post(`/api/v1/boards/${card.boardId}/cards`, { title: 'Rotate API keys' })).body as Card;
    const own = await t.as(pair).post(`/api/v1/cards/${free.id}/comments`, { body: 'Keys listed in the vault' });
    assert.equal(own.status, 201, own.raw);
    assert.deepEqual(own.body.items.map((c: { kind: string; body: string }) => [c.kind, c.body]), [['comment', 'Keys listed in the vault']]);
    const before = await t.count('card_comments');
    const publicFree = await t.as(pair).post(`/api/v1/cards/${free.id}/comments`, { body: 'Hello customer', public: true });
    assert.equal(publicFree.status, 422);
    assert.equal(publicFree.body.errors[0].path, 'body.public');
    assert.equal((await t.as(pair).post(`/api/v1/cards/${free.id}/comments`, { body: '   ' })).status, 400);
    assert.equal((await t.as(acme).post(`/api/v1/cards/${free.id}/comments`, { body: 'hi' })).status, 403, 'staff only');
    assert.equal(await t.count('card_comments'), before, 'refusals changed nothing');
    const restricted = await t.signIn('agent', { name: 'Rory Restricted' });
    const grp = await t.make.group('Comments support', [agent]);
    await t.as(admin).patch(`/api/v1/users/${restricted.user.id}`, { ticketAccess: 'groups' });
    await t.as(agent).patch(`/api/v1/tickets/${ticket.id}`, { groupId: grp.id });
    assert.equal((await t.as(restricted).get(`/api/v1/cards/${card.id}/comments`)).status, 404, "as hidden as the ticket");
    assert.equal((await t.as(restricted).post(`/api/v1/cards/${card.id}/comments`, { body: 'x' })).status, 404);
  });

  test('the weekly planning view: per customer up next, the week committed with its goal, estimates against the pair’s hours, last week’s completed', async () => {
    // Planning next week (the Monday after this one).
    const now = t.clock.now();
    const day = (n: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - ((now.getUTCDay() + 6) % 7) + n)).toISOString().slice(0, 10);
    const next = day(7);
    const plan = await t.make.organization({ name: 'Planco' });
    const planCustomer = await t.signIn('customer', { organizationId: plan.id });
    const a = await t.make.ticket(planCustomer, { subject: 'Plan A' });
    const b = await t.make.ticket(planCustomer, { subject: 'Plan B' });
    const done = await t.make.ticket(planCustomer, { subject: 'Shipped C' });
    const cardsOf = await Promise.all([a, b, done].map(async (x) => (await t.as(agent).post(`/api/v1/tickets/${x.id}/backlog`)).body as Card));
    const board = await load(`/api/v1/boards/${cardsOf[0]?.boardId}`);
    const [ca, cb, cc] = await Promise.all(cardsOf.map(async (c) => (await move(agent, c, board, 'up_next')).body.card as Card));
    const schedule = await t.as(agent).patch(`/api/v1/cards/${ca?.id}`, { version: ca?.version, week: next, estimateHours: 20, ownerIds: [agent.user.id, pair.user.id] });
    assert.equal(schedule.status, 200, schedule.raw);
    assert.equal((await t.as(agent).patch(`/api/v1/cards/${cb?.id}`, { version: cb?.version, estimateHours: 4 })).status, 200);
    assert.equal((await move(agent, cc as Card, board, 'done')).status, 200);
    assert.equal((await t.as(pair).put('/api/v1/time/preferences', { timeZone: 'Europe/London', endOfDay: '17:30', reminders: true, weeklyHours: 16 })).body.weeklyHours, 16);
    const goal = await t.as(agent).put('/api/v1/planning/goals', { organizationId: plan.id, week: next, goal: 'PDF exports fixed' });
    assert.equal(goal.status, 200, goal.raw);

    const res = await t.as(agent).get(`/api/v1/planning?week=${next}`);
    assert.equal(res.status, 200, res.raw);
    const mine = res.body.customers.find((c: { organizationId: string }) => c.organizationId === plan.id);
    assert.equal(mine.goal, 'PDF exports fixed');
    assert.deepEqual(mine.committed.map((c: { title: string }) => c.title), ['Plan A']);
    assert.equal(mine.committedHours, 20);
    assert.deepEqual(mine.upNext.map((c: { title: string }) => c.title), ['Plan B'], 'up next, not yet committed');
    assert.deepEqual(mine.completedLastWeek.map((c: { title: string }) => c.title), ['Shipped C'], 'the showcase: completed in the week before');
    const people = res.body.people as { name: string; availableHours: number; committedHours: number }[];
    assert.deepEqual(people.find((p) => p.name === 'Pat Pair'), { id: pair.user.id, name: 'Pat Pair', availableHours: 16, committedHours: 20, cards: 1 });
    assert.equal(people.find((p) => p.name === 'Tess Triager')?.availableHours, 30, 'the default');
    const following = (await t.as(agent).get(`/api/v1/planning?week=${day(14)}`)).body.customers.find((c: { organizationId: string }) => c.organizationId === plan.id);
    assert.deepEqual(following.completedLastWeek, []);
    assert.deepEqual(following.committed, []);
    assert.equal(following.goal, '');

    for (const [url, body, path] of [
      ['/api/v1/planning/goals', { organizationId: plan.id, week: day(8), goal: 'x' }, 'body.week'],
      ['/api/v1/planning/goals', { organizationId: '00000000-0000-4000-8000-000000000000', week: next, goal: 'x' }, 'body.organizationId'],
    ] as const) {
      const bad = await t.as(agent).put(url, body);
      assert.equal(bad.status, 422, bad.raw);
      assert.equal(bad.body.errors[0].path, path);
    }
    assert.equal((await t.as(agent).get(`/api/v1/planning?week=${day(8)}`)).body.errors[0].path, 'querystring.week');
    assert.equal((await t.as(planCustomer).get(`/api/v1/planning?week=${next}`)).status, 403);
    assert.equal(await t.count(`planning_goals where organization_id = '${plan.id}'`), 1, 'refusals changed nothing');
  });

  test('customers reorder "New issues" from the portal only when the organisation allows it; a stale reorder is 409 with where the card is now', async () => {
    const reo = await t.make.organization({ name: 'Reorder Ltd', sharedTickets: true });
    const ria = await t.signIn('customer', { organizationId: reo.id, name: 'Ria' });
    const outsider = await t.signIn('customer', { organizationId: otherOrg.id });
    const made: Card[] = [];
    for (const subject of ['First', 'Second', 'Third']) made.push((await t.as(agent).post(`/api/v1/tickets/${(await t.make.ticket(ria, { subject })).id}/backlog`)).body);
    const [first, second, third] = made as [Card, Card, Card];
    const url = `/api/v1/organizations/${reo.id}/board/reorder`;
    const view = async () => (await t.as(ria).get(`/api/v1/organizations/${reo.id}/board`)).body as { board: { customersReorder: boolean }; cards: { id: string; title: string; version: number; columnId: string }[] };
    const refused = await t.as(ria).post(url, { cardId: third.id, index: 0, version: third.version });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'REORDER_NOT_ALLOWED');
    const self = await t.as(ria).patch(`/api/v1/boards/${first.boardId}`, { customersReorder: true });
    assert.equal(self.status, 403, self.raw);
    const enabled = await t.as(agent).patch(`/api/v1/boards/${first.boardId}`, { customersReorder: true });
    assert.equal(enabled.status, 200, enabled.raw);
    assert.equal((await view()).board.customersReorder, true);

    const moved = await t.as(ria).post(url, { cardId: third.id, index: 0, version: third.version });
    assert.equal(moved.status, 200, moved.raw);
    assert.deepEqual(moved.body.cards.map((c: { title: string }) => c.title), ['Third', 'First', 'Second']);
    const stale = await t.as(ria).post(url, { cardId: third.id, index: 2, version: third.version });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.code, 'VERSION_CONFLICT');
    assert.equal(stale.body.current.version, third.version + 1);
    assert.equal(stale.body.current.ownerIds, undefined, 'nothing internal');
    // The agents' board shows the customer's order.
    const agents = await load(`/api/v1/boards/${first.boardId}`);
    assert.deepEqual(agents.cards.map((c) => c.title), ['Third', 'First', 'Second']);
    // Only New issues; only their own board.
    const upNext = await move(agent, second, agents, 'up_next');
    assert.equal(upNext.status, 200);
    const notNew = await t.as(ria).post(url, { cardId: second.id, index: 0, version: upNext.body.card.version });
    assert.equal(notNew.body.code, 'COLUMN_NOT_REORDERABLE');
    const acmeCard = (await t.as(agent).post(`/api/v1/tickets/${(await t.make.ticket(acme, { subject: 'Acme thing' })).id}/backlog`)).body as Card;
    const elsewhere = await t.as(ria).post(url, { cardId: acmeCard.id, index: 0, version: acmeCard.version });
    assert.equal(elsewhere.status, 404, 'a card they may not see is not found');
    assert.equal((await t.as(outsider).post(url, { cardId: first.id, index: 0, version: first.version })).status, 403);
    assert.equal((await view()).cards.find((c) => c.id === first.id)?.version, first.version, 'refusals changed nothing');
  });
});
