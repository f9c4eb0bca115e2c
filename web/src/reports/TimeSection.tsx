import { Anchor, Card, Group, Loader, SimpleGrid, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { useSession } from '../app/session';
import { hours } from '../boards/model';

/**
 * Time in Reports: the time report (Time → Report's service) for the dashboard's period — per customer, per ticket
 * type and per agent — with the same CSV (one row per entry). The dashboard's period is [from, to) in instants; time
 * is logged on days, so the days are from's day to the day before `to`. Agents and admins (the time report's access).
 */
export function TimeSection({ range }: { range: { from: string; to: string } }) {
  const { me } = useSession();
  const from = range.from.slice(0, 10);
  const to = new Date(new Date(range.to).getTime() - 1).toISOString().slice(0, 10);
  const allowed = me.role === 'agent' || me.role === 'admin';
  const report = useQuery({ queryKey: ['time-report', from, to, null], queryFn: () => api.get('/api/v1/time/report', { query: { from, to } }), enabled: allowed });
  if (!allowed) return null;
  const csv = `/api/v1/time/report.csv?${new URLSearchParams({ from, to })}`;
  const data = report.data;
  return (
    <Card withBorder padding="sm" component="section" aria-label="Time">
      <Group justify="space-between" mb={4}>
        <Text fw={600}>
          Time logged, {from} to {to}: <span data-testid="reports-time-total">{hours(data?.totalMinutes ?? 0)}</span>
        </Text>
        <Anchor href={csv} download size="sm">
          Download time CSV
        </Anchor>
      </Group>
      {report.isPending ? (
        <Loader size="sm" />
      ) : report.error ? (
        <Text c="red">{(report.error as Error).message}</Text>
      ) : !data?.totalMinutes ? (
        <Text c="dimmed">No time logged in this period.</Text>
      ) : (
        <SimpleGrid cols={{ base: 1, md: 3 }}>
          <TimeTable label="Time by customer" head="Customer" rows={data.customers.map((c) => ({ key: c.organizationId ?? 'none', name: c.name, minutes: c.minutes, billable: c.billableMinutes }))} />
          <TimeTable label="Time by ticket type" head="Type" rows={data.types.map((t) => ({ key: t.type ?? t.label, name: t.label, minutes: t.minutes }))} />
          <TimeTable label="Time by agent" head="Agent" rows={data.people.map((p) => ({ key: p.userId, name: p.name, minutes: p.minutes, billable: p.billableMinutes }))} />
        </SimpleGrid>
      )}
    </Card>
  );
}

function TimeTable({ label, head, rows }: { label: string; head: string; rows: { key: string; name: string; minutes: number; billable?: number }[] }) {
  const billable = rows.some((r) => r.billable !== undefined);
  return (
    <Table.ScrollContainer minWidth={0} type="native">
      <Table aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{head}</Table.Th>
            <Table.Th>Hours</Table.Th>
            {billable && <Table.Th>Billable</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.key}>
              <Table.Td>{r.name}</Table.Td>
              <Table.Td>{hours(r.minutes)}</Table.Td>
              {billable && <Table.Td>{hours(r.billable ?? 0)}</Table.Td>}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
