import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';

export type LiveEvent = { id: number; ticketId: string; ticketNumber: number; kind: string; actorId: string | null; field: string | null; at: string };

/**
 * The server-sent event stream: every ticket change anyone makes refreshes what this page shows of it (lists,
 * counts, the open ticket). EventSource reconnects by itself and resumes from the last event id; while it is
 * down the app shows a banner.
 */
export function useLiveUpdates(onEvent?: (e: LiveEvent) => void): { connected: boolean } {
  const qc = useQueryClient();
  const [connected, setConnected] = useState(true);
  const pending = useRef(new Set<string>());
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const listTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const handler = useRef(onEvent);
  handler.current = onEvent;

  useEffect(() => {
    const source = new EventSource('/api/v1/stream');
    // Many events arrive at once (a bulk edit): refresh once for all of them. The open ticket refreshes within
    // 0.3 s; lists and counts at most every 2 s, so a busy desk does not make every agent re-read every page of
    // every list on every change.
    const flushLists = () => {
      listTimer.current = undefined;
      void qc.invalidateQueries({ queryKey: ['tickets'] });
      void qc.invalidateQueries({ queryKey: ['view-counts'] });
    };
    const flush = () => {
      timer.current = undefined;
      const ids = [...pending.current];
      pending.current.clear();
      // A ticket's queries are keyed by its number (from the URL) or its id; match either.
      const changed = new Set(ids);
      void qc.invalidateQueries({
        predicate: (q) => q.queryKey[0] === 'ticket' && (changed.has(String(q.queryKey[1])) || changed.has(String((q.state.data as { id?: string } | undefined)?.id))),
      });
      listTimer.current ??= setTimeout(flushLists, 2000);
    };
    source.addEventListener('ticket', (msg) => {
      const e = JSON.parse((msg as MessageEvent<string>).data) as LiveEvent;
      pending.current.add(e.ticketId);
      handler.current?.(e);
      timer.current ??= setTimeout(flush, 300);
    });
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(source.readyState === EventSource.OPEN);
    return () => {
      source.close();
      clearTimeout(timer.current);
      clearTimeout(listTimer.current);
    };
  }, [qc]);
  return { connected };
}
