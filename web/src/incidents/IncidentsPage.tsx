import { Badge, Button, Group, Loader, Modal, MultiSelect, Select, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api } from '../api/client';
import { FormError, useSave } from '../admin/forms';
import { dueText, incidentsApi, STATE_LABELS } from './model';
import { AreaNav } from './StatusPages';
import { useNow } from './useNow';

/** The Incidents area: open ones first, then the rest; "Declare incident" opens the form. */
export function IncidentsPage() {
  const list = useQuery({ queryKey: ['incidents'], queryFn: () => incidentsApi.list(), refetchInterval: 15_000 });
  const [opened, { open, close }] = useDisclosure(false);
  const now = useNow();
  return (
    <Stack>
      <AreaNav current="incidents" />
      <Group justify="space-between">
        <Title order={2}>Incidents</Title>
        <Button onClick={open}>Declare incident</Button>
      </Group>
      {list.isPending ? (
        <Loader />
      ) : (
        <Table.ScrollContainer minWidth={0} type="native">
          <Table striped highlightOnHover aria-label="Incidents">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>#</Table.Th>
                <Table.Th>Title</Table.Th>
                <Table.Th>Severity</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Lead</Table.Th>
                <Table.Th>Tickets</Table.Th>
                <Table.Th>Next update</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(list.data ?? []).map((i) => {
                const due = dueText(i, now);
                return (
                  <Table.Tr key={i.id}>
                    <Table.Td>{i.number}</Table.Td>
                    <Table.Td>
                      <Link href={`/incidents/${i.id}`}>{i.title}</Link>
                    </Table.Td>
                    <Table.Td>
                      <Badge color="red" variant="light">
                        {i.severity}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{STATE_LABELS[i.state]}</Table.Td>
                    <Table.Td>{i.lead?.name ?? '—'}</Table.Td>
                    <Table.Td>{i.linkedTickets}</Table.Td>
                    <Table.Td>{due ? <Text c={due.late ? 'red' : undefined} size="sm">{due.text}</Text> : '—'}</Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {list.data?.length === 0 && <Text c="dimmed">No incidents yet.</Text>}
      <DeclareModal opened={opened} onClose={close} />
    </Stack>
  );
}

/** Declares an incident, on its own or from a ticket (which it links). */
export function DeclareModal({ opened, onClose, ticket }: { opened: boolean; onClose: () => void; ticket?: { id: string; subject: string } }) {
  const [, navigate] = useLocation();
  const qc = useQueryClient();
  const settings = useQuery({ queryKey: ['incident-settings'], queryFn: incidentsApi.settings, enabled: opened });
  const components = useQuery({ queryKey: ['status-components'], queryFn: incidentsApi.components, enabled: opened });
  const [title, setTitle] = useState(ticket?.subject ?? '');
  // Never the ticket's subject: it is a customer's words (names, internal detail) and this one is public.
  const [publicTitle, setPublicTitle] = useState(ticket ? 'Service disruption' : '');
  const [severity, setSeverity] = useState<string | null>(null);
  const [affected, setAffected] = useState<string[]>([]);
  const [impact, setImpact] = useState('');
  const { error, save } = useSave([['incidents'], ['ticket-incidents']]);
  const submit = () =>
    save(async () => {
      const created = (await api.post('/api/v1/incidents', {
        body: { title, publicTitle: publicTitle.trim() || title, severity: severity ?? '', originTicketId: ticket?.id, components: affected.map((id) => ({ id, status: 'major_outage' as const })), roles: {}, impact },
      }));
      await qc.invalidateQueries({ queryKey: ['active-incidents'] });
      onClose();
      navigate(`/incidents/${created.id}`);
    });
  return (
    <Modal opened={opened} onClose={onClose} title="Declare incident">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Stack>
          <FormError error={error} />
          <TextInput label="Title" description="For the team; never shown publicly" value={title} onChange={(e) => setTitle(e.currentTarget.value)} required data-autofocus />
          <TextInput
            label="Title on the status page"
            description="What customers see on the status page, in its feeds and in mail"
            placeholder={ticket ? undefined : 'The title'}
            value={publicTitle}
            onChange={(e) => setPublicTitle(e.currentTarget.value)}
            required={!!ticket}
          />
          <Select
            label="Severity"
            data={(settings.data?.severities ?? []).map((s) => ({ value: s.key, label: `${s.key} — ${s.name} (update every ${s.cadenceMinutes} min)` }))}
            value={severity}
            onChange={setSeverity}
            required
          />
          <MultiSelect label="Affected components" data={(components.data ?? []).map((c) => ({ value: c.id, label: c.name }))} value={affected} onChange={setAffected} />
          <Textarea label="Impact" value={impact} onChange={(e) => setImpact(e.currentTarget.value)} autosize minRows={2} />
          {ticket && <Text size="sm" c="dimmed">The ticket is linked to the incident.</Text>}
          <Group justify="flex-end">
            <Button type="submit">Declare</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
