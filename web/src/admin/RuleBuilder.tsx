import { ActionIcon, Badge, Button, Group, MultiSelect, NumberInput, Paper, SegmentedControl, Select, Stack, TagsInput, Text, Textarea, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { type ApiError, api } from '../api/client';
import type { Condition } from '../api/types';
import { type Directory, useDirectory } from '../app/directory';
import { PLACEHOLDERS } from './MacrosAdmin';

// The form-based rule builder: conditions as rows (field → operator → value, with the input the field needs),
// grouped by "all" or "any", and rule actions as rows. Triggers, automations, SLA policies and views use it;
// JSON stays one click away for what the form cannot say (a "not" group).

export type Where = 'trigger' | 'automation' | 'sla' | 'view';
type Comparison = { field: string; op: string; value?: unknown };
type Kind = 'key' | 'id' | 'text' | 'tags' | 'time' | 'hours' | 'number' | 'boolean';
type FieldDef = { field: string; label: string; kind: Kind; choices?: (dir: Directory, where: Where) => { value: string; label: string }[] };

const OPERATORS: Record<Kind, string[]> = {
  key: ['is', 'is_not', 'in', 'not_in', 'is_set', 'is_not_set'],
  id: ['is', 'is_not', 'in', 'not_in', 'is_set', 'is_not_set'],
  text: ['is', 'is_not', 'contains', 'not_contains', 'is_set', 'is_not_set'],
  tags: ['includes_any', 'includes_all', 'excludes'],
  time: ['before', 'after', 'is_set', 'is_not_set'],
  hours: ['gt', 'gte', 'lt', 'lte'],
  number: ['is', 'is_not', 'gt', 'gte', 'lt', 'lte', 'is_set', 'is_not_set'],
  boolean: ['is', 'is_set', 'is_not_set'],
};
const OP_LABEL: Record<string, string> = {
  is: 'is',
  is_not: 'is not',
  in: 'is one of',
  not_in: 'is none of',
  is_set: 'is set',
  is_not_set: 'is not set',
  contains: 'contains',
  not_contains: 'does not contain',
  includes_any: 'include any of',
  includes_all: 'include all of',
  excludes: 'include none of',
  before: 'is before',
  after: 'is after',
  gt: 'more than',
  gte: 'at least',
  lt: 'less than',
  lte: 'at most',
};
const CATEGORIES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'];
const CHANNELS = ['email', 'web', 'api', 'phone', 'slack', 'github', 'widget', 'portal', 'other'];
const METRICS = ['first_response', 'next_response', 'periodic_update', 'resolution'];
const plain = (xs: string[]) => xs.map((x) => ({ value: x, label: x.replace(/_/g, ' ') }));

const BUILT_IN: FieldDef[] = [
  { field: 'status', label: 'State', kind: 'key', choices: (d) => d.states.map((s) => ({ value: s.key, label: s.label })) },
  { field: 'status_category', label: 'State category', kind: 'key', choices: () => plain(CATEGORIES) },
  { field: 'priority', label: 'Priority', kind: 'key', choices: (d) => d.priorities.map((p) => ({ value: p.key, label: `${p.key} ${p.name}` })) },
  { field: 'type', label: 'Type', kind: 'key', choices: (d) => d.types.map((t) => ({ value: t.key, label: t.label })) },
  { field: 'channel', label: 'Channel', kind: 'key', choices: () => plain(CHANNELS) },
  { field: 'group', label: 'Group', kind: 'id', choices: (d, w) => [...(w === 'view' ? [{ value: '$my_groups', label: 'my groups' }] : []), ...d.groups.map((g) => ({ value: g.id, label: g.name }))] },
  { field: 'assignee', label: 'Assignee', kind: 'id', choices: (d, w) => [...(w === 'view' ? [{ value: '$me', label: 'me' }] : []), ...d.staff.map((u) => ({ value: u.id, label: u.name }))] },
  { field: 'organization', label: 'Organisation', kind: 'id', choices: (d) => d.organizations.map((o) => ({ value: o.id, label: o.name })) },
  { field: 'tags', label: 'Tags', kind: 'tags' },
  { field: 'subject', label: 'Subject', kind: 'text' },
  { field: 'product_area', label: 'Product area', kind: 'text' },
  { field: 'created_at', label: 'Created', kind: 'time' },
  { field: 'updated_at', label: 'Updated', kind: 'time' },
  { field: 'solved_at', label: 'Solved', kind: 'time' },
  { field: 'due_at', label: 'Due', kind: 'time' },
  { field: 'hours_since_created', label: 'Hours since created', kind: 'hours' },
  { field: 'hours_since_updated', label: 'Hours since updated', kind: 'hours' },
  { field: 'hours_since_status_changed', label: 'Hours since the state changed', kind: 'hours' },
  { field: 'hours_since_requester_replied', label: 'Hours since the requester replied', kind: 'hours' },
  { field: 'sla.metric', label: 'SLA clock (on SLA events)', kind: 'key', choices: () => plain(METRICS) },
];

/** The fields a condition can name here: the built-in ones and the ticket's custom fields, by their kind. */
export function fieldsFor(dir: Directory, where: Where): FieldDef[] {
  const custom: FieldDef[] = dir.customFields
    .filter((f) => f.active)
    .flatMap((f): FieldDef[] => {
      const field = `custom.${f.key}`;
      if (f.kind === 'dropdown') return [{ field, label: f.label, kind: 'key', choices: () => f.options.map((o) => ({ value: o, label: o })) }];
      if (f.kind === 'text' || f.kind === 'long_text') return [{ field, label: f.label, kind: 'text' }];
      if (f.kind === 'number') return [{ field, label: f.label, kind: 'number' }];
      if (f.kind === 'checkbox') return [{ field, label: f.label, kind: 'boolean' }];
      return [];
    });
  return [...BUILT_IN.filter((f) => f.field !== 'sla.metric' || where === 'trigger'), ...custom];
}

const isGroup = (c: Condition): c is { all: Condition[] } | { any: Condition[] } => 'all' in c || 'any' in c;
const itemsOf = (c: { all: Condition[] } | { any: Condition[] }) => ('all' in c ? c.all : c.any);
/** Whether the form can show this condition (all/any groups of comparisons, no "not"). */
export function formCanShow(c: Condition): boolean {
  if ('not' in c) return false;
  return isGroup(c) ? itemsOf(c).every(formCanShow) : true;
}
/** A condition as the form edits it: always a group at the top. */
export const asGroup = (c: Condition): { all: Condition[] } | { any: Condition[] } => (isGroup(c) ? c : { all: [c] });

type Problems = { path: string; message: string }[];
const problemsAt = (errors: Problems, path: string) => errors.filter((e) => e.path === path || e.path.startsWith(`${path}.`)).map((e) => e.message);

/**
 * A condition in rows, with the live count of open tickets it matches and a JSON view. `errors` are the API's
 * field errors (paths like `body.condition.all.0.op`), shown on the row they name.
 */
export function ConditionBuilder({ value, onChange, where, error, path = 'body.condition', label = 'Conditions' }: { value: Condition; onChange: (c: Condition) => void; where: Where; error?: ApiError | null; path?: string; label?: string }) {
  const dir = useDirectory();
  const [json, setJson] = useState<string | null>(formCanShow(value) ? null : JSON.stringify(value, null, 2));
  const [jsonProblem, setJsonProblem] = useState<string | null>(null);
  const errors = (error?.fields ?? []) as Problems;
  const fields = fieldsFor(dir, where);
  const toForm = () => {
    try {
      const parsed = JSON.parse(json ?? '') as Condition;
      if (!formCanShow(parsed)) return setJsonProblem('The form shows "all" and "any" groups of rows; this condition has a "not" part, so it stays in JSON.');
      onChange(parsed);
      setJson(null);
      setJsonProblem(null);
    } catch {
      setJsonProblem('Not valid JSON');
    }
  };
  return (
    <Stack gap="xs" role="group" aria-label={label}>
      <Group justify="space-between">
        <Text fw={600} size="sm">{label}</Text>
        <Group gap="xs">
          <MatchCount condition={json === null ? value : null} where={where} />
          <Button size="compact-xs" variant="subtle" onClick={() => (json === null ? setJson(JSON.stringify(value, null, 2)) : toForm())}>
            {json === null ? 'Edit as JSON' : 'Back to the form'}
          </Button>
        </Group>
      </Group>
      {json !== null ? (
        <Textarea
          aria-label={`${label} as JSON`}
          autosize
          minRows={4}
          styles={{ input: { fontFamily: 'monospace' } }}
          value={json}
          onChange={(e) => {
            const text = e.currentTarget.value;
            setJson(text);
            try {
              onChange(JSON.parse(text));
              setJsonProblem(null);
            } catch {
              setJsonProblem('Not valid JSON');
            }
          }}
          error={jsonProblem ?? problemsAt(errors, path).join('; ') ?? undefined}
        />
      ) : (
        <GroupRows group={asGroup(value)} onChange={onChange} fields={fields} where={where} errors={errors} path={path} depth={0} />
      )}
    </Stack>
  );
}

function GroupRows({ group, onChange, fields, where, errors, path, depth }: { group: { all: Condition[] } | { any: Condition[] }; onChange: (c: Condition) => void; fields: FieldDef[]; where: Where; errors: Problems; path: string; depth: number }) {
  const mode = 'all' in group ? 'all' : 'any';
  const items = itemsOf(group);
  const set = (next: Condition[], m: 'all' | 'any' = mode) => onChange(m === 'all' ? { all: next } : { any: next });
  const dir = useDirectory();
  const first = fields[0] as FieldDef;
  return (
    <Paper withBorder={depth > 0} p={depth > 0 ? 'xs' : 0}>
      <Stack gap={6}>
        <Group gap="xs">
          <Text size="sm">Match</Text>
          <SegmentedControl
            size="xs"
            aria-label={depth ? `Group ${path} matches` : 'Match all or any'}
            value={mode}
            onChange={(m) => set(items, m as 'all' | 'any')}
            data={[{ value: 'all', label: 'all of' }, { value: 'any', label: 'any of' }]}
          />
          <Text size="sm" c="dimmed">{items.length === 0 ? (mode === 'all' ? '(no rows: every ticket)' : '(no rows: no ticket)') : 'these:'}</Text>
        </Group>
        {items.map((c, i) => {
          const at = `${path}.${mode}.${i}`;
          const remove = () => set(items.filter((_, j) => j !== i));
          const replace = (x: Condition) => set(items.map((y, j) => (j === i ? x : y)));
          return isGroup(c) ? (
            <Group key={at} align="flex-start" wrap="nowrap" gap="xs">
              <GroupRows group={c} onChange={replace} fields={fields} where={where} errors={errors} path={at} depth={depth + 1} />
              <ActionIcon variant="subtle" color="red" aria-label={`Remove group ${i + 1}`} onClick={remove}>×</ActionIcon>
            </Group>
          ) : 'not' in c ? null : (
            <ComparisonRow key={at} index={i + 1} value={c as Comparison} onChange={replace} onRemove={remove} fields={fields} where={where} problems={problemsAt(errors, at)} />
          );
        })}
        <Group gap="xs">
          <Button size="compact-xs" variant="light" onClick={() => set([...items, { field: first.field, op: 'is', value: first.choices?.(dir, where)[0]?.value ?? '' }])}>
            Add condition
          </Button>
          {depth < 2 && (
            <Button size="compact-xs" variant="subtle" onClick={() => set([...items, mode === 'all' ? { any: [] } : { all: [] }])}>
              Add {mode === 'all' ? '"any of" group' : '"all of" group'}
            </Button>
          )}
        </Group>
      </Stack>
    </Paper>
  );
}

function defaultValue(kind: Kind, op: string): unknown {
  if (op === 'is_set' || op === 'is_not_set') return undefined;
  if (op === 'in' || op === 'not_in' || kind === 'tags') return [];
  if (kind === 'hours' || kind === 'number') return 0;
  if (kind === 'boolean') return true;
  if (kind === 'time') return new Date().toISOString();
  return '';
}

function ComparisonRow({ index, value, onChange, onRemove, fields, where, problems }: { index: number; value: Comparison; onChange: (c: Comparison) => void; onRemove: () => void; fields: FieldDef[]; where: Where; problems: string[] }) {
  const dir = useDirectory();
  const def = fields.find((f) => f.field === value.field);
  const kind = def?.kind ?? 'text';
  const ops = def ? OPERATORS[kind] : [value.op];
  const choices = def?.choices?.(dir, where);
  const setField = (field: string | null) => {
    const next = fields.find((f) => f.field === field);
    if (!next) return;
    const op = OPERATORS[next.kind].includes(value.op) ? value.op : (OPERATORS[next.kind][0] as string);
    onChange({ field: next.field, op, ...(defaultValue(next.kind, op) === undefined ? {} : { value: defaultValue(next.kind, op) }) });
  };
  const setOp = (op: string | null) => {
    if (!op) return;
    const wasList = Array.isArray(value.value);
    const v = defaultValue(kind, op);
    const keep = v !== undefined && Array.isArray(v) === wasList && value.value !== undefined;
    onChange({ field: value.field, op, ...(v === undefined ? {} : { value: keep ? value.value : v }) });
  };
  const setValue = (v: unknown) => onChange({ ...value, value: v });
  const name = `Condition ${index}`;
  let input: React.ReactNode = null;
  const op = value.op;
  if (op === 'is_set' || op === 'is_not_set') input = null;
  else if (kind === 'tags') input = <TagsInput aria-label={`${name} tags`} placeholder="type a tag, Enter" value={(value.value as string[]) ?? []} onChange={setValue} w={260} />;
  else if (op === 'in' || op === 'not_in')
    input = choices ? (
      <MultiSelect aria-label={`${name} values`} searchable data={choices} value={(value.value as string[]) ?? []} onChange={setValue} w={260} />
    ) : (
      <TagsInput aria-label={`${name} values`} value={(value.value as string[]) ?? []} onChange={setValue} w={260} />
    );
  else if (choices) input = <Select aria-label={`${name} value`} searchable data={choices} value={(value.value as string) || null} onChange={(v) => setValue(v ?? '')} w={220} />;
  else if (kind === 'hours')
    input = (
      <Group gap={4} wrap="nowrap">
        <NumberInput aria-label={`${name} hours`} min={0} max={1_000_000} w={100} value={Number(value.value ?? 0)} onChange={(v) => setValue(Number(v) || 0)} />
        <Text size="sm">hours</Text>
      </Group>
    );
  else if (kind === 'number') input = <NumberInput aria-label={`${name} value`} w={120} value={Number(value.value ?? 0)} onChange={(v) => setValue(Number(v) || 0)} />;
  else if (kind === 'boolean') input = <Select aria-label={`${name} value`} data={[{ value: 'true', label: 'checked' }, { value: 'false', label: 'not checked' }]} value={String(value.value ?? true)} onChange={(v) => setValue(v === 'true')} allowDeselect={false} w={140} />;
  else if (kind === 'time')
    input = (
      <TextInput
        type="datetime-local"
        aria-label={`${name} time`}
        w={220}
        value={typeof value.value === 'string' && !Number.isNaN(Date.parse(value.value)) ? toLocalInput(value.value) : ''}
        onChange={(e) => e.currentTarget.value && setValue(new Date(e.currentTarget.value).toISOString())}
      />
    );
  else input = <TextInput aria-label={`${name} value`} w={220} value={String(value.value ?? '')} onChange={(e) => setValue(e.currentTarget.value)} />;
  return (
    <Stack gap={2} data-testid="condition-row">
      <Group gap="xs" wrap="wrap" align="center">
        <Select
          aria-label={`${name} field`}
          searchable
          w={230}
          data={def ? fields.map((f) => ({ value: f.field, label: f.label })) : [{ value: value.field, label: `${value.field} (unknown)` }, ...fields.map((f) => ({ value: f.field, label: f.label }))]}
          value={value.field}
          onChange={setField}
          allowDeselect={false}
        />
        <Select aria-label={`${name} operator`} w={160} data={ops.map((o) => ({ value: o, label: OP_LABEL[o] ?? o }))} value={value.op} onChange={setOp} allowDeselect={false} />
        {input}
        <ActionIcon variant="subtle" color="red" aria-label={`Remove condition ${index}`} onClick={onRemove}>×</ActionIcon>
      </Group>
      {problems.map((p) => (
        <Text key={p} size="xs" c="red" role="alert">{p}</Text>
      ))}
    </Stack>
  );
}

function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "Matches N open tickets now", asked of the server a moment after the condition stops changing. */
function MatchCount({ condition, where }: { condition: Condition | null; where: Where }) {
  const key = condition ? JSON.stringify(condition) : null;
  const [settled, setSettled] = useState(key);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => setSettled(key), 400);
    return () => {
      if (timer.current) clearTimeout(timer.current);
    };
  }, [key]);
  const count = useQuery({
    queryKey: ['condition-matches', settled],
    queryFn: () => api.post('/api/v1/conditions/matches', { body: { condition: JSON.parse(settled as string) as Condition } }),
    enabled: settled !== null,
    retry: false,
    staleTime: 10_000,
  });
  if (!settled || where === 'trigger' || (!count.data && !count.error)) return null;
  if (count.error) return <Badge color="red" variant="light" tt="none">{(count.error as ApiError).fields?.[0]?.message ?? 'cannot count'}</Badge>;
  const d = count.data;
  if (!d) return null;
  return (
    <Badge variant="light" tt="none" data-testid="match-count" aria-live="polite">
      {d.timedOut ? 'too many to count quickly' : `matches ${d.capped ? `more than ${d.cap.toLocaleString()}` : d.count} open ticket${d.count === 1 ? '' : 's'} now`}
    </Badge>
  );
}

