import { Badge, Button, Card, Group, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { api } from '../api/client';
import { FormError, useSave } from '../admin/forms';
import type { IncidentDetail } from './model';

type Item = { title: string; ownerId: string | null; dueOn: string | null; link: string | null; done: boolean };

/** The retro: summary, root cause, five whys, what went well and badly, action items; done or skipped. */
export function Retro({ d }: { d: IncidentDetail }) {
  const r = d.retro;
  const [summary, setSummary] = useState(r?.summary ?? '');
  const [rootCause, setRootCause] = useState(r?.rootCause ?? '');
  const [whys, setWhys] = useState<string[]>(() => [...(r?.whys ?? []), '', '', '', '', ''].slice(0, Math.max(5, r?.whys.length ?? 0)));
  const [wentWell, setWentWell] = useState(r?.wentWell ?? '');
  const [wentBadly, setWentBadly] = useState(r?.wentBadly ?? '');
  const [items, setItems] = useState<Item[]>(r?.actionItems ?? []);
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
        {items.map((it, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: unsaved rows have no id
          <Group key={i} gap={4} wrap="nowrap">
            <TextInput aria-label={`Action item ${i + 1}`} size="xs" style={{ flex: 2 }} value={it.title} disabled={!editable} onChange={(e) => { const v = e.currentTarget.value; setItems((all) => all.map((x, j) => (j === i ? { ...x, title: v } : x))); }} />
            <TextInput aria-label={`Due date of action item ${i + 1}`} size="xs" type="date" value={it.dueOn ?? ''} disabled={!editable} onChange={(e) => { const v = e.currentTarget.value || null; setItems((all) => all.map((x, j) => (j === i ? { ...x, dueOn: v } : x))); }} />
            <TextInput aria-label={`Link of action item ${i + 1}`} size="xs" placeholder="https://…" style={{ flex: 1 }} value={it.link ?? ''} disabled={!editable} onChange={(e) => { const v = e.currentTarget.value || null; setItems((all) => all.map((x, j) => (j === i ? { ...x, link: v } : x))); }} />
          </Group>
        ))}
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
