import { useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import type { Presence } from '../api/types';

/** Says "I am on this ticket" (and whether typing) every 5 s, and returns who else is. */
export function usePresence(ticketId: string, typing: boolean): Presence[] {
  const [here, setHere] = useState<Presence[]>([]);
  const typingRef = useRef(typing);
  typingRef.current = typing;
  useEffect(() => {
    let stopped = false;
    const beat = () =>
      api
        .post('/api/v1/tickets/{id}/presence', { path: { id: ticketId }, body: { typing: typingRef.current } })
        .then((r) => !stopped && setHere(r.items))
        .catch(() => {});
    void beat();
    const timer = setInterval(beat, 5000);
    return () => {
      stopped = true;
      clearInterval(timer);
      void api.post('/api/v1/tickets/{id}/presence', { path: { id: ticketId }, body: { leaving: true } }).catch(() => {});
    };
  }, [ticketId]);
  // Typing starts or stops: tell the others now rather than at the next beat.
  useEffect(() => {
    void api
      .post('/api/v1/tickets/{id}/presence', { path: { id: ticketId }, body: { typing } })
      .then((r) => setHere(r.items))
      .catch(() => {});
  }, [typing, ticketId]);
  return here;
}
