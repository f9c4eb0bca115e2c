import { api, type Response } from '../api/client';

// The incident API's shapes, from the generated document types.
export type IncidentDetail = Response<'/api/v1/incidents/{id}', 'get'>;
export type IncidentState = IncidentDetail['state'];
export type Incident = Response<'/api/v1/incidents', 'post'>;
export type ListedIncident = Response<'/api/v1/incidents', 'get'>['items'][number];
export type TimelineEntry = IncidentDetail['timeline'][number];
export type Severity = Settings['severities'][number];
export type Settings = Response<'/api/v1/incident-settings', 'get'>;
export type Component = Response<'/api/v1/status-components', 'get'>['items'][number];

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
  list: (active?: boolean): Promise<ListedIncident[]> => api.get('/api/v1/incidents', { query: active === undefined ? {} : { active: String(active) as 'true' | 'false' } }).then((r) => r.items),
  detail: (id: string): Promise<IncidentDetail> => api.get('/api/v1/incidents/{id}', { path: { id } }),
  settings: (): Promise<Settings> => api.get('/api/v1/incident-settings'),
  components: (): Promise<Component[]> => api.get('/api/v1/status-components').then((r) => r.items),
  forTicket: (ticketId: string) => api.get('/api/v1/tickets/{id}/incidents', { path: { id: ticketId } }).then((r) => r.items),
};

/** "due in 12 min" / "late by 3 min": the cadence promise, as the incident page and list show it. */
export function dueText(i: Pick<Incident, 'nextUpdateDueAt'>, now: number): { text: string; late: boolean } | null {
  if (!i.nextUpdateDueAt) return null;
  const minutes = Math.round((new Date(i.nextUpdateDueAt).getTime() - now) / 60_000);
  if (minutes < 0) return { text: `Update late by ${-minutes} min`, late: true };
  return { text: `Next update due in ${minutes} min`, late: false };
}
