import { sql } from 'drizzle-orm';
import { sentSurveysJoin } from '../../csat/csat.queries.js';
import { m, type MetricDef, percent } from './types.js';

const answered = sql`cs.rating is not null`;

/** Satisfaction (CSAT): the surveys sent in the period and their answers, from the csat module's surveys. */
export const SATISFACTION_METRICS: MetricDef[] = [
  {
    key: 'satisfaction',
    family: 'satisfaction',
    title: 'Satisfaction (CSAT)',
    definition:
      'Surveys sent in the period (one per solve, after its delay) and their answers so far. Satisfaction = good ÷ (good + bad); bad rate = bad ÷ answered; response rate = answered ÷ sent; comment rate = answers with a comment ÷ answered. Counted in the period the survey was sent; a survey not answered (yet, or ever) counts only as sent.',
    unit: 'percent',
    date: sql`cs.sent_at`,
    join: sentSurveysJoin(sql`${m.ticketId}`),
    values: {
      satisfaction: percent(sql`count(*) filter (where cs.rating = 'good')`, sql`count(*) filter (where ${answered})`),
      good: sql`(count(*) filter (where cs.rating = 'good'))::int`,
      bad: sql`(count(*) filter (where cs.rating = 'bad'))::int`,
      badRate: percent(sql`count(*) filter (where cs.rating = 'bad')`, sql`count(*) filter (where ${answered})`),
      responseRate: percent(sql`count(*) filter (where ${answered})`, sql`count(*)`),
      commentRate: percent(sql`count(*) filter (where ${answered} and cs.commented)`, sql`count(*) filter (where ${answered})`),
      answered: sql`(count(*) filter (where ${answered}))::int`,
      sent: sql`count(*)::int`,
    },
    ticketValue: sql`case cs.rating when 'good' then 1 when 'bad' then 0 end`,
  },
];
