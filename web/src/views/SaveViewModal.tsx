import { Alert, Button, Group, Modal, MultiSelect, Select, Stack, TagsInput, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useLocation } from 'wouter';
import { type ApiError, api } from '../api/client';
import { useDirectory } from '../app/directory';
import { useSession } from '../app/session';
import { type CustomFilter, type Filter, filterToCondition } from './filter';
import type { Column } from './TicketTable';

const COLUMNS: Column[] = ['number', 'subject', 'requester', 'organization', 'status', 'priority', 'sla', 'type', 'group', 'assignee', 'channel', 'tags', 'created', 'updated'];
const CHANNELS = ['email', 'web', 'api', 'phone', 'slack', 'github', 'widget', 'portal', 'other'];

export function SaveViewModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const dir = useDirectory();
  const { me } = useSession();
  const qc = useQueryClient();
  const [, navigate] = useLocation();
  const [name, setName] = useState('');
  const [groupId, setGroupId] = useState<string | null>(null);
  const [columns, setColumns] = useState<Column[]>(['number', 'subject', 'requester', 'status', 'priority', 'sla', 'assignee', 'updated']);
  const [f, setF] = useState<Filter>({ states: [], priorities: [], types: [], groups: [], assignee: null, organizations: [], tags: [], channels: [], createdAfter: '', updatedBefore: '' });
  const [error, setError] = useState<ApiError | null>(null);
  const set = <K extends keyof Filter>(k: K) => (v: Filter[K]) => setF((x) => ({ ...x, [k]: v }));
  const save = async () => {
    setError(null);
    try {
      const view = await api.post('/api/v1/views', { body: { name, condition: filterToCondition(f), groupId, columns } });
      await qc.invalidateQueries({ queryKey: ['views'] });
      await qc.invalidateQueries({ queryKey: ['view-counts'] });
      onClose();
      navigate(`/views/${view.id}`);
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <Modal opened={opened} onClose={onClose} title="Save a view" size="lg">
      <Stack>
        {error && !error.fieldError('name') && <Alert color="red" role="alert">{error.message}</Alert>}
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={error?.fieldError('name')} data-autofocus />
        <Group grow>
          <MultiSelect searchable label="State" data={dir.states.map((s) => ({ value: s.key, label: s.label }))} value={f.states} onChange={set('states')} />
          <MultiSelect searchable label="Priority" data={dir.priorities.map((p) => ({ value: p.key, label: `${p.key} ${p.name}` }))} value={f.priorities} onChange={set('priorities')} />
        </Group>
        <Group grow>
          <MultiSelect searchable label="Type" data={dir.types.map((t) => ({ value: t.key, label: t.label }))} value={f.types} onChange={set('types')} />
          <MultiSelect searchable label="Group" data={dir.groups.map((g) => ({ value: g.id, label: g.name }))} value={f.groups} onChange={set('groups')} />
        </Group>
        <Group grow>
          <Select
            label="Assignee"
            clearable
            data={[{ value: '$me', label: 'Me (whoever views it)' }, { value: 'none', label: 'Nobody' }, ...dir.staff.map((u) => ({ value: u.id, label: u.name }))]}
            value={f.assignee}
            onChange={set('assignee')}
          />
          <MultiSelect searchable label="Organisation" data={dir.organizations.map((o) => ({ value: o.id, label: o.name }))} value={f.organizations} onChange={set('organizations')} />
        </Group>
        <Group grow>
          <TagsInput label="Tags (any of)" value={f.tags} onChange={set('tags')} />
          <MultiSelect searchable label="Channel" data={CHANNELS} value={f.channels} onChange={set('channels')} />
        </Group>
        {dir.customFields.filter((c) => c.active && ['dropdown', 'checkbox', 'text', 'long_text'].includes(c.kind)).length > 0 && (
          <Group grow>
            {dir.customFields
              .filter((c) => c.active)
              .map((c) => {
                const current = f.custom?.find((x) => x.key === c.key);
                const setCustom = (next: CustomFilter) => setF((x) => ({ ...x, custom: [...(x.custom ?? []).filter((y) => y.key !== c.key), next] }));
                if (c.kind === 'dropdown')
                  return <MultiSelect key={c.key} searchable label={c.label} data={c.options} value={current?.kind === 'dropdown' ? current.values : []} onChange={(values) => setCustom({ key: c.key, kind: 'dropdown', values })} />;
                if (c.kind === 'checkbox')
                  return (
                    <Select
                      key={c.key}
                      label={c.label}
                      clearable
                      data={[{ value: 'true', label: 'Yes' }, { value: 'false', label: 'No' }]}
                      value={current?.kind === 'checkbox' && current.value !== null ? String(current.value) : null}
                      onChange={(v) => setCustom({ key: c.key, kind: 'checkbox', value: v === null ? null : v === 'true' })}
                    />
                  );
                if (c.kind === 'text' || c.kind === 'long_text')
                  return <TextInput key={c.key} label={`${c.label} contains`} value={current?.kind === 'text' ? current.text : ''} onChange={(e) => setCustom({ key: c.key, kind: 'text', text: e.currentTarget.value })} />;
                return null;
              })}
          </Group>
        )}
        <Group grow>
          <TextInput label="Created after" type="date" value={f.createdAfter} onChange={(e) => set('createdAfter')(e.currentTarget.value)} />
          <TextInput label="Updated before" type="date" value={f.updatedBefore} onChange={(e) => set('updatedBefore')(e.currentTarget.value)} />
        </Group>
        <MultiSelect label="Columns" data={COLUMNS} value={columns} onChange={(v) => setColumns(v as Column[])} error={error?.fields.find((e) => e.path.includes('columns'))?.message} />
        <Select
          label="Share with"
          description="Members of the group see it in their views; otherwise only you do."
          clearable
          data={dir.groups.filter((g) => me.role === 'admin' || me.groupIds.includes(g.id)).map((g) => ({ value: g.id, label: g.name }))}
          value={groupId}
          onChange={setGroupId}
          error={error?.fieldError('groupId')}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button onClick={() => void save()}>Save view</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
