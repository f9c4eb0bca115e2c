import { ActionIcon, Alert, AppShell, Badge, Burger, Button, Group, Kbd, Menu, Modal, NavLink, ScrollArea, Stack, Table, Text, Title, UnstyledButton } from '@mantine/core';
import { useDisclosure, useHotkeys } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useRef, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { EditSavedView } from '../admin/SavedViews';
import { api } from '../api/client';
import { ActiveIncidentBanner } from '../incidents/Banners';
import { SearchBox } from '../tickets/SearchBox';
import { useLiveUpdates } from './live';
import { useSession } from './session';

export const SHORTCUTS: [string, string][] = [
  ['j / k', 'next / previous ticket in the list'],
  ['Enter', 'open the ticket'],
  ['x', 'select the ticket (for bulk actions)'],
  ['r', 'reply to the requester'],
  ['n', 'add an internal note'],
  ['a', 'assign the ticket to me'],
  ['e', 'solve the ticket'],
  ['/', 'search'],
  ['?', 'show these shortcuts'],
];

export function Shell({ children }: { children: ReactNode }) {
  const { me, signOut, expired } = useSession();
  const [location, navigate] = useLocation();
  // No stream while the session has ended (the sign-in dialog is up); signing in again opens it again.
  const { connected, stopped, resume } = useLiveUpdates(undefined, !expired);
  const [help, { open: openHelp, close: closeHelp }] = useDisclosure(false);
  // On a phone the views rail is a drawer behind the menu button; choosing a link in it closes it.
  const [drawer, { toggle: toggleDrawer, close: closeDrawer }] = useDisclosure(false);
  const search = useRef<HTMLInputElement>(null);
  const [editingView, setEditingView] = useState<string | null>(null);
  const params = new URLSearchParams(useSearch());
  const [q, setQ] = useState(params.get('q') ?? '');
  // The box follows the address when the search changes elsewhere (a chip removed, back and forward).
  const urlQ = params.get('q') ?? '';
  const [shownUrlQ, setShownUrlQ] = useState(urlQ);
  if (urlQ !== shownUrlQ) {
    setShownUrlQ(urlQ);
    setQ(urlQ);
  }
  useHotkeys([
    ['/', () => search.current?.focus()],
    ['shift+?', openHelp],
    ['?', openHelp],
  ]);
  const views = useQuery({ queryKey: ['views'], queryFn: () => api.get('/api/v1/views').then((r) => r.items) });
  const counts = useQuery({ queryKey: ['view-counts'], queryFn: () => api.get('/api/v1/views/counts'), refetchInterval: 60_000 });
  const countOf = (id: string) => {
    const n = counts.data?.counts[id];
    if (n === undefined || !counts.data) return undefined;
    return n > counts.data.cap ? `${Math.floor(counts.data.cap / 1000)}k+` : String(n);
  };

  return (
    <AppShell header={{ height: 52 }} navbar={{ width: 230, breakpoint: 'sm', collapsed: { mobile: !drawer } }} padding={{ base: 'xs', sm: 'md' }}>
      <AppShell.Header>
        <Group h="100%" px={{ base: 'xs', sm: 'md' }} justify="space-between" wrap="nowrap" gap="xs">
          <Group wrap="nowrap" gap="xs" style={{ minWidth: 0 }}>
            <Burger opened={drawer} onClick={toggleDrawer} hiddenFrom="sm" size="sm" aria-label={drawer ? 'Close the views' : 'Open the views'} />
            <UnstyledButton component={Link} href="/views/triage" visibleFrom="sm">
              <Title order={4}>Lifeline</Title>
            </UnstyledButton>
            <form
              aria-label="Search"
              onSubmit={(e) => {
                e.preventDefault();
                if (q.trim()) navigate(`/search?q=${encodeURIComponent(q.trim())}`);
              }}
            >
              <SearchBox
                inputRef={search}
                w={{ base: 108, xs: 220, sm: 300, md: 420 }}
                value={q}
                onChange={setQ}
                onSearch={(v) => v.trim() && navigate(`/search?q=${encodeURIComponent(v.trim())}`)}
              />
            </form>
          </Group>
          <Group wrap="nowrap" gap="xs">
            <Button component={Link} href="/tickets/new" size="xs" variant="light" px={{ base: 6, sm: 'sm' }}>
              New ticket
            </Button>
            <Menu position="bottom-end">
              <Menu.Target>
                <Button variant="subtle" size="xs" aria-label={`${me.name}, your account`}>
                  {me.name}
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>
                  {me.email} · {me.role.replace('_', ' ')}
                </Menu.Label>
                <Menu.Item onClick={openHelp}>Keyboard shortcuts</Menu.Item>
                <Menu.Item onClick={() => void signOut()}>Sign out</Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      {/* A link chosen in the drawer closes it, even one to the page already shown. */}
      <AppShell.Navbar p="xs" onClick={(e) => (e.target as HTMLElement).closest('a') && closeDrawer()}>
        <AppShell.Section grow component={ScrollArea}>
          <Text size="xs" fw={700} c="dimmed" px="sm" py={4}>
            VIEWS
          </Text>
          <nav aria-label="Views">
            {(views.data ?? []).map((v) => (
              <Group key={v.id} gap={2} wrap="nowrap">
              <NavLink
                style={{ flex: 1, minWidth: 0 }}
                component={Link}
                href={`/views/${v.id}`}
                label={v.name}
                active={location === `/views/${v.id}`}
                rightSection={
                  countOf(v.id) !== undefined ? (
                    <Badge size="sm" variant="light" color="gray" data-testid={`count-${v.id}`}>
                      {countOf(v.id)}
                    </Badge>
                  ) : null
                }
              />
              {/* One's own views, and for an admin the shared ones too: the same editor as Admin → Saved views. */}
              {!v.system && (v.ownerId === me.id || me.role === 'admin') && (
                <ActionIcon variant="subtle" color="gray" size="sm" aria-label={`Edit view ${v.name}`} onClick={() => setEditingView(v.id)}>
                  ✎
                </ActionIcon>
              )}
              </Group>
            ))}
          </nav>
          {editingView && <EditSavedView id={editingView} onClose={() => setEditingView(null)} />}
        </AppShell.Section>
        <NavLink component={Link} href="/boards/epics" label="Epics board" active={location === '/boards/epics'} />
        <NavLink component={Link} href="/boards/planning" label="Planning" active={location === '/boards/planning'} />
        <NavLink component={Link} href="/boards" label="Boards" active={location.startsWith('/boards') && location !== '/boards/epics' && location !== '/boards/planning'} />
        <NavLink component={Link} href="/time" label="Time" active={location.startsWith('/time')} />
        <NavLink component={Link} href="/incidents" label="Incidents" active={location.startsWith('/incidents')} />
        <NavLink component={Link} href="/oncall" label="On-call" active={location.startsWith('/oncall')} />
        <NavLink component={Link} href="/kb" label="Knowledge base" active={location.startsWith('/kb')} />
        <NavLink component={Link} href="/reports" label="Reports" active={location.startsWith('/reports')} />
        <NavLink component={Link} href="/satisfaction" label="Satisfaction" active={location.startsWith('/satisfaction')} />
        {me.role === 'admin' && (
          <AppShell.Section>
            <NavLink component={Link} href="/admin/users" label="Admin" active={location.startsWith('/admin')} />
          </AppShell.Section>
        )}
      </AppShell.Navbar>
      <AppShell.Main>
        {stopped === 'TOO_MANY_STREAMS' && (
          <Alert color="yellow" mb="sm" role="status">
            <Group justify="space-between">
              <Text size="sm">Live updates are paused in this tab: Lifeline is open in too many tabs or windows. Close some, then resume.</Text>
              <Button size="xs" variant="light" onClick={resume}>
                Resume live updates
              </Button>
            </Group>
          </Alert>
        )}
        {!connected && (
          <Alert color="orange" mb="sm" role="status">
            Connection lost — reconnecting. Changes others make appear once it is back.
          </Alert>
        )}
        <ActiveIncidentBanner />
        <Stack gap={0}>{children}</Stack>
      </AppShell.Main>
      <Modal opened={help} onClose={closeHelp} title="Keyboard shortcuts">
        <Table.ScrollContainer minWidth={0} type="native">
          <Table>
            <Table.Tbody>
              {SHORTCUTS.map(([k, what]) => (
                <Table.Tr key={k}>
                  <Table.Td>
                    <Kbd>{k}</Kbd>
                  </Table.Td>
                  <Table.Td>{what}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Modal>
    </AppShell>
  );
}
