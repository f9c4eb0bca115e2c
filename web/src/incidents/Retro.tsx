import { Badge, Button, Card, Checkbox, Group, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { api } from '../api/client';
import { FormError, useSave } from '../admin/forms';
import { useDirectory } from '../app/directory';
import type { IncidentDetail } from './model';

type Item = { id?: string; title: string; ownerId: string | null; dueOn: string | null; link: string | null; done: boolean };

/** Past its due date and not done (the due day is over in UTC, as the server's reminder counts it). */
export function isOverdue(item: Pick<Item, 'done' | 'dueOn'>, now = new Date()): boolean {
  return !item.done && !!item.dueOn && item.dueOn < now.toISOString().slice(0, 10);
}

/** The retro: summary, root cause, five whys, what went well and badly, action items; done or skipped. */
export function Retro({ d }: { d: IncidentDetail }) {
  const r = d.retro;
  const [summary, setSummary] = useState(r?.summary ?? '');
  const [rootCause, setRootCause] = useState(r?.rootCause ?? '');
  const [whys, setWhys] = useState<string[]>(() => [...(r?.whys ?? []), '', '', '', '', ''].slice(0, Math.max(5, r?.whys.length ?? 0)));
  const [wentWell, setWentWell] = useState(r?.wentWell ?? '');
  const [wentBadly, setWentBadly] = useState(r?.wentBadly ?? '');
  const [items, setItems] = useState<Item[]>(() => (r?.actionItems ?? []).map(({ remindedFor: _r, ...item }) => item));
  const dir = useDirectory();
  const staff = dir.staff.map((u) => ({ value: u.id, label: u.name }));
  const [skipReason, setSkipReason] = useState('');
  const { error, save } = useSave([['incident']]);
  if (!r) return null;
  const editable = r.status === 'draft' && d.state !== 'closed';
  const body = { summary, rootCause, whys: whys.map((w) => w.trim()).filter(Boolean), wentWell, wentBadly, actionItems: items.filter((i) => i.title.trim()) };
  return (
    <Card withBorder aria-label="Retrospective" component="section">
      <Group justify="space-between">
        <Title order={5}>Retrospective</Title>
        <Badge variant="light">{r.status === 'skipped' ? `skipped: ${r.skipReason}` : r.status}</Badge>
      </Group>
      <Text size="xs" c="dimmed">
        Due {new Date(r.dueAt).toLocaleString()}
      </Text>
      <FormError error={error} />
      <Stack gap={6}>
        <Textarea label="Summary" size="xs" autosize value={summary} onChange={(e) => setSummary(e.currentTarget.value)} disabled={!editable} />
        <Textarea label="Root cause" size="xs" autosize value={rootCause} onChange={(e) => setRootCause(e.currentTarget.value)} disabled={!editable} />
        {whys.map((w, i) => (
          <TextInput
            // biome-ignore lint/suspicious/noArrayIndexKey: the five whys are positions, not records
            key={i}
            label={`Why ${i + 1}`}
            size="xs"
            value={w}
            disabled={!editable}
            onChange={(e) => {
              const v = e.currentTarget.value;
              setWhys((all) => all.map((x, j) => (j === i ? v : x)));
            }}
          />
        ))}
        <Textarea label="What went well" size="xs" autosize value={wentWell} onChange={(e) => setWentWell(e.currentTarget.value)} disabled={!editable} />
        <Textarea label="What went badly" size="xs" autosize value={wentBadly} onChange={(e) => setWentBadly(e.currentTarget.value)} disabled={!editable} />
        <Text size="sm" fw={600}>
          Action items
        </Text>
        {editable
          ? items.map((it, i) => (
              // Unsaved rows have no id yet: their position is their key until saved.
              <Group key={it.id ?? i} gap={4} wrap="nowrap" aria-label={`Action item ${i + 1}`} role="group">
                <Checkbox aria-label={`Action item ${i + 1} done`} checked={it.done} onChange={(e) => { const v = e.currentTarget.checked; setItems((all) => all.map((x, j) => (j === i ? { ...x, done: v } : x))); }} />
                <TextInput aria-label={`Title of action item ${i + 1}`} size="xs" style={{ flex: 2 }} value={it.title} onChange={(e) => { const v = e.currentTarget.value; setItems((all) => all.map((x, j) => (j === i ? { ...x, title: v } : x))); }} />
                <Select aria-label={`Owner of action item ${i + 1}`} size="xs" w={150} placeholder="Owner" searchable clearable data={staff} value={it.ownerId} onChange={(v) => setItems((all) => all.map((x, j) => (j === i ? { ...x, ownerId: v } : x)))} />
                <TextInput aria-label={`Due date of action item ${i + 1}`} size="xs" type="date" value={it.dueOn ?? ''} onChange={(e) => { const v = e.currentTarget.value || null; setItems((all) => all.map((x, j) => (j === i ? { ...x, dueOn: v } : x))); }} />
                <TextInput aria-label={`Link of action item ${i + 1}`} size="xs" placeholder="https://…" style={{ flex: 1 }} value={it.link ?? ''} onChange={(e) => { const v = e.currentTarget.value || null; setItems((all) => all.map((x, j) => (j === i ? { ...x, link: v } : x))); }} />
                {isOverdue(it) && <Badge color="red" size="sm">Overdue</Badge>}
              </Group>
            ))
          : r.actionItems.map((it, i) => <FollowUp key={it.id} incidentId={d.id} item={it} n={i + 1} staff={staff} />)}
        {editable && (
          <>
            <Group>
              <Button size="xs" variant="subtle" onClick={() => setItems((all) => [...all, { title: '', ownerId: null, dueOn: null, link: null, done: false }])}>
                Add action item
              </Button>
              <Button size="xs" onClick={() => void save(() => api.put('/api/v1/incidents/{id}/retro', { path: { id: d.id }, body }))}>
                Save retro
              </Button>
              <Button
                size="xs"
                variant="light"
                onClick={() =>
                  void save(async () => {
                    await api.put('/api/v1/incidents/{id}/retro', { path: { id: d.id }, body });
                    await api.post('/api/v1/incidents/{id}/retro/complete', { path: { id: d.id }, body: { done: true } });
                  })
                }
              >
                Mark retro done
              </Button>
            </Group>
            <Group align="flex-end">
              <TextInput label="Skip the retro because" size="xs" style={{ flex: 1 }} value={skipReason} onChange={(e) => setSkipReason(e.currentTarget.value)} />
              <Button size="xs" variant="default" onClick={() => void save(() => api.post('/api/v1/incidents/{id}/retro/complete', { path: { id: d.id }, body: { skipReason } }))}>
                Skip retro
              </Button>
            </Group>
          </>
        )}
      </Stack>
    </Card>
  );
}

/**
 * An action item after the retro is done (or skipped, or the incident closed): still followed up — done, a new due
 * date or owner, each saved at once (a new due date re-arms the overdue reminder).
 */
function FollowUp({ incidentId, item, n, staff }: { incidentId: string; item: Item & { id: string }; n: number; staff: { value: string; label: string }[] }) {
  const { error, save } = useSave([['incident'], ['my-action-items']]);
  const patch = (body: { done?: boolean; dueOn?: string | null; ownerId?: string | null }) =>
    void save(() => api.patch('/api/v1/incidents/{id}/retro/action-items/{itemId}', { path: { id: incidentId, itemId: item.id }, body }));
  return (
    <Stack gap={2}>
      <Group gap={4} wrap="nowrap" aria-label={`Action item ${n}`} role="group">
        <Checkbox aria-label={`Action item ${n} done`} checked={item.done} onChange={(e) => patch({ done: e.currentTarget.checked })} />
        <Text size="sm" style={{ flex: 2 }} td={item.done ? 'line-through' : undefined}>
          {item.link ? <a href={item.link} target="_blank" rel="noreferrer noopener">{item.title}</a> : item.title}
        </Text>
        <Select aria-label={`Owner of action item ${n}`} size="xs" w={150} placeholder="Owner" searchable clearable data={staff} value={item.ownerId} onChange={(v) => patch({ ownerId: v })} />
        <TextInput aria-label={`Due date of action item ${n}`} size="xs" type="date" defaultValue={item.dueOn ?? ''} onBlur={(e) => { const v = e.currentTarget.value || null; if (v !== item.dueOn) patch({ dueOn: v }); }} />
        {isOverdue(item) && <Badge color="red" size="sm">Overdue</Badge>}
      </Group>
      <FormError error={error} />
    </Stack>
  );
}
