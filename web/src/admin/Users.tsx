import { Badge, Button, Checkbox, Group, Modal, PasswordInput, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import type { User } from '../api/types';
import { useDirectory } from '../app/directory';
import { useSession } from '../app/session';
import { When } from '../app/When';
import { MergeButton } from './Channels';
import { FormError, useSave } from './forms';

type Role = User['role'];
const ROLE_LABEL: Record<Role, string> = { admin: 'Admin', agent: 'Agent', light_agent: 'Light agent', customer: 'Customer' };
const ROLES = (Object.keys(ROLE_LABEL) as Role[]).map((value) => ({ value, label: ROLE_LABEL[value] }));
const TICKET_ACCESS = [
  { value: 'all', label: 'all tickets' },
  { value: 'groups', label: "only their groups' tickets" },
];
const PAGE = 25;

/** Users and roles: find people (search, role, page by page), add, edit, deactivate or reactivate them, send a password reset. */
export function Users() {
  const dir = useDirectory();
  const [q, setQ] = useState('');
  const [role, setRole] = useState<Role | null>(null);
  const [page, setPage] = useState(0);
  const [editing, setEditing] = useState<User | null>(null);
  const term = q.trim();
  // One more than a page: whether there is a next page without counting the table.
  const list = useQuery({
    queryKey: ['admin-users', term, role, page],
    queryFn: () => api.get('/api/v1/users', { query: { limit: PAGE + 1, offset: page * PAGE, ...(term ? { q: term } : {}), ...(role ? { role } : {}) } }).then((r) => r.items),
    placeholderData: keepPreviousData,
  });
  const rows = (list.data ?? []).slice(0, PAGE);
  const more = (list.data?.length ?? 0) > PAGE;
  const groupsOf = (id: string) => dir.groups.filter((g) => g.memberIds.includes(id)).map((g) => g.name);
  const { error, save } = useSave([['admin-users'], ['staff']]);
  return (
    <>
      <Title order={3}>Users and roles</Title>
      <AddUser />
      <Group align="flex-end" role="search" aria-label="Find users">
        <TextInput label="Search" placeholder="Name or email" value={q} onChange={(e) => { setQ(e.currentTarget.value); setPage(0); }} w={260} />
        <Select label="Role" placeholder="Any role" clearable data={ROLES} value={role} onChange={(v) => { setRole(v as Role | null); setPage(0); }} w={180} />
      </Group>
      <FormError error={error} />
      <Table.ScrollContainer minWidth={760}>
        <Table striped aria-label="Users">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Groups</Table.Th>
              <Table.Th>Organisation</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((u) => (
              <Table.Tr key={u.id}>
                <Table.Td>{u.name}</Table.Td>
                <Table.Td>{u.email}</Table.Td>
                <Table.Td>{ROLE_LABEL[u.role]}</Table.Td>
                <Table.Td>{groupsOf(u.id).join(', ') || <Text span size="sm" c="dimmed">none</Text>}</Table.Td>
                <Table.Td>{dir.orgName(u.organizationId) || '—'}</Table.Td>
                <Table.Td>{u.active ? <Badge color="teal" variant="light">active</Badge> : <Badge color="gray" variant="light">deactivated</Badge>}</Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button size="compact-sm" variant="subtle" onClick={() => setEditing(u)} aria-label={`Edit ${u.name}`}>Edit</Button>
                    <Button
                      size="compact-sm"
                      variant="subtle"
                      color={u.active ? 'red' : 'teal'}
                      aria-label={`${u.active ? 'Deactivate' : 'Reactivate'} ${u.name}`}
                      onClick={() =>
                        void save(
                          () => api.patch('/api/v1/users/{id}', { path: { id: u.id }, body: { active: !u.active } }),
                          () => notifications.show({ message: u.active ? `${u.name} is deactivated and signed out everywhere` : `${u.name} can sign in again` }),
                        )
                      }
                    >
                      {u.active ? 'Deactivate' : 'Reactivate'}
                    </Button>
                    {u.active && (
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        aria-label={`Send password reset to ${u.name}`}
                        onClick={() =>
                          void save(async () => {
                            // 202: the client types only 200/201 answers.
                            const sent = (await api.post('/api/v1/users/{id}/password-reset', { path: { id: u.id } })) as { message: string };
                            notifications.show({ message: sent.message });
                          })
                        }
                      >
                        Send password reset
                      </Button>
                    )}
                    <MergeButton person={u} people={list.data ?? []} />
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {list.isSuccess && rows.length === 0 && <Text c="dimmed">Nobody matches{term ? ` “${term}”` : ''}{role ? ` with the role ${ROLE_LABEL[role]}` : ''}.</Text>}
      <Group justify="space-between">
        <Button variant="default" size="xs" disabled={page === 0} onClick={() => setPage(page - 1)}>Previous page</Button>
        <Text size="sm" aria-live="polite">{rows.length ? `${page * PAGE + 1}–${page * PAGE + rows.length}` : ''}</Text>
        <Button variant="default" size="xs" disabled={!more} onClick={() => setPage(page + 1)}>Next page</Button>
      </Group>
      {editing && <UserEditor key={editing.id} user={editing} groups={groupsOf(editing.id)} onClose={() => setEditing(null)} />}
    </>
  );
}

function AddUser() {
  const { error, save } = useSave([['admin-users'], ['staff']]);
  const [form, setForm] = useState({ email: '', name: '', role: 'agent' as Role, password: '' });
  return (
    <form
      aria-label="Add a user"
      onSubmit={(e) => {
        e.preventDefault();
        void save(() => api.post('/api/v1/users', { body: { ...form, password: form.password || undefined } }), () => setForm({ ...form, email: '', name: '', password: '' }));
      }}
    >
      <Group align="flex-end">
        <TextInput label="Email" value={form.email} onChange={(e) => setForm({ ...form, email: e.currentTarget.value })} error={error?.fieldError('email')} />
        <TextInput label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={error?.fieldError('name')} />
        <Select label="New user's role" w={160} data={ROLES} value={form.role} onChange={(v) => v && setForm({ ...form, role: v as Role })} allowDeselect={false} />
        <PasswordInput label="Password" value={form.password} onChange={(e) => setForm({ ...form, password: e.currentTarget.value })} error={error?.fieldError('password')} />
        <Button type="submit">Add user</Button>
      </Group>
      <FormError error={error} fieldsInPlace />
    </form>
  );
}

type Identity = { id: string; kind: string; value: string };

/** One person's details, their addresses (an old one kept after an email change can be removed) and their groups. */
function UserEditor({ user, groups, onClose }: { user: User; groups: string[]; onClose: () => void }) {
  const dir = useDirectory();
  const { me } = useSession();
  const { error, save } = useSave([['admin-users'], ['staff'], ['identities', user.id]]);
  const [form, setForm] = useState({ name: user.name, email: user.email, role: user.role, organizationId: user.organizationId, ticketAccess: user.ticketAccess, organizationSupervisor: user.organizationSupervisor });
  const identities = useQuery({
    queryKey: ['identities', user.id],
    queryFn: () => api.get('/api/v1/users/{id}/identities', { path: { id: user.id } }).then((r) => ((r as { items?: Identity[] }).items ?? []) as Identity[]),
  });
  const current = user.email.toLowerCase();
  return (
    <Modal opened onClose={onClose} title={`Edit ${user.name}`} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const body = { ...form, email: form.email.trim().toLowerCase() === current ? undefined : form.email };
          void save(() => api.patch('/api/v1/users/{id}', { path: { id: user.id }, body }), () => {
            notifications.show({ message: `${form.name} saved` });
            onClose();
          });
        }}
      >
        <Stack>
          <TextInput label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={error?.fieldError('name')} />
          <TextInput
            label="Email"
            description="A new address becomes their sign-in and reply address; the old one stays theirs (their old mail still finds them) until you remove it below."
            value={form.email}
            onChange={(e) => setForm({ ...form, email: e.currentTarget.value })}
            error={error?.fieldError('email')}
          />
          <Select label="Role" data={ROLES} value={form.role} allowDeselect={false} onChange={(v) => v && setForm({ ...form, role: v as Role })} disabled={user.id === me.id} description={user.id === me.id ? 'You cannot change your own role.' : undefined} />
          {(form.role === 'agent' || form.role === 'light_agent') && (
            <Select label="Tickets they see" data={TICKET_ACCESS} value={form.ticketAccess} allowDeselect={false} onChange={(v) => v && setForm({ ...form, ticketAccess: v as User['ticketAccess'] })} />
          )}
          <Select label="Organisation" clearable searchable data={dir.organizations.map((o) => ({ value: o.id, label: o.name }))} value={form.organizationId} onChange={(v) => setForm({ ...form, organizationId: v, organizationSupervisor: v === user.organizationId && v !== null ? user.organizationSupervisor : false })} error={error?.fieldError('organizationId')} />
          {form.role === 'customer' && (
            <Checkbox
              label="Supervisor of their organisation"
              description="Sees every request of the organisation in the customer portal, not only their own. Moving them to another organisation ends it."
              checked={form.organizationSupervisor}
              disabled={!form.organizationId}
              onChange={(e) => setForm({ ...form, organizationSupervisor: e.currentTarget.checked })}
            />
          )}
          <div>
            <Text size="sm" fw={500}>Groups</Text>
            <Text size="sm">{groups.length ? groups.join(', ') : 'Not in any group'} <Text span size="xs" c="dimmed">(change under Groups and tiers)</Text></Text>
          </div>
          <div>
            <Text size="sm" fw={500} id={`addresses-${user.id}`}>Addresses and identities</Text>
            <Table.ScrollContainer minWidth={0} type="native">
              <Table aria-labelledby={`addresses-${user.id}`}>
                <Table.Tbody>
                  {(identities.data ?? []).map((i) => (
                    <Table.Tr key={i.id}>
                      <Table.Td>{i.kind === 'email' ? 'Email' : i.kind}</Table.Td>
                      <Table.Td>{i.value}</Table.Td>
                      <Table.Td>
                        {i.kind === 'email' && i.value === current ? (
                          <Text size="xs" c="dimmed">current</Text>
                        ) : (
                          <Button size="compact-xs" variant="subtle" color="red" aria-label={`Remove ${i.value}`} onClick={() => void save(() => api.delete('/api/v1/users/{id}/identities/{identityId}', { path: { id: user.id, identityId: i.id } }))}>
                            Remove
                          </Button>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </div>
          <Text size="xs" c="dimmed">Member since <When at={user.createdAt} /></Text>
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
