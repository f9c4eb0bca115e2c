import { Anchor, Badge, Button, Card, Drawer, Group, Loader, Popover, SegmentedControl, Select, SimpleGrid, Stack, Switch, Table, Text, TextInput, Title, UnstyledButton } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { useDirectory } from '../app/directory';
import { BarChart } from './Chart';
import { DigestSettings } from './DigestSettings';
import { TimeSection } from './TimeSection';
import { csvHref, type Definition, type Filters, PERIODS, type PeriodKey, periodRange, type Query, reportsApi, show } from './model';

/** A number a tile or chart shows: which metric, which of its values, grouped how. */
type Pick = { metric: string; groupBy?: string; value?: string; title: string };

// `incidents`: the number counts incidents, not tickets — ticket filters do not apply, and a click opens Incidents.
const TILES: { metric: string; value: string; business?: string; title: string; incidents?: true }[] = [
  { metric: 'tickets_created', value: 'tickets', title: 'Created' },
  { metric: 'tickets_solved', value: 'tickets', title: 'Solved' },
  { metric: 'backlog', value: 'tickets', title: 'Backlog at end' },
  { metric: 'first_response_time', value: 'p50', business: 'p50Business', title: 'First response (median)' },
  { metric: 'full_resolution_time', value: 'p50', business: 'p50Business', title: 'Resolution (median)' },
  { metric: 'reopen_rate', value: 'rate', title: 'Reopen rate' },
  { metric: 'one_touch_resolution', value: 'rate', title: 'One-touch resolution' },
  { metric: 'sla_first_response', value: 'attainment', title: 'SLA first response met' },
  { metric: 'satisfaction', value: 'satisfaction', title: 'Satisfaction (CSAT)' },
  { metric: 'satisfaction', value: 'responseRate', title: 'Survey response rate' },
  { metric: 'incident_time_to_acknowledge', value: 'p50', title: 'Incident acknowledge (median)', incidents: true },
  { metric: 'incident_time_to_resolve', value: 'p50', title: 'Incident resolve (median)', incidents: true },
];

const CHARTS: { metric: string; groupBy: string; value: string; business?: string; title: string }[] = [
  { metric: 'tickets_created', groupBy: 'day', value: 'tickets', title: 'Tickets created per day' },
  { metric: 'first_response_time', groupBy: 'day', value: 'p50', business: 'p50Business', title: 'First response time per day (median)' },
  { metric: 'backlog', groupBy: 'age', value: 'tickets', title: 'Backlog by age' },
  { metric: 'top_tags', groupBy: 'tag', value: 'tickets', title: 'Top tags' },
];

const CHANNELS = ['email', 'web', 'api', 'phone', 'slack', 'github', 'widget', 'portal', 'other'];

/** Reports: the handbooks' numbers for a period, against the previous one; click any number or bar for its tickets. */
export function ReportsPage({ section }: { section?: string }) {
  return (
    <Stack>
      <Group gap="md" component="nav" aria-label="Reports sections">
        <Anchor component={Link} href="/reports" fw={section === undefined ? 700 : 400} aria-current={section === undefined ? 'page' : undefined}>
          Dashboard
        </Anchor>
        <Anchor component={Link} href="/reports/digests" fw={section === 'digests' ? 700 : 400} aria-current={section === 'digests' ? 'page' : undefined}>
          Digests
        </Anchor>
      </Group>
      {section === 'digests' ? <DigestSettings /> : <Dashboard />}
    </Stack>
  );
}

