import { ActionIcon, Badge, Button, Checkbox, Group, Modal, SegmentedControl, Select, Stack, Switch, Table, TagsInput, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { ApiError, api, type Response } from '../api/client';
import { type Directory, useDirectory } from '../app/directory';
import { useSession } from '../app/session';
import { describeChanges, type MacroChanges } from '../macros/changes';
import { FormError, useSave } from './forms';

// Macros in the admin area: the shared ones and the admin's own, in the composer's order. Each has its text
// (Liquid placeholders) and the field changes it makes, edited in a form and previewed on a real ticket.

type Macro = Response<'/api/v1/macros', 'get'>['items'][number];
type Preview = Response<'/api/v1/macros/preview', 'post'>;

export const PLACEHOLDERS: [string, string][] = [
  ['{{ ticket.requester.first_name }}', "Requester's first name"],
  ['{{ ticket.requester.name }}', "Requester's name"],
  ['{{ ticket.number }}', 'Ticket number'],
  ['{{ ticket.subject }}', 'Subject'],
  ['{{ current_user.name }}', 'Your name'],
  ['{{ current_user.first_name }}', 'Your first name'],
];

const useMacros = () => useQuery({ queryKey: ['macros', 'all'], queryFn: () => api.get('/api/v1/macros', { query: { include: 'inactive' } }).then((r) => r.items) });

export function MacrosAdmin() {
  const dir = useDirectory();
  const list = useMacros();
  const { error, save } = useSave([['macros']]);
  const [editing, setEditing] = useState<Macro | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Macro | null>(null);
  const rows = list.data ?? [];
  const move = (i: number, by: number) => {
    const ids = rows.map((m) => m.id);
    const [id] = ids.splice(i, 1);
    ids.splice(i + by, 0, id as string);
    void save(() => api.put('/api/v1/macros/order', { body: { ids } }));
  };
  return (
    <>
      <Title order={3}>Macros</Title>
      <Text size="sm" c="dimmed">
        Replies and notes agents apply from the composer, with the changes they make to the ticket (state, priority, tags, group, assignee, fields). Agents see the changes before sending and can drop any of them.
      </Text>
      <Group>
        <Button onClick={() => setEditing('new')}>New macro</Button>
      </Group>
      <FormError error={error} />
      <Table.ScrollContainer minWidth={640}>
        <Table>
          <Table.Thead>
            <Table.Tr><Table.Th>Order</Table.Th><Table.Th>Name</Table.Th><Table.Th>For</Table.Th><Table.Th>Does</Table.Th><Table.Th>Active</Table.Th><Table.Th /></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((m, i) => (
              <Table.Tr key={m.id} data-testid={`macro-row-${m.name}`}>
                <Table.Td>
                  <Group gap={2} wrap="nowrap">
                    <ActionIcon size="sm" variant="subtle" aria-label={`Move ${m.name} up`} disabled={i === 0} onClick={() => move(i, -1)}>↑</ActionIcon>
                    <ActionIcon size="sm" variant="subtle" aria-label={`Move ${m.name} down`} disabled={i === rows.length - 1} onClick={() => move(i, 1)}>↓</ActionIcon>
                  </Group>
                </Table.Td>
                <Table.Td>{m.name}</Table.Td>
                <Table.Td><Badge variant="light" color={m.ownerId ? 'gray' : 'blue'}>{m.ownerId ? 'only me' : 'everyone'}</Badge></Table.Td>
                <Table.Td>
                  <Text size="xs">{[m.body ? (m.public ? 'Public reply' : 'Internal note') : '', ...describeChanges(m.changes, dir).map((l) => l.text)].filter(Boolean).join(' · ')}</Text>
                </Table.Td>
                <Table.Td><Switch aria-label={`${m.name} active`} checked={m.active} onChange={(e) => void save(() => api.patch('/api/v1/macros/{id}', { path: { id: m.id }, body: { active: e.currentTarget.checked } }))} /></Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button size="compact-xs" variant="subtle" onClick={() => setEditing(m)} aria-label={`Edit ${m.name}`}>Edit</Button>
                    <Button size="compact-xs" variant="subtle" onClick={() => void save(() => api.post('/api/v1/macros/{id}/duplicate', { path: { id: m.id } }))} aria-label={`Duplicate ${m.name}`}>Duplicate</Button>
                    <Button size="compact-xs" variant="subtle" color="red" onClick={() => setDeleting(m)} aria-label={`Delete ${m.name}`}>Delete</Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {editing && <MacroEditor key={editing === 'new' ? 'new' : editing.id} macro={editing === 'new' ? null : editing} position={rows.length} onClose={() => setEditing(null)} />}
      <Modal opened={!!deleting} onClose={() => setDeleting(null)} title={`Delete ${deleting?.name ?? ''}?`}>
        <Text size="sm">Agents will no longer find it in the composer. To keep it but hide it, switch it off instead.</Text>
        <Group justify="flex-end" mt="md">
          <Button variant="default" onClick={() => setDeleting(null)}>Cancel</Button>
          <Button color="red" onClick={() => deleting && void save(() => api.delete('/api/v1/macros/{id}', { path: { id: deleting.id } }), () => setDeleting(null))}>Delete macro</Button>
        </Group>
      </Modal>
    </>
  );
}

type Form = { name: string; body: string; public: boolean; shared: boolean; changes: MacroChanges };

function MacroEditor({ macro, position, onClose }: { macro: Macro | null; position: number; onClose: () => void }) {
  const dir = useDirectory();
  const { me } = useSession();
  const { error, save } = useSave([['macros']]);
  const [form, setForm] = useState<Form>(() =>
    macro ? { name: macro.name, body: macro.body, public: macro.public, shared: macro.ownerId === null, changes: macro.changes } : { name: '', body: '', public: true, shared: me.role === 'admin', changes: {} },
  );
  const text = useRef<HTMLTextAreaElement>(null);
  const setChange = <K extends keyof MacroChanges>(key: K, value: MacroChanges[K] | undefined) => {
    const { [key]: _, ...rest } = form.changes;
    setForm({ ...form, changes: value === undefined ? rest : { ...rest, [key]: value } });
  };
  const insert = (placeholder: string) => {
    const el = text.current;
    const at = el ? el.selectionStart : form.body.length;
    const end = el ? el.selectionEnd : form.body.length;
    setForm({ ...form, body: form.body.slice(0, at) + placeholder + form.body.slice(end) });
    setTimeout(() => {
      el?.focus();
      el?.setSelectionRange(at + placeholder.length, at + placeholder.length);
    }, 0);
  };
  const submit = () =>
    save(
      () =>
        macro
          ? api.patch('/api/v1/macros/{id}', { path: { id: macro.id }, body: { name: form.name, body: form.body, public: form.public, shared: form.shared, changes: form.changes } })
          : api.post('/api/v1/macros', { body: { name: form.name, body: form.body, public: form.public, shared: form.shared, changes: form.changes, position } }),
      onClose,
    );
  const err = (path: string) => error?.fieldError(path);
  return (
    <Modal opened onClose={onClose} title={macro ? `Edit ${macro.name}` : 'New macro'} size="xl">
      <Stack>
        <Group align="flex-end">
          <TextInput label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={err('name')} data-autofocus />
          <SegmentedControl
            aria-label="Sends as"
            value={form.public ? 'reply' : 'note'}
            onChange={(v) => setForm({ ...form, public: v === 'reply' })}
            data={[{ value: 'reply', label: 'Public reply' }, { value: 'note', label: 'Internal note' }]}
          />
          <Checkbox label="Shared with every agent" disabled={me.role !== 'admin'} checked={form.shared} onChange={(e) => setForm({ ...form, shared: e.currentTarget.checked })} />
        </Group>
        <Textarea ref={text} label="Text" description="Markdown. Leave empty for a macro that only changes fields." autosize minRows={5} maxRows={16} value={form.body} onChange={(e) => setForm({ ...form, body: e.currentTarget.value })} error={err('body.body') ?? err('body')} />
        <Group gap={6}>
          <Text size="xs" c="dimmed">Insert:</Text>
          {PLACEHOLDERS.map(([p, label]) => (
            <Button key={p} size="compact-xs" variant="light" onClick={() => insert(p)}>{label}</Button>
          ))}
        </Group>
        <ChangesForm dir={dir} changes={form.changes} set={setChange} err={err} />
        <MacroPreview body={form.body} changes={form.changes} />
        <FormError error={error} fieldsInPlace />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button onClick={() => void submit()}>{macro ? 'Save macro' : 'Add macro'}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

const KEEP = '';

/** The field changes a macro makes, one input per field; "no change" leaves the field as the ticket has it. */
function ChangesForm({ dir, changes, set, err }: { dir: Directory; changes: MacroChanges; set: <K extends keyof MacroChanges>(k: K, v: MacroChanges[K] | undefined) => void; err: (p: string) => string | undefined }) {
  const nullable = (v: string | null) => (v === KEEP || v === null ? undefined : v === '-' ? null : v);
  const shown = (v: string | null | undefined) => (v === undefined ? KEEP : v === null ? '-' : v);
  const keep = { value: KEEP, label: 'no change' };
  const fields = dir.customFields.filter((f) => f.active && ['text', 'dropdown', 'number', 'checkbox'].includes(f.kind));
  const setField = (key: string, value: unknown) => {
    const { [key]: _, ...rest } = changes.customFields ?? {};
    const next = value === undefined ? rest : { ...rest, [key]: value };
    set('customFields', Object.keys(next).length ? next : undefined);
  };
  return (
    <Stack gap="xs">
      <Text fw={600} size="sm">Changes to the ticket</Text>
      <Group grow align="flex-start">
        <Select label="State" data={[keep, ...dir.states.filter((s) => s.category !== 'merged').map((s) => ({ value: s.key, label: s.label }))]} value={shown(changes.status)} onChange={(v) => set('status', nullable(v) ?? undefined)} allowDeselect={false} error={err('changes.status')} />
        <Select label="Priority" data={[keep, ...dir.priorities.map((p) => ({ value: p.key, label: `${p.key} ${p.name}` }))]} value={shown(changes.priority)} onChange={(v) => set('priority', nullable(v) ?? undefined)} allowDeselect={false} error={err('changes.priority')} />
        <Select label="Type" data={[keep, { value: '-', label: 'clear' }, ...dir.types.filter((t) => t.active).map((t) => ({ value: t.key, label: t.label }))]} value={shown(changes.type)} onChange={(v) => set('type', nullable(v))} allowDeselect={false} error={err('changes.type')} />
      </Group>
      <Group grow align="flex-start">
        <Select label="Group" searchable data={[keep, { value: '-', label: 'clear' }, ...dir.groups.map((g) => ({ value: g.id, label: g.name }))]} value={shown(changes.groupId)} onChange={(v) => set('groupId', nullable(v))} allowDeselect={false} error={err('changes.groupId')} />
        <Select
          label="Assignee"
          searchable
          data={[keep, { value: '-', label: 'unassign' }, { value: 'current_user', label: 'Whoever applies it' }, ...dir.staff.filter((u) => u.role === 'agent' || u.role === 'admin').map((u) => ({ value: u.id, label: u.name }))]}
          value={shown(changes.assigneeId)}
          onChange={(v) => set('assigneeId', nullable(v))}
          allowDeselect={false}
          error={err('changes.assigneeId')}
        />
      </Group>
      <Group grow align="flex-start">
        <TagsInput label="Add tags" value={changes.addTags ?? []} onChange={(v) => set('addTags', v.length ? v : undefined)} error={err('changes.addTags')} />
        <TagsInput label="Remove tags" value={changes.removeTags ?? []} onChange={(v) => set('removeTags', v.length ? v : undefined)} error={err('changes.removeTags')} />
      </Group>
      {fields.length > 0 && (
        <Group grow align="flex-start">
          {fields.map((f) => {
            const current = changes.customFields?.[f.key];
            const error = err(`changes.customFields.${f.key}`);
            if (f.kind === 'dropdown' || f.kind === 'checkbox') {
              const options = f.kind === 'checkbox' ? [{ value: 'true', label: 'checked' }, { value: 'false', label: 'unchecked' }] : f.options.map((o) => ({ value: o, label: o }));
              return (
                <Select
                  key={f.key}
                  label={f.label}
                  data={[keep, { value: '-', label: 'clear' }, ...options]}
                  value={current === undefined ? KEEP : current === null ? '-' : String(current)}
                  onChange={(v) => setField(f.key, v === KEEP || v === null ? undefined : v === '-' ? null : f.kind === 'checkbox' ? v === 'true' : v)}
                  allowDeselect={false}
                  error={error}
                />
              );
            }
            return (
              <TextInput
                key={f.key}
                label={f.label}
                placeholder="no change"
                value={current === undefined || current === null ? '' : String(current)}
                onChange={(e) => {
                  const v = e.currentTarget.value;
                  setField(f.key, v === '' ? undefined : f.kind === 'number' && !Number.isNaN(Number(v)) ? Number(v) : v);
                }}
                error={error}
              />
            );
          })}
        </Group>
      )}
    </Stack>
  );
}

/** The macro as it would come out on a real ticket: the text rendered, and each change from what the ticket has now. */
function MacroPreview({ body, changes }: { body: string; changes: MacroChanges }) {
  const dir = useDirectory();
  const [ticket, setTicket] = useState('');
  const [result, setResult] = useState<Preview | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const run = async () => {
    setProblem(null);
    try {
      setResult(await api.post('/api/v1/macros/preview', { body: { ticket, body, changes } }));
    } catch (err) {
      setResult(null);
      setProblem(err instanceof ApiError ? (err.status === 404 ? `No ticket ${ticket} that you can see` : (err.fields[0]?.message ?? err.message)) : String(err));
    }
  };
  const now = result?.ticket;
  const from = (id: string): string => {
    if (!now) return '';
    if (id === 'status') return dir.stateLabel(now.status);
    if (id === 'priority') return now.priority ?? '';
    if (id === 'type') return now.type ?? 'none';
    if (id === 'group') return dir.groupName(now.groupId) || 'none';
    if (id === 'assignee') return dir.userName(now.assigneeId) || 'nobody';
    if (id.startsWith('field:')) return String(now.customFields[id.slice(6)] ?? 'empty');
    if (id.startsWith('add:') || id.startsWith('remove:')) return now.tags.includes(id.split(':')[1] as string) ? 'has it' : 'has not';
    return '';
  };
  return (
    <Stack gap="xs">
      <Group align="flex-end">
        <TextInput
          label="Preview on ticket"
          placeholder="number, e.g. 1042"
          w={200}
          value={ticket}
          onChange={(e) => setTicket(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              void run();
            }
          }}
          error={problem}
        />
        <Button variant="default" onClick={() => void run()} disabled={!ticket.trim()}>Preview</Button>
      </Group>
      {result && now && (
        <Stack gap={4} data-testid="macro-preview">
          <Text size="sm" fw={600}>On #{now.number} {now.subject}</Text>
          {result.body && <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} className="message-body">{result.body}</Text>}
          {describeChanges(result.changes, dir).map((l) => (
            <Text key={l.id} size="xs">{l.text} <Text span c="dimmed" size="xs">(now: {from(l.id)})</Text></Text>
          ))}
        </Stack>
      )}
    </Stack>
  );
}
