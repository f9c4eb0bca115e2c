import { Select, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import type { Ticket } from '../api/types';

/**
 * The assignee field: everyone who may take the ticket (its group's members first), then everyone who may not,
 * greyed out with the reason in words ("Not in L2 engineering", "Deactivated"), so nobody wonders where a
 * colleague went. Type to filter; arrows and Enter pick. The list comes from the server, which applies the same
 * rules as the change itself, so the picker never offers what would be refused.
 */
export function AssigneePicker({ ticket, disabled, onChange }: { ticket: Ticket; disabled: boolean; onChange: (userId: string | null) => void }) {
  const candidates = useQuery({
    queryKey: ['ticket', ticket.id, 'assignees', ticket.groupId],
    queryFn: () => api.get('/api/v1/tickets/{id}/assignees', { path: { id: ticket.id } }),
    staleTime: 30_000,
  });
  const items = candidates.data?.items ?? [];
  const group = candidates.data?.group;
  const why = new Map(items.map((c) => [c.userId, c.why]));
  const option = (c: (typeof items)[number]) => ({ value: c.userId, label: c.away ? `${c.name} (away)` : c.name, disabled: !c.available && c.userId !== ticket.assigneeId });
  const sections = [
    { group: group ? `In ${group.name}` : 'Agents', items: items.filter((c) => c.available && (c.inGroup || !group)).map(option) },
    { group: 'Other agents', items: items.filter((c) => c.available && group && !c.inGroup).map(option) },
    { group: 'Cannot take this ticket', items: items.filter((c) => !c.available).map(option) },
  ].filter((s) => s.items.length > 0);
  const missing = items.filter((c) => !c.available).length;
  return (
    <Select
      label="Assignee"
      disabled={disabled}
      clearable
      searchable
      nothingFoundMessage="Nobody by that name"
      data={sections}
      value={ticket.assigneeId}
      onChange={(v) => onChange(v)}
      description={missing > 0 ? `${missing} ${missing === 1 ? 'person cannot' : 'people cannot'} take it — listed last, with why` : undefined}
      renderOption={({ option }) => (
        <div>
          <Text size="sm">{option.label}</Text>
          {why.get(option.value) && (
            <Text size="xs" c="dimmed">
              {why.get(option.value)}
            </Text>
          )}
        </div>
      )}
    />
  );
}
