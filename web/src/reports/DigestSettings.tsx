import { Alert, Button, Card, Checkbox, Group, Loader, MultiSelect, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ApiError, api } from '../api/client';
import { useDirectory } from '../app/directory';

type Kind = 'daily' | 'weekly' | 'monthly';
type Row = { on: boolean; localTime: string; timeZone: string; weekday: string; groupIds: string[] };

const KINDS: { kind: Kind; title: string; what: string }[] = [
  { kind: 'daily', title: 'Daily check', what: 'New since yesterday, open tickets by age, overdue, priority mix.' },
  { kind: 'weekly', title: 'Weekly report', what: 'Created, solved, open; first response and resolution (average and median); SLA attainment; satisfaction; top 5 issues; against the week before.' },
  { kind: 'monthly', title: 'Monthly review', what: 'Last month against the month before (on the 1st).' },
];
const WEEKDAYS = [
  ['1', 'Monday'],
  ['2', 'Tuesday'],
  ['3', 'Wednesday'],
  ['4', 'Thursday'],
  ['5', 'Friday'],
  ['6', 'Saturday'],
  ['7', 'Sunday'],
].map(([value, label]) => ({ value: value as string, label: label as string }));

const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const blank = (): Row => ({ on: false, localTime: '08:00', timeZone: BROWSER_ZONE, weekday: '5', groupIds: [] });
const TIME_ZONES: string[] = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf: (k: string) => string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['UTC', 'Europe/London', 'America/New_York'];
  }
})();

/** Reports → Digests: which scheduled reports you get by email, at what local time, for which groups. */
export function DigestSettings() {
  const dir = useDirectory();
  const client = useQueryClient();
  // Read once: a background refetch would overwrite what the person is editing (saving puts the saved list in).
  const current = useQuery({ queryKey: ['digests'], queryFn: () => api.get('/api/v1/reports/digests'), staleTime: Number.POSITIVE_INFINITY, refetchOnWindowFocus: false });
  const [rows, setRows] = useState<Record<Kind, Row>>({ daily: blank(), weekly: blank(), monthly: blank() });
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    if (!current.data) return;
    const next = { daily: blank(), weekly: blank(), monthly: blank() };
    for (const i of current.data.items) next[i.kind] = { on: true, localTime: i.localTime, timeZone: i.timeZone, weekday: String(i.weekday), groupIds: i.groupIds };
    setRows(next);
  }, [current.data]);
  const set = (kind: Kind, patch: Partial<Row>) => setRows((r) => ({ ...r, [kind]: { ...r[kind], ...patch } }));
  const nextAt = (kind: Kind) => current.data?.items.find((i) => i.kind === kind)?.nextAt;

  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      const items = KINDS.filter((k) => rows[k.kind].on).map(({ kind }) => {
        const r = rows[kind];
        return { kind, localTime: r.localTime, timeZone: r.timeZone, weekday: Number(r.weekday), groupIds: r.groupIds };
      });
      const saved = await api.put('/api/v1/reports/digests', { body: { items } });
      client.setQueryData(['digests'], saved);
      notifications.show({ message: items.length ? 'Digests saved' : 'Digests stopped' });
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setSaving(false);
    }
  };

  // The form shows once the saved digests are in: ticked before they arrived, a box would be reset by them.
  if (current.isPending) return <Loader aria-label="Loading digests" />;
  if (current.isError) return <Alert color="red">{current.error instanceof ApiError ? current.error.message : String(current.error)}</Alert>;

  return (
    <Stack maw={720}>
      <Title order={3}>Digests</Title>
      <Text size="sm">Reports by email at your local time. Every number is the dashboard's, over the tickets you may see; each mail links to the live report.</Text>
      {KINDS.map(({ kind, title, what }) => {
        const r = rows[kind];
        const next = nextAt(kind);
        return (
          <Card key={kind} withBorder component="fieldset" aria-label={title}>
            <Checkbox label={title} description={what} checked={r.on} onChange={(e) => set(kind, { on: e.currentTarget.checked })} />
            {r.on && (
              <Group mt="sm" align="end" wrap="wrap">
                <TextInput type="time" label="Local time" value={r.localTime} onChange={(e) => set(kind, { localTime: e.currentTarget.value })} w={130} />
                <Select label="Time zone" searchable data={TIME_ZONES.includes(r.timeZone) ? TIME_ZONES : [r.timeZone, ...TIME_ZONES]} value={r.timeZone} onChange={(v) => v && set(kind, { timeZone: v })} allowDeselect={false} w={220} />
                {kind === 'weekly' && <Select label="Day" data={WEEKDAYS} value={r.weekday} onChange={(v) => v && set(kind, { weekday: v })} allowDeselect={false} w={140} />}
                <MultiSelect label="Groups" placeholder={r.groupIds.length ? '' : 'All my tickets'} data={dir.groups.map((g) => ({ value: g.id, label: g.name }))} value={r.groupIds} onChange={(v) => set(kind, { groupIds: v })} w={240} clearable />
              </Group>
            )}
            {r.on && next && (
              <Text size="xs" c="dimmed" mt="xs">
                Next: {new Date(next).toLocaleString(undefined, { timeZone: r.timeZone, dateStyle: 'medium', timeStyle: 'short' })} ({r.timeZone})
              </Text>
            )}
          </Card>
        );
      })}
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
      <Group>
        <Button onClick={() => void save()} loading={saving}>
          Save digests
        </Button>
      </Group>
    </Stack>
  );
}
