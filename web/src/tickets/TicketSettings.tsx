import { Card, Stack, Switch, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { FormError, useSave } from '../admin/forms';
import { api } from '../api/client';

/** Admin → Ticket settings: how tickets behave desk-wide. Each switch saves at once and says so. */
export function TicketSettings() {
  const settings = useQuery({ queryKey: ['ticket-settings'], queryFn: () => api.get('/api/v1/ticket-settings') });
  const { error, save } = useSave([['ticket-settings']]);
  return (
    <Card withBorder aria-label="Ticket settings">
      <Stack>
        <Title order={3}>Ticket settings</Title>
        <Switch
          label="Replying to an unassigned ticket assigns it to the person replying"
          description="A public reply by an agent who may own the ticket (a member of its group, if it has one) makes them its assignee, recorded in its history. Internal notes never do."
          disabled={!settings.data}
          checked={settings.data?.replyAssigns ?? true}
          onChange={(e) => {
            const replyAssigns = e.currentTarget.checked;
            void save(
              () => api.put('/api/v1/ticket-settings', { body: { replyAssigns } }),
              () => notifications.show({ message: replyAssigns ? 'Replies now assign unassigned tickets' : 'Replies no longer assign tickets' }),
            );
          }}
        />
        <Text size="xs" c="dimmed">
          Who gets new tickets automatically (rota, round robin, least loaded) is set per group under Triage rota.
        </Text>
        <FormError error={error} />
      </Stack>
    </Card>
  );
}
