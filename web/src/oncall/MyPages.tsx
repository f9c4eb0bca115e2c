import { Anchor, Badge, Button, Group, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client';
import { FormError, useSave } from '../admin/forms';

const COLOR = { triggered: 'red', acknowledged: 'yellow', resolved: 'green' } as const;

/** The pages that reached me (in-app delivery), newest first, with Acknowledge and Resolve. */
export function MyPages() {
  const [scope, setScope] = useState<'mine' | 'all'>('mine');
  const pages = useQuery({
    queryKey: ['oncall-pages', scope],
    queryFn: () => api.get('/api/v1/oncall/pages', { query: scope === 'mine' ? { mine: 'true' } : {} }).then((r) => r.items),
    refetchInterval: 15_000,
  });
  const { error, save } = useSave([['oncall-pages']]);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={3}>Pages</Title>
        <SegmentedControl
          aria-label="Which pages"
          value={scope}
          onChange={(v) => setScope(v as 'mine' | 'all')}
          data={[
            { value: 'mine', label: 'Mine' },
            { value: 'all', label: 'Everyone' },
          ]}
        />
      </Group>
      <FormError error={error} />
      {pages.data?.length === 0 && <Text c="dimmed">No pages.</Text>}
      <Table.ScrollContainer minWidth={0} type="native">
        <Table aria-label="Pages">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>#</Table.Th>
              <Table.Th>Page</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Since</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(pages.data ?? []).map((p) => (
              <Table.Tr key={p.id} data-testid={`page-${p.number}`}>
                <Table.Td>{p.number}</Table.Td>
                <Table.Td>
                  <Anchor component={Link} href={`/oncall/pages/${p.id}`} size="sm">
                    {p.title}
                  </Anchor>
                  {p.body && (
                    <Text size="xs" c="dimmed">
                      {p.body}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Badge color={COLOR[p.status]} variant="light">
                    {p.status}
                    {p.status === 'triggered' && (p.step > 0 || p.round > 0) ? ` · step ${p.step + 1}` : ''}
                  </Badge>
                </Table.Td>
                <Table.Td>{new Date(p.createdAt).toLocaleString()}</Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    {p.status === 'triggered' && (
                      <Button size="compact-xs" onClick={() => void save(() => api.post('/api/v1/oncall/pages/{id}/acknowledge', { path: { id: p.id } }))}>
                        Acknowledge #{p.number}
                      </Button>
                    )}
                    {p.status !== 'resolved' && (
                      <Button size="compact-xs" variant="light" color="green" onClick={() => void save(() => api.post('/api/v1/oncall/pages/{id}/resolve', { path: { id: p.id } }))}>
                        Resolve #{p.number}
                      </Button>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
