import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api, sessionEnded } from '../api/client';

export type LiveEvent = { id: number; ticketId: string; ticketNumber: number; kind: string; actorId: string | null; field: string | null; at: string };

/** Why the server ended this tab's stream for good: the session is gone, or the user has too many tabs open. */
export type LiveStopped = 'UNAUTHENTICATED' | 'TOO_MANY_STREAMS';

// Signals the stream carries besides ticket events ("re-read X"), each to whoever listens in this tab.
const SIGNALS = ['incidents'] as const;
export type LiveSignal = (typeof SIGNALS)[number];
const signalListeners = new Map<LiveSignal, Set<() => void>>();

/**
 * Calls `fn` whenever the app's one stream carries the signal `name`, and when the stream reconnects (a signal may
 * have been missed meanwhile). No connection of its own: a tab holds one stream.
 */
export function useLiveSignal(name: LiveSignal, fn: () => void): void {
  const current = useRef(fn);
  current.current = fn;
  useEffect(() => {
    const call = () => current.current();
    const set = signalListeners.get(name) ?? new Set();
    set.add(call);
    signalListeners.set(name, set);
    return () => {
      set.delete(call);
    };
  }, [name]);
}

function raise(name: LiveSignal): void {
  for (const fn of signalListeners.get(name) ?? []) fn();
}

/**
 * The server-sent event stream: every ticket change anyone makes refreshes what this page shows of it (lists,
 * counts, the open ticket). EventSource reconnects by itself and resumes from the last event id; while it is
 * down the app shows a banner. When the server ends the stream with a reason (`event: closed`) it is not
 * reopened: a session that ended asks to sign in again (`enabled` turns false until it has), and a tab closed for
 * too many open tabs says so and waits for `resume`. A stream the server refuses outright (EventSource gives
 * up on any answer but 200) is tried again after a pause, once a request has shown whether the session is gone.
 */
export function useLiveUpdates(onEvent?: (e: LiveEvent) => void, enabled = true): { connected: boolean; stopped: LiveStopped | null; resume: () => void } {
  const qc = useQueryClient();
  const [connected, setConnected] = useState(true);
  const [stopped, setStopped] = useState<LiveStopped | null>(null);
  const [generation, setGeneration] = useState(0);
  const pending = useRef(new Set<string>());
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const listTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const handler = useRef(onEvent);
  handler.current = onEvent;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` is the reason to reopen (resume, retry)
  useEffect(() => {
    if (!enabled) return;
    setStopped(null);
    setConnected(true);
    const source = new EventSource('/api/v1/stream');
    let retry: ReturnType<typeof setTimeout> | undefined;
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
    for (const name of SIGNALS) source.addEventListener(name, () => raise(name));
    source.addEventListener('closed', (msg) => {
      let reason: unknown;
      try {
        reason = (JSON.parse((msg as MessageEvent<string>).data) as { reason?: unknown }).reason;
      } catch {
        reason = undefined;
      }
      // A server stopping (SERVER_STOPPING) or anything unknown: EventSource reconnects, to the next server.
      if (reason !== 'UNAUTHENTICATED' && reason !== 'TOO_MANY_STREAMS') return;
      source.close();
      setConnected(true);
      setStopped(reason);
      if (reason === 'UNAUTHENTICATED') sessionEnded();
    });
    let opened = false;
    source.onopen = () => {
      setConnected(true);
      // Reconnected: signals may have been missed meanwhile.
      if (opened) for (const name of SIGNALS) raise(name);
      opened = true;
    };
    source.onerror = () => {
      setConnected(source.readyState === EventSource.OPEN);
      if (source.readyState !== EventSource.CLOSED) return;
      // Refused (401, 503): any request finding the session gone opens the sign-in dialog; otherwise try again.
      void api.get('/api/v1/me').then(
        () => {
          retry = setTimeout(() => setGeneration((g) => g + 1), 10_000);
        },
        () => {},
      );
    };
    return () => {
      source.close();
      clearTimeout(retry);
      clearTimeout(timer.current);
      clearTimeout(listTimer.current);
    };
  }, [qc, enabled, generation]);
  return { connected, stopped, resume: () => setGeneration((g) => g + 1) };
}
