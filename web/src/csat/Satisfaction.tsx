import { Badge, Button, Card, Group, NumberInput, SegmentedControl, SimpleGrid, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { FormError, useSave } from '../admin/forms';
import { api } from '../api/client';
import { useSession } from '../app/session';
import { When } from '../app/When';

const STATUS_WORDS: Record<string, string> = { scheduled: 'to be sent', sent: 'sent, no answer yet', answered: 'answered', cancelled: 'withdrawn' };

function RatingBadge({ rating }: { rating: 'good' | 'bad' | null }) {
  if (!rating) return null;
  return (
    <Badge color={rating === 'good' ? 'green' : 'red'} variant="light">
      {rating === 'good' ? '👍 Good' : '👎 Bad'}
    </Badge>
  );
}

/** On the ticket page: the satisfaction surveys of this ticket (one per solve) and their answers. */
export function TicketSatisfaction({ ticketId }: { ticketId: string }) {
  const surveys = useQuery({ queryKey: ['satisfaction', ticketId], queryFn: () => api.get('/api/v1/tickets/{id}/satisfaction', { path: { id: ticketId } }).then((r) => r.items) });
  const items = surveys.data ?? [];
  if (!items.length) return null;
  return (
    <Card withBorder padding="sm" component="section" aria-label="Satisfaction">
      <Text fw={600} size="sm" mb={4}>
        Satisfaction
      </Text>
      <Stack gap={6}>
        {items.map((s) => (
          <div key={s.id} data-testid="survey">
            <Group gap={6}>
              <RatingBadge rating={s.rating} />
              <Text size="xs" c="dimmed">
                {STATUS_WORDS[s.status]}
                {s.cancelledReason ? ` (${s.cancelledReason})` : ''}
                {s.status === 'scheduled' ? <> · goes out <When at={s.sendAt} /></> : null}
                {s.answeredAt ? <> · <When at={s.answeredAt} /></> : null}
              </Text>
            </Group>
            {s.reason && <Text size="sm">Reason: {s.reason}</Text>}
            {s.comment && <Text size="sm">“{s.comment}”</Text>}
          </div>
        ))}
      </Stack>
    </Card>
  );
}

/** The satisfaction screen: rate, response rate and the latest comments; admins set the delay and reasons. */
export function SatisfactionPage() {
  const { me } = useSession();
  const [days, setDays] = useState('30');
  const report = useQuery({ queryKey: ['csat-report', days], queryFn: () => api.get('/api/v1/csat/report', { query: { days: Number(days) } }) });
  const r = report.data;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Satisfaction</Title>
        <SegmentedControl aria-label="Period" value={days} onChange={setDays} data={[{ value: '7', label: '7 days' }, { value: '30', label: '30 days' }, { value: '90', label: '90 days' }]} />
      </Group>
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        <Stat label="Satisfied" value={r?.satisfaction == null ? '—' : `${r.satisfaction} %`} testId="csat-rate" />
        <Stat label="Response rate" value={r?.responseRate == null ? '—' : `${r.responseRate} %`} testId="csat-response-rate" />
        <Stat label="Surveys sent" value={String(r?.sent ?? 0)} />
        <Stat label="Good / bad" value={`${r?.good ?? 0} / ${r?.bad ?? 0}`} />
      </SimpleGrid>
      <Table.ScrollContainer minWidth={0} type="native">
        <Table aria-label="Survey answers" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Ticket</Table.Th>
              <Table.Th>Rating</Table.Th>
              <Table.Th>Comment</Table.Th>
              <Table.Th>When</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(r?.responses ?? []).map((x) => (
              <Table.Tr key={x.id}>
                <Table.Td>{x.ticketNumber ? <Link href={`/tickets/${x.ticketNumber}`}>#{x.ticketNumber}</Link> : '—'}</Table.Td>
                <Table.Td>
                  <RatingBadge rating={x.rating} />
                </Table.Td>
                <Table.Td>
                  {x.reason && <Text size="sm" fw={500}>{x.reason}</Text>}
                  <Text size="sm">{x.comment ?? ''}</Text>
                </Table.Td>
                <Table.Td>{x.answeredAt ? <When at={x.answeredAt} /> : '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {r && r.responses.length === 0 && <Text c="dimmed">No answers in this period.</Text>}
      {me.role === 'admin' && <CsatSettings />}
    </Stack>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="xl" data-testid={testId}>
        {value}
      </Text>
    </Card>
  );
}

function CsatSettings() {
  const settings = useQuery({ queryKey: ['csat-settings'], queryFn: () => api.get('/api/v1/csat/settings') });
  const { error, save } = useSave([['csat-settings']]);
  const [form, setForm] = useState({ delayHours: 24, validDays: 28, reasons: '' });
  useEffect(() => {
    if (settings.data) setForm({ delayHours: settings.data.delayHours, validDays: settings.data.validDays, reasons: settings.data.reasons.join('\n') });
  }, [settings.data]);
  return (
    <Card withBorder component="form" aria-label="Survey settings" onSubmit={(e) => {
      e.preventDefault();
      const body = { delayHours: form.delayHours, validDays: form.validDays, reasons: form.reasons.split('\n').map((x) => x.trim()).filter(Boolean) };
      void save(() => api.put('/api/v1/csat/settings', { body }), () => notifications.show({ message: 'Survey settings saved' }));
    }}>
      <Stack>
        <Title order={4}>Survey settings</Title>
        <Group grow align="flex-start">
          <NumberInput label="Send after (hours)" min={0} max={720} value={form.delayHours} onChange={(v) => setForm({ ...form, delayHours: Number(v) || 0 })} error={error?.fieldError('delayHours')} />
          <NumberInput label="Answerable for (days)" min={1} max={365} value={form.validDays} onChange={(v) => setForm({ ...form, validDays: Number(v) || 1 })} error={error?.fieldError('validDays')} />
        </Group>
        <Textarea label="Reasons offered after a bad rating (one a line)" autosize minRows={3} value={form.reasons} onChange={(e) => setForm({ ...form, reasons: e.currentTarget.value })} />
        <FormError error={error} fieldsInPlace />
        <Group justify="flex-end">
          <Button type="submit">Save</Button>
        </Group>
      </Stack>
    </Card>
  );
}
