import { type SQL, sql } from 'drizzle-orm';
import { incidentReportRows } from '../../incidents/incidents.queries.js';
import type { MetricDef } from './types.js';

const seconds = (from: SQL, to: SQL) => sql`extract(epoch from ${to} - ${from})`;
function durations(d: SQL): Record<string, SQL> {
  return {
    count: sql`count(${d})::int`,
    avg: sql`round(avg(${d}))::int`,
    p50: sql`round(percentile_cont(0.5) within group (order by ${d}))::int`,
    p90: sql`round(percentile_cont(0.9) within group (order by ${d}))::int`,
  };
}
const severity = () => sql`inc.severity`;

/** Incidents: time to acknowledge and time to resolve, on the clock (incidents run around it). */
export const INCIDENT_METRICS: MetricDef[] = [
  {
    key: 'incident_time_to_acknowledge',
    family: 'incidents',
    title: 'Incident time to acknowledge',
    definition:
      'From when an incident was detected (declared, or the detection time given) to its acknowledgement, on the clock. Counted in the period it was detected; incidents not acknowledged yet are not counted. Group by severity to compare P1s with the rest.',
    unit: 'seconds',
    date: sql`inc.detected_at`,
    source: incidentReportRows(),
    extraGroupings: { severity },
    values: durations(seconds(sql`inc.detected_at`, sql`inc.acknowledged_at`)),
    ticketValue: seconds(sql`inc.detected_at`, sql`inc.acknowledged_at`),
  },
  {
    key: 'incident_time_to_resolve',
    family: 'incidents',
    title: 'Incident time to resolve',
    definition:
      'From when an incident was detected to when it was resolved, on the clock. Counted in the period it was detected; incidents not resolved yet are not counted. Group by severity to compare P1s with the rest.',
    unit: 'seconds',
    date: sql`inc.detected_at`,
    source: incidentReportRows(),
    extraGroupings: { severity },
    values: durations(seconds(sql`inc.detected_at`, sql`inc.resolved_at`)),
    ticketValue: seconds(sql`inc.detected_at`, sql`inc.resolved_at`),
  },
];
