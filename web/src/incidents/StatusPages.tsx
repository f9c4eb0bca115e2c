import { Anchor, Badge, Button, Card, Checkbox, Group, Loader, MultiSelect, Select, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { FormError, useSave } from '../admin/forms';
import { api, type Response } from '../api/client';
import { incidentsApi } from './model';

type Maintenance = Response<'/api/v1/status-maintenances', 'get'>['items'][number];
type SubscriberList = Response<'/api/v1/status-subscribers', 'get'>;

const MAINTENANCE_LABELS: Record<Maintenance['status'], string> = { scheduled: 'Upcoming', in_progress: 'In progress', completed: 'Completed', cancelled: 'Cancelled' };
const MAINTENANCE_COLORS: Record<Maintenance['status'], string> = { scheduled: 'blue', in_progress: 'orange', completed: 'gray', cancelled: 'gray' };

/** `2026-03-02T10:00` in the browser's time zone, for a datetime-local input, and back. */
function toLocalInput(iso: string): string {
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}
function fromLocalInput(value: string): string {
  return new Date(value).toISOString();
}
const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The links between the Incidents area's pages. */
export function AreaNav({ current }: { current: 'incidents' | 'maintenance' | 'subscribers' }) {
  const items = [
    ['incidents', '/incidents', 'Incidents'],
    ['maintenance', '/incidents/maintenance', 'Maintenance'],
    ['subscribers', '/incidents/subscribers', 'Subscribers'],
  ] as const;
  return (
    <Group gap="md" aria-label="Incidents area" component="nav">
      {items.map(([key, href, label]) =>
        key === current ? (
          <Text key={key} fw={600} aria-current="page">
            {label}
          </Text>
        ) : (
          <Anchor key={key} component={Link} href={href}>
            {label}
          </Anchor>
        ),
      )}
    </Group>
  );
}

/** Scheduled maintenance: plan a window, edit it until it ends, cancel it; the status page shows it. */
export function MaintenancePage() {
  const list = useQuery({ queryKey: ['maintenances'], queryFn: () => api.get('/api/v1/status-maintenances').then((r) => r.items), refetchInterval: 30_000 });
  const [editing, setEditing] = useState<Maintenance | 'new' | null>(null);
  const { error, save } = useSave([['maintenances']]);
  return (
    <Stack>
      <AreaNav current="maintenance" />
      <Group justify="space-between">
        <Title order={2}>Scheduled maintenance</Title>
        <Button onClick={() => setEditing('new')}>Schedule maintenance</Button>
      </Group>
      <Text size="sm" c="dimmed">
        Shown on <a href="/status">/status</a> as upcoming; its components are "under maintenance" from its start to its end.
      </Text>
      {editing && <MaintenanceForm key={editing === 'new' ? 'new' : editing.id} m={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
      <FormError error={error} />
      {list.isPending ? (
        <Loader />
      ) : (
        <Table.ScrollContainer minWidth={0} type="native">
          <Table striped aria-label="Maintenance windows">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Title</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Window</Table.Th>
                <Table.Th>Components</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(list.data ?? []).map((m) => {
                const open = m.status === 'scheduled' || m.status === 'in_progress';
                return (
                  <Table.Tr key={m.id}>
                    <Table.Td>{m.title}</Table.Td>
                    <Table.Td>
                      <Badge color={MAINTENANCE_COLORS[m.status]} variant="light">
                        {MAINTENANCE_LABELS[m.status]}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      {when(String(m.startsAt))} – {when(String(m.endsAt))}
                    </Table.Td>
                    <Table.Td>{m.components.map((c) => c.name).join(', ')}</Table.Td>
                    <Table.Td>
                      {open && (
                        <Group gap="xs" wrap="nowrap">
                          <Button size="xs" variant="light" onClick={() => setEditing(m)} aria-label={`Edit ${m.title}`}>
                            Edit
                          </Button>
                          <Button size="xs" variant="subtle" color="red" aria-label={`Cancel ${m.title}`} onClick={() => void save(() => api.post('/api/v1/status-maintenances/{id}/cancel', { path: { id: m.id } }))}>
                            Cancel
                          </Button>
                        </Group>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {list.data?.length === 0 && <Text c="dimmed">No maintenance planned.</Text>}
    </Stack>
  );
}

function MaintenanceForm({ m, onDone }: { m: Maintenance | null; onDone: () => void }) {
  const components = useQuery({ queryKey: ['status-components'], queryFn: incidentsApi.components });
  const soon = new Date(Date.now() + 3600_000);
  soon.setMinutes(0, 0, 0);
  const [title, setTitle] = useState(m?.title ?? '');
  const [description, setDescription] = useState(m?.description ?? '');
  const [componentIds, setComponentIds] = useState<string[]>(m?.components.map((c) => c.id) ?? []);
  const [startsAt, setStartsAt] = useState(toLocalInput(m ? String(m.startsAt) : soon.toISOString()));
  const [endsAt, setEndsAt] = useState(toLocalInput(m ? String(m.endsAt) : new Date(soon.getTime() + 3600_000).toISOString()));
  const [notify, setNotify] = useState(false);
  const { error, save } = useSave([['maintenances']]);
  const submit = () =>
    save(
      () =>
        m
          ? api.patch('/api/v1/status-maintenances/{id}', {
              path: { id: m.id },
              body: { title, description, componentIds, ...(m.status === 'scheduled' ? { startsAt: fromLocalInput(startsAt) } : {}), endsAt: fromLocalInput(endsAt), version: m.version },
            })
          : api.post('/api/v1/status-maintenances', { body: { title, description, componentIds, startsAt: fromLocalInput(startsAt), endsAt: fromLocalInput(endsAt), notifySubscribers: notify } }),
      onDone,
    );
  return (
    <Card withBorder>
      <form
        aria-label={m ? `Edit ${m.title}` : 'Schedule maintenance'}
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Stack gap="xs">
          <Title order={5}>{m ? 'Edit maintenance' : 'New maintenance'}</Title>
          <FormError error={error} />
          <TextInput label="Title" value={title} onChange={(e) => setTitle(e.currentTarget.value)} required data-autofocus />
          <Textarea label="What customers will notice" value={description} onChange={(e) => setDescription(e.currentTarget.value)} autosize minRows={2} />
          <MultiSelect label="Components" searchable data={(components.data ?? []).map((c) => ({ value: c.id, label: c.name }))} value={componentIds} onChange={setComponentIds} required error={error?.fieldError('componentIds')} />
          <Group grow>
            <TextInput label="Starts" type="datetime-local" value={startsAt} onChange={(e) => setStartsAt(e.currentTarget.value)} disabled={m?.status === 'in_progress'} required error={error?.fieldError('startsAt')} />
            <TextInput label="Ends" type="datetime-local" value={endsAt} onChange={(e) => setEndsAt(e.currentTarget.value)} required error={error?.fieldError('endsAt')} />
          </Group>
          {!m && <Checkbox label="Email subscribers now and when it starts" checked={notify} onChange={(e) => setNotify(e.currentTarget.checked)} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onDone}>
              Close
            </Button>
            <Button type="submit">{m ? 'Save' : 'Schedule'}</Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

/** Status-page email subscribers: search, filter by component and state, counts per component, remove. */
export function SubscribersPage() {
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [componentId, setComponentId] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const query = { ...(search ? { q: search } : {}), ...(componentId ? { componentId } : {}), ...(status ? { status: status as 'active' } : {}) };
  const list = useQuery({ queryKey: ['status-subscribers', query], queryFn: () => api.get('/api/v1/status-subscribers', { query }) as Promise<SubscriberList> });
  const { error, save } = useSave([['status-subscribers']]);
  const counts = list.data?.perComponent;
  return (
    <Stack>
      <AreaNav current="subscribers" />
      <Title order={2}>Status page subscribers</Title>
      <Text size="sm" c="dimmed">
        People who subscribed on <a href="/status">/status</a> and confirmed by email. Each notice has a one-click unsubscribe link; bouncing addresses get no more mail.
      </Text>
      {counts && (
        <Group gap="xs" aria-label="Active subscribers per component">
          <Badge variant="light">All active: {counts.all}</Badge>
          {counts.components.map((c) => (
            <Badge key={c.id} variant="outline">
              {c.name}: {c.subscribers}
            </Badge>
          ))}
        </Group>
      )}
      <form
        aria-label="Search subscribers"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(q.trim());
        }}
      >
        <Group align="flex-end">
          <TextInput label="Address contains" value={q} onChange={(e) => setQ(e.currentTarget.value)} />
          <Select label="Component" clearable data={(counts?.components ?? []).map((c) => ({ value: c.id, label: c.name }))} value={componentId} onChange={setComponentId} />
          <Select
            label="State"
            clearable
            data={[
              { value: 'active', label: 'Active' },
              { value: 'pending', label: 'Not confirmed' },
              { value: 'unsubscribed', label: 'Unsubscribed' },
              { value: 'bounced', label: 'Bouncing' },
            ]}
            value={status}
            onChange={setStatus}
          />
          <Button type="submit">Search</Button>
        </Group>
      </form>
      <FormError error={error} />
      {list.isPending ? (
        <Loader />
      ) : (
        <>
          <Text size="sm" aria-live="polite">
            {list.data?.total ?? 0} subscriber(s)
          </Text>
          <Table.ScrollContainer minWidth={0} type="native">
            <Table striped aria-label="Subscribers">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Address</Table.Th>
                  <Table.Th>State</Table.Th>
                  <Table.Th>Components</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(list.data?.items ?? []).map((s) => (
                  <Table.Tr key={s.id}>
                    <Table.Td>{s.email}</Table.Td>
                    <Table.Td title={s.bounceReason ?? undefined}>{s.status}</Table.Td>
                    <Table.Td>{s.allComponents ? 'All' : s.componentIds.map((id) => counts?.components.find((c) => c.id === id)?.name ?? '?').join(', ')}</Table.Td>
                    <Table.Td>
                      <Button size="xs" variant="subtle" color="red" aria-label={`Remove ${s.email}`} onClick={() => void save(() => api.delete('/api/v1/status-subscribers/{id}', { path: { id: s.id } }))}>
                        Remove
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </>
      )}
    </Stack>
  );
}
