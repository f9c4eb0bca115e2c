import { Badge, Checkbox, Group, Paper, Stack, Text } from '@mantine/core';
import { Link } from 'wouter';
import type { TicketRow } from '../api/types';
import { useDirectory } from '../app/directory';
import { When } from '../app/When';
import { PriorityBadge, STATE_COLORS } from '../views/TicketTable';
import { useTicketList } from '../views/useTicketList';
import { SlaBadge, useClocks } from './sla';

/**
 * The ticket list on a phone: one card per ticket (subject, requester, state, priority, SLA time left), since a
 * table's columns do not fit 390 px. Same behaviour as the table: virtualised, loads more near the end, j/k
 * move, Enter opens, x selects; each card's subject is a link, so Tab and Enter work without the shortcuts.
 */
export function TicketCards(props: { rows: TicketRow[]; selected: Set<string>; onSelect: (ids: Set<string>) => void; hasMore: boolean; loadMore: () => void }) {
  const { rows, selected } = props;
  const dir = useDirectory();
  const clocks = useClocks(rows.map((r) => r.id));
  // On a focused link or checkbox, Enter and Space are theirs (the link opens its own ticket).
  const { parent, virtual, items, cursor, setCursor, toggle, navigate, padTop, padBottom } = useTicketList(props, { rowHeight: 104, overscan: 6, loadMoreWithin: 10, ignoreIn: ['INPUT', 'TEXTAREA', 'SELECT', 'A', 'BUTTON'] });
  return (
    <div ref={parent} style={{ height: 'calc(100dvh - 150px)', overflow: 'auto' }} data-testid="ticket-list">
      <ul aria-label="Tickets" style={{ listStyle: 'none', margin: 0, paddingLeft: 0, paddingTop: padTop, paddingBottom: padBottom }}>
        {items.map((item) => {
          const t = rows[item.index] as TicketRow;
          return (
            <li key={t.id} data-index={item.index} ref={virtual.measureElement} style={{ paddingBottom: 8 }}>
              <Paper withBorder p="xs" radius="md" className="ticket-row" data-cursor={item.index === cursor} data-testid="ticket-row" onClick={() => navigate(`/tickets/${t.number}`)}>
                <Group wrap="nowrap" align="flex-start" gap="xs">
                  <Checkbox mt={2} aria-label={`Select ticket ${t.number}`} checked={selected.has(t.id)} onChange={() => toggle(t.id)} onClick={(e) => e.stopPropagation()} />
                  <Stack gap={4} style={{ minWidth: 0, flex: 1 }}>
                    <Text component={Link} href={`/tickets/${t.number}`} size="sm" fw={t.statusCategory === 'new' ? 700 : 500} lineClamp={2} c="inherit" td="none" onClick={(e: React.MouseEvent) => e.stopPropagation()} onFocus={() => setCursor(item.index)}>
                      {t.subject}
                    </Text>
                    <Text size="xs" c="gray.7" className="truncate">
                      #{t.number} · {t.requester.name || t.requester.email}
                      {t.assigneeId ? ` · ${dir.userName(t.assigneeId)}` : ' · unassigned'}
                    </Text>
                    <Group gap={6} wrap="nowrap">
                      <Badge variant="light" size="sm" color={STATE_COLORS[t.statusCategory]}>
                        {dir.stateLabel(t.status)}
                      </Badge>
                      <PriorityBadge priority={t.priority} />
                      <SlaBadge clocks={clocks.get(t.id)} />
                      <Text size="xs" c="gray.7" ml="auto" style={{ whiteSpace: 'nowrap' }}>
                        <When at={t.updatedAt} />
                      </Text>
                    </Group>
                  </Stack>
                </Group>
              </Paper>
            </li>
          );
        })}
      </ul>
      {rows.length === 0 && (
        <Text c="dimmed" ta="center" py="xl">
          No tickets here.
        </Text>
      )}
    </div>
  );
}
