import { Alert, Anchor, Badge, Button, Card, Checkbox, Grid, Group, Loader, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client';
import { FormError, useSave } from '../admin/forms';
import { useDirectory } from '../app/directory';
import { NotFound } from '../app/NotFound';
import { dueText, type IncidentDetail, type IncidentState, incidentsApi, STATE_LABELS } from './model';
import { Retro } from './Retro';
import { useNow } from './useNow';

const when = (at: string | null) => (at ? new Date(at).toLocaleString() : '—');

/** The incident page: the live document (timeline polled every 5 s), roles, summary, linked tickets, the update composer. */
export function IncidentPage({ id }: { id: string }) {
  const incident = useQuery({ queryKey: ['incident', id], queryFn: () => incidentsApi.detail(id), refetchInterval: 5_000, retry: false });
  if (incident.isPending) return <Loader m="xl" />;
  if (incident.error) return <NotFound what="incident" />;
  return <IncidentScreen d={incident.data} />;
}

function IncidentScreen({ d }: { d: IncidentDetail }) {
  const now = useNow();
  const due = dueText(d, now);
  const closed = d.state === 'closed';
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <div>
          <Text size="sm" c="dimmed">
            <Link href="/incidents">Incidents</Link> · #{d.number}
          </Text>
          <Title order={2}>{d.title}</Title>
          <Group gap="xs" mt={4}>
            <Badge color="red">{d.severity}</Badge>
            <Badge variant="light" data-testid="incident-state">
              {STATE_LABELS[d.state]}
            </Badge>
            {due && (
              <Badge color={due.late ? 'red' : 'gray'} variant={due.late ? 'filled' : 'light'} data-testid="cadence">
                {due.text}
              </Badge>
            )}
          </Group>
        </div>
        <Anchor href={`/api/v1/incidents/${d.id}/markdown`} target="_blank" size="sm">
          Export as Markdown
        </Anchor>
      </Group>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack>
            {!closed && <UpdateComposer d={d} />}
            {['resolved', 'pending_retro'].includes(d.state) && <Wrapup d={d} />}
            {d.retro && <Retro key={`${d.retro.status}`} d={d} />}
            <Timeline d={d} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack>
            <Roles d={d} />
            <Summary key={d.version} d={d} />
            <Tickets d={d} />
            <Card withBorder>
              <Title order={5}>Times</Title>
              {(['startedAt', 'detectedAt', 'acknowledgedAt', 'mitigatedAt', 'resolvedAt', 'closedAt'] as const).map((k) => (
                <Text size="sm" key={k}>
                  {k.replace('At', '')}: {when(d[k])}
                </Text>
              ))}
              <Text size="sm">Components: {d.components.map((c) => c.name).join(', ') || '—'}</Text>
            </Card>
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

const NEXT: Record<IncidentState, IncidentState[]> = {
  investigating: ['investigating', 'identified', 'monitoring', 'resolved'],
  identified: ['identified', 'investigating', 'monitoring', 'resolved'],
  monitoring: ['monitoring', 'investigating', 'identified', 'resolved'],
  resolved: ['investigating'],
  pending_retro: [],
  closed: [],
};

/** A status update: state, public text, ETA, and whether linked tickets' requesters are told. */
function UpdateComposer({ d }: { d: IncidentDetail }) {
  const options = NEXT[d.state];
  const [state, setState] = useState<IncidentState>(options[0] ?? 'investigating');
  // Until someone types, the text is the chosen state's template (Admin → Status page components → templates).
  const [typed, setBody] = useState<string | null>(null);
  const settings = useQuery({ queryKey: ['incident-settings'], queryFn: incidentsApi.settings, staleTime: 5 * 60_000 });
  const body = typed ?? settings.data?.templates[state as keyof NonNullable<typeof settings.data>['templates']] ?? '';
  const [eta, setEta] = useState('');
  const [notify, setNotify] = useState(false);
  const [mail, setMail] = useState(false);
  const { error, save } = useSave([['incident'], ['incidents'], ['active-incidents']]);
  if (!options.length) return null;
  const submit = () =>
    save(
      () =>
        api.post('/api/v1/incidents/{id}/updates', {
          path: { id: d.id },
          body: { state: state as 'investigating', body, eta: eta ? new Date(eta).toISOString() : null, notifyCustomers: notify, notifySubscribers: mail },
        }),
      () => {
        setBody(null);
        setEta('');
        setNotify(false);
        setMail(false);
      },
    );
  return (
    <Card withBorder>
      <form
        aria-label="Post a status update"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Stack gap="xs">
          <Title order={5}>Status update</Title>
          <FormError error={error} />
          <Group grow>
            <Select label="State" data={options.map((s) => ({ value: s, label: STATE_LABELS[s] }))} value={state} onChange={(v) => v && setState(v as IncidentState)} allowDeselect={false} />
            <TextInput label="ETA (optional)" type="datetime-local" value={eta} onChange={(e) => setEta(e.currentTarget.value)} />
          </Group>
          <Textarea label="Public text" description="Shown on the status page" value={body} onChange={(e) => setBody(e.currentTarget.value)} autosize minRows={2} required />
          <Checkbox label={`Notify affected customers (one reply on each of ${d.tickets.length + d.hiddenTickets} linked tickets)`} checked={notify} onChange={(e) => setNotify(e.currentTarget.checked)} />
          <Checkbox label="Notify status page subscribers (email to those subscribed to the affected components)" checked={mail} onChange={(e) => setMail(e.currentTarget.checked)} />
          <Group justify="flex-end">
            <Button type="submit">Post update</Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

/** After resolving: solve the linked tickets with a notice, move on to the retro, close. */
function Wrapup({ d }: { d: IncidentDetail }) {
  const [notice, setNotice] = useState('The problem is fixed. Thank you for your patience; reply here if anything still looks wrong.');
  const { error, save } = useSave([['incident'], ['incidents']]);
  const move = (state: IncidentState) => save(() => api.post('/api/v1/incidents/{id}/state', { path: { id: d.id }, body: { state, note: '' } }));
  const settings = useQuery({ queryKey: ['incident-settings'], queryFn: incidentsApi.settings, staleTime: 5 * 60_000 });
  const confirm = settings.data?.settings.confirmFixOnResolve === true;
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Title order={5}>Wrap up</Title>
        <FormError error={error} />
        <Textarea label="Resolution notice" value={notice} onChange={(e) => setNotice(e.currentTarget.value)} autosize minRows={2} />
        <Group>
          <Button variant="light" onClick={() => void save(() => api.post('/api/v1/incidents/{id}/solve-tickets', { path: { id: d.id }, body: { notice } }))}>
            {confirm ? 'Send the notice and ask each requester to confirm' : 'Solve linked tickets with this notice'}
          </Button>
          {d.state === 'resolved' && (
            <Button variant="default" onClick={() => void move('pending_retro')}>
              Pending retro
            </Button>
          )}
          <Button variant="default" onClick={() => void move('closed')}>
            Close incident
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

/** The live timeline, pinned entries first; add a note, decision or action. */
function Timeline({ d }: { d: IncidentDetail }) {
  const [kind, setKind] = useState<'note' | 'decision' | 'action'>('note');
  const [body, setBody] = useState('');
  const { error, save } = useSave([['incident']]);
  const entries = [...d.timeline.filter((e) => e.pinned), ...[...d.timeline].reverse().filter((e) => !e.pinned)];
  return (
    <Card withBorder>
      <Title order={5}>Timeline</Title>
      <FormError error={error} />
      {d.state !== 'closed' && (
        <form
          aria-label="Add to the timeline"
          onSubmit={(e) => {
            e.preventDefault();
            void save(() => api.post('/api/v1/incidents/{id}/timeline', { path: { id: d.id }, body: { kind, body, pinned: false } }), () => setBody(''));
          }}
        >
          <Group align="flex-end" my="xs">
            <Select aria-label="Entry kind" w={120} data={['note', 'decision', 'action']} value={kind} onChange={(v) => v && setKind(v as typeof kind)} allowDeselect={false} />
            <TextInput aria-label="Timeline entry" placeholder="What happened, what was decided, what is being done" style={{ flex: 1 }} value={body} onChange={(e) => setBody(e.currentTarget.value)} />
            <Button type="submit" variant="light">
              Add
            </Button>
          </Group>
        </form>
      )}
      <Stack gap={6} role="list" aria-label="Timeline entries">
        {entries.map((e) => (
          <Group key={e.id} role="listitem" gap="xs" wrap="nowrap" align="flex-start">
            <Button
              variant={e.pinned ? 'filled' : 'subtle'}
              size="compact-xs"
              w={56}
              aria-label={e.pinned ? 'Unpin' : 'Pin'}
              aria-pressed={e.pinned}
              onClick={() => void save(() => api.patch('/api/v1/incidents/{id}/timeline/{entryId}', { path: { id: d.id, entryId: e.id }, body: { pinned: !e.pinned } }))}
            >
              {e.pinned ? 'Pinned' : 'Pin'}
            </Button>
            <div>
              <Text size="xs" c="dimmed">
                {when(e.at)} · {e.actorName} · {e.kind.replace('_', ' ')}
              </Text>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                {e.body}
              </Text>
            </div>
          </Group>
        ))}
      </Stack>
    </Card>
  );
}

function Roles({ d }: { d: IncidentDetail }) {
  const dir = useDirectory();
  const { error, save } = useSave([['incident'], ['incidents']]);
  return (
    <Card withBorder>
      <Title order={5}>Roles</Title>
      <FormError error={error} />
      <Stack gap={4}>
        {d.roles.map((r) => (
          <Select
            key={r.key}
            label={r.name}
            size="xs"
            searchable
            clearable={!r.lead}
            disabled={d.state === 'closed'}
            data={dir.staff.map((u) => ({ value: u.id, label: u.name }))}
            value={r.user?.id ?? null}
            onChange={(v) => void save(() => api.put('/api/v1/incidents/{id}/roles/{key}', { path: { id: d.id, key: r.key }, body: { userId: v } }))}
          />
        ))}
      </Stack>
    </Card>
  );
}

function Summary({ d }: { d: IncidentDetail }) {
  const [publicTitle, setPublicTitle] = useState(d.publicTitle);
  const [impact, setImpact] = useState(d.impact);
  const [currentTheory, setTheory] = useState(d.currentTheory);
  const [nextSteps, setNext] = useState(d.nextSteps);
  const { error, save } = useSave([['incident']]);
  const dirty = publicTitle !== d.publicTitle || impact !== d.impact || currentTheory !== d.currentTheory || nextSteps !== d.nextSteps;
  return (
    <Card withBorder>
      <Title order={5}>Summary</Title>
      <FormError error={error} />
      <TextInput label="Title on the status page" size="xs" value={publicTitle} onChange={(e) => setPublicTitle(e.currentTarget.value)} disabled={d.state === 'closed'} />
      <Textarea label="Impact" size="xs" autosize value={impact} onChange={(e) => setImpact(e.currentTarget.value)} disabled={d.state === 'closed'} />
      <Textarea label="Current theory" size="xs" autosize value={currentTheory} onChange={(e) => setTheory(e.currentTarget.value)} disabled={d.state === 'closed'} />
      <Textarea label="Next steps" size="xs" autosize value={nextSteps} onChange={(e) => setNext(e.currentTarget.value)} disabled={d.state === 'closed'} />
      {dirty && (
        <Button size="xs" mt="xs" onClick={() => void save(() => api.patch('/api/v1/incidents/{id}', { path: { id: d.id }, body: { publicTitle, impact, currentTheory, nextSteps, version: d.version } }))}>
          Save summary
        </Button>
      )}
    </Card>
  );
}

/** Linked tickets; link one more by its number. */
function Tickets({ d }: { d: IncidentDetail }) {
  const [number, setNumber] = useState('');
  const { error, save } = useSave([['incident'], ['incidents']]);
  const link = () =>
    save(
      async () => {
        const t = await api.get('/api/v1/tickets/{id}', { path: { id: number.replace(/^#/, '') } });
        await api.post('/api/v1/incidents/{id}/tickets', { path: { id: d.id }, body: { ticketIds: [t.id] } });
      },
      () => setNumber(''),
    );
  return (
    <Card withBorder>
      <Title order={5}>Linked tickets ({d.tickets.length + d.hiddenTickets})</Title>
      <FormError error={error} />
      {d.state !== 'closed' && (
        <form
          aria-label="Link a ticket"
          onSubmit={(e) => {
            e.preventDefault();
            void link();
          }}
        >
          <Group gap="xs" my="xs">
            <TextInput aria-label="Ticket number" placeholder="Ticket #" size="xs" value={number} onChange={(e) => setNumber(e.currentTarget.value)} style={{ flex: 1 }} />
            <Button type="submit" size="xs" variant="light">
              Link
            </Button>
          </Group>
        </form>
      )}
      <Stack gap={2}>
        {d.tickets.map((t) => (
          <Text size="sm" key={t.id}>
            <Link href={`/tickets/${t.number}`}>#{t.number}</Link> {t.subject} <Badge size="xs" variant="light">{t.status}</Badge>
          </Text>
        ))}
        {d.hiddenTickets > 0 && <Alert p={4}>{d.hiddenTickets} more you cannot see</Alert>}
      </Stack>
      {d.state !== 'closed' && <Suggested d={d} />}
    </Card>
  );
}

/** Open tickets since the incident began that read like it: one click links each. */
function Suggested({ d }: { d: IncidentDetail }) {
  const list = useQuery({ queryKey: ['incident', d.id, 'suggested', d.tickets.length], queryFn: () => api.get('/api/v1/incidents/{id}/suggested-tickets', { path: { id: d.id } }).then((r) => r.items) });
  const { error, save } = useSave([['incident'], ['incidents']]);
  if (!list.data?.length) return null;
  return (
    <section aria-label="Suggested tickets">
      <Text size="sm" fw={600} mt="sm">
        Suggested ({list.data.length})
      </Text>
      <FormError error={error} />
      <Stack gap={2}>
        {list.data.map((t) => (
          <Group key={t.id} gap="xs" wrap="nowrap">
            <Text size="sm" style={{ flex: 1 }}>
              <Link href={`/tickets/${t.number}`}>#{t.number}</Link> {t.subject}{' '}
              <Text span size="xs" c="dimmed">
                {t.requesterName}
              </Text>
            </Text>
            <Button size="compact-xs" variant="light" aria-label={`Link #${t.number}`} onClick={() => void save(() => api.post('/api/v1/incidents/{id}/tickets', { path: { id: d.id }, body: { ticketIds: [t.id] } }))}>
              Link
            </Button>
          </Group>
        ))}
      </Stack>
    </section>
  );
}

