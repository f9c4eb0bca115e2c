import { Badge, Button, Group, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api } from '../api/client';
import { useDirectory } from '../app/directory';

/** Every board: the epics board first, then each customer's; any organisation's board opens (and is made) from here. */
export function BoardsPage() {
  const [, navigate] = useLocation();
  const dir = useDirectory();
  const boards = useQuery({ queryKey: ['boards'], queryFn: () => api.get('/api/v1/boards').then((r) => r.items) });
  const [org, setOrg] = useState<string | null>(null);
  const openOrg = async () => {
    if (!org) return;
    const loaded = await api.post('/api/v1/organizations/{id}/board', { path: { id: org } });
    navigate(`/boards/${loaded.board.id}`);
  };
  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <Title order={2}>Boards</Title>
        <Group gap="xs">
          <Select aria-label="Organisation" placeholder="A customer's board…" searchable size="xs" data={dir.organizations.map((o) => ({ value: o.id, label: o.name }))} value={org} onChange={setOrg} />
          <Button size="xs" disabled={!org} onClick={() => void openOrg()}>
            Open board
          </Button>
        </Group>
      </Group>
      <Table.ScrollContainer minWidth={0} type="native">
        <Table aria-label="Boards" highlightOnHover>
          <Table.Tbody>
            {(boards.data ?? []).map((b) => (
              <Table.Tr key={b.id}>
                <Table.Td>
                  <Link href={b.kind === 'epics' ? '/boards/epics' : `/boards/${b.id}`}>{b.name}</Link>
                </Table.Td>
                <Table.Td>{b.kind === 'epics' ? <Badge variant="light">cross-customer</Badge> : <Text size="sm" c="dimmed">customer board</Text>}</Table.Td>
                <Table.Td>{b.cardCount} cards</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
