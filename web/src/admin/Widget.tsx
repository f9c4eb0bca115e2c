import { Alert, Badge, Button, Code, Group, Modal, NumberInput, Select, Stack, Switch, Table, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import { FormError, useSave } from './forms';

type OrgMode = 'off' | 'id' | 'name';
type Site = { id: string; name: string; siteKey: string; allowedOrigins: string[]; enabled: boolean; reportsPerMinute: number; visitorReportsPerMinute: number; organisationFromToken: OrgMode; lastReportAt: string | null };
type Form = { name: string; allowedOrigins: string[]; reportsPerMinute: number; visitorReportsPerMinute: number; organisationFromToken: OrgMode };
const ORG_MODES: { value: OrgMode; label: string }[] = [
  { value: 'off', label: 'Off (only noted on the ticket)' },
  { value: 'name', label: 'By organisation name' },
  { value: 'id', label: 'By organisation id' },
];

const snippet = (site: { siteKey: string }) => `<script src="${window.location.origin}/widget.js" data-site-key="${site.siteKey}" defer></script>`;
const originsError = (error: ReturnType<typeof useSave>['error']) => error?.fields.find((f) => f.path.includes('allowedOrigins'))?.message;

/**
 * Admin → "Report an issue" widget: sites (a key, the origins allowed to embed it, limits), the tag to paste, and
 * the identity secret, shown once when made or rotated (POST/PATCH/DELETE /api/v1/widget/sites).
 */
export function WidgetSites() {
  const sites = useQuery({ queryKey: ['widget-sites'], queryFn: () => api.get('/api/v1/widget/sites').then((r) => r.items) });
  const { error, save } = useSave([['widget-sites']]);
  const empty: Form = { name: '', allowedOrigins: [], reportsPerMinute: 60, visitorReportsPerMinute: 5, organisationFromToken: 'off' };
  const [form, setForm] = useState<Form>(empty);
  const [secret, setSecret] = useState<{ site: Site; identitySecret: string } | null>(null);
  const [editing, setEditing] = useState<Site | null>(null);
  const [confirm, setConfirm] = useState<{ site: Site; what: 'rotate' | 'delete' } | null>(null);
  const acted = useSave([['widget-sites']]);
  return (
    <>
      <Title order={3}>"Report an issue" widget</Title>
      <Text size="sm" c="dimmed">
        A site is one web app that embeds the button. Reports arrive as tickets with channel widget. Only pages on the allowed origins may send them. To
        name signed-in users, the host app signs a token (HS256) with the site's identity secret — see docs/widget.md.
      </Text>
      <form
        aria-label="New widget site"
        onSubmit={(e) => {
          e.preventDefault();
          void save(async () => {
            const made = await api.post('/api/v1/widget/sites', { body: form });
            setSecret({ site: made, identitySecret: made.identitySecret });
            setForm(empty);
          });
        }}
      >
        <Group align="flex-end">
          <TextInput label="Site name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={error?.fieldError('name')} />
          <TagsInput
            label="Allowed origins"
            description="e.g. https://app.example.com (Enter after each)"
            w={340}
            value={form.allowedOrigins}
            onChange={(v) => setForm({ ...form, allowedOrigins: v })}
            error={originsError(error)}
          />
          <NumberInput label="Reports a minute (site)" w={170} min={1} max={10000} value={form.reportsPerMinute} onChange={(v) => setForm({ ...form, reportsPerMinute: Number(v) || 1 })} />
          <NumberInput label="Reports a minute (visitor)" w={180} min={1} max={1000} value={form.visitorReportsPerMinute} onChange={(v) => setForm({ ...form, visitorReportsPerMinute: Number(v) || 1 })} />
          <Button type="submit">Add site</Button>
        </Group>
      </form>
      <FormError error={error} fieldsInPlace />
      <FormError error={acted.error} />
      {secret && (
        <Alert color="teal" title={secret.identitySecret ? `${secret.site.name}: copy these now` : `${secret.site.name}: embed code`} withCloseButton onClose={() => setSecret(null)} closeButtonLabel="Dismiss">
          <Stack gap={6}>
            <Text size="sm">Paste this tag into the pages of {secret.site.allowedOrigins.join(', ')}:</Text>
            <Code block data-testid="widget-snippet">{snippet(secret.site)}</Code>
            {secret.identitySecret && (
              <>
                <Text size="sm">Identity secret (shown once; keep it on the host app's server, never in the page):</Text>
                <Code block data-testid="widget-secret">{secret.identitySecret}</Code>
              </>
            )}
          </Stack>
        </Alert>
      )}
      <Table.ScrollContainer minWidth={0} type="native">
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Site</Table.Th>
              <Table.Th>Key</Table.Th>
              <Table.Th>Allowed origins</Table.Th>
              <Table.Th>Limits a minute</Table.Th>
              <Table.Th>Token organisation</Table.Th>
              <Table.Th>Last report</Table.Th>
              <Table.Th>On</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(sites.data ?? []).map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>{s.name}</Table.Td>
                <Table.Td><Code>{s.siteKey}</Code></Table.Td>
                <Table.Td>{s.allowedOrigins.join(', ')}</Table.Td>
                <Table.Td>{s.reportsPerMinute} site, {s.visitorReportsPerMinute} visitor</Table.Td>
                <Table.Td>{s.organisationFromToken === 'off' ? 'off' : `by ${s.organisationFromToken}`}</Table.Td>
                <Table.Td>{s.lastReportAt ? new Date(s.lastReportAt).toLocaleString() : '—'}</Table.Td>
                <Table.Td>
                  <Switch
                    aria-label={`${s.name} is on`}
                    checked={s.enabled}
                    onChange={(e) => void acted.save(() => api.patch('/api/v1/widget/sites/{id}', { path: { id: s.id }, body: { enabled: e.currentTarget.checked } }))}
                  />
                  {!s.enabled && <Badge color="gray" ml={6}>off</Badge>}
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button size="compact-xs" variant="subtle" onClick={() => setEditing(s)} aria-label={`Edit ${s.name}`}>Edit</Button>
                    <Button size="compact-xs" variant="subtle" onClick={() => setSecret({ site: s, identitySecret: '' })} aria-label={`Embed code for ${s.name}`}>
                      Embed code
                    </Button>
                    <Button size="compact-xs" variant="subtle" onClick={() => setConfirm({ site: s, what: 'rotate' })} aria-label={`New identity secret for ${s.name}`}>
                      New secret
                    </Button>
                    <Button size="compact-xs" variant="subtle" color="red" onClick={() => setConfirm({ site: s, what: 'delete' })} aria-label={`Delete ${s.name}`}>Delete</Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {sites.data?.length === 0 && <Text c="dimmed">No sites yet.</Text>}
      {editing && <SiteEditor key={editing.id} site={editing} onClose={() => setEditing(null)} />}
      {confirm && (
        <Modal opened onClose={() => setConfirm(null)} title={confirm.what === 'rotate' ? `New identity secret for ${confirm.site.name}?` : `Delete ${confirm.site.name}?`}>
          <Text size="sm" mb="md">
            {confirm.what === 'rotate'
              ? 'Tokens signed with the current secret stop verifying at once; the host app must sign with the new one.'
              : 'Pages that embed this site key stop sending reports. Tickets already made stay.'}
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirm(null)}>Cancel</Button>
            <Button
              color={confirm.what === 'delete' ? 'red' : undefined}
              onClick={() =>
                void acted.save(async () => {
                  if (confirm.what === 'rotate') {
                    const r = await api.post('/api/v1/widget/sites/{id}/rotate-secret', { path: { id: confirm.site.id } });
                    setSecret({ site: r, identitySecret: r.identitySecret });
                  } else {
                    await api.delete('/api/v1/widget/sites/{id}', { path: { id: confirm.site.id } });
                  }
                  setConfirm(null);
                })
              }
            >
              {confirm.what === 'rotate' ? 'Make a new secret' : 'Delete site'}
            </Button>
          </Group>
        </Modal>
      )}
    </>
  );
}

function SiteEditor({ site, onClose }: { site: Site; onClose: () => void }) {
  const { error, save } = useSave([['widget-sites']]);
  const [form, setForm] = useState<Form>({
    name: site.name,
    allowedOrigins: site.allowedOrigins,
    reportsPerMinute: site.reportsPerMinute,
    visitorReportsPerMinute: site.visitorReportsPerMinute,
    organisationFromToken: site.organisationFromToken,
  });
  return (
    <Modal opened onClose={onClose} title={`Edit ${site.name}`}>
      <Stack>
        <TextInput label="Site name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={error?.fieldError('name')} />
        <TagsInput label="Allowed origins" value={form.allowedOrigins} onChange={(v) => setForm({ ...form, allowedOrigins: v })} error={originsError(error)} />
        <NumberInput label="Reports a minute (site)" min={1} max={10000} value={form.reportsPerMinute} onChange={(v) => setForm({ ...form, reportsPerMinute: Number(v) || 1 })} />
        <NumberInput label="Reports a minute (visitor)" min={1} max={1000} value={form.visitorReportsPerMinute} onChange={(v) => setForm({ ...form, visitorReportsPerMinute: Number(v) || 1 })} />
        <Select
          label="Organisation from identity tokens"
          description="A signed token's organisation puts the requester in that organisation (one that exists); an unknown one is only noted on the ticket."
          data={ORG_MODES}
          allowDeselect={false}
          value={form.organisationFromToken}
          onChange={(v) => setForm({ ...form, organisationFromToken: (v as OrgMode | null) ?? 'off' })}
        />
        <FormError error={error} fieldsInPlace />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button onClick={() => void save(() => api.patch('/api/v1/widget/sites/{id}', { path: { id: site.id }, body: form }), onClose)}>Save</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