// ---- actions

export type Action =
  | { type: 'set'; field: 'status' | 'priority' | 'type' | 'group' | 'assignee'; value: string | null }
  | { type: 'add_tags' | 'remove_tags'; tags: string[] }
  | { type: 'note' | 'reply'; body: string }
  | { type: 'escalate'; urgency: 'low' | 'medium' | 'high' | 'critical'; toGroupId?: string }
  | { type: 'email'; to: string; subject: string; body: string }
  | { type: 'webhook'; webhookId: string }
  | { type: 'page'; policyId: string }
  | { type: 'declare_incident'; severity?: string };

const ACTION_TYPES = [
  { value: 'set:status', label: 'Set the state' },
  { value: 'set:priority', label: 'Set the priority' },
  { value: 'set:type', label: 'Set the type' },
  { value: 'set:group', label: 'Set the group' },
  { value: 'set:assignee', label: 'Set the assignee' },
  { value: 'add_tags', label: 'Add tags' },
  { value: 'remove_tags', label: 'Remove tags' },
  { value: 'reply', label: 'Reply to the requester' },
  { value: 'note', label: 'Add an internal note' },
  { value: 'escalate', label: 'Escalate to the next tier' },
  { value: 'email', label: 'Send an email' },
  { value: 'webhook', label: 'Post to a webhook' },
  { value: 'page', label: 'Page on call' },
  { value: 'declare_incident', label: 'Declare an incident' },
];
const actionKey = (a: Action) => (a.type === 'set' ? `set:${a.field}` : a.type);
function newAction(key: string): Action {
  if (key.startsWith('set:')) return { type: 'set', field: key.slice(4) as 'status', value: null };
  if (key === 'add_tags' || key === 'remove_tags') return { type: key, tags: [] };
  if (key === 'reply' || key === 'note') return { type: key, body: '' };
  if (key === 'escalate') return { type: 'escalate', urgency: 'high' };
  if (key === 'email') return { type: 'email', to: 'requester', subject: '', body: '' };
  if (key === 'webhook') return { type: 'webhook', webhookId: '' };
  if (key === 'declare_incident') return { type: 'declare_incident' };
  return { type: 'page', policyId: '' };
}

