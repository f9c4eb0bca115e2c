import { useHotkeys } from '@mantine/hooks';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import { useLocation } from 'wouter';
import type { TicketRow } from '../api/types';

/**
 * What the ticket table and the phone's ticket cards share: a virtualised list that loads more near its end, a cursor
 * moved by j/k, Enter to open the ticket under it and x to select it. `ignoreIn`: elements whose own keys win (the
 * cards' links and checkboxes take Enter and Space).
 */
export function useTicketList(
  props: { rows: TicketRow[]; selected: Set<string>; onSelect: (ids: Set<string>) => void; hasMore: boolean; loadMore: () => void },
  o: { rowHeight: number; overscan: number; loadMoreWithin: number; ignoreIn?: string[] },
) {
  const { rows, selected, onSelect, hasMore, loadMore } = props;
  const [, navigate] = useLocation();
  const [cursor, setCursor] = useState(0);
  const parent = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => parent.current, estimateSize: () => o.rowHeight, overscan: o.overscan });
  const items = virtual.getVirtualItems();
  const last = items[items.length - 1];
  useEffect(() => {
    if (last && last.index >= rows.length - o.loadMoreWithin && hasMore) loadMore();
  }, [last, rows.length, hasMore, loadMore, o.loadMoreWithin]);
  useEffect(() => setCursor((c) => Math.min(c, Math.max(rows.length - 1, 0))), [rows.length]);

  const move = (delta: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, cursor + delta));
    setCursor(next);
    virtual.scrollToIndex(next, { align: 'auto' });
  };
  const toggle = (id: string) => {
    const s = new Set(selected);
    if (s.has(id)) s.delete(id);
    else s.add(id);
    onSelect(s);
  };
  useHotkeys(
    [
      ['j', () => move(1)],
      ['k', () => move(-1)],
      ['Enter', () => rows[cursor] && navigate(`/tickets/${rows[cursor]?.number}`)],
      ['x', () => rows[cursor] && toggle(rows[cursor]!.id)],
    ],
    o.ignoreIn,
  );
  return { parent, virtual, items, cursor, setCursor, toggle, navigate, padTop: items[0]?.start ?? 0, padBottom: virtual.getTotalSize() - (last?.end ?? 0) };
}
