import { Alert, Badge, Button, Checkbox, Code, Group, NumberInput, Select, Switch, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type Response } from '../api/client';
import { useDirectory } from '../app/directory';
import { duration } from '../tickets/format';
import { FormError, useSave } from './forms';
import { parseIntervals, showIntervals } from './intervals';

// Admin screens of the support process: calendars, SLA policies, triggers and automations, macros, the triage
// rota, webhooks. Every form shows the API's own errors next to what they name.

type Calendar = Response<'/api/v1/calendars', 'get'>['items'][number];
type Policy = Response<'/api/v1/sla-policies', 'get'>['items'][number];
const DAYS: [string, string][] = [['1', 'Mon'], ['2', 'Tue'], ['3', 'Wed'], ['4', 'Thu'], ['5', 'Fri'], ['6', 'Sat'], ['7', 'Sun']];
const METRICS = ['first_response', 'next_response', 'periodic_update', 'resolution'] as const;

const useCalendars = () => useQuery({ queryKey: ['calendars'], queryFn: () => api.get('/api/v1/calendars').then((r) => r.items) });

export function Calendars() {
  const calendars = useCalendars();
  const { error, save } = useSave([['calendars']]);
  const [form, setForm] = useState({ name: '', timeZone: 'Europe/London', alwaysOpen: false, country: '', days: { '1': '09:00-17:00', '2': '09:00-17:00', '3': '09:00-17:00', '4': '09:00-17:00', '5': '09:00-17:00', '6': '', '7': '' } as Record<string, string> });
  const [preview, setPreview] = useState<{ id: string | null; minutes: number; due?: string }>({ id: null, minutes: 240 });
  const create = () =>
    save(
      () =>
        api.post('/api/v1/calendars', {
          body: {
            name: form.name,
            timeZone: form.timeZone,
            alwaysOpen: form.alwaysOpen,
            weekly: Object.fromEntries(DAYS.map(([d]) => [d, parseIntervals(form.days[d] ?? '')]).filter(([, ivs]) => (ivs as unknown[]).length)),
            holidayRegion: form.country ? { country: form.country } : null,
          },
        }),
      () => setForm({ ...form, name: '' }),
    );
  const runPreview = async () => {
    if (!preview.id) return;
    const r = await api.get('/api/v1/calendars/{id}/due', { path: { id: preview.id }, query: { start: new Date().toISOString(), minutes: preview.minutes } });
    setPreview({ ...preview, due: r.due });
  };
  return (
    <>
      <Title order={3}>Business-hours calendars</Title>
      <Table>
        <Table.Thead>
          <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Time zone</Table.Th><Table.Th>Hours</Table.Th><Table.Th>Holidays</Table.Th><Table.Th /></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(calendars.data ?? []).map((c: Calendar) => (
            <Table.Tr key={c.id}>
              <Table.Td>{c.name}</Table.Td>
              <Table.Td>{c.timeZone}</Table.Td>
              <Table.Td><Text size="xs">{c.alwaysOpen ? '24/7' : DAYS.filter(([d]) => c.weekly[d as '1']?.length).map(([d, n]) => `${n} ${showIntervals(c.weekly[d as '1'])}`).join(' · ')}</Text></Table.Td>
              <Table.Td><Text size="xs">{[c.holidayRegion ? `public holidays of ${c.holidayRegion.country}` : '', c.holidays.length ? `${c.holidays.length} own` : ''].filter(Boolean).join(', ')}</Text></Table.Td>
              <Table.Td><Button size="compact-xs" variant="subtle" color="red" onClick={() => void save(() => api.delete('/api/v1/calendars/{id}', { path: { id: c.id } }))}>Delete</Button></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group align="flex-end">
        <Select label="Preview on" data={(calendars.data ?? []).map((c) => ({ value: c.id, label: c.name }))} value={preview.id} onChange={(id) => setPreview({ ...preview, id, due: undefined })} />
        <NumberInput label="Business minutes from now" value={preview.minutes} min={0} onChange={(v) => setPreview({ ...preview, minutes: Number(v) || 0, due: undefined })} />
        <Button variant="default" onClick={() => void runPreview()} disabled={!preview.id}>Preview</Button>
        {preview.due && <Text size="sm" data-testid="calendar-preview">A ticket created now would be due {new Date(preview.due).toLocaleString()}</Text>}
      </Group>
      <Title order={4}>New calendar</Title>
      <Group align="flex-end">
        <TextInput label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} />
        <TextInput label="Time zone" description="IANA, e.g. America/New_York" value={form.timeZone} onChange={(e) => setForm({ ...form, timeZone: e.currentTarget.value })} />
        <TextInput label="Public holidays of" description="Country code, e.g. KE, DE, US" w={140} value={form.country} onChange={(e) => setForm({ ...form, country: e.currentTarget.value })} />
        <Checkbox label="Open around the clock" checked={form.alwaysOpen} onChange={(e) => setForm({ ...form, alwaysOpen: e.currentTarget.checked })} />
      </Group>
      {!form.alwaysOpen && (
        <Group>
          {DAYS.map(([d, n]) => (
            <TextInput key={d} label={n} w={150} placeholder="closed" value={form.days[d]} onChange={(e) => setForm({ ...form, days: { ...form.days, [d]: e.currentTarget.value } })} />
          ))}
        </Group>
      )}
      <FormError error={error} />
      <Group><Button onClick={() => void create()}>Add calendar</Button></Group>
    </>
  );
}

export function SlaPolicies() {
  const dir = useDirectory();
  const calendars = useCalendars();
  const policies = useQuery({ queryKey: ['sla-policies'], queryFn: () => api.get('/api/v1/sla-policies').then((r) => r.items) });
  const { error, save } = useSave([['sla-policies']]);
  const empty = { name: '', position: 10, calendarId: null as string | null, condition: '{ "all": [] }', targets: {} as Record<string, Partial<Record<(typeof METRICS)[number], number>>> };
  const [form, setForm] = useState(empty);
  const [editing, setEditing] = useState<string | null>(null);
  const edit = (p: Policy) => {
    setEditing(p.id);
    setForm({ name: p.name, position: p.position, calendarId: p.calendarId, condition: JSON.stringify(p.condition, null, 2), targets: p.targets });
  };
  const submit = () => {
    let condition: unknown;
    try {
      condition = JSON.parse(form.condition);
    } catch {
      notifications.show({ color: 'red', message: 'The condition is not valid JSON' });
      return;
    }
    const body = { name: form.name, position: form.position, calendarId: form.calendarId ?? '', condition: condition as Policy['condition'], targets: form.targets };
    void save(() => (editing ? api.patch('/api/v1/sla-policies/{id}', { path: { id: editing }, body }) : api.post('/api/v1/sla-policies', { body })), () => {
      setEditing(null);
      setForm(empty);
    });
  };
  const setTarget = (prio: string, metric: (typeof METRICS)[number], v: number | string) =>
    setForm({ ...form, targets: { ...form.targets, [prio]: { ...form.targets[prio], [metric]: v === '' ? undefined : Number(v) } } });
  return (
    <>
      <Title order={3}>SLA policies</Title>
      <Text size="sm" c="dimmed">The first active policy (by position) whose condition matches a ticket sets its targets, in business minutes of its calendar.</Text>
      <Table>
        <Table.Thead><Table.Tr><Table.Th>#</Table.Th><Table.Th>Policy</Table.Th><Table.Th>Calendar</Table.Th><Table.Th>Targets</Table.Th><Table.Th>Active</Table.Th><Table.Th /></Table.Tr></Table.Thead>
        <Table.Tbody>
          {(policies.data ?? []).map((p) => (
            <Table.Tr key={p.id}>
              <Table.Td>{p.position}</Table.Td>
              <Table.Td>{p.name}</Table.Td>
              <Table.Td>{calendars.data?.find((c) => c.id === p.calendarId)?.name}</Table.Td>
              <Table.Td>
                <Text size="xs">
                  {Object.entries(p.targets).map(([prio, t]) => `${prio}: ${METRICS.filter((m) => t[m]).map((m) => `${m.replace('_', ' ')} ${duration(t[m] as number)}`).join(', ')}`).join(' · ')}
                </Text>
              </Table.Td>
              <Table.Td><Switch aria-label={`${p.name} active`} checked={p.active} onChange={(e) => void save(() => api.patch('/api/v1/sla-policies/{id}', { path: { id: p.id }, body: { active: e.currentTarget.checked } }))} /></Table.Td>
              <Table.Td><Button size="compact-xs" variant="subtle" onClick={() => edit(p)}>Edit</Button></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Title order={4}>{editing ? `Edit ${form.name}` : 'New policy'}</Title>
      <Group align="flex-end">
        <TextInput label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} />
        <NumberInput label="Position" w={100} value={form.position} onChange={(v) => setForm({ ...form, position: Number(v) || 0 })} />
        <Select label="Calendar" data={(calendars.data ?? []).map((c) => ({ value: c.id, label: c.name }))} value={form.calendarId} onChange={(v) => setForm({ ...form, calendarId: v })} />
      </Group>
      <Textarea label="Condition (the condition language, JSON)" description='e.g. { "field": "priority", "op": "in", "value": ["P1", "P2"] }' autosize minRows={2} styles={{ input: { fontFamily: 'monospace' } }} value={form.condition} onChange={(e) => setForm({ ...form, condition: e.currentTarget.value })} />
      <Table>
        <Table.Thead><Table.Tr><Table.Th>Priority</Table.Th>{METRICS.map((m) => <Table.Th key={m}>{m.replace('_', ' ')} (min)</Table.Th>)}</Table.Tr></Table.Thead>
        <Table.Tbody>
          {dir.priorities.map((p) => (
            <Table.Tr key={p.key}>
              <Table.Td><Badge color={p.color}>{p.key}</Badge></Table.Td>
              {METRICS.map((m) => (
                <Table.Td key={m}><NumberInput size="xs" aria-label={`${p.key} ${m}`} min={1} value={form.targets[p.key]?.[m] ?? ''} onChange={(v) => setTarget(p.key, m, v)} /></Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <FormError error={error} />
      <Group>
        <Button onClick={submit}>{editing ? 'Save policy' : 'Add policy'}</Button>
        {editing && <Button variant="default" onClick={() => { setEditing(null); setForm(empty); }}>Cancel</Button>}
      </Group>
    </>
  );
}

type Rule = Response<'/api/v1/triggers', 'get'>['items'][number] | Response<'/api/v1/automations', 'get'>['items'][number];
type TriggerCreate = NonNullable<Parameters<typeof api.post<'/api/v1/triggers'>>[1]['body']>;
type AutomationCreate = NonNullable<Parameters<typeof api.post<'/api/v1/automations'>>[1]['body']>;

/** Triggers (on events) and automations (on time) share one screen: list, switch on/off, edit as JSON. */
// What a trigger can run on: ticket changes, and an SLA clock's warning, breach or target met (`sla.metric` in the condition).
const TRIGGER_EVENT_CHOICES = [
  ['created', 'created'],
  ['updated', 'updated'],
  ['message', 'message'],
  ['sla_warning', 'SLA warning'],
  ['sla_breached', 'SLA breached'],
  ['sla_met', 'SLA met'],
  ['satisfaction_bad', 'bad satisfaction rating'],
] as const satisfies readonly (readonly [TriggerCreate['events'][number], string])[];

export function Rules({ kind }: { kind: 'triggers' | 'automations' }) {
  const calendars = useCalendars();
  const list = useQuery({ queryKey: [kind], queryFn: () => (kind === 'triggers' ? api.get('/api/v1/triggers') : api.get('/api/v1/automations')).then((r) => r.items as Rule[]) });
  const { error, save } = useSave([[kind]]);
  const blank = { name: '', position: 100, events: ['created'] as string[], calendarId: null as string | null, condition: '{ "all": [] }', actions: '[{ "type": "add_tags", "tags": ["example"] }]' };
  const [form, setForm] = useState(blank);
  const [editing, setEditing] = useState<string | null>(null);
  const patch = (id: string, body: Partial<TriggerCreate> | Partial<AutomationCreate>) =>
    kind === 'triggers' ? api.patch('/api/v1/triggers/{id}', { path: { id }, body: body as Partial<TriggerCreate> }) : api.patch('/api/v1/automations/{id}', { path: { id }, body: body as Partial<AutomationCreate> });
  const submit = () => {
    // What the admin typed goes to the server as it is; the server checks it and answers with errors by path.
    let rule: Pick<AutomationCreate, 'condition' | 'actions'>;
    try {
      rule = { condition: JSON.parse(form.condition), actions: JSON.parse(form.actions) };
    } catch {
      notifications.show({ color: 'red', message: 'The condition or the actions are not valid JSON' });
      return;
    }
    const trigger: TriggerCreate = { name: form.name, position: form.position, events: form.events as TriggerCreate['events'], ...rule };
    const automation: AutomationCreate = { name: form.name, position: form.position, calendarId: form.calendarId, ...rule };
    void save(
      () =>
        kind === 'triggers'
          ? editing
            ? patch(editing, trigger)
            : api.post('/api/v1/triggers', { body: trigger })
          : editing
            ? patch(editing, automation)
            : api.post('/api/v1/automations', { body: automation }),
      () => {
        setEditing(null);
        setForm(blank);
      },
    );
  };
  return (
    <>
      <Title order={3}>{kind === 'triggers' ? 'Triggers' : 'Automations'}</Title>
      <Text size="sm" c="dimmed">
        {kind === 'triggers'
          ? 'When a ticket is created, updated or gets a message and the condition holds, the actions run — once per change, never on their own changes.'
          : 'Every minute, tickets matching the condition (with an hours_since_… part) get the actions, once until they change again. With a calendar, hours are business hours.'}
      </Text>
      <Table>
        <Table.Thead><Table.Tr><Table.Th>#</Table.Th><Table.Th>Name</Table.Th><Table.Th>{kind === 'triggers' ? 'On' : 'Hours'}</Table.Th><Table.Th>Actions</Table.Th><Table.Th>Active</Table.Th><Table.Th /></Table.Tr></Table.Thead>
        <Table.Tbody>
          {(list.data ?? []).map((r) => (
            <Table.Tr key={r.id}>
              <Table.Td>{r.position}</Table.Td>
              <Table.Td>{r.name}</Table.Td>
              <Table.Td>{'events' in r ? r.events.join(', ') : 'calendarId' in r && r.calendarId ? `business (${calendars.data?.find((c) => c.id === r.calendarId)?.name ?? ''})` : 'calendar'}</Table.Td>
              <Table.Td><Text size="xs">{r.actions.map((a) => a.type).join(', ')}</Text></Table.Td>
              <Table.Td><Switch aria-label={`${r.name} active`} checked={r.active} onChange={(e) => void save(() => patch(r.id, { active: e.currentTarget.checked }))} /></Table.Td>
              <Table.Td>
                <Button
                  size="compact-xs"
                  variant="subtle"
                  onClick={() => {
                    setEditing(r.id);
                    setForm({ name: r.name, position: r.position, events: 'events' in r ? r.events : ['created'], calendarId: 'calendarId' in r ? r.calendarId : null, condition: JSON.stringify(r.condition, null, 2), actions: JSON.stringify(r.actions, null, 2) });
                  }}
                >
                  Edit
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Title order={4}>{editing ? `Edit ${form.name}` : kind === 'triggers' ? 'New trigger' : 'New automation'}</Title>
      <Group align="flex-end">
        <TextInput label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} />
        <NumberInput label="Position" w={100} value={form.position} onChange={(v) => setForm({ ...form, position: Number(v) || 0 })} />
        {kind === 'triggers' ? (
          <Group gap="xs">
            {TRIGGER_EVENT_CHOICES.map(([ev, label]) => (
              <Checkbox key={ev} label={label} checked={form.events.includes(ev)} onChange={(e) => setForm({ ...form, events: e.currentTarget.checked ? [...form.events, ev] : form.events.filter((x) => x !== ev) })} />
            ))}
          </Group>
        ) : (
          <Select label="Count hours in" clearable placeholder="calendar hours" data={(calendars.data ?? []).map((c) => ({ value: c.id, label: c.name }))} value={form.calendarId} onChange={(v) => setForm({ ...form, calendarId: v })} />
        )}
      </Group>
      <Group grow align="flex-start">
        <Textarea label="Condition (JSON)" description={kind === 'triggers' ? 'on SLA events, sla.metric is first_response, next_response, periodic_update or resolution' : undefined} autosize minRows={4} styles={{ input: { fontFamily: 'monospace' } }} value={form.condition} onChange={(e) => setForm({ ...form, condition: e.currentTarget.value })} />
        <Textarea label="Actions (JSON)" description="set, add_tags, remove_tags, note, reply, escalate, email, webhook" autosize minRows={4} styles={{ input: { fontFamily: 'monospace' } }} value={form.actions} onChange={(e) => setForm({ ...form, actions: e.currentTarget.value })} />
      </Group>
      <FormError error={error} />
      <Group>
        <Button onClick={submit}>{editing ? 'Save' : 'Add'}</Button>
        {editing && <Button variant="default" onClick={() => { setEditing(null); setForm(blank); }}>Cancel</Button>}
      </Group>
    </>
  );
}

export function Rota() {
  const dir = useDirectory();
  const [groupId, setGroupId] = useState<string | null>(dir.groups[0]?.id ?? null);
  const days = Array.from({ length: 14 }, (_, i) => new Date(Date.now() + i * 86_400_000).toISOString().slice(0, 10));
  const settings = useQuery({ queryKey: ['assignment', groupId], queryFn: () => api.get('/api/v1/groups/{id}/assignment', { path: { id: groupId as string } }), enabled: !!groupId });
  const rota = useQuery({
    queryKey: ['rota', groupId],
    queryFn: () => api.get('/api/v1/groups/{id}/rota', { path: { id: groupId as string }, query: { from: days[0] as string, to: days[13] as string } }).then((r) => r.items),
    enabled: !!groupId,
  });
  const handover = useQuery({ queryKey: ['handover', groupId], queryFn: () => api.get('/api/v1/groups/{id}/handover', { path: { id: groupId as string } }), enabled: !!groupId });
  const { error, save } = useSave([['assignment', groupId ?? ''], ['rota', groupId ?? ''], ['handover', groupId ?? '']]);
  const [note, setNote] = useState('');
  const members = dir.staff.filter((u) => dir.groups.find((g) => g.id === groupId)?.memberIds.includes(u.id));
  return (
    <>
      <Title order={3}>Assignment and the triage rota</Title>
      <Group align="flex-end">
        <Select label="Group" data={dir.groups.map((g) => ({ value: g.id, label: g.name }))} value={groupId} onChange={setGroupId} allowDeselect={false} />
        {settings.data && (
          <Select
            label="New tickets go to"
            data={[{ value: 'manual', label: 'Nobody (manual)' }, { value: 'triage', label: "Today's triage agent" }, { value: 'round_robin', label: 'Round robin' }, { value: 'least_open', label: 'Fewest open tickets' }]}
            value={settings.data.mode}
            onChange={(mode) => mode && void save(() => api.put('/api/v1/groups/{id}/assignment', { path: { id: groupId as string }, body: { mode: mode as typeof settings.data.mode, timeZone: settings.data?.timeZone ?? 'UTC' } }))}
            allowDeselect={false}
          />
        )}
      </Group>
      <Table>
        <Table.Thead><Table.Tr><Table.Th>Day</Table.Th><Table.Th>On triage</Table.Th></Table.Tr></Table.Thead>
        <Table.Tbody>
          {days.map((day) => (
            <Table.Tr key={day}>
              <Table.Td>{new Date(`${day}T12:00:00Z`).toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' })}</Table.Td>
              <Table.Td>
                <Select size="xs" aria-label={`Triage on ${day}`} data={members.map((u) => ({ value: u.id, label: u.name }))} value={rota.data?.find((r) => r.day === day)?.userId ?? null} onChange={(userId) => userId && void save(() => api.put('/api/v1/groups/{id}/rota', { path: { id: groupId as string }, body: { entries: [{ day, userId }] } }))} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Title order={4}>Hand-over notes{handover.data?.day ? ` (${handover.data.day})` : ''}</Title>
      {(handover.data?.notes ?? []).map((n) => <Text key={n.id} size="sm">{n.body}</Text>)}
      <Textarea label="Hand-over to the next triage" value={note} onChange={(e) => setNote(e.currentTarget.value)} />
      <FormError error={error} />
      <Group><Button onClick={() => void save(() => api.post('/api/v1/groups/{id}/handover', { path: { id: groupId as string }, body: { body: note } }), () => setNote(''))} disabled={!groupId}>Add note</Button></Group>
    </>
  );
}

export function Webhooks() {
  const hooks = useQuery({ queryKey: ['webhooks'], queryFn: () => api.get('/api/v1/webhooks').then((r) => r.items) });
  const { error, save } = useSave([['webhooks']]);
  const [form, setForm] = useState({ name: '', url: '' });
  const [secret, setSecret] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const deliveries = useQuery({ queryKey: ['webhooks', open, 'deliveries'], queryFn: () => api.get('/api/v1/webhooks/{id}/deliveries', { path: { id: open as string } }).then((r) => r.items), enabled: !!open });
  return (
    <>
      <Title order={3}>Webhooks</Title>
      <Text size="sm" c="dimmed">Rules post tickets here (action <Code>{'{ "type": "webhook", "webhookId": "…" }'}</Code>), signed: <Code>X-Lifeline-Signature: t=…,v1=HMAC-SHA256(secret, t + "." + body)</Code>.</Text>
      <Table>
        <Table.Tbody>
          {(hooks.data ?? []).map((h) => (
            <Table.Tr key={h.id}>
              <Table.Td>{h.name}</Table.Td>
              <Table.Td><Code>{h.id}</Code></Table.Td>
              <Table.Td><Text size="xs">{h.url}</Text></Table.Td>
              <Table.Td><Switch aria-label={`${h.name} active`} checked={h.active} onChange={(e) => void save(() => api.patch('/api/v1/webhooks/{id}', { path: { id: h.id }, body: { active: e.currentTarget.checked } }))} /></Table.Td>
              <Table.Td><Button size="compact-xs" variant="subtle" onClick={() => setOpen(open === h.id ? null : h.id)}>Deliveries</Button></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {open && (
        <Table>
          <Table.Tbody>
            {(deliveries.data ?? []).map((d) => (
              <Table.Tr key={d.id}><Table.Td>{new Date(String(d.createdAt)).toLocaleString()}</Table.Td><Table.Td>{d.status}</Table.Td><Table.Td>{d.attempts} tries</Table.Td><Table.Td>{d.responseStatus ?? ''}</Table.Td><Table.Td><Text size="xs">{d.error}</Text></Table.Td></Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Group align="flex-end">
        <TextInput label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} />
        <TextInput label="URL" w={360} value={form.url} onChange={(e) => setForm({ ...form, url: e.currentTarget.value })} />
        <Button onClick={() => void save(async () => setSecret((await api.post('/api/v1/webhooks', { body: form })).secret), () => setForm({ name: '', url: '' }))}>Add webhook</Button>
      </Group>
      {secret && <Alert color="teal">Signing secret (shown once): <Code>{secret}</Code></Alert>}
      <FormError error={error} />
    </>
  );
}
