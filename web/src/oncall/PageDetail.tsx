import { Anchor, Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { ApiError, api } from '../api/client';
import { FormError, useSave } from '../admin/forms';
import { useDirectory } from '../app/directory';

const COLOR = { triggered: 'red', acknowledged: 'yellow', resolved: 'green' } as const;
const CHANNEL: Record<string, string> = { email: 'Email', in_app: 'In the app', webhook: 'Webhook (SMS / phone)' };
const when = (d: string | null | undefined) => (d ? new Date(d).toLocaleString() : '—');

/**
 * One page: what it is about (ticket, incident), who was notified at each escalation step, how and when (and
 * whether it went out), who acknowledged and resolved it; Acknowledge and Resolve here too.
 */
export function PageDetail({ id }: { id: string }) {
  const { staff } = useDirectory();
  const page = useQuery({ queryKey: ['oncall-page', id], queryFn: () => api.get('/api/v1/oncall/pages/{id}', { path: { id } }), refetchInterval: 15_000, retry: false });
  const policies = useQuery({ queryKey: ['oncall-policies'], queryFn: () => api.get('/api/v1/oncall/policies').then((r) => r.items) });
  const { error, save } = useSave([['oncall-page', id], ['oncall-pages']]);
  const nameOf = (userId: string | null) => (userId ? (staff.find((u) => u.id === userId)?.name ?? 'someone no longer here') : 'someone');
  if (page.error) return <FormError error={page.error instanceof ApiError ? page.error : new ApiError(0, 'UNKNOWN', String(page.error))} />;
  const p = page.data;
  if (!p) return null;
  const policy = policies.data?.find((x) => x.id === p.policyId);
  // Escalation steps taken: the notifications grouped by round and step, in the order they were made.
  const steps = new Map<string, typeof p.notifications>();
  for (const n of p.notifications) {
    const key = `${n.round}:${n.step}`;
    steps.set(key, [...(steps.get(key) ?? []), n]);
  }
  return (
    <Stack>
      <Anchor component={Link} href="/oncall/pages" size="sm">
        ← All pages
      </Anchor>
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={3}>
            Page #{p.number}: {p.title}
          </Title>
          {p.body && <Text size="sm">{p.body}</Text>}
        </div>
        <Badge color={COLOR[p.status]} size="lg" variant="light">
          {p.status}
          {p.exhausted ? ' · no steps left' : ''}
        </Badge>
      </Group>
      <Group gap="xl">
        <Text size="sm">From: {p.source}</Text>
        {p.ticketId && (
          <Anchor component={Link} href={`/tickets/${p.ticketId}`} size="sm">
            The ticket
          </Anchor>
        )}
        {p.incidentId && (
          <Anchor component={Link} href={`/incidents/${p.incidentId}`} size="sm">
            The incident
          </Anchor>
        )}
        <Text size="sm">Policy: {policy?.name ?? p.policyId}</Text>
        <Text size="sm">Paged: {when(p.createdAt)}</Text>
      </Group>
      <Table.ScrollContainer minWidth={0} type="native">
        <Table aria-label="Acknowledgement" withRowBorders={false}>
          <Table.Tbody>
            <Table.Tr>
              <Table.Th w={160}>Acknowledged</Table.Th>
              <Table.Td>{p.acknowledgedAt ? `${when(p.acknowledgedAt)} by ${nameOf(p.acknowledgedById)}` : 'Not yet'}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Resolved</Table.Th>
              <Table.Td>{p.resolvedAt ? `${when(p.resolvedAt)} by ${nameOf(p.resolvedById)}` : 'Not yet'}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Last escalated</Table.Th>
              <Table.Td>{when(p.escalatedAt)}</Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group>
        {p.status === 'triggered' && <Button onClick={() => void save(() => api.post('/api/v1/oncall/pages/{id}/acknowledge', { path: { id } }))}>Acknowledge</Button>}
        {p.status !== 'resolved' && (
          <Button color="green" variant="light" onClick={() => void save(() => api.post('/api/v1/oncall/pages/{id}/resolve', { path: { id } }))}>
            Resolve
          </Button>
        )}
      </Group>
      <FormError error={error} />
      <Title order={4}>Escalation steps taken</Title>
      {steps.size === 0 && <Text c="dimmed">Nobody was reachable at the first step.</Text>}
      {[...steps.entries()].map(([key, ns]) => {
        const [round, step] = key.split(':').map(Number) as [number, number];
        return (
          <Stack key={key} gap={4}>
            <Text fw={600} size="sm">
              Step {step + 1}
              {round > 0 ? `, repeat ${round}` : ''} — {when(ns[0]?.createdAt)}
            </Text>
            <Table.ScrollContainer minWidth={0} type="native">
              <Table aria-label={`Step ${step + 1}${round > 0 ? `, repeat ${round}` : ''} notifications`}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Who</Table.Th>
                    <Table.Th>How</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Sent</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {ns.map((n) => (
                    <Table.Tr key={n.id}>
                      <Table.Td>{nameOf(n.userId)}</Table.Td>
                      <Table.Td>{CHANNEL[n.channel] ?? n.channel}</Table.Td>
                      <Table.Td>
                        {n.status}
                        {n.error ? ` (${n.error})` : ''}
                      </Table.Td>
                      <Table.Td>{when(n.sentAt)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Stack>
        );
      })}
    </Stack>
  );
}
