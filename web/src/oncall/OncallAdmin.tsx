import { Button, Card, Group, MultiSelect, NumberInput, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import { FormError, useSave } from '../admin/forms';
import { useDirectory } from '../app/directory';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
type LayerForm = { name: string; memberIds: string[]; turnHours: number; handoffTime: string; handoffWeekday: string; startsOn: string };
const newLayer = (n: number): LayerForm => ({ name: `Layer ${n}`, memberIds: [], turnHours: 168, handoffTime: '09:00', handoffWeekday: '1', startsOn: new Date().toISOString().slice(0, 10) });

/** People still named in a schedule or policy who were deactivated: the page skips them. */
function NotPaged({ people }: { people: { userId: string; name: string }[] }) {
  return people.map((p) => (
    <Text key={p.userId} size="xs" c="red" data-testid="not-paged">
      {p.name}: deactivated — will not be paged
    </Text>
  ));
}

/** Admin: on-call schedules, escalation policies, and what pages (ticket priorities, incidents, the SMS webhook). */
export function OncallAdmin() {
  return (
    <Stack gap="xl">
      <Schedules />
      <Policies />
      <Settings />
    </Stack>
  );
}

type ScheduleDetail = Awaited<ReturnType<typeof loadSchedule>>;
const loadSchedule = (id: string) => api.get('/api/v1/oncall/schedules/{id}', { path: { id } });
const layerForm = (l: ScheduleDetail['layers'][number]): LayerForm => ({ name: l.name, memberIds: l.memberIds, turnHours: l.turnHours, handoffTime: l.handoffTime, handoffWeekday: l.handoffWeekday ? String(l.handoffWeekday) : '', startsOn: l.startsOn });

function Schedules() {
  const schedules = useQuery({ queryKey: ['oncall-schedules'], queryFn: () => api.get('/api/v1/oncall/schedules').then((r) => r.items) });
  const { error, save } = useSave([['oncall-schedules']]);
  const [editing, setEditing] = useState<string | null>(null);
  // The edit form starts from the stored layers (the list has none), read once when Edit is pressed.
  const detail = useQuery({ queryKey: ['oncall-schedule-edit', editing], queryFn: () => loadSchedule(editing as string), enabled: !!editing, gcTime: 0 });
  return (
    <Stack>
      <Title order={3}>Schedules</Title>
      <Table.ScrollContainer minWidth={0} type="native">
        <Table aria-label="Schedules">
          <Table.Tbody>
            {(schedules.data ?? []).map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>
                  {s.name}
                  <NotPaged people={s.notPaged} />
                </Table.Td>
                <Table.Td>{s.timeZone}</Table.Td>
                <Table.Td>{s.onCallNow?.name ?? 'Nobody on now'}</Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button size="compact-xs" variant="subtle" onClick={() => setEditing(s.id)} aria-pressed={editing === s.id}>
                      Edit {s.name}
                    </Button>
                    <Button size="compact-xs" variant="subtle" color="red" onClick={() => void save(() => api.delete('/api/v1/oncall/schedules/{id}', { path: { id: s.id } }))}>
                      Delete {s.name}
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <FormError error={error} />
      {editing && detail.data && <ScheduleForm key={editing} initial={detail.data} onDone={() => setEditing(null)} />}
      <ScheduleForm />
    </Stack>
  );
}

/** One form for a new schedule and for editing one (PUT replaces its name, zone and layers); errors at their fields. */
function ScheduleForm({ initial, onDone }: { initial?: ScheduleDetail; onDone?: () => void }) {
  const { staff } = useDirectory();
  const { error, save } = useSave([['oncall-schedules'], ['oncall-schedule']]);
  const [name, setName] = useState(initial?.name ?? '');
  const [timeZone, setTimeZone] = useState(initial?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
  // Layers come back highest rank first; the form lists them lowest first (a later layer wins), as they were made.
  const [layers, setLayers] = useState<LayerForm[]>(initial ? [...initial.layers].sort((a, b) => a.rank - b.rank).map(layerForm) : [newLayer(1)]);
  const setLayer = (i: number, patch: Partial<LayerForm>) => setLayers(layers.map((l, j) => (j === i ? { ...l, ...patch } : l)));
  const title = initial ? `Edit schedule ${initial.name}` : 'New schedule';
  const layersError = error?.fields.find((f) => f.path === 'body.layers')?.message;
  const layerError = (i: number, field: string) => error?.fields.find((f) => f.path.startsWith(`body.layers.${i}.${field}`))?.message;
  return (
    <form
      aria-label={title}
      onSubmit={(e) => {
        e.preventDefault();
        const body = { name, description: initial?.description ?? '', timeZone, layers: layers.map((l, i) => ({ ...l, rank: i, handoffWeekday: l.handoffWeekday ? Number(l.handoffWeekday) : null })) };
        void save(
          () => (initial ? api.put('/api/v1/oncall/schedules/{id}', { path: { id: initial.id }, body }) : api.post('/api/v1/oncall/schedules', { body })),
          () => {
            if (onDone) return onDone();
            setName('');
            setLayers([newLayer(1)]);
          },
        );
      }}
    >
      <Stack gap="xs">
        {initial && <Title order={4}>{title}</Title>}
        <Group align="flex-start">
          <TextInput label="Schedule name" value={name} onChange={(e) => setName(e.currentTarget.value)} required error={error?.fieldError('name')} />
          <TextInput label="Time zone" value={timeZone} onChange={(e) => setTimeZone(e.currentTarget.value)} required error={error?.fieldError('timeZone')} />
        </Group>
        {layers.map((l, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: layers have no id until saved; their order is their identity
          <Card key={i} withBorder padding="xs" aria-label={`Layer ${i + 1}`}>
            <Group align="flex-end">
              <TextInput label={`Layer ${i + 1} name`} value={l.name} onChange={(e) => setLayer(i, { name: e.currentTarget.value })} w={140} error={layerError(i, 'name')} />
              <MultiSelect
                label={`Layer ${i + 1} people, in turn order`}
                data={staff.map((u) => ({ value: u.id, label: u.name }))}
                value={l.memberIds}
                onChange={(v) => setLayer(i, { memberIds: v })}
                searchable
                w={280}
                error={layerError(i, 'memberIds') ?? (i === 0 ? layersError : undefined)}
              />
              <NumberInput label="Turn (hours)" value={l.turnHours} min={1} onChange={(v) => setLayer(i, { turnHours: Number(v) || 1 })} w={110} error={layerError(i, 'turnHours')} />
              <TextInput label="Hand-off time" type="time" value={l.handoffTime} onChange={(e) => setLayer(i, { handoffTime: e.currentTarget.value })} w={120} error={layerError(i, 'handoffTime')} />
              <Select label="Hand-off day" data={[{ value: '', label: 'Any (from start)' }, ...WEEKDAYS.map((d, j) => ({ value: String(j + 1), label: d }))]} value={l.handoffWeekday} onChange={(v) => setLayer(i, { handoffWeekday: v ?? '' })} w={150} />
              <TextInput label="Starts on" type="date" value={l.startsOn} onChange={(e) => setLayer(i, { startsOn: e.currentTarget.value })} w={150} error={layerError(i, 'startsOn')} />
              {l.memberIds.length > 1 && (
                <Button variant="subtle" size="xs" onClick={() => setLayer(i, { memberIds: [...l.memberIds.slice(1), l.memberIds[0] as string] })}>
                  Rotate order of layer {i + 1}
                </Button>
              )}
              {layers.length > 1 && (
                <Button variant="subtle" color="red" onClick={() => setLayers(layers.filter((_, j) => j !== i))}>
                  Remove layer {i + 1}
                </Button>
              )}
            </Group>
          </Card>
        ))}
        <Text size="xs" c="dimmed">
          Later layers win where they have someone on; overrides beat every layer. People take turns in the order listed.
        </Text>
        <Group>
          <Button variant="default" onClick={() => setLayers([...layers, newLayer(layers.length + 1)])}>
            Add layer
          </Button>
          <Button type="submit">{initial ? 'Save schedule' : 'Create schedule'}</Button>
          {onDone && (
            <Button variant="subtle" onClick={onDone}>
              Cancel
            </Button>
          )}
        </Group>
        <FormError error={error} fieldsInPlace />
      </Stack>
    </form>
  );
}

type StepForm = { delayMinutes: number; targets: string[] };

function usePolicyTargets() {
  const { staff } = useDirectory();
  const schedules = useQuery({ queryKey: ['oncall-schedules'], queryFn: () => api.get('/api/v1/oncall/schedules').then((r) => r.items) });
  const policies = useQuery({ queryKey: ['oncall-policies'], queryFn: () => api.get('/api/v1/oncall/policies').then((r) => r.items) });
  const targets = [
    ...(schedules.data ?? []).map((s) => ({ value: `schedule:${s.id}`, label: `Schedule: ${s.name}` })),
    ...staff.map((u) => ({ value: `user:${u.id}`, label: u.name })),
    ...(policies.data ?? []).map((p) => ({ value: `policy:${p.id}`, label: `Policy: ${p.name}` })),
  ];
  return { targets, policies: policies.data ?? [] };
}

type PolicyDetail = ReturnType<typeof usePolicyTargets>['policies'][number];

function Policies() {
  const { targets, policies } = usePolicyTargets();
  const { error, save } = useSave([['oncall-policies']]);
  const [editing, setEditing] = useState<string | null>(null);
  const label = (v: string) => targets.find((t) => t.value === v)?.label ?? v;
  const edited = policies.find((p) => p.id === editing);
  return (
    <Stack>
      <Title order={3}>Escalation policies</Title>
      <Table.ScrollContainer minWidth={0} type="native">
        <Table aria-label="Escalation policies">
          <Table.Tbody>
            {policies.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>
                  {p.name}
                  <NotPaged people={p.notPaged} />
                </Table.Td>
                <Table.Td>
                  {p.steps.map((s, i) => `${i + 1}. ${s.targets.map((t) => label(`${t.type}:${t.id}`)).join(', ')} — wait ${s.delayMinutes} min`).join('  ')}
                  {p.repeat ? ` (repeated ${p.repeat}×)` : ''}
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button size="compact-xs" variant="subtle" onClick={() => setEditing(p.id)} aria-pressed={editing === p.id}>
                      Edit {p.name}
                    </Button>
                    <Button size="compact-xs" variant="subtle" color="red" onClick={() => void save(() => api.delete('/api/v1/oncall/policies/{id}', { path: { id: p.id } }))}>
                      Delete {p.name}
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <FormError error={error} />
      {edited && <PolicyForm key={edited.id} initial={edited} targets={targets} onDone={() => setEditing(null)} />}
      <PolicyForm targets={targets} />
    </Stack>
  );
}

/** One form for a new escalation policy and for editing one; a loop or an unknown target is shown at its step. */
function PolicyForm({ initial, targets, onDone }: { initial?: PolicyDetail; targets: { value: string; label: string }[]; onDone?: () => void }) {
  const { error, save } = useSave([['oncall-policies']]);
  const [name, setName] = useState(initial?.name ?? '');
  const [repeat, setRepeat] = useState(initial?.repeat ?? 0);
  const [steps, setSteps] = useState<StepForm[]>(initial ? initial.steps.map((s) => ({ delayMinutes: s.delayMinutes, targets: s.targets.map((t) => `${t.type}:${t.id}`) })) : [{ delayMinutes: 60, targets: [] }]);
  const setStep = (i: number, patch: Partial<StepForm>) => setSteps(steps.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  const title = initial ? `Edit policy ${initial.name}` : 'New escalation policy';
  // POLICY_LOOP names body.steps: shown under the steps; a bad target names body.steps.N.targets.M.
  const stepsError = error?.fields.find((f) => f.path === 'body.steps')?.message;
  const stepError = (i: number, field: string) => error?.fields.find((f) => f.path.startsWith(`body.steps.${i}.${field}`))?.message;
  return (
    <form
      aria-label={title}
      onSubmit={(e) => {
        e.preventDefault();
        const body = {
          name,
          description: initial?.description ?? '',
          repeat,
          steps: steps.map((s) => ({
            delayMinutes: s.delayMinutes,
            targets: s.targets.map((v) => {
              const [type, id] = v.split(':') as ['user' | 'schedule' | 'policy', string];
              return { type, id };
            }),
          })),
        };
        void save(
          () => (initial ? api.put('/api/v1/oncall/policies/{id}', { path: { id: initial.id }, body }) : api.post('/api/v1/oncall/policies', { body })),
          () => {
            if (onDone) return onDone();
            setName('');
            setSteps([{ delayMinutes: 60, targets: [] }]);
          },
        );
      }}
    >
      <Stack gap="xs">
        {initial && <Title order={4}>{title}</Title>}
        <Group align="flex-start">
          <TextInput label="Policy name" value={name} onChange={(e) => setName(e.currentTarget.value)} required error={error?.fieldError('name')} />
          <NumberInput label="Repeat the steps (times)" value={repeat} min={0} max={9} onChange={(v) => setRepeat(Number(v) || 0)} w={180} error={error?.fieldError('repeat')} />
        </Group>
        {steps.map((s, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: steps have no id; their order is their identity
          <Group key={i} align="flex-end">
            {/* Without the policy itself: it may not notify itself (the server refuses a longer loop, shown below). */}
            <MultiSelect label={`Step ${i + 1}: notify`} data={targets.filter((t) => t.value !== `policy:${initial?.id}`)} value={s.targets} onChange={(v) => setStep(i, { targets: v })} searchable w={360} error={stepError(i, 'targets')} />
            <NumberInput label={`Step ${i + 1}: then wait (minutes)`} value={s.delayMinutes} min={1} max={1440} onChange={(v) => setStep(i, { delayMinutes: Number(v) || 1 })} w={200} error={stepError(i, 'delayMinutes')} />
            {steps.length > 1 && (
              <Button variant="subtle" color="red" onClick={() => setSteps(steps.filter((_, j) => j !== i))}>
                Remove step {i + 1}
              </Button>
            )}
          </Group>
        ))}
        {stepsError && (
          <Text size="sm" c="red" role="alert">
            {error?.message}
          </Text>
        )}
        <Group>
          <Button variant="default" onClick={() => setSteps([...steps, { delayMinutes: 30, targets: [] }])}>
            Add step
          </Button>
          <Button type="submit">{initial ? 'Save policy' : 'Create policy'}</Button>
          {onDone && (
            <Button variant="subtle" onClick={onDone}>
              Cancel
            </Button>
          )}
        </Group>
        <FormError error={error} fieldsInPlace />
      </Stack>
    </form>
  );
}

function Settings() {
  const { priorities } = useDirectory();
  const { policies } = usePolicyTargets();
  const current = useQuery({ queryKey: ['oncall-settings'], queryFn: () => api.get('/api/v1/oncall/settings') });
  const { error, save } = useSave([['oncall-settings']]);
  const [form, setForm] = useState<{ ticketPriorities: string[]; ticketPolicyId: string | null; incidentPolicyId: string | null; webhookUrl: string } | null>(null);
  const data = current.data;
  if (!data) return null;
  const f = form ?? { ticketPriorities: data.ticketPriorities, ticketPolicyId: data.ticketPolicyId, incidentPolicyId: data.incidentPolicyId, webhookUrl: data.webhookUrl ?? '' };
  const options = policies.map((p) => ({ value: p.id, label: p.name }));
  return (
    <form
      aria-label="What pages"
      onSubmit={(e) => {
        e.preventDefault();
        void save(() => api.put('/api/v1/oncall/settings', { body: { ...f, webhookUrl: f.webhookUrl.trim() || null } }), () => setForm(null));
      }}
    >
      <Stack gap="xs">
        <Title order={3}>What pages</Title>
        <Group align="flex-end">
          <MultiSelect label="Ticket priorities that page" data={priorities.map((p) => p.key)} value={f.ticketPriorities} onChange={(v) => setForm({ ...f, ticketPriorities: v })} w={240} />
          <Select label="Tickets page policy" data={options} value={f.ticketPolicyId} onChange={(v) => setForm({ ...f, ticketPolicyId: v })} clearable w={220} />
          <Select label="Declared incidents page policy" data={options} value={f.incidentPolicyId} onChange={(v) => setForm({ ...f, incidentPolicyId: v })} clearable w={240} />
        </Group>
        <TextInput label="SMS / phone webhook URL (optional)" value={f.webhookUrl} onChange={(e) => setForm({ ...f, webhookUrl: e.currentTarget.value })} w={480} />
        {data.webhookSecret && (
          <Text size="xs" c="dimmed">
            Signing secret: <code>{data.webhookSecret}</code>
          </Text>
        )}
        <Group>
          <Button type="submit">Save paging settings</Button>
        </Group>
        <FormError error={error} />
      </Stack>
    </form>
  );
}
