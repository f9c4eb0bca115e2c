import { Badge, Button, Code, Group, Table, Text, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { FormError, useSave } from './forms';

const PAGE = 50;
const when = (at: string | null | undefined) => (at ? new Date(at).toLocaleString() : '—');

/**
 * Dead jobs: those that exhausted their attempts, or whose payload no longer matches its kind (GET
 * /api/v1/admin/jobs?status=dead), newest first, a page at a time (an outage can kill thousands). Retry queues one
 * again with a fresh set of attempts.
 */
export function DeadJobs() {
  const list = useInfiniteQuery({
    queryKey: ['dead-jobs'],
    queryFn: ({ pageParam }) => api.get('/api/v1/admin/jobs', { query: { status: 'dead', limit: PAGE, cursor: pageParam } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: 15_000,
  });
  const rows = list.data?.pages.flatMap((p) => p.items);
  const { error, save } = useSave([['dead-jobs']]);
  return (
    <>
      <Title order={3}>Dead jobs</Title>
      <Text size="sm" c="dimmed">
        Background work (mail delivery, webhooks, triggers, …) that failed every attempt. Fix the cause, then retry: the job runs again with a fresh set of attempts.
      </Text>
      <FormError error={error} />
      <Table.ScrollContainer minWidth={0} type="native">
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Job</Table.Th>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Attempts</Table.Th>
              <Table.Th>Last error</Table.Th>
              <Table.Th>Died</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(rows ?? []).map((j) => (
              <Table.Tr key={j.id}>
                <Table.Td>#{j.id}</Table.Td>
                <Table.Td><Code>{j.kind}</Code></Table.Td>
                <Table.Td>{j.attempts} / {j.maxAttempts}</Table.Td>
                <Table.Td>
                  <Text size="sm" maw={420} className="truncate" title={j.lastError ?? ''}>{j.lastError ?? '—'}</Text>
                </Table.Td>
                <Table.Td>{when(j.finishedAt as string | null)}</Table.Td>
                <Table.Td>
                  <Button size="compact-xs" variant="light" aria-label={`Retry job ${j.id}`} onClick={() => void save(() => api.post('/api/v1/admin/jobs/{id}/retry', { path: { id: j.id } }))}>Retry</Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {rows?.length === 0 && <Text c="dimmed"><Badge color="green" variant="light">none</Badge> No dead jobs.</Text>}
      {list.hasNextPage && (
        <Group mt="sm">
          <Button variant="light" size="xs" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
            Show more dead jobs
          </Button>
          <Text size="sm" c="dimmed">{rows?.length} shown</Text>
        </Group>
      )}
    </>
  );
}
