import { Anchor, Button, Group, Paper, Stack, Text, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { kbApi, type Suggestion } from './model';

/**
 * Beside the reply box: articles suggested for the ticket (from its subject, or what the agent searches), "Insert
 * link" (puts a Markdown link in the reply and records that the article was used on this ticket), and "Create
 * article from this ticket".
 */
export function ComposerArticles({ ticket, insert }: { ticket: { id: string; subject: string }; insert: (text: string) => void }) {
  const qc = useQueryClient();
  const [q, setQ] = useState('');
  const [typed, setTyped] = useState('');
  const query = (typed || ticket.subject).slice(0, 200);
  const suggestions = useQuery({ queryKey: ['kb-suggest', query], queryFn: () => kbApi.suggest(query), staleTime: 60_000 });
  const linked = useQuery({ queryKey: ['kb-linked', ticket.id], queryFn: () => kbApi.linked(ticket.id) });
  const [error, setError] = useState<string | null>(null);
  const link = async (s: Suggestion) => {
    setError(null);
    insert(`[${s.title.replace(/[[\]]/g, '')}](${s.url})`);
    try {
      await kbApi.use(s.id, ticket.id);
      await qc.invalidateQueries({ queryKey: ['kb-linked', ticket.id] });
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const linkedIds = new Set((linked.data ?? []).map((a) => a.id));
  return (
    <Paper withBorder p="xs" aria-label="Suggested articles" component="section">
      <Stack gap={6}>
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Text size="sm" fw={600}>
            Suggested articles
          </Text>
          <Button component={Link} href={`/kb/new?ticket=${ticket.id}`} size="xs" variant="subtle">
            Create article from this ticket
          </Button>
        </Group>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setTyped(q.trim());
          }}
        >
          <TextInput size="xs" aria-label="Search articles" placeholder="Search articles (Enter)" value={q} onChange={(e) => setQ(e.currentTarget.value)} maxLength={200} />
        </form>
        {(suggestions.data ?? []).map((s) => (
          <Group key={s.id} justify="space-between" wrap="nowrap" gap="xs">
            <Anchor href={s.url} target="_blank" size="sm" style={{ minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
              {s.title}
            </Anchor>
            <Button size="compact-xs" variant="light" onClick={() => void link(s)} aria-label={`Insert link to ${s.title}`}>
              {linkedIds.has(s.id) ? 'Insert again' : 'Insert link'}
            </Button>
          </Group>
        ))}
        {suggestions.data?.length === 0 && (
          <Text size="xs" c="dimmed">
            No article matches “{query}”.
          </Text>
        )}
        {(linked.data?.length ?? 0) > 0 && (
          <Text size="xs" c="dimmed" data-testid="kb-linked">
            Linked on this ticket: {(linked.data ?? []).map((a) => a.title).join(', ')}
          </Text>
        )}
        {error && (
          <Text size="xs" c="red" role="alert">
            {error}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
