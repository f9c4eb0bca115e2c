import { Button, Group, Modal, Paper, Select, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api } from '../api/client';
import type { TicketRow } from '../api/types';
import { useDirectory } from '../app/directory';
import { LinkToIncident } from '../incidents/LinkToIncident';
import { confirmChange } from '../app/undo';
import { inverseOf } from '../tickets/inverse';
import { MergePreview } from '../tickets/MergePreview';

type Changes = NonNullable<Parameters<typeof api.post<'/api/v1/tickets/bulk'>>[1]['body']['changes']>;

/** Bulk actions on the selected tickets: each ticket is changed on its own, and refusals are reported. */
export function BulkBar({ ids, rows, onDone }: { ids: string[]; rows: TicketRow[]; onDone: () => void }) {
  const dir = useDirectory();
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [tag, setTag] = useState('');
  const [confirmMerge, setConfirmMerge] = useState(false);
  const refresh = async () => {
    await qc.invalidateQueries({ queryKey: ['tickets'] });
    await qc.invalidateQueries({ queryKey: ['view-counts'] });
  };
  const run = async (body: { changes?: Changes; mergeIntoId?: string }, what: string) => {
    setBusy(true);
    try {
      const res = await api.post('/api/v1/tickets/bulk', { body: { ids, ...body } });
      const failed = res.items.filter((i) => !i.ok);
      const done = res.items.filter((i) => i.ok).map((i) => rows.find((r) => r.id === i.id));
      if (failed.length) {
        notifications.show({ color: 'orange', title: `${what}: ${res.items.length - failed.length} of ${res.items.length} tickets`, message: failed.map((f) => f.detail).join('; ') });
      }
      const changes = body.changes;
      if (done.length) {
        confirmChange({
          message: `${what}: ${done.length} ticket${done.length === 1 ? '' : 's'}`,
          // A merge cannot be taken back; a field change can, ticket by ticket, each with its version check.
          undo: changes && done.every((r) => r && inverseOf(r, changes)) ? () => undoBulk(done as TicketRow[], changes, what) : undefined,
        });
      }
      await refresh();
      onDone();
    } catch (err) {
      notifications.show({ color: 'red', title: `${what} failed`, message: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  /**
   * Undo of a bulk change: each ticket gets its own inverse, sent with the version it has right after the change
   * (the version seen plus one), so a ticket someone changed since is left alone and named.
   */
  const undoBulk = async (done: TicketRow[], changes: Changes, what: string) => {
    const refused: string[] = [];
    for (const row of done) {
      const inverse = inverseOf(row, changes);
      if (!inverse) continue;
      try {
        await api.patch('/api/v1/tickets/{id}', { path: { id: row.id }, body: { ...inverse, version: row.version + 1 } });
      } catch (err) {
        refused.push(`#${row.number}${err instanceof ApiError && err.code === 'VERSION_CONFLICT' ? ' (changed since)' : `: ${(err as Error).message}`}`);
      }
    }
    notifications.show({
      color: refused.length ? 'orange' : 'teal',
      message: refused.length ? `${what} undone except on ${refused.join(', ')}` : `${what} undone on ${done.length} ticket${done.length === 1 ? '' : 's'}`,
    });
    await refresh();
  };
  // The oldest ticket survives (the lower number when two were created in the same instant).
  const oldest = [...rows].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.number - b.number)[0];
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
        <LinkToIncident ids={ids} onDone={onDone} />
        {ids.length > 1 && oldest && (
          <Button size="xs" variant="default" disabled={busy} onClick={() => setConfirmMerge(true)}>
            Merge into #{oldest.number}…
          </Button>
        )}
        {oldest && (
          <Modal opened={confirmMerge} onClose={() => setConfirmMerge(false)} title={`Merge ${rows.length - 1} ticket${rows.length === 2 ? '' : 's'} into #${oldest.number}`} size="lg">
            <MergePreview
              sources={rows.filter((r) => r.id !== oldest.id)}
              target={oldest}
              busy={busy}
              onCancel={() => setConfirmMerge(false)}
              onConfirm={() => void run({ mergeIntoId: oldest.id }, `Merge into #${oldest.number}`).then(() => setConfirmMerge(false))}
            />
          </Modal>
        )}
        <Button size="xs" variant="subtle" onClick={onDone}>
          Clear
        </Button>
      </Group>
    </Paper>
  );
}
