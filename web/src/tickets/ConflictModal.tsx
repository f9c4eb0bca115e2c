import { Alert, Button, Group, List, Modal, Stack, Text } from '@mantine/core';
import type { Ticket, TicketEvent } from '../api/types';
import { useDirectory } from '../app/directory';
import { describeEvent } from './History';

export type Conflict = { what: string; current: Ticket | undefined; changes: TicketEvent[]; retry: () => Promise<unknown> };

/** Someone changed the ticket after you last saw it: show what they did, then let you decide. */
export function ConflictModal(props: { conflict: Conflict | null; onClose: () => void; onSeen: (version: number) => void }) {
  const { conflict, onClose, onSeen } = props;
  const dir = useDirectory();
  // The server lists what happened after the version this page had (events carry the version they made).
  const news = (conflict?.changes ?? []).slice(-8);
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
          What changed since you looked
        </Text>
        <List size="sm" data-testid="conflict-changes">
          {news.map((e) => (
            <List.Item key={e.id}>
              {describeEvent(e, dir)}
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
            Submit mine anyway
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
