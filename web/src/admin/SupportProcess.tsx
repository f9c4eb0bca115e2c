import { Alert, Badge, Button, Checkbox, Code, Group, NumberInput, Select, Stack, Switch, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type Response } from '../api/client';
import { useDirectory } from '../app/directory';
import { duration } from '../tickets/format';
import { FormError, useSave } from './forms';
import { type Action, ActionsBuilder, ConditionBuilder } from './RuleBuilder';
import type { Condition } from '../api/types';
import { parseIntervals, showIntervals } from './intervals';

// Admin screens of the support process: calendars, SLA policies, triggers and automations, macros, the triage
// rota, webhooks. Every form shows the API's own errors next to what they name.

type Calendar = Response<'/api/v1/calendars', 'get'>['items'][number];
type Policy = Response<'/api/v1/sla-policies', 'get'>['items'][number];
const DAYS: [string, string][] = [['1', 'Mon'], ['2', 'Tue'], ['3', 'Wed'], ['4', 'Thu'], ['5', 'Fri'], ['6', 'Sat'], ['7', 'Sun']];
const METRICS = ['first_response', 'next_response', 'periodic_update', 'resolution'] as const;

/** The time zones this browser knows (IANA names), for pickers. */
export const TIME_ZONES: string[] = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf: (k: string) => string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['UTC', 'Europe/London', 'America/New_York', 'Africa/Nairobi'];
  }
})();

const useCalendars = () => useQuery({ queryKey: ['calendars'], queryFn: () => api.get('/api/v1/calendars').then((r) => r.items) });

export function Calendars() {
  const calendars = useCalendars();
  const { error, save } = useSave([['calendars']]);
  const blank = { name: '', timeZone: 'Europe/London', alwaysOpen: false, country: '', days: { '1': '09:00-17:00', '2': '09:00-17:00', '3': '09:00-17:00', '4': '09:00-17:00', '5': '09:00-17:00', '6': '', '7': '' } as Record<string, string> };
  const [form, setForm] = useState(blank);
  const [editing, setEditing] = useState<string | null>(null);
  const edit = (c: Calendar) => {
    setEditing(c.id);
    setForm({ name: c.name, timeZone: c.timeZone, alwaysOpen: c.alwaysOpen, country: c.holidayRegion?.country ?? '', days: Object.fromEntries(DAYS.map(([d]) => [d, showIntervals(c.weekly[d as '1'])])) });
  };
  const [preview, setPreview] = useState<{ id: string | null; minutes: number; due?: string }>({ id: null, minutes: 240 });
  const create = () => {
    const body = {
      name: form.name,
      timeZone: form.timeZone,
      alwaysOpen: form.alwaysOpen,
      weekly: Object.fromEntries(DAYS.map(([d]) => [d, parseIntervals(form.days[d] ?? '')]).filter(([, ivs]) => (ivs as unknown[]).length)),
      holidayRegion: form.country ? { country: form.country } : null,
    };
    return save(
      () => (editing ? api.patch('/api/v1/calendars/{id}', { path: { id: editing }, body }) : api.post('/api/v1/calendars', { body })),
      () => {
        setEditing(null);
        setForm(blank);
      },
    );
  };
  const runPreview = async () => {
    if (!preview.id) return;
    const r = await api.get('/api/v1/calendars/{id}/due', { path: { id: preview.id }, query: { start: new Date().toISOString(), minutes: preview.minutes } });
    setPreview({ ...preview, due: r.due });
  };
  return (
    <>
      <Title order={3}>Business-hours calendars</Title>
      <Table.ScrollContainer minWidth={0} type="native">
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
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button size="compact-xs" variant="subtle" aria-label={`Edit ${c.name}`} onClick={() => edit(c)}>Edit</Button>
                    <Button size="compact-xs" variant="subtle" color="red" aria-label={`Delete ${c.name}`} onClick={() => void save(() => api.delete('/api/v1/calendars/{id}', { path: { id: c.id } }))}>Delete</Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group align="flex-end">
        <Select label="Preview on" data={(calendars.data ?? []).map((c) => ({ value: c.id, label: c.name }))} value={preview.id} onChange={(id) => setPreview({ ...preview, id, due: undefined })} />
        <NumberInput label="Business minutes from now" value={preview.minutes} min={0} onChange={(v) => setPreview({ ...preview, minutes: Number(v) || 0, due: undefined })} />
        <Button variant="default" onClick={() => void runPreview()} disabled={!preview.id}>Preview</Button>
        {preview.due && <Text size="sm" data-testid="calendar-preview">A ticket created now would be due {new Date(preview.due).toLocaleString()}</Text>}
      </Group>
      <Title order={4}>{editing ? `Edit ${form.name}` : 'New calendar'}</Title>
      <Group align="flex-end">
        <TextInput label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={error?.fieldError('name')} />
        <Select label="Time zone" searchable w={240} data={TIME_ZONES.includes(form.timeZone) ? TIME_ZONES : [form.timeZone, ...TIME_ZONES]} value={form.timeZone} onChange={(v) => v && setForm({ ...form, timeZone: v })} allowDeselect={false} error={error?.fieldError('timeZone')} />
        <TextInput label="Public holidays of" description="Country code, e.g. KE, DE, US" w={140} value={form.country} onChange={(e) => setForm({ ...form, country: e.currentTarget.value })} />
        <Checkbox label="Open around the clock" checked={form.alwaysOpen} onChange={(e) => setForm({ ...form, alwaysOpen: e.currentTarget.checked })} />
      </Group>
      {!form.alwaysOpen && (
        <Group>
          {DAYS.map(([d, n]) => (
            <TextInput key={d} label={n} w={150} placeholder="closed" description="e.g. 09:00-17:00" value={form.days[d]} onChange={(e) => setForm({ ...form, days: { ...form.days, [d]: e.currentTarget.value } })} error={error?.fields.find((f) => f.path.includes(`weekly.${d}`))?.message} />
          ))}
        </Group>
      )}
      <FormError error={error} />
      <Group>
        <Button onClick={() => void create()}>{editing ? 'Save calendar' : 'Add calendar'}</Button>
        {editing && <Button variant="default" onClick={() => { setEditing(null); setForm(blank); }}>Cancel</Button>}
      </Group>
    </>
  );
}

