import { Button, Group, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueries, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api } from '../api/client';
import { useDirectory } from '../app/directory';
import { useSession } from '../app/session';
import { When } from '../app/When';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const dayName = (d: string) => new Date(`${d}T12:00:00Z`).toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' });

/**
 * Beside the triage queue: for each of the agent's groups, who is on triage today and next, and the latest
 * hand-over notes (the rota itself is set under Admin → Triage rota). Whoever is on triage today writes the
 * hand-over to the next one here.
 */
export function TriagePanel() {
  const { me } = useSession();
  const dir = useDirectory();
  const groups = dir.groups.filter((g) => me.groupIds.includes(g.id));
  if (!groups.length) return null;
  return (
    <Paper withBorder p="sm" mb="sm" component="section" aria-labelledby="triage-rota-title">
      <Title order={4} id="triage-rota-title" mb={4}>
        Triage rota and hand-over
      </Title>
      <Stack gap="sm">
        {groups.map((g) => (
          <GroupRota key={g.id} groupId={g.id} name={g.name} />
        ))}
      </Stack>
    </Paper>
  );
}

function GroupRota({ groupId, name }: { groupId: string; name: string }) {
  const { me } = useSession();
  const dir = useDirectory();
  const qc = useQueryClient();
  const [from, to] = [day(0), day(13)];
  const [rota, handover] = useQueries({
    queries: [
      { queryKey: ['rota', groupId], queryFn: () => api.get('/api/v1/groups/{id}/rota', { path: { id: groupId }, query: { from, to } }).then((r) => r.items) },
      { queryKey: ['handover', groupId], queryFn: () => api.get('/api/v1/groups/{id}/handover', { path: { id: groupId } }) },
    ],
  });
  const today = rota.data?.find((r) => r.day === from);
  const next = rota.data?.find((r) => r.day > from && r.userId !== today?.userId);
  const onTriage = today?.userId === me.id;
  return (
    <div>
      <Text size="sm">
        <Text span fw={600}>{name}</Text>: today {today ? <Text span fw={600}>{today.userId === me.id ? 'you' : today.name}</Text> : 'nobody is on the rota'}
        {next && (
          <>
            {' · '}next {next.userId === me.id ? 'you' : next.name} ({dayName(next.day)})
          </>
        )}
      </Text>
      {(handover.data?.notes.length ?? 0) > 0 && (
        <Stack gap={2} mt={4} aria-label={`Hand-over notes for ${name}`} role="list">
          {handover.data?.notes.map((n) => (
            <Text key={n.id} size="sm" role="listitem" style={{ whiteSpace: 'pre-wrap' }}>
              <Text span size="xs" c="dimmed">{dir.userName(n.authorId) || 'Someone'}, <When at={n.createdAt} />: </Text>
              {n.body}
            </Text>
          ))}
        </Stack>
      )}
      {onTriage && <HandoverForm groupId={groupId} name={name} onSaved={() => void qc.invalidateQueries({ queryKey: ['handover', groupId] })} />}
    </div>
  );
}

function HandoverForm({ groupId, name, onSaved }: { groupId: string; name: string; onSaved: () => void }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        setError(null);
        api
          .post('/api/v1/groups/{id}/handover', { path: { id: groupId }, body: { body: note } })
          .then(() => {
            setNote('');
            notifications.show({ message: 'Hand-over note added' });
            onSaved();
          })
          .catch((err: unknown) => setError(err instanceof ApiError ? err : new ApiError(0, 'UNKNOWN', String(err))));
      }}
    >
      <Group align="flex-end" gap="xs" mt={4}>
        <Textarea
          label={`Hand-over to the next triage (${name})`}
          autosize
          minRows={1}
          style={{ flex: 1 }}
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
          error={error ? (error.fieldError('body') ? 'Write something to hand over' : error.message) : undefined}
        />
        <Button type="submit" size="sm">
          Add note
        </Button>
      </Group>
    </form>
  );
}
