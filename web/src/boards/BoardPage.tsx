import { Alert, Badge, Button, Group, Loader, Paper, SegmentedControl, Select, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type DragEvent, type KeyboardEvent, memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'wouter';
import { ApiError, api } from '../api/client';
import { CardDetail } from './CardDetail';
import { type BoardLoad, boardKey, boardsApi, type Card, type Column, columnOf, mondayOf, orderOf, patchCard, useBoardStream } from './model';

type Lanes = 'none' | 'customer' | 'pair';
// A column draws its first cards, and more as it is scrolled to its end ("Show all" draws the rest at once): opening a
// 2,000-card board draws a screenful per column, not every tile.
const FIRST = 20;
const MORE = 40;
type Due = 'any' | 'overdue' | 'week';
type Moving = { cardId: string; column: number; index: number };

/**
 * A board: its columns and cards. Cards move by drag and drop, or from the keyboard: focus a card, press m, then
 * ←/→ for the column and ↑/↓ for the place in it, Enter to drop (Escape cancels); "Move to…" in the card does it too.
 * Every move anyone makes arrives on the board's live stream.
 */
export function BoardPage({ id }: { id: string }) {
  const qc = useQueryClient();
  const board = useQuery({ queryKey: boardKey(id), queryFn: () => boardsApi.load(id) });
  useBoardStream(id, board.data?.board.id);
  const [customer, setCustomer] = useState<string | null>(null);
  const [owner, setOwner] = useState<string | null>(null);
  const [label, setLabel] = useState<string | null>(null);
  const [due, setDue] = useState<Due>('any');
  const [lanes, setLanes] = useState<Lanes>('none');
  const [text, setText] = useState('');
  const [moving, setMoving] = useState<Moving | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [announce, setAnnounce] = useState('');
  // How many cards each lane's column draws (lane:column → count); FIRST until scrolled or "Show all".
  const [shown, setShown] = useState<Map<string, number>>(new Map());
  const showMore = useCallback((key: string, n: number) => setShown((m) => new Map(m).set(key, Math.max(m.get(key) ?? FIRST, n))), []);
  const dragged = useRef<string | null>(null);
  const data = board.data;
  // Tiles are memoised: their handlers are stable and call the latest key handler, so a move or a card heard on the
  // stream redraws the cards that changed, not all of them.
  const keyHandler = useRef<(e: KeyboardEvent, card: Card) => void>(() => {});
  const tileKey = useCallback((e: KeyboardEvent, card: Card) => keyHandler.current(e, card), []);
  const tileOpen = useCallback((cardId: string) => setOpen(cardId), []);
  const tileDrag = useCallback((cardId: string) => {
    dragged.current = cardId;
  }, []);
  const names = useMemo(() => new Map([...(data?.people ?? []), ...(data?.organizations ?? [])].map((n) => [n.id, n.name])), [data?.people, data?.organizations]);

  const today = new Date().toISOString().slice(0, 10);
  const weekEnd = (() => {
    const d = new Date(`${mondayOf(new Date())}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + 6);
    return d.toISOString().slice(0, 10);
  })();
  const visible = useMemo(() => {
    if (!data) return [];
    return data.cards.filter(
      (c) =>
        (!customer || (customer === 'triage' ? c.triage : c.organizationId === customer)) &&
        (!owner || c.ownerIds.includes(owner)) &&
        (!label || c.labels.includes(label)) &&
        (due === 'any' || (c.dueOn !== null && (due === 'overdue' ? c.dueOn < today : c.dueOn <= weekEnd))) &&
        (!text || c.title.toLowerCase().includes(text.toLowerCase()) || String(c.ticketNumber ?? '') === text.replace('#', '')),
    );
  }, [data, customer, owner, label, due, text, today, weekEnd]);

  const laneOf = useCallback(
    (c: Card): [string, string] => {
      if (lanes === 'customer') return c.triage || !c.organizationId ? ['triage', 'Triage team items'] : [c.organizationId, names.get(c.organizationId) ?? 'Customer'];
      if (lanes === 'pair') return c.ownerIds.length ? [c.ownerIds.join('+'), c.ownerIds.map((o) => names.get(o) ?? '…').join(' & ')] : ['none', 'No pair yet'];
      return ['all', ''];
    },
    [lanes, names],
  );
  // The board's cards grouped once per change — lane → column → cards in order — and each column's total: grouping
  // and sorting per lane and column on every render was most of a 2,000-card board's drawing time.
  const grouped = useMemo(() => {
    const byLane = new Map<string, { name: string; columns: Map<string, Card[]> }>();
    const totals = new Map<string, number>();
    if (!data) return { byLane, totals };
    const columnIdOf = (c: Card) => columnOf(data, c)?.id;
    for (const c of data.cards) {
      const col = columnIdOf(c);
      if (col) totals.set(col, (totals.get(col) ?? 0) + 1);
    }
    for (const c of visible) {
      const col = columnIdOf(c);
      if (!col) continue;
      const [key, name] = laneOf(c);
      let lane = byLane.get(key);
      if (!lane) byLane.set(key, (lane = { name, columns: new Map() }));
      const list = lane.columns.get(col);
      if (list) list.push(c);
      else lane.columns.set(col, [c]);
    }
    for (const lane of byLane.values()) for (const list of lane.columns.values()) list.sort((a, b) => orderOf(data, a) - orderOf(data, b));
    return { byLane, totals };
  }, [data, visible, laneOf]);
  const labels = useMemo(() => [...new Set((data?.cards ?? []).flatMap((c) => c.labels))].sort(), [data?.cards]);

  if (board.isPending) return <Loader m="xl" />;
  if (!data) return <Alert color="red">{(board.error as Error)?.message ?? 'This board cannot be shown'}</Alert>;

  const inColumn = (col: Column, cards: Card[]) =>
    cards.filter((c) => columnOf(data, c)?.id === col.id).sort((a, b) => orderOf(data, a) - orderOf(data, b));
  const laneList: [string, string][] = [...grouped.byLane.entries()].map(([k, l]): [string, string] => [k, l.name]).sort((a, b) => (a[0] === 'triage' ? 1 : b[0] === 'triage' ? -1 : a[1].localeCompare(b[1])));
  if (!laneList.length) laneList.push(['all', '']);

  const doMove = async (card: Card, column: Column, index: number) => {
    try {
      const res = await boardsApi.move(card, data.board.id, column.id, index);
      patchCard(qc, id, res.card);
      for (const w of res.warnings) notifications.show({ color: 'yellow', title: 'Over the WIP limit', message: w });
      setAnnounce(`${card.title} moved to ${column.name}`);
    } catch (err) {
      const e = err instanceof ApiError ? err : null;
      if (e?.code === 'VERSION_CONFLICT' && e.problem.current) patchCard(qc, id, e.problem.current as Card);
      notifications.show({ color: 'red', title: e?.code === 'VERSION_CONFLICT' ? 'Someone moved this card first' : 'Not moved', message: e?.message ?? String(err) });
      setAnnounce(`Not moved: ${e?.message ?? ''}`);
    }
  };

  // The cards of the lane a card is in, on the board as filtered.
  const laneCards = (card: Card) => visible.filter((c) => laneOf(c)[0] === laneOf(card)[0]);

  const onCardKey = (e: KeyboardEvent, card: Card) => {
    const cols = data.columns;
    if (!moving) {
      if (e.key === 'm') {
        e.preventDefault();
        const col = columnOf(data, card);
        const ci = cols.findIndex((c) => c.id === col?.id);
        const idx = col ? inColumn(col, laneCards(card)).findIndex((c) => c.id === card.id) : 0;
        setMoving({ cardId: card.id, column: Math.max(0, ci), index: Math.max(0, idx) });
        setAnnounce(`Moving ${card.title}: arrows choose where, Enter drops it, Escape cancels`);
      } else if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        setOpen(card.id);
      }
      return;
    }
    if (moving.cardId !== card.id) return;
    const others = (ci: number) => inColumn(cols[ci] as Column, laneCards(card)).filter((c) => c.id !== card.id);
    let next = moving;
    if (e.key === 'ArrowRight' && moving.column < cols.length - 1) next = { ...moving, column: moving.column + 1, index: Math.min(moving.index, others(moving.column + 1).length) };
    else if (e.key === 'ArrowLeft' && moving.column > 0) next = { ...moving, column: moving.column - 1, index: Math.min(moving.index, others(moving.column - 1).length) };
    else if (e.key === 'ArrowDown') next = { ...moving, index: Math.min(moving.index + 1, others(moving.column).length) };
    else if (e.key === 'ArrowUp') next = { ...moving, index: Math.max(0, moving.index - 1) };
    else if (e.key === 'Escape') {
      e.preventDefault();
      setMoving(null);
      setAnnounce('Move cancelled');
      return;
    } else if (e.key === 'Enter') {
      e.preventDefault();
      setMoving(null);
      const col = cols[moving.column] as Column;
      void doMove(card, col, indexOnBoard(col, card, moving.index));
      return;
    } else return;
    e.preventDefault();
    setMoving(next);
    setAnnounce(`${(cols[next.column] as Column).name}, place ${next.index + 1}`);
  };

  keyHandler.current = onCardKey;

  /** A place among the lane's cards, as a place among the whole column's (what the API counts). */
  const indexOnBoard = (col: Column, card: Card, laneIndex: number): number => {
    const all = inColumn(col, data.cards).filter((c) => c.id !== card.id);
    const lane = inColumn(col, laneCards(card)).filter((c) => c.id !== card.id);
    const after = lane[laneIndex];
    if (after) return all.findIndex((c) => c.id === after.id);
    const last = lane.at(-1);
    return last ? all.findIndex((c) => c.id === last.id) + 1 : all.length;
  };

  const onDrop = (e: DragEvent, col: Column, lane: Card[]) => {
    e.preventDefault();
    const card = data.cards.find((c) => c.id === dragged.current);
    dragged.current = null;
    if (!card) return;
    const tiles = [...(e.currentTarget as HTMLElement).querySelectorAll<HTMLElement>('[data-card-id]')].filter((t) => t.dataset.cardId !== card.id);
    let laneIndex = tiles.findIndex((t) => e.clientY < t.getBoundingClientRect().top + t.getBoundingClientRect().height / 2);
    if (laneIndex < 0) laneIndex = tiles.length;
    const target = lane.filter((c) => c.id !== card.id)[laneIndex];
    const all = inColumn(col, data.cards).filter((c) => c.id !== card.id);
    const index = target ? all.findIndex((c) => c.id === target.id) : (() => {
      const last = lane.filter((c) => c.id !== card.id).at(-1);
      return last ? all.findIndex((c) => c.id === last.id) + 1 : all.length;
    })();
    void doMove(card, col, index);
  };

  const movingCard = moving ? data.cards.find((c) => c.id === moving.cardId) : undefined;
  const openCard = open ? data.cards.find((c) => c.id === open) : undefined;

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap">
        <div>
          <Text size="sm" c="dimmed">
            <Link href="/boards">Boards</Link> · {data.board.kind === 'epics' ? 'every card that entered Up next, on any customer board' : 'customer board'}
          </Text>
          <Title order={2}>{data.board.name}</Title>
        </div>
        <Group gap="xs">
          {data.board.kind === 'customer' && (
            <Switch
              size="xs"
              label="Customers may reorder New issues"
              checked={data.board.customersReorder}
              onChange={(e) => {
                const customersReorder = e.currentTarget.checked;
                api
                  .patch('/api/v1/boards/{id}', { path: { id: data.board.id }, body: { customersReorder } })
                  .then((b) => qc.setQueryData<BoardLoad>(boardKey(id), (d) => (d ? { ...d, board: b } : d)))
                  .catch((err: Error) => notifications.show({ color: 'red', title: 'Not changed', message: err.message }));
              }}
            />
          )}
          <CardCreate board={data} onCreated={(c) => patchCard(qc, id, c)} />
        </Group>
      </Group>
      <Group gap="xs" wrap="wrap" aria-label="Filters" role="group">
        {data.board.kind === 'epics' && (
          <Select
            aria-label="Customer"
            placeholder="Any customer"
            clearable
            size="xs"
            w={170}
            value={customer}
            onChange={setCustomer}
            data={[{ value: 'triage', label: 'Triage team items' }, ...data.organizations.map((o) => ({ value: o.id, label: o.name }))]}
          />
        )}
        <Select aria-label="Owner" placeholder="Any owner" clearable size="xs" w={150} value={owner} onChange={setOwner} data={data.people.map((p) => ({ value: p.id, label: p.name }))} />
        <Select aria-label="Label" placeholder="Any label" clearable size="xs" w={130} value={label} onChange={setLabel} data={labels} />
        <Select
          aria-label="Due"
          size="xs"
          w={140}
          value={due}
          onChange={(v) => setDue((v as Due) ?? 'any')}
          data={[
            { value: 'any', label: 'Any due date' },
            { value: 'overdue', label: 'Overdue' },
            { value: 'week', label: 'Due this week' },
          ]}
        />
        <TextInput aria-label="Find a card" placeholder="Title or #number" size="xs" w={150} value={text} onChange={(e) => setText(e.currentTarget.value)} />
        {data.board.kind === 'epics' && (
          <SegmentedControl
            size="xs"
            aria-label="Swimlanes"
            value={lanes}
            onChange={(v) => setLanes(v as Lanes)}
            data={[
              { value: 'none', label: 'No lanes' },
              { value: 'customer', label: 'By customer' },
              { value: 'pair', label: 'By pair' },
            ]}
          />
        )}
      </Group>
      <div aria-live="polite" className="visually-hidden" data-testid="board-announce">
        {announce}
      </div>
      {moving && movingCard && (
        <Alert color="blue" py={4} role="status">
          Moving “{movingCard.title}” — ←/→ column, ↑/↓ place, Enter to drop, Escape to cancel.
        </Alert>
      )}
      {laneList.map(([laneKey, laneName]) => {
        const laneColumns = grouped.byLane.get(laneKey)?.columns;
        return (
          <section key={laneKey} aria-label={laneName || 'Cards'}>
            {laneName && (
              <Title order={5} mb={4} data-testid="lane">
                {laneName}
              </Title>
            )}
            <div style={{ display: 'flex', gap: 8, overflowX: 'auto', paddingBottom: 8, alignItems: 'flex-start' }}>
              {data.columns.map((col, ci) => {
                const cards = laneColumns?.get(col.id) ?? [];
                const total = grouped.totals.get(col.id) ?? 0;
                const shownKey = `${laneKey}:${col.id}`;
                const limit = shown.get(shownKey) ?? FIRST;
                const over = col.wipLimit !== null && total > col.wipLimit;
                const placeholderAt = moving && movingCard && moving.column === ci && laneOf(movingCard)[0] === laneKey ? moving.index : -1;
                const others = cards.filter((c) => c.id !== moving?.cardId);
                const before = placeholderAt >= 0 ? others[placeholderAt]?.id : undefined;
                return (
                  <Paper
                    key={col.id}
                    withBorder
                    p={6}
                    bg="gray.0"
                    style={{ minWidth: 240, width: 270, flex: '0 0 auto' }}
                    onDragOver={(e) => e.preventDefault()}
                    onDrop={(e) => onDrop(e, col, cards)}
                    aria-label={`Column ${col.name}`}
                    role="region"
                  >
                    <Group justify="space-between" mb={6} wrap="nowrap">
                      <Text fw={600} size="sm">
                        {col.name}
                      </Text>
                      <Badge size="sm" variant="light" color={over ? 'red' : 'gray'} data-testid={`count-${col.role ?? col.id}`}>
                        {total}
                        {col.wipLimit !== null ? ` / ${col.wipLimit}` : ''}
                      </Badge>
                    </Group>
                    <Stack gap={6} mih={40} data-column-id={col.id}>
                      {(placeholderAt >= 0 ? cards : cards.slice(0, limit)).map((card) => (
                        <div key={card.id}>
                          {before === card.id && <Placeholder />}
                          <CardTile
                            card={card}
                            names={names}
                            moving={moving?.cardId === card.id}
                            today={today}
                            onKey={tileKey}
                            onOpen={tileOpen}
                            onDragStart={tileDrag}
                          />
                        </div>
                      ))}
                      {placeholderAt >= 0 && !before && <Placeholder />}
                      {cards.length > limit && placeholderAt < 0 && (
                        <>
                          <MoreWhenSeen onSeen={() => showMore(shownKey, limit + MORE)} />
                          <Button size="compact-xs" variant="subtle" onClick={() => showMore(shownKey, cards.length)}>
                            Show all {cards.length}
                          </Button>
                        </>
                      )}
                    </Stack>
                  </Paper>
                );
              })}
            </div>
          </section>
        );
      })}
      {data.cards.length === 0 && <Text c="dimmed">No cards yet. Backlog a ticket from its page (“Backlog to customer board”), or add a card.</Text>}
      {openCard && <CardDetail routeId={id} card={openCard} board={data} names={names} onClose={() => setOpen(null)} onMove={(col, index) => doMove(openCard, col, index)} />}
    </Stack>
  );
}

/** Scrolled into view (the end of a column's drawn cards): draw more. */
function MoreWhenSeen({ onSeen }: { onSeen: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const seen = useRef(onSeen);
  seen.current = onSeen;
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && seen.current(), { rootMargin: '200px' });
    io.observe(el);
    return () => io.disconnect();
  }, []);
  return <div ref={ref} aria-hidden style={{ height: 1 }} />;
}

function Placeholder() {
  return <div data-testid="move-placeholder" style={{ border: '2px dashed var(--mantine-color-blue-5)', borderRadius: 4, height: 36 }} aria-hidden />;
}

const CardTile = memo(function CardTile({
  card,
  names,
  moving,
  today,
  onKey,
  onOpen,
  onDragStart,
}: {
  card: Card;
  names: Map<string, string>;
  moving: boolean;
  today: string;
  onKey: (e: KeyboardEvent, card: Card) => void;
  onOpen: (cardId: string) => void;
  onDragStart: (cardId: string) => void;
}) {
  // Plain elements with the board's CSS (app.css) rather than ten Mantine components a tile: a 2,000-card board draws
  // hundreds of tiles at once.
  return (
    // biome-ignore lint/a11y/useSemanticElements: a draggable tile holding block content (a <button> may hold only phrasing content); it keeps the button role, focus and keys
    <div
      className={moving ? 'board-tile moving' : 'board-tile'}
      data-card-id={card.id}
      data-testid="card"
      tabIndex={0}
      role="button"
      aria-label={`${card.ticketNumber ? `#${card.ticketNumber} ` : ''}${card.title}`}
      aria-pressed={moving || undefined}
      draggable
      onDragStart={(e) => {
        e.dataTransfer.setData('text/plain', card.id);
        e.dataTransfer.effectAllowed = 'move';
        onDragStart(card.id);
      }}
      onKeyDown={(e) => onKey(e, card)}
      onClick={() => onOpen(card.id)}
    >
      <div className="board-tile-title">
        {card.ticketNumber && <span className="board-tile-dim">#{card.ticketNumber} </span>}
        {card.title}
      </div>
      <div className="board-tile-tags">
        {card.organizationId && names.get(card.organizationId) && <span className="board-tag outline">{names.get(card.organizationId)}</span>}
        {card.labels.map((l) => (
          <span key={l} className="board-tag blue">
            {l}
          </span>
        ))}
        {card.dueOn && <span className={card.dueOn < today ? 'board-tag red' : 'board-tag'}>due {card.dueOn}</span>}
        {card.week && <span className="board-tag grape">week {card.week}</span>}
        {card.estimateHours !== null && <span className="board-tag">{card.estimateHours} h</span>}
        {card.checklistTotal > 0 && (
          <span className="board-tag">
            ☑ {card.checklistDone}/{card.checklistTotal}
          </span>
        )}
      </div>
      {card.ownerIds.length > 0 && <div className="board-tile-dim">{card.ownerIds.map((o) => names.get(o) ?? '…').join(' & ')}</div>}
    </div>
  );
});

/** "Add card": a free card (title) in the board's first column; on the epics board it is a triage team item. */
function CardCreate({ board, onCreated }: { board: BoardLoad; onCreated: (c: Card) => void }) {
  const [title, setTitle] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (!title.trim()) return;
        api
          .post('/api/v1/boards/{id}/cards', { path: { id: board.board.id }, body: { title } })
          .then((c) => {
            setTitle('');
            setError(null);
            onCreated(c);
          })
          .catch((err: Error) => setError(err.message));
      }}
    >
      <Group gap={4} wrap="nowrap">
        <TextInput size="xs" aria-label="New card title" placeholder={board.board.kind === 'epics' ? 'New triage team item' : 'New card'} value={title} onChange={(e) => setTitle(e.currentTarget.value)} error={error} w={{ base: 170, sm: 240 }} />
        <Button size="xs" type="submit">
          Add card
        </Button>
      </Group>
    </form>
  );
}
