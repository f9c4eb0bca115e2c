import { Button, Group, Paper, Select, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import type { TicketRow } from '../api/types';
import { useDirectory } from '../app/directory';

type Changes = NonNullable<Parameters<typeof api.post<'/api/v1/tickets/bulk'>>[1]['body']['changes']>;

/** Bulk actions on the selected tickets: each ticket is changed on its own, and refusals are reported. */
export function BulkBar({ ids, rows, onDone }: { ids: string[]; rows: TicketRow[]; onDone: () => void }) {
  const dir = useDirectory();
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [tag, setTag] = useState('');
  const run = async (body: { changes?: Changes; mergeIntoId?: string }, what: string) => {
    setBusy(true);
    try {
      const res = await api.post('/api/v1/tickets/bulk', { body: { ids, ...body } });
      const failed = res.items.filter((i) => !i.ok);
      notifications.show({
        color: failed.length ? 'orange' : 'teal',
        title: `${what}: ${res.items.length - failed.length} of ${res.items.length} tickets`,
        message: failed.length ? failed.map((f) => f.detail).join('; ') : 'Done',
      });
      await qc.invalidateQueries({ queryKey: ['tickets'] });
      await qc.invalidateQueries({ queryKey: ['view-counts'] });
      onDone();
    } catch (err) {
      notifications.show({ color: 'red', title: `${what} failed`, message: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  const oldest = [...rows].sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
  return (
    <Paper withBorder p="xs" mb="xs" bg="teal.0" role="toolbar" aria-label="Bulk actions">
      <Group gap="xs" wrap="wrap">
        <Text size="sm" fw={600}>
          {ids.length} selected
        </Text>
        <Select
          size="xs"
          aria-label="Assign selected to"
          placeholder="Assign to…"
          searchable
          disabled={busy}
          data={[{ value: '', label: 'Nobody' }, ...dir.staff.filter((u) => u.role !== 'light_agent').map((u) => ({ value: u.id, label: u.name }))]}
          value={null}
          onChange={(v) => v !== null && void run({ changes: { assigneeId: v || null } }, 'Assign')}
        />
        <Select size="xs" aria-label="Set state of selected" placeholder="Set state…" disabled={busy} data={dir.states.filter((s) => s.category !== 'merged').map((s) => ({ value: s.key, label: s.label }))} value={null} onChange={(v) => v && void run({ changes: { status: v } }, 'Set state')} />
        <Select size="xs" aria-label="Set priority of selected" placeholder="Set priority…" disabled={busy} data={dir.priorities.map((p) => ({ value: p.key, label: `${p.key} ${p.name}` }))} value={null} onChange={(v) => v && void run({ changes: { priority: v } }, 'Set priority')} />
        <Select size="xs" aria-label="Set type of selected" placeholder="Set type…" disabled={busy} data={dir.types.filter((t) => t.active).map((t) => ({ value: t.key, label: t.label }))} value={null} onChange={(v) => v && void run({ changes: { type: v } }, 'Set type')} />
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (tag.trim()) void run({ changes: { addTags: [tag.trim().toLowerCase()] } }, 'Add tag').then(() => setTag(''));
          }}
        >
          <TextInput size="xs" aria-label="Add tag to selected" placeholder="Add tag…" value={tag} onChange={(e) => setTag(e.currentTarget.value)} disabled={busy} />
        </form>
        {ids.length > 1 && oldest && (
          <Button size="xs" variant="default" disabled={busy} onClick={() => void run({ mergeIntoId: oldest.id }, `Merge into #${oldest.number}`)}>
            Merge into #{oldest.number}
          </Button>
        )}
        <Button size="xs" variant="subtle" onClick={onDone}>
          Clear
        </Button>
      </Group>
    </Paper>
  );
}
