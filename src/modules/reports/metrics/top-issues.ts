import { sql } from 'drizzle-orm';
import { countState, fromState, m, type MetricDef } from './types.js';

/** Top issues: the most frequent tags, types and product areas of the tickets created in the period. */
export const TOP_ISSUE_METRICS: MetricDef[] = [
  {
    key: 'top_tags',
    defaultGroupBy: 'tag',
    family: 'top_issues',
    title: 'Top tags',
    definition: 'The 10 tags on most tickets created in the period (tags as they are on the ticket now), with the previous period for the trend.',
    unit: 'tickets',
    date: sql`${m.createdAt}`,
    ...fromState(countState({ tickets: sql`count(*)` })),
    ticketValue: sql`1`,
    top: 10,
  },
  {
    key: 'top_types',
    defaultGroupBy: 'type',
    family: 'top_issues',
    title: 'Top types',
    definition: 'Ticket types by how many tickets created in the period have them (untyped tickets excepted), with the previous period for the trend.',
    unit: 'tickets',
    date: sql`${m.createdAt}`,
    where: sql`${m.type} is not null`,
    ...fromState(countState({ tickets: sql`count(*)` })),
    ticketValue: sql`1`,
    top: 10,
  },
  {
    key: 'top_product_areas',
    defaultGroupBy: 'product_area',
    family: 'top_issues',
    title: 'Top product areas',
    definition: 'Product areas by how many tickets created in the period are about them, with the previous period for the trend.',
    unit: 'tickets',
    date: sql`${m.createdAt}`,
    where: sql`${m.productArea} is not null`,
    ...fromState(countState({ tickets: sql`count(*)` })),
    ticketValue: sql`1`,
    top: 10,
  },
];
