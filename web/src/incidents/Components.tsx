import { Button, Checkbox, FileInput, Group, MultiSelect, NumberInput, Select, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, putFile } from '../api/client';
import { FormError, useSave } from '../admin/forms';
import { useDirectory } from '../app/directory';
import { COMPONENT_STATUSES, type Component, incidentsApi } from './model';

const LEAVE = '';

/** Where linked tickets wait while an incident is open, and where its origin ticket goes when it resolves. */
function LinkedTicketStates() {
  const settings = useQuery({ queryKey: ['incident-settings'], queryFn: incidentsApi.settings });
  const { states } = useDirectory();
  const { error, save } = useSave([['incident-settings']]);
  const current = settings.data?.settings;
  if (!current) return null;
  // Only states that keep a ticket open: the server refuses the others.
  const data = [{ value: LEAVE, label: 'Leave them as they are' }, ...states.filter((s) => ['open', 'pending', 'on_hold'].includes(s.category)).map((s) => ({ value: s.key, label: s.label }))];
  const put = (patch: { linkedTicketState?: string | null; originTicketStateOnResolve?: string | null; confirmFixOnResolve?: boolean; autoDeclarePriorities?: string[] }) => void save(() => api.put('/api/v1/incident-settings', { body: { ...current, ...patch } }));
  return (
    <>
      <Title order={4} mt="md">
        Linked tickets
      </Title>
      <FormError error={error} />
      <Select
        label="While an incident is open, linked tickets wait in"
        description="When it resolves they go back to the state they had, unless someone moved them meanwhile"
        data={data}
        value={current.linkedTicketState ?? LEAVE}
        onChange={(v) => put({ linkedTicketState: v || null })}
        allowDeselect={false}
        maw={520}
      />
      <Select
        label="When an incident resolves, its origin ticket moves to"
        description="The ticket it was declared from, e.g. Pending Retro until the retrospective is done"
        data={data.map((d) => (d.value === LEAVE ? { ...d, label: 'Leave it as it is' } : d))}
        value={current.originTicketStateOnResolve ?? LEAVE}
        onChange={(v) => put({ originTicketStateOnResolve: v || null })}
        allowDeselect={false}
        maw={520}
      />
      <MultiSelect
        label="Declare an incident automatically when a ticket becomes"
        description="Set by an agent, a trigger or a channel (not a requester's own choice); once per ticket, from the ticket, led by its assignee or an admin"
        data={(settings.data?.severities ?? []).map((s) => ({ value: s.key, label: `${s.key} — ${s.name}` }))}
        value={current.autoDeclarePriorities ?? []}
        onChange={(v) => put({ autoDeclarePriorities: v })}
        placeholder="Never"
        maw={520}
      />
      <Checkbox
        mt="xs"
        label="With the resolution notice, ask each requester to confirm the fix"
        description="The notice ends with the question and the ticket waits as Pending (their reply reopens it) instead of being solved"
        checked={current.confirmFixOnResolve === true}
        onChange={(e) => put({ confirmFixOnResolve: e.currentTarget.checked })}
      />
    </>
  );
}

/** Which webhooks receive incident.* and maintenance.* events (each public update, each maintenance move). */
function StatusWebhooks() {
  const settings = useQuery({ queryKey: ['incident-settings'], queryFn: incidentsApi.settings });
  const hooks = useQuery({ queryKey: ['webhooks'], queryFn: () => api.get('/api/v1/webhooks').then((r) => r.items) });
  const { error, save } = useSave([['incident-settings']]);
  const current = settings.data?.settings;
  if (!current) return null;
  return (
    <>
      <FormError error={error} />
      <MultiSelect
        label="Status events go to these webhooks"
        description="incident.created / updated / resolved for each public update, maintenance.* for each maintenance move"
        data={(hooks.data ?? []).map((h) => ({ value: h.id, label: h.name }))}
        value={current.webhookIds ?? []}
        onChange={(ids) => void save(() => api.put('/api/v1/incident-settings', { body: { ...current, webhookIds: ids } }))}
        maw={520}
      />
    </>
  );
}

