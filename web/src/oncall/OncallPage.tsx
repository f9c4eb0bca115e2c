import { Alert, Badge, Box, Button, Card, Flex, Group, NavLink, Select, SimpleGrid, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client';
import { FormError, useSave } from '../admin/forms';
import { useDirectory } from '../app/directory';
import { useSession } from '../app/session';
import { FeedLinks } from './FeedLinks';
import { MyPages } from './MyPages';
import { PageDetail } from './PageDetail';
import { OncallAdmin } from './OncallAdmin';

const TABS: [string, string, boolean][] = [
  ['now', 'On call now', false],
  ['pages', 'My pages', false],
  ['admin', 'Schedules and policies', true],
];

/** The on-call area: who is on now (with the week and overrides), my pages, and for admins the set-up. */
export function OncallPage({ section, pageId }: { section: string; pageId?: string }) {
  const { me } = useSession();
  return (
    // A rail beside the page; on a phone, the same links above it (a rail would leave the page a third of the screen).
    <Flex direction={{ base: 'column', sm: 'row' }} align={{ base: 'stretch', sm: 'flex-start' }} gap="md">
      <Box component="nav" aria-label="On-call" w={{ base: '100%', sm: 210 }} style={{ flexShrink: 0 }}>
        {TABS.filter(([, , admin]) => !admin || me.role === 'admin').map(([key, label]) => (
          <NavLink key={key} component={Link} href={key === 'now' ? '/oncall' : `/oncall/${key}`} label={label} active={section === key} />
        ))}
      </Box>
      <div style={{ flex: 1, minWidth: 0 }}>{section === 'pages' && pageId ? <PageDetail id={pageId} /> : section === 'pages' ? <MyPages /> : section === 'admin' && me.role === 'admin' ? <OncallAdmin /> : <OnCallNow />}</div>
    </Flex>
  );
}

const fmt = (d: string | Date, zone?: string) => new Date(d).toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: zone });

function OnCallNow() {
  const schedules = useQuery({ queryKey: ['oncall-schedules'], queryFn: () => api.get('/api/v1/oncall/schedules').then((r) => r.items) });
  const [selected, setSelected] = useState<string | null>(null);
  const items = schedules.data ?? [];
  const current = selected ?? items[0]?.id ?? null;
  return (
    <Stack>
      <Title order={3}>On call now</Title>
      {items.length === 0 && !schedules.isPending && <Text c="dimmed">No on-call schedules yet{' — '}an admin sets them up under Schedules and policies.</Text>}
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        {items.map((s) => (
          <Card key={s.id} withBorder padding="sm" aria-label={`Schedule ${s.name}`} data-testid={`oncall-now-${s.name}`}>
            <Text fw={600}>{s.name}</Text>
            <Text size="sm">{s.onCallNow ? s.onCallNow.name : 'Nobody'}</Text>
            <Text size="xs" c="dimmed">
              {s.timeZone}
            </Text>
            <Button mt="xs" size="compact-xs" variant={current === s.id ? 'filled' : 'light'} onClick={() => setSelected(s.id)} aria-pressed={current === s.id}>
              Show week
            </Button>
          </Card>
        ))}
      </SimpleGrid>
      {current && <ScheduleWeek id={current} />}
    </Stack>
  );
}

