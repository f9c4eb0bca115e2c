import { Anchor, Badge, Button, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { kbApi, type Topic } from './model';

/**
 * /kb/topics: recurring topics of recent tickets (the last background grouping), flagged ones first — seen more
 * often than the settings allow with no article. Each says why its tickets were grouped and lists them.
 */
export function Topics() {
  const topics = useQuery({ queryKey: ['kb-topics'], queryFn: kbApi.topics });
  const [queued, setQueued] = useState(false);
  if (topics.isPending) return <Loader size="sm" />;
  if (!topics.data) return <Text c="red">Could not load the topics.</Text>;
  const { items, settings, computedAt } = topics.data;
  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <Title order={3}>Recurring topics</Title>
        <Button
          variant="default"
          size="xs"
          onClick={() =>
            void kbApi.refreshTopics().then(() => {
              setQueued(true);
              setTimeout(() => void topics.refetch(), 3000);
            })
          }
        >
          Recompute now
        </Button>
      </Group>
      <Text size="sm" c="dimmed">
        Tickets of the last {settings.topicDays} days grouped by similar subjects. A topic seen more than {settings.topicMinTickets} times with no article is flagged.
        {computedAt ? ` Grouped ${new Date(computedAt).toLocaleString()}.` : ' Not grouped yet: it runs every hour.'}
      </Text>
      {queued && (
        <Text size="sm" role="status">
          Queued: the grouping runs in the background.
        </Text>
      )}
      {items.length === 0 && computedAt && <Text c="dimmed">No topic came up more than once.</Text>}
      {items.map((t) => (
        <TopicCard key={t.id} topic={t} />
      ))}
    </Stack>
  );
}

function TopicCard({ topic: t }: { topic: Topic }) {
  const [open, setOpen] = useState(false);
  const e = t.explanation;
  const why = [
    `every subject has ${e.sharedWords.map((w) => `“${w}”`).join(' and ')}`,
    e.typos.length ? `misspellings read as the word (${e.typos.map((x) => `${x.from} → ${x.to}`).join(', ')})` : '',
    e.bodyWords.length ? `the first messages mostly mention ${e.bodyWords.join(', ')}` : '',
    e.type ? `${e.type.count} of ${t.ticketCount} are of type ${e.type.key}` : '',
    e.tags.length ? `tags: ${e.tags.map((x) => `${x.tag} (${x.count})`).join(', ')}` : '',
  ].filter(Boolean);
  return (
    <Paper withBorder p="sm" data-testid="kb-topic" aria-label={t.label}>
      <Group justify="space-between" wrap="wrap" align="flex-start">
        <Stack gap={2}>
          <Text fw={600}>{t.label}</Text>
          <Text size="sm">
            {t.ticketCount} tickets · {new Date(t.firstAt).toLocaleDateString()} – {new Date(t.lastAt).toLocaleDateString()}
          </Text>
        </Stack>
        {t.flagged ? (
          <Badge color="red" variant="light">
            Needs an article
          </Badge>
        ) : t.article ? (
          <Badge color="green" variant="light">
            Covered
          </Badge>
        ) : (
          <Badge color="gray" variant="light">
            No article
          </Badge>
        )}
      </Group>
      <Text size="sm" mt={4}>
        Grouped because {why.join('; ')}.
      </Text>
      <Group gap="xs" mt={4} wrap="wrap">
        {t.article ? (
          <Anchor component={Link} href={`/kb/articles/${t.article.id}`} size="sm">
            Article: {t.article.title}
          </Anchor>
        ) : (
          t.tickets[0] && (
            <Anchor component={Link} href={`/kb/new?ticket=${t.tickets[0].id}`} size="sm">
              Write an article from #{t.tickets[0].number}
            </Anchor>
          )
        )}
        <Button variant="subtle" size="xs" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? 'Hide tickets' : `Show tickets (${t.tickets.length})`}
        </Button>
      </Group>
      {open && (
        <ul>
          {t.tickets.map((k) => (
            <li key={k.id}>
              <Anchor component={Link} href={`/tickets/${k.number}`} size="sm">
                #{k.number} {k.subject}
              </Anchor>
            </li>
          ))}
        </ul>
      )}
    </Paper>
  );
}

/** The count of flagged topics, for the button that opens them. */
export function useFlaggedTopics(): number {
  const topics = useQuery({ queryKey: ['kb-topics'], queryFn: kbApi.topics });
  return topics.data?.items.filter((t) => t.flagged).length ?? 0;
}
