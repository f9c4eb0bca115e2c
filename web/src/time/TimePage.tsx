import { Alert, Anchor, Button, Group, NavLink, Paper, Select, Stack, Switch, Table, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { ApiError, api } from '../api/client';
import { useDirectory } from '../app/directory';
import { useSession } from '../app/session';
import { addDays, hours, mondayOf } from '../boards/model';
import { LogTimeForm } from './TimePanel';

/** /time (my week), /time/report (per customer, CSV), /time/settings (my end of day; the admin's lock). */
export function TimePage({ section }: { section: string }) {
  const [, navigate] = useLocation();
  const { me } = useSession();
  return (
    <Stack>
      <Title order={2}>Time</Title>
      <Tabs value={section} onChange={(v) => navigate(v === 'week' ? '/time' : `/time/${v}`)}>
        <Tabs.List>
          <Tabs.Tab value="week">My week</Tabs.Tab>
          {me.role !== 'light_agent' && <Tabs.Tab value="report">Report</Tabs.Tab>}
          <Tabs.Tab value="settings">Settings</Tabs.Tab>
        </Tabs.List>
      </Tabs>
      {section === 'report' ? <TimeReport /> : section === 'settings' ? <TimeSettings /> : <Timesheet />}
    </Stack>
  );
}

function Timer() {
  const qc = useQueryClient();
  const dir = useDirectory();
  const timer = useQuery({ queryKey: ['timer'], queryFn: () => api.get('/api/v1/time/timer').then((r) => r.timer) });
  const [org, setOrg] = useState<string | null>(null);
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 30_000);
    return () => clearInterval(t);
  }, []);
  const run = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      await qc.invalidateQueries({ queryKey: ['timer'] });
      await qc.invalidateQueries({ queryKey: ['timesheet'] });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  const t = timer.data;
  return (
    <Paper withBorder p="xs" aria-label="Timer" role="group">
      {t ? (
        <Group justify="space-between" wrap="wrap">
          <Text size="sm" data-testid="timer-running">
            Timer running since {new Date(t.startedAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })} ({Math.round((Date.now() - new Date(t.startedAt).getTime()) / 60_000)} min)
            {t.organizationId ? ` · ${dir.orgName(t.organizationId)}` : ''}
            {t.description ? ` · ${t.description}` : ''}
          </Text>
          <Group gap="xs">
            <Button size="xs" onClick={() => void run(() => api.post('/api/v1/time/timer/stop', { body: {} }))}>
              Stop and log
            </Button>
            <Button size="xs" variant="subtle" color="gray" onClick={() => void run(() => api.delete('/api/v1/time/timer', {}))}>
              Discard
            </Button>
          </Group>
        </Group>
      ) : (
        <Group gap="xs" align="flex-end" wrap="wrap">
          <Select size="xs" label="Customer" searchable data={dir.organizations.map((o) => ({ value: o.id, label: o.name }))} value={org} onChange={setOrg} w={200} />
          <TextInput size="xs" label="What you are doing" value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
          <Button size="xs" variant="light" disabled={!org} onClick={() => void run(() => api.post('/api/v1/time/timer', { body: { organizationId: org ?? undefined, description } }))}>
            Start timer
          </Button>
        </Group>
      )}
      {error && (
        <Text c="red" size="xs" role="alert">
          {error}
        </Text>
      )}
    </Paper>
  );
}