/** A rule's actions in rows; reply, note and email text in a text editor with placeholders to insert. */
export function ActionsBuilder({ value, onChange, error, path = 'body.actions' }: { value: Action[]; onChange: (a: Action[]) => void; error?: ApiError | null; path?: string }) {
  const dir = useDirectory();
  const webhooks = useQuery({ queryKey: ['webhooks'], queryFn: () => api.get('/api/v1/webhooks').then((r) => r.items) });
  const policies = useQuery({ queryKey: ['oncall-policies'], queryFn: () => api.get('/api/v1/oncall/policies').then((r) => r.items) });
  const severities = useQuery({ queryKey: ['incident-settings'], queryFn: () => api.get('/api/v1/incident-settings'), staleTime: 5 * 60_000, enabled: value.some((a) => a.type === 'declare_incident') });
  const [json, setJson] = useState<string | null>(null);
  const errors = (error?.fields ?? []) as Problems;
  const set = (i: number, a: Action) => onChange(value.map((x, j) => (j === i ? a : x)));
  return (
    <Stack gap="xs" role="group" aria-label="Actions">
      <Group justify="space-between">
        <Text fw={600} size="sm">Actions</Text>
        <Button
          size="compact-xs"
          variant="subtle"
          onClick={() => {
            if (json === null) return setJson(JSON.stringify(value, null, 2));
            try {
              onChange(JSON.parse(json));
              setJson(null);
            } catch {
              /* stays in JSON until it parses */
            }
          }}
        >
          {json === null ? 'Edit as JSON' : 'Back to the form'}
        </Button>
      </Group>
      {json !== null ? (
        <Textarea aria-label="Actions as JSON" autosize minRows={4} styles={{ input: { fontFamily: 'monospace' } }} value={json} onChange={(e) => {
          const text = e.currentTarget.value;
          setJson(text);
          try {
            onChange(JSON.parse(text));
          } catch {
            /* shown on save */
          }
        }} />
      ) : (
        value.map((a, i) => {
          const at = `${path}.${i}`;
          const name = `Action ${i + 1}`;
          const problems = problemsAt(errors, at);
          return (
            <Paper key={at} withBorder p="xs" data-testid="action-row">
              <Stack gap={6}>
                <Group gap="xs" align="flex-end">
                  <Select aria-label={`${name} does`} w={240} data={ACTION_TYPES} value={actionKey(a)} onChange={(k) => k && set(i, newAction(k))} allowDeselect={false} />
                  <ActionValue a={a} name={name} dir={dir} set={(x) => set(i, x)} webhooks={webhooks.data ?? []} policies={policies.data ?? []} severities={severities.data?.severities ?? []} />
                  <ActionIcon variant="subtle" aria-label={`Move ${name} up`} disabled={i === 0} onClick={() => { const next = [...value]; next.splice(i - 1, 0, ...next.splice(i, 1)); onChange(next); }}>↑</ActionIcon>
                  <ActionIcon variant="subtle" color="red" aria-label={`Remove ${name}`} onClick={() => onChange(value.filter((_, j) => j !== i))}>×</ActionIcon>
                </Group>
                {(a.type === 'reply' || a.type === 'note' || a.type === 'email') && <TextWithPlaceholders name={name} a={a} set={(x) => set(i, x)} />}
                {problems.map((p) => (
                  <Text key={p} size="xs" c="red" role="alert">{p}</Text>
                ))}
              </Stack>
            </Paper>
          );
        })
      )}
      {json === null && (
        <Group>
          <Select aria-label="Add an action" placeholder="Add an action…" w={260} data={ACTION_TYPES} value={null} onChange={(k) => k && onChange([...value, newAction(k)])} />
        </Group>
      )}
    </Stack>
  );
}

