import { api, type Response } from '../api/client';
import { show } from './show';

export { show };

export type Report = Response<'/api/v1/reports/{metric}', 'get'> & object;
export type ReportJson = Exclude<Report, string>;
export type Definition = Response<'/api/v1/reports', 'get'>['items'][number];
export type Drill = Response<'/api/v1/reports/{metric}/tickets', 'get'>;

export const PERIODS = [
  { value: 'today', label: 'Today' },
  { value: '7d', label: '7 days' },
  { value: '30d', label: '30 days' },
  { value: 'month', label: 'This month' },
  { value: 'custom', label: 'Custom' },
] as const;
export type PeriodKey = (typeof PERIODS)[number]['value'];

const DAY = 86_400_000;
const iso = (d: Date) => d.toISOString();
const startOfDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

/** A period as the API takes it: [from, to) in UTC (a day is a UTC day, as the reports count it). */
export function periodRange(key: PeriodKey, now: Date, custom: { from: string; to: string }): { from: string; to: string } {
  const tomorrow = new Date(startOfDay(now).getTime() + DAY);
  switch (key) {
    case 'today':
      return { from: iso(startOfDay(now)), to: iso(tomorrow) };
    case '7d':
      return { from: iso(new Date(tomorrow.getTime() - 7 * DAY)), to: iso(tomorrow) };
    case '30d':
      return { from: iso(new Date(tomorrow.getTime() - 30 * DAY)), to: iso(tomorrow) };
    case 'month':
      return { from: iso(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))), to: iso(tomorrow) };
    case 'custom':
      return { from: custom.from, to: custom.to };
  }
}

export type Filters = { group?: string; agent?: string; priority?: string; channel?: string; type?: string; tag?: string };
export type Query = { from: string; to: string } & Filters;

export const reportsApi = {
  definitions: () => api.get('/api/v1/reports'),
  run: (metric: string, q: Query, groupBy?: string) => api.get('/api/v1/reports/{metric}', { path: { metric }, query: { ...q, groupBy } }) as Promise<ReportJson>,
  tickets: (metric: string, q: Query, o: { groupBy?: string; value?: string; cursor?: string }) =>
    api.get('/api/v1/reports/{metric}/tickets', { path: { metric }, query: { ...q, groupBy: o.groupBy, value: o.value, cursor: o.cursor, limit: 25 } }),
  why: (ticketId: string) => api.get('/api/v1/tickets/{id}/metrics', { path: { id: ticketId } }),
};

/** The CSV of exactly what a chart shows: the same metric, period, filters and grouping. */
export function csvHref(metric: string, q: Query, groupBy?: string): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...q, groupBy, format: 'csv' })) if (v) params.set(k, v);
  return `/api/v1/reports/${metric}?${params}`;
}

