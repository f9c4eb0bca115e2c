import { Alert, Button, Group, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { useLiveSignal } from '../app/live';
import { Link } from 'wouter';
import { DeclareModal } from './IncidentsPage';
import { incidentsApi } from './model';

/**
 * Re-reads the active incidents whenever any of them changes, from anyone, in any server process (the `incidents`
 * signal on the app's one stream): a resolved incident's banner goes at once, a declared one appears at once.
 */
function useIncidentsLive(): void {
  const qc = useQueryClient();
  useLiveSignal('incidents', () => void qc.invalidateQueries({ queryKey: ['active-incidents'] }));
}

/** Across the app while a top-severity incident (P0/P1 on the active scheme) is open, and one's overdue action items. */
export function ActiveIncidentBanner() {
  useIncidentsLive();
  const settings = useQuery({ queryKey: ['incident-settings'], queryFn: incidentsApi.settings, staleTime: 5 * 60_000 });
  // The stream says when to re-read; the slow poll only covers a stream that cannot connect.
  const active = useQuery({ queryKey: ['active-incidents'], queryFn: () => incidentsApi.list(true), refetchInterval: 120_000 });
  const top = new Set((settings.data?.severities ?? []).filter((s) => s.level <= 1).map((s) => s.key));
  const shown = (active.data ?? []).filter((i) => top.has(i.severity));
  return (
    <>
      {shown.length > 0 && (
        <Alert color="red" mb="sm" role="status" aria-label="Active incidents" py={6}>
          {shown.map((i) => (
            <Text size="sm" key={i.id}>
              <strong>{i.severity} incident:</strong> <Link href={`/incidents/${i.id}`}>{i.title}</Link>
            </Text>
          ))}
        </Alert>
      )}
      <OverdueActionItems />
    </>
  );
}

/** The in-app side of the overdue reminder: one's retro action items past their due date, until done or moved. */
function OverdueActionItems() {
  const mine = useQuery({ queryKey: ['my-action-items'], queryFn: () => api.get('/api/v1/me/action-items').then((r) => r.items), refetchInterval: 5 * 60_000 });
  const items = mine.data ?? [];
  if (!items.length) return null;
  return (
    <Alert color="yellow" mb="sm" role="status" aria-label="Overdue action items" py={6}>
      {items.map((a) => (
        <Text size="sm" key={a.id}>
          <strong>Overdue action item</strong> (due {a.dueOn}): <Link href={`/incidents/${a.incidentId}`}>{a.title}</Link> — incident #{a.incidentNumber}
        </Text>
      ))}
    </Alert>
  );
}

/** On the ticket page, with its notices: the incidents it is tied to. */
export function LinkedIncidents({ ticket }: { ticket: { id: string } }) {
  const linked = useQuery({ queryKey: ['ticket-incidents', ticket.id], queryFn: () => incidentsApi.forTicket(ticket.id) });
  return (
    <>
      {(linked.data ?? []).map((i) => (
        <Alert key={i.id} color="orange" py={6} role="note" aria-label="Linked incident">
          Part of incident <Link href={`/incidents/${i.id}`}>#{i.number} {i.title}</Link> ({i.severity}, {i.state.replace('_', ' ')})
        </Alert>
      ))}
    </>
  );
}

/** "Declare incident" from a ticket: an action, so on a phone it sits with the panels below the conversation. */
export function DeclareIncidentFromTicket({ ticket }: { ticket: { id: string; subject: string } }) {
  const [opened, { open, close }] = useDisclosure(false);
  return (
    <>
      <Group justify="flex-end">
        <Button size="xs" variant="subtle" color="red" onClick={open}>
          Declare incident
        </Button>
      </Group>
      <DeclareModal opened={opened} onClose={close} ticket={ticket} />
    </>
  );
}
