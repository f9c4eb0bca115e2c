import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import type { Group, Organization, Priority, State, TicketType, User } from '../api/types';

// Reference data every screen needs to show names instead of ids; loaded once and kept for a while.
const long = { staleTime: 5 * 60_000 };

export function useDirectory() {
  const states = useQuery({ queryKey: ['states'], queryFn: () => api.get('/api/v1/states').then((r) => r.items), ...long });
  const priorities = useQuery({ queryKey: ['priorities'], queryFn: () => api.get('/api/v1/priorities').then((r) => r.items), ...long });
  const types = useQuery({ queryKey: ['types'], queryFn: () => api.get('/api/v1/types').then((r) => r.items), ...long });
  const groups = useQuery({ queryKey: ['groups'], queryFn: () => api.get('/api/v1/groups').then((r) => r.items), ...long });
  const staff = useQuery({
    queryKey: ['staff'],
    queryFn: async () => {
      const [agents, admins, light] = await Promise.all(
        (['agent', 'admin', 'light_agent'] as const).map((role) => api.get('/api/v1/users', { query: { role, limit: 200 } }).then((r) => r.items)),
      );
      return [...(agents ?? []), ...(admins ?? []), ...(light ?? [])].sort((a, b) => a.name.localeCompare(b.name));
    },
    ...long,
  });
  const organizations = useQuery({ queryKey: ['organizations'], queryFn: () => api.get('/api/v1/organizations').then((r) => r.items), ...long });
  const customFields = useQuery({ queryKey: ['custom-fields'], queryFn: () => api.get('/api/v1/custom-fields', { query: { entity: 'ticket' } }).then((r) => r.items), ...long });
  return {
    states: states.data ?? ([] as State[]),
    priorities: priorities.data ?? ([] as Priority[]),
    types: types.data ?? ([] as TicketType[]),
    groups: groups.data ?? ([] as Group[]),
    staff: staff.data ?? ([] as User[]),
    organizations: organizations.data ?? ([] as Organization[]),
    customFields: customFields.data ?? [],
    userName: (id: string | null | undefined) => (id ? (staff.data?.find((u) => u.id === id)?.name ?? '…') : ''),
    groupName: (id: string | null | undefined) => (id ? (groups.data?.find((g) => g.id === id)?.name ?? '…') : ''),
    orgName: (id: string | null | undefined) => (id ? (organizations.data?.find((o) => o.id === id)?.name ?? '…') : ''),
    stateLabel: (key: string) => states.data?.find((s) => s.key === key)?.label ?? key,
    priority: (key: string | undefined) => priorities.data?.find((p) => p.key === key),
  };
}

export type Directory = ReturnType<typeof useDirectory>;
