import { Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import { FormError, useSave } from '../admin/forms';
import { useSession } from '../app/session';

/** A link shown once, right after it was made (only its hash is kept), ready to copy. */
function ShownOnce({ label, url }: { label: string; url: string }) {
  return (
    <Stack gap={2}>
      <TextInput label={label} value={url} readOnly onFocus={(e) => e.currentTarget.select()} w="100%" maw={640} />
      <Text size="xs" c="dimmed">
        Copy it into your calendar now: it is shown only this once.
      </Text>
    </Stack>
  );
}

/**
 * Calendar (iCal) links: my shifts, and for admins the schedule's. Lifeline keeps only a hash of each link, so a
 * link is shown once when made; making a new one stops the old one (for a link that was shared too widely).
 */
export function FeedLinks({ scheduleId, scheduleName }: { scheduleId: string; scheduleName: string }) {
  const { me } = useSession();
  const mine = useQuery({ queryKey: ['oncall-my-feed'], queryFn: () => api.get('/api/v1/oncall/me/feed') });
  const { error, save } = useSave([['oncall-my-feed']]);
  const [myUrl, setMyUrl] = useState<string | null>(null);
  const [scheduleUrl, setScheduleUrl] = useState<string | null>(null);
  const hasMine = mine.data?.exists ?? false;
  return (
    <Stack gap="xs" aria-label="Calendar links">
      <Group gap="xs">
        <Button
          size="xs"
          variant="default"
          onClick={() => void save(async () => setMyUrl((await api.post('/api/v1/oncall/me/feed', {})).url))}
        >
          {hasMine ? 'New link to my shifts calendar (the old link stops working)' : 'Make a link to my shifts calendar (iCal)'}
        </Button>
        {me.role === 'admin' && (
          <Button size="xs" variant="default" onClick={() => void save(async () => setScheduleUrl((await api.post('/api/v1/oncall/schedules/{id}/feed', { path: { id: scheduleId } })).url))}>
            New link to the {scheduleName} calendar (the old link stops working)
          </Button>
        )}
      </Group>
      {myUrl && <ShownOnce label="My shifts calendar link" url={myUrl} />}
      {scheduleUrl && <ShownOnce label={`${scheduleName} calendar link`} url={scheduleUrl} />}
      <FormError error={error} />
    </Stack>
  );
}
