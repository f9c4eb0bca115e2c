import { Alert, Button, Group, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { useSearch } from 'wouter';
import { ApiError, api } from '../api/client';
import type { TicketPage, View } from '../api/types';
import { NotFound } from '../app/NotFound';
import { SearchChips } from '../tickets/SearchChips';
import { BulkBar } from './BulkBar';
import { SaveViewModal } from './SaveViewModal';
import { TriagePanel } from './TriagePanel';
import { type Column, type Sort, TicketTable } from './TicketTable';

function useTicketPages(key: unknown[], fetchPage: (cursor: string | undefined) => Promise<TicketPage>) {
  const q = useInfiniteQuery({
    queryKey: ['tickets', ...key],
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = q.data?.pages.flatMap((p) => p.items) ?? [];
  const loadMore = useCallback(() => {
    if (q.hasNextPage && !q.isFetchingNextPage) void q.fetchNextPage();
  }, [q.hasNextPage, q.isFetchingNextPage, q.fetchNextPage]);
  return { q, rows, loadMore };
}

function ListScreen(props: { title: string; columns: Column[]; sort: Sort; order: 'asc' | 'desc'; onSort: (s: Sort) => void; pages: ReturnType<typeof useTicketPages>; actions?: React.ReactNode; errorTitle?: string; above?: React.ReactNode }) {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const { q, rows, loadMore } = props.pages;
  return (
    <>
      <Group justify="space-between" mb="xs">
        <Group gap="xs">
          <Title order={3}>{props.title}</Title>
          {q.isFetching && <Text size="xs" c="dimmed">updating…</Text>}
        </Group>
        {props.actions}
      </Group>
      {q.error && (
        <Alert color="red" mb="sm" role="alert" title={props.errorTitle}>
          {(q.error as Error).message}
        </Alert>
      )}
      {props.above}
      {selected.size > 0 && <BulkBar ids={[...selected]} rows={rows.filter((r) => selected.has(r.id))} onDone={() => setSelected(new Set())} />}
      <TicketTable rows={rows} columns={props.columns} sort={props.sort} order={props.order} onSort={props.onSort} selected={selected} onSelect={setSelected} hasMore={!!q.hasNextPage} loadMore={loadMore} />
    </>
  );
}

function useSortState(initial: { sort: Sort; order: 'asc' | 'desc' }) {
  const [state, setState] = useState<{ sort: Sort; order: 'asc' | 'desc' } | null>(null);
  const current = state ?? initial;
  const onSort = (sort: Sort) => setState({ sort, order: current.sort === sort && current.order === 'desc' ? 'asc' : 'desc' });
  return { ...current, onSort };
}

export function ViewPage({ viewId }: { viewId: string }) {
  const views = useQuery({ queryKey: ['views'], queryFn: () => api.get('/api/v1/views').then((r) => r.items) });
  const view = views.data?.find((v) => v.id === viewId);
  if (views.isPending) return null;
  if (!view) return <NotFound what="view" />;
  return <ViewScreen key={view.id} view={view} />;
}

function ViewScreen({ view }: { view: View }) {
  const sort = useSortState({ sort: view.sort, order: view.order });
  const [saving, { open, close }] = useDisclosure(false);
  const pages = useTicketPages([view.id, sort.sort, sort.order], (cursor) =>
    api.get('/api/v1/views/{id}/tickets', { path: { id: view.id }, query: { cursor, sort: sort.sort, order: sort.order, limit: 50 } }),
  );
  return (
    <>
      {view.id === 'triage' && <TriagePanel />}
      <ListScreen
        title={view.name}
        columns={view.columns}
        {...sort}
        pages={pages}
        actions={
          <Button size="xs" variant="default" onClick={open}>
            Save a view…
          </Button>
        }
      />
      <SaveViewModal opened={saving} onClose={close} />
    </>
  );
}

export function SearchPage() {
  const q = new URLSearchParams(useSearch()).get('q') ?? '';
  const sort = useSortState({ sort: 'updated', order: 'desc' });
  const pages = useTicketPages(['search', q, sort.sort, sort.order], (cursor) =>
    api.get('/api/v1/search', { query: { q, cursor, sort: sort.sort, order: sort.order, limit: 50 } }),
  );
  const error = pages.q.error instanceof ApiError ? pages.q.error : null;
  // One error, shown once (by the list), titled for what it is.
  return (
    <ListScreen
      title={`Search: ${q}`}
      columns={['number', 'subject', 'requester', 'status', 'priority', 'sla', 'assignee', 'updated']}
      {...sort}
      pages={pages}
      errorTitle={error?.code === 'INVALID_QUERY' ? 'The search could not be read' : undefined}
      above={<SearchChips q={q} approximate={pages.q.data?.pages[0]?.approximate === true} />}
    />
  );
}