function ActionValue({ a, name, dir, set, webhooks, policies, severities }: { a: Action; name: string; dir: Directory; set: (a: Action) => void; webhooks: { id: string; name: string }[]; policies: { id: string; name: string }[]; severities: { key: string; name: string }[] }) {
  if (a.type === 'set') {
    const data =
      a.field === 'status'
        ? dir.states.filter((s) => s.category !== 'merged').map((s) => ({ value: s.key, label: s.label }))
        : a.field === 'priority'
          ? dir.priorities.map((p) => ({ value: p.key, label: `${p.key} ${p.name}` }))
          : a.field === 'type'
            ? dir.types.map((t) => ({ value: t.key, label: t.label }))
            : a.field === 'group'
              ? dir.groups.map((g) => ({ value: g.id, label: g.name }))
              : dir.staff.filter((u) => u.role !== 'light_agent').map((u) => ({ value: u.id, label: u.name }));
    const clearable = a.field === 'type' || a.field === 'group' || a.field === 'assignee';
    return <Select aria-label={`${name} value`} searchable w={240} data={clearable ? [{ value: '-', label: 'clear' }, ...data] : data} value={a.value === null ? (clearable ? '-' : null) : a.value} onChange={(v) => set({ ...a, value: v === '-' ? null : v })} />;
  }
  if (a.type === 'add_tags' || a.type === 'remove_tags') return <TagsInput aria-label={`${name} tags`} placeholder="type a tag, Enter" w={300} value={a.tags} onChange={(tags) => set({ ...a, tags })} />;
  if (a.type === 'escalate')
    return (
      <Group gap="xs">
        <Select aria-label={`${name} urgency`} w={140} data={['low', 'medium', 'high', 'critical']} value={a.urgency} onChange={(v) => v && set({ ...a, urgency: v as typeof a.urgency })} allowDeselect={false} />
        <Select aria-label={`${name} to group`} placeholder="the next tier" clearable w={200} data={dir.groups.map((g) => ({ value: g.id, label: g.name }))} value={a.toGroupId ?? null} onChange={(v) => set(v ? { ...a, toGroupId: v } : { type: 'escalate', urgency: a.urgency })} />
      </Group>
    );
  if (a.type === 'email')
    return (
      <Group gap="xs">
        <Select
          aria-label={`${name} to`}
          w={180}
          data={[{ value: 'requester', label: 'the requester' }, { value: 'assignee', label: 'the assignee' }, { value: 'group', label: 'the group' }, ...(['requester', 'assignee', 'group'].includes(a.to) ? [] : [{ value: a.to, label: a.to }])]}
          value={a.to}
          searchable
          onChange={(v) => v && set({ ...a, to: v })}
          allowDeselect={false}
        />
        <TextInput aria-label={`${name} address`} placeholder="or an address" w={200} value={a.to.includes('@') ? a.to : ''} onChange={(e) => set({ ...a, to: e.currentTarget.value || 'requester' })} />
      </Group>
    );
  if (a.type === 'webhook') return <Select aria-label={`${name} webhook`} w={240} data={webhooks.map((w) => ({ value: w.id, label: w.name }))} value={a.webhookId || null} onChange={(v) => v && set({ ...a, webhookId: v })} />;
  if (a.type === 'declare_incident')
    return (
      <Select
        aria-label={`${name} severity`}
        placeholder="the ticket's priority"
        clearable
        w={240}
        data={severities.map((s) => ({ value: s.key, label: `${s.key} ${s.name}` }))}
        value={a.severity ?? null}
        onChange={(v) => set(v ? { type: 'declare_incident', severity: v } : { type: 'declare_incident' })}
      />
    );
  if (a.type === 'page') return <Select aria-label={`${name} policy`} w={240} data={policies.map((p) => ({ value: p.id, label: p.name }))} value={a.policyId || null} onChange={(v) => v && set({ ...a, policyId: v })} />;
  return null;
}

