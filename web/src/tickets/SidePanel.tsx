import { Anchor, Button, Card, Group, Modal, MultiSelect, NumberInput, Select, Stack, TagsInput, Text, Textarea, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { ApiError, api } from '../api/client';
import type { Ticket } from '../api/types';
import { useDirectory } from '../app/directory';
import { When } from '../app/When';
import { AssigneePicker } from './AssigneePicker';
import { MergePreview } from './MergePreview';
import { SlaCard } from './sla';
import type { TicketUpdate } from './TicketPage';

/** Every field, editable in place; the requester's card; links, merge and escalate. */
/** Runs a change with the version the agent has seen (TicketPage's `submit`), so one's own change never looks like someone else's. */
export type Submit = <T>(what: string, run: (version: number) => Promise<T>) => Promise<T | undefined>;

export function SidePanel({ ticket, update, submit, readOnly }: { ticket: Ticket; update: (c: TicketUpdate, what?: string) => Promise<unknown>; submit: Submit; readOnly: boolean }) {
  const dir = useDirectory();
  return (
    <Stack gap="sm">
      <Card withBorder padding="sm">
        <Stack gap="xs">
          <Select
            label="State"
            disabled={readOnly}
            data={dir.states.filter((s) => s.category !== 'merged').map((s) => ({ value: s.key, label: s.label }))}
            value={ticket.status}
            onChange={(v) => v && void update({ status: v }, 'Your state change')}
            allowDeselect={false}
          />
          <Select
            label="Priority"
            disabled={readOnly}
            data={dir.priorities.map((p) => ({ value: p.key, label: `${p.key} — ${p.name}` }))}
            value={ticket.priority?.key ?? null}
            onChange={(v) => v && void update({ priority: v }, 'Your priority change')}
            allowDeselect={false}
            description={dir.priority(ticket.priority?.key)?.definition}
            renderOption={({ option }) => (
              <div>
                <Text size="sm">{option.label}</Text>
                <Text size="xs" c="dimmed">
                  {dir.priority(option.value)?.definition}
                </Text>
              </div>
            )}
          />
          <Select label="Type" disabled={readOnly} clearable data={dir.types.filter((t) => t.active || t.key === ticket.type).map((t) => ({ value: t.key, label: t.label }))} value={ticket.type} onChange={(v) => void update({ type: v }, 'Your type change')} />
          <Select label="Group" disabled={readOnly} clearable searchable data={dir.groups.map((g) => ({ value: g.id, label: g.name }))} value={ticket.groupId} onChange={(v) => void update({ groupId: v }, 'Your group change')} />
          <AssigneePicker ticket={ticket} disabled={readOnly} onChange={(v) => void update({ assigneeId: v }, 'Your assignment')} />
          <TagsInput label="Tags" disabled={readOnly} value={ticket.tags} onChange={(tags) => void update({ tags: tags.map((t) => t.toLowerCase()) }, 'Your tag change')} />
          <MultiSelect label="Followers" disabled={readOnly} searchable data={dir.staff.map((u) => ({ value: u.id, label: u.name }))} value={ticket.followerIds.filter((id) => dir.staff.some((u) => u.id === id))} onChange={(ids) => void update({ followerIds: [...ids, ...ticket.followerIds.filter((id) => !dir.staff.some((u) => u.id === id))] }, 'Your follower change')} />
          <InlineText label="Product / area" value={ticket.productArea ?? ''} disabled={readOnly} onSave={(v) => update({ productArea: v || null }, 'Your product change')} />
          {dir.customFields
            .filter((f) => f.active)
            .map((f) => (
              <CustomField key={f.id} field={f} value={ticket.customFields[f.key]} disabled={readOnly} onSave={(v) => update({ customFields: { [f.key]: v } }, `Your ${f.label} change`)} />
            ))}
        </Stack>
      </Card>
      <SlaCard ticketId={ticket.id} version={ticket.version} done={['solved', 'closed', 'merged'].includes(ticket.statusCategory)} />
      <RequesterCard ticket={ticket} />
      <LinksCard ticket={ticket} readOnly={readOnly} />
      {!readOnly && <TicketActions ticket={ticket} submit={submit} />}
    </Stack>
  );
}

function InlineText({ label, value, onSave, disabled }: { label: string; value: string; onSave: (v: string) => Promise<unknown>; disabled: boolean }) {
  const [v, setV] = useState(value);
  const [prev, setPrev] = useState(value);
  if (prev !== value) {
    setPrev(value);
    setV(value);
  }
  return <TextInput label={label} disabled={disabled} value={v} onChange={(e) => setV(e.currentTarget.value)} onBlur={() => v !== value && void onSave(v)} onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()} />;
}

