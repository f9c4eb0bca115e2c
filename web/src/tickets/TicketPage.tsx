import { Alert, Anchor, Badge, Button, Grid, Group, Loader, Stack, Text, Title, useMantineTheme } from '@mantine/core';
import { useHotkeys, useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { Link } from 'wouter';
import { ApiError, api } from '../api/client';
import type { Ticket, TicketEvent } from '../api/types';
import { useDirectory } from '../app/directory';
import { DeclareIncidentFromTicket, LinkedIncidents } from '../incidents/Banners';
import { TicketBoard } from '../boards/TicketBoard';
import { NotFound } from '../app/NotFound';
import { useSession } from '../app/session';
import { confirmChange } from '../app/undo';
import { STATE_COLORS, PriorityBadge } from '../views/TicketTable';
import { Composer, type ComposerHandle } from './Composer';
import { ConflictModal, type Conflict } from './ConflictModal';
import { Conversation } from './Conversation';
import { History } from './History';

// Reports' explanation of this ticket's numbers: its own chunk, loaded with the ticket page's first render.
const WhyTheseNumbers = lazy(() => import('../reports/WhyTheseNumbers').then((m) => ({ default: m.WhyTheseNumbers })));
import { usePresence } from './presence';
import { TicketSatisfaction } from '../csat/Satisfaction';
import { SidePanel } from './SidePanel';
import { inverseOf } from './inverse';

export type TicketUpdate = NonNullable<Parameters<typeof api.patch<'/api/v1/tickets/{id}'>>[1]['body']>;

/**
 * One ticket: conversation, composer, fields. What the agent has seen is tracked (`seen`): a change that
 * arrives live shows a notice, and a submit on top of a change not yet seen gets the API's 409 and a dialog
 * with the other change, instead of silently winning.
 */
export function TicketPage({ number }: { number: string }) {
  const qc = useQueryClient();
  const ticket = useQuery({ queryKey: ['ticket', number], queryFn: () => api.get('/api/v1/tickets/{id}', { path: { id: number } }), retry: false });
  if (ticket.isPending) return <Loader m="xl" />;
  if (ticket.error) {
    if (ticket.error instanceof ApiError && (ticket.error.status === 404 || ticket.error.status === 400)) return <NotFound what="ticket" />;
    return <Alert color="red">{ticket.error.message}</Alert>;
  }
  return <TicketScreen ticket={ticket.data} refresh={() => qc.invalidateQueries({ queryKey: ['ticket', number] })} />;
}

function TicketScreen({ ticket, refresh }: { ticket: Ticket; refresh: () => Promise<void> }) {
  const dir = useDirectory();
  const { me } = useSession();
  // The version the agent has seen: state for the notice, a ref for submits (a quick "a" then "e" must not
  // send the same old version twice), and submits run one after another.
  const [seenVersion, setSeenState] = useState(ticket.version);
  const seen = useRef(ticket.version);
  const setSeenVersion = (v: number) => {
    seen.current = v;
    setSeenState(v);
  };
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const composer = useRef<ComposerHandle>(null);
  const [typing, setTyping] = useState(false);
  const others = usePresence(ticket.id, typing).filter((p) => p.userId !== me.id);
  const isAgent = me.role === 'agent' || me.role === 'admin';

  /** Runs a change with the version the agent has seen; a 409 opens the conflict dialog. */
  const submit = <T,>(what: string, run: (version: number) => Promise<T>): Promise<T | undefined> => {
    const next = queue.current.then(() => submitNow(what, run));
    queue.current = next.catch(() => {});
    return next;
  };
  const submitNow = async <T,>(what: string, run: (version: number) => Promise<T>): Promise<T | undefined> => {
    try {
      const result = await run(seen.current);
      const next = (result as { version?: number; ticket?: { version: number } } | undefined)?.ticket?.version ?? (result as { version?: number } | undefined)?.version;
      if (next) setSeenVersion(next);
      await refresh();
      return result;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'VERSION_CONFLICT') {
        const current = err.problem.current as Ticket | undefined;
        const changes = (err.problem.changes as TicketEvent[] | undefined) ?? [];
        setConflict({ what, current, changes, retry: () => submit(what, () => run(current?.version ?? seen.current)) });
        return undefined;
      }
      throw err;
    }
  };
  /** A field change, confirmed by a toast that offers Undo (the inverse change) when there is one. */
  const update = (changes: TicketUpdate, what = 'Your change', options: { undoable?: boolean } = {}) => {
    const before = ticket;
    return submit(what, (version) => api.patch('/api/v1/tickets/{id}', { path: { id: ticket.id }, body: { ...changes, version } }))
      .then((result) => {
        if (!result) return result;
        const inverse = options.undoable === false ? undefined : inverseOf(before, changes);
        confirmChange({
          message: `#${before.number}: ${describeChange(changes, dir) ?? `${what} saved`}`,
          undo: inverse && (() => update(inverse, `Undo: ${what.toLowerCase()}`, { undoable: false })),
        });
        return result;
      })
      .catch((err: Error) => {
        notifications.show({ color: 'red', title: 'Not saved', message: err.message });
      });
  };

  const solved = dir.states.find((s) => s.category === 'solved');
  useHotkeys([
    ['r', () => composer.current?.focus(true)],
    ['n', () => composer.current?.focus(false)],
    ['a', () => isAgent && void update({ assigneeId: me.id }, 'Assign to me')],
    ['e', () => isAgent && solved && void update({ status: solved.key }, 'Solve')],
  ]);

  // The browser tab says which ticket this is, so a row of Lifeline tabs can be told apart.
  useEffect(() => {
    document.title = `#${ticket.number} ${ticket.subject} · Lifeline`;
    return () => {
      document.title = 'Lifeline';
    };
  }, [ticket.number, ticket.subject]);

  const changedUnder = ticket.version > seenVersion;
  // Two columns from md up, where the grid puts the side panel beside the conversation. Below that the page is one
  // column, and what an agent opens a ticket to read and answer comes first: the board, time and "Declare incident"
  // move down with the side panel. Read before the first paint, so a desktop never flashes the phone's order.
  const theme = useMantineTheme();
  const wide = useMediaQuery(`(min-width: ${theme.breakpoints.md})`, undefined, { getInitialValueInEffect: false });
  const staff = me.role !== 'customer';
  const panels = staff && (
    <>
      <DeclareIncidentFromTicket ticket={ticket} />
      <TicketBoard ticket={ticket} />
    </>
  );
  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, md: 8 }}>
        <Stack gap="sm">
          <Group justify="space-between" align="flex-start" wrap="nowrap">
            <div style={{ minWidth: 0 }}>
              <Text size="sm" c="dimmed">
                #{ticket.number} · via {ticket.channel} · {ticket.requester.name || ticket.requester.email}
              </Text>
              <Title order={3}>{ticket.subject}</Title>
            </div>
            <Group gap={6} wrap="nowrap" style={{ flexShrink: 0 }}>
              <PriorityBadge priority={ticket.priority} />
              <Badge variant="light" color={STATE_COLORS[ticket.statusCategory]} data-testid="ticket-state">
                {dir.stateLabel(ticket.status)}
              </Badge>
            </Group>
          </Group>
          {staff && <LinkedIncidents ticket={ticket} />}
          {wide && panels}
          {others.length > 0 && (
            <Alert color="blue" py={6} data-testid="presence">
              {others.map((p) => `${p.name}${p.typing ? ' is typing a reply' : ' is viewing'}`).join(' · ')}
            </Alert>
          )}
          {changedUnder && (
            <Alert color="orange" py={6} data-testid="changed-under">
              <Group justify="space-between">
                <Text size="sm">This ticket changed since you opened it (see the history). </Text>
                <Button size="compact-xs" variant="white" onClick={() => setSeenVersion(ticket.version)}>
                  Got it
                </Button>
              </Group>
            </Alert>
          )}
          {ticket.mergedIntoId && <MergedNotice ticket={ticket} />}
          <Conversation ticket={ticket} />
          {!ticket.mergedIntoId && <Composer ref={composer} ticket={ticket} onTyping={setTyping} submit={submit} canReplyPublicly={me.role !== 'light_agent'} />}
          <History ticketId={ticket.id} version={ticket.version} requester={ticket.requester} />
          {staff && (
            <Suspense fallback={null}>
              <WhyTheseNumbers ticketId={ticket.id} version={ticket.version} />
            </Suspense>
          )}
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 4 }}>
        <SidePanel ticket={ticket} update={update} submit={submit} readOnly={!isAgent || Boolean(ticket.mergedIntoId)} />
        {!wide && panels && (
          <Stack gap="sm" mt="sm">
            {panels}
          </Stack>
        )}
        <TicketSatisfaction ticketId={ticket.id} />
      </Grid.Col>
      <ConflictModal conflict={conflict} onClose={() => setConflict(null)} onSeen={(v) => setSeenVersion(v)} />
    </Grid>
  );
}

