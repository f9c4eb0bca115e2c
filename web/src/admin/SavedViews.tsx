import { ActionIcon, Button, Group, Modal, MultiSelect, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import type { Condition } from '../api/types';
import { useDirectory } from '../app/directory';
import type { Column } from '../views/TicketTable';
import { FormError, useSave } from './forms';
import { ConditionBuilder } from './RuleBuilder';

type SavedView = Awaited<ReturnType<typeof loadSaved>>[number];
const loadSaved = () => api.get('/api/v1/views/saved').then((r) => r.items);

const COLUMNS: { value: Column; label: string }[] = [
  { value: 'number', label: 'Number' },
  { value: 'subject', label: 'Subject' },
  { value: 'requester', label: 'Requester' },
  { value: 'organization', label: 'Organisation' },
  { value: 'status', label: 'State' },
  { value: 'priority', label: 'Priority' },
  { value: 'sla', label: 'SLA' },
  { value: 'type', label: 'Type' },
  { value: 'group', label: 'Group' },
  { value: 'assignee', label: 'Assignee' },
  { value: 'channel', label: 'Channel' },
  { value: 'tags', label: 'Tags' },
  { value: 'created', label: 'Created' },
  { value: 'updated', label: 'Updated' },
];
const SORTS = [
  { value: 'updated', label: 'Last updated' },
  { value: 'created', label: 'Created' },
  { value: 'priority', label: 'Priority' },
];

/**
 * Admin → Saved views: every saved view, shared or personal, with whose it is. Rename and edit one (its filter in the
 * rule builder, with the live count), move it up or down the rail, delete it after a second look.
 */
export function SavedViews() {
  const dir = useDirectory();
  const saved = useQuery({ queryKey: ['saved-views'], queryFn: loadSaved });
  const { error, save } = useSave([['saved-views'], ['views'], ['view-counts']]);
  const [editing, setEditing] = useState<SavedView | null>(null);
  const [removing, setRemoving] = useState<SavedView | null>(null);
  const list = saved.data ?? [];
  const move = (from: number, to: number) => {
    const ids = list.map((v) => v.id);
    const [id] = ids.splice(from, 1);
    ids.splice(to, 0, id as string);
    void save(() => api.put('/api/v1/views/order', { body: { ids } }), () => notifications.show({ message: `${list[from]?.name} moved ${to < from ? 'up' : 'down'}` }));
  };
  const sharedWith = (v: SavedView) => (v.groupId ? `${dir.groups.find((g) => g.id === v.groupId)?.name ?? 'a group'} (shared)` : 'Only the owner');
  return (
    <>
      <Title order={3}>Saved views</Title>
      <Text size="sm" c="dimmed">
        Views people saved from the queue, in the order the left rail shows them (after the built-in views). Each person sees their own and those shared with
        their groups.
      </Text>
      <FormError error={error} />
      <Table.ScrollContainer minWidth={640}>
        <Table aria-label="Saved views">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Order</Table.Th>
              <Table.Th>Name</Table.Th>
              <Table.Th>Owner</Table.Th>
              <Table.Th>Who sees it</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((v, i) => (
              <Table.Tr key={v.id}>
                <Table.Td>
                  <Group gap={2} wrap="nowrap">
                    <ActionIcon variant="subtle" aria-label={`Move ${v.name} up`} disabled={i === 0} onClick={() => move(i, i - 1)}>↑</ActionIcon>
                    <ActionIcon variant="subtle" aria-label={`Move ${v.name} down`} disabled={i === list.length - 1} onClick={() => move(i, i + 1)}>↓</ActionIcon>
                  </Group>
                </Table.Td>
                <Table.Td>{v.name}</Table.Td>
                <Table.Td>{v.ownerName}</Table.Td>
                <Table.Td>{sharedWith(v)}</Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button size="compact-sm" variant="subtle" aria-label={`Edit view ${v.name}`} onClick={() => setEditing(v)}>Edit</Button>
                    <Button size="compact-sm" variant="subtle" color="red" aria-label={`Delete view ${v.name}`} onClick={() => setRemoving(v)}>Delete</Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {saved.isSuccess && list.length === 0 && <Text c="dimmed">Nobody has saved a view yet. “Save a view…” under the queue makes one.</Text>}
      {editing && <ViewEditor key={editing.id} view={editing} onClose={() => setEditing(null)} />}
      {removing && (
        <Modal opened onClose={() => setRemoving(null)} title={`Delete the view ${removing.name}?`}>
          <Text size="sm">
            {removing.ownerName}’s view goes from the rail of everyone who sees it ({sharedWith(removing).toLowerCase()}). Its tickets are not touched.
          </Text>
          <Group justify="flex-end" mt="md">
            <Button variant="default" onClick={() => setRemoving(null)}>Keep it</Button>
            <Button
              color="red"
              onClick={() =>
                void save(
                  () => api.delete('/api/v1/views/{id}', { path: { id: removing.id } }),
                  () => {
                    notifications.show({ message: `View ${removing.name} deleted` });
                    setRemoving(null);
                  },
                )
              }
            >
              Delete
            </Button>
          </Group>
        </Modal>
      )}
    </>
  );
}

/** The editor for one saved view, opened from the views rail ("Edit view …" beside a view one may change). */
export function EditSavedView({ id, onClose }: { id: string; onClose: () => void }) {
  const saved = useQuery({ queryKey: ['saved-views'], queryFn: loadSaved });
  const view = saved.data?.find((v) => v.id === id);
  return view ? <ViewEditor key={view.id} view={view} onClose={onClose} /> : null;
}

function ViewEditor({ view, onClose }: { view: SavedView; onClose: () => void }) {
  const dir = useDirectory();
  const { error, save } = useSave([['saved-views'], ['views'], ['view-counts']]);
  const [form, setForm] = useState({ name: view.name, groupId: view.groupId, columns: view.columns as Column[], sort: view.sort, order: view.order, condition: view.condition as Condition });
  return (
    <Modal opened onClose={onClose} title={`Edit view ${view.name}`} size="xl">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save(() => api.patch('/api/v1/views/{id}', { path: { id: view.id }, body: form }), () => {
            notifications.show({ message: `View ${form.name} saved` });
            onClose();
          });
        }}
      >
        <Stack>
          <Text size="sm" c="dimmed">Owner: {view.ownerName}. “Me” in the filter means whoever looks at the view.</Text>
          <TextInput label="Name" required value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={error?.fieldError('name')} data-autofocus />
          <Select
            label="Who sees it"
            data={[{ value: '', label: 'Only the owner' }, ...dir.groups.map((g) => ({ value: g.id, label: `Members of ${g.name}` }))]}
            value={form.groupId ?? ''}
            allowDeselect={false}
            onChange={(v) => setForm({ ...form, groupId: v ? v : null })}
            error={error?.fieldError('groupId')}
          />
          <MultiSelect label="Columns" data={COLUMNS} value={form.columns} onChange={(v) => setForm({ ...form, columns: v as Column[] })} error={error?.fieldError('columns')} />
          <Group grow>
            <Select label="Sorted by" data={SORTS} value={form.sort} allowDeselect={false} onChange={(v) => v && setForm({ ...form, sort: v as typeof form.sort })} />
            <Select
              label="Order"
              data={[{ value: 'desc', label: 'Newest or most urgent first' }, { value: 'asc', label: 'Oldest or least urgent first' }]}
              value={form.order}
              allowDeselect={false}
              onChange={(v) => v && setForm({ ...form, order: v as typeof form.order })}
            />
          </Group>
          <ConditionBuilder label="Shows tickets where" where="view" value={form.condition} onChange={(condition) => setForm({ ...form, condition })} error={error} />
          <FormError error={error} fieldsInPlace />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit">Save</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
