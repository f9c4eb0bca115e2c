import { Alert, Badge, Button, Group, List, Stack, Text } from '@mantine/core';
import type { TicketRow } from '../api/types';
import { useDirectory } from '../app/directory';

type Mergeable = Pick<TicketRow, 'id' | 'number' | 'subject' | 'requester' | 'organizationId'>;

/**
 * What a merge will do, before it is done: which tickets close into which, whose requests they are, and — marked
 * — those of another requester or organisation than the target's. A merge cannot be undone, so it asks first.
 */
export function MergePreview({ sources, target, busy, onConfirm, onCancel }: { sources: Mergeable[]; target: Mergeable; busy: boolean; onConfirm: () => void; onCancel: () => void }) {
  const dir = useDirectory();
  const who = (t: Mergeable) => `${t.requester.name || t.requester.email}${t.organizationId ? ` (${dir.orgName(t.organizationId)})` : ''}`;
  const otherOrg = sources.filter((s) => s.organizationId !== target.organizationId);
  const otherRequester = sources.filter((s) => s.requester.id !== target.requester.id);
  return (
    <Stack data-testid="merge-preview">
      <Text size="sm">
        Into <b>#{target.number}</b> {target.subject} — {who(target)}
      </Text>
      <List size="sm" spacing={4}>
        {sources.map((s) => (
          <List.Item key={s.id} data-testid="merge-source">
            <b>#{s.number}</b> {s.subject} — {who(s)}{' '}
            {s.organizationId !== target.organizationId ? (
              <Badge color="red" variant="light" size="sm">
                other organisation
              </Badge>
            ) : s.requester.id !== target.requester.id ? (
              <Badge color="orange" variant="light" size="sm">
                other requester
              </Badge>
            ) : null}
          </List.Item>
        ))}
      </List>
      {otherOrg.length > 0 && (
        <Alert color="red" role="alert" title="Different organisations">
          {otherOrg.length === 1 ? 'One ticket belongs' : `${otherOrg.length} tickets belong`} to another organisation than #{target.number}. Their requesters
          will follow #{target.number} and see its public replies.
        </Alert>
      )}
      {otherOrg.length === 0 && otherRequester.length > 0 && (
        <Alert color="orange" title="Different requesters">
          Their requesters will follow #{target.number} and see its public replies.
        </Alert>
      )}
      <Text size="sm" c="dimmed">
        Each merged ticket closes as merged and its conversation joins #{target.number}. A merge cannot be undone.
      </Text>
      <Group justify="flex-end">
        <Button variant="default" onClick={onCancel}>
          Cancel
        </Button>
        <Button color={otherOrg.length ? 'red' : undefined} loading={busy} onClick={onConfirm} data-autofocus>
          {sources.length === 1 ? `Merge #${sources[0]?.number} into #${target.number}` : `Merge ${sources.length} tickets into #${target.number}`}
        </Button>
      </Group>
    </Stack>
  );
}
