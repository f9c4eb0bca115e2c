import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth.js';
import { Timestamp } from '../../platform/responses.js';
import type { ReportsService } from './reports.service.js';
import type { ReportsStore } from './store.service.js';

const read = { level: 'staff', scope: 'tickets:read' } as const;
const tags = ['reports'];

const Param = z.string().max(200);
// Filters and options are checked by ReportsService.parse, which names an unknown one (a strict schema would too,
// but with a less helpful word); so the schema keeps what it does not name.
const ReportQuery = z.looseObject({
  from: Param.optional().describe('start (inclusive): a date or an ISO-8601 time with offset; default 30 days before `to`'),
  to: Param.optional().describe('end (exclusive); default now'),
  groupBy: Param.optional().describe('none, day, week, month, group, agent, priority, channel, organization, type, product_area, tag (backlog: age)'),
  format: z.enum(['json', 'csv']).optional().describe('csv: the same numbers as text/csv (or send Accept: text/csv)'),
  group: Param.optional(),
  agent: Param.optional(),
  priority: Param.optional(),
  channel: Param.optional(),
  organization: Param.optional(),
  type: Param.optional(),
  tag: Param.optional(),
});
const DrillQuery = ReportQuery.extend({
  value: Param.optional().describe('the group whose tickets to list (its key; empty for "none")'),
  cursor: Param.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const MetricParams = z.object({ metric: z.string().max(100) });
const Values = z.record(z.string(), z.number().nullable());
const Definition = z.object({ key: z.string(), title: z.string(), family: z.string(), unit: z.string(), definition: z.string(), headline: z.string(), groupings: z.array(z.string()) });
const ReportView = z.object({
  metric: Definition,
  from: z.string(),
  to: z.string(),
  groupBy: z.string(),
  filters: z.record(z.string(), z.string()),
  values: Values,
  previous: z.object({ from: z.string(), to: z.string(), values: Values }),
  groups: z.array(z.object({ key: z.string().nullable(), label: z.string(), values: Values, previous: Values.optional() })),
});
const DrillView = z.object({
  items: z.array(z.object({ id: z.uuid(), number: z.number(), subject: z.string(), status: z.string(), statusCategory: z.string(), createdAt: z.string(), at: z.string().nullable(), value: z.number().nullable() })),
  nextCursor: z.string().nullable(),
});
const Seconds = z.number().nullable();
const ExplainView = z.object({
  metrics: z
    .object({
      calendarId: z.string().nullable(),
      createdAt: Timestamp,
      firstReplyAt: Timestamp.nullable(),
      firstSolvedAt: Timestamp.nullable(),
      solvedAt: Timestamp.nullable(),
      reopens: z.number(),
      agentReplies: z.number(),
      requesterReplies: z.number(),
      agentTouches: z.number(),
      reassignments: z.number(),
      escalations: z.number(),
      frtS: Seconds,
      frtBs: Seconds,
      firstResolutionS: Seconds,
      firstResolutionBs: Seconds,
      fullResolutionS: Seconds,
      fullResolutionBs: Seconds,
      nextResponseS: z.number(),
      nextResponseBs: z.number(),
      nextResponseCount: z.number(),
      requesterWaitS: z.number(),
      requesterWaitBs: z.number(),
      agentWaitS: z.number(),
      agentWaitBs: z.number(),
      onHoldS: z.number(),
      onHoldBs: z.number(),
      slaFirstResponse: z.string().nullable(),
      slaNextResponse: z.string().nullable(),
      slaPeriodicUpdate: z.string().nullable(),
      slaResolution: z.string().nullable(),
    })
    .nullable(),
  trace: z.array(z.object({ eventId: z.number(), at: z.string(), kind: z.string(), note: z.string() })),
});

export function reportRoutes(app: FastifyInstance, reports: ReportsService, store: ReportsStore): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/v1/reports', { config: { access: read }, schema: { tags, response: { 200: z.object({ items: z.array(Definition), filters: z.array(z.string()) }) }, description: 'Every metric with its written definition.' } }, async () => ({
    items: reports.definitions(),
    filters: ['group', 'agent', 'priority', 'channel', 'organization', 'type', 'tag'],
  }));
  r.get(
    '/api/v1/reports/:metric',
    {
      config: { access: read },
      schema: { tags, params: MetricParams, querystring: ReportQuery, response: { 200: z.union([ReportView, z.string().describe('text/csv')]) }, description: 'A metric for a period (default: the last 30 days), with the previous period; JSON, or CSV with format=csv or Accept: text/csv.' },
    },
    async (req, reply) => {
      const report = await reports.run(requireActor(req), reports.parse(req.params.metric, req.query));
      const csv = req.query.format === 'csv' || (req.query.format === undefined && /\btext\/csv\b/.test(req.headers.accept ?? ''));
      if (!csv) return report;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${report.metric.key}-${report.from.slice(0, 10)}-${report.to.slice(0, 10)}.csv"`)
        .send(reports.csv(report));
    },
  );
  r.get(
    '/api/v1/reports/:metric/tickets',
    { config: { access: read }, schema: { tags, params: MetricParams, querystring: DrillQuery, response: { 200: DrillView }, description: 'The tickets behind a number (only those you may see), newest first, paged by nextCursor.' } },
    async (req) => {
      const { value, cursor, limit, ...rest } = req.query;
      return reports.tickets(requireActor(req), reports.parse(req.params.metric, rest), { value, cursor, limit });
    },
  );
  r.get(
    '/api/v1/tickets/:id/metrics',
    { config: { access: read }, schema: { tags, params: z.object({ id: z.uuid() }), response: { 200: ExplainView }, description: "Why these numbers: the ticket's reporting row and the events that made each number." } },
    async (req) => store.explain(requireActor(req), req.params.id),
  );
}
