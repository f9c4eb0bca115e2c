import { sql } from 'drizzle-orm';
import { overdueAt } from '../../sla/sla.queries.js';
import { countState, fromState, m, type MetricDef } from './types.js';

const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;
/** Open at `to`: created before it, not solved by then (its latest solve, or never), not merged; read from
 *  ticket_metrics_open_idx (the expression must stay as the index has it). */
const openAt = (to: Date) => sql`coalesce(${m.solvedAt}, 'infinity'::timestamptz) >= ${at(to)} and ${m.createdAt} < ${at(to)} and ${m.statusCategory} <> 'merged'`;

/** Volume: created, solved, reopened; the backlog at the period's end with its age buckets. */
export const VOLUME_METRICS: MetricDef[] = [
  {
    key: 'tickets_created',
    family: 'volume',
    title: 'Tickets created',
    definition: 'Tickets created in the period (merged ones included: they were asked).',
    unit: 'tickets',
    date: sql`${m.createdAt}`,
    ...fromState(countState({ tickets: sql`count(*)` })),
    ticketValue: sql`1`,
  },
  {
    key: 'tickets_solved',
    family: 'volume',
    title: 'Tickets solved',
    definition: 'Tickets whose last solve falls in the period and that are solved (or closed) now: a ticket solved and reopened counts when it is solved again.',
    unit: 'tickets',
    date: sql`${m.solvedAt}`,
    ...fromState(countState({ tickets: sql`count(*)` })),
    ticketValue: sql`1`,
  },
  {
    key: 'tickets_reopened',
    family: 'volume',
    title: 'Tickets reopened',
    definition: 'Tickets whose last reopen (a solved or closed ticket set back to new, open, pending or on hold) falls in the period.',
    unit: 'tickets',
    date: sql`${m.reopenedAt}`,
    ...fromState(countState({ tickets: sql`count(*)`, reopens: sql`sum(${m.reopens})` })),
    ticketValue: sql`${m.reopens}`,
  },
  {
    key: 'backlog',
    family: 'volume',
    title: 'Backlog',
    definition:
      'Tickets open at the end of the period: created before it ends and not solved by then (by their latest solve), merged ones excepted. Group by age for the buckets: how long they had been open at the end of the period.',
    unit: 'tickets',
    date: sql`${m.createdAt}`,
    period: (_from, to) => openAt(to),
    extraGroupings: {
      age: (_from, to) => sql`case
        when ${at(to)} - ${m.createdAt} < interval '1 day' then '0-1d'
        when ${at(to)} - ${m.createdAt} < interval '3 days' then '1-3d'
        when ${at(to)} - ${m.createdAt} < interval '7 days' then '3-7d'
        when ${at(to)} - ${m.createdAt} < interval '30 days' then '7-30d'
        else '30d+' end`,
    },
    values: { tickets: sql`count(*)::int` },
    ticketValue: sql`extract(epoch from now() - ${m.createdAt})::int`,
  },
  {
    key: 'overdue',
    family: 'volume',
    title: 'Overdue',
    definition:
      'Tickets open at the end of the period (as the backlog counts them) with an SLA deadline that had passed by then and a clock still running (read from the SLA clocks as they are now: a ticket answered since is no longer overdue).',
    unit: 'tickets',
    date: sql`${m.createdAt}`,
    period: (_from, to) => sql`${openAt(to)} and ${overdueAt(sql`${m.ticketId}`, to)}`,
    values: { tickets: sql`count(*)::int` },
    ticketValue: sql`1`,
  },
];
