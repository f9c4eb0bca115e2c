import { Alert, Button, Code, Group, Modal, MultiSelect, NativeSelect, NavLink, Select, Stack, Switch, Table, TagsInput, Text, Textarea, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api } from '../api/client';
import type { Organization } from '../api/types';
import { useDirectory } from '../app/directory';
import { useSession } from '../app/session';
import { NotFound } from '../app/NotFound';
import { Connections } from './Channels';
import { FormError, useSave } from './forms';
import { DeadJobs } from './Jobs';
import { StatusComponents } from '../incidents/Components';
import { Monitors } from '../monitors/Monitors';
import { Calendars, Rota, Rules, SlaPolicies, Webhooks } from './SupportProcess';
import { MacrosAdmin } from './MacrosAdmin';
import { Email } from './Email';
import { Outbox } from './Outbox';
import { Priorities } from './Priorities';
import { SavedViews } from './SavedViews';
import { Users } from './Users';
import { WidgetSites } from './Widget';

import { PortalSettings } from '../csat/PortalSettings';
import { TicketSettings } from '../tickets/TicketSettings';
const SECTIONS: [string, string][] = [
  ['users', 'Users and roles'],
  ['groups', 'Groups and tiers'],
  ['organizations', 'Organisations'],
  ['ticket-settings', 'Ticket settings'],
  ['states', 'States'],
  ['priorities', 'Priorities'],
  ['types', 'Types'],
  ['custom-fields', 'Custom fields'],
  ['calendars', 'Business hours'],
  ['sla', 'SLA policies'],
  ['triggers', 'Triggers'],
  ['automations', 'Automations'],
  ['macros', 'Macros'],
  ['views', 'Saved views'],
  ['rota', 'Triage rota'],
  ['webhooks', 'Webhooks'],
  ['email', 'Email addresses and mailboxes'],
  ['connections', 'Channel connections'],
  ['outbox', 'Outbox'],
  ['jobs', 'Dead jobs'],
  ['status-components', 'Status page components'],
  ['monitors', 'Monitors'],
  ['portal', 'Customer portal'],
  ['widget', '"Report an issue" widget'],
  ['tokens', 'API tokens'],
];

export function AdminPage({ section }: { section: string }) {
  const { me } = useSession();
  const [, navigate] = useLocation();
  if (me.role !== 'admin') return <NotFound />;
  const body: Record<string, ReactNode> = {
    users: <Users />,
    groups: <Groups />,
    organizations: <Organizations />,
    'ticket-settings': <TicketSettings />,
    states: <States />,
    priorities: <Priorities />,
    types: <Types />,
    'custom-fields': <CustomFields />,
    calendars: <Calendars />,
    sla: <SlaPolicies />,
    triggers: <Rules key="triggers" kind="triggers" />,
    automations: <Rules key="automations" kind="automations" />,
    macros: <MacrosAdmin />,
    views: <SavedViews />,
    rota: <Rota />,
    webhooks: <Webhooks />,
    email: <Email />,
    connections: <Connections />,
    outbox: <Outbox />,
    jobs: <DeadJobs />,
    'status-components': <StatusComponents />,
    monitors: <Monitors />,
    portal: <PortalSettings />,
    widget: <WidgetSites />,
    tokens: <Tokens />,
  };
  return (
    <Group align="flex-start" wrap="nowrap" gap="lg">
      <Stack component="nav" aria-label="Admin sections" gap={0} w={220} style={{ flexShrink: 0 }} visibleFrom="sm">
        {SECTIONS.map(([key, label]) => (
          <NavLink key={key} component={Link} href={`/admin/${key}`} label={label} active={key === section} aria-current={key === section ? 'page' : undefined} />
        ))}
      </Stack>
      <Stack style={{ flex: 1, minWidth: 0 }}>
        {/* On a phone the sections are a picker above the page rather than a rail beside it. */}
        <NativeSelect hiddenFrom="sm" label="Admin section" data={SECTIONS.map(([value, label]) => ({ value, label }))} value={section} onChange={(e) => navigate(`/admin/${e.currentTarget.value}`)} />
        {body[section] ?? <NotFound />}
      </Stack>
    </Group>
  );
}

