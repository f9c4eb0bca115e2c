import { Badge, Button, Group, Modal, Select, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import { FormError, useSave } from './forms';

const STATUS_COLOR: Record<string, string> = { active: 'green', failed: 'red', disabled: 'gray' };
const when = (at: string | null | undefined) => (at ? new Date(at).toLocaleString() : '—');

/** Every channel connection's health: kind, status, last success, last error (GET /api/v1/channels/connections). */
export function Connections() {
  const list = useQuery({ queryKey: ['channel-connections'], queryFn: () => api.get('/api/v1/channels/connections').then((r) => r.items), refetchInterval: 15_000 });
  return (
    <>
      <Title order={3}>Channel connections</Title>
      <Text size="sm" c="dimmed">
        Inbound connections of every kind (IMAP mailboxes today). A failed connection has stopped until its settings or secret are entered again.
      </Text>
      <Table.ScrollContainer minWidth={0} type="native">
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Last success</Table.Th>
              <Table.Th>Failures</Table.Th>
              <Table.Th>Last error</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(list.data ?? []).map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>{c.name}</Table.Td>
                <Table.Td>{c.kind}</Table.Td>
                <Table.Td>
                  <Badge color={STATUS_COLOR[c.status] ?? 'gray'}>{c.status}</Badge> {c.syncState === 'connected' && <Badge variant="light">connected</Badge>}
                </Table.Td>
                <Table.Td>{when(c.lastSuccessAt)}</Table.Td>
                <Table.Td>{c.failureCount}</Table.Td>
                <Table.Td>
                  <Text size="sm" maw={420} className="truncate" title={c.lastError ?? ''}>
                    {c.lastError ? `${c.lastError} (${when(c.lastErrorAt)})` : '—'}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {list.data?.length === 0 && <Text c="dimmed">No connections yet: add an IMAP mailbox under Email addresses and mailboxes.</Text>}
    </>
  );
}

type Person = { id: string; name: string; email: string; role: string; organizationId: string | null; active: boolean };

/**
 * "Merge…" on a customer in the users list: pick the duplicate (a customer of the same organisation); its tickets,
 * messages, follows and identities move to this person and the duplicate is deactivated (POST /api/v1/users/{id}/merge).
 */
export function MergeButton({ person, people }: { person: Person; people: Person[] }) {
  const [open, setOpen] = useState(false);
  const [duplicateId, setDuplicateId] = useState<string | null>(null);
  const { error, save } = useSave([['admin-users'], ['staff']]);
  if (person.role !== 'customer' || !person.active) return null;
  const candidates = people.filter((p) => p.id !== person.id && p.role === 'customer' && p.active && p.organizationId === person.organizationId);
  return (
    <>
      <Button size="xs" variant="subtle" onClick={() => setOpen(true)} aria-label={`Merge another person into ${person.name}`}>
        Merge…
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={`Merge into ${person.name}`}>
        <Text size="sm" mb="sm">
          The person you pick is folded into {person.name} ({person.email}): their tickets, messages, follows and identities move here and their account is
          deactivated. Only customers of the same organisation can be merged.
        </Text>
        <Select
          label="Duplicate"
          searchable
          data={candidates.map((p) => ({ value: p.id, label: `${p.name} <${p.email}>` }))}
          value={duplicateId}
          onChange={setDuplicateId}
          nothingFoundMessage="No other active customer in this organisation"
        />
        <FormError error={error} />
        <Group justify="flex-end" mt="md">
          <Button variant="default" onClick={() => setOpen(false)}>
            Cancel
          </Button>
          <Button
            color="red"
            disabled={!duplicateId}
            onClick={() =>
              duplicateId &&
              void save(
                () => api.post('/api/v1/users/{id}/merge', { path: { id: person.id }, body: { duplicateId } }),
                () => {
                  setOpen(false);
                  setDuplicateId(null);
                },
              )
            }
          >
            Merge
          </Button>
        </Group>
      </Modal>
    </>
  );
}
