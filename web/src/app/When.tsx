import { useSyncExternalStore } from 'react';
import { relativeTime } from '../tickets/format';

// One timer for every date on screen: "3 min ago" moves on without each one keeping its own.
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;
function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  timer ??= setInterval(() => {
    now = Date.now();
    for (const l of listeners) l();
  }, 30_000);
  return () => {
    listeners.delete(listener);
    if (!listeners.size && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

// dateStyle/timeStyle cannot be combined with timeZoneName, hence the fields one by one.
const EXACT = new Intl.DateTimeFormat(undefined, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });

/** The exact time in the agent's own time zone (the browser's), e.g. "Wed, 2 Dec 2026, 09:41 CET". */
export function exactTime(iso: string): string {
  return EXACT.format(new Date(iso));
}

/** A date as people say it ("3 min ago"), the exact time in the agent's time zone on hover. */
export function When({ at }: { at: string }) {
  const current = useSyncExternalStore(subscribe, () => now);
  return (
    <time dateTime={at} title={exactTime(at)}>
      {relativeTime(at, Math.max(current, Date.now() - 30_000))}
    </time>
  );
}
