import { Alert, Anchor, Badge, Button, Group, List, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { ApiError, api, type Response } from '../api/client';
import { addDays, mondayOf } from './model';

type Plan = Response<'/api/v1/planning', 'get'>;
type PlanCard = Plan['customers'][number]['upNext'][number];
type Section = Plan['triage'];

const h = (n: number) => `${Math.round(n * 10) / 10} h`;

/**
 * Weekly planning (ready by Thursday for the next week): per customer the week's goal and commitment (cards scheduled
 * into the week), what is up next to commit, and last week's completed cards for the showcase; per person, the hours
 * the week's cards ask of them against the hours they have.
 */
export function PlanningPage() {
  const [week, setWeek] = useState(() => addDays(mondayOf(new Date()), 7));
  const plan = useQuery({ queryKey: ['planning', week], queryFn: () => api.get('/api/v1/planning', { query: { week } }) });
  const names = new Map((plan.data?.people ?? []).map((p) => [p.id, p.name]));
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        <Link href="/boards">Boards</Link> · weekly planning
      </Text>
      <Group justify="space-between" wrap="wrap">
        <Title order={2}>Planning</Title>
        <Group gap="xs">
          <Button size="xs" variant="default" aria-label="Previous week" onClick={() => setWeek(addDays(week, -7))}>
            ←
          </Button>
          <Text fw={600} data-testid="planning-week">
            Week of {week}
          </Text>
          <Button size="xs" variant="default" aria-label="Next week" onClick={() => setWeek(addDays(week, 7))}>
            →
          </Button>
        </Group>
      </Group>
      {plan.error && <Alert color="red">{(plan.error as Error).message}</Alert>}
      {plan.data && (
        <>
          <Paper withBorder p="xs">
            <Title order={4} mb={4}>
              People this week
            </Title>
            {plan.data.people.length ? (
              <Table.ScrollContainer minWidth={0} type="native">
                <Table aria-label="People this week" fz="sm">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Person</Table.Th>
                      <Table.Th>Estimated</Table.Th>
                      <Table.Th>Available</Table.Th>
                      <Table.Th>Cards</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {plan.data.people.map((p) => (
                      <Table.Tr key={p.id}>
                        <Table.Td>{p.name}</Table.Td>
                        <Table.Td c={p.committedHours > p.availableHours ? 'red' : undefined}>
                          {h(p.committedHours)}
                          {p.committedHours > p.availableHours ? ' — over' : ''}
                        </Table.Td>
                        <Table.Td>{h(p.availableHours)}</Table.Td>
                        <Table.Td>{p.cards}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            ) : (
              <Text size="sm" c="dimmed">
                No cards with an owner or pair are scheduled into this week yet.
              </Text>
            )}
            {plan.data.unowned > 0 && (
              <Text size="xs" c="orange">
                {plan.data.unowned} scheduled card(s) have no owner or pair.
              </Text>
            )}
          </Paper>
          {plan.data.customers.map((c) => (
            <CustomerPlan key={c.organizationId} week={week} name={c.name} boardId={c.boardId} organizationId={c.organizationId} goal={c.goal} section={c} names={names} />
          ))}
          {(plan.data.triage.committed.length > 0 || plan.data.triage.upNext.length > 0 || plan.data.triage.completedLastWeek.length > 0) && (
            <CustomerPlan week={week} name="Triage team items" boardId={null} organizationId={null} goal="" section={plan.data.triage} names={names} />
          )}
        </>
      )}
    </Stack>
  );
}

function CustomerPlan({
  week,
  name,
  boardId,
  organizationId,
  goal,
  section,
  names,
}: {
  week: string;
  name: string;
  boardId: string | null;
  organizationId: string | null;
  goal: string;
  section: Section;
  names: Map<string, string>;
}) {
  const qc = useQueryClient();
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: ['planning', week] });
  const saveGoal = async () => {
    if (!organizationId) return;
    setError(null);
    try {
      await api.put('/api/v1/planning/goals', { body: { organizationId, week, goal: text ?? goal } });
      setText(null);
      await refresh();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  const schedule = async (card: PlanCard, into: string | null) => {
    setError(null);
    try {
      await api.patch('/api/v1/cards/{id}', { path: { id: card.id }, body: { version: card.version, week: into } });
      await refresh();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
      await refresh();
    }
  };
  const line = (card: PlanCard, action?: { label: string; run: () => void }) => (
    <List.Item key={card.id}>
      <Group gap={6} wrap="wrap">
        <Text size="sm">
          {card.ticketNumber ? `#${card.ticketNumber} ` : ''}
          {card.title}
        </Text>
        <Badge size="xs" variant="light" color={card.estimateHours === null ? 'orange' : 'gray'}>
          {card.estimateHours === null ? 'no estimate' : h(card.estimateHours)}
        </Badge>
        {card.ownerIds.length > 0 && (
          <Text size="xs" c="dimmed">
            {card.ownerIds.map((o) => names.get(o) ?? '…').join(' & ')}
          </Text>
        )}
        {action && (
          <Button size="compact-xs" variant="light" onClick={action.run} aria-label={`${action.label}: ${card.title}`}>
            {action.label}
          </Button>
        )}
      </Group>
    </List.Item>
  );
  return (
    <Paper withBorder p="xs" component="section" aria-label={`Plan for ${name}`}>
      <Group justify="space-between" mb={4}>
        <Title order={4}>{boardId ? <Anchor component={Link} href={`/boards/${boardId}`}>{name}</Anchor> : name}</Title>
        <Text size="sm" data-testid="committed-hours">
          Committed: {h(section.committedHours)}
          {section.unestimated ? ` (+${section.unestimated} without estimate)` : ''}
        </Text>
      </Group>
      {organizationId && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void saveGoal();
          }}
        >
          <Group gap="xs" align="flex-end" mb={6}>
            <TextInput size="xs" label="Goal for the week" aria-label={`Goal for ${name}`} value={text ?? goal} onChange={(e) => setText(e.currentTarget.value)} maxLength={500} w={360} />
            <Button size="xs" type="submit" variant="light" disabled={text === null}>
              Save goal
            </Button>
          </Group>
        </form>
      )}
      {error && (
        <Text c="red" size="xs" role="alert">
          {error}
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        <div>
          <Text fw={600} size="sm">
            Committed for the week
          </Text>
          {section.committed.length ? <List spacing={2}>{section.committed.map((c) => line(c, { label: 'Unschedule', run: () => void schedule(c, null) }))}</List> : <Text size="xs" c="dimmed">nothing yet</Text>}
        </div>
        <div>
          <Text fw={600} size="sm">
            Up next
          </Text>
          {section.upNext.length ? <List spacing={2}>{section.upNext.map((c) => line(c, { label: 'Commit to this week', run: () => void schedule(c, week) }))}</List> : <Text size="xs" c="dimmed">nothing up next</Text>}
        </div>
        <div>
          <Text fw={600} size="sm">
            Completed last week
          </Text>
          {section.completedLastWeek.length ? <List spacing={2}>{section.completedLastWeek.map((c) => line(c))}</List> : <Text size="xs" c="dimmed">nothing completed</Text>}
        </div>
      </SimpleGrid>
    </Paper>
  );
}
