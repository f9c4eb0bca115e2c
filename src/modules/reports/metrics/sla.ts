import { type SQL, sql } from 'drizzle-orm';
import { fromState, m, type MetricDef, percent } from './types.js';

const TARGETS: [string, string, SQL][] = [
  ['first_response', 'first response', sql`${m.slaFirstResponse}`],
  ['next_response', 'next response', sql`${m.slaNextResponse}`],
  ['periodic_update', 'update cadence', sql`${m.slaPeriodicUpdate}`],
  ['resolution', 'resolution', sql`${m.slaResolution}`],
];

/** SLA attainment per target: met, breached, and the share met, from the clocks' sla_met / sla_breached events. */
export const SLA_METRICS: MetricDef[] = TARGETS.map(([key, words, outcome]) => ({
  key: `sla_${key}`,
  family: 'sla',
  title: `SLA attainment: ${words}`,
  definition: `Tickets created in the period whose ${words} target has an outcome: met (the target was achieved in time) or breached (its deadline passed first; a breach is final even if a later cycle is met). Attainment = met ÷ (met + breached). Tickets still running or with no SLA policy are not counted.`,
  unit: 'percent',
  date: sql`${m.createdAt}`,
  where: sql`${outcome} is not null`,
  ...fromState({
    sums: [sql`count(*) filter (where ${outcome} = 'met')`, sql`count(*) filter (where ${outcome} = 'breached')`, sql`count(*)`],
    values: (s) => ({ attainment: percent(s(0), s(2)), met: sql`(${s(0)})::int`, breached: sql`(${s(1)})::int` }),
  }),
  ticketValue: sql`case when ${outcome} = 'met' then 1 else 0 end`,
}));