function CustomField({ field, value, onSave, disabled }: { field: ReturnType<typeof useDirectory>['customFields'][number]; value: unknown; onSave: (v: unknown) => Promise<unknown>; disabled: boolean }) {
  const label = `${field.label}${field.requiredOnSolve ? ' *' : ''}`;
  if (field.kind === 'dropdown') return <Select label={label} disabled={disabled} clearable data={field.options} value={(value as string | null) ?? null} onChange={(v) => void onSave(v)} />;
  if (field.kind === 'multi_select') return <MultiSelect label={label} disabled={disabled} data={field.options} value={(value as string[] | null) ?? []} onChange={(v) => void onSave(v)} />;
  if (field.kind === 'number') return <NumberInput label={label} disabled={disabled} value={(value as number | null) ?? ''} onBlur={(e) => void onSave(e.currentTarget.value === '' ? null : Number(e.currentTarget.value))} />;
  if (field.kind === 'checkbox') return <Select label={label} disabled={disabled} clearable data={[{ value: 'true', label: 'Yes' }, { value: 'false', label: 'No' }]} value={value === undefined || value === null ? null : String(value)} onChange={(v) => void onSave(v === null ? null : v === 'true')} />;
  if (field.kind === 'date') return <TextInput label={label} type="date" disabled={disabled} value={(value as string | null) ?? ''} onChange={(e) => void onSave(e.currentTarget.value || null)} />;
  return <InlineText label={label} disabled={disabled} value={(value as string | null) ?? ''} onSave={(v) => onSave(v || null)} />;
}

function RequesterCard({ ticket }: { ticket: Ticket }) {
  const dir = useDirectory();
  const org = dir.organizations.find((o) => o.id === ticket.organizationId);
  const others = useQuery({
    queryKey: ['tickets', 'requester', ticket.requester.id],
    queryFn: () => api.get('/api/v1/tickets', { query: { requester: ticket.requester.id, limit: 6, sort: 'updated' } }).then((r) => r.items.filter((t) => t.id !== ticket.id)),
  });
  return (
    <Card withBorder padding="sm" aria-label="Requester">
      <Text fw={600}>{ticket.requester.name || ticket.requester.email}</Text>
      <Text size="sm" c="dimmed">
        {ticket.requester.email}
      </Text>
      {org && (
        <Stack gap={2} mt="xs">
          <Text size="sm" fw={600}>
            {org.name}
          </Text>
          {Object.entries(org.customFields).map(([k, v]) => (
            <Text key={k} size="xs">
              <Text span c="dimmed" size="xs">
                {k.replaceAll('_', ' ')}:
              </Text>{' '}
              {String(v)}
            </Text>
          ))}
          {org.notes && (
            <Text size="xs" c="dimmed">
              {org.notes}
            </Text>
          )}
        </Stack>
      )}
      {(others.data?.length ?? 0) > 0 && (
        <Stack gap={2} mt="xs">
          <Text size="xs" fw={600} c="dimmed">
            OTHER TICKETS
          </Text>
          {others.data?.map((t) => (
            <Anchor key={t.id} component={Link} href={`/tickets/${t.number}`} size="xs" className="truncate">
              #{t.number} {t.subject} · {dir.stateLabel(t.status)} · <When at={t.updatedAt} />
            </Anchor>
          ))}
        </Stack>
      )}
    </Card>
  );
}

function LinksCard({ ticket, readOnly }: { ticket: Ticket; readOnly: boolean }) {
  const qc = useQueryClient();
  const [url, setUrl] = useState('');
  const [error, setError] = useState<string | null>(null);
  const add = async () => {
    setError(null);
    try {
      const ref = url.trim();
      if (/^#?\d+$/.test(ref)) {
        const target = await api.get('/api/v1/tickets/{id}', { path: { id: ref.replace('#', '') } });
        await api.post('/api/v1/tickets/{id}/links', { path: { id: ticket.id }, body: { kind: 'related', targetTicketId: target.id } });
      } else {
        await api.post('/api/v1/tickets/{id}/links', { path: { id: ticket.id }, body: { kind: 'external', url: ref } });
      }
      setUrl('');
      await qc.invalidateQueries({ queryKey: ['ticket'] });
    } catch (err) {
      setError(err instanceof ApiError ? (err.fieldError('url') ?? err.message) : String(err));
    }
  };
  return (
    <Card withBorder padding="sm" aria-label="Links">
      <Text size="xs" fw={600} c="dimmed">
        LINKS
      </Text>
      {ticket.links.map((l) => (
        <Text key={l.id} size="sm" className="truncate">
          {l.targetNumber ? (
            <Anchor component={Link} href={`/tickets/${l.targetNumber}`}>
              {l.kind.replaceAll('_', ' ')} #{l.targetNumber}
            </Anchor>
          ) : (
            <Anchor href={l.url ?? '#'} target="_blank" rel="noreferrer">
              {l.title || l.url}
            </Anchor>
          )}
        </Text>
      ))}
      {!readOnly && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (url.trim()) void add();
          }}
        >
          <TextInput mt="xs" size="xs" aria-label="Link a ticket number or URL" placeholder="#1042 or https://github.com/…/pull/7" value={url} onChange={(e) => setUrl(e.currentTarget.value)} error={error} />
        </form>
      )}
    </Card>
  );
}