function ScheduleWeek({ id }: { id: string }) {
  const { staff } = useDirectory();
  const [weekStart, setWeekStart] = useState(() => {
    const d = new Date();
    d.setHours(0, 0, 0, 0);
    d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
    return d;
  });
  const to = new Date(weekStart.getTime() + 7 * 86_400_000);
  const schedule = useQuery({
    queryKey: ['oncall-schedule', id, weekStart.toISOString()],
    queryFn: () => api.get('/api/v1/oncall/schedules/{id}', { path: { id }, query: { from: weekStart.toISOString(), to: to.toISOString() } }),
  });
  const notes = useQuery({ queryKey: ['oncall-notes', id], queryFn: () => api.get('/api/v1/oncall/schedules/{id}/handoff-notes', { path: { id } }).then((r) => r.items) });
  const { error, save } = useSave([['oncall-schedule'], ['oncall-schedules'], ['oncall-notes', id]]);
  // The override form's own save: an overlap or a bad range is shown at its field, not above the notes.
  const overrideSave = useSave([['oncall-schedule'], ['oncall-schedules']]);
  const [override, setOverride] = useState({ userId: '', startsAt: '', endsAt: '', note: '' });
  const [note, setNote] = useState('');
  const s = schedule.data;
  if (!s) return null;
  const days = Array.from({ length: 7 }, (_, i) => new Date(weekStart.getTime() + i * 86_400_000));
  const nameOf = (userId: string) => staff.find((u) => u.id === userId)?.name ?? userId;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={4}>{s.name}: the week</Title>
        <Group gap="xs">
          <Button size="xs" variant="default" onClick={() => setWeekStart(new Date(weekStart.getTime() - 7 * 86_400_000))}>
            Previous week
          </Button>
          <Button size="xs" variant="default" onClick={() => setWeekStart(new Date(weekStart.getTime() + 7 * 86_400_000))}>
            Next week
          </Button>
        </Group>
      </Group>
      <ol aria-label="Week calendar" style={{ display: 'grid', gridTemplateColumns: 'repeat(7, 1fr)', gap: 4, listStyle: 'none', padding: 0, margin: 0 }}>
        {days.map((day) => {
          const end = new Date(day.getTime() + 86_400_000);
          const shifts = s.shifts.filter((x) => new Date(x.start) < end && new Date(x.end) > day);
          return (
            <li key={day.toISOString()} style={{ border: '1px solid var(--mantine-color-gray-3)', borderRadius: 4, padding: 4, minHeight: 90 }}>
              <Text size="xs" fw={700}>
                {day.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' })}
              </Text>
              {shifts.map((x) => (
                <Badge key={`${x.start}-${x.userId}`} display="block" mt={4} size="sm" variant={x.overrideId ? 'filled' : 'light'} color={x.overrideId ? 'orange' : 'blue'} title={`${fmt(x.start)} – ${fmt(x.end)}`}>
                  {x.name}
                </Badge>
              ))}
            </li>
          );
        })}
      </ol>
      <Text size="xs" c="dimmed">
        Times in your browser's zone; the schedule runs in {s.timeZone}. Orange: an override.
      </Text>
      <FeedLinks scheduleId={s.id} scheduleName={s.name} />

      <Title order={5}>Overrides</Title>
      <Table.ScrollContainer minWidth={0} type="native">
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Who</Table.Th>
              <Table.Th>From</Table.Th>
              <Table.Th>Until</Table.Th>
              <Table.Th>Note</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {s.overrides.map((o) => (
              <Table.Tr key={o.id}>
                <Table.Td>{nameOf(o.userId)}</Table.Td>
                <Table.Td>{fmt(o.startsAt)}</Table.Td>
                <Table.Td>{fmt(o.endsAt)}</Table.Td>
                <Table.Td>{o.note}</Table.Td>
                <Table.Td>
                  <Button size="compact-xs" variant="subtle" color="red" onClick={() => void save(() => api.delete('/api/v1/oncall/schedules/{id}/overrides/{overrideId}', { path: { id, overrideId: o.id } }))}>
                    Remove override
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <form
        aria-label="Add an override"
        onSubmit={(e) => {
          e.preventDefault();
          void overrideSave.save(
            () => api.post('/api/v1/oncall/schedules/{id}/overrides', { path: { id }, body: { ...override, startsAt: new Date(override.startsAt).toISOString(), endsAt: new Date(override.endsAt).toISOString() } }),
            () => setOverride({ userId: '', startsAt: '', endsAt: '', note: '' }),
          );
        }}
      >
        <Group align="flex-start">
          <Select label="Who takes it" data={staff.map((u) => ({ value: u.id, label: u.name }))} value={override.userId || null} onChange={(v) => setOverride({ ...override, userId: v ?? '' })} searchable w={200} error={overrideSave.error?.fieldError('userId')} />
          <TextInput label="From" type="datetime-local" value={override.startsAt} onChange={(e) => setOverride({ ...override, startsAt: e.currentTarget.value })} required error={overrideSave.error?.fieldError('startsAt')} />
          <TextInput label="Until" type="datetime-local" value={override.endsAt} onChange={(e) => setOverride({ ...override, endsAt: e.currentTarget.value })} required error={overrideSave.error?.fieldError('endsAt')} />
          <TextInput label="Note" value={override.note} onChange={(e) => setOverride({ ...override, note: e.currentTarget.value })} />
          <Button type="submit">Add override</Button>
        </Group>
        <FormError error={overrideSave.error} fieldsInPlace />
      </form>
      <FormError error={error} />

      <Title order={5}>Hand-off notes</Title>
      <form
        aria-label="Leave a hand-off note"
        onSubmit={(e) => {
          e.preventDefault();
          void save(() => api.post('/api/v1/oncall/schedules/{id}/handoff-notes', { path: { id }, body: { body: note } }), () => setNote(''));
        }}
      >
        <Group align="flex-end">
          <Textarea label="Note for the next person on call" value={note} onChange={(e) => setNote(e.currentTarget.value)} autosize minRows={2} style={{ flex: 1 }} />
          <Button type="submit">Leave note</Button>
        </Group>
      </form>
      {(notes.data ?? []).map((n) => (
        <Alert key={n.id} variant="light" title={`${n.authorId ? nameOf(n.authorId) : 'Someone'} · ${fmt(n.createdAt)}`}>
          {n.body}
        </Alert>
      ))}
    </Stack>
  );
}
