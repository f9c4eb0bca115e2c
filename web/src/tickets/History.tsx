import { Accordion, Text, Timeline } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import type { TicketEvent } from '../api/types';
import type { Directory } from '../app/directory';
import { useDirectory } from '../app/directory';
import { When } from '../app/When';

const FIELD: Record<string, string> = {
  status: 'State',
  priority: 'Priority',
  type: 'Type',
  assigneeId: 'Assignee',
  groupId: 'Group',
  organizationId: 'Organisation',
  requesterId: 'Requester',
  tags: 'Tags',
  subject: 'Subject',
  productArea: 'Product / area',
  dueAt: 'Due date',
  customFields: 'Custom fields',
};
const METRIC: Record<string, string> = { first_response: 'First response', next_response: 'Next response', periodic_update: 'Update', resolution: 'Resolution' };

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

type Person = { id: string; name: string; email: string };
type Payload = Record<string, unknown> | null;

/** Who did it, by name: staff from the directory, the requester from the ticket, Lifeline when nobody. */
function actorName(e: TicketEvent, dir: Directory, requester?: Person): string {
  if (!e.actorId) return 'Lifeline';
  if (requester && e.actorId === requester.id) return requester.name || requester.email;
  const staff = dir.userName(e.actorId);
  return staff && staff !== '…' ? staff : 'A customer';
}

/** One event as a sentence: "Amina replied publicly", "Priority P1 → P3 by Fatima", "Escalated to L2 by Ben". */
export function describeEvent(e: TicketEvent, dir: Directory, requester?: Person): string {
  const who = actorName(e, dir, requester);
  const to = e.toValue as Payload;
  const from = e.fromValue as Payload;
  switch (e.kind) {
    case 'created':
      return `${who} opened the ticket`;
    case 'message_added': {
      const author = to?.author;
      if (author === 'requester' || author === 'customer') return `${who} wrote`;
      return to?.public ? `${who} replied publicly` : `${who} added an internal note`;
    }
    case 'field_changed':
      if (e.field === 'assignee' && !e.fromValue && e.actorId && e.toValue === e.actorId) return `${who} took the ticket`;
      return `${FIELD[e.field ?? ''] ?? (e.field ?? 'A field')} ${show(e.fromValue, e.field, dir)} → ${show(e.toValue, e.field, dir)} by ${who}`;
    case 'followers_added':
      return `${who} added ${Array.isArray(e.toValue) ? (e.toValue as string[]).map((id) => (id === requester?.id ? requester.name : dir.userName(id))).join(', ') : 'followers'} as follower`;
    case 'follow_up_created':
      return to?.number ? `Follow-up #${to.number} opened` : `Opened as a follow-up of #${from?.number ?? '?'}`;
    case 'escalated':
      return to?.by === 'automation' ? `Escalated to ${to?.group} automatically (urgency ${to?.urgency})` : `${who} escalated to ${to?.group} (urgency ${to?.urgency})`;
    case 'merged_into':
      return `${who} merged this ticket into #${to?.number}`;
    case 'merged_from':
      return `${who} merged #${to?.number} into this ticket`;
    case 'link_added':
      return `${who} linked ${to?.url ? String(to.title || to.url) : `a ticket (${String(to?.kind ?? 'related').replaceAll('_', ' ')})`}`;
    case 'link_removed':
      return `${who} removed a link`;
    case 'sla_warning':
      return `${METRIC[e.field ?? ''] ?? 'SLA'} target due soon`;
    case 'sla_breached':
      return `${METRIC[e.field ?? ''] ?? 'SLA'} target missed`;
    case 'sla_met':
      return `${METRIC[e.field ?? ''] ?? 'SLA'} target met`;
    case 'satisfaction_rated':
      return `${who} rated the support ${(to as { rating?: string } | null)?.rating === 'bad' ? 'bad 👎' : 'good 👍'}`;
    default:
      return `${e.kind.replaceAll('_', ' ')} by ${who}`;
  }
}

/** The append-only history, in words: who did what, when (exact time on hover). */
export function History({ ticketId, version, requester }: { ticketId: string; version: number; requester?: Person }) {
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
              <Timeline.Item key={e.id} title={<Text size="sm" data-testid="history-event">{describeEvent(e, dir, requester)}</Text>}>
                <Text size="xs" c="dimmed">
                  <When at={e.at} />
                </Text>
              </Timeline.Item>
            ))}
          </Timeline>
        </Accordion.Panel>
      </Accordion.Item>
    </Accordion>
  );
}
