import { Alert, Button, Group, Modal, MultiSelect, Select, Stack, TagsInput, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useLocation } from 'wouter';
import { type ApiError, api } from '../api/client';
import type { Condition } from '../api/types';
import { useDirectory } from '../app/directory';
import { useSession } from '../app/session';

const CHANNELS = ['email', 'web', 'api', 'phone', 'slack', 'github', 'widget', 'portal', 'other'];

type Filter = {
  states: string[];
  priorities: string[];
  types: string[];
  groups: string[];
  assignee: string | null;
  organizations: string[];
  tags: string[];
  channels: string[];
  createdAfter: string;
  updatedBefore: string;
};

/** The filter form as a condition tree (the one condition language the server checks and compiles). */
export function filterToCondition(f: Filter): Condition {
  const all: Condition[] = [];
  if (f.states.length) all.push({ field: 'status', op: 'in', value: f.states });
  if (f.priorities.length) all.push({ field: 'priority', op: 'in', value: f.priorities });
  if (f.types.length) all.push({ field: 'type', op: 'in', value: f.types });
  if (f.groups.length) all.push({ field: 'group', op: 'in', value: f.groups });
  if (f.assignee === 'none') all.push({ field: 'assignee', op: 'is_not_set' });
  else if (f.assignee) all.push({ field: 'assignee', op: 'is', value: f.assignee });
  if (f.organizations.length) all.push({ field: 'organization', op: 'in', value: f.organizations });
  if (f.tags.length) all.push({ field: 'tags', op: 'includes_any', value: f.tags });
  if (f.channels.length) all.push({ field: 'channel', op: 'in', value: f.channels });
  if (f.createdAfter) all.push({ field: 'created_at', op: 'after', value: new Date(f.createdAfter).toISOString() });
  if (f.updatedBefore) all.push({ field: 'updated_at', op: 'before', value: new Date(f.updatedBefore).toISOString() });
  return { all };
}

export function SaveViewModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const dir = useDirectory();
  const { me } = useSession();
  const qc = useQueryClient();
  const [, navigate] = useLocation();
  const [name, setName] = useState('');
  const [groupId, setGroupId] = useState<string | null>(null);
  const [f, setF] = useState<Filter>({ states: [], priorities: [], types: [], groups: [], assignee: null, organizations: [], tags: [], channels: [], createdAfter: '', updatedBefore: '' });
  const [error, setError] = useState<ApiError | null>(null);
  const set = <K extends keyof Filter>(k: K) => (v: Filter[K]) => setF((x) => ({ ...x, [k]: v }));
  const save = async () => {
    setError(null);
    try {
      const view = await api.post('/api/v1/views', { body: { name, condition: filterToCondition(f), groupId } });
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
        <Group grow>
          <TextInput label="Created after" type="date" value={f.createdAfter} onChange={(e) => set('createdAfter')(e.currentTarget.value)} />
          <TextInput label="Updated before" type="date" value={f.updatedBefore} onChange={(e) => set('updatedBefore')(e.currentTarget.value)} />
        </Group>
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
