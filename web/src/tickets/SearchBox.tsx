import { Autocomplete, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import type { Ref } from 'react';
import { api } from '../api/client';
import { useDirectory } from '../app/directory';
import { lastToken, type SearchValues, suggest } from './search-suggest';

/**
 * The header's search box: the query language with suggestions as you type — filter names (`pri` → `priority:`)
 * and their values (`status:`, `priority:`, `assignee:`, `group:`, `org:` from the directory, `tag:` from the
 * tags in use). Arrows and Enter take a suggestion; Enter without one searches.
 */
export function SearchBox({ value, onChange, onSearch, inputRef, w }: { value: string; onChange: (q: string) => void; onSearch: (q: string) => void; inputRef: Ref<HTMLInputElement>; w: Record<string, number> }) {
  const dir = useDirectory();
  const token = lastToken(value);
  const [tagPrefix] = useDebouncedValue(token.key === 'tag' ? token.partial : null, 200);
  const tags = useQuery({ queryKey: ['tags', tagPrefix], queryFn: () => api.get('/api/v1/tags', { query: { prefix: tagPrefix ?? '' } }).then((r) => r.items), enabled: tagPrefix !== null, staleTime: 60_000 });
  const values: SearchValues = {
    status: [...new Set([...dir.states.map((s) => s.key), 'new', 'open', 'pending', 'on_hold', 'solved', 'closed'])],
    priority: dir.priorities.map((p) => p.key),
    assignee: ['me', 'none', ...dir.staff.filter((u) => u.role !== 'light_agent' && u.active).map((u) => u.email)],
    group: ['none', ...dir.groups.map((g) => g.name)],
    org: dir.organizations.map((o) => o.name),
    tag: tags.data ?? [],
  };
  const options = suggest(value, values);
  const tokenOf = new Map(options.map((o) => [o.value, o.token]));
  return (
    <Autocomplete
      ref={inputRef}
      aria-label="Search tickets"
      placeholder='Search — status:open priority:P1 "cannot sync"   ( / )'
      w={w}
      value={value}
      onChange={onChange}
      data={options.map((o) => o.value)}
      filter={({ options: all }) => all}
      onOptionSubmit={(q) => {
        // A finished filter value searches at once; a filter name waits for its value.
        if (!q.endsWith(':')) onSearch(q);
      }}
      comboboxProps={{ width: 320, position: 'bottom-start' }}
      renderOption={({ option }) => <Text size="sm">{tokenOf.get(option.value) ?? option.value}</Text>}
      onKeyDown={(e) => e.key === 'Escape' && e.currentTarget.blur()}
    />
  );
}
