import { Accordion, Text, Timeline } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import type { TicketEvent } from '../api/types';
import type { Directory } from '../app/directory';
import { useDirectory } from '../app/directory';
import { relativeTime } from './format';

const show = (v: unknown, field: string | null, dir: Directory): string => {
  if (v === null || v === undefined || v === '') return '—';
  if (field === 'assigneeId' || field === 'assignee') return dir.userName(String(v));
  if (field === 'groupId' || field === 'group') return dir.groupName(String(v));
  if (field === 'organizationId') return dir.orgName(String(v));
  if (field === 'status') return dir.stateLabel(String(v));
  if (Array.isArray(v)) return v.join(', ') || '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
};

export function describeEvent(e: TicketEvent, dir: Directory): string {
  const name = (e.field ?? '').replace(/Id$/, '');
  if (e.field) return `${name} ${show(e.fromValue, e.field, dir)} → ${show(e.toValue, e.field, dir)}`;
  return e.kind.replaceAll('_', ' ');
}

/** The append-only history: who changed what, when, from → to. */
export function History({ ticketId, version }: { ticketId: string; version: number }) {
  const dir = useDirectory();
  const events = useQuery({
    queryKey: ['ticket', ticketId, 'events', version],
    queryFn: () => api.get('/api/v1/tickets/{id}/events', { path: { id: ticketId } }).then((r) => r.items),
    placeholderData: (p) => p,
  });
  return (
    <Accordion variant="contained">
      <Accordion.Item value="history">
        <Accordion.Control>History ({events.data?.length ?? 0})</Accordion.Control>
        <Accordion.Panel>
          <Timeline bulletSize={10} lineWidth={1}>
            {(events.data ?? []).map((e) => (
              <Timeline.Item key={e.id} title={<Text size="sm">{describeEvent(e, dir)}</Text>}>
                <Text size="xs" c="dimmed" title={e.at}>
                  {dir.userName(e.actorId) || 'Lifeline'} · {relativeTime(e.at)}
                </Text>
              </Timeline.Item>
            ))}
          </Timeline>
        </Accordion.Panel>
      </Accordion.Item>
    </Accordion>
  );
}
