import { Alert, Anchor, Button, Checkbox, Divider, Group, Loader, Modal, MultiSelect, NumberInput, Select, Stack, TagsInput, Text, Textarea, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { ApiError, api } from '../api/client';
import { useDirectory } from '../app/directory';
import { TimePanel } from '../time/TimePanel';
import { CardComments } from './CardComments';
import { addDays, type BoardLoad, boardKey, type Card, type Column, columnOf, type FullCard, mondayOf, patchCard } from './model';

/**
 * A card: what it is (the ticket one click away), who owns it or which pair, due date, estimate, labels, the week
 * it is scheduled into, its checklist; "Move to…" a column; the time logged on it.
 */
type Props = { routeId: string; card: Card; board: BoardLoad; names: Map<string, string>; onClose: () => void; onMove: (col: Column, index: number) => Promise<void> };

/** The board holds summaries: the full card (description, checklist) is fetched when it is opened. */
export function CardDetail(props: Props) {
  const { card, onClose } = props;
  const full = useQuery({ queryKey: ['card', card.id], queryFn: () => api.get('/api/v1/cards/{id}', { path: { id: card.id } }), gcTime: 0 });
  if (!full.data)
    return (
      <Modal opened onClose={onClose} title={card.ticketNumber ? `Card · ticket #${card.ticketNumber}` : 'Card'} size="lg">
        {full.error ? (
          <Alert color="red" role="alert">
            {(full.error as Error).message}
          </Alert>
        ) : (
          <Loader size="sm" aria-label="Loading the card" />
        )}
      </Modal>
    );
  return <CardForm {...props} card={full.data} />;
}

function CardForm({ routeId, card, board, names, onClose, onMove }: Omit<Props, 'card'> & { card: FullCard }) {
  const qc = useQueryClient();
  const dir = useDirectory();
  const [form, setForm] = useState(() => ({
    title: card.title,
    description: card.description,
    ownerIds: card.ownerIds,
    dueOn: card.dueOn ?? '',
    estimateHours: card.estimateHours ?? ('' as number | string),
    labels: card.labels,
    week: card.week,
    checklist: card.checklist,
  }));
  const [item, setItem] = useState('');
  const [target, setTarget] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const key = boardKey(routeId);
  const monday = mondayOf(new Date());
  const weeks = [0, 7, 14, 21].map((n) => addDays(monday, n));
  const staff = [...new Map([...dir.staff.map((u) => [u.id, u.name] as const), ...card.ownerIds.map((id) => [id, names.get(id) ?? '…'] as const)]).entries()];

  const save = async () => {
    setError(null);
    try {
      const updated = await api.patch('/api/v1/cards/{id}', {
        path: { id: card.id },
        body: {
          version: card.version,
          title: form.title,
          description: form.description,
          ownerIds: form.ownerIds,
          dueOn: form.dueOn || null,
          estimateHours: form.estimateHours === '' ? null : Number(form.estimateHours),
          labels: form.labels,
          week: form.week,
          checklist: form.checklist,
        },
      });
      patchCard(qc, routeId, updated);
      if (form.ownerIds.some((id) => !names.has(id))) await qc.invalidateQueries({ queryKey: key });
      onClose();
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(0, 'UNKNOWN', String(err));
      if (e.code === 'VERSION_CONFLICT' && e.problem.current) patchCard(qc, routeId, e.problem.current as Card);
      setError(e);
    }
  };
  const archive = async () => {
    const updated = await api.post('/api/v1/cards/{id}/archive', { path: { id: card.id }, body: { version: card.version } });
    patchCard(qc, routeId, updated);
    onClose();
  };
  const here = columnOf(board, card);

  return (
    <Modal opened onClose={onClose} title={card.ticketNumber ? `Card · ticket #${card.ticketNumber}` : 'Card'} size="lg" fullScreen={typeof window !== 'undefined' && window.innerWidth < 500}>
      <Stack gap="sm">
        {card.ticketNumber && (
          <Anchor component={Link} href={`/tickets/${card.ticketNumber}`}>
            Open ticket #{card.ticketNumber} — the conversation
          </Anchor>
        )}
        {card.organizationId && (
          <Text size="sm" c="dimmed">
            {names.get(card.organizationId) ?? dir.orgName(card.organizationId)} · in {here?.name ?? '—'}
          </Text>
        )}
        {error && (
          <Alert color="red" role="alert" py={6}>
            {error.message}
          </Alert>
        )}
        <TextInput label="Title" value={form.title} onChange={(e) => setForm({ ...form, title: e.currentTarget.value })} error={error?.fieldError('title')} />
        <Textarea label="Description" autosize minRows={2} value={form.description} onChange={(e) => setForm({ ...form, description: e.currentTarget.value })} />
        <Group grow align="flex-start" wrap="wrap">
          <MultiSelect label="Owner or pair" maxValues={2} searchable data={staff.map(([value, label]) => ({ value, label }))} value={form.ownerIds} onChange={(v) => setForm({ ...form, ownerIds: v })} error={error?.fieldError('ownerIds')} />
          <Select
            label="Scheduled week"
            clearable
            data={weeks.map((w, i) => ({ value: w, label: `${i === 0 ? 'This week' : i === 1 ? 'Next week' : `In ${i} weeks`} (${w})` }))}
            value={form.week}
            onChange={(v) => setForm({ ...form, week: v })}
          />
        </Group>
        <Group grow align="flex-start" wrap="wrap">
          <TextInput label="Due" type="date" value={form.dueOn} onChange={(e) => setForm({ ...form, dueOn: e.currentTarget.value })} error={error?.fieldError('dueOn')} />
          <NumberInput label="Estimate (hours)" min={0} max={1000} value={form.estimateHours} onChange={(v) => setForm({ ...form, estimateHours: v })} />
        </Group>
        <TagsInput label="Labels" value={form.labels} onChange={(v) => setForm({ ...form, labels: v })} />
        <Stack gap={4} role="group" aria-label="Checklist">
          <Text size="sm" fw={500}>
            Checklist
          </Text>
          {form.checklist.map((c, i) => (
            <Checkbox
              key={c.text}
              label={c.text}
              checked={c.done}
              onChange={(e) => {
                const done = e.currentTarget.checked;
                setForm({ ...form, checklist: form.checklist.map((x, j) => (j === i ? { ...x, done } : x)) });
              }}
            />
          ))}
          <Group gap={4}>
            <TextInput
              size="xs"
              aria-label="New checklist item"
              placeholder="Add an item"
              value={item}
              onChange={(e) => setItem(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && item.trim() && !form.checklist.some((c) => c.text === item.trim())) {
                  e.preventDefault();
                  setForm({ ...form, checklist: [...form.checklist, { text: item.trim(), done: false }] });
                  setItem('');
                }
              }}
            />
          </Group>
        </Stack>
        <Group justify="space-between">
          <Button variant="subtle" color="gray" onClick={() => void archive()}>
            Archive card
          </Button>
          <Group gap="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button onClick={() => void save()}>Save card</Button>
          </Group>
        </Group>
        <Divider label="Move to…" labelPosition="left" />
        <Group gap="xs" align="flex-end">
          <Select aria-label="Move to column" placeholder="Choose a column" data={board.columns.filter((c) => c.id !== here?.id).map((c) => ({ value: c.id, label: c.name }))} value={target} onChange={setTarget} />
          <Button
            variant="light"
            disabled={!target}
            onClick={() => {
              const col = board.columns.find((c) => c.id === target);
              if (col) void onMove(col, 0).then(onClose);
            }}
          >
            Move
          </Button>
        </Group>
        <Divider />
        <CardComments cardId={card.id} onTicket={!!card.ticketId} />
        <Divider />
        <TimePanel target={{ cardId: card.id, ticketId: card.ticketId ?? undefined }} title="Time on this card" />
      </Stack>
    </Modal>
  );
}
