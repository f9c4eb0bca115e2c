import { ActionIcon, Badge, Button, Checkbox, ColorInput, Group, Modal, Paper, Stack, Table, TagsInput, Text, Textarea, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import type { Priority } from '../api/types';
import { textOn } from './contrast';
import { FormError, useSave } from './forms';

const SWATCHES = ['#b42318', '#d9480f', '#e8a317', '#2f9e44', '#2f6fde', '#7048e8', '#6b7280'];
const KEYS = [['priority-schemes'], ['priorities']];

/** Priority schemes: which one is in use, and each level's name, definition, colour and order; a new level at the end. */
export function Priorities() {
  const schemes = useQuery({ queryKey: ['priority-schemes'], queryFn: () => api.get('/api/v1/priority-schemes').then((r) => r.items) });
  const { error, save } = useSave(KEYS);
  const [editing, setEditing] = useState<Priority | null>(null);
  const move = (scheme: string, list: Priority[], from: number, to: number) => {
    const ids = list.map((p) => p.id);
    const [id] = ids.splice(from, 1);
    ids.splice(to, 0, id as string);
    void save(() => api.put('/api/v1/priority-schemes/{key}/order', { path: { key: scheme }, body: { ids } }), () => notifications.show({ message: `${list[from]?.key} moved ${to < from ? 'up' : 'down'}` }));
  };
  return (
    <>
      <Title order={3}>Priorities</Title>
      <Text size="sm" c="dimmed">
        Tickets keep the priority they have when the scheme in use changes; new choices come from the scheme in use. Levels are listed most urgent first: the
        queue sorts on this order.
      </Text>
      <FormError error={error} />
      {(schemes.data ?? []).map((s) => (
        <Paper key={s.key} withBorder p="sm" component="section" aria-label={s.name}>
          <Group justify="space-between" mb="xs">
            <Title order={4}>
              {s.name} {s.active && <Badge color="teal">in use</Badge>}
            </Title>
            {!s.active && (
              <Button size="xs" variant="default" onClick={() => void save(() => api.post('/api/v1/priority-schemes/{key}/activate', { path: { key: s.key } }))}>
                Use {s.name}
              </Button>
            )}
          </Group>
          <Table.ScrollContainer minWidth={640}>
            <Table aria-label={`Levels of ${s.name}`}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Order</Table.Th>
                  <Table.Th>Priority</Table.Th>
                  <Table.Th>Definition</Table.Th>
                  <Table.Th>Expected response</Table.Th>
                  <Table.Th>Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {s.priorities.map((p, i) => (
                  <Table.Tr key={p.id}>
                    <Table.Td>
                      <Group gap={2} wrap="nowrap">
                        <ActionIcon variant="subtle" aria-label={`Move ${p.key} up`} disabled={i === 0} onClick={() => move(s.key, s.priorities, i, i - 1)}>↑</ActionIcon>
                        <ActionIcon variant="subtle" aria-label={`Move ${p.key} down`} disabled={i === s.priorities.length - 1} onClick={() => move(s.key, s.priorities, i, i + 1)}>↓</ActionIcon>
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={p.color} c={textOn(p.color)}>{p.key}</Badge> {p.name} {p.isDefault && <Text span size="xs" c="dimmed">(default)</Text>}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{p.definition}</Text>
                      {p.examples.length > 0 && <Text size="xs" c="dimmed">e.g. {p.examples.join('; ')}</Text>}
                    </Table.Td>
                    <Table.Td><Text size="sm">{p.expectedResponse}</Text></Table.Td>
                    <Table.Td>
                      <Button size="compact-sm" variant="subtle" aria-label={`Edit ${p.key} of ${s.name}`} onClick={() => setEditing(p)}>Edit</Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <AddLevel scheme={s.key} name={s.name} />
        </Paper>
      ))}
      {editing && <LevelEditor key={editing.id} level={editing} onClose={() => setEditing(null)} />}
    </>
  );
}

function AddLevel({ scheme, name }: { scheme: string; name: string }) {
  const empty = { key: '', name: '', definition: '', color: '#6b7280' };
  const [form, setForm] = useState(empty);
  const { error, save } = useSave(KEYS);
  return (
    <form
      aria-label={`Add a level to ${name}`}
      onSubmit={(e) => {
        e.preventDefault();
        void save(() => api.post('/api/v1/priority-schemes/{key}/priorities', { path: { key: scheme }, body: form }), () => setForm(empty));
      }}
    >
      <Group align="flex-start" mt="xs">
        <TextInput label="New level's key" placeholder="P6" w={110} value={form.key} onChange={(e) => setForm({ ...form, key: e.currentTarget.value })} error={error?.fieldError('key')} />
        <TextInput label="Name" w={150} value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={error?.fieldError('name')} />
        <TextInput label="Definition" style={{ flex: 1, minWidth: 200 }} value={form.definition} onChange={(e) => setForm({ ...form, definition: e.currentTarget.value })} error={error?.fieldError('definition')} />
        <ColorInput label="Colour" w={130} withEyeDropper={false} swatches={SWATCHES} value={form.color} onChange={(color) => setForm({ ...form, color })} error={error?.fieldError('color')} />
        <Button type="submit" mt={25}>Add level</Button>
      </Group>
      <FormError error={error} fieldsInPlace />
    </form>
  );
}

function LevelEditor({ level, onClose }: { level: Priority; onClose: () => void }) {
  const [form, setForm] = useState({ name: level.name, definition: level.definition, examples: level.examples, expectedResponse: level.expectedResponse, color: level.color });
  const [isDefault, setIsDefault] = useState(false);
  const { error, save } = useSave(KEYS);
  return (
    <Modal opened onClose={onClose} title={`Edit ${level.key}`} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save(() => api.patch('/api/v1/priorities/{id}', { path: { id: level.id }, body: { ...form, ...(isDefault ? { isDefault: true as const } : {}) } }), onClose);
        }}
      >
        <Stack>
          <TextInput label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={error?.fieldError('name')} />
          <Textarea label="Definition" autosize minRows={2} value={form.definition} onChange={(e) => setForm({ ...form, definition: e.currentTarget.value })} error={error?.fieldError('definition')} />
          <TagsInput label="Examples" description="Press Enter after each" value={form.examples} onChange={(examples) => setForm({ ...form, examples })} error={error?.fieldError('examples')} />
          <TextInput label="Expected response" value={form.expectedResponse} onChange={(e) => setForm({ ...form, expectedResponse: e.currentTarget.value })} error={error?.fieldError('expectedResponse')} />
          <ColorInput label="Colour" withEyeDropper={false} swatches={SWATCHES} value={form.color} onChange={(color) => setForm({ ...form, color })} error={error?.fieldError('color')} />
          {!level.isDefault && (
            <Checkbox label={`Make ${level.key} the default for new tickets`} checked={isDefault} onChange={(e) => setIsDefault(e.currentTarget.checked)} />
          )}
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
