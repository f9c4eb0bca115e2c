import { Button, Card, Group, MultiSelect, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { FormError, useSave } from '../admin/forms';
import { api } from '../api/client';

type Form = { labels: Record<string, string>; types: string[]; customFields: string[]; attachments: boolean };

/** Admin → Customer portal: the words customers read for each state, and what the new-request form asks. */
export function PortalSettings() {
  const settings = useQuery({ queryKey: ['portal-settings'], queryFn: () => api.get('/api/v1/portal/settings') });
  const states = useQuery({ queryKey: ['states'], queryFn: () => api.get('/api/v1/states').then((r) => r.items) });
  const types = useQuery({ queryKey: ['types'], queryFn: () => api.get('/api/v1/types').then((r) => r.items) });
  const fields = useQuery({ queryKey: ['custom-fields'], queryFn: () => api.get('/api/v1/custom-fields').then((r) => r.items) });
  const { error, save } = useSave([['portal-settings']]);
  const [form, setForm] = useState<Form>({ labels: {}, types: [], customFields: [], attachments: true });
  useEffect(() => {
    if (settings.data) setForm(settings.data);
  }, [settings.data]);
  return (
    <Card withBorder component="form" aria-label="Customer portal settings" onSubmit={(e) => {
      e.preventDefault();
      const labels = Object.fromEntries(Object.entries(form.labels).filter(([, v]) => v.trim()));
      void save(() => api.put('/api/v1/portal/settings', { body: { ...form, labels } }), () => notifications.show({ message: 'Portal settings saved' }));
    }}>
      <Stack>
        <Title order={3}>Customer portal</Title>
        <Text size="sm" c="dimmed">
          Customers sign in at <a href="/portal">/portal</a> with an emailed link or their password. Supervisors (a checkbox on a customer, under Users) also see their organisation's requests.
        </Text>
        <Title order={4}>What customers read for each state</Title>
        <Table.ScrollContainer minWidth={0} type="native">
          <Table aria-label="Customer-facing state labels">
            <Table.Tbody>
              {(states.data ?? []).filter((s) => s.category !== 'merged').map((s) => (
                <Table.Tr key={s.key}>
                  <Table.Td w="35%">{s.label}</Table.Td>
                  <Table.Td>
                    <TextInput aria-label={`Customers read for ${s.label}`} placeholder="built-in wording" value={form.labels[s.key] ?? ''} onChange={(e) => setForm({ ...form, labels: { ...form.labels, [s.key]: e.currentTarget.value } })} error={error?.fieldError(`labels.${s.key}`)} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Title order={4}>The new-request form</Title>
        <MultiSelect label="Types a customer may pick" data={(types.data ?? []).map((t) => ({ value: t.key, label: t.label }))} value={form.types} onChange={(v) => setForm({ ...form, types: v })} clearable />
        <MultiSelect
          label="Ticket fields on the form"
          data={(fields.data ?? []).filter((f) => f.entity === 'ticket').map((f) => ({ value: f.key, label: f.label }))}
          value={form.customFields}
          onChange={(v) => setForm({ ...form, customFields: v })}
          clearable
        />
        <Switch label="Customers may attach files" checked={form.attachments} onChange={(e) => setForm({ ...form, attachments: e.currentTarget.checked })} />
        <FormError error={error} />
        <Group justify="flex-end">
          <Button type="submit">Save</Button>
        </Group>
      </Stack>
    </Card>
  );
}