/** The organisation's logo on the public status page: a PNG, JPEG, GIF or WebP of up to 256 KB. */
function StatusLogo() {
  const { error, save } = useSave([['status-logo']]);
  const [version, setVersion] = useState(0);
  const shown = useQuery({ queryKey: ['status-logo', version], queryFn: async () => (await fetch('/status/logo', { cache: 'no-store' })).ok });
  return (
    <Stack gap={4} maw={520} mt="md">
      <FormError error={error} />
      <FileInput
        label="Logo on the status page"
        description="PNG, JPEG, GIF or WebP, up to 256 KB; shown beside the name"
        accept="image/png,image/jpeg,image/gif,image/webp"
        placeholder="Choose an image"
        clearable={false}
        onChange={(file) => file && void save(() => putFile('/api/v1/status-page/logo', file), () => setVersion((v) => v + 1))}
      />
      {shown.data && (
        <Group>
          <img src={`/status/logo?preview=${version}`} alt="The status page logo" height={40} />
          <Button size="xs" variant="default" onClick={() => void save(() => api.delete('/api/v1/status-page/logo', {}), () => setVersion((v) => v + 1))}>
            Remove logo
          </Button>
        </Group>
      )}
    </Stack>
  );
}

const TEMPLATE_STATES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;

/** The status update composer's starting text per state; saved together. */
function UpdateTemplates() {
  const settings = useQuery({ queryKey: ['incident-settings'], queryFn: incidentsApi.settings });
  const { error, save } = useSave([['incident-settings']]);
  const [edited, setEdited] = useState<Partial<Record<(typeof TEMPLATE_STATES)[number], string>>>({});
  const current = settings.data;
  if (!current) return null;
  return (
    <form
      aria-label="Status update templates"
      onSubmit={(e) => {
        e.preventDefault();
        void save(
          () => api.put('/api/v1/incident-settings', { body: { ...current.settings, updateTemplates: { ...current.templates, ...edited } } }),
          () => setEdited({}),
        );
      }}
    >
      <Stack gap={4} maw={640}>
        <Title order={5}>Status update templates</Title>
        <Text size="xs" c="dimmed">
          The status update form starts with the text for the state chosen; edit it there before posting.
        </Text>
        <FormError error={error} fieldsInPlace />
        {TEMPLATE_STATES.map((s) => (
          <Textarea
            key={s}
            label={`Template: ${s}`}
            size="xs"
            autosize
            value={edited[s] ?? current.templates[s]}
            onChange={(e) => {
              const v = e.currentTarget.value;
              setEdited((all) => ({ ...all, [s]: v }));
            }}
            error={error?.fieldError(`updateTemplates.${s}`)}
          />
        ))}
        <Group>
          <Button type="submit" size="xs" disabled={!Object.keys(edited).length}>
            Save templates
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

const statusLabel = (s: string) => s.replace(/_/g, ' ');

/** Admin → Status page components: what /status lists, in groups, with a status set by hand (maintenance). */
export function StatusComponents() {
  const list = useQuery({ queryKey: ['status-components'], queryFn: incidentsApi.components });
  const { error, save } = useSave([['status-components']]);
  const [name, setName] = useState('');
  const [group, setGroup] = useState('');
  const [position, setPosition] = useState<number | string>(0);
  return (
    <>
      <Title order={3}>Status page components</Title>
      <Text size="sm" c="dimmed">
        The services your customers see on <a href="/status">/status</a>. An open incident that affects one shows its impact there.
      </Text>
      <FormError error={error} />
      <form
        aria-label="Add a component"
        onSubmit={(e) => {
          e.preventDefault();
          void save(
            () => api.post('/api/v1/status-components', { body: { name, groupName: group.trim() || null, description: '', position: Number(position) || 0, status: 'operational' } }),
            () => setName(''),
          );
        }}
      >
        <Group align="flex-end">
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required />
          <TextInput label="Group" value={group} onChange={(e) => setGroup(e.currentTarget.value)} />
          <NumberInput label="Position" value={position} onChange={setPosition} w={100} />
          <Button type="submit">Add component</Button>
        </Group>
      </form>
      <StatusWebhooks />
      <StatusLogo />
      <UpdateTemplates />
      <LinkedTicketStates />
      <Table.ScrollContainer minWidth={0} type="native">
        <Table striped aria-label="Components">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Group</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(list.data ?? []).map((c: Component) => (
              <Table.Tr key={c.id}>
                <Table.Td>{c.name}</Table.Td>
                <Table.Td>{c.groupName ?? '—'}</Table.Td>
                <Table.Td>
                  <Select
                    aria-label={`Status of ${c.name}`}
                    size="xs"
                    data={COMPONENT_STATUSES.map((s) => ({ value: s, label: statusLabel(s) }))}
                    value={c.status}
                    allowDeselect={false}
                    onChange={(v) => v && void save(() => api.patch('/api/v1/status-components/{id}', { path: { id: c.id }, body: { status: v as 'operational' } }))}
                  />
                </Table.Td>
                <Table.Td>
                  <Button size="xs" variant="subtle" color="red" onClick={() => void save(() => api.delete('/api/v1/status-components/{id}', { path: { id: c.id } }))}>
                    Remove
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  );
}
