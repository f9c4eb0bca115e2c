import { Badge, Checkbox, Group, Table, Text, Tooltip, UnstyledButton } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { textOn } from '../admin/contrast';
import type { TicketRow } from '../api/types';
import { useDirectory } from '../app/directory';
import { When } from '../app/When';
import { SlaBadge, useClocks } from '../tickets/sla';
import { TicketCards } from '../tickets/TicketCards';
import { useTicketList } from './useTicketList';

export type Column = 'number' | 'subject' | 'requester' | 'organization' | 'status' | 'priority' | 'sla' | 'type' | 'group' | 'assignee' | 'channel' | 'tags' | 'created' | 'updated';
export type Sort = 'created' | 'updated' | 'priority';

const HEADINGS: Record<Column, string> = {
  number: '#',
  subject: 'Subject',
  requester: 'Requester',
  organization: 'Organisation',
  status: 'State',
  priority: 'Priority',
  sla: 'SLA',
  type: 'Type',
  group: 'Group',
  assignee: 'Assignee',
  channel: 'Channel',
  tags: 'Tags',
  created: 'Created',
  updated: 'Updated',
};
const SORTABLE: Partial<Record<Column, Sort>> = { created: 'created', updated: 'updated', priority: 'priority' };
const ROW = 41;

/**
 * The ticket list: only the rows on screen are in the DOM (tens of thousands scroll smoothly), more pages load
 * as the end comes near, j/k move the cursor, Enter opens, x selects.
 */
type TicketTableProps = {
  rows: TicketRow[];
  columns: Column[];
  sort: Sort;
  order: 'asc' | 'desc';
  onSort: (sort: Sort) => void;
  selected: Set<string>;
  onSelect: (ids: Set<string>) => void;
  hasMore: boolean;
  loadMore: () => void;
};

/** A table on a wide screen; cards below Mantine's `sm` (a phone), where columns do not fit. */
export function TicketTable(props: TicketTableProps) {
  const narrow = useMediaQuery('(max-width: 47.99em)');
  return narrow ? <TicketCards {...props} /> : <TicketGrid {...props} />;
}

function TicketGrid(props: TicketTableProps) {
  const { rows, columns, selected, onSelect } = props;
  const dir = useDirectory();
  const clocks = useClocks(columns.includes('sla') ? rows.map((r) => r.id) : []);
  const { parent, items, cursor, toggle, navigate, padTop, padBottom } = useTicketList(props, { rowHeight: ROW, overscan: 12, loadMoreWithin: 20 });
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));

  return (
    <div ref={parent} style={{ height: 'calc(100vh - 170px)', overflow: 'auto' }} data-testid="ticket-list">
      <Table highlightOnHover stickyHeader verticalSpacing={6} style={{ tableLayout: 'fixed' }}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={36}>
              <Checkbox
                aria-label="Select all loaded tickets"
                checked={allSelected}
                indeterminate={selected.size > 0 && !allSelected}
                onChange={() => onSelect(allSelected ? new Set() : new Set(rows.map((r) => r.id)))}
              />
            </Table.Th>
            {columns.map((c) => (
              <Table.Th key={c} w={c === 'subject' ? undefined : c === 'number' ? 70 : 130}>
                {SORTABLE[c] ? (
                  <UnstyledButton onClick={() => props.onSort(SORTABLE[c] as Sort)} fw={600} fz="sm" aria-label={`Sort by ${HEADINGS[c]}`}>
                    {HEADINGS[c]} {props.sort === SORTABLE[c] ? (props.order === 'asc' ? '↑' : '↓') : ''}
                  </UnstyledButton>
                ) : (
                  HEADINGS[c]
                )}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {padTop > 0 && (
            <tr>
              <td style={{ height: padTop }} colSpan={columns.length + 1} />
            </tr>
          )}
          {items.map((item) => {
            const t = rows[item.index] as TicketRow;
            return (
              <Table.Tr
                key={t.id}
                className="ticket-row"
                data-cursor={item.index === cursor}
                data-testid="ticket-row"
                style={{ height: ROW }}
                onClick={() => navigate(`/tickets/${t.number}`)}
              >
                <Table.Td onClick={(e) => e.stopPropagation()}>
                  <Checkbox aria-label={`Select ticket ${t.number}`} checked={selected.has(t.id)} onChange={() => toggle(t.id)} />
                </Table.Td>
                {columns.map((c) => (
                  <Table.Td key={c} className="truncate">
                    {c === 'sla' ? <SlaBadge clocks={clocks.get(t.id)} /> : cell(c, t, dir)}
                  </Table.Td>
                ))}
              </Table.Tr>
            );
          })}
          {padBottom > 0 && (
            <tr>
              <td style={{ height: padBottom }} colSpan={columns.length + 1} />
            </tr>
          )}
        </Table.Tbody>
      </Table>
      {rows.length === 0 && (
        <Text c="dimmed" ta="center" py="xl">
          No tickets here.
        </Text>
      )}
    </div>
  );
}

export function PriorityBadge({ priority }: { priority: TicketRow['priority'] }) {
  const dir = useDirectory();
  if (!priority) return null;
  const def = dir.priority(priority.key);
  return (
    <Tooltip label={def ? `${def.name}: ${def.definition}` : priority.name} multiline w={320} withArrow>
      <Badge color={priority.color} c={textOn(priority.color)} variant="filled" size="sm" style={{ cursor: 'help' }}>
        {priority.key}
      </Badge>
    </Tooltip>
  );
}

function cell(c: Exclude<Column, 'sla'>, t: TicketRow, dir: ReturnType<typeof useDirectory>) {
  switch (c) {
    case 'number':
      return <Text size="sm" c="dimmed">#{t.number}</Text>;
    case 'subject':
      return (
        <Text size="sm" fw={t.statusCategory === 'new' ? 700 : 400} className="truncate">
          {t.subject}
        </Text>
      );
    case 'requester':
      return <Text size="sm" className="truncate" title={t.requester.email}>{t.requester.name || t.requester.email}</Text>;
    case 'organization':
      return dir.orgName(t.organizationId);
    case 'status':
      return <Badge variant="light" size="sm" color={STATE_COLORS[t.statusCategory]}>{dir.stateLabel(t.status)}</Badge>;
    case 'priority':
      return <PriorityBadge priority={t.priority} />;
    case 'type':
      return t.type ?? '';
    case 'group':
      return dir.groupName(t.groupId);
    case 'assignee':
      return t.assigneeId ? dir.userName(t.assigneeId) : <Text size="sm" c="dimmed">—</Text>;
    case 'channel':
      return t.channel;
    case 'tags':
      return (
        <Group gap={4} wrap="nowrap">
          {t.tags.map((tag) => (
            <Badge key={tag} size="xs" variant="outline" color="gray">{tag}</Badge>
          ))}
        </Group>
      );
    case 'created':
      return <When at={t.createdAt} />;
    case 'updated':
      return <When at={t.updatedAt} />;
  }
}

export const STATE_COLORS: Record<string, string> = { new: 'yellow', open: 'red', pending: 'blue', on_hold: 'gray', solved: 'green', closed: 'dark', merged: 'dark' };