function Dashboard() {
  const dir = useDirectory();
  const [period, setPeriod] = useState<PeriodKey>('30d');
  const today = new Date().toISOString().slice(0, 10);
  const [custom, setCustom] = useState({ from: today, to: today });
  const [filters, setFilters] = useState<Filters>({});
  const [business, setBusiness] = useState(false);
  const [picked, setPicked] = useState<Pick | null>(null);
  const definitions = useQuery({ queryKey: ['report-definitions'], queryFn: () => reportsApi.definitions(), staleTime: Number.POSITIVE_INFINITY });
  const range = useMemo(() => {
    if (period !== 'custom') return periodRange(period, new Date(), custom);
    const to = new Date(`${custom.to}T00:00:00Z`);
    return { from: `${custom.from}T00:00:00Z`, to: new Date(to.getTime() + 86_400_000).toISOString() };
  }, [period, custom]);
  const query: Query = { ...range, ...filters };
  const def = (key: string) => definitions.data?.items.find((d) => d.key === key);
  const setFilter = (k: keyof Filters) => (v: string | null) => setFilters((f) => ({ ...f, [k]: v || undefined }));

  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <Title order={2}>Reports</Title>
        <Switch label="Business hours" checked={business} onChange={(e) => setBusiness(e.currentTarget.checked)} />
      </Group>
      <Group wrap="wrap" align="end">
        {/* On a phone the five periods are wider than the screen: they scroll sideways rather than being cut off. */}
        <SegmentedControl style={{ maxWidth: "100%", overflowX: "auto" }} aria-label="Period" data={PERIODS.map((p) => ({ value: p.value, label: p.label }))} value={period} onChange={(v) => setPeriod(v as PeriodKey)} />
        {period === 'custom' && (
          <>
            <TextInput type="date" label="From" value={custom.from} onChange={(e) => {
                const from = e.currentTarget.value;
                setCustom((c) => ({ ...c, from }));
              }} />
            <TextInput type="date" label="To (inclusive)" value={custom.to} onChange={(e) => {
                const to = e.currentTarget.value;
                setCustom((c) => ({ ...c, to }));
              }} />
          </>
        )}
      </Group>
      <Group wrap="wrap" gap="xs">
        <Select label="Group" placeholder="All" clearable data={dir.groups.map((g) => ({ value: g.id, label: g.name }))} value={filters.group ?? null} onChange={setFilter('group')} w={170} />
        <Select label="Agent" placeholder="All" clearable searchable data={dir.staff.map((u) => ({ value: u.id, label: u.name }))} value={filters.agent ?? null} onChange={setFilter('agent')} w={170} />
        <Select label="Priority" placeholder="All" clearable data={dir.priorities.map((p) => ({ value: p.id, label: p.name }))} value={filters.priority ?? null} onChange={setFilter('priority')} w={130} />
        <Select label="Channel" placeholder="All" clearable data={CHANNELS} value={filters.channel ?? null} onChange={setFilter('channel')} w={130} />
        <Select label="Type" placeholder="All" clearable data={dir.types.map((t) => ({ value: t.key, label: t.label }))} value={filters.type ?? null} onChange={setFilter('type')} w={130} />
        <TextInput label="Tag" placeholder="Any" value={filters.tag ?? ''} onChange={(e) => setFilter('tag')(e.currentTarget.value.trim())} w={130} />
      </Group>
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        {TILES.map((tile) => (
          <Tile key={`${tile.metric}-${tile.value}`} tile={tile} business={business} query={query} definition={def(tile.metric)} onPick={setPicked} />
        ))}
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {CHARTS.map((c) => (
          <ChartCard key={c.metric} chart={c} business={business} query={query} definition={def(c.metric)} onPick={setPicked} />
        ))}
      </SimpleGrid>
      <AgentTable query={query} business={business} onPick={setPicked} />
      <TimeSection range={range} />
      <Drawer opened={picked !== null} onClose={() => setPicked(null)} position="right" size="lg" title={picked?.title ?? ''}>
        {picked && <TicketsBehind pick={picked} query={query} />}
      </Drawer>
    </Stack>
  );
}

function HowCounted({ definition }: { definition: Definition | undefined }) {
  if (!definition) return null;
  return (
    <Popover width={320} withArrow>
      <Popover.Target>
        <Anchor component="button" type="button" size="xs">
          How is this counted?
        </Anchor>
      </Popover.Target>
      <Popover.Dropdown>
        <Text size="sm">{definition.definition}</Text>
      </Popover.Dropdown>
    </Popover>
  );
}

function Tile({ tile, business, query, definition, onPick }: { tile: (typeof TILES)[number]; business: boolean; query: Query; definition: Definition | undefined; onPick: (p: Pick) => void }) {
  const [, navigate] = useLocation();
  const q = tile.incidents ? { from: query.from, to: query.to } : query;
  const report = useQuery({ queryKey: ['report', tile.metric, q], queryFn: () => reportsApi.run(tile.metric, q) });
  const key = business && tile.business ? tile.business : tile.value;
  const now = report.data?.values[key];
  const before = report.data?.previous.values[key];
  const unit = report.data?.metric.unit ?? '';
  const delta = now !== undefined && now !== null && before !== undefined && before !== null ? now - before : null;
  return (
    <Card withBorder padding="sm">
      <UnstyledButton
        onClick={() => (tile.incidents ? navigate('/incidents') : onPick({ metric: tile.metric, title: tile.title }))}
        aria-label={tile.incidents ? `${tile.title}: open Incidents` : `${tile.title}: show the tickets`}
        data-testid={`tile-${tile.metric}${tile.metric === 'satisfaction' ? `-${tile.value}` : ''}`}
      >
        <Text size="xs" c="dimmed">
          {tile.title}
        </Text>
        {report.isPending ? <Loader size="xs" /> : report.isError ? <Text c="red">{(report.error as Error).message}</Text> : <Text fw={700} size="xl">{show(now, unit)}</Text>}
        {delta !== null && (
          <Text size="xs" c="dimmed">
            {delta === 0 ? 'same as' : `${delta > 0 ? '+' : '−'}${show(Math.abs(delta), unit)} vs`} previous period
          </Text>
        )}
      </UnstyledButton>
      <HowCounted definition={definition} />
    </Card>
  );
}

