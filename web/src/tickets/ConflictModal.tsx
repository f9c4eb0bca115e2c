import { Alert, Button, Group, List, Modal, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import type { Ticket } from '../api/types';
import { useDirectory } from '../app/directory';
import { describeEvent } from './History';

export type Conflict = { what: string; current: Ticket | undefined; retry: () => Promise<unknown> };

/** Someone changed the ticket after you last saw it: show what they did, then let you decide. */
export function ConflictModal({ conflict, onClose, onSeen, ticketId }: { conflict: Conflict | null; onClose: () => void; onSeen: (version: number) => void; ticketId: string }) {
  const dir = useDirectory();
  const events = useQuery({
    queryKey: ['ticket', ticketId, 'events', 'conflict', conflict?.current?.version],
    queryFn: () => api.get('/api/v1/tickets/{id}/events', { path: { id: ticketId } }).then((r) => r.items.slice(-8)),
    enabled: !!conflict,
  });
  if (!conflict) return null;
  const seen = () => {
    if (conflict.current) onSeen(conflict.current.version);
  };
  return (
    <Modal opened onClose={onClose} title="Someone else changed this ticket" size="lg">
      <Stack>
        <Alert color="orange" role="alert">
          {conflict.what} was not saved: the ticket changed after you opened it. Your draft is kept.
        </Alert>
        <Text size="sm" fw={600}>
          Latest changes
        </Text>
        <List size="sm" data-testid="conflict-changes">
          {(events.data ?? []).map((e) => (
            <List.Item key={e.id}>
              {describeEvent(e, dir)} — {dir.userName(e.actorId) || 'Lifeline'}
            </List.Item>
          ))}
        </List>
        <Group justify="flex-end">
          <Button
            variant="default"
            onClick={() => {
              seen();
              onClose();
            }}
          >
            Review first
          </Button>
          <Button
            onClick={() => {
              seen();
              onClose();
              void conflict.retry();
            }}
          >
            {conflict.what} anyway
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