/** A merged ticket says where its conversation went and takes no more replies: they belong on the target. */
function MergedNotice({ ticket }: { ticket: Ticket }) {
  const target = useQuery({ queryKey: ['ticket', ticket.mergedIntoId], queryFn: () => api.get('/api/v1/tickets/{id}', { path: { id: ticket.mergedIntoId as string } }), retry: false });
  return (
    <Alert color="gray" data-testid="merged-notice" title="Merged">
      <Text size="sm">
        #{ticket.number} was merged into{' '}
        {target.data ? (
          <Anchor component={Link} href={`/tickets/${target.data.number}`}>
            #{target.data.number} {target.data.subject}
          </Anchor>
        ) : (
          'another ticket'
        )}
        . Its conversation continues there; reply on that ticket.
      </Text>
    </Alert>
  );
}

type Directory = ReturnType<typeof useDirectory>;

/** The change in words for its toast ("State → Solved"), when it is one field people name. */
function describeChange(changes: TicketUpdate, dir: Directory): string | undefined {
  const named = (id: string | null | undefined, list: { id: string; name: string }[], none: string) => (id ? (list.find((x) => x.id === id)?.name ?? 'someone') : none);
  if (changes.status !== undefined) return `state → ${dir.stateLabel(changes.status)}`;
  if (changes.priority !== undefined) return `priority → ${changes.priority}`;
  if (changes.assigneeId !== undefined) return changes.assigneeId ? `assigned to ${named(changes.assigneeId, dir.staff, '')}` : 'unassigned';
  if (changes.groupId !== undefined) return `group → ${named(changes.groupId, dir.groups, 'none')}`;
  if (changes.type !== undefined) return `type → ${changes.type ?? 'none'}`;
  if (changes.tags !== undefined) return `tags → ${changes.tags.join(', ') || 'none'}`;
  return undefined;
}
