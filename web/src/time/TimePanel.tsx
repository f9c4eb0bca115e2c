import { Button, Checkbox, Group, NumberInput, Stack, Table, Text, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api } from '../api/client';
import { hours } from '../boards/model';

type Target = { ticketId?: string; cardId?: string; organizationId?: string };

/** Time on a ticket or a card: what was logged, "Log time", and "Start timer" (the timer runs in the header). */
export function TimePanel({ target, title = 'Time' }: { target: Target; title?: string }) {
  const qc = useQueryClient();
  const key = ['time', target.ticketId ?? target.cardId];
  const list = useQuery({
    queryKey: key,
    queryFn: () => (target.ticketId ? api.get('/api/v1/tickets/{id}/time', { path: { id: target.ticketId } }) : api.get('/api/v1/cards/{id}/time', { path: { id: target.cardId as string } })),
  });
  const names = new Map((list.data?.people ?? []).map((p) => [p.id, p.name]));
  const refresh = async () => {
    await qc.invalidateQueries({ queryKey: key });
    await qc.invalidateQueries({ queryKey: ['timesheet'] });
    await qc.invalidateQueries({ queryKey: ['timer'] });
  };
  const startTimer = async () => {
    await api.post('/api/v1/time/timer', { body: { ...target, description: '' } }).catch(() => undefined);
    await refresh();
  };
  return (
    <Stack gap={6} aria-label={title} role="group">
      <Group justify="space-between">
        <Text fw={600} size="sm">
          {title} · <span data-testid="time-total">{hours(list.data?.totalMinutes ?? 0)}</span> logged
        </Text>
        <Button size="compact-xs" variant="subtle" onClick={() => void startTimer()}>
          Start timer
        </Button>
      </Group>
      <LogTimeForm target={target} onLogged={refresh} />
      {(list.data?.items.length ?? 0) > 0 && (
        <Table.ScrollContainer minWidth={0} type="native">
          <Table fz="xs" aria-label={`${title} entries`}>
            <Table.Tbody>
              {list.data?.items.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td>{e.workDate}</Table.Td>
                  <Table.Td>{names.get(e.userId)}</Table.Td>
                  <Table.Td>{hours(e.minutes)}</Table.Td>
                  <Table.Td>{e.description}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

/** Hours (or h:mm), the day, what was done, billable: one entry. Errors are shown next to the field they concern. */
export function LogTimeForm({ target, onLogged }: { target: Target; onLogged: () => Promise<void> | void }) {
  const [amount, setAmount] = useState<string | number>('');
  const [day, setDay] = useState(() => new Date().toISOString().slice(0, 10));
  const [description, setDescription] = useState('');
  const [billable, setBillable] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async () => {
    setError(null);
    try {
      await api.post('/api/v1/time/entries', { body: { ...target, workDate: day, minutes: Math.round(Number(amount) * 60), description, billable } });
      setAmount('');
      setDescription('');
      await onLogged();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'UNKNOWN', String(err)));
    }
  };
  return (
    <form
      aria-label="Log time"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <Group gap={6} align="flex-start" wrap="wrap">
        <NumberInput size="xs" w={90} label="Hours" value={amount} onChange={setAmount} min={0} step={0.25} decimalScale={2} error={error?.fieldError('minutes')} />
        <TextInput size="xs" w={140} type="date" label="Day" value={day} onChange={(e) => setDay(e.currentTarget.value)} error={error?.fieldError('workDate')} />
        <TextInput size="xs" style={{ flex: 1, minWidth: 140 }} label="What you did" value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
        <Checkbox size="xs" mt={26} label="Billable" checked={billable} onChange={(e) => setBillable(e.currentTarget.checked)} />
        <Button size="xs" mt={20} type="submit">
          Log time
        </Button>
      </Group>
      {error && !error.fieldError('minutes') && !error.fieldError('workDate') && (
        <Text c="red" size="xs" role="alert">
          {error.message}
        </Text>
      )}
    </form>
  );
}
