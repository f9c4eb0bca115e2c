import { Alert, Anchor, Button, Group, Paper, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { ApiError, api } from '../api/client';
import { TimePanel } from '../time/TimePanel';

/** On the ticket page: its card on the customer's board (or "Backlog to customer board"), and the time logged on it. */
export function TicketBoard({ ticket }: { ticket: { id: string; organizationId: string | null } }) {
  const qc = useQueryClient();
  const card = useQuery({ queryKey: ['ticket-card', ticket.id], queryFn: () => api.get('/api/v1/tickets/{id}/card', { path: { id: ticket.id } }).then((r) => r.card) });
  const [error, setError] = useState<string | null>(null);
  const backlog = async () => {
    setError(null);
    try {
      await api.post('/api/v1/tickets/{id}/backlog', { path: { id: ticket.id } });
      await qc.invalidateQueries({ queryKey: ['ticket-card', ticket.id] });
      await qc.invalidateQueries({ queryKey: ['ticket'] });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <Paper withBorder p="xs">
      <Group justify="space-between" wrap="wrap" gap="xs">
        {card.data ? (
          <Text size="sm">
            On the customer board:{' '}
            <Anchor component={Link} href={`/boards/${card.data.boardId}`}>
              {card.data.role === 'new' ? 'New issues' : card.data.role === 'up_next' ? 'Up next' : card.data.role === 'in_progress' ? 'In progress' : card.data.role === 'done' ? 'Recently completed' : 'open the board'}
            </Anchor>
            {card.data.week ? ` · week of ${card.data.week}` : ''}
          </Text>
        ) : (
          <Button size="xs" variant="light" disabled={card.isPending} onClick={() => void backlog()} title={ticket.organizationId ? undefined : 'Set the organisation first'}>
            Backlog to customer board
          </Button>
        )}
      </Group>
      {error && (
        <Alert color="red" py={4} mt={4} role="alert">
          {error}
        </Alert>
      )}
      <TimePanel target={{ ticketId: ticket.id }} />
    </Paper>
  );
}
