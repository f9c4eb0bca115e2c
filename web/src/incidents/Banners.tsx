import { Alert, Button, Group, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { DeclareModal } from './IncidentsPage';
import { incidentsApi } from './model';

/** Across the app while a top-severity incident (P0/P1 on the active scheme) is open. */
export function ActiveIncidentBanner() {
  const settings = useQuery({ queryKey: ['incident-settings'], queryFn: incidentsApi.settings, staleTime: 5 * 60_000 });
  const active = useQuery({ queryKey: ['active-incidents'], queryFn: () => incidentsApi.list(true), refetchInterval: 30_000 });
  const top = new Set((settings.data?.severities ?? []).filter((s) => s.level <= 1).map((s) => s.key));
  const shown = (active.data ?? []).filter((i) => top.has(i.severity));
  if (!shown.length) return null;
  return (
    <Alert color="red" mb="sm" role="status" aria-label="Active incidents" py={6}>
      {shown.map((i) => (
        <Text size="sm" key={i.id}>
          <strong>{i.severity} incident:</strong> <Link href={`/incidents/${i.id}`}>{i.title}</Link>
        </Text>
      ))}
    </Alert>
  );
}

/** On the ticket page: the incidents it is tied to, and "Declare incident" from it. */
export function TicketIncidents({ ticket }: { ticket: { id: string; subject: string } }) {
  const linked = useQuery({ queryKey: ['ticket-incidents', ticket.id], queryFn: () => incidentsApi.forTicket(ticket.id) });
  const [opened, { open, close }] = useDisclosure(false);
  return (
    <>
      {(linked.data ?? []).map((i) => (
        <Alert key={i.id} color="orange" py={6} role="note" aria-label="Linked incident">
          Part of incident <Link href={`/incidents/${i.id}`}>#{i.number} {i.title}</Link> ({i.severity}, {i.state.replace('_', ' ')})
        </Alert>
      ))}
      <Group justify="flex-end">
        <Button size="xs" variant="subtle" color="red" onClick={open}>
          Declare incident
        </Button>
      </Group>
      <DeclareModal opened={opened} onClose={close} ticket={ticket} />
    </>
  );
}
