import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api, type Response } from '../api/client';

export type BoardLoad = Response<'/api/v1/boards/{id}', 'get'>;
/** A card as the board holds it: a summary (the card detail fetches the full card). */
export type Card = BoardLoad['cards'][number];
export type FullCard = Response<'/api/v1/cards/{id}', 'get'>;
/** What moves, saves and the stream answer: the full card (a summary and more), or a summary. */
type Incoming = Card & { archivedAt?: string | null };
export type Column = BoardLoad['columns'][number];

export const boardKey = (id: string) => ['board', id];

/** The column a card shows in on this board: its own column, or on the epics board the epics column of its role. */
export function columnOf(data: BoardLoad, card: Card): Column | undefined {
  if (data.board.kind !== 'epics' || card.boardId === data.board.id) return data.columns.find((c) => c.id === card.columnId);
  return data.columns.find((c) => c.role === card.role);
}

/** Whether the card belongs on this board now (it may have left it: archived, moved back to New issues). */
export function showsOn(data: BoardLoad, card: Incoming): boolean {
  if (card.archivedAt) return false;
  if (card.boardId === data.board.id) return true;
  return data.board.kind === 'epics' && card.onEpics;
}

export function orderOf(data: BoardLoad, card: Card): number {
  return data.board.kind === 'epics' ? card.epicsPosition : card.position;
}

/** Puts the card as it is now into the board's cached data (a move here, or one heard on the stream). */
export function patchCard(qc: QueryClient, boardId: string, card: Incoming): void {
  qc.setQueryData<BoardLoad>(boardKey(boardId), (data) => {
    if (!data) return data;
    const rest = data.cards.filter((c) => c.id !== card.id);
    const current = data.cards.find((c) => c.id === card.id);
    if (current && current.version > card.version) return data;
    return { ...data, cards: showsOn(data, card) ? [...rest, card] : rest };
  });
}

/** The board's live stream: every change to its cards, from anyone, patched in as it arrives. */
export function useBoardStream(boardId: string, streamId: string | undefined): void {
  const qc = useQueryClient();
  useEffect(() => {
    if (!streamId) return;
    const source = new EventSource(`/api/v1/boards/${streamId}/stream`);
    source.addEventListener('card', (msg) => {
      const card = JSON.parse((msg as MessageEvent<string>).data) as Card;
      const data = qc.getQueryData<BoardLoad>(boardKey(boardId));
      patchCard(qc, boardId, card);
      // A customer or owner the board has not seen yet: fetch the names once.
      if (data && ((card.organizationId && !data.organizations.some((o) => o.id === card.organizationId)) || card.ownerIds.some((id) => !data.people.some((p) => p.id === id)))) {
        void qc.invalidateQueries({ queryKey: boardKey(boardId) });
      }
    });
    // Reconnected after a drop: what was missed comes with a fresh load. Not on the first connection: the board was
    // just loaded, and loading 2,000 cards twice on opening doubled the work.
    let connected = false;
    source.addEventListener('open', () => {
      if (connected) void qc.invalidateQueries({ queryKey: boardKey(boardId) });
      connected = true;
    });
    return () => source.close();
  }, [boardId, streamId, qc]);
}

export const boardsApi = {
  load: (id: string) => (id === 'epics' ? api.get('/api/v1/boards/epics') : api.get('/api/v1/boards/{id}', { path: { id } })),
  move: (card: Card, boardId: string, columnId: string, index: number) => api.post('/api/v1/cards/{id}/move', { path: { id: card.id }, body: { boardId, columnId, index, version: card.version } }),
};

export function mondayOf(d: Date): string {
  const x = new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()));
  x.setUTCDate(x.getUTCDate() - ((x.getUTCDay() + 6) % 7));
  return x.toISOString().slice(0, 10);
}
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
export const hours = (minutes: number) => `${(minutes / 60).toFixed(minutes % 60 ? 2 : 0)} h`;
