import { Alert, Anchor, Badge, Button, Code, Group, NativeSelect, NumberInput, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { api, type Response } from '../api/client';
import { FormError, useSave } from '../admin/forms';
import { When } from '../app/When';
import { incidentsApi } from '../incidents/model';

type Monitor = Response<'/api/v1/monitors', 'get'>['items'][number];
type Detail = Response<'/api/v1/monitors/{id}', 'get'>;
type Form = {
  name: string;
  componentId: string;
  kind: 'http' | 'heartbeat';
  url: string;
  method: 'GET' | 'HEAD';
  intervalSeconds: number | string;
  timeoutSeconds: number | string;
  expectedStatusMin: number | string;
  expectedStatusMax: number | string;
  keyword: string;
  graceSeconds: number | string;
  failureThreshold: number | string;
  // '' : the top severity (the default).
  severity: string;
};

const EMPTY: Form = { name: '', componentId: '', kind: 'http', url: '', method: 'GET', intervalSeconds: 60, timeoutSeconds: 10, expectedStatusMin: 200, expectedStatusMax: 299, keyword: '', graceSeconds: 60, failureThreshold: 3, severity: '' };
const KEYS = [['monitors'], ['monitor']];
const STATUS_COLOR = { up: 'green', down: 'red', pending: 'gray' } as const;

/** The API body of a form: numbers as numbers, an empty keyword or URL as none. */
function bodyOf(f: Form) {
  const n = (v: number | string) => Number(v);
  const common = { name: f.name, componentId: f.componentId, intervalSeconds: n(f.intervalSeconds), timeoutSeconds: n(f.timeoutSeconds), failureThreshold: n(f.failureThreshold), graceSeconds: n(f.graceSeconds), severity: f.severity || null };
  if (f.kind === 'heartbeat') return { ...common, url: null };
  return { ...common, url: f.url.trim() || null, method: f.method, expectedStatusMin: n(f.expectedStatusMin), expectedStatusMax: n(f.expectedStatusMax), keyword: f.keyword || null };
}

/**
 * Admin → Monitors: HTTP checks and heartbeats on status components. Failures in a row open a draft incident and
 * page the component's escalation policy (set below, per component); the monitor's page shows its last results.
 */
export function Monitors() {
  const list = useQuery({ queryKey: ['monitors'], queryFn: () => api.get('/api/v1/monitors').then((r) => r.items) });
  const components = useQuery({ queryKey: ['status-components'], queryFn: incidentsApi.components });
  const [open, setOpen] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [heartbeatUrl, setHeartbeatUrl] = useState<string | null>(null);
  const names = new Map((components.data ?? []).map((c) => [c.id, c.name]));
  const { error, save } = useSave(KEYS);
  return (
    <>
      <Title order={3}>Monitors</Title>
      <Text size="sm" c="dimmed">
        HTTP checks and heartbeats on your status page components. After the set number of failures in a row a draft incident opens on the component (not public until someone posts
        an update) and the component's escalation policy is paged; when the check passes again the incident's timeline says so.
      </Text>
      {heartbeatUrl && (
        <Alert color="blue" title="The heartbeat's URL (shown once)" role="status" withCloseButton onClose={() => setHeartbeatUrl(null)} closeButtonLabel="Hide the URL">
          Ping it (POST or GET) from the job, at least once per interval: <Code data-testid="heartbeat-url">{heartbeatUrl}</Code>
        </Alert>
      )}
      <FormError error={error} />
      {creating ? (
        <MonitorForm
          title="New monitor"
          initial={{ ...EMPTY, componentId: components.data?.[0]?.id ?? '' }}
          components={components.data ?? []}
          onCancel={() => setCreating(false)}
          submit={async (f) => {
            const created = await api.post('/api/v1/monitors', { body: { ...bodyOf(f), kind: f.kind } });
            setHeartbeatUrl(created.heartbeatUrl);
            setCreating(false);
            setOpen(created.id);
          }}
        />
      ) : (
        <Group>
          <Button onClick={() => setCreating(true)} disabled={!components.data?.length}>
            New monitor
          </Button>
          {components.data?.length === 0 && (
            <Text size="sm">
              Add a component first: <Anchor component={Link} href="/admin/status-components">Status page components</Anchor>.
            </Text>
          )}
        </Group>
      )}
      <Table.ScrollContainer minWidth={0} type="native">
        <Table striped aria-label="Monitors">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Monitor</Table.Th>
              <Table.Th>Component</Table.Th>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Last check</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(list.data ?? []).map((m: Monitor) => (
              <Table.Tr key={m.id}>
                <Table.Td>
                  <Anchor component="button" type="button" onClick={() => setOpen(m.id)} aria-expanded={open === m.id}>
                    {m.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>{names.get(m.componentId) ?? '—'}</Table.Td>
                <Table.Td>{m.kind === 'http' ? `${m.method} every ${m.intervalSeconds} s` : `heartbeat every ${m.intervalSeconds} s`}</Table.Td>
                <Table.Td>{m.paused ? <Badge color="gray">paused</Badge> : <Badge color={STATUS_COLOR[m.status]}>{m.status}</Badge>}</Table.Td>
                <Table.Td>{m.lastCheckedAt ? <When at={m.lastCheckedAt} /> : 'not yet'}</Table.Td>
                <Table.Td>
                  <Button size="xs" variant="default" onClick={() => void save(() => api.patch('/api/v1/monitors/{id}', { path: { id: m.id }, body: { paused: !m.paused } }))}>
                    {m.paused ? `Resume ${m.name}` : `Pause ${m.name}`}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {open && <MonitorPage key={open} id={open} components={components.data ?? []} onClose={() => setOpen(null)} onHeartbeatUrl={setHeartbeatUrl} />}
      <ComponentPaging />
    </>
  );
}

/** The create / edit form; the API's errors are shown at their fields. */
function MonitorForm({ title, initial, components, submit, onCancel, editing = false }: { title: string; initial: Form; components: { id: string; name: string }[]; submit: (f: Form) => Promise<void>; onCancel: () => void; editing?: boolean }) {
  const [f, setF] = useState<Form>(initial);
  const { error, save } = useSave(KEYS);
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setF({ ...f, [k]: v });
  const err = (k: string) => error?.fieldError(k);
  const settings = useQuery({ queryKey: ['incident-settings'], queryFn: incidentsApi.settings });
  const severities = settings.data?.severities ?? [];
  return (
    <form
      aria-label={title}
      onSubmit={(e) => {
        e.preventDefault();
        void save(() => submit(f));
      }}
    >
      <Stack gap="xs" maw={640}>
        <Title order={4}>{title}</Title>
        <FormError error={error} fieldsInPlace />
        <Group align="flex-start">
          <TextInput label="Name" required value={f.name} onChange={(e) => set('name', e.currentTarget.value)} error={err('name')} />
          <NativeSelect label="Component" data={components.map((c) => ({ value: c.id, label: c.name }))} value={f.componentId} onChange={(e) => set('componentId', e.currentTarget.value)} error={err('componentId')} />
          {!editing && (
            <NativeSelect
              label="Kind"
              data={[
                { value: 'http', label: 'HTTP check' },
                { value: 'heartbeat', label: 'Heartbeat (pinged by a job)' },
              ]}
              value={f.kind}
              onChange={(e) => set('kind', e.currentTarget.value as Form['kind'])}
            />
          )}
        </Group>
        {f.kind === 'http' && (
          <>
            <Group align="flex-start">
              <TextInput label="URL" w={380} placeholder="https://api.example.org/health" value={f.url} onChange={(e) => set('url', e.currentTarget.value)} error={err('url')} />
              <NativeSelect label="Method" data={['GET', 'HEAD']} value={f.method} onChange={(e) => set('method', e.currentTarget.value as Form['method'])} />
            </Group>
            <Group align="flex-start">
              <NumberInput label="Expected status from" w={150} value={f.expectedStatusMin} onChange={(v) => set('expectedStatusMin', v)} error={err('expectedStatusMin')} />
              <NumberInput label="Expected status to" w={150} value={f.expectedStatusMax} onChange={(v) => set('expectedStatusMax', v)} error={err('expectedStatusMax')} />
              <TextInput label="Keyword in the answer" description="Optional; the first 64 KB are read" value={f.keyword} onChange={(e) => set('keyword', e.currentTarget.value)} error={err('keyword')} />
            </Group>
          </>
        )}
        <Group align="flex-start">
          <NumberInput label="Interval (seconds)" description="30 or more" w={150} value={f.intervalSeconds} onChange={(v) => set('intervalSeconds', v)} error={err('intervalSeconds')} />
          {f.kind === 'http' ? (
            <NumberInput label="Timeout (seconds)" w={150} value={f.timeoutSeconds} onChange={(v) => set('timeoutSeconds', v)} error={err('timeoutSeconds')} />
          ) : (
            <NumberInput label="Grace (seconds)" w={150} value={f.graceSeconds} onChange={(v) => set('graceSeconds', v)} error={err('graceSeconds')} />
          )}
          <NumberInput label="Failures before alerting" w={180} value={f.failureThreshold} onChange={(v) => set('failureThreshold', v)} error={err('failureThreshold')} />
          <NativeSelect
            label="Incident severity"
            description="Of the incident an alert declares"
            w={200}
            data={[{ value: '', label: `Top severity${severities[0] ? ` (${severities[0].key})` : ''}` }, ...severities.map((s) => ({ value: s.key, label: `${s.key} — ${s.name}` })), ...(f.severity && !severities.some((s) => s.key === f.severity) ? [{ value: f.severity, label: `${f.severity} (no longer a severity)` }] : [])]}
            value={f.severity}
            onChange={(e) => set('severity', e.currentTarget.value)}
            error={err('severity')}
          />
        </Group>
        <Group>
          <Button type="submit">{editing ? 'Save monitor' : 'Create monitor'}</Button>
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Latency of the last results as bars, oldest on the left; failures in red at full height. */
function ResultChart({ results }: { results: Detail['results'] }) {
  const shown = [...results].reverse();
  const max = Math.max(1, ...shown.map((r) => r.latencyMs ?? 0));
  const w = 6;
  return (
    <svg role="img" aria-label={`Last ${shown.length} results: ${shown.filter((r) => !r.ok).length} failed`} width={shown.length * w} height={48}>
      {shown.map((r, i) => {
        const h = r.ok ? Math.max(3, ((r.latencyMs ?? 0) / max) * 46) : 46;
        return <rect key={r.id} x={i * w} y={48 - h} width={w - 1} height={h} fill={r.ok ? '#2f9e44' : '#e03131'} />;
      })}
    </svg>
  );
}

/** One monitor: its alert and incident, its last results, edit, new heartbeat URL, delete. */
function MonitorPage({ id, components, onClose, onHeartbeatUrl }: { id: string; components: { id: string; name: string }[]; onClose: () => void; onHeartbeatUrl: (url: string) => void }) {
  const q = useQuery({ queryKey: ['monitor', id], queryFn: () => api.get('/api/v1/monitors/{id}', { path: { id } }) });
  const [editing, setEditing] = useState(false);
  const { error, save } = useSave([...KEYS, ['incidents']]);
  const m = q.data;
  if (!m) return null;
  const alert = m.alert;
  const incident = alert?.incident;
  const activeIncident = incident && ['investigating', 'identified', 'monitoring'].includes(incident.state);
  return (
    <section aria-label={`Monitor ${m.name}`}>
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={4}>
            {m.name} {m.paused ? <Badge color="gray">paused</Badge> : <Badge color={STATUS_COLOR[m.status]}>{m.status}</Badge>}
          </Title>
          <Button variant="subtle" onClick={onClose}>
            Close
          </Button>
        </Group>
        <Text size="sm">
          {m.kind === 'http' ? (
            <>
              {m.method} <Code>{m.url}</Code> every {m.intervalSeconds} s, expects {m.expectedStatusMin}–{m.expectedStatusMax}
              {m.keyword ? <> containing “{m.keyword}”</> : null}; alerts after {m.failureThreshold} failures in a row.
            </>
          ) : (
            <>
              A heartbeat: pinged at least every {m.intervalSeconds} s (+ {m.graceSeconds} s grace); alerts after {m.failureThreshold} missed. {m.lastPingAt ? <>Last ping <When at={m.lastPingAt} />.</> : 'Never pinged yet.'}
            </>
          )}
        </Text>
        <FormError error={error} />
        {alert && (
          <Alert color={alert.recoveredAt ? 'green' : 'red'} title={alert.recoveredAt ? 'Recovered' : 'Failing'} role="status">
            <Stack gap={4}>
              <Text size="sm">
                {alert.recoveredAt ? 'Recovered' : 'Failing since'} <When at={alert.recoveredAt ?? alert.openedAt} />. {alert.lastError ? `The failure: ${alert.lastError}` : null}
              </Text>
              {incident && (
                <Group>
                  <Anchor component={Link} href={`/incidents/${incident.number}`}>
                    Incident #{incident.number}: {incident.title}
                  </Anchor>
                  <Text size="sm">({incident.state})</Text>
                  {alert.recoveredAt && activeIncident && (
                    <Button size="xs" onClick={() => void save(() => api.post('/api/v1/incidents/{id}/state', { path: { id: incident.id }, body: { state: 'resolved', note: `Resolved: monitor ${m.name} recovered` } }))}>
                      Resolve incident #{incident.number}
                    </Button>
                  )}
                </Group>
              )}
            </Stack>
          </Alert>
        )}
        {editing ? (
          <MonitorForm
            title={`Edit ${m.name}`}
            editing
            initial={{ ...EMPTY, ...m, url: m.url ?? '', keyword: m.keyword ?? '', severity: m.severity ?? '' }}
            components={components}
            onCancel={() => setEditing(false)}
            submit={async (f) => {
              await api.patch('/api/v1/monitors/{id}', { path: { id }, body: bodyOf({ ...f, kind: m.kind }) });
              setEditing(false);
            }}
          />
        ) : (
          <Group>
            <Button variant="default" onClick={() => setEditing(true)}>
              Edit
            </Button>
            {m.kind === 'heartbeat' && (
              <Button variant="default" onClick={() => void save(async () => onHeartbeatUrl((await api.post('/api/v1/monitors/{id}/heartbeat-url', { path: { id } })).heartbeatUrl))}>
                New heartbeat URL
              </Button>
            )}
            <Button
              color="red"
              variant="light"
              onClick={() => {
                if (window.confirm(`Delete monitor ${m.name} and its results?`)) void save(() => api.delete('/api/v1/monitors/{id}', { path: { id } }), onClose);
              }}
            >
              Delete
            </Button>
          </Group>
        )}
        <Title order={5}>Last results</Title>
        {m.results.length === 0 ? (
          <Text size="sm">No results yet.</Text>
        ) : (
          <>
            <ResultChart results={m.results} />
            <Table.ScrollContainer minWidth={0} type="native">
              <Table aria-label="Results" striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>When</Table.Th>
                    <Table.Th>Result</Table.Th>
                    <Table.Th>Latency</Table.Th>
                    <Table.Th>Detail</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {m.results.slice(0, 20).map((r) => (
                    <Table.Tr key={r.id}>
                      <Table.Td>
                        <When at={r.at} />
                      </Table.Td>
                      <Table.Td>{r.ok ? 'OK' : 'Failed'}</Table.Td>
                      <Table.Td>{r.latencyMs === null ? '—' : `${r.latencyMs} ms`}</Table.Td>
                      <Table.Td>{r.error ?? (r.statusCode ? `HTTP ${r.statusCode}` : 'ping')}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </>
        )}
      </Stack>
    </section>
  );
}

/** Which escalation policy each component's monitors page. */
function ComponentPaging() {
  const components = useQuery({ queryKey: ['status-components'], queryFn: incidentsApi.components });
  const policies = useQuery({ queryKey: ['oncall-policies'], queryFn: () => api.get('/api/v1/oncall/policies').then((r) => r.items) });
  const paging = useQuery({ queryKey: ['component-paging'], queryFn: () => api.get('/api/v1/component-paging').then((r) => r.items) });
  const { error, save } = useSave([['component-paging']]);
  const policyOf = new Map((paging.data ?? []).map((p) => [p.componentId, p.policyId]));
  return (
    <>
      <Title order={4}>Who a failing monitor pages</Title>
      <FormError error={error} />
      <Table.ScrollContainer minWidth={0} type="native">
        <Table aria-label="Paging per component">
          <Table.Tbody>
            {(components.data ?? []).map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>{c.name}</Table.Td>
                <Table.Td>
                  <NativeSelect
                    aria-label={`${c.name} pages`}
                    data={[{ value: '', label: 'Nobody (draft incident only)' }, ...(policies.data ?? []).map((p) => ({ value: p.id, label: p.name }))]}
                    value={policyOf.get(c.id) ?? ''}
                    onChange={(e) => {
                      const policyId = e.currentTarget.value || null;
                      void save(() => api.put('/api/v1/component-paging/{id}', { path: { id: c.id }, body: { policyId } }));
                    }}
                  />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  );
}