export function SlaPolicies() {
  const dir = useDirectory();
  const calendars = useCalendars();
  const policies = useQuery({ queryKey: ['sla-policies'], queryFn: () => api.get('/api/v1/sla-policies').then((r) => r.items) });
  const { error, save } = useSave([['sla-policies']]);
  const empty = { name: '', position: 10, calendarId: null as string | null, condition: { all: [] } as Condition, targets: {} as Record<string, Partial<Record<(typeof METRICS)[number], number>>> };
  const [form, setForm] = useState(empty);
  const [editing, setEditing] = useState<string | null>(null);
  const edit = (p: Policy) => {
    setEditing(p.id);
    setForm({ name: p.name, position: p.position, calendarId: p.calendarId, condition: p.condition as Condition, targets: p.targets });
  };
  const submit = () => {
    const body = { name: form.name, position: form.position, calendarId: form.calendarId ?? '', condition: form.condition as Policy['condition'], targets: form.targets };
    void save(() => (editing ? api.patch('/api/v1/sla-policies/{id}', { path: { id: editing }, body }) : api.post('/api/v1/sla-policies', { body })), () => {
      setEditing(null);
      setForm(empty);
    });
  };
  const setTarget = (prio: string, metric: (typeof METRICS)[number], minutes: number | undefined) =>
    setForm({ ...form, targets: { ...form.targets, [prio]: { ...form.targets[prio], [metric]: minutes } } });
  return (
    <>
      <Title order={3}>SLA policies</Title>
      <Text size="sm" c="dimmed">The first active policy (by position) whose condition matches a ticket sets its targets, in business minutes of its calendar.</Text>
      <Table.ScrollContainer minWidth={0} type="native">
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
      </Table.ScrollContainer>
      <Title order={4}>{editing ? `Edit ${form.name}` : 'New policy'}</Title>
      <Group align="flex-end">
        <TextInput label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} />
        <NumberInput label="Position" w={100} value={form.position} onChange={(v) => setForm({ ...form, position: Number(v) || 0 })} />
        <Select label="Calendar" data={(calendars.data ?? []).map((c) => ({ value: c.id, label: c.name }))} value={form.calendarId} onChange={(v) => setForm({ ...form, calendarId: v })} />
      </Group>
      <ConditionBuilder key={editing ?? 'new'} label="Applies to tickets where" where="sla" value={form.condition} onChange={(condition) => setForm({ ...form, condition })} error={error} />
      <Text size="sm" fw={600}>Targets, in business hours and minutes of the calendar</Text>
      <Table.ScrollContainer minWidth={0} type="native">
        <Table>
          <Table.Thead><Table.Tr><Table.Th>Priority</Table.Th>{METRICS.map((m) => <Table.Th key={m}>{m.replace('_', ' ')}</Table.Th>)}</Table.Tr></Table.Thead>
          <Table.Tbody>
            {dir.priorities.map((p) => (
              <Table.Tr key={p.key}>
                <Table.Td><Badge color={p.color}>{p.key}</Badge></Table.Td>
                {METRICS.map((m) => (
                  <Table.Td key={m}><HoursMinutes label={`${p.key} ${m.replace('_', ' ')}`} minutes={form.targets[p.key]?.[m]} onChange={(v) => setTarget(p.key, m, v)} error={error?.fields.find((f) => f.path.endsWith(`targets.${p.key}.${m}`))?.message} /></Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <FormError error={error} />
      <Group>
        <Button onClick={submit}>{editing ? 'Save policy' : 'Add policy'}</Button>
        {editing && <Button variant="default" onClick={() => { setEditing(null); setForm(empty); }}>Cancel</Button>}
      </Group>
    </>
  );
}

/** A duration entered as hours and minutes; empty is no target. */
function HoursMinutes({ label, minutes, onChange, error }: { label: string; minutes: number | undefined; onChange: (m: number | undefined) => void; error?: string }) {
  const h = minutes === undefined ? '' : Math.floor(minutes / 60);
  const m = minutes === undefined ? '' : minutes % 60;
  const set = (hours: number | string, mins: number | string) => {
    if (hours === '' && mins === '') return onChange(undefined);
    onChange((Number(hours) || 0) * 60 + (Number(mins) || 0));
  };
  return (
    <Stack gap={2}>
      <Group gap={4} wrap="nowrap">
        <NumberInput size="xs" w={64} aria-label={`${label} hours`} min={0} max={10_000} allowDecimal={false} value={h} onChange={(v) => set(v, m)} rightSection={<Text size="xs" c="dimmed">h</Text>} />
        <NumberInput size="xs" w={64} aria-label={`${label} minutes`} min={0} max={59} allowDecimal={false} value={m} onChange={(v) => set(h, v)} rightSection={<Text size="xs" c="dimmed">m</Text>} />
      </Group>
      {error && <Text size="xs" c="red">{error}</Text>}
    </Stack>
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
  const blank = { name: '', position: 100, events: ['created'] as string[], calendarId: null as string | null, condition: { all: [] } as Condition, actions: [] as Action[] };
  const [form, setForm] = useState(blank);
  const [editing, setEditing] = useState<string | null>(null);
  const patch = (id: string, body: Partial<TriggerCreate> | Partial<AutomationCreate>) =>
    kind === 'triggers' ? api.patch('/api/v1/triggers/{id}', { path: { id }, body: body as Partial<TriggerCreate> }) : api.patch('/api/v1/automations/{id}', { path: { id }, body: body as Partial<AutomationCreate> });
  const submit = () => {
    // What the admin built goes to the server as it is; the server checks it and answers with errors by path.
    const rule = { condition: form.condition, actions: form.actions } as Pick<AutomationCreate, 'condition' | 'actions'>;
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
      <Table.ScrollContainer minWidth={0} type="native">
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
                      setForm({ name: r.name, position: r.position, events: 'events' in r ? r.events : ['created'], calendarId: 'calendarId' in r ? r.calendarId : null, condition: r.condition as Condition, actions: r.actions as Action[] });
                    }}
                  >
                    Edit
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
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
      <ConditionBuilder key={`c-${editing ?? 'new'}`} label={kind === 'triggers' ? 'Runs when' : 'Applies to tickets where'} where={kind === 'triggers' ? 'trigger' : 'automation'} value={form.condition} onChange={(condition) => setForm({ ...form, condition })} error={error} />
      <ActionsBuilder key={`a-${editing ?? 'new'}`} value={form.actions} onChange={(actions) => setForm({ ...form, actions })} error={error} />
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
      <Table.ScrollContainer minWidth={0} type="native">
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
      </Table.ScrollContainer>
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
      <Table.ScrollContainer minWidth={0} type="native">
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
      </Table.ScrollContainer>
      {open && (
        <Table.ScrollContainer minWidth={0} type="native">
          <Table>
            <Table.Tbody>
              {(deliveries.data ?? []).map((d) => (
                <Table.Tr key={d.id}><Table.Td>{new Date(String(d.createdAt)).toLocaleString()}</Table.Td><Table.Td>{d.status}</Table.Td><Table.Td>{d.attempts} tries</Table.Td><Table.Td>{d.responseStatus ?? ''}</Table.Td><Table.Td><Text size="xs">{d.error}</Text></Table.Td></Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
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
