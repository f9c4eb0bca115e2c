import { Badge, Button, Group, Select, Table, Text, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client';
import { When } from '../app/When';
import { RawMail } from './Email';

type Outgoing = { id: string; kind: string; ticketId: string | null; toAddress: string; recipients: string[]; subject: string; status: string; error: string | null; createdAt: string; sentAt: string | null };
type Page = { mode?: string; items: Outgoing[]; nextCursor: string | null };

const KIND: Record<string, string> = { reply: 'Reply', auto_reply: 'Auto-reply', notification: 'Notification' };
const STATUS: Record<string, [string, string]> = {
  queued: ['waiting to send', 'yellow'],
  sent: ['sent', 'teal'],
  stored: ['kept here (no SMTP)', 'gray'],
  failed: ['failed', 'red'],
};

/** Every message Lifeline sent or holds, newest first, each readable in the app. */
export function Outbox() {
  const [status, setStatus] = useState<string | null>(null);
  const [reading, setReading] = useState<string | null>(null);
  const pages = useInfiniteQuery({
    queryKey: ['outbox', status],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api.get('/api/v1/outbox', { query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}), ...(status ? { status: status as 'sent' } : {}) } }) as Promise<Page>,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = pages.data?.pages.flatMap((p) => p.items) ?? [];
  const mode = pages.data?.pages[0]?.mode;
  return (
    <>
      <Title order={3}>Outbox</Title>
      <Text size="sm" c="dimmed">
        Every message Lifeline sent or holds{mode === 'outbox' ? '. No SMTP server is set (SMTP_URL), so mail stays here instead of being sent.' : '.'}
      </Text>
      <Select label="Show" w={220} clearable placeholder="Every message" data={Object.entries(STATUS).map(([value, [label]]) => ({ value, label }))} value={status} onChange={setStatus} />
      <Table.ScrollContainer minWidth={720}>
        <Table aria-label="Outbox" striped>
          <Table.Thead>
            <Table.Tr><Table.Th>To</Table.Th><Table.Th>Subject</Table.Th><Table.Th>Kind</Table.Th><Table.Th>Status</Table.Th><Table.Th>Created</Table.Th><Table.Th>Actions</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((m) => {
              const [label, color] = STATUS[m.status] ?? [m.status, 'gray'];
              return (
                <Table.Tr key={m.id}>
                  <Table.Td>{m.recipients.join(', ') || m.toAddress}</Table.Td>
                  <Table.Td><Text size="sm" maw={320} className="truncate" title={m.subject}>{m.subject}</Text></Table.Td>
                  <Table.Td>{KIND[m.kind] ?? m.kind}</Table.Td>
                  <Table.Td>
                    <Badge color={color} variant="light">{label}</Badge>
                    {m.error && <Text size="xs" c="red.9" maw={240} className="truncate" title={m.error}>{m.error}</Text>}
                  </Table.Td>
                  <Table.Td><When at={m.createdAt} /></Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Button size="compact-sm" variant="subtle" aria-label={`Read “${m.subject}” to ${m.toAddress}`} onClick={() => setReading(`/api/v1/outbox/${m.id}/raw`)}>Read</Button>
                      {m.ticketId && <Button size="compact-sm" variant="subtle" component={Link} href={`/tickets/${m.ticketId}`}>Ticket</Button>}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {pages.isSuccess && rows.length === 0 && <Text c="dimmed">Nothing here yet.</Text>}
      {pages.hasNextPage && <Button variant="default" size="xs" loading={pages.isFetchingNextPage} onClick={() => void pages.fetchNextPage()}>Show older messages</Button>}
      {reading && <RawMail url={reading} onClose={() => setReading(null)} />}
    </>
  );
}
