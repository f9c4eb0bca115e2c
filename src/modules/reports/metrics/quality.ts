import { sql } from 'drizzle-orm';
import { countState, fromState, m, type MetricDef, percent } from './types.js';

const solvedWhere = sql`${m.solvedAt} is not null`;

/** How well tickets went: reopens, one-touch resolution, interactions, touches, escalations, reassignments. */
export const QUALITY_METRICS: MetricDef[] = [
  {
    key: 'reopen_rate',
    family: 'quality',
    title: 'Reopen rate',
    definition: 'Of the tickets solved in the period (by their last solve), the share that was reopened at least once before that solve.',
    unit: 'percent',
    date: sql`${m.solvedAt}`,
    where: solvedWhere,
    ...fromState({ sums: [sql`count(*) filter (where ${m.reopens} > 0)`, sql`count(*)`], values: (s) => ({ rate: percent(s(0), s(1)), reopened: sql`(${s(0)})::int`, solved: sql`(${s(1)})::int` }) }),
    ticketValue: sql`${m.reopens}`,
  },
  {
    key: 'one_touch_resolution',
    family: 'quality',
    title: 'One-touch resolution',
    definition:
      'Of the tickets solved in the period (by their last solve), the share solved with exactly one public agent reply and never reopened (first-contact resolution). Internal notes do not count as touches here; automatic replies are not agent replies.',
    unit: 'percent',
    date: sql`${m.solvedAt}`,
    where: solvedWhere,
    ...fromState({ sums: [sql`count(*) filter (where ${m.agentReplies} = 1 and ${m.reopens} = 0)`, sql`count(*)`], values: (s) => ({ rate: percent(s(0), s(1)), oneTouch: sql`(${s(0)})::int`, solved: sql`(${s(1)})::int` }) }),
    ticketValue: sql`${m.agentReplies}`,
  },
  {
    key: 'interactions_per_ticket',
    family: 'quality',
    title: 'Interactions per ticket',
    definition: "Public messages both ways (the customer's, the opening one included, and agents' public replies) per ticket solved in the period (by its last solve).",
    unit: 'per_ticket',
    date: sql`${m.solvedAt}`,
    where: solvedWhere,
    values: { avg: sql`round(avg(${m.agentReplies} + ${m.requesterReplies}), 2)::float8`, p50: sql`percentile_cont(0.5) within group (order by ${m.agentReplies} + ${m.requesterReplies})::float8`, tickets: sql`count(*)::int` },
    ticketValue: sql`${m.agentReplies} + ${m.requesterReplies}`,
  },
  {
    key: 'agent_touches',
    family: 'quality',
    title: 'Agent touches',
    definition: 'Messages written by agents (public replies and internal notes) per ticket solved in the period (by its last solve).',
    unit: 'per_ticket',
    date: sql`${m.solvedAt}`,
    where: solvedWhere,
    ...fromState({ sums: [sql`sum(${m.agentTouches})`, sql`count(*)`], values: (s) => ({ avg: sql`round((${s(0)})::numeric / nullif(${s(1)}, 0), 2)::float8`, total: sql`(${s(0)})::int`, tickets: sql`(${s(1)})::int` }) }),
    ticketValue: sql`${m.agentTouches}`,
  },
  {
    key: 'escalations',
    family: 'quality',
    title: 'Escalations',
    definition: 'Tickets created in the period that were escalated up a tier, and how many escalations they had (group by group for the tier they sit in now).',
    unit: 'tickets',
    date: sql`${m.createdAt}`,
    ...fromState(countState({ tickets: sql`count(*) filter (where ${m.escalations} > 0)`, escalations: sql`sum(${m.escalations})`, created: sql`count(*)` })),
    ticketValue: sql`${m.escalations}`,
  },
  {
    key: 'reassignments',
    family: 'quality',
    title: 'Reassignments',
    definition: 'Tickets created in the period that moved from one agent to another, and how many times (a first assignment is not a reassignment).',
    unit: 'tickets',
    date: sql`${m.createdAt}`,
    ...fromState(countState({ tickets: sql`count(*) filter (where ${m.reassignments} > 0)`, reassignments: sql`sum(${m.reassignments})`, created: sql`count(*)` })),
    ticketValue: sql`${m.reassignments}`,
  },
];
