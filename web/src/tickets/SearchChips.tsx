import { CloseButton, Group, Pill, Text } from '@mantine/core';
import { useLocation } from 'wouter';
import { chips } from './search-suggest';

/** The search's filters as chips, each removable (a button named for it); a note when typos were tolerated. */
export function SearchChips({ q, approximate }: { q: string; approximate: boolean }) {
  const [, navigate] = useLocation();
  const filters = chips(q);
  if (!filters.length && !approximate) return null;
  return (
    <Group gap="xs" mb="xs" aria-label="Search filters" role="group">
      {filters.map((f) => (
        <Pill key={f.token} size="md" data-testid="search-chip">
          <Group gap={4} wrap="nowrap">
            {f.token}
            <CloseButton size="xs" aria-label={`Remove ${f.token}`} onClick={() => navigate(f.without.trim() ? `/search?q=${encodeURIComponent(f.without)}` : '/views/all')} />
          </Group>
        </Pill>
      ))}
      {approximate && (
        <Text size="sm" c="dimmed" role="status">
          Nothing matched these words exactly; showing tickets whose subject has similar words.
        </Text>
      )}
    </Group>
  );
}
