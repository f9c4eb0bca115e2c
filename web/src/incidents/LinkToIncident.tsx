import { Select } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import { incidentsApi } from './model';

/** "Link to incident…" in a view's bulk bar: ties the selected tickets to an active incident in one request. */
export function LinkToIncident({ ids, onDone }: { ids: string[]; onDone: () => void }) {
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const active = useQuery({ queryKey: ['active-incidents'], queryFn: () => incidentsApi.list(true), refetchInterval: 30_000 });
  if (!active.data?.length) return null;
  const link = async (incidentId: string) => {
    const incident = active.data.find((i) => i.id === incidentId);
    setBusy(true);
    try {
      const res = await api.post('/api/v1/incidents/{id}/tickets', { path: { id: incidentId }, body: { ticketIds: ids } });
      const already = ids.length - res.linked.length;
      notifications.show({ color: 'teal', message: `Linked ${res.linked.length} ticket${res.linked.length === 1 ? '' : 's'} to incident #${incident?.number}${already ? ` (${already} already linked)` : ''}` });
      await qc.invalidateQueries({ queryKey: ['incidents'] });
      await qc.invalidateQueries({ queryKey: ['ticket-incidents'] });
      onDone();
    } catch (err) {
      notifications.show({ color: 'red', title: 'Not linked', message: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Select
      size="xs"
      aria-label="Link selected to incident"
      placeholder="Link to incident…"
      disabled={busy}
      data={active.data.map((i) => ({ value: i.id, label: `#${i.number} ${i.severity} ${i.title}` }))}
      value={null}
      onChange={(v) => v && void link(v)}
    />
  );
}
