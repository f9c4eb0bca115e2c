import { Alert, Autocomplete, Button, Group, Paper, Select, Stack, TagsInput, Textarea, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useLocation } from 'wouter';
import { ApiError, api } from '../api/client';
import { useDirectory } from '../app/directory';

type Create = Parameters<typeof api.post<'/api/v1/tickets'>>[1]['body'];

/** A ticket on someone's behalf: a phone call, a hallway conversation, an offline report from the field. */
export function NewTicketPage() {
  const dir = useDirectory();
  const [, navigate] = useLocation();
  const [form, setForm] = useState({ email: '', name: '', subject: '', description: '', channel: 'phone' as NonNullable<Create['channel']>, priority: null as string | null, type: null as string | null, groupId: null as string | null, assigneeId: null as string | null, tags: [] as string[] });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [typed] = useDebouncedValue(form.email.trim(), 200);
  const matches = useQuery({
    queryKey: ['requesters', typed],
    queryFn: () => api.get('/api/v1/users', { query: { role: 'customer', q: typed, limit: 8 } }).then((r) => r.items),
    enabled: typed.length >= 2,
    placeholderData: (p) => p,
  });
  const set = <K extends keyof typeof form>(k: K, v: (typeof form)[K]) => setForm((f) => ({ ...f, [k]: v }));
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const t = await api.post('/api/v1/tickets', {
        body: {
          subject: form.subject,
          description: form.description,
          requester: { email: form.email, name: form.name || undefined },
          channel: form.channel,
          priority: form.priority ?? undefined,
          type: form.type,
          groupId: form.groupId,
          assigneeId: form.assigneeId,
          tags: form.tags.map((t) => t.toLowerCase()),
        },
      });
      navigate(`/tickets/${t.number}`);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'UNKNOWN', String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Paper withBorder p="lg" maw={760}>
      <Title order={3} mb="md">
        New ticket on behalf of someone
      </Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Stack>
          {error && (
            <Alert color="red" role="alert">
              {error.message}
            </Alert>
          )}
          <Group grow>
            <Autocomplete
              label="Requester's email"
              description="Pick someone who wrote before, or type a new address"
              required
              value={form.email}
              onChange={(v) => set('email', v)}
              onOptionSubmit={(v) => {
                const known = matches.data?.find((u) => u.email === v);
                if (known) setForm((f) => ({ ...f, email: known.email, name: known.name }));
              }}
              data={(matches.data ?? []).map((u) => ({ value: u.email, label: `${u.name} <${u.email}>` }))}
              filter={({ options }) => options}
              error={error?.fieldError('email')}
              data-autofocus
            />
            <TextInput label="Requester's name" value={form.name} onChange={(e) => set('name', e.currentTarget.value)} error={error?.fieldError('name')} />
          </Group>
          <TextInput label="Subject" required value={form.subject} onChange={(e) => set('subject', e.currentTarget.value)} error={error?.fieldError('subject')} />
          <Textarea label="What they reported" required autosize minRows={5} value={form.description} onChange={(e) => set('description', e.currentTarget.value)} error={error?.fieldError('description')} />
          <Group grow>
            <Select label="Channel" data={[{ value: 'phone', label: 'Phone call' }, { value: 'other', label: 'In person / offline' }, { value: 'email', label: 'Email' }, { value: 'web', label: 'Web' }]} value={form.channel} onChange={(v) => v && set('channel', v as typeof form.channel)} allowDeselect={false} />
            <Select label="Priority" clearable data={dir.priorities.map((p) => ({ value: p.key, label: `${p.key} — ${p.name}` }))} value={form.priority} onChange={(v) => set('priority', v)} error={error?.fieldError('priority')} />
            <Select label="Type" clearable data={dir.types.filter((t) => t.active).map((t) => ({ value: t.key, label: t.label }))} value={form.type} onChange={(v) => set('type', v)} error={error?.fieldError('type')} />
          </Group>
          <Group grow>
            <Select label="Group" clearable data={dir.groups.map((g) => ({ value: g.id, label: g.name }))} value={form.groupId} onChange={(v) => set('groupId', v)} error={error?.fieldError('groupId')} />
            <Select label="Assignee" clearable searchable data={dir.staff.filter((u) => u.role !== 'light_agent').map((u) => ({ value: u.id, label: u.name }))} value={form.assigneeId} onChange={(v) => set('assigneeId', v)} error={error?.fieldError('assigneeId')} />
            <TagsInput label="Tags" value={form.tags} onChange={(v) => set('tags', v)} error={error?.fieldError('tags')} />
          </Group>
          <Group justify="flex-end">
            <Button type="submit" loading={busy}>
              Create ticket
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
