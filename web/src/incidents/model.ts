import { api } from '../api/client';

// The incident API's shapes as the screens use them (its routes declare no response schema yet).
export type IncidentState = 'investigating' | 'identified' | 'monitoring' | 'resolved' | 'pending_retro' | 'closed';
export type Incident = {
  id: string;
  number: number;
  title: string;
  severity: string;
  state: IncidentState;
  originTicketId: string | null;
  impact: string;
  currentTheory: string;
  nextSteps: string;
  startedAt: string;
  detectedAt: string;
  acknowledgedAt: string | null;
  mitigatedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  nextUpdateDueAt: string | null;
  lateSince: string | null;
  version: number;
};
export type ListedIncident = Incident & { linkedTickets: number; lead: { id: string; name: string } | null };
export type TimelineEntry = { id: number; kind: string; body: string; pinned: boolean; at: string; actorName: string; data: Record<string, unknown> };
export type IncidentDetail = Incident & {
  roles: { key: string; name: string; lead: boolean; user: { id: string; name: string } | null }[];
  components: { id: string; name: string; status: string }[];
  timeline: TimelineEntry[];
  updates: { id: string; state: IncidentState; body: string; eta: string | null; at: string; authorName: string }[];
  tickets: { id: string; number: number; subject: string; status: string }[];
  hiddenTickets: number;
  retro: {
    status: 'draft' | 'done' | 'skipped';
    skipReason: string | null;
    summary: string;
    rootCause: string;
    whys: string[];
    wentWell: string;
    wentBadly: string;
    actionItems: { title: string; ownerId: string | null; dueOn: string | null; link: string | null; done: boolean }[];
    dueAt: string;
  } | null;
};
export type Severity = { key: string; name: string; level: number; cadenceMinutes: number };
export type Settings = { settings: { statusPageTitle: string; severityLevels: number }; severities: Severity[]; roles: { key: string; name: string; lead: boolean }[] };
export type Component = { id: string; name: string; groupName: string | null; description: string; position: number; status: string };

export const STATE_LABELS: Record<IncidentState, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
  pending_retro: 'Pending retro',
  closed: 'Closed',
};
export const ACTIVE: IncidentState[] = ['investigating', 'identified', 'monitoring'];
export const COMPONENT_STATUSES = ['operational', 'under_maintenance', 'degraded_performance', 'partial_outage', 'major_outage'];

export const incidentsApi = {
  list: (active?: boolean) =>
    api.get('/api/v1/incidents', { query: active === undefined ? {} : { active: String(active) as 'true' | 'false' } }).then((r) => (r as unknown as { items: ListedIncident[] }).items),
  detail: (id: string) => api.get('/api/v1/incidents/{id}', { path: { id } }) as unknown as Promise<IncidentDetail>,
  settings: () => api.get('/api/v1/incident-settings') as unknown as Promise<Settings>,
  components: () => api.get('/api/v1/status-components').then((r) => (r as unknown as { items: Component[] }).items),
  forTicket: (ticketId: string) => api.get('/api/v1/tickets/{id}/incidents', { path: { id: ticketId } }).then((r) => (r as unknown as { items: Pick<Incident, 'id' | 'number' | 'title' | 'severity' | 'state'>[] }).items),
};

/** "due in 12 min" / "late by 3 min": the cadence promise, as the incident page and list show it. */
export function dueText(i: Pick<Incident, 'nextUpdateDueAt'>, now: number): { text: string; late: boolean } | null {
  if (!i.nextUpdateDueAt) return null;
  const minutes = Math.round((new Date(i.nextUpdateDueAt).getTime() - now) / 60_000);
  if (minutes < 0) return { text: `Update late by ${-minutes} min`, late: true };
  return { text: `Next update due in ${minutes} min`, late: false };
}
