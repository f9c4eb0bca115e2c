import { Badge, Button, Group, Paper, SegmentedControl, Stack, Text, Textarea } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api } from '../api/client';

const KIND = { note: 'Internal note', reply: 'Reply to customer', customer: 'Customer', comment: 'Comment' } as const;

/**
 * A card's comments. On a ticket's card they are the ticket's conversation: a comment is written to the ticket as an
 * internal note, or, chosen in the box, as a public reply mailed to the customer. A free card has its own comments.
 */
export function CardComments({ cardId, onTicket }: { cardId: string; onTicket: boolean }) {
  const qc = useQueryClient();
  const key = ['card-comments', cardId];
  const list = useQuery({ queryKey: key, queryFn: () => api.get('/api/v1/cards/{id}/comments', { path: { id: cardId } }) });
  const [body, setBody] = useState('');
  const [as, setAs] = useState<'note' | 'reply'>('note');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const send = async () => {
    if (!body.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const updated = await api.post('/api/v1/cards/{id}/comments', { path: { id: cardId }, body: { body, public: onTicket && as === 'reply' } });
      qc.setQueryData(key, updated);
      setBody('');
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap={6} role="group" aria-label="Comments">
      <Text fw={600} size="sm">
        {onTicket ? 'Comments (the ticket’s conversation)' : 'Comments'}
      </Text>
      {(list.data?.items ?? []).map((c) => (
        <Paper key={c.id} withBorder p={6} bg={c.kind === 'note' ? 'yellow.0' : undefined} data-testid="card-comment">
          <Group gap={6} justify="space-between" wrap="nowrap">
            <Text size="xs" c="dimmed">
              {c.author?.name ?? 'System'} · {new Date(c.createdAt).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}
            </Text>
            {c.kind !== 'comment' && (
              <Badge size="xs" variant="light" color={c.kind === 'note' ? 'yellow' : c.kind === 'reply' ? 'blue' : 'gray'}>
                {KIND[c.kind]}
              </Badge>
            )}
          </Group>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
            {c.body}
          </Text>
        </Paper>
      ))}
      <form
        aria-label="Add a comment"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <Stack gap={4}>
          <Textarea aria-label="Comment" placeholder={onTicket ? 'Write a note or a reply' : 'Write a comment'} autosize minRows={2} value={body} onChange={(e) => setBody(e.currentTarget.value)} error={error} />
          <Group gap="xs" justify="space-between">
            {onTicket ? (
              <SegmentedControl
                size="xs"
                aria-label="Send as"
                value={as}
                onChange={(v) => setAs(v as 'note' | 'reply')}
                data={[
                  { value: 'note', label: 'Internal note' },
                  { value: 'reply', label: 'Reply to customer' },
                ]}
              />
            ) : (
              <span />
            )}
            <Button size="xs" type="submit" loading={busy} disabled={!body.trim()}>
              {onTicket && as === 'reply' ? 'Send reply' : 'Add comment'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}