function TextWithPlaceholders({ name, a, set }: { name: string; a: Extract<Action, { body: string }>; set: (a: Action) => void }) {
  const area = useRef<HTMLTextAreaElement>(null);
  const insert = (p: string) => {
    const el = area.current;
    const at = el ? el.selectionStart : a.body.length;
    const end = el ? el.selectionEnd : a.body.length;
    set({ ...a, body: a.body.slice(0, at) + p + a.body.slice(end) });
    setTimeout(() => {
      el?.focus();
      el?.setSelectionRange(at + p.length, at + p.length);
    }, 0);
  };
  return (
    <Stack gap={4}>
      {a.type === 'email' && <TextInput aria-label={`${name} subject`} label="Subject" value={a.subject} onChange={(e) => set({ ...a, subject: e.currentTarget.value })} />}
      <Textarea ref={area} aria-label={`${name} text`} label={a.type === 'reply' ? 'Text the requester gets' : a.type === 'note' ? 'Note for the team' : 'Email text'} autosize minRows={3} value={a.body} onChange={(e) => set({ ...a, body: e.currentTarget.value })} />
      <Group gap={6}>
        <Text size="xs" c="dimmed">Insert:</Text>
        {PLACEHOLDERS.filter(([p]) => !p.includes('current_user')).map(([p, label]) => (
          <Button key={p} size="compact-xs" variant="light" onClick={() => insert(p)}>{label}</Button>
        ))}
      </Group>
    </Stack>
  );
}