function Groups() {
  const dir = useDirectory();
  const { error, save: run } = useSave([['groups']]);
  const [form, setForm] = useState({ name: '', description: '', escalatesToId: null as string | null });
  return (
    <>
      <Title order={3}>Groups and tiers</Title>
      <Text size="sm" c="dimmed">Each group may escalate to the next tier (L1 → L2 → L3 → management).</Text>
      <form onSubmit={(e) => { e.preventDefault(); void run(() => api.post('/api/v1/groups', { body: form }), () => setForm({ name: '', description: '', escalatesToId: null })); }}>
        <Group align="flex-end">
          <TextInput label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={error?.fieldError('name')} />
          <TextInput label="Description" value={form.description} onChange={(e) => setForm({ ...form, description: e.currentTarget.value })} />
          <Select label="Escalates to" clearable data={dir.groups.map((g) => ({ value: g.id, label: g.name }))} value={form.escalatesToId} onChange={(v) => setForm({ ...form, escalatesToId: v })} />
          <Button type="submit">Add group</Button>
        </Group>
      </form>
      <FormError error={error} fieldsInPlace />
      <Table.ScrollContainer minWidth={0} type="native">
        <Table>
          <Table.Thead><Table.Tr><Table.Th>Group</Table.Th><Table.Th>Escalates to</Table.Th><Table.Th>Members</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {dir.groups.map((g) => (
              <Table.Tr key={g.id}>
                <Table.Td>{g.name}</Table.Td>
                <Table.Td>
                  <Select size="xs" aria-label={`${g.name} escalates to`} clearable data={dir.groups.filter((x) => x.id !== g.id).map((x) => ({ value: x.id, label: x.name }))} value={g.escalatesToId} onChange={(v) => void run(() => api.patch('/api/v1/groups/{id}', { path: { id: g.id }, body: { escalatesToId: v } }))} />
                </Table.Td>
                <Table.Td>
                  <MultiSelect size="xs" aria-label={`Members of ${g.name}`} searchable data={dir.staff.map((u) => ({ value: u.id, label: u.name }))} value={g.memberIds} onChange={(ids) => void run(() => api.patch('/api/v1/groups/{id}', { path: { id: g.id }, body: { memberIds: ids } }))} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  );
}

function Organizations() {
  const dir = useDirectory();
  const { error, save: run } = useSave([['organizations']]);
  const [form, setForm] = useState({ name: '', domains: [] as string[] });
  const [editing, setEditing] = useState<Organization | null>(null);
  return (
    <>
      <Title order={3}>Organisations</Title>
      <form onSubmit={(e) => { e.preventDefault(); void run(() => api.post('/api/v1/organizations', { body: form }), () => setForm({ name: '', domains: [] })); }}>
        <Group align="flex-end">
          <TextInput label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={error?.fieldError('name')} />
          <TagsInput label="Email domains" value={form.domains} onChange={(v) => setForm({ ...form, domains: v })} error={error?.fields.find((f) => f.path.includes('domains'))?.message} />
          <Button type="submit">Add organisation</Button>
        </Group>
      </form>
      <FormError error={error} fieldsInPlace />
      <Table.ScrollContainer minWidth={0} type="native">
        <Table>
          <Table.Thead><Table.Tr><Table.Th>Name</Table.Th><Table.Th>Domains</Table.Th><Table.Th>Shares tickets</Table.Th><Table.Th>Profile</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {dir.organizations.map((o) => (
              <Table.Tr key={o.id}>
                <Table.Td>{o.name}</Table.Td>
                <Table.Td>{o.domains.join(', ')}</Table.Td>
                <Table.Td>{o.sharedTickets ? 'yes' : 'no'}</Table.Td>
                <Table.Td><Text size="xs">{Object.entries(o.customFields).map(([k, v]) => `${k}: ${String(v)}`).join(' · ')}</Text></Table.Td>
                <Table.Td><Button size="compact-xs" variant="subtle" onClick={() => setEditing(o)}>Edit</Button></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {editing && <OrganizationEditor key={editing.id} org={editing} onClose={() => setEditing(null)} />}
    </>
  );
}

/** An organisation's card: domains, notes, sharing, and the profile fields an admin defined (plan, environment, …). */
function OrganizationEditor({ org, onClose }: { org: Organization; onClose: () => void }) {
  const fields = useQuery({ queryKey: ['custom-fields', 'organization'], queryFn: () => api.get('/api/v1/custom-fields', { query: { entity: 'organization' } }).then((r) => r.items) });
  const { error, save } = useSave([['organizations']]);
  const [form, setForm] = useState({ name: org.name, domains: org.domains, notes: org.notes, sharedTickets: org.sharedTickets, customFields: org.customFields });
  return (
    <Modal opened onClose={onClose} title={`Edit ${org.name}`} size="lg">
      <Stack>
        <TextInput label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={error?.fieldError('name')} />
        <TagsInput label="Email domains" value={form.domains} onChange={(v) => setForm({ ...form, domains: v })} error={error?.fields.find((f) => f.path.includes('domains'))?.message} />
        <Textarea label="Notes" autosize value={form.notes} onChange={(e) => setForm({ ...form, notes: e.currentTarget.value })} />
        <Switch label="Customers of this organisation see each other's tickets" checked={form.sharedTickets} onChange={(e) => setForm({ ...form, sharedTickets: e.currentTarget.checked })} />
        {(fields.data ?? []).filter((f) => f.active).map((f) => (
          <TextInput
            key={f.key}
            label={f.label}
            description={f.kind === 'dropdown' ? `one of ${f.options.join(', ')}` : undefined}
            value={String(form.customFields[f.key] ?? '')}
            onChange={(e) => setForm({ ...form, customFields: { ...form.customFields, [f.key]: f.kind === 'number' ? Number(e.currentTarget.value) : e.currentTarget.value || null } })}
            error={error?.fields.find((x) => x.path.endsWith(f.key))?.message}
          />
        ))}
        <FormError error={error} fieldsInPlace />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button onClick={() => void save(() => api.patch('/api/v1/organizations/{id}', { path: { id: org.id }, body: form }), onClose)}>Save</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function States() {
  const dir = useDirectory();
  const { error, save: run } = useSave([['states']]);
  const [form, setForm] = useState({ key: '', label: '', category: 'open' as 'new' | 'open' | 'pending' | 'on_hold' | 'solved' | 'closed' });
  return (
    <>
      <Title order={3}>States</Title>
      <Text size="sm" c="dimmed">Labels are yours; each state belongs to one fixed category, which decides what it means (e.g. "Pending Retro" is an on-hold state).</Text>
      <form onSubmit={(e) => { e.preventDefault(); void run(() => api.post('/api/v1/states', { body: form }), () => setForm({ ...form, key: '', label: '' })); }}>
        <Group align="flex-end">
          <TextInput label="Key" value={form.key} onChange={(e) => setForm({ ...form, key: e.currentTarget.value })} error={error?.fieldError('key')} />
          <TextInput label="Label" value={form.label} onChange={(e) => setForm({ ...form, label: e.currentTarget.value })} error={error?.fieldError('label')} />
          <Select label="Category" data={['new', 'open', 'pending', 'on_hold', 'solved', 'closed']} value={form.category} onChange={(v) => v && setForm({ ...form, category: v as typeof form.category })} allowDeselect={false} />
          <Button type="submit">Add state</Button>
        </Group>
      </form>
      <FormError error={error} fieldsInPlace />
      <Table.ScrollContainer minWidth={0} type="native">
        <Table>
          <Table.Thead><Table.Tr><Table.Th>Key</Table.Th><Table.Th>Label</Table.Th><Table.Th>Category</Table.Th><Table.Th>Pauses SLA</Table.Th><Table.Th>A requester's reply makes it</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {dir.states.map((s) => (
              <Table.Tr key={s.key}><Table.Td><Code>{s.key}</Code></Table.Td><Table.Td>{s.label}</Table.Td><Table.Td>{s.category}</Table.Td><Table.Td>{s.pausesSla ? 'yes' : 'no'}</Table.Td><Table.Td>{s.onRequesterReply}</Table.Td></Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  );
}

function Types() {
  const dir = useDirectory();
  const { error, save: run } = useSave([['types']]);
  const [form, setForm] = useState({ key: '', label: '' });
  return (
    <>
      <Title order={3}>Types</Title>
      <form onSubmit={(e) => { e.preventDefault(); void run(() => api.post('/api/v1/types', { body: form }), () => setForm({ key: '', label: '' })); }}>
        <Group align="flex-end">
          <TextInput label="Key" value={form.key} onChange={(e) => setForm({ ...form, key: e.currentTarget.value })} error={error?.fieldError('key')} />
          <TextInput label="Label" value={form.label} onChange={(e) => setForm({ ...form, label: e.currentTarget.value })} error={error?.fieldError('label')} />
          <Button type="submit">Add type</Button>
        </Group>
      </form>
      <FormError error={error} fieldsInPlace />
      <Table.ScrollContainer minWidth={0} type="native">
        <Table>
          <Table.Tbody>
            {dir.types.map((t) => (
              <Table.Tr key={t.key}><Table.Td><Code>{t.key}</Code></Table.Td><Table.Td>{t.label}</Table.Td><Table.Td>{t.active ? 'active' : 'retired'}</Table.Td></Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  );
}

function CustomFields() {
  const { error, save: run } = useSave([['custom-fields']]);
  const [form, setForm] = useState({ entity: 'ticket' as 'ticket' | 'organization', key: '', label: '', kind: 'text' as 'text' | 'long_text' | 'number' | 'date' | 'dropdown' | 'multi_select' | 'checkbox', options: [] as string[] });
  const all = useQuery({ queryKey: ['custom-fields', 'all'], queryFn: () => api.get('/api/v1/custom-fields').then((r) => r.items) });
  return (
    <>
      <Title order={3}>Custom fields</Title>
      <form onSubmit={(e) => { e.preventDefault(); void run(() => api.post('/api/v1/custom-fields', { body: form }), () => setForm({ ...form, key: '', label: '', options: [] })); }}>
        <Group align="flex-end">
          <Select label="On" w={140} data={[{ value: 'ticket', label: 'Tickets' }, { value: 'organization', label: 'Organisations' }]} value={form.entity} onChange={(v) => v && setForm({ ...form, entity: v as typeof form.entity })} allowDeselect={false} />
          <TextInput label="Key" value={form.key} onChange={(e) => setForm({ ...form, key: e.currentTarget.value })} error={error?.fieldError('key')} />
          <TextInput label="Label" value={form.label} onChange={(e) => setForm({ ...form, label: e.currentTarget.value })} error={error?.fieldError('label')} />
          <Select label="Kind" data={['text', 'long_text', 'number', 'date', 'dropdown', 'multi_select', 'checkbox']} value={form.kind} onChange={(v) => v && setForm({ ...form, kind: v as typeof form.kind })} allowDeselect={false} />
          <TagsInput label="Options" value={form.options} onChange={(v) => setForm({ ...form, options: v })} error={error?.fieldError('options')} />
          <Button type="submit">Add field</Button>
        </Group>
      </form>
      <FormError error={error} fieldsInPlace />
      <Table.ScrollContainer minWidth={0} type="native">
        <Table>
          <Table.Tbody>
            {(all.data ?? []).map((f) => (
              <Table.Tr key={f.id}><Table.Td>{f.entity === 'ticket' ? 'ticket' : 'organisation'}</Table.Td><Table.Td><Code>{f.key}</Code></Table.Td><Table.Td>{f.label}</Table.Td><Table.Td>{f.kind}</Table.Td><Table.Td>{f.options.join(', ')}</Table.Td><Table.Td>{f.requiredOnSolve ? 'required on solve' : ''}</Table.Td></Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  );
}

/** A list whose rows the API does not describe in detail yet: shown field by field. */
function Records({ rows, columns }: { rows: Record<string, unknown>[]; columns: string[] }) {
  return (
    <Table.ScrollContainer minWidth={0} type="native">
      <Table>
        <Table.Thead><Table.Tr>{columns.map((c) => <Table.Th key={c}>{c}</Table.Th>)}</Table.Tr></Table.Thead>
        <Table.Tbody>
          {rows.map((r, i) => (
            <Table.Tr key={String(r.id ?? i)}>
              {columns.map((c) => <Table.Td key={c}><Text size="sm" className="truncate" maw={320}>{typeof r[c] === 'object' && r[c] !== null ? JSON.stringify(r[c]) : String(r[c] ?? '')}</Text></Table.Td>)}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

const itemsOf = (r: unknown) => ((r as { items?: Record<string, unknown>[] })?.items ?? []) as Record<string, unknown>[];

function Tokens() {
  const { error, save: run } = useSave([['tokens']]);
  const tokens = useQuery({ queryKey: ['tokens'], queryFn: () => api.get('/api/v1/tokens').then(itemsOf) });
  const [form, setForm] = useState({ name: '', scopes: ['tickets:read'] as ('tickets:read' | 'tickets:write' | 'users:read' | 'users:write' | 'inbound:email' | 'admin')[] });
  const [shown, setShown] = useState<string | null>(null);
  return (
    <>
      <Title order={3}>API tokens</Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const created = (await api.post('/api/v1/tokens', { body: form })) as { token?: string };
            setShown(created.token ?? null);
            notifications.show({ message: 'Token created; copy it now, it is shown once' });
          });
        }}
      >
        <Group align="flex-end">
          <TextInput label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={error?.fieldError('name')} />
          <MultiSelect label="Scopes" data={['tickets:read', 'tickets:write', 'users:read', 'users:write', 'inbound:email', 'admin']} value={form.scopes} onChange={(v) => setForm({ ...form, scopes: v as typeof form.scopes })} error={error?.fieldError('scopes')} />
          <Button type="submit">Create token</Button>
        </Group>
      </form>
      <FormError error={error} fieldsInPlace />
      {shown && <Alert color="teal">New token (shown once): <Code>{shown}</Code></Alert>}
      <Records rows={tokens.data ?? []} columns={['name', 'scopes', 'createdAt', 'lastUsedAt']} />
    </>
  );
}
