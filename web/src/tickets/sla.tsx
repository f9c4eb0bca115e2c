import { Badge, Card, Group, Stack, Text, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import type { Response } from '../api/client';
import { exactTime } from '../app/When';
import { duration } from './format';

export type Clock = Response<'/api/v1/sla/clocks', 'get'>['items'][number];

const METRIC: Record<Clock['metric'], string> = {
  first_response: 'First response',
  next_response: 'Next response',
  periodic_update: 'Update',
  resolution: 'Resolution',
};

/** A clock that is not counting, in words: why it does not count now (a stopped clock: solved, or no target applies). */
function idle(status: Clock['status'], done: boolean): string {
  if (status === 'paused') return 'paused while the ticket waits';
  return done ? 'not needed: the ticket is solved' : 'no target applies to this ticket now';
}

/** The clocks of the tickets on screen, fetched a hundred at a time. */
export function useClocks(ticketIds: string[]): Map<string, Clock[]> {
  const chunks: string[][] = [];
  for (let i = 0; i < ticketIds.length; i += 100) chunks.push(ticketIds.slice(i, i + 100));
  const q = useQuery({
    queryKey: ['tickets', 'sla', ticketIds.join(',')],
    queryFn: async () => (await Promise.all(chunks.map((ids) => api.get('/api/v1/sla/clocks', { query: { ticketIds: ids.join(',') } })))).flatMap((r) => r.items),
    enabled: ticketIds.length > 0,
    placeholderData: (p) => p,
    refetchInterval: 60_000,
  });
  const byTicket = new Map<string, Clock[]>();
  for (const c of q.data ?? []) byTicket.set(c.ticketId, [...(byTicket.get(c.ticketId) ?? []), c]);
  return byTicket;
}

/** The next deadline of a ticket: time left (orange within the hour), overdue in red, or paused. */
export function SlaBadge({ clocks }: { clocks: Clock[] | undefined }) {
  const running = (clocks ?? []).filter((c) => c.status === 'running' && c.remainingMinutes !== null).sort((a, b) => (a.remainingMinutes ?? 0) - (b.remainingMinutes ?? 0));
  const next = running[0];
  if (!next) {
    if ((clocks ?? []).some((c) => c.status === 'paused')) return <Badge size="sm" variant="outline" color="gray">paused while waiting</Badge>;
    return null;
  }
  const left = next.remainingMinutes ?? 0;
  const color = left < 0 ? 'red' : left <= 60 ? 'orange' : 'gray';
  return (
    <Tooltip label={`${METRIC[next.metric]} due ${exactTime(String(next.dueAt))}`}>
      <Badge size="sm" variant={left < 0 ? 'filled' : 'light'} color={color} data-testid="sla-badge">
        {left < 0 ? `${duration(left)} over` : duration(left)}
      </Badge>
    </Tooltip>
  );
}

/** Every clock of one ticket: target, due or achieved, breached. */
export function SlaCard({ ticketId, version, done }: { ticketId: string; version: number; done: boolean }) {
  const clocks = useQuery({
    queryKey: ['ticket', ticketId, 'sla', version],
    queryFn: () => api.get('/api/v1/tickets/{id}/sla', { path: { id: ticketId } }).then((r) => r.items),
    refetchInterval: 60_000,
    placeholderData: (p) => p,
  });
  if (!clocks.data?.length) return null;
  return (
    <Card withBorder padding="sm" aria-label="SLA">
      <Text size="xs" fw={600} c="dimmed">
        SLA
      </Text>
      <Stack gap={4} mt={4}>
        {clocks.data.map((c) => (
          <Group key={c.metric} justify="space-between" wrap="nowrap">
            <Text size="sm">
              {METRIC[c.metric]} <Text span size="xs" c="dimmed">({duration(c.targetMinutes)} business)</Text>
            </Text>
            {c.status === 'achieved' ? (
              <Badge size="sm" color={c.breachedAt ? 'red' : 'green'} variant="light">
                {c.breachedAt ? 'met late' : 'met'}
              </Badge>
            ) : c.status === 'running' ? (
              <SlaBadge clocks={[c]} />
            ) : (
              <Text size="xs" c="dimmed" data-testid="sla-idle">
                {idle(c.status, done)}
              </Text>
            )}
          </Group>
        ))}
      </Stack>
    </Card>
  );
}