function Timesheet() {
  const qc = useQueryClient();
  const dir = useDirectory();
  const { me } = useSession();
  const [week, setWeek] = useState(() => mondayOf(new Date()));
  const [person, setPerson] = useState<string | null>(null);
  const [org, setOrg] = useState<string | null>(null);
  const sheet = useQuery({ queryKey: ['timesheet', person, week], queryFn: () => api.get('/api/v1/time/timesheet', { query: { week, userId: person ?? undefined } }) });
  const reminders = useQuery({ queryKey: ['reminders'], queryFn: () => api.get('/api/v1/time/reminders').then((r) => r.items) });
  const names = new Map([...(sheet.data?.people ?? []), ...(sheet.data?.organizations ?? [])].map((n) => [n.id, n.name]));
  const refresh = async () => {
    await qc.invalidateQueries({ queryKey: ['timesheet'] });
    await qc.invalidateQueries({ queryKey: ['reminders'] });
  };
  const remove = async (id: string) => {
    await api.delete('/api/v1/time/entries/{id}', { path: { id } }).catch(() => undefined);
    await refresh();
  };
  return (
    <Stack gap="sm">
      {(reminders.data ?? []).map((r) => (
        <Alert key={r.day} color="yellow" role="status" py={6}>
          <Group justify="space-between">
            <Text size="sm">You logged no time on {r.day}. Record it while you remember.</Text>
            <Button size="compact-xs" variant="white" onClick={() => void api.post('/api/v1/time/reminders/dismiss', { body: { day: r.day } }).then(refresh)}>
              Dismiss
            </Button>
          </Group>
        </Alert>
      ))}
      <Timer />
      <Paper withBorder p="xs">
        <Group gap="xs" mb={4} align="flex-end">
          <Select size="xs" label="Log time for customer" searchable data={dir.organizations.map((o) => ({ value: o.id, label: o.name }))} value={org} onChange={setOrg} w={220} />
        </Group>
        {org ? <LogTimeForm target={{ organizationId: org }} onLogged={refresh} /> : <Text size="xs" c="dimmed">Choose the customer to log time against (time on a ticket is logged from the ticket or its card).</Text>}
      </Paper>
      <Group justify="space-between" wrap="wrap">
        <Group gap="xs">
          <Button size="xs" variant="default" onClick={() => setWeek(addDays(week, -7))} aria-label="Previous week">
            ←
          </Button>
          <Text fw={600} data-testid="week">
            Week of {week}
          </Text>
          <Button size="xs" variant="default" onClick={() => setWeek(addDays(week, 7))} aria-label="Next week">
            →
          </Button>
        </Group>
        {me.role !== 'light_agent' && (
          <Select size="xs" aria-label="Person" placeholder="Me" clearable searchable data={dir.staff.map((u) => ({ value: u.id, label: u.name }))} value={person} onChange={setPerson} w={200} />
        )}
      </Group>
      <Table.ScrollContainer minWidth={0} type="native">
        <Table aria-label="Timesheet" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Day</Table.Th>
              <Table.Th>Customer</Table.Th>
              <Table.Th>Ticket</Table.Th>
              <Table.Th>Description</Table.Th>
              <Table.Th>Hours</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(sheet.data?.days ?? []).map((d) =>
              d.items.length ? (
                d.items.map((e, i) => (
                  <Table.Tr key={e.id}>
                    <Table.Td>{i === 0 ? `${d.day} (${hours(d.minutes)})` : ''}</Table.Td>
                    <Table.Td>{e.organizationId ? names.get(e.organizationId) : '—'}</Table.Td>
                    <Table.Td>{e.ticketNumber ? <Link href={`/tickets/${e.ticketNumber}`}>#{e.ticketNumber}</Link> : ''}</Table.Td>
                    <Table.Td>{e.description}</Table.Td>
                    <Table.Td>
                      {hours(e.minutes)}
                      {e.billable ? '' : ' (not billable)'}
                    </Table.Td>
                    <Table.Td>
                      {(!sheet.data?.lockedThrough || e.workDate > sheet.data.lockedThrough) && (
                        <Button size="compact-xs" variant="subtle" color="gray" onClick={() => void remove(e.id)} aria-label={`Delete the entry of ${e.workDate}`}>
                          Delete
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))
              ) : (
                <Table.Tr key={d.day}>
                  <Table.Td>{d.day}</Table.Td>
                  <Table.Td colSpan={5}>
                    <Text size="xs" c="dimmed">
                      nothing logged
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ),
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Text fw={600} data-testid="week-total">
        Week total: {hours(sheet.data?.totalMinutes ?? 0)}
      </Text>
      {sheet.data?.lockedThrough && (
        <Text size="xs" c="dimmed">
          Timesheets are locked up to {sheet.data.lockedThrough}.
        </Text>
      )}
    </Stack>
  );
}

function TimeReport() {
  const dir = useDirectory();
  const today = new Date();
  const [from, setFrom] = useState(() => new Date(Date.UTC(today.getFullYear(), today.getMonth(), 1)).toISOString().slice(0, 10));
  const [to, setTo] = useState(() => new Date(Date.UTC(today.getFullYear(), today.getMonth() + 1, 0)).toISOString().slice(0, 10));
  const [org, setOrg] = useState<string | null>(null);
  const report = useQuery({ queryKey: ['time-report', from, to, org], queryFn: () => api.get('/api/v1/time/report', { query: { from, to, organizationId: org ?? undefined } }), enabled: !!from && !!to });
  const csv = `/api/v1/time/report.csv?${new URLSearchParams({ from, to, ...(org ? { organizationId: org } : {}) })}`;
  return (
    <Stack gap="sm">
      <Group gap="xs" align="flex-end" wrap="wrap">
        <TextInput size="xs" type="date" label="From" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
        <TextInput size="xs" type="date" label="To" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
        <Select size="xs" label="Customer" placeholder="Every customer" clearable searchable data={dir.organizations.map((o) => ({ value: o.id, label: o.name }))} value={org} onChange={setOrg} w={220} />
        <Anchor href={csv} download size="sm">
          Download CSV
        </Anchor>
      </Group>
      {report.error && <Alert color="red">{(report.error as Error).message}</Alert>}
      <Table.ScrollContainer minWidth={0} type="native">
        <Table aria-label="Time per customer" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Customer</Table.Th>
              <Table.Th>Hours</Table.Th>
              <Table.Th>Billable</Table.Th>
              <Table.Th>Entries</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(report.data?.customers ?? []).map((c) => (
              <Table.Tr key={c.organizationId ?? 'none'}>
                <Table.Td>{c.name}</Table.Td>
                <Table.Td data-testid="report-hours">{hours(c.minutes)}</Table.Td>
                <Table.Td>{hours(c.billableMinutes)}</Table.Td>
                <Table.Td>{c.entries}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Text fw={600}>Total: {hours(report.data?.totalMinutes ?? 0)}</Text>
      {(report.data?.types.length ?? 0) > 0 && (
        <Table.ScrollContainer minWidth={0} type="native">
          <Table aria-label="Time per type" fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Ticket type</Table.Th>
                <Table.Th>Hours</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {report.data?.types.map((t) => (
                <Table.Tr key={t.label}>
                  <Table.Td>{t.label}</Table.Td>
                  <Table.Td>{hours(t.minutes)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {(report.data?.tickets.length ?? 0) > 0 && (
        <Table.ScrollContainer minWidth={0} type="native">
          <Table aria-label="Time per ticket" fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Ticket</Table.Th>
                <Table.Th>Customer</Table.Th>
                <Table.Th>Hours</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {report.data?.tickets.map((t) => (
                <Table.Tr key={t.ticketId}>
                  <Table.Td>{t.ticketNumber && <Link href={`/tickets/${t.ticketNumber}`}>#{t.ticketNumber}</Link>}</Table.Td>
                  <Table.Td>{dir.orgName(t.organizationId)}</Table.Td>
                  <Table.Td>{hours(t.minutes)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

function TimeSettings() {
  const qc = useQueryClient();
  const { me } = useSession();
  const prefs = useQuery({ queryKey: ['time-prefs'], queryFn: () => api.get('/api/v1/time/preferences') });
  const lock = useQuery({ queryKey: ['time-settings'], queryFn: () => api.get('/api/v1/time/settings') });
  const [form, setForm] = useState<{ timeZone: string; endOfDay: string; reminders: boolean; weeklyHours: number } | null>(null);
  const [lockedThrough, setLockedThrough] = useState<string | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const f = form ?? (prefs.data ? { timeZone: prefs.data.timeZone, endOfDay: prefs.data.endOfDay, reminders: prefs.data.reminders, weeklyHours: prefs.data.weeklyHours } : null);
  if (!f) return null;
  const save = async () => {
    try {
      await api.put('/api/v1/time/preferences', { body: f });
      await qc.invalidateQueries({ queryKey: ['time-prefs'] });
      setMsg('Saved');
    } catch (err) {
      setMsg(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <Stack gap="sm" maw={480}>
      <Title order={4}>My end-of-day reminder</Title>
      <Switch label="Remind me at the end of my working day if I logged nothing" checked={f.reminders} onChange={(e) => setForm({ ...f, reminders: e.currentTarget.checked })} />
      <TextInput label="Time zone" value={f.timeZone} onChange={(e) => setForm({ ...f, timeZone: e.currentTarget.value })} />
      <TextInput label="My day ends at" type="time" value={f.endOfDay} onChange={(e) => setForm({ ...f, endOfDay: e.currentTarget.value })} />
      <TextInput
        label="Hours a week for planned work"
        description="The planning view weighs the week's estimates against it"
        type="number"
        min={0}
        max={168}
        value={String(f.weeklyHours)}
        onChange={(e) => setForm({ ...f, weeklyHours: Number(e.currentTarget.value) })}
      />
      <Group>
        <Button onClick={() => void save()}>Save</Button>
        {msg && (
          <Text size="sm" role="status">
            {msg}
          </Text>
        )}
      </Group>
      {me.role === 'admin' && (
        <>
          <Title order={4} mt="md">
            Lock timesheets
          </Title>
          <Text size="sm" c="dimmed">
            Entries on or before this day can no longer be added, changed or deleted (after invoicing).
          </Text>
          <Group align="flex-end">
            <TextInput type="date" label="Locked through" value={lockedThrough ?? lock.data?.lockedThrough ?? ''} onChange={(e) => setLockedThrough(e.currentTarget.value)} />
            <Button
              variant="light"
              onClick={() =>
                void api.put('/api/v1/time/settings', { body: { lockedThrough: lockedThrough || null } }).then(() => qc.invalidateQueries({ queryKey: ['time-settings'] }))
              }
            >
              Lock
            </Button>
          </Group>
        </>
      )}
      <NavLink component={Link} href="/time" label="Back to my week" />
    </Stack>
  );
}
