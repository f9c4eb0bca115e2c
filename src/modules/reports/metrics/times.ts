import { sql } from 'drizzle-orm';
import { durationValues, m, type MetricDef, PERCENTILE_BOUND } from './types.js';

/** Durations: first and next response, first and full resolution, the waits. Calendar and business seconds. */
export const TIME_METRICS: MetricDef[] = [
  {
    key: 'first_response_time',
    family: 'times',
    title: 'First response time',
    definition:
      `From the ticket's creation to the first public reply by an agent (a person; automatic replies by triggers and Lifeline's own messages do not count). Counted in the period of that reply; tickets with no reply yet are not counted. ${PERCENTILE_BOUND}`,
    unit: 'seconds',
    date: sql`${m.firstReplyAt}`,
    ...durationValues(sql`${m.frtS}`, sql`${m.frtBs}`),
    ticketValue: sql`${m.frtS}`,
  },
  {
    key: 'next_response_time',
    family: 'times',
    title: 'Next response time',
    definition:
      `After the first reply: from a customer's public message that is waiting for an answer to the agent's next public reply, averaged per ticket (a ticket with three such waits counts their average). Counted in the period the ticket was created; tickets with no such wait are not counted. ${PERCENTILE_BOUND}`,
    unit: 'seconds',
    date: sql`${m.createdAt}`,
    where: sql`${m.nextResponseCount} > 0`,
    // Per-ticket averages (floats): their sums do not merge exactly, so this metric has no rollup state.
    values: durationValues(sql`(${m.nextResponseS}::float8 / ${m.nextResponseCount})`, sql`(${m.nextResponseBs}::float8 / ${m.nextResponseCount})`).values,
    ticketValue: sql`round(${m.nextResponseS}::float8 / nullif(${m.nextResponseCount}, 0))::int`,
  },
  {
    key: 'first_resolution_time',
    family: 'times',
    title: 'First resolution time',
    definition: `From the ticket's creation to its first solve (whatever happened after). Counted in the period of that first solve. ${PERCENTILE_BOUND}`,
    unit: 'seconds',
    date: sql`${m.firstSolvedAt}`,
    ...durationValues(sql`${m.firstResolutionS}`, sql`${m.firstResolutionBs}`),
    ticketValue: sql`${m.firstResolutionS}`,
  },
  {
    key: 'full_resolution_time',
    family: 'times',
    title: 'Full resolution time',
    definition: `From the ticket's creation to its final solve: a reopened ticket counts again only once solved again. Counted in the period of that last solve; tickets not solved now are not counted. ${PERCENTILE_BOUND}`,
    unit: 'seconds',
    date: sql`${m.solvedAt}`,
    ...durationValues(sql`${m.fullResolutionS}`, sql`${m.fullResolutionBs}`),
    ticketValue: sql`${m.fullResolutionS}`,
  },
  {
    key: 'requester_wait_time',
    family: 'times',
    title: 'Requester wait time',
    definition: `Time the ticket spent in new, open and on-hold states (the customer is waiting on the team), up to its last solve. Solved tickets, counted in the period of their last solve. ${PERCENTILE_BOUND}`,
    unit: 'seconds',
    date: sql`${m.solvedAt}`,
    ...durationValues(sql`${m.requesterWaitS}`, sql`${m.requesterWaitBs}`),
    ticketValue: sql`${m.requesterWaitS}`,
  },
  {
    key: 'agent_wait_time',
    family: 'times',
    title: 'Agent wait time',
    definition: `Time the ticket spent pending (the team is waiting on the customer), up to its last solve. Solved tickets, counted in the period of their last solve. ${PERCENTILE_BOUND}`,
    unit: 'seconds',
    date: sql`${m.solvedAt}`,
    ...durationValues(sql`${m.agentWaitS}`, sql`${m.agentWaitBs}`),
    ticketValue: sql`${m.agentWaitS}`,
  },
  {
    key: 'on_hold_time',
    family: 'times',
    title: 'On-hold time',
    definition: `Time the ticket spent on hold (waiting on a third party; part of the requester wait), up to its last solve. Solved tickets, counted in the period of their last solve. ${PERCENTILE_BOUND}`,
    unit: 'seconds',
    date: sql`${m.solvedAt}`,
    ...durationValues(sql`${m.onHoldS}`, sql`${m.onHoldBs}`),
    ticketValue: sql`${m.onHoldS}`,
  },
];