function TicketActions({ ticket, submit }: { ticket: Ticket; submit: Submit }) {
  const [merging, merge] = useDisclosure(false);
  const [escalating, escalate] = useDisclosure(false);
  return (
    <Group>
      <Button variant="default" size="xs" onClick={merge.open}>
        Merge into…
      </Button>
      <Button variant="default" size="xs" onClick={escalate.open}>
        Escalate…
      </Button>
      <MergeModal opened={merging} onClose={merge.close} ticket={ticket} />
      <EscalateModal opened={escalating} onClose={escalate.close} ticket={ticket} submit={submit} />
    </Group>
  );
}

function MergeModal({ opened, onClose, ticket }: { opened: boolean; onClose: () => void; ticket: Ticket }) {
  const [number, setNumber] = useState('');
  const [target, setTarget] = useState<Ticket | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [, navigate] = useLocation();
  const close = () => {
    setTarget(null);
    setError(null);
    onClose();
  };
  // First step: find the target and show what the merge will do; nothing changes until the agent confirms.
  const preview = async () => {
    setError(null);
    try {
      const found = await api.get('/api/v1/tickets/{id}', { path: { id: number.replace('#', '').trim() } });
      if (found.id === ticket.id) return setError('That is this ticket: pick another one');
      setTarget(found);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 404 ? `No ticket #${number.replace('#', '').trim()}` : (err as Error).message);
    }
  };
  const merge = async (into: Ticket) => {
    setBusy(true);
    try {
      const merged = await api.post('/api/v1/tickets/{id}/merge', { path: { id: ticket.id }, body: { targetId: into.id } });
      notifications.show({ color: 'teal', message: `#${ticket.number} merged into #${merged.number}` });
      close();
      navigate(`/tickets/${merged.number}`);
    } catch (err) {
      setTarget(null);
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened={opened} onClose={close} title={`Merge #${ticket.number} into another ticket`} size="lg">
      {target ? (
        <MergePreview sources={[ticket]} target={target} busy={busy} onConfirm={() => void merge(target)} onCancel={() => setTarget(null)} />
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void preview();
          }}
        >
          <Stack>
            <Text size="sm">The conversation of #{ticket.number} joins the other ticket, and #{ticket.number} is closed as merged.</Text>
            <TextInput label="Ticket number to merge into" value={number} onChange={(e) => setNumber(e.currentTarget.value)} error={error} data-autofocus />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit">Show what will happen</Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function EscalateModal({ opened, onClose, ticket, submit }: { opened: boolean; onClose: () => void; ticket: Ticket; submit: Submit }) {
  const dir = useDirectory();
  const [form, setForm] = useState({ impact: '', tried: '', needed: '', urgency: 'medium' as 'low' | 'medium' | 'high' | 'critical' });
  const [error, setError] = useState<ApiError | null>(null);
  const next = dir.groups.find((g) => g.id === dir.groups.find((x) => x.id === ticket.groupId)?.escalatesToId);
  const run = async () => {
    setError(null);
    try {
      // Through `submit`: the escalation's new version counts as seen, so it raises no "changed since" notice.
      const done = await submit('Your escalation', (version) => api.post('/api/v1/tickets/{id}/escalate', { path: { id: ticket.id }, body: { ...form, version } }));
      if (!done) return onClose();
      notifications.show({ color: 'orange', message: `#${ticket.number} escalated` });
      onClose();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const field = (k: 'impact' | 'tried' | 'needed', label: string) => (
    <Textarea label={label} required autosize minRows={2} value={form[k]} onChange={(e) => setForm({ ...form, [k]: e.currentTarget.value })} error={error?.fieldError(k)} />
  );
  return (
    <Modal opened={opened} onClose={onClose} title={`Escalate #${ticket.number}${next ? ` to ${next.name}` : ''}`} size="lg">
      <Stack>
        {error && !error.fields.length && <Text c="red" size="sm" role="alert">{error.message}</Text>}
        {field('impact', 'Impact — who is affected, how badly')}
        {field('tried', 'What was tried')}
        {field('needed', 'What is needed')}
        <Select label="Urgency" data={['low', 'medium', 'high', 'critical']} value={form.urgency} onChange={(v) => v && setForm({ ...form, urgency: v as typeof form.urgency })} allowDeselect={false} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="orange" onClick={() => void run()}>
            Escalate
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
