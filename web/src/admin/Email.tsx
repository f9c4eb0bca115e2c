import { Alert, Badge, Button, Checkbox, Code, Group, Modal, NumberInput, PasswordInput, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import { useDirectory } from '../app/directory';
import { When } from '../app/When';
import { FormError, useSave } from './forms';
import { bodyText, headerInWords, splitMessage } from './mail';

type Address = { id: string; address: string; name: string; groupId: string | null; priority: string | null; autoReply: boolean; isDefault: boolean; active: boolean };
type Mailbox = {
  id: string;
  addressId: string;
  host: string;
  port: number;
  secure: boolean;
  tlsVerify: boolean;
  username: string;
  folder: string;
  afterStore: 'flag' | 'move' | 'delete';
  moveTo: string | null;
  active: boolean;
  status: string;
  connected: boolean;
  lastSyncAt: string | null;
  lastError: string | null;
  failureCount: number;
};
type Inbound = { id: string; fromAddress: string | null; subject: string | null; error: string | null; status: string; receivedAt: string };

const itemsOf = <T,>(r: unknown) => ((r as { items?: T[] })?.items ?? []) as T[];
const KEYS = [['email-addresses'], ['email-mailboxes']];

/** Support addresses, the IMAP mailboxes that feed them, and inbound mail that failed. */
export function Email() {
  const dir = useDirectory();
  const addresses = useQuery({ queryKey: ['email-addresses'], queryFn: () => api.get('/api/v1/email/addresses').then(itemsOf<Address>) });
  const mailboxes = useQuery({ queryKey: ['email-mailboxes'], queryFn: () => api.get('/api/v1/email/mailboxes').then(itemsOf<Mailbox>) });
  const failed = useQuery({ queryKey: ['email-failed'], queryFn: () => api.get('/api/v1/inbound/emails', { query: { status: 'failed' } }).then(itemsOf<Inbound>) });
  const [editing, setEditing] = useState<Address | null>(null);
  const [removing, setRemoving] = useState<Address | null>(null);
  const [mailbox, setMailbox] = useState<Mailbox | 'new' | null>(null);
  const [reading, setReading] = useState<string | null>(null);
  const { error, save } = useSave(KEYS);
  const fallback = (addresses.data ?? []).find((a) => a.isDefault && a.active) ?? (addresses.data ?? []).find((a) => a.active);
  const addressOf = (id: string) => (addresses.data ?? []).find((a) => a.id === id)?.address ?? '—';
  return (
    <>
      <Title order={3}>Support addresses</Title>
      <Text size="sm" c="dimmed">
        Mail to these addresses becomes tickets in the address's group (with none, the default address's group). Notifications and tickets that did not come by email are sent from
        the default address.
      </Text>
      <AddAddress />
      <FormError error={error} />
      <Table.ScrollContainer minWidth={700}>
        <Table aria-label="Support addresses">
          <Table.Thead>
            <Table.Tr><Table.Th>Address</Table.Th><Table.Th>Sender name</Table.Th><Table.Th>New tickets go to</Table.Th><Table.Th>Auto-reply</Table.Th><Table.Th>Actions</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(addresses.data ?? []).map((a) => (
              <Table.Tr key={a.id}>
                <Table.Td>{a.address} {a.isDefault && <Badge variant="light">default</Badge>}</Table.Td>
                <Table.Td>{a.name}</Table.Td>
                <Table.Td>{a.groupId ? dir.groupName(a.groupId) : fallback?.groupId && fallback.id !== a.id ? `${dir.groupName(fallback.groupId)} (the default)` : <Text span size="sm" c="dimmed">no group</Text>}</Table.Td>
                <Table.Td>{a.autoReply ? 'yes' : 'no'}</Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button size="compact-sm" variant="subtle" aria-label={`Edit ${a.address}`} onClick={() => setEditing(a)}>Edit</Button>
                    <Button size="compact-sm" variant="subtle" color="red" aria-label={`Remove ${a.address}`} onClick={() => setRemoving(a)}>Remove</Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>

      <Group justify="space-between" mt="md">
        <Title order={3}>Mailboxes (IMAP)</Title>
        <Button size="xs" onClick={() => setMailbox('new')} disabled={!addresses.data?.length}>Add mailbox</Button>
      </Group>
      <Text size="sm" c="dimmed">Lifeline fetches mail from these mailboxes into their address. Passwords are stored sealed and never shown again.</Text>
      <Table.ScrollContainer minWidth={760}>
        <Table aria-label="Mailboxes">
          <Table.Thead>
            <Table.Tr><Table.Th>Feeds</Table.Th><Table.Th>Server</Table.Th><Table.Th>Username</Table.Th><Table.Th>Folder</Table.Th><Table.Th>State</Table.Th><Table.Th>Actions</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(mailboxes.data ?? []).map((m) => (
              <Table.Tr key={m.id}>
                <Table.Td>{addressOf(m.addressId)}</Table.Td>
                <Table.Td>{m.host}:{m.port} {m.secure ? '(TLS)' : '(not encrypted)'}</Table.Td>
                <Table.Td>{m.username}</Table.Td>
                <Table.Td>{m.folder}</Table.Td>
                <Table.Td>
                  {!m.active ? 'switched off' : m.connected ? 'connected' : m.status === 'failed' ? 'stopped' : 'waiting'}
                  {m.lastError && <Text size="xs" c="red.9" maw={260} className="truncate" title={m.lastError}>{m.lastError}</Text>}
                  {m.lastSyncAt && <Text size="xs" c="dimmed">last fetched <When at={m.lastSyncAt} /></Text>}
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <TestButton mailbox={m} />
                    <Button size="compact-sm" variant="subtle" aria-label={`Edit mailbox ${m.username}`} onClick={() => setMailbox(m)}>Edit</Button>
                    <Button
                      size="compact-sm"
                      variant="subtle"
                      color="red"
                      aria-label={`Remove mailbox ${m.username}`}
                      onClick={() => void save(() => api.delete('/api/v1/email/mailboxes/{id}', { path: { id: m.id } }), () => notifications.show({ message: `Mailbox ${m.username} removed; mail already fetched stays` }))}
                    >
                      Remove
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {mailboxes.data?.length === 0 && <Text size="sm" c="dimmed">No mailboxes: mail arrives by SMTP or the HTTP door only.</Text>}

      <Title order={3} mt="md">Failed inbound mail</Title>
      <Table.ScrollContainer minWidth={640}>
        <Table aria-label="Failed inbound mail">
          <Table.Thead><Table.Tr><Table.Th>From</Table.Th><Table.Th>Subject</Table.Th><Table.Th>Why</Table.Th><Table.Th>Received</Table.Th><Table.Th>Actions</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {(failed.data ?? []).map((m) => (
              <Table.Tr key={m.id}>
                <Table.Td>{m.fromAddress ?? '—'}</Table.Td>
                <Table.Td>{m.subject ?? '(no subject)'}</Table.Td>
                <Table.Td><Text size="sm" maw={280} className="truncate" title={m.error ?? ''}>{m.error}</Text></Table.Td>
                <Table.Td><When at={m.receivedAt} /></Table.Td>
                <Table.Td><Button size="compact-sm" variant="subtle" aria-label={`Read the message from ${m.fromAddress ?? 'unknown'}`} onClick={() => setReading(`/api/v1/inbound/emails/${m.id}/raw`)}>Read</Button></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {failed.data?.length === 0 && <Text size="sm" c="dimmed">None: every message was turned into a ticket or reply, or set aside on purpose.</Text>}

      {editing && <AddressEditor key={editing.id} address={editing} onClose={() => setEditing(null)} />}
      {removing && (
        <Modal opened onClose={() => setRemoving(null)} title={`Remove ${removing.address}?`}>
          <Text size="sm">Mail to {removing.address} will be refused from now on. Tickets that came by it stay, and replies to them are sent from the default address.</Text>
          <Group justify="flex-end" mt="md">
            <Button variant="default" onClick={() => setRemoving(null)}>Keep it</Button>
            <Button color="red" onClick={() => void save(() => api.delete('/api/v1/email/addresses/{id}', { path: { id: removing.id } }), () => setRemoving(null))}>Remove</Button>
          </Group>
        </Modal>
      )}
      {mailbox && <MailboxEditor key={mailbox === 'new' ? 'new' : mailbox.id} mailbox={mailbox === 'new' ? null : mailbox} addresses={addresses.data ?? []} onClose={() => setMailbox(null)} />}
      {reading && <RawMail url={reading} onClose={() => setReading(null)} />}
    </>
  );
}

function AddAddress() {
  const dir = useDirectory();
  const empty = { address: '', name: '', groupId: null as string | null };
  const [form, setForm] = useState(empty);
  const { error, save } = useSave(KEYS);
  return (
    <form aria-label="Add a support address" onSubmit={(e) => { e.preventDefault(); void save(() => api.post('/api/v1/email/addresses', { body: form }), () => setForm(empty)); }}>
      <Group align="flex-start">
        <TextInput label="Address" placeholder="help@example.org" value={form.address} onChange={(e) => setForm({ ...form, address: e.currentTarget.value })} error={error?.fieldError('address')} />
        <TextInput label="Sender name" placeholder="Example Support" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={error?.fieldError('name')} />
        <Select label="Group for new tickets" clearable placeholder="The default group" data={dir.groups.map((g) => ({ value: g.id, label: g.name }))} value={form.groupId} onChange={(groupId) => setForm({ ...form, groupId })} error={error?.fieldError('groupId')} />
        <Button type="submit" mt={25}>Add address</Button>
      </Group>
      <FormError error={error} fieldsInPlace />
    </form>
  );
}

function AddressEditor({ address, onClose }: { address: Address; onClose: () => void }) {
  const dir = useDirectory();
  const [form, setForm] = useState({ address: address.address, name: address.name, groupId: address.groupId, priority: address.priority, autoReply: address.autoReply, isDefault: address.isDefault });
  const { error, save } = useSave(KEYS);
  return (
    <Modal opened onClose={onClose} title={`Edit ${address.address}`}>
      <form onSubmit={(e) => { e.preventDefault(); void save(() => api.patch('/api/v1/email/addresses/{id}', { path: { id: address.id }, body: form }), onClose); }}>
        <Stack>
          <TextInput label="Address" value={form.address} onChange={(e) => setForm({ ...form, address: e.currentTarget.value })} error={error?.fieldError('address')} />
          <TextInput label="Sender name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={error?.fieldError('name')} />
          <Select label="Group for new tickets" clearable placeholder="The default group" data={dir.groups.map((g) => ({ value: g.id, label: g.name }))} value={form.groupId} onChange={(groupId) => setForm({ ...form, groupId })} error={error?.fieldError('groupId')} />
          <Select label="Priority for new tickets" clearable placeholder="The scheme's default" data={dir.priorities.map((p) => ({ value: p.key, label: `${p.key} ${p.name}` }))} value={form.priority} onChange={(priority) => setForm({ ...form, priority })} error={error?.fieldError('priority')} />
          <Checkbox label="Acknowledge new tickets by email (auto-reply)" checked={form.autoReply} onChange={(e) => setForm({ ...form, autoReply: e.currentTarget.checked })} />
          <Checkbox label="Default address (notifications and non-email tickets are sent from it; its group is the default group)" checked={form.isDefault} disabled={address.isDefault} onChange={(e) => setForm({ ...form, isDefault: e.currentTarget.checked })} />
          <FormError error={error} fieldsInPlace />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit">Save</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function TestButton({ mailbox }: { mailbox: Mailbox }) {
  const [busy, setBusy] = useState(false);
  return (
    <Button
      size="compact-sm"
      variant="subtle"
      loading={busy}
      aria-label={`Test the connection of ${mailbox.username}`}
      onClick={() => {
        setBusy(true);
        api
          .post('/api/v1/email/mailboxes/{id}/test', { path: { id: mailbox.id } })
          .then((r) => notifications.show({ color: r.ok ? 'teal' : 'red', title: r.ok ? 'Connection works' : 'Connection failed', message: r.message, autoClose: r.ok ? 5000 : false }))
          .catch((e: Error) => notifications.show({ color: 'red', message: e.message }))
          .finally(() => setBusy(false));
      }}
    >
      Test
    </Button>
  );
}

/** Add or edit a mailbox. The password is never shown; when editing, an empty one keeps the saved password. */
function MailboxEditor({ mailbox, addresses, onClose }: { mailbox: Mailbox | null; addresses: Address[]; onClose: () => void }) {
  const [form, setForm] = useState({
    addressId: mailbox?.addressId ?? addresses[0]?.id ?? '',
    host: mailbox?.host ?? '',
    port: mailbox?.port ?? 993,
    secure: mailbox?.secure ?? true,
    tlsVerify: mailbox?.tlsVerify ?? true,
    username: mailbox?.username ?? '',
    password: '',
    folder: mailbox?.folder ?? 'INBOX',
    afterStore: mailbox?.afterStore ?? ('flag' as Mailbox['afterStore']),
    moveTo: mailbox?.moveTo ?? null,
    active: mailbox?.active ?? true,
  });
  const { error, save } = useSave(KEYS);
  const submit = () => {
    const { password, ...rest } = form;
    const body = { ...rest, moveTo: form.afterStore === 'move' ? form.moveTo : null, ...(password ? { password } : {}) };
    return mailbox
      ? api.patch('/api/v1/email/mailboxes/{id}', { path: { id: mailbox.id }, body })
      : api.post('/api/v1/email/mailboxes', { body: { ...body, password } });
  };
  return (
    <Modal opened onClose={onClose} title={mailbox ? `Edit mailbox ${mailbox.username}` : 'Add a mailbox'} size="lg">
      <form onSubmit={(e) => { e.preventDefault(); void save(submit, () => { notifications.show({ message: 'Mailbox saved; use Test to check it' }); onClose(); }); }}>
        <Stack>
          <Select label="Feeds the address" data={addresses.map((a) => ({ value: a.id, label: a.address }))} value={form.addressId} allowDeselect={false} onChange={(v) => v && setForm({ ...form, addressId: v })} error={error?.fieldError('addressId')} />
          <Group grow align="flex-start">
            <TextInput label="IMAP server" placeholder="imap.example.org" value={form.host} onChange={(e) => setForm({ ...form, host: e.currentTarget.value })} error={error?.fieldError('host')} />
            <NumberInput label="Port" min={1} max={65535} value={form.port} onChange={(v) => setForm({ ...form, port: Number(v) || 0 })} error={error?.fieldError('port')} />
          </Group>
          <Group>
            <Checkbox label="Secure connection (TLS)" checked={form.secure} onChange={(e) => setForm({ ...form, secure: e.currentTarget.checked })} />
            <Checkbox label="Verify the server's certificate" checked={form.tlsVerify} onChange={(e) => setForm({ ...form, tlsVerify: e.currentTarget.checked })} />
          </Group>
          <TextInput label="Username" value={form.username} onChange={(e) => setForm({ ...form, username: e.currentTarget.value })} error={error?.fieldError('username')} />
          <PasswordInput
            label="Password"
            autoComplete="new-password"
            description={mailbox ? 'Leave empty to keep the saved password (needed again if the server, port, security or username change).' : undefined}
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.currentTarget.value })}
            error={error?.fieldError('password')}
          />
          <TextInput label="Folder" value={form.folder} onChange={(e) => setForm({ ...form, folder: e.currentTarget.value })} error={error?.fieldError('folder')} />
          <Select
            label="After fetching a message"
            data={[{ value: 'flag', label: 'Mark it read' }, { value: 'move', label: 'Move it to a folder' }, { value: 'delete', label: 'Delete it from the server' }]}
            value={form.afterStore}
            allowDeselect={false}
            onChange={(v) => v && setForm({ ...form, afterStore: v as Mailbox['afterStore'] })}
          />
          {form.afterStore === 'move' && <TextInput label="Move to folder" value={form.moveTo ?? ''} onChange={(e) => setForm({ ...form, moveTo: e.currentTarget.value || null })} error={error?.fieldError('moveTo')} />}
          <Checkbox label="Fetch mail from this mailbox" checked={form.active} onChange={(e) => setForm({ ...form, active: e.currentTarget.checked })} />
          <FormError error={error} fieldsInPlace />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit">Save</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** A raw message shown as text: headers with their names in words, the text body, and the source itself. */
export function RawMail({ url, onClose }: { url: string; onClose: () => void }) {
  const raw = useQuery({
    queryKey: ['raw-mail', url],
    queryFn: async () => {
      const res = await fetch(url, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(`The message could not be loaded (${res.status})`);
      return res.text();
    },
  });
  const [source, setSource] = useState(false);
  const parsed = raw.data ? splitMessage(raw.data) : null;
  return (
    <Modal opened onClose={onClose} title="Email as received or sent" size="xl">
      {raw.error && <Alert color="red">{raw.error.message}</Alert>}
      {parsed && raw.data && (
        <Stack>
          <Table.ScrollContainer minWidth={0} type="native">
            <Table aria-label="Headers" layout="fixed">
              <Table.Tbody>
                {parsed.headers.map((h, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: headers repeat (Received) and never reorder
                  <Table.Tr key={i}>
                    <Table.Th w={180} scope="row">{headerInWords(h.name)}</Table.Th>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{h.value}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Title order={5}>Text</Title>
          <Code block tabIndex={0} aria-label="Message text" style={{ maxHeight: 320, overflow: 'auto', whiteSpace: 'pre-wrap' }}>
            {bodyText(raw.data) || '(no text part)'}
          </Code>
          <Group>
            <Button size="xs" variant="default" onClick={() => setSource(!source)}>{source ? 'Hide the source' : 'Show the source'}</Button>
            <Button size="xs" variant="subtle" component="a" href={url} download>Download (.eml)</Button>
          </Group>
          {source && (
            <Code block tabIndex={0} aria-label="Message source" style={{ maxHeight: 320, overflow: 'auto' }}>
              {raw.data}
            </Code>
          )}
        </Stack>
      )}
    </Modal>
  );
}