function ChartCard({ chart, business, query, definition, onPick }: { chart: (typeof CHARTS)[number]; business: boolean; query: Query; definition: Definition | undefined; onPick: (p: Pick) => void }) {
  const report = useQuery({ queryKey: ['report', chart.metric, chart.groupBy, query], queryFn: () => reportsApi.run(chart.metric, query, chart.groupBy) });
  const key = business && chart.business ? chart.business : chart.value;
  const groups = report.data?.groups ?? [];
  const labels = useMemo(() => groups.map((g) => g.label), [groups]);
  const values = useMemo(() => groups.map((g) => g.values[key] ?? null), [groups, key]);
  const unit = report.data?.metric.unit ?? '';
  // One function per unit (not a new one each render: the chart redraws when it changes).
  const formatAxis = useMemo(() => (v: number) => show(v, unit), [unit]);
  const pick = (i: number) => {
    const g = groups[i];
    if (g) onPick({ metric: chart.metric, groupBy: chart.groupBy, value: g.key ?? '', title: `${chart.title}: ${g.label}` });
  };
  return (
    <Card withBorder padding="sm" aria-label={chart.title}>
      <Group justify="space-between">
        <Text fw={600}>{chart.title}</Text>
        <Group gap="xs">
          <HowCounted definition={definition} />
          <Anchor href={csvHref(chart.metric, query, chart.groupBy)} size="xs" download>
            CSV
          </Anchor>
        </Group>
      </Group>
      {report.isPending ? <Loader size="sm" /> : groups.length === 0 ? <Text c="dimmed">Nothing in this period.</Text> : <BarChart labels={labels} values={values} label={chart.metric} onPick={pick} format={formatAxis} />}
      {/* The same numbers as buttons: the keyboard's way to the tickets, and the chart's text for screen readers. */}
      <Group gap={4} mt="xs" wrap="wrap" aria-label={`${chart.title} values`}>
        {groups.map((g, i) => (
          <Button key={g.key ?? '(none)'} size="compact-xs" variant="subtle" onClick={() => pick(i)}>
            {g.label}: {show(g.values[key], report.data?.metric.unit ?? '')}
          </Button>
        ))}
      </Group>
    </Card>
  );
}

function AgentTable({ query, business, onPick }: { query: Query; business: boolean; onPick: (p: Pick) => void }) {
  const solved = useQuery({ queryKey: ['report', 'tickets_solved', 'agent', query], queryFn: () => reportsApi.run('tickets_solved', query, 'agent') });
  const frt = useQuery({ queryKey: ['report', 'first_response_time', 'agent', query], queryFn: () => reportsApi.run('first_response_time', query, 'agent') });
  const rows = new Map<string, { key: string | null; label: string; solved?: number | null; frt?: number | null }>();
  for (const g of solved.data?.groups ?? []) rows.set(g.key ?? '', { key: g.key, label: g.label, solved: g.values.tickets });
  for (const g of frt.data?.groups ?? []) rows.set(g.key ?? '', { ...(rows.get(g.key ?? '') ?? { key: g.key, label: g.label }), frt: business ? g.values.p50Business : g.values.p50 });
  return (
    <Card withBorder padding="sm">
      <Text fw={600}>By agent (assignee now)</Text>
      <Table.ScrollContainer minWidth={0} type="native">
        <Table aria-label="By agent">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Agent</Table.Th>
              <Table.Th>Solved</Table.Th>
              <Table.Th>First response (median)</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {[...rows.values()].map((r) => (
              <Table.Tr key={r.key ?? 'none'}>
                <Table.Td>{r.key ? r.label : 'Unassigned'}</Table.Td>
                <Table.Td>
                  <Anchor component="button" type="button" onClick={() => onPick({ metric: 'tickets_solved', groupBy: 'agent', value: r.key ?? '', title: `Solved by ${r.key ? r.label : 'nobody'}` })}>
                    {show(r.solved ?? 0, 'tickets')}
                  </Anchor>
                </Table.Td>
                <Table.Td>{show(r.frt, 'seconds')}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}

function TicketsBehind({ pick, query }: { pick: Pick; query: Query }) {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const pages = useQuery({
    queryKey: ['report-tickets', pick, query, cursors],
    queryFn: () => Promise.all(cursors.map((cursor) => reportsApi.tickets(pick.metric, query, { groupBy: pick.groupBy, value: pick.value, cursor }))),
  });
  if (pages.isPending) return <Loader />;
  if (pages.isError) return <Text c="red">{(pages.error as Error).message}</Text>;
  const items = pages.data.flatMap((p) => p.items);
  const next = pages.data[pages.data.length - 1]?.nextCursor;
  return (
    <Stack>
      <Table.ScrollContainer minWidth={0} type="native">
        <Table aria-label="Tickets behind the number">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>#</Table.Th>
              <Table.Th>Subject</Table.Th>
              <Table.Th>Value</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((t) => (
              <Table.Tr key={t.id}>
                <Table.Td>{t.number}</Table.Td>
                <Table.Td>
                  <Link href={`/tickets/${t.number}`}>{t.subject}</Link>{' '}
                  <Badge size="xs" variant="light">
                    {t.status}
                  </Badge>
                </Table.Td>
                <Table.Td>{t.value ?? '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {items.length === 0 && <Text c="dimmed">No tickets.</Text>}
      {next && (
        <Button variant="default" onClick={() => setCursors((c) => [...c, next])}>
          More
        </Button>
      )}
    </Stack>
  );
}
